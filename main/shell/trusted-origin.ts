/**
 * Which page addresses count as Keyframe's own. Plain logic (no Electron import) so it is unit
 * tested; the shell uses it for IPC sender checks and navigation rules.
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
  if (entry.protocol === 'file:') return target.protocol === 'file:' && target.pathname === entry.pathname;
  return target.origin === entry.origin;
}
