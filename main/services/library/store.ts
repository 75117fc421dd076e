/**
 * THE storage API for jobs. The Jobs runner, the headless entries and the gallery all go through
 * it: create a job before it is submitted, record what happens to it, add its files, read, list,
 * search and delete. Every write follows the order in write-protocol.ts; reads never wait.
 *
 * The rooms: create-job.ts (a new job with its frames), status.ts (status transitions),
 * job-files.ts (frame hosts, posters, video downloads), queries.ts and present.ts (reading).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AppError } from '../../contract/errors';
import { LibraryQuery } from '../../contract/library';
import type {
  FrameHost,
  FrameRole,
  JobDetail,
  JobStatus,
  LibraryNotice,
  LibraryPage,
  LibraryQuery as LibraryQueryInput,
  TakeOf,
} from '../../contract/library';
import type { JobCost, Spend } from '../../contract/price';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { MediaUrl } from '../media';
import { createJob } from './create-job';
import type { NewJob } from './create-job';
import { statement } from './database';
import { addFile, beginVideo, finishVideo, recordFrameHost } from './job-files';
import type { FileEntry, JobRecord, VideoTiming } from './manifest';
import { copyLibrary, removeCopy, removeLibrary, validateMoveTarget } from './move';
import type { MoveProgressListener } from './move';
import type { Db } from './database';
import { openIndex, repairLibrary } from './open';
import { detailFromRecord, summaryFromRow } from './present';
import { listRows, spendOf, takeRefsOf } from './queries';
import type { TakeRef } from './queries';
import { notFound, readRecord, requireRecord } from './rows';
import { applyStatus } from './status';
import type { StatusDetails } from './status';
import { JobWriter } from './write-protocol';
import type { LibraryPlace } from './write-protocol';

export type { NewFrame, NewJob } from './create-job';
export type { StatusDetails } from './status';
export type { TakeRef } from './queries';

/** Names storyboards' takes by their boards as they are now (storyboard/take-of.ts); one answer per ref, in order. */
export type TakeNamer = (refs: readonly TakeRef[]) => TakeOf[];

export interface LibraryStoreOptions {
  dir: string;
  log: Logger;
  events: EventBus;
  mediaUrl: MediaUrl;
  /** Moves a folder to the OS trash (Platform.trashItem). */
  trash: (path: string) => Promise<void>;
}

export class LibraryStore {
  #place: LibraryPlace;
  #writer: JobWriter;
  #moving = false;
  #nameTakes?: TakeNamer;
  notice?: LibraryNotice;
  /** Interrupted writes were left to the process holding the library when this one opened it (open.ts). */
  repairPending = false;

  private constructor(
    place: LibraryPlace,
    private readonly options: LibraryStoreOptions,
  ) {
    this.#place = place;
    this.#writer = new JobWriter(place, options.log, options.events);
  }

  static async open(options: LibraryStoreOptions): Promise<LibraryStore> {
    const { db, notice, repaired } = await openIndex(options.dir, options.log);
    const store = new LibraryStore({ dir: options.dir, db }, options);
    store.notice = notice;
    store.repairPending = !repaired;
    return store;
  }

