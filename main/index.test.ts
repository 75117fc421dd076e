/**
 * The Electron shell (`main/index.ts`), loaded against a RECORDING STAND-IN for the `electron`
 * module (test/electron-stand-in.ts), because Electron's binary cannot be downloaded here, so the
 * shell cannot run in real Electron on this machine. The services behind it are the real ones.
 * This proves Keyframe's wiring (what the shell registers, when, and that each piece answers);
 * it does not claim anything about Electron's own behaviour: docs/electron-check.md is that check.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { eventNames, methodNames } from './contract';
import type { EventName, EventPayload } from './contract';
import type { Services } from './services';

type StandIn = typeof import('../test/electron-stand-in');

const created = vi.hoisted(() => [] as Services[]);
vi.mock('electron', () => import('../test/electron-stand-in'));
vi.mock('./services', async (importOriginal) => {
  const real = await importOriginal<typeof import('./services')>();
  return {
    ...real,
    createServices: async (...args: Parameters<typeof real.createServices>) =>
      created[created.push(await real.createServices(...args)) - 1],
  };
});

const DEV_URL = 'http://localhost:5173/';

/** Loads a fresh shell with `env`, `packaged` as Electron would say; returns the stand-in it talks to. */
async function loadShell(env: Record<string, string>, packaged = false): Promise<StandIn> {
  vi.resetModules();
  created.length = 0;
  const electron = (await import('electron')) as unknown as StandIn;
  electron.reset();
  electron.app.isPackaged = packaged;
  Object.assign(
    process.env,
    { KEYFRAME_KEYCHAIN_SERVICE: 'keyframe-shell-stand-in-test', KEYFRAME_API_BASE_URL: 'http://127.0.0.1:9' },
    env,
  );
  await import('./index');
  return electron;
}

/** Plays Electron's "ready" and waits until the shell has loaded its page. */
async function startUp(electron: StandIn) {
  const loaded = new Promise<InstanceType<StandIn['BrowserWindow']>>((resolve) => electron.app.once('stand-in:loaded', resolve));
  electron.becomeReady();
  return loaded;
}

