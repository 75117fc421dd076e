/**
 * Rebuilds the index from the job folders alone: every `<YYYY-MM>/<job-id>/job.json` that reads
 * as a job becomes a row again. Files the manifest lists but the folder lacks are dropped from the
 * record (and its job.json is rewritten by reconcile); leftover `.kftmp` files are removed. Folders that do not describe a job are left alone
 * and reported.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from './database';
import { JOB_ID, MONTH_DIR, TEMP_SUFFIX } from './layout';
import { readManifest } from './manifest';
import type { JobRecord } from './manifest';
import { writeRowsInBulk } from './rows';

export interface RebuildReport {
  jobs: number;
  skipped: { folder: string; reason: string }[];
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** True when the folder holds at least one job folder (cheap: stops at the first). */
export async function hasJobFolders(root: string): Promise<boolean> {
  for (const month of (await entries(root)).filter((name) => MONTH_DIR.test(name))) {
    if ((await entries(join(root, month))).some((name) => JOB_ID.test(name))) return true;
  }
  return false;
}

export async function rebuildIndex(db: Db, root: string): Promise<RebuildReport> {
  const report: RebuildReport = { jobs: 0, skipped: [] };
  const batch: { record: JobRecord; dirty: boolean }[] = [];
  for (const month of (await entries(root)).filter((name) => MONTH_DIR.test(name)).sort()) {
    for (const id of (await entries(join(root, month))).sort()) {
      const folder = join(root, month, id);
      if (!JOB_ID.test(id)) {
        report.skipped.push({ folder, reason: 'not a job folder name' });
        continue;
      }
      let record: JobRecord;
      try {
        record = await readManifest(folder);
        if (record.id !== id) throw new Error(`job.json names job ${record.id}, not ${id}`);
        if (`${id.slice(0, 4)}-${id.slice(4, 6)}` !== month) throw new Error(`job ${id} is filed under the wrong month`);
      } catch (error) {
        report.skipped.push({ folder, reason: (error as Error).message });
        continue;
      }
      const names = new Set(await entries(folder));
      for (const name of names) if (name.endsWith(TEMP_SUFFIX)) await rm(join(folder, name), { force: true });
      const files = record.files.filter((file) => names.has(file.name) || !file.complete);
      // A record that lost files is marked dirty, so reconcile rewrites its job.json to match.
      if (files.length === record.files.length) batch.push({ record, dirty: false });
      else batch.push({ record: { ...record, files, revision: record.revision + 1 }, dirty: true });
      report.jobs++;
    }
  }
  writeRowsInBulk(db, batch);
  return report;
}
