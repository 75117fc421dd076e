/**
 * Where Keyframe keeps its settings, staging folder and default library when no Electron is around
 * to say: the same folder as Electron's `app.getPath('userData')` for the product name "Keyframe",
 * so the headless CLI and the app share settings, keychain entries and library.
 * `KEYFRAME_USER_DATA` overrides it (the Electron shell honours it too).
 */
import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';

export const PRODUCT_NAME = 'Keyframe';

export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  const override = env['KEYFRAME_USER_DATA']?.trim();
  if (override) return resolve(override);
  if (platform === 'win32') return win32.join(env['APPDATA'] || win32.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return posix.join(env['XDG_CONFIG_HOME'] || posix.join(home, '.config'), PRODUCT_NAME);
}
