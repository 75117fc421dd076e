/**
 * The `storyboard` CLI: the app's services without a window (as the `jobs` CLI builds them, with
 * the same environment and lease), making a storyboard's takes from a board file and exporting its cut.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Storyboard } from '../contract';
import type { Services } from '../services';
import { follow, jobLine } from './follow';
import type { JobLine } from './follow';
import { checkFrame, commandOf, EXIT, headlessServices, holdLibrary, messageOf, tokenProblem } from './jobs-main';
import type { CliIo } from './jobs-main';
import { parseBoardFile, parseStoryboardArgs, usage } from './storyboard-args';
import type { Command } from './storyboard-args';
import { Progress } from './progress';

export interface ShotLine {
  shot: string;
  index: number;
  picked: string | null;
  takes: JobLine[];
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const command = commandOf(argv, parseStoryboardArgs, usage, io);
  if (typeof command === 'number') return command;
  const progress = new Progress(io.err);
  let services: Services;
  try {
    services = await headlessServices(io, progress, command.verbose);
  } catch (error) {
    progress.note(`Keyframe could not open its settings or library: ${messageOf(error)}`);
    return EXIT.notSent;
  }
  try {
    return command.kind === 'make' ? await make(command.file, services, progress, io) : await exportCut(command, services, progress, io);
  } catch (error) {
    progress.note(io.signal?.aborted ? 'Stopped; nothing half-written was left behind.' : messageOf(error));
    return io.signal?.aborted ? EXIT.interrupted : EXIT.notDone;
  } finally {
    await services.close();
    progress.done();
  }
}

async function make(file: string, services: Services, progress: Progress, io: CliIo): Promise<number> {
  const path = resolve(file);
  let text: string;
  let board;
  try {
    text = await readFile(path, 'utf8');
    board = parseBoardFile(text, basename(path));
  } catch (error) {
    progress.note(error instanceof Error && !('code' in error) ? error.message : `The board file ${path} cannot be read.`);
    return EXIT.notSent;
  }
  const noToken = tokenProblem(services);
  if (noToken) {
    progress.note(noToken);
    return EXIT.notSent;
  }
  // The same file (same place, same content) is the same storyboard: a rerun resumes it.
  const source = `${path}#${createHash('sha256').update(text).digest('hex')}`;
  let storyboard = services.storyboard.findBySource(source);
  const frameIds: string[] = [];
  if (!storyboard) {
    for (const [index, keyframe] of board.keyframes.entries()) {
      const frame = await checkFrame(services.frames, `keyframe ${index + 1}`, resolve(dirname(path), keyframe), progress, io.signal);
      frameIds.push(frame.id);
    }
  }
  // Writing the board and sending its takes both wait for the library (one writer at a time).
  if (!(await holdLibrary(services, progress, io, 'sending')))
    return storyboard ? finish(services, storyboard.id, io, EXIT.interrupted) : EXIT.interrupted;
  storyboard = services.storyboard.findBySource(source) ?? storyboard;
  if (storyboard) {
    progress.note(`Resuming storyboard ${storyboard.id}: only the takes a shot still lacks are sent.`);
  } else {
    storyboard = await services.storyboard.createWith({
      name: basename(path).replace(/\.json$/i, ''),
      takesPerShot: board.takes,
      frameIds,
      shots: board.shots,
      source,
    });
    progress.note(`Storyboard ${storyboard.id} in ${services.library.store.dir}.`);
  }
  const id = storyboard.id;
  const shots = { shots: storyboard.shots.map((shot) => shot.key) };
  const plan = await services.storyboard.plan(id, shots, board.takes);
  if (plan.blockers.length) {
    for (const blocker of plan.blockers) progress.note(blocker);
    return finish(services, id, io, EXIT.notSent);
  }

  const runner = services.jobs.runner;
  io.signal?.addEventListener('abort', () => void runner.stop(), { once: true });
  // Takes sent before a kill are followed again (one cut off while being sent comes back `submit_unknown` and counts as sent).
  await runner.start();
  progress.note(
    plan.jobs ? `Sending ${plan.jobs} take${plan.jobs === 1 ? '' : 's'} (${plan.seconds} s of video).` : 'Every take was sent already.',
  );
  const made = await services.storyboard.make(id, shots, board.takes);
  for (const problem of made.problems) progress.note(problem);

  const takes = services.storyboard.get(id).shots.flatMap((shot) => shot.takes.filter((take) => !take.stale).map((take) => take.jobId));
  const label = (jobId: string) => `take ${jobId}: `;
  await follow(takes, { events: services.events, store: services.library.store, progress, label, signal: io.signal });
  if (io.signal?.aborted) {
    progress.note('Stopped. The takes go on at RunComfy; run the same command again to follow them.');
    return finish(services, id, io, EXIT.interrupted);
  }
  for (const shot of services.storyboard.get(id).shots) {
    const first = shot.takes.find((take) => !take.stale && take.videoUrl);
    if (!shot.pickedJobId && first) await services.storyboard.pick(id, shot.key, first.jobId);
  }
  const final = services.storyboard.get(id);
  return finish(services, id, io, final.shots.every((shot) => shot.pickedJobId) ? EXIT.done : EXIT.notDone, final);
}

function finish(services: Services, id: string, io: CliIo, code: number, board: Storyboard = services.storyboard.get(id)): number {
  const shots: ShotLine[] = board.shots.map((shot) => ({
    shot: shot.key,
    index: shot.index,
    picked: shot.pickedJobId ?? null,
    takes: shot.takes.filter((take) => !take.stale).map((take) => jobLine(services.library.store, take.jobId)),
  }));
  io.out(JSON.stringify({ storyboard: id, shots }));
  return code;
}

async function exportCut(
  command: Extract<Command, { kind: 'export' }>,
  services: Services,
  progress: Progress,
  io: CliIo,
): Promise<number> {
  const result = await services.storyboard.exportTo(command.id, resolve(command.out), {
    signal: io.signal,
    // One line kind per phase: in a log each phase shows when it starts, not up to 5 s later.
    onProgress: (step) => progress.update(`export:${step.phase}`, `${step.message} ${Math.round(step.fraction * 100)}%`),
  });
  progress.note(`Wrote ${result.path}.`);
  io.out(JSON.stringify({ path: result.path, duration_s: result.durationS, sidecar: result.sidecarPath }));
  return EXIT.done;
}
