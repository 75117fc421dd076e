/**
 * The job runner: submits jobs (submit.ts), follows every open one (follow.ts), cancels
 * (cancel.ts), downloads their videos (download-queue.ts), and picks up where it left off after a
 * restart. It never submits a job twice: a job is written to the library (status `submitting`)
 * before its request leaves, and one found in that state on start is marked `submit_unknown` for
 * the user to decide, never resent by itself. What the rooms share (recording, telling the
 * queue) is recorder.ts.
 *
 * Used alike by the app (through JobsService, which adds the library lease) and by the headless
 * `jobs` CLI; it imports no Electron.
 */
import type { CancelOutcome, QueueItem, RunnerState, SubmitProgress, UnknownDecision } from '../../contract';
import type { EventBus } from '../events';
import type { LibraryStore } from '../library/store';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import type { RunComfyClient } from '../runcomfy/client';
import { cancelJob } from './cancel';
import { defaultDownloadRetryMs, DownloadQueue } from './download-queue';
import type { DownloadQueueOptions } from './download-queue';
import { Follower, OFFLINE_PROBE_MS } from './follow';
import { PollSchedule } from './poll-schedule';
import { JobRecorder } from './recorder';
import type { RoomParts } from './recorder';
import { STOPPED_WHILE_SENDING, Submitter } from './submit';
import type { FrameHosting, JobRequest } from './submit';

export interface RunnerOptions {
  store: LibraryStore;
  client: RunComfyClient;
  hosting: FrameHosting;
  events: EventBus;
  log: Logger;
  platform?: Platform;
  now?: () => number;
  schedule?: PollSchedule;
  /** Waits before retrying a failed download: attempt 0, 1, 2 … */
  downloadRetryMs?: (attempt: number) => number;
  /** How long to wait before probing again while the network is down (and before retrying a write). */
  offlineProbeMs?: number;
  /** Tuning for each download (tests make the waits short). */
  download?: DownloadQueueOptions['download'];
}

export class JobRunner {
  readonly #store: LibraryStore;
  readonly #parts: RoomParts;
  readonly #recorder: JobRecorder;
  readonly #follower: Follower;
  readonly #downloads: DownloadQueue;
  readonly #submitter: Submitter;
  #running = false;
  #abort = new AbortController();
  #inflight = new Set<Promise<unknown>>();

  constructor(private readonly options: RunnerOptions) {
    const { store, client, log } = options;
    const now = options.now ?? Date.now;
    const offlineProbeMs = options.offlineProbeMs ?? OFFLINE_PROBE_MS;
    const running = () => this.#running;
    const track = <T>(work: Promise<T>) => this.#track(work);
    this.#store = store;
    this.#recorder = new JobRecorder({
      ...options,
      now,
      writeRetryMs: offlineProbeMs,
      running,
      download: (id) => this.#downloads.progress(id),
      state: () => this.state(),
      busy: () => this.#follower.size > 0 || this.#downloads.busy,
    });
    this.#parts = { store, client, log, recorder: this.#recorder, signal: this.#abort.signal, running, track };
    this.#follower = new Follower({
      ...this.#parts,
      now,
      schedule: options.schedule ?? new PollSchedule(now),
      offlineProbeMs,
      onCompleted: (id) => this.#downloads.enqueue(id),
    });
    const follower = this.#follower;
    this.#downloads = new DownloadQueue({
      ...this.#parts,
      follower,
      retryMs: options.downloadRetryMs ?? defaultDownloadRetryMs,
      download: options.download,
    });
    this.#submitter = new Submitter({ ...this.#parts, hosting: options.hosting, follower });
  }

  // ---- life cycle ----------------------------------------------------------------------------

  /**
   * Picks up every unfinished job in the library and starts following. With `resumeOpen: false`
   * it follows only the jobs submitted from now on (the headless `jobs run`, which must not touch
   * jobs another Keyframe may be sending).
   */
  async start({ resumeOpen = true }: { resumeOpen?: boolean } = {}): Promise<void> {
    this.#running = true;
    for (const record of resumeOpen ? this.#store.listOpen() : []) {
      if (record.status === 'submitting') {
        await this.#recorder.write(record.id, () => this.#store.markSubmitUnknown(record.id, STOPPED_WHILE_SENDING));
      } else if ((record.status === 'queued' || record.status === 'running') && record.requestId) {
        this.#follower.follow(record.id, Date.parse(record.submittedAt ?? record.createdAt));
      } else if (record.status === 'completed') {
        this.#downloads.enqueue(record.id);
      }
    }
    this.#follower.wake();
  }

  /** Stops following and waits for requests in flight to settle (they are aborted). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#follower.stop();
    this.#recorder.stop();
    this.#downloads.stop();
    this.#abort.abort();
    await Promise.allSettled([...this.#inflight]);
  }

  state(): RunnerState {
    const paused = this.#follower.paused;
    const until = this.#follower.rateLimitedUntil();
    const problem = this.#recorder.problem;
    return {
      ...(paused ? { paused } : {}),
      ...(until ? { until } : {}),
      ...(problem ? { problem } : {}),
      open: this.#follower.size + this.#downloads.size,
    };
  }

  /** Resolves once no job is being followed or downloaded (the headless CLI waits on this). */
  idle(): Promise<void> {
    return this.#recorder.idle();
  }

  /** The token was replaced: follow again if a refused one had paused us. */
  resume(): void {
    this.#follower.resume();
  }

  // ---- the queue the renderer shows ----------------------------------------------------------

  list(): QueueItem[] {
    return this.#store
      .listOpen()
      .map((record) => this.item(record.id))
      .filter((item): item is QueueItem => !!item);
  }

  item(id: string): QueueItem | undefined {
    return this.#recorder.item(id);
  }

  // ---- what the user asks for ----------------------------------------------------------------

  /**
   * Hosts both frames, records the job, then sends it once. Hosting happens before the job is
   * written, so a bucket problem leaves no job behind and the user can simply try again.
   */
  async submit(request: JobRequest, onProgress: (progress: SubmitProgress) => void = () => {}): Promise<QueueItem> {
    const id = await this.#holdUntilSettled(this.#submitter.submit(request, onProgress));
    return this.item(id)!;
  }

  /** For a job whose submission outcome is unknown: send it again (the user chose to), or give it up. */
  async decide(id: string, decision: UnknownDecision): Promise<QueueItem> {
    await this.#holdUntilSettled(this.#submitter.decide(id, decision));
    return this.item(id)!;
  }

  cancel(id: string): Promise<CancelOutcome> {
    return cancelJob(id, { ...this.#parts, follower: this.#follower });
  }

  /** Tries a failed download again now. */
  retryDownload(id: string): void {
    this.#downloads.retry(id);
  }

  // ---- work that stop() waits for ------------------------------------------------------------

  /** Keeps `stop()` waiting for work whose caller awaits it (a submission records its outcome). */
  #holdUntilSettled<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#inflight.add(settled);
    void settled.finally(() => this.#inflight.delete(settled));
    return work;
  }

  #track<T>(work: Promise<T>): Promise<T | undefined> {
    const tracked = work.catch((error: unknown) => {
      if (this.#running) this.options.log.error('jobs', 'unexpected runner failure', error);
      return undefined;
    });
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
    return tracked;
  }
}
