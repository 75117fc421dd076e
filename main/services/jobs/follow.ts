/**
 * Following open jobs: asks RunComfy for each one's status when the schedule (poll-schedule.ts)
 * says it is due, records what it hears, and owns the whole error policy of polling:
 *
 * - a long queue (position over 10): that job is asked 1.5× less often;
 * - 429: everyone waits for its Retry-After (30 s when it names none);
 * - network down or timed out: everyone waits, probing again every 10 s;
 * - a refused token: nobody asks until a new token is set (`resume`);
 * - a job gone (404001) or another account's (403001): that job ends, the others go on;
 * - anything else (5xx, a low balance, the library not writable): that job is asked 3× less often
 *   and the queue says what is wrong.
 *
 * One transient request is retried inside the RunComfy client (its DEFAULT_RETRY) before any of
 * this applies.
 */
import { AppError } from '../../contract';
import type { JobStatus, RunnerState } from '../../contract';
import type { PollSchedule } from './poll-schedule';
import type { RoomParts } from './recorder';
import { storageProblem } from './recorder';

/** RunComfy's own words for states Keyframe shows by its own name. */
const NAMED_STATES = new Set(['in_queue', 'in_progress', 'completed', 'succeeded', 'failed', 'cancelled', 'canceled']);
/** While the network is down, it is probed again this often. */
export const OFFLINE_PROBE_MS = 10_000;
/** A 429 without a Retry-After waits this long. */
const DEFAULT_RETRY_AFTER_S = 30;
/** A job far down RunComfy's queue is asked this much less often. */
const LONG_QUEUE_SLOWER = 1.5;
/** After an unexpected failure, that job is asked this much less often. */
const AFTER_FAILURE_SLOWER = 3;

export interface FollowOptions extends RoomParts {
  now: () => number;
  schedule: PollSchedule;
  /** How long to wait before probing again while the network is down (OFFLINE_PROBE_MS). */
  offlineProbeMs: number;
  /** RunComfy finished the job: its video is fetched next. */
  onCompleted: (id: string) => void;
}

export class Follower {
  #timer?: NodeJS.Timeout;
  #paused: RunnerState['paused'];

  constructor(private readonly o: FollowOptions) {}

  /** How many jobs are followed. */
  get size(): number {
    return this.o.schedule.size;
  }

  get paused(): RunnerState['paused'] {
    return this.#paused;
  }

  /** Until when everyone waits for a 429's Retry-After (ISO time), while that pause lasts. */
  rateLimitedUntil(): string | undefined {
    const { schedule } = this.o;
    return this.#paused === 'rate_limited' && schedule.pausedUntil > this.o.now()
      ? new Date(schedule.pausedUntil).toISOString()
      : undefined;
  }

  /** Follows a job; `since` is when it was submitted (older jobs are asked less often). */
  follow(id: string, since?: number): void {
    this.o.schedule.add(id, since);
    this.wake();
  }

  /** Stops following a job (it ended outside a poll: cancelled). */
  unfollow(id: string): void {
    this.o.schedule.remove(id);
    this.o.recorder.remoteStatus.delete(id);
  }

  /** The token was replaced: follow again if a refused one had paused us. */
  resume(): void {
    if (this.#paused === 'signed_out') {
      this.o.schedule.unpause();
      this.#setPaused(undefined);
    }
    this.wake();
  }

