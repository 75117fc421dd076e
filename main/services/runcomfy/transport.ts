/**
 * Sending one request to the Model API, and sending it again when that is safe.
 *
 * - Every request carries a timeout and the caller's AbortSignal.
 * - Idempotent calls (status, result, cancel) retry network failures, timeouts, 429 and
 *   500/502/503/504 with capped exponential backoff and jitter, honouring `Retry-After`.
 * - Submit is sent again only when the connection was never made (refused, DNS): once the request
 *   may have reached RunComfy, a second one could start (and bill) a second job.
 * - The token goes only where the request points; redirects are not followed, answers are capped
 *   at 1 MB, and the token is cut out of every answer before anything reads it.
 */
import { AppError } from '../../contract';
import type { Logger } from '../log';
import { readCapped } from '../read-capped';
import { Failure, judgeAnswer, lostSubmitAnswer, maybeSubmitted } from './answers';
import type { Answer, Operation } from './answers';
import { abortedError, networkError, neverReachedServer, notUnderstood, timeoutError } from './errors';

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

export interface CallOptions {
  signal?: AbortSignal;
  /** Use this token instead of the current one (verifying a new token). */
  token?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface TransportOptions {
  getToken: () => string | undefined;
  fetch?: typeof globalThis.fetch;
  timeouts?: Partial<typeof DEFAULT_TIMEOUTS>;
  retry?: Partial<RetryPolicy>;
  /** Called with the token RunComfy refused (401/403). */
  onUnauthorized?: (token: string) => void;
  log?: Logger;
}

export interface Request {
  operation: Operation;
  method: 'GET' | 'POST';
  url: URL;
  body?: unknown;
  requestId?: string;
}

const MAX_BODY_BYTES = 1_000_000;
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;

/** Returns `send`: one request with its retries, answering with the judged answer or throwing an AppError. */
export function createTransport(options: TransportOptions): (request: Request, call?: CallOptions) => Promise<Answer> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };

  function tokenFor(call: CallOptions): string {
    const token = call.token ?? options.getToken();
    if (!token) throw new AppError('bad_token', 'No RunComfy API token is set. Add your token to continue.');
    if (!TOKEN_SHAPE.test(token)) {
      throw new AppError('bad_token', 'The API token has spaces, line breaks or other characters a token cannot have. Paste it again.');
    }
    return token;
  }

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
    body = redact(token, body);

    const verdict = judgeAnswer(
      request,
      { status: response.status, statusText: response.statusText, retryAfter: response.headers.get('retry-after') },
      body,
    );
    if (!(verdict instanceof Failure)) return verdict;
    if (verdict.error.code === 'bad_token') options.onUnauthorized?.(token);
    throw verdict;
  }

  return async function send(request: Request, call: CallOptions = {}): Promise<Answer> {
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
  };
}

/** The answer with every copy of the token replaced by "[redacted]". */
function redact(token: string, value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value ?? null)
      .split(token)
      .join('[redacted]'),
  ) as unknown;
}

class TooLarge extends Error {}

const readText = async (response: Response) => (await readCapped(response, MAX_BODY_BYTES, () => new TooLarge())).toString('utf8');

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
