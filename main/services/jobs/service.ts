/**
 * The jobs as the app sees them: a submit request from the Create form becomes a runner job.
 * Only the holder of the library's lease (lease.ts) sends and follows jobs; without it the app
 * shows the library read-only, says who holds it, and takes over when that process ends.
 */
import { AppError } from '../../contract';
import type { CancelOutcome, InlinePlan, QueueItem, RunnerState, SubmitJobRequest, UnknownDecision } from '../../contract';
import type { EventBus } from '../events';
import type { FrameService } from '../frames/service';
import type { HostingService } from '../hosting';
import type { LibraryStore } from '../library/store';
import type { JobTag } from '../library/manifest';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import type { RunComfyClient } from '../runcomfy/client';
import { defaultLeaseTiming, describeHolder, JobsLease, leaseChangeOrTimeout } from './lease';
import type { LeaseHolder, LeaseTiming } from './lease';
import { readyFrame } from './ready-frame';
import { JobRunner } from './runner';
import type { RunnerOptions } from './runner';

/** The runner's timing can be tuned (tests make it fast); the defaults are the app's. */
export interface JobsServiceOptions extends Partial<Pick<RunnerOptions, 'schedule' | 'downloadRetryMs' | 'offlineProbeMs' | 'download'>> {
  frames: FrameService;
  store: LibraryStore;
  client: RunComfyClient;
  hosting: HostingService;
  events: EventBus;
  log: Logger;
  platform?: Platform;
  /** What this process is, as others are told while it holds the lease: "the Keyframe app". */
  who?: string;
  lease?: LeaseTiming;
}

export class JobsService {
  /** The runner itself, for the headless CLI (which holds the lease its own way) and tests. */
  readonly runner: JobRunner;
  #lease?: JobsLease;
  /** Who holds the lease while this process waits for it. */
  #elsewhere?: LeaseHolder;
  #cancelRetry = () => {};
  #runnerStarted = false;
  #stopped = false;

  constructor(private readonly options: JobsServiceOptions) {
    this.runner = new JobRunner({ ...options });
  }

