/**
 * Opens a library folder's index, whatever state it was left in:
 *   - missing database, job folders present → rebuilt from the folders;
 *   - unusable database (not a database, integrity check failed, a migration failed, made by a
 *     newer Keyframe) → kept aside as `library.db.damaged-<time>` and rebuilt from the folders;
 *   - then interrupted writes are finished (reconcile.ts), storyboards' too (storyboard/board-reconcile.ts),
 *     unless another live process holds the library (jobs/lease.ts): a write of its that looks
 *     half done may be one in progress, so its repairs are its own, and this process runs them
 *     only once it takes the library over (`repairLibrary`, asked by the jobs service).
 * A rebuild comes back as a notice for the user, saying where the damaged copy went.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { LibraryNotice } from '../../contract/library';
import type { Logger } from '../log';
import { DatabaseUnusable, openDatabase } from './database';
import type { Db } from './database';
import { DB_FILE } from './layout';
import { hasJobFolders, rebuildIndex } from './rebuild';
import { reconcile } from './reconcile';
import { reconcileStoryboards } from '../storyboard/board-reconcile';
import { describeHolder, JobsLease } from '../jobs/lease';

export interface OpenedIndex {
  db: Db;
  notice?: LibraryNotice;
  /** False when another process held the library, so its interrupted writes were left alone. */
  repaired: boolean;
}

async function keepAside(path: string): Promise<string> {
  const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) await rename(path + suffix, aside + suffix);
  }
  return aside;
}

export async function openIndex(dir: string, log: Logger): Promise<OpenedIndex> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, DB_FILE);
  const existed = existsSync(path);
  let db: Db;
  let notice: LibraryNotice | undefined;
  try {
    db = openDatabase(path);
    if (!existed && (await hasJobFolders(dir))) {
      const report = await rebuildIndex(db, dir);
      notice = {
        kind: 'rebuilt',
        message: `The library's index was missing, so Keyframe rebuilt it from ${report.jobs} job folder${report.jobs === 1 ? '' : 's'}.`,
        at: new Date().toISOString(),
      };
      log.warn('library', `${notice.message} Skipped: ${JSON.stringify(report.skipped)}`);
    }
  } catch (error) {
    if (!(error instanceof DatabaseUnusable)) throw error;
    const keptAt = await keepAside(path);
    db = openDatabase(path);
    const report = await rebuildIndex(db, dir);
    notice = {
      kind: 'rebuilt',
      message:
        `The library's index could not be used (${error.reason}), so Keyframe rebuilt it from ` +
        `${report.jobs} job folder${report.jobs === 1 ? '' : 's'}. The old index was kept at ${keptAt}.`,
      keptAt,
      at: new Date().toISOString(),
    };
    log.warn('library', notice.message, { skipped: report.skipped, cause: error.cause ?? error });
  }
  const holder = await JobsLease.holder(dir);
  if (holder && (holder.pid !== process.pid || holder.host !== hostname())) {
    log.info('library', `interrupted writes are left to ${describeHolder(holder)}, which holds the library`);
    return { db, notice, repaired: false };
  }
  await repairLibrary(db, dir, log);
  return { db, notice, repaired: true };
}

/** Finishes what a killed process left half done: jobs' writes, then storyboards'. Only for the library's holder. */
export async function repairLibrary(db: Db, dir: string, log: Logger): Promise<boolean> {
  const jobs = await reconcile(db, dir, log);
  const boards = await reconcileStoryboards(db, dir, log);
  return jobs.finished + jobs.removed + boards > 0;
}
