/** Electron's implementation of the desktop services main needs (see services/platform.ts). */
import { dialog, Notification, shell } from 'electron';
import type { BrowserWindow } from 'electron';
import { assertExternalLinkAllowed } from '../services/external-links';
import type { Platform } from '../services/platform';

export function electronPlatform(getWindow: () => BrowserWindow | undefined): Platform {
  return {
    showNotification: ({ title, body }) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    isWindowFocused: () => getWindow()?.isFocused() ?? false,
    trashItem: (path) => shell.trashItem(path),
    revealInFolder: (path) => shell.showItemInFolder(path),
    openExternal: async (url) => {
      assertExternalLinkAllowed(url);
      await shell.openExternal(url);
    },
    showOpenDialog: async ({ title, filters, multiple, directory }) => {
      const window = getWindow();
      const properties: ('openFile' | 'openDirectory' | 'createDirectory' | 'multiSelections')[] = directory
        ? ['openDirectory', 'createDirectory']
        : ['openFile'];
      if (multiple) properties.push('multiSelections');
      const options = { title, filters, properties };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    showSaveDialog: async ({ title, defaultName, filters }) => {
      const window = getWindow();
      const options = { title, defaultPath: defaultName, filters };
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return result.canceled ? undefined : result.filePath;
    },
  };
}
