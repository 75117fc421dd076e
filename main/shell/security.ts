/** Security rules for every web contents Keyframe creates: small and separate, one per concern. */
import { app, session, shell } from 'electron';
import type { WebContents } from 'electron';
import { isExternalLinkAllowed } from '../services/external-links';
import { isPermissionAllowed } from '../services/permissions';
import { isAppUrl } from './trusted-origin';

export function refuseNavigation(contents: WebContents, appEntry: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appEntry)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appEntry)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * New windows are refused, however they are asked for (window.open, target=_blank, a middle or
 * ctrl click: Electron routes them all here). One of the app's own links (external-links.ts)
 * opens in the user's browser instead; any other address goes nowhere.
 */
export function refuseNewWindows(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** Fullscreen and Copy for our page, nothing else (services/permissions.ts decides). */
export function limitPermissions(appEntry: string): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl, 'request', appEntry)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, 'check', appEntry),
  );
  session.defaultSession.setDevicePermissionHandler(() => false);
}

export function applySecurityRules(appEntry: string): void {
  limitPermissions(appEntry);
  app.on('web-contents-created', (_event, contents) => {
    refuseNavigation(contents, appEntry);
    refuseNewWindows(contents);
  });
}
