/**
 * What the runner's rooms share: recording what happened to a job, and telling the queue.
 *
 * A change the library cannot take yet (disk full, read-only, locked) is tried again until it
 * succeeds, while the queue says so, so nothing that happened is forgotten while the app runs. A
 * job that ends gets a notification when the window is not in front.
 */
import { AppError } from '../../contract';
import type { QueueItem, RunnerState } from '../../contract';
import type { EventBus } from '../events';
import { inlineRefusal } from '../hosting';
import type { LibraryStore } from '../library/store';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import type { RunComfyClient } from '../runcomfy/client';
import { toQueueItem } from './queue-item';
import type { DownloadProgress } from './queue-item';

const EXPIRED =
  'RunComfy no longer has this job or its video (it keeps results for 7 days). Its frames and prompt are here: use Re-run to make it again.';
const OTHER_ACCOUNT = `This job belongs to another RunComfy account: it was sent with a different API token. Sign in with that account's token to see it at RunComfy; Keyframe stopped following it.`;

/** What each of the runner's rooms (submit, follow, cancel, download-queue) is given. */
export interface RoomParts {
  store: LibraryStore;
  client: RunComfyClient;
  log: Logger;
  recorder: JobRecorder;
  /** Aborted when the runner stops. */
  signal: AbortSignal;
  /** False once the runner stops. */
  running: () => boolean;
  /** Runs work that the runner's `stop()` waits for (its failure is logged, not thrown). */
  track: <T>(work: Promise<T>) => Promise<T | undefined>;
}

export interface RecorderOptions {
  store: LibraryStore;
  events: EventBus;
  log: Logger;
  platform?: Platform;
  now: () => number;
  /** How long to wait before trying a write the library refused again. */
  writeRetryMs: number;
  /** False once the runner stops: nothing is tried again after that. */
  running: () => boolean;
  /** A job's download progress, for the queue. */
  download: (id: string) => DownloadProgress | undefined;
  /** The runner's state line (pauses, problems), told to the queue when it changes. */
  state: () => RunnerState;
  /** True while a job is followed or downloaded (the runner is not idle). */
  busy: () => boolean;
}

export class JobRecorder {
  /** RunComfy's word for a job's state when Keyframe has no name for it ("starting"). */
  readonly remoteStatus = new Map<string, string>();
  /** Trouble the runner is working around (RunComfy failing, the library not writable), for the queue. */
  #problem?: string;
  /** Jobs with a change the library could not take yet (see `write`). */
  #pendingWrites = new Set<string>();
  #retryTimers = new Set<NodeJS.Timeout>();
  #lastEmit = new Map<string, number>();
  #idleWaiters: (() => void)[] = [];

  constructor(private readonly o: RecorderOptions) {}

  get problem(): string | undefined {
    return this.#problem;
  }

  item(id: string): QueueItem | undefined {
    if (!this.o.store.get(id)) return undefined;
    return toQueueItem(this.o.store.detail(id), this.o.download(id), this.remoteStatus.get(id));
  }

  /**
   * Records something that happened to a job. When the library cannot be written (disk full,
   * read-only, locked), the queue says so and the same write is tried again until it succeeds.
   */
  async write(id: string, write: () => Promise<unknown>): Promise<void> {
    this.#pendingWrites.add(id);
    try {
      await write();
      this.#pendingWrites.delete(id);
      if (this.#pendingWrites.size === 0) this.setProblem(undefined);
      this.changed(id);
      this.checkIdle();
    } catch (error) {
      this.o.log.warn('jobs', `could not record a change to ${id}; will try again`, error);
      this.setProblem(storageProblem(error));
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        if (this.o.running()) void this.write(id, write);
      }, this.o.writeRetryMs);
      this.#retryTimers.add(timer);
    }
  }

  /** Records a failure, in the user's terms when RunComfy refused an inline frame. */
  async fail(id: string, reason: string): Promise<void> {
    const record = this.o.store.require(id);
    const hosts = record.files.filter((f) => f.kind === 'frame' && f.host).map((f) => ({ host: f.host! }));
    const refused = inlineRefusal({ state: 'failed', message: reason }, hosts);
    this.remoteStatus.delete(id);
    await this.o.store.recordStatus(id, 'failed', { error: refused?.message ?? reason });
  }

  /**
   * Ends a job RunComfy will not tell this account about: gone (404001, expired) or made with
   * another account's token (403001). Only that job stops; the session stays signed in.
   */
  async endUnreachable(id: string, error: AppError): Promise<void> {
    this.remoteStatus.delete(id);
    // The job may be gone from the library by now (deleted meanwhile): then there is nothing to record.
    if (!this.o.store.get(id)) {
      this.o.log.info('jobs', `Job ${id} is not in the library any more (deleted meanwhile); nothing to record.`);
      return;
    }
    await this.write(id, async () => {
      if (error.code === 'other_account') {
        await this.o.store.recordStatus(id, 'failed', { error: OTHER_ACCOUNT, note: 'belongs to another RunComfy account (403001)' });
      } else {
        await this.o.store.recordStatus(id, 'expired', { error: EXPIRED, note: error.message });
      }
      this.finished(id);
    });
  }

  /** A job ended: the queue is told, and the user too when the window is not in front. */
  finished(id: string): void {
    this.changed(id);
    const record = this.o.store.get(id);
    const platform = this.o.platform;
    if (record && platform && !platform.isWindowFocused()) {
      const excerpt = record.prompt.length > 60 ? `${record.prompt.slice(0, 57)}…` : record.prompt;
      const title =
        record.status === 'completed'
          ? 'Your video is ready'
          : record.status === 'failed'
            ? 'A job failed'
            : record.status === 'expired'
              ? 'A job expired at RunComfy'
              : 'A job was cancelled';
      platform.showNotification({ title, body: record.status === 'failed' && record.error ? `${excerpt}: ${record.error}` : excerpt });
    }
    this.checkIdle();
  }

  changed(id: string): void {
    const item = this.item(id);
    if (item) this.o.events.emit('jobs:changed', item);
  }

  /** `changed`, at most five times a second per job (download progress). */
  changedThrottled(id: string): void {
    const now = this.o.now();
    if (now - (this.#lastEmit.get(id) ?? 0) < 200) return;
    this.#lastEmit.set(id, now);
    this.changed(id);
  }

  setProblem(problem: string | undefined): void {
    if (this.#problem === problem) return;
    this.#problem = problem;
    this.announce();
  }

  /** Tells the queue the runner's state line. */
  announce(): void {
    this.o.events.emit('jobs:runner', this.o.state());
  }

  /** Resolves once no job is being followed, downloaded or waiting for a write. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  stop(): void {
    for (const timer of this.#retryTimers) clearTimeout(timer);
  }

  #isIdle(): boolean {
    return !this.o.busy() && this.#pendingWrites.size === 0;
  }
}

export function storageProblem(error: unknown): string {
  const said = error instanceof AppError ? error.message : 'Keyframe could not write to the library.';
  return `${said} Your jobs keep running at RunComfy; Keyframe records them as soon as it can write again.`;
}
