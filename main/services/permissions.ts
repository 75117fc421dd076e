/**
 * Which web permissions Keyframe's page gets: going fullscreen (the player) and writing text to
 * the clipboard (Copy buttons), from our own page only; nothing else, from anyone. Plain logic so
 * it is unit tested; the shell adapts Electron's request and check handlers to it and decides nothing.
 */
import { isAppUrl } from '../shell/trusted-origin';

/** Electron asks twice: `request` when the page asks for a permission, `check` when it only queries it. */
export type PermissionAsk = 'request' | 'check';

const ALLOWED: Record<PermissionAsk, ReadonlySet<string>> = {
  request: new Set(['fullscreen', 'clipboard-sanitized-write']),
  // A query must say what a request would get, or the page hides a Copy button that would work.
  check: new Set(['fullscreen', 'clipboard-sanitized-write']),
};

export function isPermissionAllowed(permission: string, requestingOrigin: string, ask: PermissionAsk, appEntry: string): boolean {
  return ALLOWED[ask].has(permission) && isAppUrl(requestingOrigin, appEntry);
}
