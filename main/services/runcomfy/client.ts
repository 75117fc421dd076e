/**
 * RunComfy's Model API (API.md): submit, status, result and cancel as typed functions.
 *
 * - Every request carries a timeout and the caller's AbortSignal.
 * - Idempotent calls (status, result, cancel) retry network failures, timeouts, 429 and
 *   500/502/503/504 with capped exponential backoff and jitter, honouring `Retry-After`.
 * - Submit is sent again only when the connection was never made (refused, DNS): once the request
 *   may have reached RunComfy, a second one could start (and bill) a second job. Only a 4xx with
 *   an error body (or a 200 with an `error_code`) is a refusal; a 5xx, an HTML page, a broken
 *   connection or an unreadable answer is "maybe submitted" (`details.mayHaveSubmitted`).
 * - A refused token (400004, or 401/403 without another code) tells `onUnauthorized`, so the app
 *   can ask for a new token; a 403001 (another account's job) does not.
 * - The token goes only to the configured API origin: returned URLs on another origin are ignored,
 *   redirects are not followed, and plain http is refused except to this computer.
 *
 * Used by the app's services, the job runner and the headless CLI alike; it imports no Electron.
 */
import { AppError } from '../../contract';
import type { JobCost } from '../../contract';
import type { Logger } from '../log';
import {
  abortedError,
  errorCodeOf,
  failureReason,
  httpError,
  isErrorBody,
  networkError,
  neverReachedServer,
  notUnderstood,
  retryAfterMs,
  timeoutError,
} from './errors';
import { costFrom } from './price';
import { CancelResponse, ResultResponse, StatusResponse, SubmitResponse } from './schemas';
import type { z } from 'zod';

export const DEFAULT_BASE_URL = 'https://model-api.runcomfy.net';
export const MODEL_ID = 'kling/kling-video-o1/image-to-video';

export interface ApiAddress {
  url: string;
  source: 'default' | 'settings' | 'env';
}

/** Base URL precedence: KEYFRAME_API_BASE_URL, then the setting, then RunComfy. */
export function describeBaseUrl(env: NodeJS.ProcessEnv, setting: string): ApiAddress {
  const fromEnv = env['KEYFRAME_API_BASE_URL']?.trim();
  if (fromEnv) return { url: fromEnv, source: 'env' };
  if (setting.trim()) return { url: setting.trim(), source: 'settings' };
  return { url: DEFAULT_BASE_URL, source: 'default' };
}

export function resolveBaseUrl(env: NodeJS.ProcessEnv, setting: string): string {
  return describeBaseUrl(env, setting).url;
}

export interface SubmitInput {
  prompt: string;
  start_image_url: string;
  end_image_url: string;
  duration?: 5 | 10;
}

export interface SubmittedJob {
  requestId: string;
  statusUrl: string;
  resultUrl: string;
  cancelUrl: string;
}

/** A job by its id, optionally with the URLs submit returned (preferred when on the API's origin). */
export type JobRef = string | { requestId: string; statusUrl?: string; resultUrl?: string; cancelUrl?: string };

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

export type JobResult =
  { requestId: string; state: 'completed'; videoUrls: string[]; cost?: JobCost } | (JobStatus & { state: Exclude<JobState, 'completed'> });

export interface CancelOutcome {
  /** False when RunComfy did not cancel (the job is already being made, or done); `message` is the server's text. */
  cancelled: boolean;
  /** The job's status as the cancel answer gave it, if it did. */
  status?: string;
  message?: string;
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for; the caller gets `rate_limited`. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };
export const DEFAULT_TIMEOUTS = { requestMs: 30_000, submitMs: 120_000 };

