/**
 * Downloads a result video to disk by streaming (never whole in memory), into `<dest>.part`,
 * resuming with HTTP Range after an interruption, and renames it into place only once the file is
 * complete (the announced length, and a whole MP4). One downloader at a time per file, even across
 * processes (the app and the headless CLI may follow the same job): see `lockDownload`.
 */
import { open, readFile, rename, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { AppError } from '../../contract';
import { httpGet } from './http-get';
import type { Body } from './http-get';
import { isCompleteMp4 } from './mp4';

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
}

export interface Downloaded {
  path: string;
  bytes: number;
}

const expiredStatuses = new Set([401, 403, 404, 410]);

export async function downloadVideo(url: string, dest: string, options: DownloadOptions = {}): Promise<Downloaded> {
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
      const response = await httpGet(url, have > 0 ? { range: `bytes=${have}-` } : {}, signal);
      const header = (name: string) => response.headers[name] as string | undefined;
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

      if (response.status !== 416) {
        options.onProgress?.({ received: start, total });
        const received = await writeKeepingWhatArrived(response.body, part, start, (received) => {
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
      await rename(part, dest);
      return { path: dest, bytes };
    } catch (error) {
      lastError = error;
      if (options.signal?.aborted) throw new AppError('aborted', 'The download was stopped.', { cause: error });
      if (error instanceof AppError && error.details?.['expired']) throw error;
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
