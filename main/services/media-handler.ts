/**
 * The one file server, as web-standard handlers (`Request` → `Response`): Electron's protocol
 * handlers (`keyframe-media://`, `app://`) and the test carrier's HTTP server both call these, so
 * what the E2E suite tests is what Electron runs. Never forward media to Electron's
 * `net.fetch(file://…)`: it answers no ranges (electron/electron#38749) and `<video>` cannot seek.
 *
 * Which files may be served is `resolveMediaPath`'s rule (media.ts); this module adds HTTP:
 * GET and HEAD, one byte range (206, or 416 when it cannot be met), type, length, streaming, and
 * an image's thumbnail in its place when the address asks for one (`?thumbnail`).
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { extensionsOf, imageFormats, mimeOf } from '../contract/model';
import { resolveMediaPath, THUMBNAIL_PARAM } from './media';
import type { MediaRoots } from './media';

export type Handler = (request: Request) => Promise<Response>;

/** Every image format Keyframe knows, by each of its extensions: frames, previews and posters. */
const imageTypes = imageFormats.flatMap((format) => extensionsOf(format).map((extension) => [`.${extension}`, mimeOf(format)]));

const types: Record<string, string> = {
  '.mp4': 'video/mp4',
  ...Object.fromEntries(imageTypes),
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

export const contentTypeOf = (file: string) => types[extname(file).toLowerCase()] ?? 'application/octet-stream';

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers } });

/**
 * The byte range a `Range` header asks for, `'unsatisfiable'`, or undefined for the whole file
 * (no header, another unit, several ranges or bad syntax: RFC 9110 lets a server ignore those).
 */
export function parseRange(header: string | null, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (!match[1] && !match[2])) return undefined;
  if (!match[1]) {
    const suffix = Number(match[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  if (match[2] && Number(match[2]) < start) return undefined; // invalid: ignored, per RFC 9110
  return start >= size ? 'unsatisfiable' : { start, end };
}

/** A file that went between the address being checked and being read (a replaced keyframe, a deleted job). */
const isGone = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException | undefined)?.code ?? '');

/**
 * Answers `request` with `file` (already confined by the caller): 200, 206 or 416, streamed; 404
 * when it is no longer there. The file is opened once, so its size and its bytes are the same file's.
 */
export async function fileResponse(request: Request, file: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Only GET and HEAD', { allow: 'GET, HEAD', ...extraHeaders });
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isGone(error)) return text(404, 'Not found', extraHeaders);
    throw error;
  }
  let streaming = false;
  try {
    const { size } = await handle.stat();
    const headers: Record<string, string> = {
      'content-type': contentTypeOf(file),
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...extraHeaders,
    };
    const range = parseRange(request.headers.get('range'), size);
    if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const partial = range !== undefined;
    const length = size === 0 ? 0 : end - start + 1;
    streaming = request.method !== 'HEAD' && length > 0;
    // The stream closes the file when it ends or the page stops reading.
    const body = streaming ? (Readable.toWeb(handle.createReadStream({ start, end })) as ReadableStream<Uint8Array>) : null;
    return new Response(body, {
      status: partial ? 206 : 200,
      headers: { ...headers, 'content-length': String(length), ...(partial ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}) },
    });
  } finally {
    if (!streaming) await handle.close();
  }
}

/**
 * The part of a request address after `prefix`, the same prefix `mediaUrlFor` builds addresses
 * with: `keyframe-media://` (Electron) or `/media/` (the carrier, on its own origin).
 */
function afterPrefix(url: URL, prefix: string): string | undefined {
  const address = `${url.protocol}//${url.host}${url.pathname}`;
  const base = prefix.startsWith('/') ? `${url.protocol}//${url.host}${prefix}` : prefix;
  return address.startsWith(base) ? address.slice(base.length) : undefined;
}

/** Makes (or finds) the thumbnail of an image file the handler may serve (thumbnails.ts). */
export type Thumbnailer = (file: string) => Promise<string>;

const isImage = (file: string) => contentTypeOf(file).startsWith('image/') && !file.toLowerCase().endsWith('.svg');

async function serveConfined(
  request: Request,
  roots: MediaRoots,
  encodedPath: string,
  headers: Record<string, string>,
  thumbnail?: Thumbnailer,
): Promise<Response> {
  let requested: string;
  try {
    requested = decodeURIComponent(encodedPath);
  } catch {
    return text(400, 'Bad address', headers);
  }
  const file = await resolveMediaPath(roots, requested);
  if (!file) return text(404, 'Not found', headers);
  // A thumbnail that cannot be made (a damaged image) leaves the image itself to the page, which says what it can.
  const small = thumbnail && isImage(file) ? await thumbnail(file).catch(() => undefined) : undefined;
  return fileResponse(request, small ?? file, headers);
}

/** What the media handler serves: the files under the roots, and the thumbnails of their images. */
export interface MediaFiles {
  roots: () => MediaRoots;
  /** Without it, `?thumbnail` serves the image itself. */
  thumbnail?: Thumbnailer;
}

/**
 * Serves library and staging files addressed as `mediaUrlFor(prefix)` builds them. `allowOrigin`
 * names the one page that may read them across origins (Electron's `app://keyframe`).
 */
export function createMediaHandler(files: MediaFiles, options: { prefix: string; allowOrigin?: string }): Handler {
  const headers: Record<string, string> = options.allowOrigin ? { 'access-control-allow-origin': options.allowOrigin, vary: 'origin' } : {};
  return async (request) => {
    const url = new URL(request.url);
    const path = afterPrefix(url, options.prefix);
    if (path === undefined) return text(404, 'Not found', headers);
    const thumbnail = url.searchParams.has(THUMBNAIL_PARAM) ? files.thumbnail : undefined;
    return serveConfined(request, files.roots(), path, headers, thumbnail);
  };
}

/**
 * Serves the built renderer folder (and nothing outside it) at `prefix`: `app://keyframe/` in
 * Electron, `/` (the root of its own origin) in the carrier.
 */
export function createRendererHandler(options: { rendererDir: string; prefix: string }): Handler {
  return async (request) => {
    const path = afterPrefix(new URL(request.url), options.prefix);
    if (path === undefined) return text(404, 'Not found');
    return serveConfined(request, { renderer: options.rendererDir }, `renderer/${path || 'index.html'}`, {});
  };
}
