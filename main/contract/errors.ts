/**
 * Error codes that cross the process boundary. The renderer switches on `code`; `message` is
 * written for the user (what happened, what to do next) and never contains a secret.
 */
export const errorCodes = [
  'invalid_argument', // the renderer sent arguments that do not match the contract
  'forbidden', // the call came from a frame or origin that is not the app's own
  'unknown_method',
  'not_found',
  'bad_token',
  'insufficient_balance', // RunComfy's balance is too low to start a job (error 400002 or HTTP 402)
  'other_account', // the request belongs to another RunComfy account (error 403001)
  'invalid_input',
  'rate_limited',
  'server',
  'network',
  'timeout',
  'aborted',
  'keychain_unavailable',
  'io',
  'hosting', // a frame could not be made reachable for RunComfy; details.problem says why (HostingProblem)
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** Optional machine-readable detail, e.g. per-field messages or seconds to wait. */
  details?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** `details.action` of an error whose fix is on the user's RunComfy account page (topping up the balance). */
export const RUNCOMFY_ACCOUNT_ACTION = 'openRunComfyAccount';

/** An error a service throws on purpose; its message is safe to show to the user. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
  }

  toInfo(): ErrorInfo {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}
