/**
 * The `jobs` CLI: the app's own services (createServices) without a window, on the app's own
 * settings, keychain and library, so jobs it runs show up in the gallery. Commands in jobs-args.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../contract';
import type { Frame, QueueItem } from '../contract';
import { formatBytes, formatName } from '../contract/format';
import { createServices } from '../services';
import type { Services } from '../services';
import type { FrameService } from '../services/frames/service';
import { describeHolder, JobsLease } from '../services/jobs/lease';
import { readyFrame } from '../services/jobs/ready-frame';
import type { ReadyFrame } from '../services/jobs/runner';
import { createLogger } from '../services/log';
import type { Logger } from '../services/log';
import { mediaUrlFor } from '../services/media';
import { userDataDir } from '../services/paths';
import { follow, isDone, jobLine, notSent } from './follow';
import type { JobLine } from './follow';
import { headlessPlatform } from './headless-platform';
import { parseJobsArgs, usage, UsageError } from './jobs-args';
import type { Command } from './jobs-args';
import { Progress } from './progress';
import type { ProgressStream } from './progress';

export interface CliIo {
  /** Where the token, API address, library and settings folders come from (see the usage). */
  env: NodeJS.ProcessEnv;
  /** One JSON line (or the usage, when asked for help). */
  out: (line: string) => void;
  /** Progress and messages. */
  err: ProgressStream;
  /** Fires on Ctrl+C: stop following, keep everything recorded. */
  signal?: AbortSignal;
}

export const EXIT = { done: 0, notDone: 1, usage: 2, notSent: 3, interrupted: 130 } as const;

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const command = commandOf(argv, parseJobsArgs, usage, io);
  if (typeof command === 'number') return command;

  const progress = new Progress(io.err);
  const verbose = command.kind !== 'list' && command.verbose;
  let services: Services;
  try {
    // `run` follows only its own job and `resume` starts following once it has listed the open ones.
    services = await headlessServices(io, progress, verbose);
  } catch (error) {
    const message = `Keyframe could not open its settings or library: ${messageOf(error)}`;
    progress.note(message);
    if (command.kind === 'run') io.out(JSON.stringify(notSent(message)));
    return EXIT.notSent;
  }
  try {
    if (command.kind === 'list') return await list(command.open, services, progress, io);
    if (command.kind === 'run') return await run(command, services, progress, io);
    return await resumeOpenJobs(command.unknown, services, progress, io);
  } finally {
    await services.close();
    progress.done();
  }
}

/** The command the arguments ask for; or, having printed the usage (with what is wrong, or as asked), the exit code. */
export function commandOf<C extends { kind: string }>(
  argv: string[],
  parse: (argv: string[]) => C,
  usage: string,
  io: CliIo,
): Exclude<C, { kind: 'help' }> | number {
  try {
    const command = parse(argv);
    if (command.kind !== 'help') return command as Exclude<C, { kind: 'help' }>;
    io.out(usage);
    return EXIT.done;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err.write(`${error.message}\n\n${usage}\n`);
    return EXIT.usage;
  }
}

/** The app's services without a window, on the settings, keychain and library the environment names; following starts when asked. */
export function headlessServices(io: CliIo, progress: Progress, verbose: boolean): Promise<Services> {
  return createServices({
    userDataDir: userDataDir(io.env),
    shell: 'headless',
    version,
    log: cliLogger(progress, verbose),
    platform: headlessPlatform((line) => progress.note(line), io.env),
    mediaUrl: mediaUrlFor('keyframe-media://'),
    env: io.env,
    followJobs: false,
  });
}

async function list(openOnly: boolean, services: Services, progress: Progress, io: CliIo): Promise<number> {
  const { store } = services.library;
  const holder = await JobsLease.holder(store.dir);
  if (holder) progress.note(`Listing read-only: ${describeHolder(holder)} is sending and following the jobs in this library.`);
  const print = (id: string) => io.out(JSON.stringify(jobLine(store, id)));
  if (openOnly) {
    for (const record of store.listOpen().reverse()) print(record.id);
    return EXIT.done;
  }
  for (let offset = 0; ;) {
    const page = store.list({ sort: 'newest', offset, limit: 500 });
    for (const item of page.items) print(item.id);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) return EXIT.done;
  }
}

