/**
 * What main needs from the desktop that only Electron provides. The Electron shell implements it
 * in main/shell/platform.ts; the test/demo carrier has a recording one in test/carrier/platform.ts,
 * so E2E tests can assert "a notification was shown" or "the file went to the trash".
 */
export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface Platform {
  showNotification(notification: { title: string; body: string }): void;
  isWindowFocused(): boolean;
  /** Moves a file or folder to the OS trash (recoverable). */
  trashItem(path: string): Promise<void>;
  revealInFolder(path: string): void;
  /** Opens a link in the user's browser; refuses (throws) anything not in external-links.ts. */
  openExternal(url: string): Promise<void>;
  /** Resolves to the chosen paths, or [] when the user cancels. `directory` picks folders instead of files. */
  showOpenDialog(options: { title: string; filters: FileFilter[]; multiple?: boolean; directory?: boolean }): Promise<string[]>;
  /** Resolves to the chosen path, or undefined when the user cancels. */
  showSaveDialog(options: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | undefined>;
}
