/**
 * The desktop services (services/platform.ts) for the headless CLI, where there is no window:
 * notifications and links go to stderr, dialogs answer "cancelled", and the trash is the
 * freedesktop.org one on Linux (elsewhere moving to the trash is refused rather than faked).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { AppError } from '../contract';
import type { Platform } from '../services/platform';

export function headlessPlatform(
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Platform {
  return {
    showNotification: ({ title, body }) => say(`${title}: ${body}`),
    // The person at the terminal is watching stderr, which reports every outcome already.
    isWindowFocused: () => true,
    trashItem: async (path) => {
      if (platform !== 'linux') {
        throw new AppError('io', 'The headless CLI cannot move files to the trash on this system; delete jobs in the app.');
      }
      const trash = join(env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share'), 'Trash');
      await mkdir(join(trash, 'files'), { recursive: true });
      await mkdir(join(trash, 'info'), { recursive: true });
      const name = `${basename(path)}.${Date.now()}`;
      await writeFile(
        join(trash, 'info', `${name}.trashinfo`),
        `[Trash Info]\nPath=${encodeURI(path)}\nDeletionDate=${new Date().toISOString().slice(0, 19)}\n`,
      );
      await rename(path, join(trash, 'files', name));
    },
    revealInFolder: (path) => say(`It is here: ${path}`),
    openExternal: async (url) => {
      if (!/^https?:\/\//.test(url)) throw new Error(`refused to open ${url.slice(0, 40)}`);
      say(`Open this address in your browser: ${url}`);
    },
    showOpenDialog: async () => [],
    showSaveDialog: async () => undefined,
  };
}