export interface RunComfyClientOptions {
  baseUrl: string | (() => string);
  getToken: () => string | undefined;
  fetch?: typeof globalThis.fetch;
  timeouts?: Partial<typeof DEFAULT_TIMEOUTS>;
  retry?: Partial<RetryPolicy>;
  /** Called with the token RunComfy refused (401/403). */
  onUnauthorized?: (token: string) => void;
  log?: Logger;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Use this token instead of the current one (verifying a new token). */
  token?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface RunComfyClient {
  submit(input: SubmitInput, options?: CallOptions): Promise<SubmittedJob>;
  status(job: JobRef, options?: CallOptions): Promise<JobStatus>;
  result(job: JobRef, options?: CallOptions): Promise<JobResult>;
  cancel(job: JobRef, options?: CallOptions): Promise<CancelOutcome>;
  /** The model's description as RunComfy sends it (`GET /v1/models/{model}`); price.ts reads the price from it. */
  model(options?: CallOptions): Promise<unknown>;
  /** The API origin in use, for messages. */
  baseUrl(): string;
}

type Operation = 'submit' | 'status' | 'result' | 'cancel' | 'model';

interface Request {
  operation: Operation;
  method: 'GET' | 'POST';
  url: URL;
  body?: unknown;
  requestId?: string;
}

interface Answer {
  status: number;
  body: unknown;
}

/** Why an attempt failed, and whether sending it again is safe. */
class Failure {
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

const MAX_BODY_BYTES = 1_000_000;
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export function createRunComfyClient(options: RunComfyClientOptions): RunComfyClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const readBase = typeof options.baseUrl === 'function' ? options.baseUrl : () => options.baseUrl as string;

  function base(): URL {
    const raw = readBase();
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new AppError('invalid_input', `The API address "${raw.slice(0, 100)}" is not a web address. Fix it in Settings.`);
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
    throw new AppError(
      'invalid_input',
      'Keyframe sends your API token only over https (or plain http to this computer, for a test server). Change the API address in Settings.',
    );
  }

  function endpoint(path: string): URL {
    const root = base();
    return new URL(root.pathname.replace(/\/+$/, '') + path, root);
  }

  const requestPath = (id: string, verb: string) => `/v1/requests/${encodeURIComponent(id)}/${verb}`;

  /** A URL the server gave us, if it points at the API's own origin; otherwise the one we build. */
  function pickUrl(given: string | undefined, built: URL): URL {
    if (!given) return built;
    try {
      const url = new URL(given);
      return url.origin === built.origin ? url : built;
    } catch {
      return built;
    }
  }

  function jobRequest(job: JobRef, verb: 'status' | 'result' | 'cancel'): Request {
    const ref = typeof job === 'string' ? { requestId: job } : job;
    if (!ref.requestId || ref.requestId.length > 200) throw new AppError('invalid_input', 'That is not a RunComfy request id.');
    const given = verb === 'status' ? ref.statusUrl : verb === 'result' ? ref.resultUrl : ref.cancelUrl;
    return {
      operation: verb,
      method: verb === 'cancel' ? 'POST' : 'GET',
      url: pickUrl(given, endpoint(requestPath(ref.requestId, verb))),
      requestId: ref.requestId,
    };
  }

  function tokenFor(call: CallOptions): string {
    const token = call.token ?? options.getToken();
    if (!token) throw new AppError('bad_token', 'No RunComfy API token is set. Add your token to continue.');
    if (!TOKEN_SHAPE.test(token)) {
      throw new AppError('bad_token', 'The API token has spaces, line breaks or other characters a token cannot have. Paste it again.');
    }
    return token;
  }

  const redact = (token: string) => (value: unknown) =>
    JSON.parse(
      JSON.stringify(value ?? null)
        .split(token)
        .join('[redacted]'),
    ) as unknown;

  async function attempt(request: Request, token: string, call: CallOptions): Promise<Answer> {
    const host = request.url.host;
    const limit = call.timeoutMs ?? (request.operation === 'submit' ? timeouts.submitMs : timeouts.requestMs);
    const timer = AbortSignal.timeout(limit);
    const signal = call.signal ? AbortSignal.any([call.signal, timer]) : timer;
    const interrupted = () =>
      call.signal?.aborted ? new Failure(abortedError(), 'never') : new Failure(timeoutError(host, limit), 'idempotent');

    let response: Response;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw interrupted();
      options.log?.warn('runcomfy', `${request.operation} could not connect to ${host}`, error);
      throw new Failure(networkError(host), neverReachedServer(error) ? 'safe' : 'idempotent');
    }

