/**
 * Opens a library folder's index, whatever state it was left in:
 *   - missing database, job folders present → rebuilt from the folders;
 *   - unusable database (not a database, integrity check failed, a migration failed, made by a
 *     newer Keyframe) → kept aside as `library.db.damaged-<time>` and rebuilt from the folders;
 *   - then interrupted writes are finished (reconcile.ts), storyboards' too (storyboard/board-reconcile.ts).
 * A rebuild comes back as a notice for the user, saying where the damaged copy went.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { LibraryNotice } from '../../contract/library';
import type { Logger } from '../log';
import { DatabaseUnusable, openDatabase } from './database';
import type { Db } from './database';
import { DB_FILE } from './layout';
import { hasJobFolders, rebuildIndex } from './rebuild';
import { reconcile } from './reconcile';
import { reconcileStoryboards } from '../storyboard/board-reconcile';

export interface OpenedIndex {
  db: Db;
  notice?: LibraryNotice;
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
  await reconcile(db, dir, log);
  await reconcileStoryboards(db, dir, log);
  return { db, notice };
}
