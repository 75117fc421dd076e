/**
 * Planning and sending takes. Each take is an ordinary job, sent through the Jobs service with
 * its tag (board, shot, the keyframes' hashes), which the library writes with the job itself; so
 * what was sent is always counted from the library, and a killed `make` resumes by sending only
 * the takes a shot still lacks (`fillTo`).
 */
import { AppError } from '../../contract/errors';
import { terminalStatuses } from '../../contract/library';
import type { Frame } from '../../contract/frames';
import type { PriceQuote } from '../../contract/price';
import { estimateUsd } from '../../contract/price';
import type { MakePlan, MakeRequest, MakeResult, ShotKey } from '../../contract/storyboard';
import { MIN_KEYFRAMES } from '../../contract/storyboard';
import type { FrameService } from '../frames/service';
import type { JobsService } from '../jobs/service';
import type { JobRecord } from '../library/manifest';
import { isStale } from './present';
import { currentShots, shotOf } from './record';
import type { BoardKeyframe, BoardRecord } from './record';
import { requireShot } from './strip';

/** Takes that count as made: sent or being sent (a take RunComfy refused, cancelled or lost does not). */
const counts = (job: JobRecord) => !terminalStatuses.includes(job.status) || job.status === 'completed';

/** How a shot's takes stand: the ones from its current keyframes that count as made. */
export function madeTakes(record: BoardRecord, jobs: JobRecord[], key: ShotKey): JobRecord[] {
  const { start, end } = requireShot(record, key);
  return jobs.filter((job) => job.tag?.shot === key && !isStale(job, start, end) && counts(job));
}

function chosenShots(record: BoardRecord, jobs: JobRecord[], request: MakeRequest): ShotKey[] {
  if (request.shots !== 'unpicked') return [...new Set(request.shots)].map((key) => requireShot(record, key).key);
  const completed = new Set(jobs.filter((job) => job.status === 'completed').map((job) => job.id));
  return currentShots(record)
    .filter(({ key }) => {
      const picked = shotOf(record, key).picked;
      return !picked || !completed.has(picked);
    })
    .map(({ key }) => key);
}

/**
 * What would be sent: `takesPerShot` new takes for each chosen shot, or with `fillTo` only what a
 * shot lacks of that many.
 */
export function planMake(record: BoardRecord, jobs: JobRecord[], request: MakeRequest, quote: PriceQuote, fillTo?: number) {
  const shots = chosenShots(record, jobs, request);
  const sends = shots.map((key) => ({
    key,
    count: fillTo === undefined ? record.takesPerShot : Math.max(0, fillTo - madeTakes(record, jobs, key).length),
  }));
  const blockers: string[] = [];
  if (record.keyframes.length < MIN_KEYFRAMES) blockers.push(`A storyboard needs at least ${MIN_KEYFRAMES} keyframes to make a shot.`);
  const refused = new Set<BoardKeyframe>();
  for (const key of shots) {
    const { index, start, end } = requireShot(record, key);
    if (!shotOf(record, key).prompt.trim()) blockers.push(`Shot ${index + 1} has no prompt.`);
    for (const keyframe of [start, end]) if (!keyframe.accepted) refused.add(keyframe);
  }
  for (const keyframe of refused) {
    const place = record.keyframes.indexOf(keyframe) + 1;
    blockers.push(`Keyframe ${place} (${keyframe.name}) does not meet the model's limits: fix or replace it.`);
  }
  const durations = sends.flatMap(({ key, count }) => Array<number>(count).fill(shotOf(record, key).duration));
  const estimates = quote.available ? durations.map((seconds) => estimateUsd(quote, seconds)) : [];
  const plan: MakePlan = {
    shots: sends.filter((send) => send.count > 0).map((send) => send.key),
    jobs: durations.length,
    seconds: durations.reduce((sum, seconds) => sum + seconds, 0),
    ...(quote.available && estimates.every((usd) => usd !== undefined)
      ? { estimateUsd: estimates.reduce((sum: number, usd) => sum + usd!, 0) }
      : {}),
    blockers,
  };
  return { plan, sends };
}

export interface SendOptions {
  frames: FrameService;
  jobs: JobsService;
  /** The keyframe's image in the board folder. */
  fileOf: (keyframe: BoardKeyframe) => string;
}

/** Sends the planned takes one by one; a take that cannot be sent is reported and the rest still go. */
export async function sendTakes(record: BoardRecord, sends: { key: ShotKey; count: number }[], options: SendOptions): Promise<MakeResult> {
  const staged = new Map<string, Promise<Frame>>();
  const stage = (keyframe: BoardKeyframe) => {
    let frame = staged.get(keyframe.id);
    if (!frame) staged.set(keyframe.id, (frame = options.frames.addPath(options.fileOf(keyframe), keyframe.name)));
    return frame;
  };
  const result: MakeResult = { sent: [], problems: [] };
  for (const { key, count } of sends) {
    const { index, start, end } = requireShot(record, key);
    const { prompt, duration } = shotOf(record, key);
    for (let take = 0; take < count; take++) {
      try {
        const [startFrame, endFrame] = await Promise.all([stage(start), stage(end)]);
        const item = await options.jobs.submit(
          { prompt, duration, startFrameId: startFrame.id, endFrameId: endFrame.id },
          { storyboard: record.id, shot: key, from: [start.sha256, end.sha256] },
        );
        result.sent.push(item.id);
      } catch (error) {
        const message = error instanceof AppError ? error.message : `Unexpected error: ${(error as Error).message}`;
        result.problems.push(`Shot ${index + 1}: ${message}`);
        // The library being read-only here (another Keyframe holds it) stops every take alike.
        if (error instanceof AppError && error.details?.['busy']) return result;
      }
    }
  }
  return result;
}
