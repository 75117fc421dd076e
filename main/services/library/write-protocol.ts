/**
 * The one order every library write follows, so that a kill at any moment leaves a library that
 * opening repairs to a consistent state (reconcile.ts): mark the job dirty → write new files as
 * `.kftmp` → one transaction with the new record → rename the files into place → rewrite job.json
 * → clear the mark. Writes are serialised (`exclusive`); reads never wait.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../contract/errors';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { statement } from './database';
import type { Db } from './database';
import { TEMP_SUFFIX, jobDir } from './layout';
import { writeManifest } from './manifest';
import type { JobRecord } from './manifest';
import { requireRecord, writeRow } from './rows';

/** Where the library is; moving it switches both at once. */
export interface LibraryPlace {
  dir: string;
  db: Db;
}

export interface PendingFile {
  name: string;
  /** Absent when the `.kftmp` file was already written (a finished download). */
  bytes?: Uint8Array;
}

export type RecordChange = (record: JobRecord, at: string) => void;

/** A write error's cause in the user's words (Node's errno codes and SQLite's result codes). */
export function whyWriteFailed(code: string | undefined): string {
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return 'the disk is full';
  if (code === 'EROFS' || code?.startsWith('SQLITE_READONLY')) return 'the folder is read-only';
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM') return 'permission was denied';
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED'))
    return 'its database is locked by another program; close it and try again';
  return 'a file error';
}

export class JobWriter {
  #queue: Promise<unknown> = Promise.resolve();
  /** Throws when this process may not write the library now (another holds its lease). */
  mustBeWritable: () => void = () => undefined;

  constructor(
    readonly place: LibraryPlace,
    readonly log: Logger,
    private readonly events: EventBus,
  ) {}

  folderOf(id: string): string {
    return jobDir(this.place.dir, id);
  }

  /** Runs `work` after every write queued before it; refused at once while the library is read-only here. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    try {
      this.mustBeWritable();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Settles when every write queued so far has. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  /** Changes a job's record (and writes `files` with it) in the write order. */
  update(id: string, change: RecordChange, files: PendingFile[] = [], options: { leaveDirty?: boolean } = {}): Promise<JobRecord> {
    return this.exclusive(() => this.updateLocked(id, change, files, options));
  }

  /** `update` for a caller already inside `exclusive`. */
  async updateLocked(id: string, change: RecordChange, files: PendingFile[], options: { leaveDirty?: boolean } = {}): Promise<JobRecord> {
    const { db } = this.place;
    const current = requireRecord(db, id);
    const at = new Date().toISOString();
    const next = structuredClone(current);
    change(next, at);
    next.revision = current.revision + 1;
    next.updatedAt = at;
    const folder = this.folderOf(id);
    const wasDirty = (statement(db, 'SELECT dirty FROM jobs WHERE id = ?').get(id) as { dirty: number }).dirty === 1;
    try {
      if (files.length) {
        this.markDirty(id);
        for (const file of files) if (file.bytes) await writeFile(join(folder, file.name + TEMP_SUFFIX), file.bytes);
      }
      writeRow(db, next, true);
    } catch (error) {
      for (const file of files) if (file.bytes) await rm(join(folder, file.name + TEMP_SUFFIX), { force: true }).catch(() => undefined);
      try {
        if (!wasDirty) this.clearDirty(id, current.revision);
      } catch {
        // Left dirty: the next open checks this job's folder against the index.
      }
      throw this.ioError('save the change', error);
    }
    await this.settle(
      next,
      async () => {
        for (const file of files) await rename(join(folder, file.name + TEMP_SUFFIX), join(folder, file.name));
      },
      options.leaveDirty,
    );
    this.emit('updated', id);
    return next;
  }

  /** After the commit: put files in place, rewrite job.json, clear the mark. A failure here is repaired on the next open. */
  async settle(record: JobRecord, placeFiles: () => Promise<void>, leaveDirty = false): Promise<void> {
    try {
      await placeFiles();
      await writeManifest(this.folderOf(record.id), record);
    } catch (error) {
      throw this.ioError('finish writing the job folder (it will be repaired when Keyframe next opens the library)', error);
    }
    if (!leaveDirty) this.clearDirty(record.id, record.revision);
  }

  markDirty(id: string): void {
    statement(this.place.db, 'UPDATE jobs SET dirty = 1 WHERE id = ?').run(id);
  }

  /** Clears the mark if the record is still at `revision` (a later write keeps its own mark). */
  clearDirty(id: string, revision: number): void {
    statement(this.place.db, 'UPDATE jobs SET dirty = 0 WHERE id = ? AND revision = ?').run(id, revision);
  }

  ioError(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    this.log.error('library', `could not ${what}`, error);
    const why = whyWriteFailed((error as NodeJS.ErrnoException).code);
    return new AppError('io', `Keyframe could not ${what} in ${this.place.dir} (${why}).`, { cause: error });
  }

  emit(kind: 'created' | 'updated' | 'deleted' | 'reset', id?: string): void {
    this.events.emit('library:changed', id ? { kind, id } : { kind });
  }
}
