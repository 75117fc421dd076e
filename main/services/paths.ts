/**
 * Where Keyframe keeps its settings, staging folder and default library when no Electron is around
 * to say: the same folder as Electron's `app.getPath('userData')` for the product name "Keyframe",
 * so the headless CLI and the app share settings, keychain entries and library.
 * `KEYFRAME_USER_DATA` overrides it (the Electron shell honours it too).
 */
import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';
import { AppError } from '../contract/errors';

export const PRODUCT_NAME = 'Keyframe';

export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  const override = env['KEYFRAME_USER_DATA']?.trim();
  if (override) return resolve(override);
  if (platform === 'win32') return win32.join(env['APPDATA'] || win32.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return posix.join(env['XDG_CONFIG_HOME'] || posix.join(home, '.config'), PRODUCT_NAME);
}

/**
 * Makes sure a chosen user data folder (`KEYFRAME_USER_DATA`) exists before Electron is told to use
 * it: a missing one is created; one that cannot be (a file in the way, no permission) is refused
 * with a message the shell shows in its start-up dialog. Returns the absolute path.
 */
export function ensureUserDataFolder(path: string): string {
  const folder = resolve(path);
  try {
    mkdirSync(folder, { recursive: true });
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file is in the way'
        : code === 'EACCES' || code === 'EPERM'
          ? 'Keyframe is not allowed to create it'
          : code === 'EROFS'
            ? 'the disk is read-only'
            : (code ?? String(error));
    throw new AppError(
      'io',
      `Keyframe cannot use ${folder} for its data (KEYFRAME_USER_DATA): ${why}. Choose another folder or unset the variable.`,
      {
        cause: error,
      },
    );
  }
  return folder;
}
