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
import { ensureUserDataFolder } from './services/paths';
import { closeWithin, QUIT_GRACE_MS } from './services/shutdown';
import { forwardEvents, registerIpc } from './shell/ipc';
import { electronPlatform } from './shell/platform';
import { APP_ENTRY, handleAppProtocol, handleMediaProtocol, MEDIA_PREFIX, registerSchemes } from './shell/protocols';
import { applySecurityRules } from './shell/security';
import { appOrigin } from './shell/trusted-origin';
import { loadWindowState, trackWindowState } from './shell/window-state';

registerSchemes();

// The dev server's address becomes the trusted page origin, so a packaged app never takes it.
const devRendererUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const appEntry = devRendererUrl ?? APP_ENTRY;

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
  return window;
}

async function main(): Promise<void> {
  const chosenUserData = process.env['KEYFRAME_USER_DATA']?.trim();
  if (chosenUserData) app.setPath('userData', ensureUserDataFolder(chosenUserData));
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
  handleMediaProtocol(services.media, appOrigin(appEntry));
  registerIpc(createDispatcher(createHandlers(services), { log }), () => mainWindow, appEntry);

  const open = async () => {
    const window = (mainWindow = await createWindow(userDataDir));
    // Before loading: loadURL resolves after did-finish-load, which is what starts the forwarding.
    forwardEvents(services.events, window);
    window.on('closed', () => (mainWindow = undefined));
    await window.loadURL(appEntry);
  };
  await open();
  app.on('activate', () => {
    if (!mainWindow) void open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('will-quit', (event) => {
    // Hold the quit until the library's last writes are done (bounded), then exit.
    event.preventDefault();
    if (closing) return;
    closing = true;
    void closeWithin(() => services.close(), QUIT_GRACE_MS).then((outcome) => {
      if (outcome !== 'closed') log.warn('quit', `services ${outcome} (waited up to ${QUIT_GRACE_MS} ms)`);
      app.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  // E.g. a library folder that cannot be opened: say why rather than show no window at all.
  const message = error instanceof AppError ? error.message : `Something went wrong while starting: ${String(error)}`;
  dialog.showErrorBox('Keyframe cannot start', message);
  app.exit(1);
});
