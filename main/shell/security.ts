/** Security rules for every web contents Keyframe creates: small and separate, one per concern. */
import { app, session, shell } from 'electron';
import type { WebContents } from 'electron';
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

/** New windows are refused; an https link the user clicked opens in their browser instead. */
export function refuseNewWindows(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.setDevicePermissionHandler(() => false);
}

export function applySecurityRules(appEntry: string): void {
  denyPermissions();
  app.on('web-contents-created', (_event, contents) => {
    refuseNavigation(contents, appEntry);
    refuseNewWindows(contents);
  });
}
