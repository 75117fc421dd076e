/**
 * How RunComfy's answers and network failures become the few errors a user understands
 * (`AppError` codes bad_token, insufficient_balance, other_account, not_found, invalid_input,
 * rate_limited, server, network, timeout, aborted), each with a message that says what happened
 * and what to do next. RunComfy's own `error_code` decides first, the HTTP status second (API.md,
 * Errors): a 403001 is not a bad token, a 400004 is one whatever the status.
 */
import { AppError, RUNCOMFY_ACCOUNT_ACTION } from '../../contract';

/** RunComfy's documented error codes (API.md, Errors). */
export const RUNCOMFY_ERROR = {
  insufficientBalance: '400002',
  badToken: '400004',
  otherAccount: '403001',
  unknownRequest: '404001',
} as const;

/** The body's `error_code` as a string (RunComfy may send it as a number), or undefined. */
export function errorCodeOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const code = (body as Record<string, unknown>)['error_code'];
  if (typeof code === 'number' && Number.isFinite(code)) return String(code);
  if (typeof code === 'string' && code.trim()) return code.trim().slice(0, 40);
  return undefined;
}

/** True for a JSON error body (an object with an error code or a message), not an HTML page or nothing. */
export function isErrorBody(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  return errorCodeOf(body) !== undefined || serverMessage(body) !== undefined;
}

/**
 * A job's failure reason in whatever shape RunComfy gives it (API.md, Result): a string, an object
 * with `message` (and maybe `code`), or anything else, shown as compact JSON.
 */
export function failureReason(error: unknown): string | undefined {
  if (error === undefined || error === null || error === '') return undefined;
  if (typeof error === 'string') return error.trim().slice(0, 500) || undefined;
  if (typeof error === 'object' && !Array.isArray(error)) {
    const record = error as Record<string, unknown>;
    const text = [record['message'], record['error_message'], record['detail']].find((value) => typeof value === 'string' && value.trim());
    const code = record['code'] ?? record['error_code'];
    if (typeof text === 'string') {
      return `${text.trim().slice(0, 480)}${typeof code === 'string' || typeof code === 'number' ? ` (code ${code})` : ''}`;
    }
  }
  const json = JSON.stringify(error);
  return json ? json.slice(0, 500) : undefined;
}

/** Pulls the server's human-readable text out of an error body (`error_message`, `message`, `detail` or `error`). */
export function serverMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() ? body.trim().slice(0, 300) : undefined;
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['error_message', 'message', 'detail', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 300);
    if (Array.isArray(value)) {
      const texts = value.map((item) => (typeof item === 'string' ? item : messageOf(item))).filter(Boolean);
      if (texts.length) return texts.join('; ').slice(0, 300);
    }
    if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
      return String((value as { message: string }).message).slice(0, 300);
    }
  }
  return undefined;
}

function messageOf(item: unknown): string | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const record = item as Record<string, unknown>;
  const text = record['msg'] ?? record['message'];
  return typeof text === 'string' ? text : undefined;
}

/**
 * Per-field messages from a 400/422 body, in the shapes servers commonly use: FastAPI's
 * `detail: [{loc, msg}]`, `errors: {field: msg}` and `errors: [{field, message}]`.
 */
export function fieldMessages(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!body || typeof body !== 'object') return fields;
  const record = body as Record<string, unknown>;
  const add = (field: unknown, text: unknown) => {
    if (typeof field === 'string' && field && typeof text === 'string' && text && !(field in fields)) fields[field] = text.slice(0, 300);
  };
  for (const list of [record['detail'], record['errors']]) {
    if (Array.isArray(list)) {
      for (const item of list) {
        if (!item || typeof item !== 'object') continue;
        const entry = item as Record<string, unknown>;
        const loc = Array.isArray(entry['loc']) ? entry['loc'].filter((part) => typeof part === 'string').at(-1) : undefined;
        add(loc ?? entry['field'] ?? entry['param'] ?? entry['name'], messageOf(entry));
      }
    } else if (list && typeof list === 'object') {
      for (const [field, text] of Object.entries(list)) add(field, Array.isArray(text) ? text[0] : text);
    }
  }
  return fields;
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface HttpErrorContext {
  status: number;
  statusText: string;
  body: unknown;
  operation: string;
  requestId?: string;
  retryAfterMs?: number;
}

/**
 * The AppError for an answer that is an error: an HTTP status that is not a success, or a success
 * whose body carries an `error_code`.
 */
