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
    // corsEnabled: the page (file://) fetches frames and draws video frames to a canvas (posters,
    // "use this frame"); both need CORS, or the canvas is tainted and the fetch refused.
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } },
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
    const response = await net.fetch(pathToFileURL(file).href, { headers: request.headers });
    const headers = new Headers(response.headers);
    headers.set('access-control-allow-origin', '*');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  });
}
