/**
 * What went wrong talking to a bucket, in the user's words: bad credentials, no such bucket, wrong
 * region, endpoint unreachable, clock skew, writes refused, a dropped connection. Reads the SDK's
 * error (`name` is S3's error code, `$metadata.httpStatusCode`, `$response.headers`) and Node's
 * network error codes.
 */
import type { AppError, HostingProblem } from '../../../contract';
import { hostingError } from '../frame';

export interface S3ErrorContext {
  /** The server as the user knows it (endpointLabel). */
  endpoint: string;
  bucket: string;
  region: string;
  /** What Keyframe was doing, as the end of "… refused to <action>": "store the frame". */
  action: string;
}

export interface S3Diagnosis {
  problem: HostingProblem;
  message: string;
  /** Trying again as is may work (a dropped connection, a busy server). */
  retryable: boolean;
}

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  cause?: unknown;
  errors?: unknown[];
  Region?: string;
  ServerTime?: string;
  RequestTime?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidSecurity',
]);
const REGION = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
  'IncorrectEndpoint',
  '301',
  'Moved',
]);
const DENIED = new Set(['AccessDenied', 'AllAccessDisabled', 'AccountProblem', 'Forbidden', '403', 'UnauthorizedAccess', 'Unauthorized']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'TimeoutError', 'RequestTimeout', 'UND_ERR_CONNECT_TIMEOUT']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const SERVER = new Set(['InternalError', 'ServiceUnavailable', 'SlowDown', 'ServerBusy', 'OperationAborted']);

/** Node's error code, looking through `cause` and AggregateError's `errors`. */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as SdkLikeError).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    const nested = (current as SdkLikeError).errors;
    current = Array.isArray(nested) && nested.length ? nested[0] : (current as SdkLikeError).cause;
  }
  return undefined;
}

/** Minutes between the server's clock and this computer's, from the error's own fields or its Date header. */
function clockOffsetMinutes(error: SdkLikeError, now: number): number | undefined {
  const parse = (text: string | undefined) => {
    if (!text) return NaN;
    const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    return compact ? Date.UTC(+compact[1], +compact[2] - 1, +compact[3], +compact[4], +compact[5], +compact[6]) : Date.parse(text);
  };
  const server = parse(error.ServerTime);
  const request = parse(error.RequestTime);
  const offset = !Number.isNaN(server) && !Number.isNaN(request) ? request - server : now - parse(error.$response?.headers?.['date']);
  return Number.isNaN(offset) ? undefined : Math.round(offset / 60_000);
}

/** "This computer's clock is 20 minutes behind s3.example.com's" (or how it differs, when the offset is unknown). */
export function clockOffsetText(raw: unknown, endpoint: string, now = Date.now()): string {
  const minutes = clockOffsetMinutes(raw as SdkLikeError, now);
  if (minutes === undefined || minutes === 0) return `This computer's clock differs too much from ${endpoint}'s`;
  const count = Math.abs(minutes);
  return `This computer's clock is ${count} minute${count === 1 ? '' : 's'} ${minutes > 0 ? 'ahead of' : 'behind'} ${endpoint}'s`;
}

function expectedRegion(error: SdkLikeError): string | undefined {
  const header = error.$response?.headers?.['x-amz-bucket-region'];
  if (header) return header;
  if (error.Region) return error.Region;
  return /expecting '([a-z0-9-]+)'/.exec(error.message ?? '')?.[1];
}

