/**
 * Looks at an image without decoding it: the type from its first bytes (never its name), then size,
 * EXIF orientation and frame count from its header (sharp's metadata, or our own BMP header reader).
 * Anything that is not an image Keyframe can read becomes a `FrameInputError` with a message for the user.
 */
import { open, stat } from 'node:fs/promises';
import { sharp } from '../image-engine';
import type { Metadata } from 'sharp';
import { AppError } from '../../contract';
import type { ImageFormat } from '../../contract/model';
import { BmpError, isBmp, readBmpHeader } from './bmp';
import { formatName } from '../../contract/format';

export interface Inspection {
  format: ImageFormat;
  bytes: number;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  orientation: number;
  /** Frames of an animated GIF/WebP; 1 for stills. */
  pages: number;
  hasAlpha: boolean;
}

export type InputProblem =
  'missing' | 'not-a-file' | 'empty' | 'too-large' | 'svg' | 'html' | 'pdf' | 'video' | 'heic' | 'unknown' | 'damaged' | 'too-many-pixels';

/** A frame source Keyframe cannot use, with the reason in the user's words. */
export class FrameInputError extends AppError {
  constructor(
    readonly problem: InputProblem,
    message: string,
    cause?: unknown,
  ) {
    super('invalid_input', message, { cause, details: { problem } });
  }
}

/** sharp refuses to decode more pixels than this by default (0x3FFF × 0x3FFF). */
export const PIXEL_LIMIT = 268_402_689;

/** Enough of the file to tell its type, including an ISO-BMFF brand list and an SVG's prologue. */
export const HEAD_BYTES = 4096;

/**
 * How much of a file the verdict reads: enough for a JPEG's metadata segments before its frame
 * header. sharp's wasm engine reads a whole file when given a path (a 9.9 MB JPEG: ~20 ms, against
 * ~1 ms native), so the header is read from this prefix, and from the file only when it is not in it.
 */
const PREFIX_BYTES = 256 * 1024;

type Sniffed = { format: ImageFormat | 'heif?' } | { problem: InputProblem; message: string };

const ascii = (head: Uint8Array, start: number, end: number) => Buffer.from(head.subarray(start, end)).toString('latin1');

function isoBrands(head: Uint8Array): string[] | undefined {
  if (head.length < 16 || ascii(head, 4, 8) !== 'ftyp') return undefined;
  const boxSize = Math.min(Buffer.from(head).readUInt32BE(0), head.length);
  const brands = [ascii(head, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(head, at, at + 4));
  return brands;
}

/** Tells the type from the first bytes. */
export function sniff(head: Uint8Array): Sniffed {
  const starts = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  if (starts(0xff, 0xd8, 0xff)) return { format: 'jpeg' };
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { format: 'png' };
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return { format: 'gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { format: 'webp' };
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return { format: 'tiff' };
  if (isBmp(head)) return { format: 'bmp' };
  const brands = isoBrands(head);
  if (brands) {
    if (brands.some((b) => b === 'avif' || b === 'avis')) return { format: 'avif' };
    if (brands.some((b) => ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'].includes(b))) return { problem: 'heic', message: heicMessage };
    if (brands.some((b) => b === 'mif1' || b === 'msf1' || b === 'miaf')) return { format: 'heif?' };
    return { problem: 'video', message: 'This is a video, not an image. Use “From video…” to pick one of its frames.' };
  }
  if (ascii(head, 0, 5) === '%PDF-')
    return { problem: 'pdf', message: 'This is a PDF document, not an image. Export the page as PNG or JPEG, then pick that.' };
  const text = ascii(head, 0, head.length)
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (text.startsWith('<')) {
    if (text.includes('<svg'))
      return { problem: 'svg', message: 'This is an SVG drawing. The model takes pixel images only: export it as PNG, then pick that.' };
    if (text.includes('<html') || text.startsWith('<!doctype html'))
      return { problem: 'html', message: 'This is a web page (HTML), not an image.' };
  }
  return {
    problem: 'unknown',
    message: 'This file is not an image Keyframe can read. Use a JPEG, PNG, WebP, GIF or AVIF file (TIFF, HEIF and BMP are converted).',
  };
}

const heicMessage =
  'This is a HEIC photo (HEVC-compressed), which Keyframe cannot decode. Export it as JPEG (on an iPhone: Settings › Camera › Formats › Most Compatible).';

/** The size of a regular file, or a FrameInputError saying why `path` is not one (missing, a folder, …). */
export async function sizeOfImageFile(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new FrameInputError('not-a-file', 'This is a folder or a device, not an image file.');
    return info.size;
  } catch (error) {
    if (error instanceof FrameInputError) throw error;
    throw fileProblem(error);
  }
}

/** Inspects the file at `path` from its header only. */
export async function inspectFile(path: string): Promise<Inspection> {
  const size = await sizeOfImageFile(path);
  if (size === 0) throw emptyError();
  let prefix: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const length = Math.min(PREFIX_BYTES, size);
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, 0);
      prefix = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileProblem(error);
  }
  return inspectSource(prefix.length === size ? prefix : { path, prefix }, prefix.subarray(0, HEAD_BYTES), size);
}

/**
 * Inspects bytes already in memory (a paste, a drop, a download), or only the first part of a
 * file whose full size is `size` (the header is all inspection reads).
 */
export async function inspectBuffer(bytes: Buffer, size = bytes.length): Promise<Inspection> {
  if (size === 0 || bytes.length === 0) throw emptyError();
  return inspectSource(bytes, bytes.subarray(0, HEAD_BYTES), size);
}

/** The error for a file that cannot be opened, in the user's words. */
export function fileProblem(error: unknown): FrameInputError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FrameInputError('missing', 'The file is not there: it may have been moved, renamed or deleted.', error);
  if (code === 'EACCES' || code === 'EPERM') return new FrameInputError('missing', 'Keyframe is not allowed to read this file.', error);
  return new FrameInputError('missing', `The file could not be read (${code ?? 'unknown error'}).`, error);
}

