/**
 * The Storyboard: an ordered strip of keyframes K1…Kn; each neighbouring pair is a shot with its
 * own prompt and duration, so every seam is exact by construction. A shot's takes are ordinary
 * jobs tagged with the board and the pair of keyframes they were made from.
 */
import { z } from 'zod';
import { Duration, JobId, JobStatus, ShotKey, StoryboardId } from './library';

export { ShotKey, StoryboardId } from './library';

export const MIN_KEYFRAMES = 2;
export const MAX_KEYFRAMES = 30;
export const MAX_TAKES_PER_SHOT = 4;

/** A keyframe's id within its board; it stays when the keyframe is replaced or fixed. */
export const KeyframeId = z.string().regex(/^k[0-9a-z]{8}$/, 'Not a keyframe id.');
export type KeyframeId = z.infer<typeof KeyframeId>;

export const StoryKeyframe = z.object({
  id: KeyframeId,
  name: z.string(),
  mediaUrl: z.string(),
  /** Its thumbnail: what the strip, the shots and the takes without a poster show. */
  thumbUrl: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  /** Passes the model's frame rules; a shot next to a keyframe that does not cannot be made. */
  accepted: z.boolean(),
  /** When it was last replaced or fixed (its neighbouring shots' older takes turn stale). */
  changedAt: z.string().optional(),
});
export type StoryKeyframe = z.infer<typeof StoryKeyframe>;

export const Take = z.object({
  jobId: JobId,
  status: JobStatus,
  /** Made from keyframes that have since been replaced or fixed. */
  stale: z.boolean(),
  videoUrl: z.string().optional(),
  posterUrl: z.string().optional(),
  /** The video's length when known, else the requested duration. */
  durationS: z.number().positive(),
  costUsd: z.number().nonnegative().optional(),
  error: z.string().optional(),
  createdAt: z.string(),
});
export type Take = z.infer<typeof Take>;

export const Shot = z.object({
  key: ShotKey,
  /** 0-based position in the strip: between keyframes `index` and `index + 1`. */
  index: z.number().int().nonnegative(),
  prompt: z.string().max(2500),
  duration: Duration,
  takes: z.array(Take),
  pickedJobId: JobId.optional(),
  /** Its picked take (or, with none picked, every take) was made from an older keyframe: offer "make again". */
  stale: z.boolean(),
});
export type Shot = z.infer<typeof Shot>;

export const Storyboard = z.object({
  id: StoryboardId,
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  takesPerShot: z.number().int().min(1).max(MAX_TAKES_PER_SHOT),
  keyframes: z.array(StoryKeyframe).max(MAX_KEYFRAMES),
  shots: z.array(Shot),
});
export type Storyboard = z.infer<typeof Storyboard>;

export const StoryboardSummary = z.object({
  id: StoryboardId,
  name: z.string(),
  updatedAt: z.string(),
  keyframes: z.number().int(),
  shots: z.number().int(),
  /** Shots with a picked, completed take. */
  ready: z.number().int(),
  posterUrl: z.string().optional(),
});
export type StoryboardSummary = z.infer<typeof StoryboardSummary>;

export const StoryboardName = z.string().trim().min(1, 'Give the storyboard a name.').max(120);

export const StoryboardPatch = z
  .object({ name: StoryboardName.optional(), takesPerShot: z.number().int().min(1).max(MAX_TAKES_PER_SHOT).optional() })
  .strict();
export type StoryboardPatch = z.infer<typeof StoryboardPatch>;

/** Puts a frame picked and checked through `frames:*` into the strip, before `at` or in its place. */
export const PutKeyframe = z
  .object({
    frameId: z.string().min(1).max(100),
    at: z.number().int().min(0).max(MAX_KEYFRAMES),
    mode: z.enum(['insert', 'replace']),
  })
  .strict();
export type PutKeyframe = z.infer<typeof PutKeyframe>;

export const ShotPatch = z.object({ prompt: z.string().max(2500).optional(), duration: Duration.optional() }).strict();
export type ShotPatch = z.infer<typeof ShotPatch>;

/** Which shots to make: the named ones, or every shot without a picked take ("Make all"). */
export const MakeRequest = z.object({ shots: z.union([z.array(ShotKey).min(1).max(MAX_KEYFRAMES), z.literal('unpicked')]) }).strict();
export type MakeRequest = z.infer<typeof MakeRequest>;

/** What "Make" would send, shown on one line before sending. */
export const MakePlan = z.object({
  shots: z.array(ShotKey),
  jobs: z.number().int().nonnegative(),
  seconds: z.number().int().nonnegative(),
  /** The estimate from RunComfy's price, when it could be read. */
  estimateUsd: z.number().nonnegative().optional(),
  /** Why it cannot be sent as is (a shot without a prompt, a keyframe the model refuses). */
  blockers: z.array(z.string()),
});
export type MakePlan = z.infer<typeof MakePlan>;

export const MakeResult = z.object({ sent: z.array(JobId), problems: z.array(z.string()) });
export type MakeResult = z.infer<typeof MakeResult>;

export const ExportProgress = z.object({
  id: StoryboardId,
  phase: z.enum(['checking', 'writing', 'done', 'cancelled', 'failed']),
  /** 0..1 */
  fraction: z.number(),
  message: z.string(),
});
export type ExportProgress = z.infer<typeof ExportProgress>;

/** The largest chunk of a re-encoded export main takes in one message (base64 in JSON, like a poster image). */
export const MAX_EXPORT_CHUNK_BYTES = 4 * 1024 * 1024;

export const ExportUploadId = z.string().regex(/^[0-9a-f]{32}$/, 'Not an export upload id.');
export type ExportUploadId = z.infer<typeof ExportUploadId>;

/** One chunk of a re-encoded export, as base64 (at most MAX_EXPORT_CHUNK_BYTES once decoded). */
export const ExportChunk = z
  .string()
  .max(Math.ceil(MAX_EXPORT_CHUNK_BYTES / 3) * 4, 'A chunk of the export is over 4 MB.')
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'A chunk of the export is not base64.');

/**
 * Takes that differ in codec, size or frame rate: main chose the file and opened it for upload;
 * the renderer re-encodes `takes` (in order, from the app's media folders) and sends the bytes
 * with `storyboard:writeExport`, then `storyboard:finishExport`.
 */
export const ExportTicket = z.object({
  uploadId: ExportUploadId,
  takes: z.array(z.object({ url: z.string(), label: z.string() })),
  /** The takes' length together, which the finished file must match. */
  durationS: z.number().nonnegative(),
  /** Why a remux could not join them, in the user's words. */
  reason: z.string(),
});
export type ExportTicket = z.infer<typeof ExportTicket>;

export const ExportResult = z.object({
  /** Absent when the user closed the save dialog. */
  path: z.string().optional(),
  sidecarPath: z.string().optional(),
  durationS: z.number().nonnegative().optional(),
  /** `remux`: the takes' own frames, copied; `reencode`: their codecs or sizes differed. */
  mode: z.enum(['remux', 'reencode']).optional(),
  /** Set instead of a path when the takes must be re-encoded in the renderer first. */
  reencode: ExportTicket.optional(),
});
export type ExportResult = z.infer<typeof ExportResult>;

export const StoryboardChange = z.object({
  kind: z.enum(['created', 'updated', 'deleted']),
  id: StoryboardId,
  /** The board's name now (absent when it was deleted): takes shown elsewhere carry it. */
  name: z.string().optional(),
});
export type StoryboardChange = z.infer<typeof StoryboardChange>;
