/**
 * The library's types as they cross to the renderer: job summaries for the gallery grid, the full
 * job for the detail view, list queries and the library's own notices. Times are ISO strings.
 */
import { z } from 'zod';
import { JobCost } from './price';

/** `YYYYMMDD-HHMMSS-xxxxxx` (UTC time + 6 random base-36 characters): sortable and folder-safe. */
export const JobId = z.string().regex(/^\d{8}-\d{6}-[0-9a-z]{6}$/, 'Not a Keyframe job id.');
export type JobId = z.infer<typeof JobId>;

/** A storyboard's id (the board lives in the library beside its takes; see storyboard.ts). */
export const StoryboardId = z.string().regex(/^sb-\d{8}-\d{6}-[0-9a-z]{6}$/, 'Not a Keyframe storyboard id.');
export type StoryboardId = z.infer<typeof StoryboardId>;

/** A shot is named by the keyframes it goes between: `${startKeyframeId}>${endKeyframeId}`. */
export const ShotKey = z.string().regex(/^k[0-9a-z]{8}>k[0-9a-z]{8}$/, 'Not a shot.');
export type ShotKey = z.infer<typeof ShotKey>;

/**
 * A storyboard's take as the Queue and the Library name it: "Storyboard ‹name› · shot 2". The
 * board's name is read when the job is shown, so a renamed board shows its new name.
 */
export const TakeOf = z.object({
  /** The board now; absent when it was deleted (its takes stay in the library). */
  storyboard: z.object({ id: StoryboardId, name: z.string() }).optional(),
  shot: ShotKey,
  /** The shot's place in the board's strip (1 = the first); absent when the board no longer has that pair of keyframes side by side. */
  shotNumber: z.number().int().min(1).optional(),
});
export type TakeOf = z.infer<typeof TakeOf>;

/**
 * Where a job is. `submitting`: created, the request is on its way; `submit_unknown`: the app
 * stopped while submitting, so whether RunComfy got it is unknown; then the API's own states.
 * Downloading is not a status: a `completed` job whose video is not yet complete is downloading.
 */
/** `expired`: RunComfy no longer has the job or its video (results are kept 7 days); the inputs stay for a re-run. */
export const JobStatus = z.enum(['submitting', 'submit_unknown', 'queued', 'running', 'completed', 'failed', 'cancelled', 'expired']);
export type JobStatus = z.infer<typeof JobStatus>;

export const terminalStatuses: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'expired'];

export const Duration = z.union([z.literal(5), z.literal(10)]);

/** How a frame reached RunComfy (see API.md, "File inputs"). */
export const FrameHost = z.enum(['url', 's3', 'data-uri']);
export type FrameHost = z.infer<typeof FrameHost>;

export const FrameRole = z.enum(['start', 'end']);
export type FrameRole = z.infer<typeof FrameRole>;

/** The gallery's filter on status, in the user's words. */
export const StatusFilter = z.enum(['all', 'completed', 'active', 'failed', 'cancelled', 'expired']);
export type StatusFilter = z.infer<typeof StatusFilter>;

export const LibrarySort = z.enum(['newest', 'oldest', 'prompt']);
export type LibrarySort = z.infer<typeof LibrarySort>;