    let text: string;
    try {
      text = await readText(response);
    } catch (error) {
      if (signal.aborted) throw interrupted();
      options.log?.warn('runcomfy', `${request.operation}: the answer from ${host} broke off`, error);
      if (request.operation === 'submit' && response.ok) throw new Failure(lostSubmitAnswer(host), 'never');
      throw new Failure(
        error instanceof TooLarge ? notUnderstood(request.operation, 'the answer is too large') : networkError(host),
        'idempotent',
      );
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text (an error page, a proxy's message).
    }
    body = redact(token)(body);

    const { status } = response;
    const success = status >= 200 && status < 300;
    if (success && errorCodeOf(body) === undefined) return { status, body };
    if (status >= 300 && status < 400) {
      throw new Failure(notUnderstood(request.operation, `an unexpected redirect, HTTP ${status}`), 'never');
    }
    if (request.operation === 'cancel' && isRefusal(status) && errorCodeOf(body) === undefined) return { status, body };
    const wait = status === 429 ? retryAfterMs(response.headers.get('retry-after')) : undefined;
    const error = httpError({
      status,
      statusText: response.statusText,
      body,
      operation: request.operation,
      requestId: request.requestId,
      retryAfterMs: wait,
    });
    if (error.code === 'bad_token') options.onUnauthorized?.(token);
    const retryable = status === 429 || RETRYABLE_STATUS.has(status);
    const refusal = success || (status >= 400 && status < 500 && (isErrorBody(body) || REFUSED_BEFORE_PROCESSING.has(status)));
    throw new Failure(error, retryable ? 'idempotent' : 'never', wait, refusal);
  }

