/**
 * Small copies of frames for the places that show them small (gallery and queue cards, keyframe
 * cards, shot sketches). A 4K PNG decodes to about 33 MB in the page; its thumbnail, at most
 * THUMBNAIL_SIDE pixels on its longer side, to about 1 MB, and decodes in a millisecond or two.
 *
 * The media handler makes one when an address asks for it (`?thumbnail`, see media.ts) and the file
 * it names is an image it may serve. Thumbnails live in a cache folder of the app's own (never in the
 * library, which another process may hold), named by the source file's path, size and modification
 * time: a changed file gets a new one. The cache is trimmed, oldest first, when the app starts.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sharp } from './image-engine';

/** The longer side of a thumbnail, in pixels: a card's width twice over, for high-density screens. */
export const THUMBNAIL_SIDE = 640;
/** Above this the cache is trimmed back to three quarters of it when the app starts. */
export const THUMBNAIL_CACHE_BYTES = 256 * 1024 * 1024;
/** Thumbnails made at once; each decodes a whole frame. */
const AT_ONCE = 2;

export class Thumbnails {
  readonly #making = new Map<string, Promise<string>>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(readonly dir: string) {}

  /** The thumbnail of the image `file` (a real path the caller may serve), made if it is not there yet. */
  async of(file: string): Promise<string> {
    const { size, mtimeMs } = await stat(file);
    const name = createHash('sha256').update(`${file}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 40);
    const target = join(this.dir, `${name}.webp`);
    if (existsSync(target)) return target;
    let making = this.#making.get(target);
    if (!making) {
      making = this.#turn(() => this.#make(file, target)).finally(() => this.#making.delete(target));
      this.#making.set(target, making);
    }
    return making;
  }

  /** Removes the oldest thumbnails while the cache is over `limit` bytes, down to three quarters of it. */
  async trim(limit = THUMBNAIL_CACHE_BYTES): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const files = (
      await Promise.all(
        names.map(async (name) => {
          const path = join(this.dir, name);
          const info = await stat(path).catch(() => undefined);
          return info?.isFile() ? { path, bytes: info.size, at: info.mtimeMs } : undefined;
        }),
      )
    ).filter((file) => file !== undefined);
    let total = files.reduce((sum, file) => sum + file.bytes, 0);
    if (total <= limit) return;
    for (const file of files.sort((a, b) => a.at - b.at)) {
      if (total <= limit * 0.75) break;
      await rm(file.path, { force: true });
      total -= file.bytes;
    }
  }

  async #make(file: string, target: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const part = `${target}.${process.pid}.part`;
    try {
      await sharp(file, { limitInputPixels: false, sequentialRead: true })
        .rotate()
        .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toFile(part);
      await rename(part, target);
      return target;
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  }

  async #turn<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running < AT_ONCE) this.#running++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve)); // a finished one hands its place over
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
