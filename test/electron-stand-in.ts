/**
 * A RECORDING STAND-IN for the `electron` module, NOT Electron. Electron's binary cannot be
 * downloaded on our machines, so `main/index.ts` cannot run in it here; the shell test loads it
 * against this instead. It implements only the calls Keyframe's shell makes, records each one with
 * whether the app was ready yet, and lets the test play Electron's part (ready, quit, a new
 * web contents). It proves our wiring; it says nothing about Electron's own behaviour.
 */
import { EventEmitter } from 'node:events';

export interface Call {
  api: string;
  args: unknown[];
  /** Whether `app` had become ready when the call was made. */
  ready: boolean;
}

export const calls: Call[] = [];
let ready = false;
let markReady: () => void = () => {};
let readyPromise = new Promise<void>((resolve) => (markReady = resolve));
const record = (api: string, ...args: unknown[]) => void calls.push({ api, args, ready });

class Contents extends EventEmitter {
  private static next = 1;
  readonly id = Contents.next++;
  readonly sent: [string, unknown][] = [];
  windowOpenHandler?: (details: { url: string }) => { action: string };
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    record('webContents.setWindowOpenHandler');
    this.windowOpenHandler = handler;
  }
}

class StandInApp extends EventEmitter {
  isPackaged = false;
  readonly paths = new Map<string, string>();
  exitCode?: number;
  whenReady() {
    record('app.whenReady');
    return readyPromise;
  }
  isReady() {
    return ready;
  }
  requestSingleInstanceLock() {
    return true;
  }
  setPath(name: string, path: string) {
    record('app.setPath', name, path);
    this.paths.set(name, path);
  }
  getPath(name: string) {
    const path = this.paths.get(name);
    if (!path) throw new Error(`stand-in: no path "${name}" set`);
    return path;
  }
  getVersion() {
    return '0.0.0-stand-in';
  }
  quit() {
    record('app.quit');
  }
  exit(code = 0) {
    record('app.exit', code);
    this.exitCode = code;
    this.emit('stand-in:exit', code);
  }
}
export const app = new StandInApp();

export class BrowserWindow extends EventEmitter {
  static readonly all: BrowserWindow[] = [];
  readonly webContents = new Contents();
  readonly loaded: string[] = [];
  constructor(readonly options: Record<string, unknown>) {
    super();
    record('new BrowserWindow', options);
    BrowserWindow.all.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string) {
    record('window.loadURL', url);
    this.loaded.push(url);
    this.webContents.emit('did-finish-load');
    app.emit('stand-in:loaded', this);
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  isFocused() {
    return true;
  }
  isMaximized() {
    return false;
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: 1280, height: 820 };
  }
  maximize() {}
  restore() {}
  focus() {}
  show() {}
}

export const protocol = {
  schemes: [] as { scheme: string; privileges: Record<string, boolean> }[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]) {
    record('protocol.registerSchemesAsPrivileged', schemes);
    // Electron ignores schemes registered after ready; the stand-in records it so the test can fail.
    this.schemes.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>) {
    record('protocol.handle', scheme);
    this.handlers.set(scheme, handler);
  },
};

export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) {
    record('ipcMain.handle', channel);
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`); // as Electron does
    this.handlers.set(channel, handler);
  },
};

type PermissionRequest = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string },
) => void;
type PermissionCheck = (contents: unknown, permission: string, requestingOrigin: string) => boolean;
export const session = {
  defaultSession: {
    permissionRequest: undefined as PermissionRequest | undefined,
    permissionCheck: undefined as PermissionCheck | undefined,
    devicePermission: undefined as (() => boolean) | undefined,
    setPermissionRequestHandler(handler: PermissionRequest) {
      record('session.setPermissionRequestHandler');
      this.permissionRequest = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheck) {
      record('session.setPermissionCheckHandler');
      this.permissionCheck = handler;
    },
    setDevicePermissionHandler(handler: () => boolean) {
      record('session.setDevicePermissionHandler');
      this.devicePermission = handler;
    },
  },
};

export const dialog = {
  errors: [] as [string, string][],
  showErrorBox(title: string, content: string) {
    record('dialog.showErrorBox', title, content);
    this.errors.push([title, content]);
  },
  showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
  showSaveDialog: async () => ({ canceled: true, filePath: undefined }),
};

export const shell = {
  opened: [] as string[],
  openExternal: async (url: string) => void shell.opened.push(url),
  trashItem: async () => {},
  showItemInFolder: () => {},
};

export class Notification {
  static isSupported() {
    return false;
  }
  show() {}
}

export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };

/** A fresh Electron for the next shell the test loads (vitest keeps one instance of a mocked module). */
export function reset(): void {
  calls.length = 0;
  ready = false;
  readyPromise = new Promise<void>((resolve) => (markReady = resolve));
  app.removeAllListeners();
  app.isPackaged = false;
  app.paths.clear();
  app.exitCode = undefined;
  BrowserWindow.all.length = 0;
  protocol.schemes.length = 0;
  protocol.handlers.clear();
  ipcMain.handlers.clear();
  Object.assign(session.defaultSession, { permissionRequest: undefined, permissionCheck: undefined, devicePermission: undefined });
  dialog.errors.length = 0;
  shell.opened.length = 0;
}

/** The test's side: Electron becoming ready. */
export function becomeReady(): void {
  ready = true;
  markReady();
  app.emit('ready');
}

export default { app, BrowserWindow, protocol, ipcMain, session, dialog, shell, Notification, screen };
