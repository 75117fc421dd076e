/**
 * Run-time checks of RunComfy's answers (API.md). Unknown extra fields are tolerated, and so is a
 * malformed optional field: it reads as absent instead of rejecting the whole answer (a paid job
 * must not be lost because `queue_position` came as a string). Only a missing or malformed field
 * Keyframe cannot do without (a request id, a status word) is rejected.
 */
import { z } from 'zod';

/** An optional field that reads as absent when it is malformed. */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** Fields servers use for a human-readable text; `error` may have any shape (see `failureReason`). */
const messageFields = {
  error: z.unknown().optional(),
  error_message: lenient(z.string()),
  message: lenient(z.string()),
  detail: z.unknown().optional(),
};

export const SubmitResponse = z.object({
  request_id: z.string().min(1),
  // Documented, but Keyframe can build them itself; see `pickUrl` in address.ts.
  status_url: lenient(z.string()),
  result_url: lenient(z.string()),
  cancel_url: lenient(z.string()),
});

export const StatusResponse = z.object({
  request_id: lenient(z.string()),
  status: z.string().min(1),
  queue_position: lenient(z.number().int().min(0)),
  ...messageFields,
});
export type StatusResponse = z.infer<typeof StatusResponse>;

const HttpUrl = z.url({ protocol: /^https?$/, error: 'is not an http(s) address' });

export const ResultResponse = z.object({
  request_id: lenient(z.string()),
  status: lenient(z.string().min(1)),
  queue_position: lenient(z.number().int().min(0)),
  output: lenient(
    z.object({
      video: lenient(HttpUrl),
      // Malformed entries are dropped one by one.
      videos: lenient(z.array(z.unknown()).transform((list) => list.filter((url) => HttpUrl.safeParse(url).success) as string[])),
    }),
  ),
  ...messageFields,
});
export type ResultResponse = z.infer<typeof ResultResponse>;

export const CancelResponse = z.object({
  status: lenient(z.string()),
  /** RunComfy's CLI: `cancelled` or `not_cancellable`. */
  outcome: lenient(z.string()),
  ...messageFields,
});
