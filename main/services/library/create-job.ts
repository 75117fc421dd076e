/** A new job in the library (status `submitting`) with its frames, written before anything is sent. */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../../contract/errors';
import type { FrameRole } from '../../contract/library';
import { acceptedExtensions, MODEL_ID } from '../../contract/model';
import { statement } from './database';
import { sentFields, sha256 } from './job-files';
import type { SentAs } from './job-files';
import { incomingDir, newJobId } from './layout';
import { MANIFEST_FORMAT } from './manifest';
import type { FileEntry, JobRecord, JobTag } from './manifest';
import { readRecord, writeRow } from './rows';
import type { JobWriter } from './write-protocol';

export interface NewFrame {
  role: FrameRole;
  /** The exact bytes that will be sent. */
  bytes: Uint8Array;
  /** File type, one of the model's accepted extensions, e.g. "png"; the file is stored as `<role>.<ext>`. */
  ext: string;
  /** The user's own file name, kept for display. */
  originalName?: string;
  /** The sha256 of `bytes` when the caller has just computed it (the runner checks each frame once). */
  sha256?: string;
  /** How the frame reached RunComfy, recorded with the job so the job is written once before it is sent. */
  sentAs?: SentAs;
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

function frameEntries(frames: readonly NewFrame[]): FileEntry[] {
  const roles = new Set<FrameRole>();
  return frames.map((frame) => {
    if (roles.has(frame.role)) throw new AppError('invalid_input', `A job has one ${frame.role} frame, not two.`);
    if (!acceptedExtensions.includes(frame.ext)) throw new AppError('invalid_input', `Frames cannot be .${String(frame.ext)} files.`);
    roles.add(frame.role);
    return {
      name: `${frame.role}.${frame.ext}`,
      kind: 'frame',
      role: frame.role,
      bytes: frame.bytes.byteLength,
      sha256: frame.sha256 ?? sha256(frame.bytes),
      complete: true,
      ...(frame.originalName ? { originalName: frame.originalName.slice(0, 255) } : {}),
      ...(frame.sentAs ? sentFields(frame.sentAs) : {}),
    };
  });
}

export function createJob(writer: JobWriter, input: NewJob): Promise<JobRecord> {
  return writer.exclusive(async () => {
    const { db, dir } = writer.place;
    const createdAt = input.createdAt ?? new Date();
    let id = newJobId(createdAt);
    while (readRecord(db, id) || existsSync(writer.folderOf(id))) id = newJobId(createdAt);
    const frames = input.frames ?? [];
    const files = frameEntries(frames);
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
      model: input.model ?? MODEL_ID,
      favourite: false,
      history: [{ status: 'submitting', at }],
      files,
      ...(input.tag ? { tag: input.tag } : {}),
    };
    const incoming = incomingDir(dir, id);
    const folder = writer.folderOf(id);
    try {
      await mkdir(incoming, { recursive: true });
      for (const [index, frame] of frames.entries()) await writeFile(join(incoming, files[index].name), frame.bytes);
      writeRow(db, record, true);
    } catch (error) {
      await rm(incoming, { recursive: true, force: true });
      throw writer.ioError('create the job', error);
    }
    try {
      await writer.settle(record, async () => {
        await mkdir(dirname(folder), { recursive: true });
        await rename(incoming, folder);
      });
    } catch (error) {
      // Nothing has been sent yet, so the job is undone rather than left half-made. (If even
      // that fails, the row stays marked dirty and the next open repairs it.)
      try {
        statement(db, 'DELETE FROM jobs WHERE id = ?').run(id);
        await rm(incoming, { recursive: true, force: true });
        await rm(folder, { recursive: true, force: true });
      } catch (undo) {
        writer.log.warn('library', `could not undo the half-created job ${id}`, undo);
      }
      throw writer.ioError('create the job', (error as AppError).cause ?? error);
    }
    writer.emit('created', id);
    return record;
  });
}
