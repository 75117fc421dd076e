/**
 * Downloads a result video to disk by streaming (never whole in memory), into `<dest>.part`,
 * resuming with HTTP Range after an interruption, and renames it into place only once the file is
 * complete (the announced length, and a whole MP4). One downloader at a time per file, even across
 * processes (the app and the headless CLI may follow the same job): see `lockDownload`.
 *
 * Media hosts get what RunComfy's own clients give them (API.md, Result): https only (plain http
 * only for a test server on this computer), no token, redirects only to https, a video content
 * type, and a size cap.
 */
import { open, readFile, rename, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { AppError } from '../../contract';
import { httpGet } from './http-get';
import type { Body, GetResponse } from './http-get';
import { isCompleteMp4, readVideoTiming } from './mp4';
import type { VideoTiming } from '../library/manifest';

export interface DownloadProgress {
  received: number;
  total?: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Attempts in this call (each resumes where the last stopped). */
  attempts?: number;
  /** No byte for this long aborts the attempt (then it resumes). */
  idleTimeoutMs?: number;
  backoffMs?: (attempt: number) => number;
  /** Plain http to this computer (the API itself is a local test server). */
  allowPlainHttp?: boolean;
  /** Largest video accepted (RunComfy's nodes: 512 MiB). */
  maxBytes?: number;
}

export const MAX_VIDEO_BYTES = 512 * 1024 * 1024;
const MAX_REDIRECTS = 3;
const VIDEO_TYPES = /^(video\/[\w.+-]+|application\/octet-stream|binary\/octet-stream)$/i;

export interface Downloaded {
  path: string;
  bytes: number;
  /** The video's real length and frames, when its index could be read. */
  timing?: VideoTiming;
}

const expiredStatuses = new Set([401, 403, 404, 410]);

export async function downloadVideo(url: string, dest: string, options: DownloadOptions = {}): Promise<Downloaded> {
  checkMediaUrl(url, options);
  const attempts = options.attempts ?? 5;
  const backoff = options.backoffMs ?? ((attempt) => Math.min(8000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
  const part = `${dest}.part`;
  let unlock: () => Promise<void>;
  try {
    unlock = await lockDownload(part);
  } catch (error) {
    throw diskProblem(error, dirname(dest)) ?? error;
  }
  try {
    return await download(url, dest, part, attempts, backoff, options);
  } finally {
    await unlock();
  }
}

async function download(
  url: string,
  dest: string,
  part: string,
  attempts: number,
  backoff: (attempt: number) => number,
  options: DownloadOptions,
): Promise<Downloaded> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    options.signal?.throwIfAborted();
    const have = await stat(part).then(
      (s) => s.size,
      () => 0,
    );
    const idle = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
    let idleTimer: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => idle.abort(new Error('download stalled')), options.idleTimeoutMs ?? 30_000);
    };
    try {
      touch();
      const response = await get(url, have > 0 ? { range: `bytes=${have}-` } : {}, signal, options);
      const header = (name: string) => response.headers[name] as string | undefined;
      const limit = options.maxBytes ?? MAX_VIDEO_BYTES;
      if (expiredStatuses.has(response.status)) {
        response.body.resume();
        throw new AppError('not_found', 'The video link has expired or was refused; Keyframe will ask RunComfy for a fresh one.', {
          details: { status: response.status, expired: true },
        });
      }
      let start = 0;
      let total: number | undefined;
      if (response.status === 206) {
        const range = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(header('content-range') ?? '');
        start = range ? Number(range[1]) : NaN;
        total = range && range[3] !== '*' ? Number(range[3]) : undefined;
        if (start !== have) {
          response.body.destroy();
          await truncate(part, 0).catch(() => undefined);
          throw new Error(`server resumed at ${start}, expected ${have}`);
        }
      } else if (response.status === 416 && have > 0) {
        response.body.resume();
        // Everything was already received in an earlier run.
      } else if (response.status >= 200 && response.status < 300) {
        const length = header('content-length');
        total = length ? Number(length) : undefined;
      } else {
        response.body.resume();
        throw new AppError(response.status >= 500 ? 'server' : 'network', `The video download failed (HTTP ${response.status}).`);
      }
      const type = header('content-type')?.split(';')[0].trim();
      if (response.status !== 416 && type && !VIDEO_TYPES.test(type)) {
        response.body.destroy();
        throw new AppError('server', `The video link answered with ${type.slice(0, 60)}, not a video; Keyframe did not save it.`, {
          details: { refused: true },
        });
      }
      if (total !== undefined && total > limit) {
        response.body.destroy();
        throw tooLarge(total, limit);
      }

      if (response.status !== 416) {
        options.onProgress?.({ received: start, total });
        const received = await writeKeepingWhatArrived(response.body, part, start, (received) => {
          if (received > limit) {
            response.body.destroy();
            throw tooLarge(received, limit);
          }
          touch();
          options.onProgress?.({ received, total });
        });
        if (total !== undefined && received !== total) throw new Error(`received ${received} of ${total} bytes`);
      }

      const bytes = (await stat(part)).size;
      if (!(await isCompleteMp4(part))) {
        await rm(part, { force: true });
        throw new AppError('server', 'The downloaded video is damaged (it is not a complete MP4). Keyframe will download it again.');
      }
      const timing = await readVideoTiming(part);
      await rename(part, dest);
      return { path: dest, bytes, ...(timing ? { timing } : {}) };
    } catch (error) {
      lastError = error;
      if (options.signal?.aborted) throw new AppError('aborted', 'The download was stopped.', { cause: error });
      if (error instanceof AppError && error.details?.['expired']) throw error;
      if (error instanceof AppError && error.details?.['refused']) {
        await rm(part, { force: true });
        throw error;
      }
      // The disk, not the connection: trying again at once would fail the same way.
      const disk = diskProblem(error, dirname(dest));
      if (disk) throw disk;
      if (attempt + 1 < attempts) await new Promise((r) => setTimeout(r, backoff(attempt)));
    } finally {
      clearTimeout(idleTimer);
    }
  }
  if (lastError instanceof AppError) throw lastError;
  throw new AppError('network', 'The video could not be downloaded: the connection kept dropping. It will be tried again.', {
    cause: lastError,
  });
}