  async function send(request: Request, call: CallOptions = {}): Promise<Answer> {
    const token = tokenFor(call);
    const policy = { ...DEFAULT_RETRY, ...options.retry, ...call.retry };
    const idempotent = request.operation !== 'submit';
    for (let tries = 1; ; tries++) {
      if (call.signal?.aborted) throw abortedError();
      try {
        return await attempt(request, token, call);
      } catch (caught) {
        if (!(caught instanceof Failure)) throw caught;
        const allowed = caught.retry === 'safe' || (caught.retry === 'idempotent' && idempotent);
        // A submit that may have reached RunComfy is never sent again, and never called refused.
        if (!idempotent && caught.retry !== 'safe' && !caught.refusal && caught.error.code !== 'aborted') {
          throw maybeSubmitted(caught.error);
        }
        if (!allowed || tries >= policy.attempts) throw caught.error;
        if (caught.waitMs !== undefined && caught.waitMs > policy.maxRetryAfterMs) throw caught.error;
        const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1));
        const delay = caught.waitMs ?? backoff / 2 + (Math.random() * backoff) / 2;
        options.log?.info('runcomfy', `${request.operation} failed (${caught.error.code}); try ${tries + 1} in ${Math.round(delay)} ms`);
        await sleep(delay, call.signal);
      }
    }
  }

  function parse<S extends z.ZodType>(schema: S, answer: Answer, operation: Operation): z.infer<S> {
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? `"${issue.path.join('.')}" ` : '';
    const problem = `${where}${issue.message}`;
    if (operation === 'submit') throw unreadableSubmitAnswer(problem);
    throw notUnderstood(operation, problem);
  }

  return {
    baseUrl: () => base().origin,

    async submit(input, call) {
      const request: Request = { operation: 'submit', method: 'POST', url: endpoint(`/v1/models/${MODEL_ID}`), body: input };
      const answer = parse(SubmitResponse, await send(request, call), 'submit');
      const id = answer.request_id;
      return {
        requestId: id,
        statusUrl: pickUrl(answer.status_url, endpoint(requestPath(id, 'status'))).href,
        resultUrl: pickUrl(answer.result_url, endpoint(requestPath(id, 'result'))).href,
        cancelUrl: pickUrl(answer.cancel_url, endpoint(requestPath(id, 'cancel'))).href,
      };
    },

    async status(job, call) {
      const request = jobRequest(job, 'status');
      return toStatus(request.requestId!, parse(StatusResponse, await send(request, call), 'status'));
    },

    async result(job, call) {
      const request = jobRequest(job, 'result');
      request.url.searchParams.set('include_cost', 'true');
      const raw = await send(request, call);
      const answer = parse(ResultResponse, raw, 'result');
      const status = answer.status ? toStatus(request.requestId!, { ...answer, status: answer.status }) : undefined;
      const videos = [answer.output?.video, ...(answer.output?.videos ?? [])].filter((url): url is string => !!url);
      // A result that says failed or cancelled wins over any output it may also carry.
      if (status && (status.state === 'failed' || status.state === 'cancelled')) return status as JobResult;
      if (videos.length) {
        const cost = costFrom(raw.body);
        return { requestId: request.requestId!, state: 'completed', videoUrls: [...new Set(videos)], ...(cost ? { cost } : {}) };
      }
      if (!status) throw notUnderstood('result', 'it has neither an output nor a status');
      if (status.state === 'completed') throw notUnderstood('result', 'the job is completed but no video address was given');
      return status as JobResult;
    },

    async model(call) {
      return (await send({ operation: 'model', method: 'GET', url: endpoint(`/v1/models/${MODEL_ID}`) }, call)).body;
    },

    async cancel(job, call) {
      const request = jobRequest(job, 'cancel');
      const answer = await send(request, call);
      const body = parse(CancelResponse, { ...answer, body: answer.body && typeof answer.body === 'object' ? answer.body : {} }, 'cancel');
      const said = body.outcome?.toLowerCase();
      const cancelled =
        !isRefusal(answer.status) &&
        (said === 'cancelled' || said === 'canceled' || STATES[body.status?.toLowerCase() ?? ''] === 'cancelled');
      const message = serverText(body) ?? (typeof answer.body === 'string' ? answer.body.slice(0, 300) : undefined);
      return {
        cancelled,
        ...(body.status ? { status: body.status } : {}),
        ...(message && !cancelled ? { message } : {}),
      };
    },
  };
}

/** 4xx answers to cancel that mean "not possible now" rather than an error (API.md, Cancel). */
function isRefusal(status: number): boolean {
  return status === 400 || status === 409 || status === 422;
}

/**
 * The states that end a job (API.md, Status; RunComfy's CLI `inference_is_terminal`), and the
 * waiting states RunComfy's nodes name. Any other word means "still working".
 */
const STATES: Record<string, JobState> = {
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
};

function serverText(body: { error?: unknown; error_message?: string; message?: string; detail?: unknown }): string | undefined {
  return failureReason(body.error) ?? failureReason(body.error_message ?? body.message ?? body.detail);
}

function toStatus(requestId: string, body: StatusResponse): JobStatus {
  const state = STATES[body.status.toLowerCase()] ?? 'unknown';
  const status: JobStatus = { requestId, state, rawStatus: body.status };
  if (state === 'in_queue' && body.queue_position !== undefined) status.queuePosition = body.queue_position;
  const message = state === 'completed' ? undefined : serverText(body);
  if (message) status.message = message;
  return status;
}

/** A submit that failed after it may have reached RunComfy: say so, and why it was not resent. */
function maybeSubmitted(error: AppError): AppError {
  return new AppError(
    error.code,
    `${error.message} The job may or may not have reached RunComfy; Keyframe did not send it again, so you are not ` +
      'charged twice. Check your RunComfy dashboard before submitting it again.',
    { details: { ...error.details, mayHaveSubmitted: true } },
  );
}

function lostSubmitAnswer(host: string): AppError {
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

class TooLarge extends Error {}

async function readText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}