export function diagnoseS3Error(raw: unknown, context: S3ErrorContext, now = Date.now()): S3Diagnosis {
  const error = (raw && typeof raw === 'object' ? raw : { message: String(raw) }) as SdkLikeError;
  const status = error.$metadata?.httpStatusCode;
  const code = error.Code ?? error.name ?? '';
  // Node's code comes first: the SDK names a reset connection "TimeoutError" too.
  const network = status ? undefined : networkCode(error);
  const { endpoint, bucket, region, action } = context;
  const said = (error.message ?? '').slice(0, 200);

  if (network && UNREACHABLE.has(network)) {
    const what =
      network === 'ECONNREFUSED'
        ? `Nothing answered at ${endpoint} (connection refused). Check the endpoint address and port, and that the server is running.`
        : network === 'ENOTFOUND' || network === 'EAI_AGAIN'
          ? `The address ${endpoint} could not be found (${network}). Check the endpoint and your internet connection.`
          : `${endpoint} cannot be reached from this computer (${network}). Check the endpoint and your network.`;
    return { problem: 'unreachable', message: what, retryable: false };
  }
  if ((network && DROPPED.has(network)) || /socket hang up/i.test(said)) {
    return {
      problem: 'network',
      message: `The connection to ${endpoint} dropped while Keyframe tried to ${action}. Nothing was sent to RunComfy; check your connection and try again.`,
      retryable: true,
    };
  }
  if (network && /CERT|SSL|TLS|SELF_SIGNED|EPROTO|UNABLE_TO_|ISSUER|LEAF_SIGNATURE/.test(network)) {
    return {
      problem: 'tls',
      message: `The secure connection to ${endpoint} failed (${network}): its certificate is not trusted. Check the endpoint address.`,
      retryable: false,
    };
  }
  if ((network && TIMEOUT.has(network)) || TIMEOUT.has(code)) {
    return {
      problem: 'timeout',
      message: `${endpoint} did not answer in time while Keyframe tried to ${action}. Check the endpoint and your connection, then try again.`,
      retryable: true,
    };
  }
  if (CREDENTIALS.has(code)) {
    const message =
      code === 'InvalidAccessKeyId'
        ? `${endpoint} does not know this access key ID (InvalidAccessKeyId). Check the access key ID, and that the key was not deleted.`
        : code === 'SignatureDoesNotMatch'
          ? `The secret access key does not match the access key ID (SignatureDoesNotMatch). Replace the secret access key.`
          : `The access key has expired or was revoked (${code}). Create a new key pair and enter it here.`;
    return { problem: 'credentials', message, retryable: false };
  }
  if (code === 'NoSuchBucket') {
    return {
      problem: 'bucket',
      message: `There is no bucket named “${bucket}” at ${endpoint} (NoSuchBucket). Check the bucket name, the endpoint and the region.`,
      retryable: false,
    };
  }
  if (REGION.has(code) || status === 301) {
    const expected = expectedRegion(error);
    const message =
      expected && expected !== region
        ? `The bucket “${bucket}” is in region ${expected}, not ${region} (${code}). Set the region to ${expected}.`
        : `The bucket “${bucket}” is not in region ${region}, or the endpoint does not match it (${code}). Check the region and the endpoint.`;
    return { problem: 'region', message, retryable: false };
  }
  if (code === 'RequestTimeTooSkewed') {
    return {
      problem: 'clock',
      message: `${clockOffsetText(error, endpoint, now)} (RequestTimeTooSkewed), so the request's signature is refused. Set the date and time automatically, then try again.`,
      retryable: false,
    };
  }
  if (code === 'XAmzContentSHA256Mismatch' || code === 'BadDigest') {
    return { problem: 'frame-changed', message: `The frame's bytes changed while they were being uploaded (${code}).`, retryable: false };
  }
  if (DENIED.has(code) || status === 403) {
    return {
      problem: 'denied',
      message: `The bucket “${bucket}” refused to let Keyframe ${action} (${code || 'HTTP 403'}). Check that this access key may read and write objects in it.`,
      retryable: false,
    };
  }
  if (SERVER.has(code) || (status !== undefined && status >= 500)) {
    return {
      problem: 'server',
      message: `${endpoint} is having trouble (${code || `HTTP ${status}`}) and could not ${action}. Try again in a few minutes.`,
      retryable: true,
    };
  }
  const detail = [code && code !== 'Error' ? code : status ? `HTTP ${status}` : '', said].filter(Boolean).join(': ');
  return { problem: 'other', message: `${endpoint} could not ${action}${detail ? ` (${detail})` : ''}.`, retryable: false };
}

/** Problems the user fixes in the bucket settings: the message offers to open them. */
const SETTINGS_PROBLEMS = new Set<HostingProblem>(['credentials', 'bucket', 'region', 'denied', 'unreachable', 'tls']);

export function s3Error(raw: unknown, context: S3ErrorContext, now = Date.now()): AppError {
  const { problem, message, retryable } = diagnoseS3Error(raw, context, now);
  return hostingError(problem, message, { cause: raw, retryable, openSettings: SETTINGS_PROBLEMS.has(problem) });
}

export function isAbort(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { name?: string }).name === 'AbortError';
}
