/**
 * THE storage API for jobs. The Jobs runner, the headless entries and the gallery all go through
 * it: create a job before it is submitted, record what happens to it, add its files, read, list,
 * search and delete.
 *
 * Every write follows one order, so that a kill at any moment leaves a library that opening
 * repairs to a consistent state (reconcile.ts): mark the job dirty → write new files as `.kftmp`
 * → one transaction with the new record → rename the files into place → rewrite job.json → clear
 * the mark. Writes are serialised; reads never wait.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AppError } from '../../contract/errors';
import { LibraryQuery, terminalStatuses } from '../../contract/library';
import type {
  FrameHost,
  FrameRole,
  JobDetail,
  JobStatus,
  LibraryNotice,
  LibraryPage,
  LibraryQuery as LibraryQueryInput,
} from '../../contract/library';
import type { JobCost, Spend } from '../../contract/price';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { MediaUrl } from '../media';
import { statement } from './database';
import type { Db } from './database';
import { TEMP_SUFFIX, incomingDir, jobDir, newJobId } from './layout';
import { FileName, MANIFEST_FORMAT, writeManifest } from './manifest';
import type { FileEntry, JobRecord, JobTag } from './manifest';
import { copyLibrary, removeCopy, removeLibrary, validateMoveTarget } from './move';
import type { MoveProgressListener } from './move';
import { openIndex } from './open';
import { detailFromRecord, summaryFromRow } from './present';
import { listRows, spendOf } from './queries';
import { readRecord, writeRow } from './rows';

export const DEFAULT_MODEL = 'kling/kling-video-o1/image-to-video';
export const FRAME_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'avif'] as const;

export interface NewFrame {
  role: FrameRole;
  /** The exact bytes that will be sent. */
  bytes: Uint8Array;
  /** File type, e.g. "png"; the file is stored as `<role>.<ext>`. */
  ext: (typeof FRAME_EXTENSIONS)[number];
  /** The user's own file name, kept for display. */
  originalName?: string;
}

export interface NewJob {
  prompt: string;
  duration: 5 | 10;
  model?: string;
  frames?: NewFrame[];
  /** Defaults to now; seeding and tests set it. */
  createdAt?: Date;
  /** A storyboard's take (storyboard/). */
  tag?: JobTag;
}

export interface StatusDetails {
  /** Shown in the history, e.g. "cancel refused: already running". */
  note?: string;
  /** The server's own words for a failure. */
  error?: string;
  requestId?: string;
}

export interface LibraryStoreOptions {
  dir: string;
  log: Logger;
  events: EventBus;
  mediaUrl: MediaUrl;
  /** Moves a folder to the OS trash (Platform.trashItem). */
  trash: (path: string) => Promise<void>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What the library keeps of an address a frame was sent as: never a signature, token or password. */
export function describeSentUrl(host: FrameHost, url: string): string {
  if (host === 'data-uri') return `${url.slice(0, Math.max(0, url.indexOf(',') + 1)).slice(0, 60)}…`;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/sig|token|key|auth|credential|policy|secret|password|x-amz-|x-goog-|expires/i.test(key)) parsed.searchParams.delete(key);
    }
    return parsed.toString();
  } catch {
    return '(not a valid address)';
  }
}

/** A write error's cause in the user's words (Node's errno codes and SQLite's result codes). */
export function whyWriteFailed(code: string | undefined): string {
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return 'the disk is full';
  if (code === 'EROFS' || code?.startsWith('SQLITE_READONLY')) return 'the folder is read-only';
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM') return 'permission was denied';
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED'))
    return 'its database is locked by another program; close it and try again';
  return 'a file error';
}

const notFound = (id: string) => new AppError('not_found', `Job ${id} is not in the library (it may have been deleted).`);

interface PendingFile {
  name: string;
  /** Absent when the `.kftmp` file was already written (a finished download). */
  bytes?: Uint8Array;
}

export class LibraryStore {
  #dir: string;
  #db: Db;
  #queue: Promise<unknown> = Promise.resolve();
  #moving = false;
  notice?: LibraryNotice;

