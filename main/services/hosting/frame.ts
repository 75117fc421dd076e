/**
 * The one interface every frame host implements, and the check they all share: the bytes on disk
 * must still be the bytes that were checked when the frame was picked (same sha256), or nothing
 * is sent.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../contract';
import type { HostKind, HostingProblem } from '../../contract';
import { HOSTING_ACTION } from '../../contract';
import type { SentCopy } from './inline-fit';

/** A frame ready to leave this computer: its staged file and what was recorded when it was picked. */
export interface FrameToHost {
  /** The staged copy main owns. */
  path: string;
  /** sha256 (hex) of the file when it was picked and checked. */
  sha256: string;
  /** Set when the frame was picked as an http(s) address: that address is sent as is. */
  sourceUrl?: string;
  /** image/png, image/jpeg, ... */
  mime: string;
  bytes: number;
  /** What the user calls it (the original file name), for messages. */
  name?: string;
  /**
   * The file's bytes, already read and checked against `sha256` by the caller (the runner reads
   * each frame once before a submit); a host then sends these instead of reading the file again.
   */
  data?: Buffer;
}

export interface HostProgress {
  sentBytes: number;
  totalBytes: number;
}

export interface HostOptions {
  signal?: AbortSignal;
  onProgress?: (progress: HostProgress) => void;
}

export interface HostedFrame {
  /** What goes into the request (`start_image_url` / `end_image_url`). */
  url: string;
  host: HostKind;
  /** The object's key in the bucket (s3). */
  key?: string;
  /** When a pre-signed URL stops working (ISO time). */
  expiresAt?: string;
  /** Set when not the frame's own bytes were sent but this re-encoded copy (inline-fit.ts). */
  sent?: SentCopy;
}

export interface FrameHost {
  readonly kind: HostKind;
  host(frame: FrameToHost, options?: HostOptions): Promise<HostedFrame>;
}

/** The AppError every hosting failure becomes; `details.problem` tells the Jobs runner and the UI why. */
export function hostingError(
  problem: HostingProblem,
  message: string,
  options: { cause?: unknown; retryable?: boolean; openSettings?: boolean; extra?: Record<string, unknown> } = {},
): AppError {
  const details: Record<string, unknown> = { problem, retryable: options.retryable ?? false, ...options.extra };
  if (options.openSettings) details['action'] = HOSTING_ACTION;
  return new AppError('hosting', message, { cause: options.cause, details });
}

const label = (frame: FrameToHost) => `“${frame.name ?? basename(frame.path)}”`;

export function frameMissing(frame: FrameToHost, cause?: unknown): AppError {
  return hostingError(
    'frame-missing',
    `The frame ${label(frame)} is no longer on disk (it was moved or deleted after it was picked), so nothing was sent. Pick the frame again.`,
    { cause },
  );
}

export function frameChanged(frame: FrameToHost): AppError {
  return hostingError(
    'frame-changed',
    `The frame ${label(frame)} changed on disk after it was checked, so Keyframe did not send it. Pick the frame again so it is checked anew.`,
  );
}

function readFailure(frame: FrameToHost, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return frameMissing(frame, error);
  return new AppError('io', `Keyframe could not read the frame ${label(frame)} (${code ?? 'read error'}). Check the disk and try again.`, {
    cause: error,
  });
}

export const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Streams the file through sha256 and throws frame-missing or frame-changed when it is not the checked file. */
export async function verifyOnDisk(frame: FrameToHost, signal?: AbortSignal): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      createReadStream(frame.path),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          bytes += chunk.length;
          hash.update(chunk);
        }
      },
      { signal },
    );
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    throw readFailure(frame, error);
  }
  if (bytes !== frame.bytes || hash.digest('hex') !== frame.sha256.toLowerCase()) throw frameChanged(frame);
}

/** Reads the whole file (frames are under 10 MB) and checks it is the checked file. */
export async function readVerified(frame: FrameToHost): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(frame.path);
  } catch (error) {
    throw readFailure(frame, error);
  }
  if (bytes.length !== frame.bytes || sha256Hex(bytes) !== frame.sha256.toLowerCase()) throw frameChanged(frame);
  return bytes;
}

export function cancelled(): AppError {
  return new AppError('aborted', 'Sending the frame was cancelled.');
}

/** The file extension a frame's type gets in the bucket. */
export function extensionFor(mime: string): string {
  const subtype = mime.toLowerCase().split(';')[0].split('/')[1] ?? '';
  if (subtype === 'jpeg' || subtype === 'jpg' || subtype === 'pjpeg') return 'jpg';
  return /^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin';
}
