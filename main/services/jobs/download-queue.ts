/**
 * The download queue: fetches the video of every job RunComfy completed, two at a time. Each
 * time it asks for the result afresh (result links expire) and streams each video into the job's
 * folder (download.ts does one video). A failed download is tried again after 5 s, 10 s, 20 s …
 * (at most 5 min apart); a video Keyframe will not take, or one RunComfy no longer has, ends the job.
 */
import { AppError } from '../../contract';
import type { JobResult } from '../runcomfy/client';
import { isLoopback } from '../runcomfy/client';
import { downloadVideo } from './download';
import type { DownloadOptions } from './download';
import type { Follower } from './follow';
import type { DownloadProgress } from './queue-item';
import type { RoomParts } from './recorder';

const DOWNLOADS_AT_ONCE = 2;

/** The wait before retrying a failed download: attempt 0, 1, 2 … */
export const defaultDownloadRetryMs = (attempt: number) => Math.min(5 * 60_000, 5_000 * 2 ** attempt);

export interface DownloadQueueOptions extends RoomParts {
  /** A job whose result says it is still being made is followed again. */
  follower: Follower;
  retryMs: (attempt: number) => number;
  /** Tuning for each download (tests make the waits short). */
  download?: Pick<DownloadOptions, 'attempts' | 'idleTimeoutMs' | 'backoffMs' | 'maxBytes'>;
}

export class DownloadQueue {
  #progress = new Map<string, DownloadProgress>();
  #waiting: string[] = [];
  #active = 0;
  #attempts = new Map<string, number>();
  #retryTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: DownloadQueueOptions) {}

  /** How many jobs wait for, or are getting, their video. */
  get size(): number {
    return this.#progress.size;
  }

  get busy(): boolean {
    return this.#progress.size > 0 || this.#active > 0;
  }

  progress(id: string): DownloadProgress | undefined {
    return this.#progress.get(id);
  }

  enqueue(id: string): void {
    if (this.#progress.has(id) && !this.#progress.get(id)!.retrying) return;
    this.#progress.set(id, { received: 0, retrying: false });
    if (!this.#waiting.includes(id)) this.#waiting.push(id);
    this.o.recorder.changed(id);
    this.#pump();
  }

  /** Tries a failed download again now. */
  retry(id: string): void {
    const record = this.o.store.require(id);
    if (record.status !== 'completed') throw new AppError('invalid_input', `Job ${id} has no video to download yet.`);
    this.#attempts.delete(id);
    this.enqueue(id);
  }

  stop(): void {
    for (const timer of this.#retryTimers) clearTimeout(timer);
  }

  #pump(): void {
    while (this.o.running() && this.#active < DOWNLOADS_AT_ONCE && this.#waiting.length) {
      const id = this.#waiting.shift()!;
      this.#active++;
      void this.o.track(this.#download(id)).finally(() => {
        this.#active--;
        this.#pump();
        this.o.recorder.checkIdle();
      });
    }
  }

  #forget(id: string): void {
    this.#progress.delete(id);
    this.#attempts.delete(id);
  }

  /** Asks for the result (fresh, since result URLs expire) and streams every video into the job folder. */
  async #download(id: string): Promise<void> {
    const { store, client, recorder, signal } = this.o;
    const record = store.get(id);
    if (!record?.requestId) return;
    try {
      for (let fresh = 0; ; fresh++) {
        const result = await client.result(record.requestId, { signal });
        if (result.state !== 'completed') {
          await this.#resultContradicts(id, result);
          return;
        }
        if (result.videoUrls.length === 0) throw new AppError('server', 'RunComfy finished the job but returned no video.');
        if (result.cost) await store.recordCost(id, result.cost);
        try {
          for (const [index, url] of result.videoUrls.entries()) {
            const name = index === 0 ? 'video.mp4' : `video-${index + 1}.mp4`;
            if (store.get(id)?.files.some((f) => f.name === name && f.complete)) continue;
            const dest = await store.beginVideo(id, name);
            const { timing } = await downloadVideo(url, dest, {
              ...this.o.download,
              allowPlainHttp: isLoopback(new URL(client.baseUrl()).hostname),
              signal,
              onProgress: ({ received, total }) => {
                this.#progress.set(id, { received, total, retrying: false });
                recorder.changedThrottled(id);
              },
            });
            await store.finishVideo(id, name, timing);
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
      this.#forget(id);
      recorder.finished(id);
    } catch (error) {
      if (signal.aborted) return;
      await this.#failed(id, error);
    }
  }

  async #failed(id: string, error: unknown): Promise<void> {
    const { recorder } = this.o;
    if (error instanceof AppError && (error.code === 'not_found' || error.code === 'other_account')) {
      this.#forget(id);
      await recorder.endUnreachable(id, error);
      return;
    }
    // A video Keyframe will not take (not https, not a video, too large): trying again cannot help.
    if (error instanceof AppError && error.details?.['refused']) {
      this.#forget(id);
      await recorder.write(id, async () => {
        await recorder.fail(id, `RunComfy made the video, but Keyframe did not save it: ${error.message}`);
        recorder.finished(id);
      });
      return;
    }
    const attempt = this.#attempts.get(id) ?? 0;
    this.#attempts.set(id, attempt + 1);
    const problem = error instanceof AppError ? error.message : 'The download failed.';
    this.#progress.set(id, { ...(this.#progress.get(id) ?? { received: 0 }), retrying: true, problem });
    this.o.log.warn('jobs', `download of ${id} failed (attempt ${attempt + 1}); will retry`, error);
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.enqueue(id);
    }, this.o.retryMs(attempt));
    this.#retryTimers.add(timer);
    recorder.changed(id);
  }

  /** The status said completed, the result says otherwise: end the job that way, or follow it again. */
  async #resultContradicts(id: string, result: Exclude<JobResult, { state: 'completed' }>): Promise<void> {
    const { recorder } = this.o;
    this.#forget(id);
    if (result.state === 'failed' || result.state === 'cancelled') {
      await recorder.write(id, async () => {
        if (result.state === 'failed') await recorder.fail(id, result.message ?? 'RunComfy reported the job as failed without saying why.');
        else await this.o.store.recordStatus(id, 'cancelled', { note: 'RunComfy reported the job as cancelled' });
        recorder.finished(id);
      });
      return;
    }
    // Still being made after all: follow it again rather than asking for its video in a loop.
    this.o.log.warn('jobs', `${id}: the status said completed, the result says ${result.rawStatus}; following it again`);
    this.o.follower.follow(id);
    recorder.changed(id);
  }
}