export const LibraryQuery = z
  .object({
    /** Words to find in prompts; each word matches as a prefix ("fox" finds "foxes"). */
    text: z.string().max(200).default(''),
    status: StatusFilter.default('all'),
    duration: z.union([z.literal('any'), Duration]).default('any'),
    /** Jobs created at or after this instant (the renderer turns local days into instants). */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Jobs created before this instant. */
    to: z.iso.datetime({ offset: true }).optional(),
    favourites: z.boolean().default(false),
    /** Only jobs whose reported cost is at least this many dollars (0: every job with a cost). */
    minCostUsd: z.number().min(0).max(1_000_000).optional(),
    sort: LibrarySort.default('newest'),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type LibraryQuery = z.input<typeof LibraryQuery>;
export type LibraryQueryParsed = z.output<typeof LibraryQuery>;

/** One card in the gallery. */
export const JobSummary = z.object({
  id: JobId,
  createdAt: z.string(),
  status: JobStatus,
  /** The prompt, cut to a card-sized excerpt. */
  prompt: z.string(),
  duration: Duration,
  favourite: z.boolean(),
  posterUrl: z.string().optional(),
  /** The complete video, when there is one. */
  videoUrl: z.string().optional(),
  /** A thumbnail of the start frame as sent: the card's picture while there is no poster. */
  startFrameThumbUrl: z.string().optional(),
  /** Completed by RunComfy but the video is not (yet) complete on disk. */
  downloading: z.boolean(),
  error: z.string().optional(),
  /** What RunComfy reported the job cost, in dollars. */
  costUsd: z.number().optional(),
  /** A storyboard's take: which board and shot. */
  take: TakeOf.optional(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const LibraryPage = z.object({
  total: z.number().int(),
  offset: z.number().int(),
  items: z.array(JobSummary),
});
export type LibraryPage = z.infer<typeof LibraryPage>;

export const StatusChange = z.object({ status: JobStatus, at: z.string(), note: z.string().optional() });
export type StatusChange = z.infer<typeof StatusChange>;

export const JobFrame = z.object({
  role: FrameRole,
  url: z.string(),
  file: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  host: FrameHost.optional(),
  /** The address RunComfy was given, with any signature removed. */
  sentUrl: z.string().optional(),
  /** Sent (and kept here) as a copy re-encoded to fit RunComfy's inline cap: the picked file's size and type. */
  reencodedFrom: z.object({ bytes: z.number().int(), ext: z.string() }).optional(),
});
export type JobFrame = z.infer<typeof JobFrame>;

export const JobVideo = z.object({
  url: z.string(),
  file: z.string(),
  bytes: z.number().int(),
  complete: z.boolean(),
  /** Its real length, read from the MP4 when it was downloaded (absent for videos downloaded before Keyframe recorded it). */
  durationS: z.number().positive().optional(),
  /** Its frames and frame rate, read with its length (absent in older jobs: the player then measures the rate). */
  frames: z.number().int().positive().optional(),
  frameRate: z.number().positive().optional(),
});
export type JobVideo = z.infer<typeof JobVideo>;

/** Everything the detail view shows. */
export const JobDetail = JobSummary.extend({
  prompt: z.string(),
  model: z.string(),
  requestId: z.string().optional(),
  queuePosition: z.number().int().optional(),
  updatedAt: z.string(),
  submittedAt: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  history: z.array(StatusChange),
  frames: z.array(JobFrame),
  videos: z.array(JobVideo),
  /** The cost as reported, also when it is not a plain amount (then `costUsd` is absent). */
  cost: JobCost.optional(),
});
export type JobDetail = z.infer<typeof JobDetail>;

/** A poster the renderer decoded from the video (Chromium decodes H.264; main has no ffmpeg). */
export const PosterImage = z
  .object({
    mime: z.enum(['image/jpeg', 'image/png']),
    /** The image bytes, base64; at most 4 MB decoded. */
    base64: z.string().max(6_000_000),
  })
  .strict();
export type PosterImage = z.infer<typeof PosterImage>;

/** Something the user must be told about the library, e.g. that it was rebuilt from its folders. */
export const LibraryNotice = z.object({
  /** `rebuilt`: the index was rebuilt from the job folders; `unavailable`: the chosen folder is missing. */
  kind: z.enum(['rebuilt', 'unavailable']),
  message: z.string(),
  /** Where the damaged database was kept, when there was one. */
  keptAt: z.string().optional(),
  at: z.string(),
});
export type LibraryNotice = z.infer<typeof LibraryNotice>;

export const LibraryInfo = z.object({
  dir: z.string(),
  defaultDir: z.string(),
  total: z.number().int(),
  notice: LibraryNotice.optional(),
  moving: z.boolean(),
});
export type LibraryInfo = z.infer<typeof LibraryInfo>;

export const LibraryChange = z.object({
  /** `reset`: the whole library changed (moved or rebuilt); reload everything. */
  kind: z.enum(['created', 'updated', 'deleted', 'reset']),
  id: JobId.optional(),
});
export type LibraryChange = z.infer<typeof LibraryChange>;

export const MoveProgress = z.object({
  phase: z.enum(['copying', 'verifying', 'switching', 'removing', 'done', 'failed']),
  copiedBytes: z.number(),
  totalBytes: z.number(),
  message: z.string().optional(),
});
export type MoveProgress = z.infer<typeof MoveProgress>;

export const MoveResult = z.object({ moved: z.boolean(), dir: z.string(), warning: z.string().optional() });
export type MoveResult = z.infer<typeof MoveResult>;
