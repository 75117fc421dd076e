/**
 * The files of a job after it is created: how each frame reached RunComfy, its poster, and its
 * video (streamed in as `.kftmp`, listed as incomplete until every byte is there).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../contract/errors';
import type { FrameHost, FrameRole } from '../../contract/library';
import { TEMP_SUFFIX } from './layout';
import { FileName } from './manifest';
import type { FileEntry, JobRecord, VideoTiming } from './manifest';
import type { JobWriter } from './write-protocol';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

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

function checkName(name: string): string {
  const parsed = FileName.safeParse(name);
  if (!parsed.success) throw new AppError('invalid_input', `"${name.slice(0, 60)}" cannot be used as a file name in a job folder.`);
  return parsed.data;
}

function putFile(record: JobRecord, entry: FileEntry): void {
  const index = record.files.findIndex((file) => file.name === entry.name);
  if (index >= 0) record.files[index] = entry;
  else record.files.push(entry);
}

/** How a frame reached RunComfy: which host, the address it was given (redacted), and what it was re-encoded from. */
export function recordFrameHost(writer: JobWriter, id: string, sent: SentAs & { role: FrameRole }): Promise<JobRecord> {
  return writer.update(id, (record) => {
    const frame = record.files.find((file) => file.kind === 'frame' && file.role === sent.role);
    if (!frame) throw new AppError('invalid_input', `Job ${id} has no ${sent.role} frame.`);
    Object.assign(frame, sentFields(sent));
  });
}

/** What a frame entry records of how it was sent: the host, the address (redacted), what it was re-encoded from. */
export function sentFields({ host, url, reencodedFrom }: SentAs): Pick<FileEntry, 'host' | 'sentUrl' | 'reencodedFrom'> {
  return { host, sentUrl: describeSentUrl(host, url), ...(reencodedFrom ? { reencodedFrom } : {}) };
}

/** How a frame reached RunComfy. */
export interface SentAs {
  host: FrameHost;
  url: string;
  reencodedFrom?: FileEntry['reencodedFrom'];
}

/** Adds or replaces a whole file (a poster, or a video already in memory). A job has one poster. */
export async function addFile(
  writer: JobWriter,
  id: string,
  file: { kind: 'video' | 'poster'; name: string; bytes: Uint8Array },
): Promise<JobRecord> {
  const name = checkName(file.name);
  const entry: FileEntry = { name, kind: file.kind, bytes: file.bytes.byteLength, sha256: sha256(file.bytes), complete: true };
  let replaced: string[] = [];
  // The job stays marked dirty until a replaced poster is gone too, so a kill in between is
  // finished on the next open (reconcile removes posters the record does not list).
  const record = await writer.update(
    id,
    (next) => {
      if (file.kind === 'poster') {
        replaced = next.files.filter((f) => f.kind === 'poster' && f.name !== name).map((f) => f.name);
        next.files = next.files.filter((f) => !replaced.includes(f.name));
      }
      putFile(next, entry);
    },
    [{ name, bytes: file.bytes }],
    { leaveDirty: file.kind === 'poster' },
  );
  if (file.kind === 'poster') {
    await writer.exclusive(async () => {
      for (const old of replaced) await rm(join(writer.folderOf(id), old), { force: true });
      writer.clearDirty(id, record.revision);
    });
  }
  return record;
}

/**
 * Starts a download: the video is listed as incomplete and the path to stream into is returned.
 * Call `finishVideo` when every byte is there. A kill meanwhile discards the partial file.
 */
export async function beginVideo(writer: JobWriter, id: string, name: string): Promise<string> {
  const checked = checkName(name);
  await writer.update(id, (record) => putFile(record, { name: checked, kind: 'video', bytes: 0, complete: false }), [], {
    leaveDirty: true,
  });
  return join(writer.folderOf(id), checked + TEMP_SUFFIX);
}

/** `timing`: the video's real length and frames, when they could be read from the file. */
export function finishVideo(writer: JobWriter, id: string, name: string, timing?: VideoTiming): Promise<JobRecord> {
  const checked = checkName(name);
  const partial = join(writer.folderOf(id), checked + TEMP_SUFFIX);
  return writer.exclusive(async () => {
    let size: number;
    let hash: string;
    try {
      size = (await stat(partial)).size;
      hash = await sha256File(partial);
    } catch (error) {
      throw new AppError('not_found', `The download of ${checked} for job ${id} was not found; start it again.`, { cause: error });
    }
    return writer.updateLocked(
      id,
      (record) => putFile(record, { name: checked, kind: 'video', bytes: size, sha256: hash, complete: true, ...timing }),
      [{ name: checked }],
    );
  });
}
