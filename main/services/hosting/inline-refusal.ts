/**
 * RunComfy's Model API does not document inline (data URI) frames. When it refuses them, the user
 * gets one plain message and the way out: set up a bucket. The Jobs runner passes what went wrong
 * (the client's error, or the status of a job that failed) together with how the frames were sent.
 *
 * Recognised: a 413 (request too large), a 400/422 naming an image field or talking about images,
 * and a failed job whose message says an image could not be fetched, downloaded or read.
 */
import type { AppError } from '../../contract';
import type { HostedFrame } from './frame';
import { hostingError } from './frame';

interface ClientErrorShape {
  code?: unknown;
  details?: { status?: unknown; serverMessage?: unknown; fields?: unknown };
}

interface FailedJobShape {
  state?: unknown;
  message?: unknown;
}

const IMAGE_FIELD = /image/i;
const ABOUT_IMAGES = /image|data:? ?uri|base64|inline|url/i;
const COULD_NOT_GET =
  /(fetch|download|retriev|load|read|access|reach|decode|open)\w*\b.*\b(image|url|file|input)|(image|url|file|input)\w*\b.*\b(fetch|download|retriev|load|read|reach|decode|not supported|unsupported|invalid)/i;

export function inlineRefusal(failure: unknown, sent: Pick<HostedFrame, 'host'>[]): AppError | undefined {
  if (!sent.some((frame) => frame.host === 'data-uri') || !failure || typeof failure !== 'object') return undefined;
  const said = refusalText(failure as ClientErrorShape & FailedJobShape);
  if (said === undefined) return undefined;
  return hostingError(
    'inline-refused',
    `RunComfy did not accept the frames sent inline in the request${said ? ` (it said: “${said}”)` : ''}. ` +
      'Set up a storage bucket so Keyframe sends the frames as links, then try again.',
    { openSettings: true, extra: said ? { serverMessage: said } : {} },
  );
}

/** The server's words when this is a refusal of inline frames ('' when it gave none), else undefined. */
function refusalText(failure: ClientErrorShape & FailedJobShape): string | undefined {
  if (failure.code === 'invalid_input') {
    const status = failure.details?.status;
    const server = typeof failure.details?.serverMessage === 'string' ? failure.details.serverMessage : '';
    const fields =
      failure.details?.fields && typeof failure.details.fields === 'object' ? (failure.details.fields as Record<string, unknown>) : {};
    const imageField = Object.entries(fields).find(([field]) => IMAGE_FIELD.test(field));
    if (status === 413) return server || 'the request is too large';
    if (imageField) return `${imageField[0]}: ${String(imageField[1])}`;
    if ((status === 400 || status === 422) && ABOUT_IMAGES.test(server)) return server;
    return undefined;
  }
  if (failure.state === 'failed' && typeof failure.message === 'string' && COULD_NOT_GET.test(failure.message))
    return failure.message.slice(0, 300);
  return undefined;
}
