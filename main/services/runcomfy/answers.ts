/**
 * What RunComfy's answers mean: success, a refusal (RunComfy certainly did not act), or an
 * accident on the way that may be retried; the state words of a job; and the errors for a submit
 * that may have reached RunComfy. The messages themselves are in errors.ts.
 */
import { AppError } from '../../contract';
import type { z } from 'zod';
import { errorCodeOf, failureReason, httpError, isErrorBody, notUnderstood, retryAfterMs } from './errors';
import type { StatusResponse } from './schemas';

export type Operation = 'submit' | 'status' | 'result' | 'cancel' | 'model';

export interface Answer {
  status: number;
  body: unknown;
}

/** Why an attempt failed, and whether sending it again is safe. */
export class Failure {
  constructor(
    readonly error: AppError,
    /** safe: never reached the server. idempotent: retry only calls that are safe to repeat. */
    readonly retry: 'safe' | 'idempotent' | 'never',
    readonly waitMs?: number,
    /** RunComfy answered and certainly did not act on the request (a refusal, not an accident on the way). */
    readonly refusal = false,
  ) {}
}

/** 4xx answers that are refusals even without an error body: nothing is processed before these checks. */
const REFUSED_BEFORE_PROCESSING = new Set([401, 403, 413, 429]);
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

/** 4xx answers to cancel that mean "not possible now" rather than an error (API.md, Cancel). */
export function isRefusal(status: number): boolean {
  return status === 400 || status === 409 || status === 422;
}

/** An answer RunComfy gave, judged: the answer to use, or the failure it means. */
export function judgeAnswer(
  request: { operation: Operation; requestId?: string },
  response: { status: number; statusText: string; retryAfter: string | null },
  body: unknown,
): Answer | Failure {
  const { status } = response;
  const success = status >= 200 && status < 300;
  if (success && errorCodeOf(body) === undefined) return { status, body };
  if (status >= 300 && status < 400) {
    return new Failure(notUnderstood(request.operation, `an unexpected redirect, HTTP ${status}`), 'never');
  }
  if (request.operation === 'cancel' && isRefusal(status) && errorCodeOf(body) === undefined) return { status, body };
  const wait = status === 429 ? retryAfterMs(response.retryAfter) : undefined;
  const error = httpError({
    status,
    statusText: response.statusText,
    body,
    operation: request.operation,
    requestId: request.requestId,
    retryAfterMs: wait,
  });
  const retryable = status === 429 || RETRYABLE_STATUS.has(status);
  const refusal = success || (status >= 400 && status < 500 && (isErrorBody(body) || REFUSED_BEFORE_PROCESSING.has(status)));
  return new Failure(error, retryable ? 'idempotent' : 'never', wait, refusal);
}

/** The answer's body read with its schema; a submit answer that cannot be read leaves the job's id unknown. */
export function parseAnswer<S extends z.ZodType>(schema: S, answer: Answer, operation: Operation): z.infer<S> {
  const parsed = schema.safeParse(answer.body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `"${issue.path.join('.')}" ` : '';
  const problem = `${where}${issue.message}`;
  if (operation === 'submit') throw unreadableSubmitAnswer(problem);
  throw notUnderstood(operation, problem);
}

/**
 * Only completed, failed and cancelled end a job (API.md, Status). `unknown` is a state Keyframe
 * has no name for: the job is still being worked on and stays followed.
 */
export type JobState = 'in_queue' | 'in_progress' | 'completed' | 'cancelled' | 'failed' | 'unknown';

export interface JobStatus {
  requestId: string;
  state: JobState;
  /** The server's own word for the state ("starting"), shown as is. */
  rawStatus: string;
  queuePosition?: number;
  /** The server's text, e.g. why a job failed (from the result's `error`, whatever its shape). */
  message?: string;
}

/**
 * The states that end a job (API.md, Status; RunComfy's CLI `inference_is_terminal`), and the
 * waiting states RunComfy's nodes name. Any other word means "still working".
 */
const STATES = new Map<string, JobState>(
  Object.entries({
    in_queue: 'in_queue',
    queued: 'in_queue',
    pending: 'in_queue',
    waiting: 'in_queue',
    in_progress: 'in_progress',
    starting: 'in_progress',
    running: 'in_progress',
    processing: 'in_progress',
    completed: 'completed',
    succeeded: 'completed',
    cancelled: 'cancelled',
    canceled: 'cancelled',
    failed: 'failed',
    error: 'failed',
  } satisfies Record<string, JobState>),
);

export const stateOf = (word: string | undefined): JobState => STATES.get(word?.toLowerCase() ?? '') ?? 'unknown';

export function serverText(body: { error?: unknown; error_message?: string; message?: string; detail?: unknown }): string | undefined {
  return failureReason(body.error) ?? failureReason(body.error_message ?? body.message ?? body.detail);
}

export function toStatus(requestId: string, body: StatusResponse): JobStatus {
  const state = stateOf(body.status);
  const status: JobStatus = { requestId, state, rawStatus: body.status };
  if (state === 'in_queue' && body.queue_position !== undefined) status.queuePosition = body.queue_position;
  const message = state === 'completed' ? undefined : serverText(body);
  if (message) status.message = message;
  return status;
}

/** A submit that failed after it may have reached RunComfy: say so, and why it was not resent. */
export function maybeSubmitted(error: AppError): AppError {
  return new AppError(
    error.code,
    `${error.message} The job may or may not have reached RunComfy; Keyframe did not send it again, so you are not ` +
      'charged twice. Check your RunComfy dashboard before submitting it again.',
    { details: { ...error.details, mayHaveSubmitted: true } },
  );
}

export function lostSubmitAnswer(host: string): AppError {
  return new AppError(
    'network',
    `The connection to RunComfy (${host}) broke after it received the job, so Keyframe did not learn the job's id. ` +
      'It was not sent again, so you are not charged twice; check your RunComfy dashboard before submitting it again.',
    { details: { mayHaveSubmitted: true } },
  );
}

function unreadableSubmitAnswer(problem: string): AppError {
  return new AppError(
    'server',
    `RunComfy accepted the job but its answer could not be read (${problem}), so Keyframe does not know the job's id. ` +
      'Check your RunComfy dashboard before submitting it again.',
    { details: { mayHaveSubmitted: true } },
  );
}