/** A lock nobody has touched for this long was left by a process that died. */
const LOCK_STALE_MS = 30_000;

/**
 * Claims `<part>.lock` so that no other downloader (in this process or another) writes the same
 * partial file; returns the release. The lock names its owner (host:pid) and is touched while the
 * download runs. One whose owner is gone, or untouched for LOCK_STALE_MS, is taken over; a live
 * one makes this download fail at once as `busy`, and the caller tries again later.
 */
async function lockDownload(part: string): Promise<() => Promise<void>> {
  const lock = `${part}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lock, `${hostname()}:${process.pid}`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (attempt > 0 || (await isHeld(lock))) {
        throw new AppError(
          'io',
          'Another Keyframe (the app or the jobs CLI) is downloading this video; it will be checked again shortly.',
          {
            details: { busy: true },
          },
        );
      }
      await rm(lock, { force: true });
    }
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(lock, now, now).catch(() => undefined);
  }, LOCK_STALE_MS / 3);
  heartbeat.unref();
  return async () => {
    clearInterval(heartbeat);
    await rm(lock, { force: true });
  };
}

async function isHeld(lock: string): Promise<boolean> {
  const [owner, info] = await Promise.all([readFile(lock, 'utf8').catch(() => ''), stat(lock).catch(() => undefined)]);
  if (!info || Date.now() - info.mtimeMs > LOCK_STALE_MS) return false;
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !Number(pid)) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const DISK_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the folder is read-only',
  EACCES: 'permission was denied',
  EPERM: 'permission was denied',
};

/** An AppError saying what is wrong with the disk, or undefined for any other failure. */
function diskProblem(error: unknown, folder: string): AppError | undefined {
  const why = DISK_ERRORS[(error as NodeJS.ErrnoException)?.code ?? ''];
  if (!why) return undefined;
  return new AppError(
    'io',
    `Keyframe could not save the video in ${folder} (${why}). It tries again; free some space or fix the folder, or press Retry now.`,
    {
      cause: error,
    },
  );
}

/** Refuses a video address Keyframe will not fetch: not https (plain http only to this computer, when allowed). */
function checkMediaUrl(url: string, options: Pick<DownloadOptions, 'allowPlainHttp'>): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new AppError('server', 'RunComfy gave a video address that is not a web address; Keyframe did not download it.', {
      details: { refused: true },
    });
  }
  const loopback = ['localhost', '[::1]'].includes(target.hostname) || /^127(\.\d{1,3}){3}$/.test(target.hostname);
  if (target.protocol === 'https:' || (target.protocol === 'http:' && options.allowPlainHttp && loopback)) return target;
  throw new AppError('server', `Keyframe downloads videos only over https; RunComfy gave a ${target.protocol.replace(':', '')} address.`, {
    details: { refused: true },
  });
}

function tooLarge(bytes: number, limit: number): AppError {
  const mb = (n: number) => `${Math.round(n / 1_000_000)} MB`;
  return new AppError('server', `The video is larger than Keyframe accepts (${mb(bytes)}, the limit is ${mb(limit)}); it was not saved.`, {
    details: { refused: true },
  });
}

/**
 * A GET (http-get.ts) that follows redirects only to addresses that pass `checkMediaUrl`.
 * No credentials are ever sent; redirects are followed only to addresses that pass `checkMediaUrl`; no credentials are ever sent.
 */
async function get(url: string, headers: Record<string, string>, signal: AbortSignal, options: DownloadOptions): Promise<GetResponse> {
  let target = checkMediaUrl(url, options);
  for (let hops = 0; ; hops++) {
    const response = await httpGet(target.href, headers, signal);
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || !location) return response;
    response.body.resume();
    if (hops >= MAX_REDIRECTS) throw new AppError('server', 'The video link redirected too many times; Keyframe stopped following it.');
    target = checkMediaUrl(new URL(location, target).href, options);
  }
}

/**
 * Writes the body to the file from `start` and returns the bytes the file then holds. Each piece
 * is written from the connection's one reused buffer (see http-get.ts) before the next is read, so
 * whatever arrived is on disk when the connection drops, the download is stopped or the process is
 * killed, and the next attempt resumes from there.
 */
async function writeKeepingWhatArrived(body: Body, path: string, start: number, onBytes: (received: number) => void): Promise<number> {
  const file = await open(path, start > 0 ? 'a' : 'w');
  let received = start;
  try {
    await body.read(async (piece) => {
      for (let offset = 0; offset < piece.length;) offset += (await file.write(piece, offset)).bytesWritten;
      received += piece.length;
      onBytes(received);
    });
  } finally {
    await file.close();
  }
  return received;
}