  /** Takes the lease and follows every open job; if another process holds it, waits read-only. */
  async start(): Promise<void> {
    if (await this.#takeLease()) return this.#startRunner();
    this.options.log.info('jobs', `read-only: ${this.#busyMessage()}`);
    this.#announce();
    this.#retryLater();
  }

  /**
   * For the headless CLI: resolves once this process holds the lease, after telling `onWaiting`
   * who holds it (once per holder); rejects as `aborted` when `signal` fires first.
   */
  async takeLease(signal: AbortSignal | undefined, onWaiting: (holder: string) => void): Promise<void> {
    let told: string | undefined;
    while (!(await this.#takeLease())) {
      if (this.#elsewhere && told !== this.#elsewhere.token) {
        told = this.#elsewhere.token;
        onWaiting(describeHolder(this.#elsewhere));
      }
      await leaseChangeOrTimeout(this.options.store.dir, this.#timing().heartbeatMs, signal).changed;
      if (signal?.aborted) throw new AppError('aborted', 'Stopped while waiting for the library.');
    }
  }

  /**
   * For the library's other writers (storyboards): while another process holds the lease, this one
   * is read-only, so two processes never write the library at once.
   */
  mustBeWritable(outcome: string): void {
    if (this.#elsewhere && !this.#lease) throw new AppError('io', `${this.#readOnlyMessage()} ${outcome}`, { details: { busy: true } });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelRetry();
    await this.runner.stop();
    await this.#lease?.release();
    this.#lease = undefined;
  }

  /** The runner's state, and why nothing is sent or followed while another process holds the lease. */
  state(): RunnerState {
    const state = this.runner.state();
    return this.#elsewhere && !this.#lease ? { ...state, problem: this.#readOnlyMessage(), readOnly: true } : state;
  }

  /** How a picked frame will travel if sent now; a frame that cannot be sent yet has nothing to say. */
  async inlinePlan(frameId: string): Promise<InlinePlan> {
    try {
      return await this.options.hosting.inlinePlan(await readyFrame(this.options.frames, frameId, 'start'));
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_input') return { kind: 'not-inline' };
      throw error;
    }
  }

  /** `tag`: a storyboard's take, recorded with the job in the same write. */
  async submit(request: SubmitJobRequest, tag?: JobTag): Promise<QueueItem> {
    this.#mustHoldLease();
    const [start, end] = await Promise.all([
      readyFrame(this.options.frames, request.startFrameId, 'start'),
      readyFrame(this.options.frames, request.endFrameId, 'end'),
    ]);
    return this.runner.submit({ prompt: request.prompt, duration: request.duration, start, end, ...(tag ? { tag } : {}) }, (progress) =>
      this.options.events.emit('jobs:submitProgress', progress),
    );
  }

  decide(id: string, decision: UnknownDecision): Promise<QueueItem> {
    this.#mustHoldLease();
    return this.runner.decide(id, decision);
  }

  retryDownload(id: string): void {
    this.#mustHoldLease();
    this.runner.retryDownload(id);
  }

  /** The open jobs, as the queue shows them (read-only too). */
  list(): QueueItem[] {
    return this.runner.list();
  }

  /** Read-only, the job is the lease holder's: it alone asks RunComfy and writes the outcome. */
  async cancel(id: string): Promise<CancelOutcome> {
    this.#mustHoldLease('Nothing was cancelled.');
    return this.runner.cancel(id);
  }

  /** A usable token was set: follow again if a refused one had paused following. */
  tokenReplaced(): void {
    this.runner.resume();
  }

  #timing(): LeaseTiming {
    return this.options.lease ?? defaultLeaseTiming;
  }

  async #takeLease(): Promise<boolean> {
    const taken = await JobsLease.take(
      () => this.options.store.dir,
      this.options.who ?? 'another Keyframe',
      (by) => this.#lost(by),
      this.#timing(),
    );
    if (taken instanceof JobsLease) {
      const tookOver = this.#elsewhere !== undefined;
      this.#lease = taken;
      this.#elsewhere = undefined;
      // What the previous holder left half done is this process's to finish now (library/open.ts),
      // before it writes anything itself.
      if (tookOver || this.options.store.repairPending)
        await this.options.store
          .repair()
          .catch((error: unknown) => this.options.log.error('library', 'could not finish interrupted writes', error));
      return true;
    }
    this.#elsewhere = taken;
    return false;
  }

  async #startRunner(): Promise<void> {
    if (this.#runnerStarted) return;
    this.#runnerStarted = true;
    await this.runner.start();
  }

  #retryLater(): void {
    if (this.#stopped) return;
    const wait = leaseChangeOrTimeout(this.options.store.dir, this.#timing().heartbeatMs);
    this.#cancelRetry = wait.cancel;
    void wait.changed
      .then(() => (this.#stopped ? false : this.#takeLease()))
      .then(
        async (taken) => {
          if (this.#stopped) return void (await this.#lease?.release());
          if (!taken) return this.#retryLater();
          this.options.log.info('jobs', 'took over the library: sending and following jobs');
          this.#announce();
          await this.#startRunner();
        },
        (error: unknown) => {
          this.options.log.error('jobs', 'could not take the library lease', error);
          this.#retryLater();
        },
      );
  }

  /** Another process took the lease over (this one was suspended too long): stop sending, wait. */
  #lost(by?: LeaseHolder): void {
    this.#lease = undefined;
    this.#elsewhere = by ?? this.#elsewhere;
    this.options.log.error('jobs', `lost the library lease${by ? ` to ${describeHolder(by)}` : ''}`);
    this.#announce();
    this.#retryLater();
  }

  #announce(): void {
    this.options.events.emit('jobs:runner', this.state());
  }

  #busyMessage(): string {
    return `${this.#elsewhere ? describeHolder(this.#elsewhere) : 'another Keyframe'} is sending and following the jobs in this library`;
  }

  #readOnlyMessage(): string {
    const busy = this.#busyMessage();
    return `${busy[0].toUpperCase()}${busy.slice(1)}. Keyframe shows them read-only and takes over when it ends.`;
  }

  #mustHoldLease(outcome = 'Nothing was sent.'): void {
    if (this.#lease) return;
    throw new AppError('io', `${this.#readOnlyMessage()} ${outcome}`, { details: { busy: true } });
  }
}