async function run(command: Extract<Command, { kind: 'run' }>, services: Services, progress: Progress, io: CliIo): Promise<number> {
  const { store } = services.library;
  const runner = services.jobs.runner;
  const stopped = () => io.signal?.aborted === true;
  const finish = (line: JobLine, code: number) => {
    io.out(JSON.stringify(line));
    return stopped() ? EXIT.interrupted : code;
  };

  const noToken = tokenProblem(services);
  if (noToken) {
    progress.note(noToken);
    return finish(notSent(noToken), EXIT.notSent);
  }
  let start: ReadyFrame;
  let end: ReadyFrame;
  try {
    start = await takeFrame(services.frames, 'start', command.start, progress, io.signal);
    end = await takeFrame(services.frames, 'end', command.end, progress, io.signal);
  } catch (error) {
    const message = stopped() ? 'Stopped before anything was sent.' : messageOf(error);
    progress.note(message);
    return finish(notSent(message), EXIT.notSent);
  }

  if (!(await holdLibrary(services, progress, io, 'sending'))) return finish(notSent('Stopped before anything was sent.'), EXIT.notSent);
  // Only this job: the open ones are `jobs resume`'s (or the app's) to follow.
  await runner.start({ resumeOpen: false });
  io.signal?.addEventListener('abort', () => void runner.stop(), { once: true });
  let jobId: string | undefined;
  const stopWatching = services.events.listen((name, payload) => {
    if (name === 'jobs:changed') jobId ??= (payload as QueueItem).id;
  });
  try {
    await runner.submit({ prompt: command.prompt, duration: command.duration, start, end }, (step) =>
      progress.update(`submit:${step.message}`, `${step.message} ${Math.round(step.fraction * 100)}%`),
    );
  } catch (error) {
    const message = messageOf(error);
    progress.note(message);
    if (!jobId) return finish(notSent(message), EXIT.notSent);
    const unknown = store.get(jobId)?.status === 'submit_unknown';
    return finish(jobLine(store, jobId, unknown ? undefined : message), EXIT.notDone);
  } finally {
    stopWatching();
  }
  const id = jobId!;
  progress.note(`Sent: job ${id} in ${store.dir}, RunComfy request ${store.get(id)?.requestId ?? '?'}.`);

  const errors = await follow([id], { events: services.events, store, progress, label: () => '', signal: io.signal });
  if (stopped()) progress.note('Stopped. The job goes on at RunComfy; `npm run jobs -- resume` follows it to the end.');
  const line = jobLine(store, id, errors.get(id));
  return finish(line, isDone(line) ? EXIT.done : EXIT.notDone);
}

async function resumeOpenJobs(
  unknown: Extract<Command, { kind: 'resume' }>['unknown'],
  services: Services,
  progress: Progress,
  io: CliIo,
): Promise<number> {
  const { store } = services.library;
  const runner = services.jobs.runner;
  const open = store.listOpen();
  if (open.length === 0) {
    progress.note(`Nothing to resume: every job in ${store.dir} is finished.`);
    return EXIT.done;
  }
  const noToken = tokenProblem(services);
  if (noToken) {
    progress.note(noToken);
    return EXIT.notSent;
  }
  if (!(await holdLibrary(services, progress, io, 'resuming'))) return EXIT.interrupted;
  progress.note(`Resuming ${open.length} unfinished job${open.length === 1 ? '' : 's'} in ${store.dir}.`);
  const label = (id: string) => `job ${id}: `;
  io.signal?.addEventListener('abort', () => void runner.stop(), { once: true });
  // Jobs that were being sent become `submit_unknown` here; the rest are followed by request id.
  await runner.start();

  const errors = new Map<string, string>();
  const waiting = new Set<string>();
  const abandoned = new Set<string>();
  for (const { id } of open) {
    if (store.get(id)?.status !== 'submit_unknown') continue;
    if (unknown === 'ask') {
      waiting.add(id);
      continue;
    }
    try {
      await runner.decide(id, unknown);
      if (unknown === 'abandon') abandoned.add(id);
      progress.note(`${label(id)}${unknown === 'abandon' ? 'given up, as you asked.' : 'sent again, as you asked.'}`);
    } catch (error) {
      errors.set(id, messageOf(error));
      progress.note(`${label(id)}${messageOf(error)}`);
    }
  }
  const followed = open.map((record) => record.id).filter((id) => !abandoned.has(id) && !errors.has(id));
  for (const [id, error] of await follow(followed, { events: services.events, store, progress, label, signal: io.signal })) {
    errors.set(id, error);
  }

  const lines = open.map((record) => jobLine(store, record.id, errors.get(record.id)));
  for (const line of lines) io.out(JSON.stringify(line));
  if (io.signal?.aborted) {
    progress.note('Stopped. The jobs go on at RunComfy; run `npm run jobs -- resume` again to follow them.');
    return EXIT.interrupted;
  }
  if (waiting.size) progress.note(`${waiting.size} job${waiting.size === 1 ? ' waits' : 's wait'} for your decision (see above).`);
  return lines.every((line) => isDone(line) || abandoned.has(line.jobId!)) ? EXIT.done : EXIT.notDone;
}

