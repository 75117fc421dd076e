/**
 * `keyframe-media://<root>/<path>`: how the renderer loads library videos, posters and picked
 * frames in Electron. Every request goes through `resolveMediaPath`, the same rule the carrier uses.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { resolveMediaPath } from '../services/media';
import type { MediaRoots } from '../services/media';

export const MEDIA_SCHEME = 'keyframe-media';

/** Must run before `app.whenReady()`. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
  ]);
}

export function handleMediaProtocol(roots: () => MediaRoots): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    let requested: string;
    try {
      requested = decodeURIComponent(`${url.hostname}${url.pathname}`);
    } catch {
      return new Response('Bad address', { status: 400 });
    }
    const file = await resolveMediaPath(roots(), requested);
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href, { headers: request.headers });
  });
}
