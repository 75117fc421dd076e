/**
 * The only pages Keyframe opens in the user's browser: links the app itself wrote, listed here.
 * Both ways a link can leave the app go through `isExternalLinkAllowed`: `Platform.openExternal`
 * (Electron's and the test carrier's) and the window-open handler that catches a link the page
 * tries to open in a new window. Anything else (another page, another scheme, a look-alike host,
 * credentials in the address) stays refused.
 */
export const EXTERNAL_LINKS = {
  /** Where RunComfy users make and copy API tokens (the Connect screen's "Get a token"). */
  runcomfyTokenPage: 'https://www.runcomfy.com/profile',
} as const;

const allowed = new Set<string>(Object.values(EXTERNAL_LINKS).map((link) => new URL(link).href));

/** True only for an https address that is exactly one of `EXTERNAL_LINKS` (after normalising case and encoding). */
export function isExternalLinkAllowed(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && !parsed.username && !parsed.password && allowed.has(parsed.href);
}

/** Throws unless `url` may be opened (for the Platform implementations). */
export function assertExternalLinkAllowed(url: string): void {
  if (!isExternalLinkAllowed(url)) throw new Error(`Keyframe opens only its own links in the browser; refused ${url.slice(0, 60)}`);
}
