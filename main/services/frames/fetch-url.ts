/**
 * Downloads a frame picked as an http(s) address: redirects followed by hand (so a loop can be
 * named), a time limit for the whole download, and a size cap enforced while reading. Whether the
 * bytes are an image is decided by the inspector from their content, never from Content-Type.
 */
import { AppError } from '../../contract';
import { formatBytes } from '../../contract/format';
import { MAX_SOURCE_BYTES } from '../../contract/frames';
import { acceptedFormats, mimeOf } from '../../contract/model';
import { readCapped } from '../read-capped';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export const defaultFetchLimits: FetchLimits = { maxBytes: MAX_SOURCE_BYTES, timeoutMs: 20_000, maxRedirects: 5 };

/** The types the model takes first; any other image can still be converted by a fix. */
const ACCEPT = [...acceptedFormats.map(mimeOf), 'image/*;q=0.8', '*/*;q=0.5'].join(',');

export interface Downloaded {
  bytes: Buffer;
  /** A file name for display, from the address's last path segment. */
  name: string;
  finalUrl: string;
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function statusMessage(status: number): string {
  const line = `${status}${statusText[status] ? ` ${statusText[status]}` : ''}`;
  if (status === 404 || status === 410) return `There is no file at this address (the server answered ${line}). Check the address.`;
  if (status === 401 || status === 403)
    return `The server refused to send the image (${line}). The model's servers must be able to fetch it without signing in, so use a public address.`;
  if (status === 429) return `The server is limiting requests (${line}). Wait a moment and try again.`;
  if (status >= 500) return `The server had a problem (${line}). Try again later.`;
  return `The server did not send the image (${line}).`;
}

export function nameFromUrl(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).at(-1);
  let name = last ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep it encoded
  }
  return (name || new URL(url).hostname).slice(0, 200);
}

export async function fetchImage(url: string, limits: FetchLimits = defaultFetchLimits): Promise<Downloaded> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const seen = new Set<string>();
  let current = url;
  try {
    for (;;) {
      seen.add(current);
      const response = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: { accept: ACCEPT, 'user-agent': 'Keyframe' },
      });
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel();
        const next = new URL(response.headers.get('location')!, current).href;
        if (!/^https?:$/.test(new URL(next).protocol))
          throw new AppError('invalid_input', 'The address redirects to something that is not a web address.');
        if (seen.has(next))
          throw new AppError('invalid_input', 'The address redirects in a loop and never reaches a file. Check the address.');
        if (seen.size > limits.maxRedirects)
          throw new AppError(
            'invalid_input',
            `The address redirects more than ${limits.maxRedirects} times. Use the image's direct address.`,
          );
        current = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new AppError('invalid_input', statusMessage(response.status), { details: { status: response.status } });
      }
      const declared = Number(response.headers.get('content-length'));
      if (declared > limits.maxBytes) {
        await response.body?.cancel();
        throw tooLarge(limits.maxBytes, declared);
      }
      return {
        bytes: await readCapped(response, limits.maxBytes, () => tooLarge(limits.maxBytes)),
        name: nameFromUrl(current),
        finalUrl: current,
      };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal.aborted)
      throw new AppError(
        'timeout',
        `The server did not send the image within ${limits.timeoutMs >= 1000 ? `${Math.round(limits.timeoutMs / 1000)} seconds` : `${limits.timeoutMs} ms`}. Try again, or download it and pick the file.`,
      );
    const cause = (error as { cause?: { code?: string } }).cause;
    const host = new URL(current).host;
    throw new AppError(
      'network',
      `Could not reach ${host}${cause?.code ? ` (${cause.code})` : ''}. Check the address and your connection.`,
      { cause: error },
    );
  }
}

function tooLarge(max: number, size?: number): AppError {
  return new AppError(
    'invalid_input',
    `The file at this address is ${size ? formatBytes(size) : `larger than ${formatBytes(max)}`}; Keyframe downloads frames up to ${formatBytes(max)}.`,
  );
}
