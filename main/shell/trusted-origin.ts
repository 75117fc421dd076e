/**
 * Which page addresses count as Keyframe's own. Plain logic (no Electron import) so it is unit
 * tested; the shell uses it for IPC sender checks, navigation rules and the media scheme's CORS.
 *
 * The page is `app://keyframe/…` (or the dev server in development). Node's URL gives custom
 * schemes an opaque origin ("null"), so origins are compared by scheme and host, never by
 * `URL.origin`, which would make every custom-scheme address look the same.
 */
export function isAppUrl(url: string, appEntry: string): boolean {
  let target: URL;
  let entry: URL;
  try {
    target = new URL(url);
    entry = new URL(appEntry);
  } catch {
    return false;
  }
  // file: pages have no origin of their own (any local file would share it): never ours.
  if (entry.protocol === 'file:' || target.protocol === 'file:') return false;
  if (target.username || target.password) return false;
  return !!entry.host && target.protocol === entry.protocol && target.host === entry.host;
}

/** The origin a page at `appEntry` has in Chromium, e.g. `app://keyframe` or `http://localhost:5173`. */
export function appOrigin(appEntry: string): string {
  const entry = new URL(appEntry);
  return `${entry.protocol}//${entry.host}`;
}

/** What an IPC call says about who sent it (the parts of Electron's IpcMainInvokeEvent we look at). */
export interface IpcSender {
  sender: unknown;
  senderFrame: { parent: unknown; url: string } | null;
}

/**
 * A call is ours only when it comes from our window's own web contents, from its main frame (not
 * an iframe), showing our page.
 */
export function isTrustedSender(event: IpcSender, window: { webContents: unknown } | undefined, appEntry: string): boolean {
  const frame = event.senderFrame;
  return !!window && !!frame && event.sender === window.webContents && frame.parent === null && isAppUrl(frame.url, appEntry);
}
