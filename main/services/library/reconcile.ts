/**
 * Finishes what a killed process left half done. Every write marks its job `dirty` in the
 * database before touching the job's folder and clears the mark when the folder matches again, and
 * the database is always right; so on open, for each dirty job:
 *   - its folder still in `.incoming/` (killed while creating) is moved into place;
 *   - no folder at all (killed while deleting) means the delete finishes: the row goes;
 *   - a `.kftmp` file the record lists as complete is renamed into place (unless the file in place
 *     already is the listed one), any other is removed;
 *   - a poster the record does not list (killed while replacing it) is removed;
 *   - listed files that are missing are dropped from the record;
 *   - job.json is rewritten from the record.
 * Finally `.incoming/` is emptied: what is left there never reached the database.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { statement } from './database';
import type { Db } from './database';
import { INCOMING_DIR, TEMP_SUFFIX, incomingDir, jobDir } from './layout';
import type { Logger } from '../log';
import { writeManifest } from './manifest';
import type { JobRecord } from './manifest';
import { writeRow } from './rows';

export interface ReconcileReport {
  finished: number;
  removed: number;
}

export async function reconcile(db: Db, root: string, log: Logger): Promise<ReconcileReport> {
  const dirty = statement(db, 'SELECT id, record FROM jobs WHERE dirty = 1').all() as { id: string; record: string }[];
  const report: ReconcileReport = { finished: 0, removed: 0 };
  for (const row of dirty) {
    const folder = jobDir(root, row.id);
    const incoming = incomingDir(root, row.id);
    if (!existsSync(folder) && existsSync(incoming)) {
      await mkdir(dirname(folder), { recursive: true });
      await rename(incoming, folder);
    }
    if (!existsSync(folder)) {
      statement(db, 'DELETE FROM jobs WHERE id = ?').run(row.id);
      report.removed++;
      continue;
    }
    const record = JSON.parse(row.record) as JobRecord;
    const names = new Set(await readdir(folder));
    for (const name of names) {
      if (!name.endsWith(TEMP_SUFFIX)) continue;
      const target = name.slice(0, -TEMP_SUFFIX.length);
      const listed = record.files.find((file) => file.name === target);
      // The record is right: a finished temp file wins when the file in place is not the one listed
      // (missing, or an older version the write was replacing when the process stopped).
      const inPlaceIsListed = names.has(target) && (!listed?.sha256 || (await sha256Of(join(folder, target))) === listed.sha256);
      if (listed?.complete && !inPlaceIsListed) {
        await rename(join(folder, name), join(folder, target));
        names.add(target);
      } else {
        await rm(join(folder, name), { force: true });
      }
    }
    for (const name of names) {
      // A poster the record no longer lists was being replaced when the process stopped.
      if (/^poster\.[a-z]+$/.test(name) && !record.files.some((file) => file.name === name)) {
        await rm(join(folder, name), { force: true });
        names.delete(name);
      }
    }
    const present = record.files.filter((file) => names.has(file.name) || !file.complete);
    let fixed = record;
    if (present.length !== record.files.length) {
      const missing = record.files.filter((file) => !present.includes(file)).map((file) => file.name);
      log.warn('library', `job ${row.id}: files listed but missing after a restart, dropped from the record: ${missing.join(', ')}`);
      fixed = { ...record, files: present, revision: record.revision + 1, updatedAt: new Date().toISOString() };
    }
    writeRow(db, fixed, true);
    await writeManifest(folder, fixed);
    statement(db, 'UPDATE jobs SET dirty = 0 WHERE id = ? AND revision = ?').run(row.id, fixed.revision);
    report.finished++;
  }
  await rm(join(root, INCOMING_DIR), { recursive: true, force: true });
  if (report.finished || report.removed) {
    log.info('library', `finished ${report.finished} interrupted job write(s) and ${report.removed} interrupted delete(s)`);
  }
  return report;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