/** Stages a frame from a path or an address, prints its checks, waits for the full decode and returns it ready to send. */
async function takeFrame(
  frames: FrameService,
  role: 'start' | 'end',
  source: string,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<ReadyFrame> {
  return readyFrame(frames, (await checkFrame(frames, `${role} frame`, source, progress, signal)).id, role);
}

/** Stages a frame from a path or an address, prints its checks and waits for the full decode. */
export async function checkFrame(
  frames: FrameService,
  role: string,
  source: string,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<Frame> {
  progress.note(`Checking the ${role}: ${source}`);
  const isAddress = /^https?:\/\//i.test(source);
  const adding = isAddress ? frames.addUrl({ url: source }) : frames.addPath(resolve(source));
  const frame = await untilAborted(adding, signal).catch((error: unknown) => {
    if (error instanceof AppError && error.code !== 'aborted') throw new AppError(error.code, `The ${role}, ${source}: ${error.message}`);
    throw error;
  });
  progress.note(`  ${frame.width}×${frame.height} ${formatName(frame.format)}, ${formatBytes(frame.bytes)}`);
  for (const check of frame.checks.filter((c) => !c.pass)) progress.note(`  ✗ ${check.measure} ${check.detail}. ${check.message}`);
  await untilAborted(frames.staged(frame.id), signal);
  const checked = frames.get(frame.id);
  if (checked.integrity === 'corrupt') progress.note(`  ✗ ${checked.integrityMessage ?? 'The image is damaged.'}`);
  if ((!checked.accepted || checked.integrity === 'corrupt') && checked.fixes.length) {
    progress.note(`  The app can fix this: ${checked.fixes.map((fix) => fix.label).join(', ')}.`);
  }
  return checked;
}

export function tokenProblem(services: Services): string | undefined {
  const status = services.token.status();
  if (status.state === 'set') return undefined;
  const why = status.keychainProblem ? ` The keychain could not be read: ${status.keychainProblem}` : '';
  return `No RunComfy API token. Set RUNCOMFY_TOKEN, or save your token in Keyframe (it keeps it in your keychain).${why}`;
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AppError('aborted', 'Stopped.'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits, saying so, while another Keyframe sends and follows this library's jobs; false if stopped meanwhile. */
export async function holdLibrary(services: Services, progress: Progress, io: CliIo, doing: string): Promise<boolean> {
  let waited = false;
  try {
    await services.jobs.takeLease(io.signal, (holder) => {
      waited = true;
      progress.note(
        `Waiting: ${holder} is sending and following the jobs in this library. Going on with ${doing} when it ends (Ctrl+C to stop; nothing has been sent).`,
      );
    });
  } catch (error) {
    if (io.signal?.aborted) return false;
    throw error;
  }
  if (waited) progress.note(`The library is free: going on with ${doing}.`);
  return true;
}

export function messageOf(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** The services' log on stderr: warnings and errors in a sentence; everything, with detail, under --verbose. */
function cliLogger(progress: Progress, verbose: boolean): Logger {
  const base = createLogger((line) => progress.note(line));
  if (verbose) return base;
  const brief = (detail: unknown) => (detail instanceof Error ? `: ${detail.message}` : '');
  return {
    info: () => {},
    warn: (scope, message, detail) => base.warn(scope, message + brief(detail)),
    error: (scope, message, detail) => base.error(scope, message + brief(detail)),
    addSecret: (secret) => base.addSecret(secret),
  };
}
