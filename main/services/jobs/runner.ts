/**
 * The job runner: submits jobs, follows every open one, downloads their videos, and picks up
 * where it left off after a restart. It never submits a job twice: a job is written to the
 * library (status `submitting`) before its request leaves, and one found in that state on start
 * is marked `submit_unknown` for the user to decide, never resent by itself.
 *
 * Used alike by the app and by the headless `jobs` CLI; it imports no Electron.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../../contract';
import type { CancelOutcome, JobStatus, QueueItem, RunnerState, SubmitProgress, UnknownDecision } from '../../contract';
import type { EventBus } from '../events';
import type { FrameToHost, HostedFrame, HostOptions } from '../hosting';
import { frameChanged, frameMissing, inlineRefusal } from '../hosting';
import type { LibraryStore } from '../library/store';
import type { JobTag } from '../library/manifest';
import type { Logger } from '../log';
import type { Platform } from '../platform';
import type { JobResult, RunComfyClient } from '../runcomfy/client';
import { isLoopback } from '../runcomfy/client';
import { downloadVideo } from './download';
import type { DownloadOptions } from './download';
import { PollSchedule } from './poll-schedule';
import { toQueueItem } from './queue-item';

/** A picked, checked frame as the runner needs it. */
export interface ReadyFrame extends FrameToHost {
  ext: 'png' | 'jpg' | 'jpeg' | 'webp' | 'gif' | 'avif';
}

export interface JobRequest {
  prompt: string;
  duration: 5 | 10;
  start: ReadyFrame;
  end: ReadyFrame;
  /** A storyboard's take: recorded with the job, in the same write. */
  tag?: JobTag;
}

export interface RunnerOptions {
  store: LibraryStore;
  client: RunComfyClient;
  hosting: { host(frame: FrameToHost, options?: HostOptions): Promise<HostedFrame> };
  events: EventBus;
  log: Logger;
  platform?: Platform;
  now?: () => number;
  schedule?: PollSchedule;
  /** Waits before retrying a failed download: attempt 0, 1, 2 … */
  downloadRetryMs?: (attempt: number) => number;
  /** How long to wait before probing again while the network is down. */
  offlineProbeMs?: number;
  /** Tuning for each download (tests make the waits short). */
  download?: Pick<DownloadOptions, 'attempts' | 'idleTimeoutMs' | 'backoffMs' | 'maxBytes'>;
}

const DOWNLOADS_AT_ONCE = 2;
const STOPPED_WHILE_SENDING = 'Keyframe stopped while sending this job, so it is not known whether RunComfy received it.';
const EXPIRED =
  'RunComfy no longer has this job or its video (it keeps results for 7 days). Its frames and prompt are here: use Re-run to make it again.';
const NOT_CANCELLABLE = 'RunComfy is already making this video, so it cannot be cancelled; it will finish and be charged.';
/** RunComfy's own words for states Keyframe shows by its own name. */
const NAMED_STATES = new Set(['in_queue', 'in_progress', 'completed', 'succeeded', 'failed', 'cancelled', 'canceled']);

export class JobRunner {
  readonly #o: Required<Pick<RunnerOptions, 'now' | 'downloadRetryMs' | 'offlineProbeMs'>> & RunnerOptions;
  readonly #schedule: PollSchedule;
  #timer?: NodeJS.Timeout;
  #running = false;
  #paused: RunnerState['paused'];
  #downloads = new Map<string, { received: number; total?: number; retrying: boolean; problem?: string }>();
  /** RunComfy's word for a job's state when Keyframe has no name for it ("starting"). */
  #remoteStatus = new Map<string, string>();
  /** Trouble the runner is working around (RunComfy failing, the library not writable), for the queue. */
  #problem?: string;
  #downloadQueue: string[] = [];
  #activeDownloads = 0;
  #downloadAttempts = new Map<string, number>();
  #retryTimers = new Set<NodeJS.Timeout>();
  /** Jobs with a change the library could not take yet (see #write). */
  #pendingWrites = new Set<string>();
  #abort = new AbortController();
  #idleWaiters: (() => void)[] = [];

