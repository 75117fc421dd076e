/**
 * Run-time checks of RunComfy's answers (API.md). Unknown extra fields are tolerated (zod drops
 * them); a missing or malformed field Keyframe relies on is rejected.
 */
import { z } from 'zod';

const ErrorText = z.union([z.string(), z.looseObject({ message: z.string() }).transform((error) => error.message)]).nullish();

/** Fields some servers use for a human-readable failure text. */
const messageFields = {
  error: ErrorText,
  error_message: z.string().nullish(),
  message: z.string().nullish(),
  detail: z.unknown().optional(),
};

export const SubmitResponse = z.object({
  request_id: z.string().min(1),
  // Documented, but Keyframe can build them itself; see `pickUrl` in client.ts.
  status_url: z.string().optional(),
  result_url: z.string().optional(),
  cancel_url: z.string().optional(),
});

export const StatusResponse = z.object({
  request_id: z.string().optional(),
  status: z.string().min(1),
  queue_position: z.number().int().min(0).nullish(),
  ...messageFields,
});
export type StatusResponse = z.infer<typeof StatusResponse>;

const HttpUrl = z.url({ protocol: /^https?$/, error: 'is not an http(s) address' });

export const ResultResponse = z.object({
  request_id: z.string().optional(),
  status: z.string().min(1).optional(),
  queue_position: z.number().int().min(0).nullish(),
  output: z
    .object({
      video: HttpUrl.nullish(),
      videos: z.array(HttpUrl).nullish(),
      image: z.string().nullish(),
      images: z.array(z.string()).nullish(),
    })
    .nullish(),
  ...messageFields,
});
export type ResultResponse = z.infer<typeof ResultResponse>;

export const CancelResponse = z.object({
  status: z.string().optional(),
  ...messageFields,
});
