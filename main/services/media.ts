/**
 * The one rule for which local files the renderer may load: only files inside the app's own media
 * roots (the library, the staging folder of picked frames). The Electron protocol handler and the
 * carrier's HTTP server both call `resolveMediaPath`; the security tests attack it.
 *
 * Media addresses look like `<scheme><root>/<path relative to that root>`, e.g.
 * `keyframe-media://library/2026/job-1/video.mp4` in Electron or `/media/library/...` in the carrier.
 * An image's address with `?thumbnail` after it is its small copy (thumbnails.ts).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export type MediaRoots = Record<string, string>;

/** True when `child` is `parent` itself or lies below it (no `..` escape, same drive). */
export function isPathInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!!rel && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Maps `root/relative/path` (already URL-decoded once) to a real file inside that root, following
 * symlinks before checking, or returns undefined.
 */
export async function resolveMediaPath(roots: MediaRoots, requested: string): Promise<string | undefined> {
  if (requested.includes('\0') || requested.includes('\\') || /%2f|%5c|%2e/i.test(requested)) return undefined;
  const normalized = requested.normalize('NFC');
  const [rootName, ...parts] = normalized.split('/').filter((part) => part !== '');
  if (!rootName || !Object.hasOwn(roots, rootName) || parts.length === 0) return undefined;
  if (parts.some((part) => part === '..' || part === '.')) return undefined;
  const root = roots[rootName];
  const candidate = resolve(root, ...parts);
  if (!isPathInside(root, candidate)) return undefined;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!isPathInside(realRoot, realFile) || realFile === realRoot) return undefined;
    return (await stat(realFile)).isFile() ? realFile : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the address the renderer uses for a file under a media root. */
export type MediaUrl = (root: string, relativePath: string) => string;

export const mediaUrlFor =
  (prefix: string): MediaUrl =>
  (root, relativePath) =>
    `${prefix}${encodeURIComponent(root)}/${relativePath.split(/[\\/]/).map(encodeURIComponent).join('/')}`;

export const THUMBNAIL_PARAM = 'thumbnail';

/** The address of the small copy of the image at `address` (one `mediaUrlFor` built). */
export const thumbnailOf = (address: string): string => `${address}?${THUMBNAIL_PARAM}`;
