/**
 * `job.json`: each job folder describes itself in a small, human-readable file, enough to rebuild
 * the database from the folders alone. The database keeps the same record in its `record` column.
 * Written atomically (a `.kftmp` sibling, then rename), so a reader sees the old or the new file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Duration, FrameHost, FrameRole, JobId, JobStatus } from '../../contract/library';
import { JobCost } from '../../contract/price';
import { ShotKey, StoryboardId } from '../../contract/storyboard';
import { MANIFEST_FILE, TEMP_SUFFIX } from './layout';

export const MANIFEST_FORMAT = 'keyframe-job/1';

const Instant = z.iso.datetime({ offset: true });

/** A file inside the job folder: letters, digits, dot, dash, underscore; never a temp or the manifest. */
export const FileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/, 'Not a safe file name.')
  .refine((name) => name !== MANIFEST_FILE && !name.endsWith(TEMP_SUFFIX), 'Reserved file name.');

export const FileEntry = z.object({
  name: FileName,
  kind: z.enum(['frame', 'video', 'poster']),
  role: FrameRole.optional(),
  bytes: z.number().int().min(0),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** False while a video is still downloading. */
  complete: z.boolean(),
  host: FrameHost.optional(),
  sentUrl: z.string().optional(),
  originalName: z.string().max(255).optional(),
  /** The frame was sent (and is kept) as a copy re-encoded to fit inline; this is the picked file's size and type. */
  reencodedFrom: z.object({ bytes: z.number().int().min(0), ext: z.string().max(8) }).optional(),
  /** A video's real length in seconds, frames and frame rate, read from the MP4 when its download was
   *  checked (absent in older jobs; frames and frame rate also in jobs from before December 2026). */
  durationS: z.number().positive().optional(),
  frames: z.number().int().positive().optional(),
  frameRate: z.number().positive().optional(),
});
export type FileEntry = z.infer<typeof FileEntry>;

/** What a downloaded video's index tells of its timing. */
export interface VideoTiming {
  /** Seconds from the first frame (or sound) to the end of the last, as the export measures a take. */
  durationS: number;
  frames: number;
  /** Frames per second, on average. */
  frameRate: number;
}

/** A storyboard's take: its board, its shot, and the keyframes' hashes it was made from (start, end). */
export const JobTag = z.object({
  storyboard: StoryboardId,
  shot: ShotKey,
  from: z.tuple([z.string().regex(/^[0-9a-f]{64}$/), z.string().regex(/^[0-9a-f]{64}$/)]),
});
export type JobTag = z.infer<typeof JobTag>;

export const JobRecord = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: JobId,
  /** Goes up by one with every change; the database and job.json agree when theirs match. */
  revision: z.number().int().min(1),
  createdAt: Instant,
  updatedAt: Instant,
  status: JobStatus,
  prompt: z.string(),
  duration: Duration,
  model: z.string(),
  requestId: z.string().optional(),
  error: z.string().optional(),
  favourite: z.boolean(),
  submittedAt: Instant.optional(),
  startedAt: Instant.optional(),
  finishedAt: Instant.optional(),
  history: z.array(z.object({ status: JobStatus, at: Instant, note: z.string().optional() })),
  files: z.array(FileEntry),
  /** What RunComfy reported the job cost (absent until it does). */
  cost: JobCost.optional(),
  /** Written with the job in the same step, so a take is never sent without its storyboard knowing. */
  tag: JobTag.optional(),
});
export type JobRecord = z.infer<typeof JobRecord>;

export async function writeManifest(folder: string, record: JobRecord): Promise<void> {
  const path = join(folder, MANIFEST_FILE);
  await writeFile(path + TEMP_SUFFIX, JSON.stringify(record, null, 2) + '\n');
  await rename(path + TEMP_SUFFIX, path);
}

/** Reads and checks a job.json; throws with a readable reason when it is missing or malformed. */
export async function readManifest(folder: string): Promise<JobRecord> {
  const text = await readFile(join(folder, MANIFEST_FILE), 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('job.json is not valid JSON');
  }
  const parsed = JobRecord.safeParse(raw);
  if (!parsed.success) throw new Error(`job.json does not describe a job: ${z.prettifyError(parsed.error).split('\n')[0]}`);
  return parsed.data;
}