export function httpError({ status, statusText, body, operation, requestId, retryAfterMs: wait }: HttpErrorContext): AppError {
  const said = serverMessage(body);
  const code = errorCodeOf(body);
  const line = `HTTP ${status}${statusText ? ` ${statusText}` : ''}${code ? `, error ${code}` : ''}`;
  const details: Record<string, unknown> = { status };
  if (code) details['errorCode'] = code;
  if (said) details['serverMessage'] = said;
  const request = requestId ? `the request ${requestId}` : 'this request';
  if (code === RUNCOMFY_ERROR.insufficientBalance || status === 402) {
    return new AppError(
      'insufficient_balance',
      'Your RunComfy balance is too low. Top up your RunComfy account, then try again; nothing was charged for this request.',
      { details: { ...details, action: RUNCOMFY_ACCOUNT_ACTION } },
    );
  }
  if (code === RUNCOMFY_ERROR.badToken) {
    return new AppError('bad_token', `RunComfy says the API token is invalid or has expired (${line}). Enter a valid token.`, { details });
  }
  if (code === RUNCOMFY_ERROR.otherAccount) {
    return new AppError(
      'other_account',
      `RunComfy says ${request} belongs to another RunComfy account: it was made with a different API token.`,
      { details },
    );
  }
  if (code === RUNCOMFY_ERROR.unknownRequest) {
    details['expired'] = true;
    return new AppError(
      'not_found',
      `RunComfy no longer knows ${request}: it is unknown or has expired (RunComfy keeps results for 7 days).`,
      { details },
    );
  }
  if (status >= 200 && status < 300) {
    return new AppError('server', `RunComfy answered the ${operation} request with an error (${line})${said ? `: ${said}` : '.'}`, {
      details,
    });
  }
  if (status === 401 || status === 403) {
    return new AppError('bad_token', `RunComfy refused the API token (${line}). It may be mistyped or revoked; enter a valid token.`, {
      details,
    });
  }
  if (status === 404) {
    if (requestId) details['expired'] = true;
    const what = requestId ? `the request ${requestId}` : 'this address';
    return new AppError('not_found', `RunComfy does not know ${what} (${line}).${requestId ? ' It may have expired.' : ''}`, { details });
  }
  if (status === 429) {
    const seconds = wait === undefined ? undefined : Math.max(1, Math.ceil(wait / 1000));
    if (seconds !== undefined) details['retryAfterSeconds'] = seconds;
    const when = seconds === undefined ? 'in a minute' : `in ${seconds} second${seconds === 1 ? '' : 's'}`;
    return new AppError('rate_limited', `RunComfy is receiving too many requests from this account. Try again ${when}.`, { details });
  }
  if (status === 400 || status === 413 || status === 422) {
    const fields = fieldMessages(body);
    details['fields'] = fields;
    const listed = Object.entries(fields).map(([field, text]) => `${field}: ${text}`);
    const reason = listed.length ? listed.join('; ') : status === 413 ? 'the request is too large' : (said ?? line);
    return new AppError(
      'invalid_input',
      `RunComfy refused the ${operation === 'submit' ? 'job' : 'request'}: ${reason}.`.replace(/\.\.$/, '.'),
      {
        details,
      },
    );
  }
  if (status >= 500) {
    return new AppError('server', `RunComfy's API is having trouble (${line}${said ? `: ${said}` : ''}). Try again in a few minutes.`, {
      details,
    });
  }
  return new AppError('server', `RunComfy answered the ${operation} request with ${line}${said ? `: ${said}` : ''}.`, { details });
}

/** Codes of network failures that happen before a connection exists: the server saw nothing. */
const BEFORE_CONNECTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function networkErrorCode(error: unknown): string | undefined {
  let cause: unknown = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (cause as { errors?: unknown[] }).errors;
    cause = Array.isArray(errors) ? errors[0] : (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when a failed fetch certainly never reached the server (safe to send again). */
export function neverReachedServer(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== undefined && BEFORE_CONNECTION.has(code);
}

export function networkError(host: string): AppError {
  return new AppError('network', `Keyframe could not reach RunComfy (${host}). Check your internet connection and try again.`);
}

export function timeoutError(host: string, ms: number): AppError {
  const seconds = ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
  return new AppError('timeout', `RunComfy (${host}) did not answer within ${seconds} seconds. Try again in a moment.`);
}

export function abortedError(): AppError {
  return new AppError('aborted', 'The request to RunComfy was cancelled.');
}

export function notUnderstood(operation: string, problem: string): AppError {
  return new AppError('server', `RunComfy sent an answer to the ${operation} request that Keyframe does not understand (${problem}).`);
}
