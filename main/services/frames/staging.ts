/**
 * The staging folder main owns (`<userData>/staging`, the `staging` media root): every frame is
 * copied here first and worked on only here, so the user's original is never touched. Files are
 * named by a random id, never by the user's name, so odd or unicode names cannot cause trouble.
 */
import { randomUUID, webcrypto } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StagedFile {
  id: string;
  path: string;
  /** Path relative to the staging root, for its media address. */
  relativePath: string;
}

export class Staging {
  readonly framesDir: string;

  constructor(readonly root: string) {
    this.framesDir = join(root, 'frames');
  }

  async init(): Promise<void> {
    await mkdir(this.framesDir, { recursive: true });
  }

  /** Writes `data` as a new staged file; `wx` so nothing existing is ever overwritten. */
  async write(data: Uint8Array, extension: string, id: string = randomUUID()): Promise<StagedFile> {
    const relativePath = `frames/${id}.${extension}`;
    const path = join(this.root, relativePath);
    await writeFile(path, data, { flag: 'wx' });
    return { id, path, relativePath };
  }

  /** Removes staged files older than `maxAgeMs` (frames of sessions long gone); returns how many. */
  async sweep(maxAgeMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.framesDir).catch(() => [] as string[])) {
      const path = join(this.framesDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && now - info.mtimeMs > maxAgeMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

/**
 * Hex sha256, computed off the main thread (WebCrypto runs digests in the thread pool). sharp's wasm
 * build returns views on its shared memory, which WebCrypto refuses: those are copied first.
 */
export async function sha256(data: Uint8Array): Promise<string> {
  const own = data.buffer instanceof SharedArrayBuffer ? new Uint8Array(data) : data;
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', own)).toString('hex');
}