describe('the Electron shell, wired in development', () => {
  let electron: StandIn;
  let window: InstanceType<StandIn['BrowserWindow']>;
  let userData: string;

  beforeAll(async () => {
    userData = join(await mkdtemp(join(tmpdir(), 'kf-shell-')), 'missing', 'profile');
    electron = await loadShell({ KEYFRAME_USER_DATA: userData, ELECTRON_RENDERER_URL: DEV_URL });
    // Before ready, only what Electron allows before ready has happened.
    expect(electron.calls.filter((call) => call.ready).map((call) => call.api)).toEqual([]);
    window = await startUp(electron);
  });

  it('registers both schemes as privileged once, before the app is ready', () => {
    const registrations = electron.calls.filter((call) => call.api === 'protocol.registerSchemesAsPrivileged');
    expect(registrations).toHaveLength(1);
    expect(registrations[0].ready).toBe(false);
    expect(Object.fromEntries(electron.protocol.schemes.map(({ scheme, privileges }) => [scheme, privileges]))).toEqual({
      app: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
      'keyframe-media': { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true },
    });
  });

  it('creates a missing KEYFRAME_USER_DATA folder and uses it, before ready', () => {
    expect(electron.calls.find((call) => call.api === 'app.setPath')).toEqual({
      api: 'app.setPath',
      args: ['userData', userData],
      ready: false,
    });
  });

  it('registers exactly one IPC handler per contract method, answering our page and refusing others', async () => {
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...methodNames].sort());
    const info = electron.ipcMain.handlers.get('app:info')!;
    const ours = { sender: window.webContents, senderFrame: { parent: null, url: DEV_URL } };
    expect(await info(ours)).toMatchObject({ ok: true, value: { version: '0.0.0-stand-in' } });
    const stranger = { sender: window.webContents, senderFrame: { parent: null, url: 'https://evil.example/' } };
    expect(await info(stranger)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('forwards every contract event to the window', () => {
    const [services] = created;
    for (const name of eventNames) services.events.emit(name as EventName, { probe: name } as unknown as EventPayload<EventName>);
    for (const name of eventNames) expect(window.webContents.sent, name).toContainEqual([name, { probe: name }]);
  });

  it('opens one window on the dev server, with the secure webPreferences', () => {
    expect(electron.BrowserWindow.all).toHaveLength(1);
    expect(window.loaded).toEqual([DEV_URL]);
    expect(window.options['webPreferences']).toEqual({
      preload: expect.stringMatching(/preload[\\/]index\.cjs$/),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: true,
    });
  });

  it('refuses navigation away from our page and new windows, on every web contents', () => {
    const contents = window.webContents;
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate(`${DEV_URL}#/library`)).toBe(false);
    expect(contents.listenerCount('will-redirect')).toBe(1);
    expect(contents.listenerCount('will-attach-webview')).toBe(1);
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'https://www.runcomfy.com/profile' })).toEqual({ action: 'deny' });
    expect(electron.shell.opened).toEqual(['https://www.runcomfy.com/profile']);
  });

  it('asks the permission policy: fullscreen and copy for our page, nothing else', () => {
    const { permissionRequest, permissionCheck, devicePermission } = electron.session.defaultSession;
    const request = (permission: string, url: string) => {
      let granted: boolean | undefined;
      permissionRequest!({}, permission, (answer) => (granted = answer), { requestingUrl: url });
      return granted;
    };
    expect(request('fullscreen', DEV_URL)).toBe(true);
    expect(request('clipboard-sanitized-write', DEV_URL)).toBe(true);
    expect(request('media', DEV_URL)).toBe(false);
    expect(request('fullscreen', 'https://evil.example/')).toBe(false);
    expect(permissionCheck!({}, 'clipboard-sanitized-write', 'http://localhost:5173')).toBe(true);
    expect(permissionCheck!({}, 'geolocation', 'http://localhost:5173')).toBe(false);
    expect(devicePermission!()).toBe(false);
  });

  it('serves media through the one file server after ready, with ranges and CORS for our page only', async () => {
    expect(electron.calls.filter((call) => call.api === 'protocol.handle').map((call) => [call.args[0], call.ready])).toEqual([
      ['app', true],
      ['keyframe-media', true],
    ]);
    await writeFile(join(userData, 'staging', 'clip.mp4'), Buffer.alloc(100, 7));
    const media = electron.protocol.handlers.get('keyframe-media')!;
    const response = await media(new Request('keyframe-media://staging/clip.mp4', { headers: { range: 'bytes=10-19' } }));
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 10-19/100');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await media(new Request('keyframe-media://staging/..%2f..%2fsettings.json'))).status).toBe(404);
  });

  it('on quit, holds the exit until the services are closed, then exits', async () => {
    const [services] = created;
    const close = vi.spyOn(services, 'close');
    const exited = new Promise<number>((resolve) => electron.app.once('stand-in:exit', resolve));
    const quit = { preventDefault: vi.fn() };
    electron.app.emit('will-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalled();
    expect(close).toHaveBeenCalledTimes(1);
    expect(electron.app.exitCode).toBeUndefined();
    expect(await exited).toBe(0);
  });
});

describe('the Electron shell, packaged', () => {
  it('ignores ELECTRON_RENDERER_URL and loads its own app:// page', async () => {
    const userData = await mkdtemp(join(tmpdir(), 'kf-shell-'));
    const electron = await loadShell({ KEYFRAME_USER_DATA: userData, ELECTRON_RENDERER_URL: 'http://127.0.0.1:6666/' }, true);
    const window = await startUp(electron);
    expect(window.loaded).toEqual(['app://keyframe/index.html']);
    const ours = { sender: window.webContents, senderFrame: { parent: null, url: 'http://127.0.0.1:6666/' } };
    expect(await electron.ipcMain.handlers.get('app:info')!(ours)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const page = await electron.protocol.handlers.get('app')!(new Request('app://keyframe/index.html'));
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  });
});

describe('the Electron shell, failing to start', () => {
  it('says why in a dialog and exits, when the user data folder cannot be made', async () => {
    const base = await mkdtemp(join(tmpdir(), 'kf-shell-'));
    await writeFile(join(base, 'file'), 'x');
    const electron = await loadShell({ KEYFRAME_USER_DATA: join(base, 'file'), ELECTRON_RENDERER_URL: DEV_URL });
    await vi.waitFor(() => expect(electron.app.exitCode).toBe(1));
    expect(electron.dialog.errors).toEqual([
      [
        'Keyframe cannot start',
        `Keyframe cannot use ${join(base, 'file')} for its data (KEYFRAME_USER_DATA): a file is in the way. Choose another folder or unset the variable.`,
      ],
    ]);
    expect(electron.BrowserWindow.all).toHaveLength(0);
  });
});
