/**
 * Keyframe's two URL schemes in Electron:
 *   - `app://keyframe/…` serves the built renderer. The page gets a real, stable origin (so the
 *     strict CSP's 'self' means exactly our files, and ES modules load even with the
 *     grantFileProtocolExtraPrivileges fuse off), and nothing outside the renderer folder is served.
 *   - `keyframe-media://<root>/<path>` is how the page loads library videos, posters and picked
 *     frames. Only our page may read these (CORS).
 * Both answer through the services' web-standard handlers (services/media-handler.ts), the same
 * ones the test carrier serves with: confinement, ranges, types and streaming are decided there.
 */
import { protocol } from 'electron';
import { createMediaHandler, createRendererHandler } from '../services/media-handler';
import type { MediaFiles } from '../services/media-handler';

export const APP_SCHEME = 'app';
export const APP_HOST = 'keyframe';
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;
export const MEDIA_SCHEME = 'keyframe-media';
export const MEDIA_PREFIX = `${MEDIA_SCHEME}://`;

/** Must run before `app.whenReady()`, once, for both schemes. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
    // corsEnabled: the page fetches frames and draws video frames to a canvas (posters, "use this
    // frame"); both need CORS, or the canvas is tainted and the fetch refused. stream: the handler
    // streams files, and <video> asks for byte ranges.
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/** Serves `rendererDir` (and nothing else) as `app://keyframe/`. */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, createRendererHandler({ rendererDir, prefix: `${APP_SCHEME}://${APP_HOST}/` }));
}

/** Serves files under the media roots (and their images' thumbnails) to `appOrigin` (our page) only. */
export function handleMediaProtocol(media: MediaFiles, appOrigin: string): void {
  protocol.handle(MEDIA_SCHEME, createMediaHandler(media, { prefix: MEDIA_PREFIX, allowOrigin: appOrigin }));
}
