/**
 * The sign-in RunComfy's own CLI saved on this computer, found where that CLI looks for it
 * (runcomfy-cli, src/config.rs):
 *
 *   1. `$RUNCOMFY_CONFIG_DIR/token.json`          (when set and not empty)
 *   2. `$XDG_CONFIG_HOME/runcomfy/token.json`     (when set and not empty)
 *   3. `~/.config/runcomfy/token.json`            (on every OS, macOS included)
 *   and, on macOS only, `~/Library/Application Support/runcomfy/token.json` (older CLI builds)
 *   when the file in the chosen folder does not exist.
 *
 * The folder is chosen first, like the CLI does: a token in `~/.config/runcomfy` is not used while
 * `$RUNCOMFY_CONFIG_DIR` names another folder. The file is `{ access_token, refresh_token?,
 * expires_at?, user_email? }`, `expires_at` in Unix seconds. A token past its `expires_at` is
 * never offered.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

const TOKEN_FILE = 'token.json';

export interface CliToken {
  path: string;
  /** The token, when the file holds one that has not expired. */
  token?: string;
  /** When that token expires (ms), if the file says. */
  expiresAt?: number;
  /** When the file's token expired (ms): it is not handed out. */
  expiredAt?: number;
  /** The file cannot be read as the CLI writes it. */
  unreadable?: true;
}

/** The CLI's config folder, chosen as the CLI chooses it. */
export function cliConfigDir(env: NodeJS.ProcessEnv): string {
  if (env['RUNCOMFY_CONFIG_DIR']) return env['RUNCOMFY_CONFIG_DIR'];
  if (env['XDG_CONFIG_HOME']) return join(env['XDG_CONFIG_HOME'], 'runcomfy');
  return join(homeOf(env), '.config', 'runcomfy');
}

/** Where the CLI would read its token from, in order (the macOS fallback only on macOS). */
export function cliTokenPaths(env: NodeJS.ProcessEnv, os: NodeJS.Platform = process.platform): string[] {
  const paths = [join(cliConfigDir(env), TOKEN_FILE)];
  if (os === 'darwin') paths.push(join(homeOf(env), 'Library', 'Application Support', 'runcomfy', TOKEN_FILE));
  return paths;
}

/**
 * The CLI's token, if there is a file where the CLI looks. `now` (ms) decides whether it has
 * expired. Undefined when the CLI has no sign-in here.
 */
export async function findCliToken(
  env: NodeJS.ProcessEnv,
  now: number,
  os: NodeJS.Platform = process.platform,
): Promise<CliToken | undefined> {
  for (const path of cliTokenPaths(env, os)) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue; // Not there: the CLI looks at the next place too.
      return { path, unreadable: true };
    }
    return parseCliToken(path, text, now);
  }
  return undefined;
}

function parseCliToken(path: string, text: string, now: number): CliToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { path, unreadable: true };
  }
  const record = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const token = typeof record['access_token'] === 'string' ? record['access_token'].trim() : '';
  const expires = record['expires_at'];
  // The CLI refuses a file without access_token, or with an expires_at that is not a whole number.
  if (!token || !(expires === undefined || expires === null || Number.isSafeInteger(expires))) return { path, unreadable: true };
  if (typeof expires !== 'number') return { path, token };
  const expiresAt = expires * 1000;
  return expiresAt <= now ? { path, expiredAt: expiresAt } : { path, token, expiresAt };
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env['HOME'] || env['USERPROFILE'] || homedir();
}
