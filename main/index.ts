/**
 * The Electron shell: the only module (with `shell/` and the preload) that imports Electron.
 * It builds the same services the carrier builds and connects them to one secure window.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import { AppError } from './contract';
import { createDispatcher } from './ipc/dispatcher';
import { createHandlers } from './ipc/handlers';
import { createServices } from './services';
import { createLogger } from './services/log';
import { mediaUrlFor } from './services/media';
import { forwardEvents, registerIpc } from './shell/ipc';
import { electronPlatform } from './shell/platform';
import { APP_ENTRY, handleAppProtocol, handleMediaProtocol, MEDIA_PREFIX, registerSchemes } from './shell/protocols';
import { applySecurityRules } from './shell/security';
import { appOrigin } from './shell/trusted-origin';
import { loadWindowState, trackWindowState } from './shell/window-state';

if (process.env['KEYFRAME_USER_DATA']) app.setPath('userData', process.env['KEYFRAME_USER_DATA']);
registerSchemes();

const appEntry = process.env['ELECTRON_RENDERER_URL'] ?? APP_ENTRY;

let mainWindow: BrowserWindow | undefined;

async function createWindow(userDataDir: string): Promise<BrowserWindow> {
  const state = await loadWindowState(userDataDir);
  const window = new BrowserWindow({
    ...(state.known ? state.bounds : { width: state.bounds.width, height: state.bounds.height }),
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Keyframe',
    backgroundColor: '#1c1c1f',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: true,
    },
  });
  if (state.maximized) window.maximize();
  trackWindowState(window, userDataDir);
  window.once('ready-to-show', () => window.show());
  await window.loadURL(appEntry);
  return window;
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  await app.whenReady();
  const userDataDir = app.getPath('userData');
  const log = createLogger();
  const services = await createServices({
    userDataDir,
    shell: 'electron',
    version: app.getVersion(),
    log,
    platform: electronPlatform(() => mainWindow),
    mediaUrl: mediaUrlFor(MEDIA_PREFIX),
    env: process.env,
  });
  applySecurityRules(appEntry);
  handleAppProtocol(join(import.meta.dirname, '../renderer'));
  handleMediaProtocol(() => services.mediaRoots(), appOrigin(appEntry));
  registerIpc(createDispatcher(createHandlers(services), { log }), () => mainWindow, appEntry);

  const open = async () => {
    mainWindow = await createWindow(userDataDir);
    forwardEvents(services.events, mainWindow);
    mainWindow.on('closed', () => (mainWindow = undefined));
  };
  await open();
  app.on('activate', () => {
    if (!mainWindow) void open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => void services.close());
}

main().catch((error: unknown) => {
  // E.g. a library folder that cannot be opened: say why rather than show no window at all.
  const message = error instanceof AppError ? error.message : `Something went wrong while starting: ${String(error)}`;
  dialog.showErrorBox('Keyframe cannot start', message);
  app.exit(1);
});
