/** Shared by the library's tests: a store in a temporary folder, and a checker of library consistency. */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { EventPayload } from '../../main/contract';
import { EventBus } from '../../main/services/events';
import { LibraryStore } from '../../main/services/library';
import { DB_FILE, INCOMING_DIR, JOB_ID, MANIFEST_FILE, MONTH_DIR, TEMP_SUFFIX, jobDir } from '../../main/services/library/layout';
import { JobRecord } from '../../main/services/library/manifest';
import { completeVideo, posterOf } from '../../main/services/library/rows';
import { createLogger } from '../../main/services/log';
import { RecordingPlatform } from '../carrier/platform';

export const tempDir = (prefix = 'kf-lib-') => mkdtemp(join(tmpdir(), prefix));

export interface TestStore {
  store: LibraryStore;
  dir: string;
  changes: EventPayload<'library:changed'>[];
  platform: RecordingPlatform;
  logLines: string[];
}

export async function openStore(dir?: string, platform?: RecordingPlatform): Promise<TestStore> {
  const root = dir ?? join(await tempDir(), 'library');
  const events = new EventBus();
  const changes: TestStore['changes'] = [];
  events.listen((name, payload) => {
    if (name === 'library:changed') changes.push(payload as EventPayload<'library:changed'>);
  });
  const trash = platform ?? new RecordingPlatform(join(root, '..', 'Trash'));
  const logLines: string[] = [];
  const store = await LibraryStore.open({
    dir: root,
    log: createLogger((line) => logLines.push(line)),
    events,
    mediaUrl: (mediaRoot, rel) => `/media/${mediaRoot}/${rel}`,
    trash: (path) => trash.trashItem(path),
  });
  return { store, dir: root, changes, platform: trash, logLines };
}

/** A tiny valid PNG (1×1), distinct per `seed`, for frames whose pixels do not matter. */
export function pngBytes(seed = 0): Buffer {
  const base = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082',
    'hex',
  );
  return Buffer.concat([base, Buffer.from(`seed-${seed}`)]);
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Everything that would make the library inconsistent, as readable lines (empty when consistent):
 * the index is sound, no job is left dirty, every row has its folder with a job.json equal to the
 * row's record, every listed file is there with its size and hash, nothing half-written is left,
 * and every job folder is in the index.
 */
export async function inconsistencies(root: string): Promise<string[]> {
  const problems: string[] = [];
  const db = new Database(join(root, DB_FILE));
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') problems.push(`integrity_check: ${String(check)}`);
    try {
      db.exec("INSERT INTO jobs_fts (jobs_fts, rank) VALUES ('integrity-check', 1)");
    } catch (error) {
      problems.push(`search index: ${(error as Error).message}`);
    }
    const rows = db.prepare('SELECT id, dirty, revision, video, poster, record FROM jobs').all() as {
      id: string;
      dirty: number;
      revision: number;
      video: string | null;
      poster: string | null;
      record: string;
    }[];
    const ids = new Set(rows.map((row) => row.id));
    for (const row of rows) {
      const record = JobRecord.parse(JSON.parse(row.record));
      if (row.dirty) problems.push(`${row.id}: still dirty`);
      if (record.revision !== row.revision) problems.push(`${row.id}: revision column ${row.revision} ≠ record ${record.revision}`);
      if ((completeVideo(record) ?? null) !== row.video) problems.push(`${row.id}: video column out of step`);
      if ((posterOf(record) ?? null) !== row.poster) problems.push(`${row.id}: poster column out of step`);
      const folder = jobDir(root, row.id);
      if (!existsSync(folder)) {
        problems.push(`${row.id}: folder missing`);
        continue;
      }
      const manifestText = await readFile(join(folder, MANIFEST_FILE), 'utf8').catch(() => undefined);
      if (!manifestText) problems.push(`${row.id}: job.json missing`);
      else if (!isDeepStrictEqual(JSON.parse(manifestText), JSON.parse(row.record)))
        problems.push(`${row.id}: job.json differs from the index`);
      const names = await readdir(folder);
      for (const name of names) {
        if (name.endsWith(TEMP_SUFFIX)) problems.push(`${row.id}: leftover ${name}`);
        else if (name !== MANIFEST_FILE && !record.files.some((file) => file.name === name))
          problems.push(`${row.id}: unlisted file ${name}`);
      }
      for (const file of record.files) {
        if (!file.complete) continue;
        const path = join(folder, file.name);
        if (!existsSync(path)) {
          problems.push(`${row.id}: ${file.name} missing`);
          continue;
        }
        if ((await stat(path)).size !== file.bytes) problems.push(`${row.id}: ${file.name} has the wrong size`);
        else if (file.sha256 && sha(await readFile(path)) !== file.sha256) problems.push(`${row.id}: ${file.name} has the wrong content`);
      }
    }
    for (const month of (await readdir(root)).filter((name) => MONTH_DIR.test(name))) {
      for (const id of await readdir(join(root, month))) {
        if (!JOB_ID.test(id) || !ids.has(id)) problems.push(`folder ${month}/${id} is not in the index`);
      }
    }
    if (existsSync(join(root, INCOMING_DIR)) && (await readdir(join(root, INCOMING_DIR))).length > 0)
      problems.push('.incoming is not empty');
  } finally {
    db.close();
  }
  return problems;
}

const require = createRequire(import.meta.url);

/** Writes a writer reports before the kill's delay starts: every kill lands in the middle of writing, however busy the machine. */
const WRITES_BEFORE_KILL = 10;

/**
 * Starts a writer script (`node --import tsx <writer> <dir> <seed>`), which prints "ready" and then
 * its count of writes; once it reports WRITES_BEFORE_KILL, lets it run `ms` more and kills it with
 * SIGKILL; resolves to the writes it reported (its last line).
 */
export function runAndKill(writer: string, dir: string, seed: number, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', require.resolve('tsx'), writer, dir, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (!timer && Number(out.trim().split('\n').at(-1)) >= WRITES_BEFORE_KILL) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer stopped by itself: ${err || out}`));
      else resolve(Number(out.trim().split('\n').at(-1)) || 0);
    });
  });
}