  private constructor(
    dir: string,
    db: Db,
    private readonly options: LibraryStoreOptions,
  ) {
    this.#dir = dir;
    this.#db = db;
  }

  static async open(options: LibraryStoreOptions): Promise<LibraryStore> {
    const { db, notice } = await openIndex(options.dir, options.log);
    const store = new LibraryStore(options.dir, db, options);
    store.notice = notice;
    return store;
  }

  get dir(): string {
    return this.#dir;
  }

  get moving(): boolean {
    return this.#moving;
  }

  /** The absolute path of a job's folder. */
  folderOf(id: string): string {
    return jobDir(this.#dir, id);
  }

  /** The absolute path of a file the job lists. */
  fileOf(id: string, name: string): string {
    const record = this.require(id);
    if (!record.files.some((file) => file.name === name)) throw new AppError('not_found', `Job ${id} has no file called ${name}.`);
    return join(this.folderOf(id), name);
  }

  /** Waits for writes in progress, then closes the index. */
  async close(): Promise<void> {
    await this.#queue;
    if (this.#db.open) this.#db.close();
  }

  // ---- reads -------------------------------------------------------------------------------

  get(id: string): JobRecord | undefined {
    return readRecord(this.#db, id);
  }

  require(id: string): JobRecord {
    const record = this.get(id);
    if (!record) throw notFound(id);
    return record;
  }

  detail(id: string): JobDetail {
    const record = this.require(id);
    const row = statement(this.#db, 'SELECT queue_position FROM jobs WHERE id = ?').get(id) as { queue_position: number | null };
    return detailFromRecord(record, row.queue_position, this.options.mediaUrl);
  }

  list(query: LibraryQueryInput = {}): LibraryPage {
    const parsed = LibraryQuery.parse(query);
    const { total, rows } = listRows(this.#db, parsed);
    return { total, offset: parsed.offset, items: rows.map((row) => summaryFromRow(row, this.options.mediaUrl)) };
  }

  /** What the jobs matching the query cost, by their reported costs. */
  spend(query: LibraryQueryInput = {}): Spend {
    return spendOf(this.#db, LibraryQuery.parse(query));
  }

  count(): number {
    return (statement(this.#db, 'SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
  }

  /** Jobs the runner must follow after a restart: not finished, or finished with the video not yet downloaded. */
  listOpen(): JobRecord[] {
    const rows = statement(
      this.#db,
      `SELECT record FROM jobs WHERE status IN ('submitting', 'submit_unknown', 'queued', 'running') OR downloading = 1
       ORDER BY created_at, seq`,
    ).all() as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as JobRecord);
  }

  /** A storyboard's takes, oldest first. */
  taggedWith(storyboard: string): JobRecord[] {
    const rows = statement(this.#db, 'SELECT record FROM jobs WHERE storyboard = ? ORDER BY created_at, seq').all(storyboard) as {
      record: string;
    }[];
    return rows.map((row) => JSON.parse(row.record) as JobRecord);
  }

  /** The index itself, for the storyboards' tables in the same file (storyboard/board-store.ts). It changes when the library moves. */
  get database(): Db {
    return this.#db;
  }

  findByRequestId(requestId: string): JobRecord | undefined {
    const row = statement(this.#db, 'SELECT id FROM jobs WHERE request_id = ?').get(requestId) as { id: string } | undefined;
    return row ? this.get(row.id) : undefined;
  }

  // ---- writes ------------------------------------------------------------------------------

  /** Creates the job (status `submitting`) with its frames, before anything is sent. */
  createJob(input: NewJob): Promise<JobRecord> {
    return this.#exclusive(async () => {
      const createdAt = input.createdAt ?? new Date();
      let id = newJobId(createdAt);
      while (this.get(id) || existsSync(this.folderOf(id))) id = newJobId(createdAt);
      const roles = new Set<FrameRole>();
      const files: FileEntry[] = [];
      for (const frame of input.frames ?? []) {
        if (roles.has(frame.role)) throw new AppError('invalid_input', `A job has one ${frame.role} frame, not two.`);
        if (!FRAME_EXTENSIONS.includes(frame.ext)) throw new AppError('invalid_input', `Frames cannot be .${String(frame.ext)} files.`);
        roles.add(frame.role);
        files.push({
          name: `${frame.role}.${frame.ext}`,
          kind: 'frame',
          role: frame.role,
          bytes: frame.bytes.byteLength,
          sha256: sha256(frame.bytes),
          complete: true,
          ...(frame.originalName ? { originalName: frame.originalName.slice(0, 255) } : {}),
        });
      }
      const at = createdAt.toISOString();
      const record: JobRecord = {
        format: MANIFEST_FORMAT,
        id,
        revision: 1,
        createdAt: at,
        updatedAt: at,
        status: 'submitting',
        prompt: input.prompt,
        duration: input.duration,
        model: input.model ?? DEFAULT_MODEL,
        favourite: false,
        history: [{ status: 'submitting', at }],
        files,
        ...(input.tag ? { tag: input.tag } : {}),
      };
      const incoming = incomingDir(this.#dir, id);
      const folder = this.folderOf(id);
      try {
        await mkdir(incoming, { recursive: true });
        for (const [index, frame] of (input.frames ?? []).entries()) await writeFile(join(incoming, files[index].name), frame.bytes);
        writeRow(this.#db, record, true);
      } catch (error) {
        await rm(incoming, { recursive: true, force: true });
        throw this.#ioError('create the job', error);
      }
      try {
        await this.#settle(record, async () => {
          await mkdir(dirname(folder), { recursive: true });
          await rename(incoming, folder);
        });
      } catch (error) {
        // Nothing has been sent yet, so the job is undone rather than left half-made. (If even
        // that fails, the row stays marked dirty and the next open repairs it.)
        try {
          statement(this.#db, 'DELETE FROM jobs WHERE id = ?').run(id);
          await rm(incoming, { recursive: true, force: true });
          await rm(folder, { recursive: true, force: true });
        } catch (undo) {
          this.options.log.warn('library', `could not undo the half-created job ${id}`, undo);
        }
        throw this.#ioError('create the job', (error as AppError).cause ?? error);
      }
      this.#emit('created', id);
      return record;
    });
  }

  /**
   * Records a status change with its time. Terminal states (completed, failed, cancelled, expired)
   * are final, but for a completed job whose video never arrived: RunComfy's result may still say
   * it failed, was cancelled or is gone. Repeating the current status only updates the details.
   */
  recordStatus(id: string, status: JobStatus, details: StatusDetails = {}): Promise<JobRecord> {
    return this.#update(id, (record, at) => {
      const videoless = record.status === 'completed' && !record.files.some((file) => file.kind === 'video' && file.complete);
      if (record.status !== status && terminalStatuses.includes(record.status) && !videoless) {
        throw new AppError('invalid_input', `Job ${id} is already ${record.status}; it cannot become ${status}.`);
      }
      if (details.requestId) record.requestId = details.requestId;
      if (details.error !== undefined) record.error = details.error;
      if (record.status !== status || details.note) record.history.push({ status, at, ...(details.note ? { note: details.note } : {}) });
      if (record.status !== status) {
        if (status === 'queued' || (status === 'running' && !record.submittedAt)) record.submittedAt ??= at;
        if (status === 'running') record.startedAt ??= at;
        if (terminalStatuses.includes(status)) record.finishedAt = at;
      }
      record.status = status;
    });
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
      changed = statement(this.#db, 'UPDATE jobs SET queue_position = ? WHERE id = ?').run(position, id).changes;
    } catch (error) {
      throw this.#ioError('save the queue position', error);
    }
    if (!changed) throw notFound(id);
    this.#emit('updated', id);
  }

  /** What RunComfy reported the job cost (kept as reported; a different later report replaces it). */
  async recordCost(id: string, cost: JobCost): Promise<JobRecord> {
    const current = this.require(id);
    if (isDeepStrictEqual(current.cost, cost)) return current;
    return this.#update(id, (record) => {
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
    return this.#update(id, (record) => {
      const frame = record.files.find((file) => file.kind === 'frame' && file.role === role);
      if (!frame) throw new AppError('invalid_input', `Job ${id} has no ${role} frame.`);
      frame.host = host;
      frame.sentUrl = describeSentUrl(host, url);
      if (reencodedFrom) frame.reencodedFrom = reencodedFrom;
    });
  }

  setFavourite(id: string, favourite: boolean): Promise<JobRecord> {
    return this.#update(id, (record) => {
      record.favourite = favourite;
    });
  }

  /** Adds or replaces a whole file (a poster, or a video already in memory). A job has one poster. */
  async addFile(id: string, file: { kind: 'video' | 'poster'; name: string; bytes: Uint8Array }): Promise<JobRecord> {
    const name = this.#checkName(file.name);
    const entry: FileEntry = { name, kind: file.kind, bytes: file.bytes.byteLength, sha256: sha256(file.bytes), complete: true };
    let replaced: string[] = [];
    // The job stays marked dirty until a replaced poster is gone too, so a kill in between is
    // finished on the next open (reconcile removes posters the record does not list).
    const record = await this.#update(
      id,
      (next) => {
        if (file.kind === 'poster') {
          replaced = next.files.filter((f) => f.kind === 'poster' && f.name !== name).map((f) => f.name);
          next.files = next.files.filter((f) => !replaced.includes(f.name));
        }
        this.#putFile(next, entry);
      },
      [{ name, bytes: file.bytes }],
      { leaveDirty: file.kind === 'poster' },
    );
    if (file.kind === 'poster') {
      await this.#exclusive(async () => {
        for (const old of replaced) await rm(join(this.folderOf(id), old), { force: true });
        statement(this.#db, 'UPDATE jobs SET dirty = 0 WHERE id = ? AND revision = ?').run(id, record.revision);
      });
    }
    return record;
  }

  /**
   * Starts a download: the video is listed as incomplete and the path to stream into is returned.
   * Call `finishVideo` when every byte is there. A kill meanwhile discards the partial file.
   */
  async beginVideo(id: string, name = 'video.mp4'): Promise<string> {
    const checked = this.#checkName(name);
    await this.#update(id, (record) => this.#putFile(record, { name: checked, kind: 'video', bytes: 0, complete: false }), [], {
      leaveDirty: true,
    });
    return join(this.folderOf(id), checked + TEMP_SUFFIX);
  }

  finishVideo(id: string, name = 'video.mp4'): Promise<JobRecord> {
    const checked = this.#checkName(name);
    const partial = join(this.folderOf(id), checked + TEMP_SUFFIX);
    return this.#exclusive(async () => {
      let size: number;
      let hash: string;
      try {
        size = (await stat(partial)).size;
        hash = await sha256File(partial);
      } catch (error) {
        throw new AppError('not_found', `The download of ${checked} for job ${id} was not found; start it again.`, { cause: error });
      }
      return this.#updateLocked(
        id,
        (record) => this.#putFile(record, { name: checked, kind: 'video', bytes: size, sha256: hash, complete: true }),
        [{ name: checked }],
      );
    });
  }

  /** Moves the job's folder to the OS trash and removes it from the index. */
  delete(id: string): Promise<void> {
    return this.#exclusive(async () => {
      this.require(id);
      const folder = this.folderOf(id);
      statement(this.#db, 'UPDATE jobs SET dirty = 1 WHERE id = ?').run(id);
      try {
        if (existsSync(folder)) await this.options.trash(folder);
      } catch (error) {
        statement(this.#db, 'UPDATE jobs SET dirty = 0 WHERE id = ?').run(id);
        throw this.#ioError('move the job to the trash', error);
      }
      statement(this.#db, 'DELETE FROM jobs WHERE id = ?').run(id);
      this.#emit('deleted', id);
    });
  }

  /**
   * Moves the whole library to `target` (an empty or new folder): copy, verify, `commit` (the
   * caller saves the new location), switch, then remove the old folder. Until `commit` succeeds the
   * old library stays in use and the copy is removed on failure; writes wait meanwhile.
   */
  moveTo(target: string, commit: (dir: string) => Promise<void>, onProgress: MoveProgressListener): Promise<{ warning?: string }> {
    return this.#exclusive(async () => {
      const from = this.#dir;
      const to = await validateMoveTarget(from, target);
      this.#moving = true;
      try {
        try {
          await copyLibrary(from, this.#db, to, onProgress);
          onProgress({ phase: 'switching', copiedBytes: 0, totalBytes: 0 });
          await commit(to.dir);
        } catch (error) {
          await removeCopy(to).catch(() => undefined);
          throw error;
        }
        const { db } = await openIndex(to.dir, this.options.log);
        const old = this.#db;
        this.#db = db;
        this.#dir = to.dir;
        old.close();
        this.#emit('reset');
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

  // ---- the write protocol ------------------------------------------------------------------

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #update(
    id: string,
    change: (record: JobRecord, at: string) => void,
    files: PendingFile[] = [],
    options: { leaveDirty?: boolean } = {},
  ): Promise<JobRecord> {
    return this.#exclusive(() => this.#updateLocked(id, change, files, options));
  }

  async #updateLocked(
    id: string,
    change: (record: JobRecord, at: string) => void,
    files: PendingFile[],
    options: { leaveDirty?: boolean } = {},
  ): Promise<JobRecord> {
    const current = this.require(id);
    const at = new Date().toISOString();
    const next = structuredClone(current);
    change(next, at);
    next.revision = current.revision + 1;
    next.updatedAt = at;
    const folder = this.folderOf(id);
    const wasDirty = (statement(this.#db, 'SELECT dirty FROM jobs WHERE id = ?').get(id) as { dirty: number }).dirty === 1;
    try {
      if (files.length) {
        statement(this.#db, 'UPDATE jobs SET dirty = 1 WHERE id = ?').run(id);
        for (const file of files) if (file.bytes) await writeFile(join(folder, file.name + TEMP_SUFFIX), file.bytes);
      }
      writeRow(this.#db, next, true);
    } catch (error) {
      for (const file of files) if (file.bytes) await rm(join(folder, file.name + TEMP_SUFFIX), { force: true }).catch(() => undefined);
      try {
        if (!wasDirty) statement(this.#db, 'UPDATE jobs SET dirty = 0 WHERE id = ? AND revision = ?').run(id, current.revision);
      } catch {
        // Left dirty: the next open checks this job's folder against the index.
      }
      throw this.#ioError('save the change', error);
    }
    await this.#settle(
      next,
      async () => {
        for (const file of files) await rename(join(folder, file.name + TEMP_SUFFIX), join(folder, file.name));
      },
      options.leaveDirty,
    );
    this.#emit('updated', id);
    return next;
  }

  /** After the commit: put files in place, rewrite job.json, clear the mark. A failure here is repaired on the next open. */
  async #settle(record: JobRecord, placeFiles: () => Promise<void>, leaveDirty = false): Promise<void> {
    try {
      await placeFiles();
      await writeManifest(this.folderOf(record.id), record);
    } catch (error) {
      throw this.#ioError('finish writing the job folder (it will be repaired when Keyframe next opens the library)', error);
    }
    if (!leaveDirty) statement(this.#db, 'UPDATE jobs SET dirty = 0 WHERE id = ? AND revision = ?').run(record.id, record.revision);
  }

  #putFile(record: JobRecord, entry: FileEntry): void {
    const index = record.files.findIndex((file) => file.name === entry.name);
    if (index >= 0) record.files[index] = entry;
    else record.files.push(entry);
  }

  #checkName(name: string): string {
    const parsed = FileName.safeParse(name);
    if (!parsed.success) throw new AppError('invalid_input', `"${name.slice(0, 60)}" cannot be used as a file name in a job folder.`);
    return parsed.data;
  }

  #ioError(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    this.options.log.error('library', `could not ${what}`, error);
    const why = whyWriteFailed((error as NodeJS.ErrnoException).code);
    return new AppError('io', `Keyframe could not ${what} in ${this.#dir} (${why}).`, { cause: error });
  }

  #emit(kind: 'created' | 'updated' | 'deleted' | 'reset', id?: string): void {
    this.options.events.emit('library:changed', id ? { kind, id } : { kind });
  }
}
