/**
 * The queue: submitting a job from the Create form, following it, cancelling it, and the runner's
 * own state (paused for a rate limit, offline, signed out). Jobs themselves live in the library.
 */
import { z } from 'zod';
import { Duration, FrameHost, JobId, JobStatus, TakeOf } from './library';

export const SubmitJobRequest = z
  .object({
    prompt: z.string().trim().min(1, 'Write a prompt first.').max(2500),
    duration: Duration,
    /** Ids of frames picked (and checked) on the Create screen. */
    startFrameId: z.string().min(1).max(100),
    endFrameId: z.string().min(1).max(100),
  })
  .strict();
export type SubmitJobRequest = z.infer<typeof SubmitJobRequest>;

/** A job as the queue shows it. */
export const QueueItem = z.object({
  id: JobId,
  status: JobStatus,
  prompt: z.string(),
  duration: Duration,
  createdAt: z.string(),
  submittedAt: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  requestId: z.string().optional(),
  queuePosition: z.number().int().optional(),
  /** RunComfy's own word for the state when Keyframe has no name for it ("starting"), shown as is. */
  remoteStatus: z.string().max(60).optional(),
  /** A completed job whose video is still coming down. */
  download: z
    .object({
      received: z.number(),
      total: z.number().optional(),
      retrying: z.boolean(),
      /** Why the last attempt failed (the disk is full, the link expired…), while it waits to try again. */
      problem: z.string().optional(),
    })
    .optional(),
  videoUrl: z.string().optional(),
  /** A thumbnail of the start frame, the row's picture. */
  startFrameThumbUrl: z.string().optional(),
  hosts: z.array(FrameHost),
  /** A storyboard's take: which board and shot. */
  take: TakeOf.optional(),
  error: z.string().optional(),
  /** What the user can do now. */
  canCancel: z.boolean(),
  needsDecision: z.boolean(),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const SubmitProgress = z.object({
  phase: z.enum(['checking', 'uploading', 'sending']),
  /** 0..1 over the whole submission. */
  fraction: z.number(),
  message: z.string(),
});
export type SubmitProgress = z.infer<typeof SubmitProgress>;

export const CancelOutcome = z.object({ cancelled: z.boolean(), message: z.string() });
export type CancelOutcome = z.infer<typeof CancelOutcome>;

/** For a job whose submission outcome is unknown: send it again, or give it up. */
export const UnknownDecision = z.enum(['resubmit', 'abandon']);
export type UnknownDecision = z.infer<typeof UnknownDecision>;

export const RunnerState = z.object({
  /** Why following is paused, if it is. */
  paused: z.enum(['rate_limited', 'offline', 'signed_out']).optional(),
  /** When following resumes by itself (rate limit), ISO time. */
  until: z.string().optional(),
  /** Trouble the runner is working around without pausing (RunComfy failing, the library not writable). */
  problem: z.string().optional(),
  /** Another process holds the library's lease: this one shows it read-only (`problem` says who). */
  readOnly: z.literal(true).optional(),
  open: z.number().int(),
});
export type RunnerState = z.infer<typeof RunnerState>;