const emptyError = () =>
  new FrameInputError('empty', 'The file is empty (0 bytes). It may still be downloading or may have failed to save.');

/** Header metadata from the file's first part when it holds the header; from the whole file otherwise. */
async function headerMetadata(input: Buffer | { path: string; prefix: Buffer }, format: ImageFormat | 'heif?'): Promise<Metadata> {
  // Header only, so no pixel limit here: an oversized image gets our own message below.
  const options = { limitInputPixels: false } as const;
  if (Buffer.isBuffer(input)) return sharp(input, options).metadata();
  // Animated GIF and WebP count their frames through the whole file.
  if (format === 'gif' || format === 'webp') return sharp(input.path, options).metadata();
  try {
    return await sharp(input.prefix, options).metadata();
  } catch {
    return sharp(input.path, options).metadata();
  }
}

async function inspectSource(input: Buffer | { path: string; prefix: Buffer }, head: Buffer, bytes: number): Promise<Inspection> {
  const sniffed = sniff(head);
  if ('problem' in sniffed) throw new FrameInputError(sniffed.problem, sniffed.message);
  if (sniffed.format === 'bmp') return inspectBmp(head, bytes);

  let meta: Metadata;
  try {
    meta = await headerMetadata(input, sniffed.format);
  } catch (error) {
    const name = sniffed.format === 'heif?' ? 'HEIF' : formatName(sniffed.format);
    throw new FrameInputError(
      'damaged',
      `This looks like a ${name} image, but its header cannot be read: the file is damaged or incomplete.`,
      error,
    );
  }
  let format: ImageFormat = sniffed.format === 'heif?' ? 'heif' : sniffed.format;
  if (meta.format === 'heif' && format !== 'avif') {
    // libvips guesses the codec from the brand; the item type in the header is the real answer.
    const codec = head.includes('hvc1') ? 'hevc' : head.includes('av01') ? 'av1' : meta.compression;
    if (codec === 'hevc') throw new FrameInputError('heic', heicMessage);
    format = 'heif';
  }
  if (!meta.width || !meta.height)
    throw new FrameInputError('damaged', `This ${formatName(format)} image has no size in its header; the file is damaged.`);
  checkPixels(meta.width, meta.height);
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const upright = meta.autoOrient ?? { width: meta.width, height: meta.height };
  const pages = (format === 'gif' || format === 'webp') && meta.pages && meta.pages > 1 ? meta.pages : 1;
  return { format, bytes, width: upright.width, height: upright.height, orientation, pages, hasAlpha: !!meta.hasAlpha };
}

async function inspectBmp(head: Buffer, bytes: number): Promise<Inspection> {
  try {
    const header = readBmpHeader(head);
    if (header.width <= 0 || header.height <= 0) throw new BmpError('it says it has no pixels');
    checkPixels(header.width, header.height);
    const hasAlpha = header.bitsPerPixel === 32 && header.compression !== 0;
    return { format: 'bmp', bytes, width: header.width, height: header.height, orientation: 1, pages: 1, hasAlpha };
  } catch (error) {
    if (error instanceof FrameInputError) throw error;
    throw new FrameInputError('damaged', `This BMP image cannot be read: ${(error as Error).message}.`, error);
  }
}

function checkPixels(width: number, height: number): void {
  if (width * height <= PIXEL_LIMIT) return;
  const mp = (n: number) => `${Math.round(n / 1e6)} megapixels`;
  throw new FrameInputError(
    'too-many-pixels',
    `This image is ${width} × ${height} (${mp(width * height)}), more than Keyframe can open (${mp(PIXEL_LIMIT)}). Shrink it in an image editor first.`,
  );
}