  /** Finishes the interrupted writes of a process whose library this one has just taken over. */
  repair(): Promise<void> {
    return this.#writer.exclusive(async () => {
      const changed = await repairLibrary(this.#place.db, this.dir, this.options.log);
      this.repairPending = false;
      if (changed) this.#writer.emit('reset');
    });
  }

  get dir(): string {
    return this.#place.dir;
  }

  get moving(): boolean {
    return this.#moving;
  }

  /** The absolute path of a job's folder. */
  folderOf(id: string): string {
    return this.#writer.folderOf(id);
  }

  /** The absolute path of a file the job lists. */
  fileOf(id: string, name: string): string {
    const record = this.require(id);
    if (!record.files.some((file) => file.name === name)) throw new AppError('not_found', `Job ${id} has no file called ${name}.`);
    return join(this.folderOf(id), name);
  }

  /** Waits for writes in progress, then closes the index. */
  async close(): Promise<void> {
    await this.#writer.idle();
    if (this.#place.db.open) this.#place.db.close();
  }

  // ---- reads -------------------------------------------------------------------------------

  get(id: string): JobRecord | undefined {
    return readRecord(this.#place.db, id);
  }

  require(id: string): JobRecord {
    return requireRecord(this.#place.db, id);
  }

  detail(id: string): JobDetail {
    const record = this.require(id);
    const row = statement(this.#place.db, 'SELECT queue_position FROM jobs WHERE id = ?').get(id) as { queue_position: number | null };
    const take = record.tag ? this.#nameTakes?.([record.tag])[0] : undefined;
    return detailFromRecord(record, row.queue_position, this.options.mediaUrl, take);
  }

  list(query: LibraryQueryInput = {}): LibraryPage {
    const parsed = LibraryQuery.parse(query);
    const { total, rows } = listRows(this.#place.db, parsed);
    const takes = this.#takesOf(rows.map((row) => row.id));
    return { total, offset: parsed.offset, items: rows.map((row) => summaryFromRow(row, this.options.mediaUrl, takes.get(row.id))) };
  }

  /** How jobs that are storyboards' takes are named (the storyboards live in this index, but are theirs to read). */
  nameTakesWith(namer: TakeNamer): void {
    this.#nameTakes = namer;
  }

  /**
   * Every write (a status, a favourite, a poster, a delete, a move) first asks `check`, which throws
   * while another process holds the library: one process writes it at a time.
   */
  guardWritesWith(check: () => void): void {
    this.#writer.mustBeWritable = check;
  }

  /** Throws while another process holds the library (for a write that asks the user something first). */
  mustBeWritable(): void {
    this.#writer.mustBeWritable();
  }

  #takesOf(ids: readonly string[]): Map<string, TakeOf> {
    const refs = this.#nameTakes ? takeRefsOf(this.#place.db, ids) : new Map<string, TakeRef>();
    if (refs.size === 0) return new Map();
    const named = this.#nameTakes!([...refs.values()]);
    return new Map([...refs.keys()].map((id, index) => [id, named[index]]));
  }

  /** What the jobs matching the query cost, by their reported costs. */
  spend(query: LibraryQueryInput = {}): Spend {
    return spendOf(this.#place.db, LibraryQuery.parse(query));
  }

  count(): number {
    return (statement(this.#place.db, 'SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
  }

  /** Jobs the runner must follow after a restart: not finished, or finished with the video not yet downloaded. */
  listOpen(): JobRecord[] {
    const rows = statement(
      this.#place.db,
      `SELECT record FROM jobs WHERE status IN ('submitting', 'submit_unknown', 'queued', 'running') OR downloading = 1
       ORDER BY created_at, seq`,
    ).all() as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as JobRecord);
  }

  /** A storyboard's takes, oldest first. */
  taggedWith(storyboard: string): JobRecord[] {
    const rows = statement(this.#place.db, 'SELECT record FROM jobs WHERE storyboard = ? ORDER BY created_at, seq').all(storyboard) as {
      record: string;
    }[];
    return rows.map((row) => JSON.parse(row.record) as JobRecord);
  }

  /** The index itself, for the storyboards' tables in the same file (storyboard/board-store.ts). It changes when the library moves. */
  get database(): Db {
    return this.#place.db;
  }

  findByRequestId(requestId: string): JobRecord | undefined {
    const row = statement(this.#place.db, 'SELECT id FROM jobs WHERE request_id = ?').get(requestId) as { id: string } | undefined;
    return row ? this.get(row.id) : undefined;
  }

  // ---- writes ------------------------------------------------------------------------------

  /** Creates the job (status `submitting`) with its frames, before anything is sent. */
  createJob(input: NewJob): Promise<JobRecord> {
    return createJob(this.#writer, input);
  }

  /** Records a status change with its time (the rules: status.ts). */
  recordStatus(id: string, status: JobStatus, details: StatusDetails = {}): Promise<JobRecord> {
    return this.#writer.update(id, (record, at) => applyStatus(record, status, details, at));
  }

  /** The request id came back from RunComfy: the job is queued there. */
  recordSubmitted(id: string, requestId: string): Promise<JobRecord> {
    return this.recordStatus(id, 'queued', { requestId });
  }

  /** After a crash while submitting: RunComfy may or may not have the job. */
  markSubmitUnknown(id: string, note?: string): Promise<JobRecord> {
    return this.recordStatus(id, 'submit_unknown', note ? { note } : {});
  }

  /** Queue position changes with every poll; it is kept in the index only, not in the history. */
  recordQueuePosition(id: string, position: number | null): void {
    let changed: number;
    try {
      changed = statement(this.#place.db, 'UPDATE jobs SET queue_position = ? WHERE id = ?').run(position, id).changes;
    } catch (error) {
      throw this.#writer.ioError('save the queue position', error);
    }
    if (!changed) throw notFound(id);
    this.#writer.emit('updated', id);
  }

  /** What RunComfy reported the job cost (kept as reported; a different later report replaces it). */
  async recordCost(id: string, cost: JobCost): Promise<JobRecord> {
    const current = this.require(id);
    if (isDeepStrictEqual(current.cost, cost)) return current;
    return this.#writer.update(id, (record) => {
      record.cost = cost;
    });
  }

  /** How a frame reached RunComfy: which host, the address it was given (redacted), and what it was re-encoded from. */
  recordFrameHost(
    id: string,
    role: FrameRole,
    host: FrameHost,
    url: string,
    reencodedFrom?: FileEntry['reencodedFrom'],
  ): Promise<JobRecord> {
    return recordFrameHost(this.#writer, id, { role, host, url, ...(reencodedFrom ? { reencodedFrom } : {}) });
  }

  setFavourite(id: string, favourite: boolean): Promise<JobRecord> {
    return this.#writer.update(id, (record) => {
      record.favourite = favourite;
    });
  }

  /** Adds or replaces a whole file (a poster, or a video already in memory). A job has one poster. */
  addFile(id: string, file: { kind: 'video' | 'poster'; name: string; bytes: Uint8Array }): Promise<JobRecord> {
    return addFile(this.#writer, id, file);
  }

  /** Starts a download; returns the path to stream into. Call `finishVideo` when every byte is there. */
  beginVideo(id: string, name = 'video.mp4'): Promise<string> {
    return beginVideo(this.#writer, id, name);
  }

  /** Lists the streamed video as complete, with its real length when the download check could read it. */
  finishVideo(id: string, name = 'video.mp4', timing?: VideoTiming): Promise<JobRecord> {
    return finishVideo(this.#writer, id, name, timing);
  }

  /** Moves the job's folder to the OS trash and removes it from the index. */
  delete(id: string): Promise<void> {
    return this.#writer.exclusive(async () => {
      this.require(id);
      const folder = this.folderOf(id);
      this.#writer.markDirty(id);
      try {
        if (existsSync(folder)) await this.options.trash(folder);
      } catch (error) {
        statement(this.#place.db, 'UPDATE jobs SET dirty = 0 WHERE id = ?').run(id);
        throw this.#writer.ioError('move the job to the trash', error);
      }
      statement(this.#place.db, 'DELETE FROM jobs WHERE id = ?').run(id);
      this.#writer.emit('deleted', id);
    });
  }

  /**
   * Moves the whole library to `target` (an empty or new folder): copy, verify, `commit` (the
   * caller saves the new location), switch, then remove the old folder. Until `commit` succeeds the
   * old library stays in use and the copy is removed on failure; writes wait meanwhile.
   */
  moveTo(target: string, commit: (dir: string) => Promise<void>, onProgress: MoveProgressListener): Promise<{ warning?: string }> {
    return this.#writer.exclusive(async () => {
      const from = this.#place.dir;
      const to = await validateMoveTarget(from, target);
      this.#moving = true;
      try {
        try {
          await copyLibrary(from, this.#place.db, to, onProgress);
          onProgress({ phase: 'switching', copiedBytes: 0, totalBytes: 0 });
          await commit(to.dir);
        } catch (error) {
          await removeCopy(to).catch(() => undefined);
          throw error;
        }
        const { db, repaired } = await openIndex(to.dir, this.options.log);
        this.repairPending ||= !repaired;
        const old = this.#place.db;
        this.#place.db = db;
        this.#place.dir = to.dir;
        old.close();
        this.#writer.emit('reset');
        onProgress({ phase: 'removing', copiedBytes: 0, totalBytes: 0 });
        try {
          await removeLibrary(from);
          return {};
        } catch (error) {
          this.options.log.warn('library', `moved, but the old folder ${from} could not be removed`, error);
          return { warning: `The library was moved, but the old folder ${from} could not be removed; you can delete it yourself.` };
        }
      } finally {
        this.#moving = false;
      }
    });
  }
}
