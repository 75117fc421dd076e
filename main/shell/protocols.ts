/**
 * Keyframe's two URL schemes in Electron:
 *   - `app://keyframe/…` serves the built renderer. The page gets a real, stable origin (so the
 *     strict CSP's 'self' means exactly our files, and ES modules load even with the
 *     grantFileProtocolExtraPrivileges fuse off), and nothing outside the renderer folder is served.
 *   - `keyframe-media://<root>/<path>` is how the page loads library videos, posters and picked
 *     frames. Only our page may read these (CORS), and every request goes through
 *     `resolveMediaPath`, the same rule the carrier uses.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { resolveMediaPath } from '../services/media';
import type { MediaRoots } from '../services/media';

export const APP_SCHEME = 'app';
export const APP_HOST = 'keyframe';
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;
export const MEDIA_SCHEME = 'keyframe-media';

/** Must run before `app.whenReady()`, once, for both schemes. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
    // corsEnabled: the page fetches frames and draws video frames to a canvas (posters, "use this
    // frame"); both need CORS, or the canvas is tainted and the fetch refused.
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/** Serves `rendererDir` (and nothing else) as `app://keyframe/`. */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    return serve({ renderer: rendererDir }, `renderer${url.pathname}`, request.headers);
  });
}

/** Serves files under the media roots to `appOrigin` (our page) only. */
export function handleMediaProtocol(roots: () => MediaRoots, appOrigin: string): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const response = await serve(roots(), `${url.hostname}${url.pathname}`, request.headers);
    const headers = new Headers(response.headers);
    headers.set('access-control-allow-origin', appOrigin);
    headers.set('vary', 'origin');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  });
}

async function serve(roots: MediaRoots, encodedPath: string, headers: Headers): Promise<Response> {
  let requested: string;
  try {
    requested = decodeURIComponent(encodedPath);
  } catch {
    return new Response('Bad address', { status: 400 });
  }
  const file = await resolveMediaPath(roots, requested);
  if (!file) return new Response('Not found', { status: 404 });
  return net.fetch(pathToFileURL(file).href, { headers });
}
