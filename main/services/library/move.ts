/**
 * Moving the library to another folder, the safe way: refuse a target that is not empty or that
 * lies inside the library (or contains it), copy every job folder and an online backup of the
 * index, verify the copy (every file's size, the index's integrity and job count), and only then
 * let the caller switch. The store (store.ts `moveTo`) holds writes back meanwhile.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../contract/errors';
import type { MoveProgress } from '../../contract/library';
import { isPathInside } from '../media';
import type { Db } from './database';
import { DB_FILE, INCOMING_DIR, TEMP_SUFFIX } from './layout';

export type MoveProgressListener = (progress: MoveProgress) => void;

export interface MoveTarget {
  dir: string;
  /** True when the folder did not exist and the move creates it. */
  created: boolean;
}

/** The real path of `path`, resolving symlinks in the part of it that exists. */
async function realPathOf(path: string): Promise<string> {
  let existing = path;
  for (;;) {
    try {
      return join(await realpath(existing), relative(existing, path));
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      existing = parent;
    }
  }
}

export async function validateMoveTarget(from: string, target: string): Promise<MoveTarget> {
  if (!isAbsolute(target)) throw new AppError('invalid_input', 'Choose a folder by its full path.');
  const dir = resolve(target);
  for (const [a, b] of [
    [from, dir],
    [await realPathOf(from), await realPathOf(dir)],
  ]) {
    if (isPathInside(a, b)) throw new AppError('invalid_input', `${dir} is inside the current library; choose a folder outside it.`);
    if (isPathInside(b, a)) throw new AppError('invalid_input', `${dir} contains the current library; choose an empty folder.`);
  }
  let info;
  try {
    info = await stat(dir);
  } catch {
    const parent = await stat(dirname(dir)).catch(() => undefined);
    if (!parent?.isDirectory()) throw new AppError('invalid_input', `The folder ${dirname(dir)} does not exist.`);
    return { dir, created: true };
  }
  if (!info.isDirectory()) throw new AppError('invalid_input', `${dir} is a file, not a folder.`);
  const inside = await readdir(dir);
  if (inside.length > 0) {
    throw new AppError(
      'invalid_input',
      `${dir} is not empty (it holds ${inside.length} item${inside.length === 1 ? '' : 's'}); choose an empty folder.`,
    );
  }
  return { dir, created: false };
}

interface Item {
  rel: string;
  size: number;
}

/** Every file to copy, relative to the library: all but the live index, temporary files and `.incoming`. */
async function inventory(root: string): Promise<Item[]> {
  const items: Item[] = [];
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && (entry.name === INCOMING_DIR || entry.name === DB_FILE || entry.name.startsWith(`${DB_FILE}-`))) continue;
      if (entry.name.endsWith(TEMP_SUFFIX)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) items.push({ rel: path, size: (await stat(join(root, path))).size });
    }
  };
  await walk('');
  return items;
}

export async function copyLibrary(from: string, db: Db, target: MoveTarget, onProgress: MoveProgressListener): Promise<void> {
  const items = await inventory(from);
  const totalBytes = items.reduce((sum, item) => sum + item.size, 0);
  let copiedBytes = 0;
  let lastReport = 0;
  const report = (phase: MoveProgress['phase'], force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    onProgress({ phase, copiedBytes, totalBytes });
  };
  report('copying', true);
  await mkdir(target.dir, { recursive: true });
  const made = new Set<string>();
  for (const item of items) {
    const parent = dirname(join(target.dir, item.rel));
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    await copyFile(join(from, item.rel), join(target.dir, item.rel), constants.COPYFILE_EXCL);
    copiedBytes += item.size;
    report('copying');
  }
  await db.backup(join(target.dir, DB_FILE));
  report('verifying', true);

  for (const item of items) {
    const size = (await stat(join(target.dir, item.rel)).catch(() => undefined))?.size;
    if (size !== item.size) throw new AppError('io', `The copy of ${item.rel} does not match the original; the library was not moved.`);
  }
  const copy = new Database(join(target.dir, DB_FILE), { readonly: true });
  try {
    const ok = copy.pragma('quick_check', { simple: true }) === 'ok';
    const count = (copy.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
    const expected = (db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
    if (!ok || count !== expected) throw new AppError('io', 'The copied index does not match the original; the library was not moved.');
  } finally {
    copy.close();
  }
}

/** Removes a library copy: the whole folder if the move created it, else only what it put inside. */
export async function removeCopy(target: MoveTarget): Promise<void> {
  if (target.created) {
    await rm(target.dir, { recursive: true, force: true });
    return;
  }
  for (const name of await readdir(target.dir).catch(() => [] as string[]))
    await rm(join(target.dir, name), { recursive: true, force: true });
}

export async function removeLibrary(dir: string): Promise<void> {
  if (basename(dir) === '' || dirname(dir) === dir) throw new Error(`refusing to remove ${dir}`);
  await rm(dir, { recursive: true, force: true });
}