  constructor(options: RunnerOptions) {
    this.#o = {
      now: Date.now,
      downloadRetryMs: (attempt) => Math.min(5 * 60_000, 5_000 * 2 ** attempt),
      offlineProbeMs: 10_000,
      ...options,
    };
    this.#schedule = options.schedule ?? new PollSchedule(this.#o.now);
  }

  // ---- life cycle ----------------------------------------------------------------------------

  /**
   * Picks up every unfinished job in the library and starts following. With `resumeOpen: false`
   * it follows only the jobs submitted from now on (the headless `jobs run`, which must not touch
   * jobs another Keyframe may be sending).
   */
  async start({ resumeOpen = true }: { resumeOpen?: boolean } = {}): Promise<void> {
    this.#running = true;
    for (const record of resumeOpen ? this.#o.store.listOpen() : []) {
      if (record.status === 'submitting') {
        await this.#write(record.id, () => this.#o.store.markSubmitUnknown(record.id, STOPPED_WHILE_SENDING));
      } else if ((record.status === 'queued' || record.status === 'running') && record.requestId) {
        this.#schedule.add(record.id, Date.parse(record.submittedAt ?? record.createdAt));
      } else if (record.status === 'completed') {
        this.#enqueueDownload(record.id);
      }
    }
    this.#wake();
  }

  /** Stops following and waits for requests in flight to settle (they are aborted). */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#inflight]);
  }

  #inflight = new Set<Promise<unknown>>();

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
      if (this.#running) this.#o.log.error('jobs', 'unexpected runner failure', error);
      return undefined;
    });
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
    return tracked;
  }

  state(): RunnerState {
    const until =
      this.#paused === 'rate_limited' && this.#schedule.pausedUntil > this.#o.now()
        ? new Date(this.#schedule.pausedUntil).toISOString()
        : undefined;
    return {
      ...(this.#paused ? { paused: this.#paused } : {}),
      ...(until ? { until } : {}),
      ...(this.#problem ? { problem: this.#problem } : {}),
      open: this.#schedule.size + this.#downloads.size,
    };
  }

  /** Resolves once no job is being followed or downloaded (the headless CLI waits on this). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** The token was replaced: follow again if a 401 had paused us. */
  resume(): void {
    if (this.#paused === 'signed_out') {
      this.#schedule.unpause();
      this.#setPaused(undefined);
    }
    this.#wake();
  }

  // ---- the queue the renderer shows ----------------------------------------------------------

  list(): QueueItem[] {
    return this.#o.store
      .listOpen()
      .map((record) => this.item(record.id))
      .filter((item): item is QueueItem => !!item);
  }

  item(id: string): QueueItem | undefined {
    const record = this.#o.store.get(id);
    if (!record) return undefined;
    return toQueueItem(this.#o.store.detail(id), this.#downloads.get(id), this.#remoteStatus.get(id));
  }

  // ---- submitting ----------------------------------------------------------------------------

  /**
   * Hosts both frames, records the job, then sends it once. Hosting happens before the job is
   * written, so a bucket problem leaves no job behind and the user can simply try again.
   */
  submit(request: JobRequest, onProgress: (progress: SubmitProgress) => void = () => {}): Promise<QueueItem> {
    return this.#holdUntilSettled(this.#submit(request, onProgress));
  }

  async #submit(request: JobRequest, onProgress: (progress: SubmitProgress) => void): Promise<QueueItem> {
    const hosted: HostedFrame[] = [];
    const frames = [request.start, request.end];
    const totalBytes = frames.reduce((sum, frame) => sum + frame.bytes, 0) || 1;
    let doneBytes = 0;
    for (const [index, frame] of frames.entries()) {
      const role = index === 0 ? 'start' : 'end';
      onProgress({ phase: 'uploading', fraction: (0.9 * doneBytes) / totalBytes, message: `Preparing the ${role} frame…` });
      hosted.push(
        await this.#o.hosting.host(frame, {
          signal: this.#abort.signal,
          onProgress: ({ sentBytes }) =>
            onProgress({
              phase: 'uploading',
              fraction: (0.9 * (doneBytes + sentBytes)) / totalBytes,
              message: `Uploading the ${role} frame…`,
            }),
        }),
      );
      doneBytes += frame.bytes;
    }

    // The library keeps exactly the bytes that were sent: the checked file, or the copy re-encoded to fit inline.
    const [startBytes, endBytes] = await Promise.all(frames.map((frame, index) => hosted[index].sent?.bytes ?? sameBytesAsChecked(frame)));
    const record = await this.#o.store.createJob({
      prompt: request.prompt,
      duration: request.duration,
      frames: [
        { role: 'start', bytes: startBytes, ext: hosted[0].sent?.ext ?? request.start.ext, originalName: request.start.name },
        { role: 'end', bytes: endBytes, ext: hosted[1].sent?.ext ?? request.end.ext, originalName: request.end.name },
      ],
      ...(request.tag ? { tag: request.tag } : {}),
    });
    for (const [index, role] of (['start', 'end'] as const).entries()) {
      const sent = hosted[index].sent;
      const reencodedFrom = sent && { bytes: sent.fromBytes, ext: frames[index].ext };
      await this.#o.store.recordFrameHost(record.id, role, hosted[index].host, hosted[index].url, reencodedFrom);
    }
    this.#changed(record.id);

    onProgress({ phase: 'sending', fraction: 0.95, message: 'Sending the job to RunComfy…' });
    await this.#send(record.id, request.prompt, request.duration, hosted);
    return this.item(record.id)!;
  }

  /** Sends a recorded job exactly once and records what happened. */
  async #send(id: string, prompt: string, duration: 5 | 10, hosted: HostedFrame[]): Promise<void> {
    if (this.#abort.signal.aborted) {
      await this.#write(id, () =>
        this.#o.store.recordStatus(id, 'failed', { error: 'Keyframe stopped before sending this job; nothing was sent. Submit it again.' }),
      );
      throw new AppError('aborted', 'Keyframe stopped before the job was sent.');
    }
    let requestId: string;
    try {
      const submitted = await this.#o.client.submit(
        { prompt, start_image_url: hosted[0].url, end_image_url: hosted[1].url, duration },
        { signal: this.#abort.signal },
      );
      requestId = submitted.requestId;
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('internal', 'The job could not be sent.', { cause: error });
      const refused = inlineRefusal(appError, hosted);
      await this.#write(id, () =>
        appError.details?.['mayHaveSubmitted']
          ? this.#o.store.markSubmitUnknown(id, appError.message)
          : appError.code === 'aborted'
            ? // Stopped (the app quitting) while the request was on its way: RunComfy may have it.
              this.#o.store.markSubmitUnknown(id, STOPPED_WHILE_SENDING)
            : this.#o.store.recordStatus(id, 'failed', { error: (refused ?? appError).message, note: 'not accepted by RunComfy' }),
      );
      throw refused ?? appError;
    }
    // RunComfy has the job now: its request id must reach the library, however long that takes.
    this.#o.log.info('jobs', `${id} was accepted by RunComfy as request ${requestId}`);
    await this.#write(id, async () => {
      await this.#o.store.recordSubmitted(id, requestId);
      this.#schedule.add(id);
      this.#wake();
    });
  }

  /**
   * Records something that happened to a job. When the library cannot be written (disk full,
   * read-only, locked), the queue says so and the same write is tried again until it succeeds,
   * so nothing that happened is forgotten while the app runs.
   */
  async #write(id: string, write: () => Promise<unknown>): Promise<void> {
    this.#pendingWrites.add(id);
    try {
      await write();
      this.#pendingWrites.delete(id);
      if (this.#pendingWrites.size === 0) this.#setProblem(undefined);
      this.#changed(id);
      this.#checkIdle();
    } catch (error) {
      this.#o.log.warn('jobs', `could not record a change to ${id}; will try again`, error);
      this.#setProblem(storageProblem(error));
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        if (this.#running) void this.#write(id, write);
      }, this.#o.offlineProbeMs);
      this.#retryTimers.add(timer);
    }
  }

  /** For a job whose submission outcome is unknown: send it again (the user chose to), or give it up. */
  decide(id: string, decision: UnknownDecision): Promise<QueueItem> {
    return this.#holdUntilSettled(this.#decide(id, decision));
  }

  async #decide(id: string, decision: UnknownDecision): Promise<QueueItem> {
    const record = this.#o.store.require(id);
    if (record.status !== 'submit_unknown')
      throw new AppError('invalid_input', `Job ${id} is ${record.status}; there is nothing to decide.`);
    if (decision === 'abandon') {
      await this.#o.store.recordStatus(id, 'cancelled', { note: 'given up: it was unknown whether RunComfy had received it' });
      this.#changed(id);
      return this.item(id)!;
    }
    const hosted: HostedFrame[] = [];
    for (const role of ['start', 'end'] as const) {
      const file = record.files.find((f) => f.kind === 'frame' && f.role === role);
      if (!file?.sha256) throw new AppError('not_found', `Job ${id} has lost its ${role} frame; it cannot be sent again.`);
      hosted.push(
        await this.#o.hosting.host({
          path: this.#o.store.fileOf(id, file.name),
          sha256: file.sha256,
          mime: mimeOf(file.name),
          bytes: file.bytes,
          name: file.originalName ?? file.name,
        }),
      );
    }
    await this.#o.store.recordStatus(id, 'submitting', { note: 'sent again by the user' });
    await this.#send(id, record.prompt, record.duration, hosted);
    return this.item(id)!;
  }

  async cancel(id: string): Promise<CancelOutcome> {
    const record = this.#o.store.require(id);
    if (!record.requestId || !(record.status === 'queued' || record.status === 'running')) {
      throw new AppError('invalid_input', `Job ${id} is ${record.status}; only queued jobs can be cancelled.`);
    }
    const outcome = await this.#o.client.cancel(record.requestId, { signal: this.#abort.signal });
    if (outcome.cancelled) {
      await this.#o.store.recordStatus(id, 'cancelled', { note: 'cancelled by the user' });
      this.#schedule.remove(id);
      this.#remoteStatus.delete(id);
      this.#changed(id);
      this.#checkIdle();
      return { cancelled: true, message: 'The job was cancelled.' };
    }
    // Not cancelled: the job goes on at RunComfy, so it stays followed (the next poll tells how it ends).
    const finished = /^(completed|succeeded)$/i.test(outcome.status ?? '');
    const message = finished
      ? 'RunComfy has already finished this video, so it cannot be cancelled; it is charged and will download.'
      : NOT_CANCELLABLE;
    await this.#o.store.recordStatus(id, record.status, {
      note: `cancel refused: ${outcome.message ?? outcome.status ?? 'not cancellable'}`,
    });
    this.#schedule.add(id);
    this.#changed(id);
    this.#wake();
    return { cancelled: false, message };
  }

  /** Tries a failed download again now. */
  retryDownload(id: string): void {
    const record = this.#o.store.require(id);
    if (record.status !== 'completed') throw new AppError('invalid_input', `Job ${id} has no video to download yet.`);
    this.#downloadAttempts.delete(id);
    this.#enqueueDownload(id);
  }

  // ---- following -----------------------------------------------------------------------------

  #wake(): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    for (const id of this.#schedule.takeDue()) this.#track(this.#poll(id));
    const wait = this.#schedule.msUntilNext();
    if (wait !== undefined) this.#timer = setTimeout(() => this.#wake(), Math.max(20, wait));
    if (this.#paused === 'rate_limited' && this.#schedule.pausedUntil <= this.#o.now()) this.#setPaused(undefined);
  }

  async #poll(id: string): Promise<void> {
    const record = this.#o.store.get(id);
    if (!record?.requestId) {
      this.#schedule.remove(id);
      return;
    }
    let slower = 1;
    try {
      const status = await this.#o.client.status(record.requestId, { signal: this.#abort.signal });
      if (this.#paused === 'offline') this.#setPaused(undefined);
      if (NAMED_STATES.has(status.rawStatus.toLowerCase())) this.#remoteStatus.delete(id);
      else this.#remoteStatus.set(id, status.rawStatus.slice(0, 60));
      switch (status.state) {
        case 'in_queue':
          await this.#moveTo(id, 'queued');
          this.#o.store.recordQueuePosition(id, status.queuePosition ?? null);
          slower = (status.queuePosition ?? 0) > 10 ? 1.5 : 1;
          break;
        case 'in_progress':
          await this.#moveTo(id, 'running');
          this.#o.store.recordQueuePosition(id, null);
          break;
        case 'unknown':
          // A state Keyframe has no name for is never an end (API.md): keep following, show RunComfy's word.
          break;
        // A job leaves the schedule only once its end is recorded: if the library cannot be
        // written (disk full, read-only), it stays followed and is recorded when it can be.
        case 'completed':
          await this.#moveTo(id, 'completed');
          this.#schedule.remove(id);
          this.#o.store.recordQueuePosition(id, null);
          this.#setProblem(undefined);
          this.#enqueueDownload(id);
          return;
        case 'cancelled':
          await this.#moveTo(id, 'cancelled');
          this.#schedule.remove(id);
          this.#setProblem(undefined);
          this.#finished(id);
          return;
        case 'failed': {
          // The reason is in the result, not the status (API.md, Result).
          const reason = status.message ?? (await this.#failureReason(record.requestId));
          await this.#fail(id, reason ?? `RunComfy reported the job as “${status.rawStatus}” without saying why.`);
          this.#schedule.remove(id);
          this.#setProblem(undefined);
          this.#finished(id);
          return;
        }
      }
      this.#setProblem(undefined);
    } catch (error) {
      slower = this.#onPollError(id, error);
      if (slower < 0) return;
    } finally {
      this.#changed(id);
    }
    this.#schedule.polled(id, slower);
    this.#wake();
  }

  /** Returns how much slower to poll this job next, or -1 when it is no longer followed. */
  #onPollError(id: string, error: unknown): number {
    const code = error instanceof AppError ? error.code : 'internal';
    if (code === 'aborted') return -1;
    if (code === 'rate_limited') {
      const seconds = Number((error as AppError).details?.['retryAfterSeconds'] ?? 30);
      this.#schedule.pauseUntil(this.#o.now() + seconds * 1000);
      this.#setPaused('rate_limited');
      return 1;
    }
    if (code === 'network' || code === 'timeout') {
      this.#schedule.pauseUntil(this.#o.now() + this.#o.offlineProbeMs);
      this.#setPaused('offline');
      return 1;
    }
    if (code === 'bad_token') {
      this.#setPaused('signed_out');
      this.#schedule.pauseUntil(Infinity);
      return 1;
    }
    if (code === 'not_found' || code === 'other_account') {
      this.#schedule.remove(id);
      void this.#endUnreachable(id, error as AppError);
      return -1;
    }
    this.#o.log.warn('jobs', `status of ${id} failed`, error);
    if (code === 'io') this.#setProblem(storageProblem(error));
    else if (code === 'server' || code === 'insufficient_balance') {
      this.#setProblem(`${(error as AppError).message} Keyframe keeps checking on your jobs.`);
    }
    return 3;
  }

  /**
   * Ends a job RunComfy will not tell this account about: gone (404001, expired) or made with
   * another account's token (403001). Only that job stops; the session stays signed in.
   */
  async #endUnreachable(id: string, error: AppError): Promise<void> {
    this.#remoteStatus.delete(id);
    // The job may be gone from the library by now (deleted meanwhile): then there is nothing to record.
    if (!this.#o.store.get(id)) {
      this.#o.log.info('jobs', `Job ${id} is not in the library any more (deleted meanwhile); nothing to record.`);
      return;
    }
    await this.#write(id, async () => {
      if (error.code === 'other_account') {
        await this.#o.store.recordStatus(id, 'failed', {
          error: `This job belongs to another RunComfy account: it was sent with a different API token. Sign in with that account's token to see it at RunComfy; Keyframe stopped following it.`,
          note: 'belongs to another RunComfy account (403001)',
        });
      } else {
        await this.#o.store.recordStatus(id, 'expired', { error: EXPIRED, note: error.message });
      }
      this.#finished(id);
    });
  }

  /** A failed job's reason from its result (best effort: the job has failed either way). */
  async #failureReason(requestId: string): Promise<string | undefined> {
    try {
      const result = await this.#o.client.result(requestId, { signal: this.#abort.signal });
      return result.state === 'completed' ? undefined : result.message;
    } catch (error) {
      this.#o.log.warn('jobs', `could not read why ${requestId} failed`, error);
      return undefined;
    }
  }

  /** Records a failure, in the user's terms when RunComfy refused an inline frame. */
  async #fail(id: string, reason: string): Promise<void> {
    const record = this.#o.store.require(id);
    const hosts = record.files.filter((f) => f.kind === 'frame' && f.host).map((f) => ({ host: f.host! }));
    const refused = inlineRefusal({ state: 'failed', message: reason }, hosts);
    this.#remoteStatus.delete(id);
    await this.#o.store.recordStatus(id, 'failed', { error: refused?.message ?? reason });
  }

  async #moveTo(id: string, status: JobStatus): Promise<void> {
    if (this.#o.store.get(id)?.status !== status) await this.#o.store.recordStatus(id, status);
  }

  // ---- downloading ---------------------------------------------------------------------------

  #enqueueDownload(id: string): void {
    if (this.#downloads.has(id) && !this.#downloads.get(id)!.retrying) return;
    this.#downloads.set(id, { received: 0, retrying: false });
    if (!this.#downloadQueue.includes(id)) this.#downloadQueue.push(id);
    this.#changed(id);
    this.#pumpDownloads();
  }

  #pumpDownloads(): void {
    while (this.#running && this.#activeDownloads < DOWNLOADS_AT_ONCE && this.#downloadQueue.length) {
      const id = this.#downloadQueue.shift()!;
      this.#activeDownloads++;
      this.#track(this.#download(id)).finally(() => {
        this.#activeDownloads--;
        this.#pumpDownloads();
        this.#checkIdle();
      });
    }
  }

  /** Asks for the result (fresh, since result URLs expire) and streams every video into the job folder. */
  async #download(id: string): Promise<void> {
    const record = this.#o.store.get(id);
    if (!record?.requestId) return;
    try {
      for (let fresh = 0; ; fresh++) {
        const result = await this.#o.client.result(record.requestId, { signal: this.#abort.signal });
        if (result.state !== 'completed') {
          await this.#resultContradicts(id, result);
          return;
        }
        if (result.videoUrls.length === 0) throw new AppError('server', 'RunComfy finished the job but returned no video.');
        if (result.cost) await this.#o.store.recordCost(id, result.cost);
        try {
          for (const [index, url] of result.videoUrls.entries()) {
            const name = index === 0 ? 'video.mp4' : `video-${index + 1}.mp4`;
            if (this.#o.store.get(id)?.files.some((f) => f.name === name && f.complete)) continue;
            const dest = await this.#o.store.beginVideo(id, name);
            await downloadVideo(url, dest, {
              ...this.#o.download,
              allowPlainHttp: isLoopback(new URL(this.#o.client.baseUrl()).hostname),
              signal: this.#abort.signal,
              onProgress: ({ received, total }) => {
                this.#downloads.set(id, { received, total, retrying: false });
                this.#changedThrottled(id);
              },
            });
            await this.#o.store.finishVideo(id, name);
          }
          break;
        } catch (error) {
          // An expired link: ask for a fresh result, a couple of times; still refused, the video is gone.
          if (error instanceof AppError && error.details?.['expired']) {
            if (fresh < 2) continue;
            throw new AppError('not_found', 'RunComfy kept refusing the video link, even a fresh one.', { details: { expired: true } });
          }
          throw error;
        }
      }
      this.#downloads.delete(id);
      this.#downloadAttempts.delete(id);
      this.#finished(id);
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      if (error instanceof AppError && (error.code === 'not_found' || error.code === 'other_account')) {
        this.#downloads.delete(id);
        this.#downloadAttempts.delete(id);
        await this.#endUnreachable(id, error);
        return;
      }
      // A video Keyframe will not take (not https, not a video, too large): trying again cannot help.
      if (error instanceof AppError && error.details?.['refused']) {
        this.#downloads.delete(id);
        this.#downloadAttempts.delete(id);
        await this.#write(id, async () => {
          await this.#fail(id, `RunComfy made the video, but Keyframe did not save it: ${error.message}`);
          this.#finished(id);
        });
        return;
      }
      const attempt = this.#downloadAttempts.get(id) ?? 0;
      this.#downloadAttempts.set(id, attempt + 1);
      const problem = error instanceof AppError ? error.message : 'The download failed.';
      this.#downloads.set(id, { ...(this.#downloads.get(id) ?? { received: 0 }), retrying: true, problem });
      this.#o.log.warn('jobs', `download of ${id} failed (attempt ${attempt + 1}); will retry`, error);
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        this.#enqueueDownload(id);
      }, this.#o.downloadRetryMs(attempt));
      this.#retryTimers.add(timer);
      this.#changed(id);
    }
  }

  /** The status said completed, the result says otherwise: end the job that way, or follow it again. */
  async #resultContradicts(id: string, result: Exclude<JobResult, { state: 'completed' }>): Promise<void> {
    this.#downloads.delete(id);
    this.#downloadAttempts.delete(id);
    if (result.state === 'failed' || result.state === 'cancelled') {
      await this.#write(id, async () => {
        if (result.state === 'failed') await this.#fail(id, result.message ?? 'RunComfy reported the job as failed without saying why.');
        else await this.#o.store.recordStatus(id, 'cancelled', { note: 'RunComfy reported the job as cancelled' });
        this.#finished(id);
      });
      return;
    }
    // Still being made after all: follow it again rather than asking for its video in a loop.
    this.#o.log.warn('jobs', `${id}: the status said completed, the result says ${result.rawStatus}; following it again`);
    this.#schedule.add(id);
    this.#changed(id);
    this.#wake();
  }

  // ---- telling the renderer ------------------------------------------------------------------

  #finished(id: string): void {
    this.#changed(id);
    const record = this.#o.store.get(id);
    const platform = this.#o.platform;
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
    this.#checkIdle();
  }

  #lastEmit = new Map<string, number>();
  #changedThrottled(id: string): void {
    const now = this.#o.now();
    if (now - (this.#lastEmit.get(id) ?? 0) < 200) return;
    this.#lastEmit.set(id, now);
    this.#changed(id);
  }

  #changed(id: string): void {
    const item = this.item(id);
    if (item) this.#o.events.emit('jobs:changed', item);
  }

  #setProblem(problem: string | undefined): void {
    if (this.#problem === problem) return;
    this.#problem = problem;
    this.#o.events.emit('jobs:runner', this.state());
  }

  #setPaused(paused: RunnerState['paused']): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    this.#o.events.emit('jobs:runner', this.state());
  }

  #isIdle(): boolean {
    return this.#schedule.size === 0 && this.#downloads.size === 0 && this.#activeDownloads === 0 && this.#pendingWrites.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

function storageProblem(error: unknown): string {
  const said = error instanceof AppError ? error.message : 'Keyframe could not write to the library.';
  return `${said} Your jobs keep running at RunComfy; Keyframe records them as soon as it can write again.`;
}

async function sameBytesAsChecked(frame: ReadyFrame): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(frame.path);
  } catch (error) {
    throw frameMissing(frame, error);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== frame.sha256) throw frameChanged(frame);
  return bytes;
}

function mimeOf(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase();
  return ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : `image/${ext}`;
}