  /** Asks about every job that is due, and sets the timer for the next. */
  wake(): void {
    if (!this.o.running()) return;
    clearTimeout(this.#timer);
    for (const id of this.o.schedule.takeDue()) void this.o.track(this.#poll(id));
    const wait = this.o.schedule.msUntilNext();
    if (wait !== undefined) this.#timer = setTimeout(() => this.wake(), Math.max(20, wait));
    if (this.#paused === 'rate_limited' && this.o.schedule.pausedUntil <= this.o.now()) this.#setPaused(undefined);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  async #poll(id: string): Promise<void> {
    const { store, schedule, recorder } = this.o;
    const record = store.get(id);
    if (!record?.requestId) {
      schedule.remove(id);
      return;
    }
    let slower = 1;
    try {
      const status = await this.o.client.status(record.requestId, { signal: this.o.signal });
      if (this.#paused === 'offline') this.#setPaused(undefined);
      if (NAMED_STATES.has(status.rawStatus.toLowerCase())) recorder.remoteStatus.delete(id);
      else recorder.remoteStatus.set(id, status.rawStatus.slice(0, 60));
      switch (status.state) {
        case 'in_queue':
          await this.#moveTo(id, 'queued');
          store.recordQueuePosition(id, status.queuePosition ?? null);
          slower = (status.queuePosition ?? 0) > 10 ? LONG_QUEUE_SLOWER : 1;
          break;
        case 'in_progress':
          await this.#moveTo(id, 'running');
          store.recordQueuePosition(id, null);
          break;
        case 'unknown':
          // A state Keyframe has no name for is never an end (API.md): keep following, show RunComfy's word.
          break;
        // A job leaves the schedule only once its end is recorded: if the library cannot be
        // written (disk full, read-only), it stays followed and is recorded when it can be.
        case 'completed':
          await this.#moveTo(id, 'completed');
          schedule.remove(id);
          store.recordQueuePosition(id, null);
          recorder.setProblem(undefined);
          this.o.onCompleted(id);
          return;
        case 'cancelled':
          await this.#moveTo(id, 'cancelled');
          schedule.remove(id);
          recorder.setProblem(undefined);
          recorder.finished(id);
          return;
        case 'failed': {
          // The reason is in the result, not the status (API.md, Result).
          const reason = status.message ?? (await this.#failureReason(record.requestId));
          await recorder.fail(id, reason ?? `RunComfy reported the job as “${status.rawStatus}” without saying why.`);
          schedule.remove(id);
          recorder.setProblem(undefined);
          recorder.finished(id);
          return;
        }
      }
      recorder.setProblem(undefined);
    } catch (error) {
      slower = this.#onPollError(id, error);
      if (slower < 0) return;
    } finally {
      recorder.changed(id);
    }
    schedule.polled(id, slower);
    this.wake();
  }

  /** Returns how much slower to poll this job next, or -1 when it is no longer followed. */
  #onPollError(id: string, error: unknown): number {
    const { schedule, recorder } = this.o;
    const code = error instanceof AppError ? error.code : 'internal';
    if (code === 'aborted') return -1;
    if (code === 'rate_limited') {
      const seconds = Number((error as AppError).details?.['retryAfterSeconds'] ?? DEFAULT_RETRY_AFTER_S);
      schedule.pauseUntil(this.o.now() + seconds * 1000);
      this.#setPaused('rate_limited');
      return 1;
    }
    if (code === 'network' || code === 'timeout') {
      schedule.pauseUntil(this.o.now() + this.o.offlineProbeMs);
      this.#setPaused('offline');
      return 1;
    }
    if (code === 'bad_token') {
      this.#setPaused('signed_out');
      schedule.pauseUntil(Infinity);
      return 1;
    }
    if (code === 'not_found' || code === 'other_account') {
      schedule.remove(id);
      void recorder.endUnreachable(id, error as AppError);
      return -1;
    }
    this.o.log.warn('jobs', `status of ${id} failed`, error);
    if (code === 'io') recorder.setProblem(storageProblem(error));
    else if (code === 'server' || code === 'insufficient_balance') {
      recorder.setProblem(`${(error as AppError).message} Keyframe keeps checking on your jobs.`);
    }
    return AFTER_FAILURE_SLOWER;
  }

  /** A failed job's reason from its result (best effort: the job has failed either way). */
  async #failureReason(requestId: string): Promise<string | undefined> {
    try {
      const result = await this.o.client.result(requestId, { signal: this.o.signal });
      return result.state === 'completed' ? undefined : result.message;
    } catch (error) {
      this.o.log.warn('jobs', `could not read why ${requestId} failed`, error);
      return undefined;
    }
  }

  async #moveTo(id: string, status: JobStatus): Promise<void> {
    if (this.o.store.get(id)?.status !== status) await this.o.store.recordStatus(id, status);
  }

  #setPaused(paused: RunnerState['paused']): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    this.o.recorder.announce();
  }
}
