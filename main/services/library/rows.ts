/** Between a job record and its row in the `jobs` table: the one place the column copies are derived. */
import { AppError } from '../../contract/errors';
import { statement } from './database';
import type { Db } from './database';
import type { JobRecord } from './manifest';

/** Rows per millisecond of creation time in the `seq` key (see migrations/001-jobs.ts). */
export const KEYS_PER_MS = 1000;

export function completeVideo(record: JobRecord): string | undefined {
  return record.files.find((file) => file.kind === 'video' && file.complete)?.name;
}

export function posterOf(record: JobRecord): string | undefined {
  return record.files.find((file) => file.kind === 'poster')?.name;
}

export function startFrameOf(record: JobRecord): string | undefined {
  return record.files.find((file) => file.kind === 'frame' && file.role === 'start')?.name;
}

/** The first free `seq` for a job created at `ms`. */
function freeKey(db: Db, ms: number): number {
  const base = ms * KEYS_PER_MS;
  const { last } = statement(db, 'SELECT max(seq) AS last FROM jobs WHERE seq BETWEEN ? AND ?').get(base, base + KEYS_PER_MS - 1) as {
    last: number | null;
  };
  if (last === null) return base;
  if (last < base + KEYS_PER_MS - 1) return last + 1;
  throw new Error(`more than ${KEYS_PER_MS} jobs created in the same millisecond`);
}

/** Inserts or updates the job's row. `queue_position` is left alone: it is not part of the record. */
export function writeRow(db: Db, record: JobRecord, dirty: boolean): void {
  const video = completeVideo(record);
  const values = {
    id: record.id,
    status: record.status,
    prompt: record.prompt,
    duration: record.duration,
    favourite: record.favourite ? 1 : 0,
    request_id: record.requestId ?? null,
    error: record.error ?? null,
    video: video ?? null,
    poster: posterOf(record) ?? null,
    start_frame: startFrameOf(record) ?? null,
    downloading: record.status === 'completed' && !video ? 1 : 0,
    cost_usd: record.cost?.usd ?? null,
    revision: record.revision,
    dirty: dirty ? 1 : 0,
    record: JSON.stringify(record),
  };
  const updated = statement(
    db,
    `UPDATE jobs SET status = @status, prompt = @prompt, duration = @duration, favourite = @favourite, request_id = @request_id,
       error = @error, video = @video, poster = @poster, start_frame = @start_frame, downloading = @downloading, cost_usd = @cost_usd, revision = @revision, dirty = @dirty, record = @record
     WHERE id = @id`,
  ).run(values).changes;
  if (updated) return;
  const createdAt = Date.parse(record.createdAt);
  statement(
    db,
    `INSERT INTO jobs (seq, id, created_at, status, prompt, duration, favourite, request_id, error, video, poster, start_frame, downloading, cost_usd, revision, dirty, record)
     VALUES (@seq, @id, @created_at, @status, @prompt, @duration, @favourite, @request_id, @error, @video, @poster, @start_frame, @downloading, @cost_usd, @revision, @dirty, @record)`,
  ).run({ ...values, seq: freeKey(db, createdAt), created_at: createdAt });
}

export function readRecord(db: Db, id: string): JobRecord | undefined {
  const row = statement(db, 'SELECT record FROM jobs WHERE id = ?').get(id) as { record: string } | undefined;
  return row ? (JSON.parse(row.record) as JobRecord) : undefined;
}

export const notFound = (id: string) => new AppError('not_found', `Job ${id} is not in the library (it may have been deleted).`);

export function requireRecord(db: Db, id: string): JobRecord {
  const record = readRecord(db, id);
  if (!record) throw notFound(id);
  return record;
}

/**
 * Writes many rows in one transaction, rebuilding the search index once at the end instead of
 * row by row (several times faster for a whole library: rebuild, seeding).
 */
export function writeRowsInBulk(db: Db, rows: Iterable<{ record: JobRecord; dirty: boolean }>): void {
  db.transaction(() => {
    const trigger = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'jobs_fts_insert'").get() as
      { sql: string } | undefined;
    if (trigger) db.exec('DROP TRIGGER jobs_fts_insert');
    for (const { record, dirty } of rows) writeRow(db, record, dirty);
    if (trigger) {
      db.exec("INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild')");
      db.exec(trigger.sql);
    }
  })();
}
