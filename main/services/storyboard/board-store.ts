/**
 * Storyboards on disk and in the library's index, written in the library's crash-safe order so a
 * kill at any moment leaves something `reconcileStoryboards` (board-reconcile.ts) repairs:
 *   create: folder with its keyframes and storyboard.json → the row;
 *   change: mark the row dirty → new keyframe files (`.kftmp`, then renamed) → the row with the
 *           new record → storyboard.json → remove keyframe files no longer listed → clear the mark;
 *   delete: mark dirty → folder to the trash → the row goes.
 * Writes are serialised; reads never wait. Another process never writes at the same time: one
 * holding the library's lease (jobs/lease.ts) makes this one read-only (`mustBeWritable` throws).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../contract/errors';
import { statement } from '../library/database';
import type { Db } from '../library/database';
import { TEMP_SUFFIX } from '../library/layout';
import type { LibraryStore } from '../library/store';
import { whyWriteFailed } from '../library/write-protocol';
import { writeJsonAtomic } from '../json-file';
import type { Logger } from '../log';
import { BOARD_FILE, boardDir, KEYFRAME_FILE } from './record';
import type { BoardRecord } from './record';

/** A keyframe image to bring into the board folder under `name`. */
export interface NewKeyframeFile {
  name: string;
  from: string;
}

const notFound = (id: string) => new AppError('not_found', `Storyboard ${id} is not in the library (it may have been deleted).`);

export class BoardStore {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly library: LibraryStore,
    private readonly log: Logger,
    private readonly trash: (path: string) => Promise<void>,
    private readonly mustBeWritable: () => void = () => undefined,
  ) {}

  get #db(): Db {
    return this.library.database;
  }

  folderOf(id: string): string {
    return boardDir(this.library.dir, id);
  }

  fileOf(id: string, name: string): string {
    return join(this.folderOf(id), name);
  }

  list(): BoardRecord[] {
    const rows = statement(this.#db, 'SELECT record FROM storyboards ORDER BY updated_at DESC, id').all() as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as BoardRecord);
  }

  get(id: string): BoardRecord | undefined {
    const row = statement(this.#db, 'SELECT record FROM storyboards WHERE id = ?').get(id) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as BoardRecord) : undefined;
  }

  /** The board's name, without reading its whole record. */
  nameOf(id: string): string | undefined {
    return (statement(this.#db, 'SELECT name FROM storyboards WHERE id = ?').get(id) as { name: string } | undefined)?.name;
  }

  require(id: string): BoardRecord {
    const record = this.get(id);
    if (!record) throw notFound(id);
    return record;
  }

  create(record: BoardRecord, files: NewKeyframeFile[] = []): Promise<BoardRecord> {
    return this.#exclusive(async () => {
      const folder = this.folderOf(record.id);
      try {
        await mkdir(folder, { recursive: true });
        await this.#bringIn(folder, files);
        await writeJsonAtomic(join(folder, BOARD_FILE), record);
        writeBoardRow(this.#db, record, false);
      } catch (error) {
        await rm(folder, { recursive: true, force: true }).catch(() => undefined);
        throw this.#ioError('create the storyboard', error);
      }
      return record;
    });
  }

  /** Applies `change` to a copy of the record and writes it; `change` may throw to refuse. */
  update(id: string, change: (record: BoardRecord, at: string) => void, files: NewKeyframeFile[] = []): Promise<BoardRecord> {
    return this.#exclusive(async () => {
      const current = this.require(id);
      const at = new Date().toISOString();
      const next: BoardRecord = { ...structuredClone(current), revision: current.revision + 1, updatedAt: at };
      change(next, at);
      const folder = this.folderOf(id);
      try {
        statement(this.#db, 'UPDATE storyboards SET dirty = 1 WHERE id = ?').run(id);
        await this.#bringIn(folder, files);
        writeBoardRow(this.#db, next, true);
      } catch (error) {
        throw this.#ioError('save the storyboard', error);
      }
      try {
        await settleBoardFolder(folder, next);
      } catch (error) {
        throw this.#ioError('finish writing the storyboard folder (it will be repaired when Keyframe next opens the library)', error);
      }
      statement(this.#db, 'UPDATE storyboards SET dirty = 0 WHERE id = ? AND revision = ?').run(id, next.revision);
      return next;
    });
  }

  delete(id: string): Promise<void> {
    return this.#exclusive(async () => {
      this.require(id);
      const folder = this.folderOf(id);
      statement(this.#db, 'UPDATE storyboards SET dirty = 1 WHERE id = ?').run(id);
      try {
        if (existsSync(folder)) await this.trash(folder);
      } catch (error) {
        statement(this.#db, 'UPDATE storyboards SET dirty = 0 WHERE id = ?').run(id);
        throw this.#ioError('move the storyboard to the trash', error);
      }
      statement(this.#db, 'DELETE FROM storyboards WHERE id = ?').run(id);
    });
  }

  /** Copies keyframe images in, each complete before it gets its name (names are hashes: one already there is the same bytes). */
  async #bringIn(folder: string, files: NewKeyframeFile[]): Promise<void> {
    for (const file of files) {
      const target = join(folder, file.name);
      if (existsSync(target)) continue;
      await copyFile(file.from, target + TEMP_SUFFIX);
      await rename(target + TEMP_SUFFIX, target);
    }
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.library.moving) return Promise.reject(new AppError('invalid_input', 'The library is being moved; try again when it is done.'));
    const run = this.#queue.then(() => {
      this.mustBeWritable();
      return work();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #ioError(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    this.log.error('storyboard', `could not ${what}`, error);
    const why = whyWriteFailed((error as NodeJS.ErrnoException).code);
    return new AppError('io', `Keyframe could not ${what} in ${this.library.dir} (${why}).`, { cause: error });
  }
}

/** Inserts or replaces the board's row. */
export function writeBoardRow(db: Db, record: BoardRecord, dirty: boolean): void {
  statement(
    db,
    `INSERT INTO storyboards (id, name, updated_at, revision, dirty, record) VALUES (@id, @name, @updated_at, @revision, @dirty, @record)
     ON CONFLICT (id) DO UPDATE SET name = @name, updated_at = @updated_at, revision = @revision, dirty = @dirty, record = @record`,
  ).run({
    id: record.id,
    name: record.name,
    updated_at: record.updatedAt,
    revision: record.revision,
    dirty: dirty ? 1 : 0,
    record: JSON.stringify(record),
  });
}

/** Makes the folder match the record: storyboard.json rewritten, leftovers and keyframe files it no longer lists removed. */
export async function settleBoardFolder(folder: string, record: BoardRecord): Promise<void> {
  await writeJsonAtomic(join(folder, BOARD_FILE), record);
  const listed = new Set(record.keyframes.map((keyframe) => keyframe.file));
  for (const name of await readdir(folder)) {
    const leftover = name.endsWith(TEMP_SUFFIX) || name.endsWith('.tmp');
    if (leftover || (KEYFRAME_FILE.test(name) && !listed.has(name))) await rm(join(folder, name), { force: true });
  }
}
