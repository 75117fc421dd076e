/**
 * Static checks of the Electron security checklist on the shell's source and packaging config.
 * The shell cannot run here (no Electron binary), so these read the code that configures it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

describe('Electron security checklist (static)', () => {
  const shell = read('main/index.ts');
  const security = read('main/shell/security.ts');

  it('creates the window with context isolation, sandbox, no Node integration and web security', () => {
    const prefs = /webPreferences:\s*\{([^}]+)\}/.exec(shell)?.[1] ?? '';
    expect(prefs).toMatch(/contextIsolation:\s*true/);
    expect(prefs).toMatch(/sandbox:\s*true/);
    expect(prefs).toMatch(/nodeIntegration:\s*false/);
    expect(prefs).toMatch(/nodeIntegrationInWorker:\s*false/);
    expect(prefs).toMatch(/webSecurity:\s*true/);
    expect(prefs).toMatch(/allowRunningInsecureContent:\s*false/);
    expect(prefs).toMatch(/webviewTag:\s*false/);
    expect(shell).not.toMatch(/enableRemoteModule|nodeIntegration:\s*true|sandbox:\s*false|contextIsolation:\s*false/);
  });

  it('refuses navigation, new windows and webviews, and asks the permission policy on every request and check', () => {
    expect(security).toMatch(/will-navigate/);
    expect(security).toMatch(/setWindowOpenHandler[\s\S]*action: 'deny'/);
    expect(security).toMatch(/will-attach-webview[\s\S]*preventDefault/);
    // What is allowed is services/permissions.ts, tested there; the shell only forwards.
    expect(security).toMatch(
      /setPermissionRequestHandler\([\s\S]*?callback\(isPermissionAllowed\(permission, details\.requestingUrl, 'request', appEntry\)\)/,
    );
    expect(security).toMatch(/setPermissionCheckHandler\([\s\S]*?isPermissionAllowed\(permission, requestingOrigin, 'check', appEntry\)/);
    expect(security).toMatch(/setDevicePermissionHandler\(\(\) => false\)/);
  });

  it('loads the page from its own app:// origin, never from file:// (security checklist item 18)', () => {
    const protocols = read('main/shell/protocols.ts');
    // The dev server is honoured only unpackaged (main/index.test.ts runs both cases on a stand-in).
    expect(shell).toMatch(/const devRendererUrl = app\.isPackaged \? undefined : process\.env\['ELECTRON_RENDERER_URL'\];/);
    expect(shell).toMatch(/const appEntry = devRendererUrl \?\? APP_ENTRY;/);
    expect(shell).not.toMatch(/loadFile\(|pathToFileURL|file:\/\//);
    expect(protocols).toMatch(/APP_ENTRY = `\$\{APP_SCHEME\}:\/\/\$\{APP_HOST\}\/index\.html`/);
    // Both schemes answer through the services' one file server (confinement, ranges), never net.fetch.
    expect(protocols).toMatch(/protocol\.handle\(APP_SCHEME, createRendererHandler\(/);
    expect(protocols).toMatch(
      /protocol\.handle\(MEDIA_SCHEME, createMediaHandler\(media, \{ prefix: MEDIA_PREFIX, allowOrigin: appOrigin \}\)\)/,
    );
    expect(protocols).not.toMatch(/net\.fetch|from 'node:fs'/);
  });

  it('opens only the app’s own links in the browser, on every path out (window.open and Platform)', () => {
    expect(security).toMatch(/if \(isExternalLinkAllowed\(url\)\) void shell\.openExternal\(url\);/);
    const platform = read('main/shell/platform.ts');
    expect(platform).toMatch(/assertExternalLinkAllowed\(url\);\s*await shell\.openExternal\(url\);/);
    // No other call of shell.openExternal anywhere in the shell.
    const calls = [shell, security, platform].join('\n').match(/shell\.openExternal\(/g) ?? [];
    expect(calls).toHaveLength(2);
  });

  it('loads no remote content: one page, ours; no webviews, views or extra windows', () => {
    expect(shell.match(/loadURL\(/g)).toEqual(['loadURL(']);
    expect(shell).toMatch(/loadURL\(appEntry\)/);
    expect(shell).not.toMatch(/BrowserView|WebContentsView|loadFile|new BrowserWindow[\s\S]*new BrowserWindow/);
  });

  it('starts no crash reporter, so no crash dump (which would hold main’s memory, token included) is written or sent', () => {
    const sources = [
      'main/index.ts',
      'main/preload.ts',
      'main/shell/ipc.ts',
      'main/shell/platform.ts',
      'main/shell/protocols.ts',
      'main/shell/security.ts',
    ];
    for (const file of sources) expect(read(file), file).not.toMatch(/crashReporter/);
  });

  it('takes the single-instance lock before anything else', () => {
    expect(shell).toMatch(/requestSingleInstanceLock\(\)/);
  });

  it('registers IPC only through the contract-built wrapper that checks the sender', () => {
    const ipc = read('main/shell/ipc.ts');
    expect(ipc).toMatch(/for \(const name of methodNames\)/);
    // Every call is dispatched with the sender check (tested itself in main/shell/trusted-origin.test.ts).
    expect(ipc).toMatch(/dispatch\(name, args, \{ trusted: isTrustedSender\(event, getWindow\(\), appEntry\) \}\)/);
    expect(ipc.match(/ipcMain\.(handle|on)\(/g)).toEqual(['ipcMain.handle(']);
    expect(shell).not.toMatch(/ipcMain\./);
  });

  it('packages with hardening fuses: no RUN_AS_NODE, no NODE_OPTIONS, asar integrity, app only from asar', () => {
    const builder = read('electron-builder.yml');
    expect(builder).toMatch(/runAsNode: false/);
    expect(builder).toMatch(/enableNodeOptionsEnvironmentVariable: false/);
    expect(builder).toMatch(/enableNodeCliInspectArguments: false/);
    expect(builder).toMatch(/enableEmbeddedAsarIntegrityValidation: true/);
    expect(builder).toMatch(/onlyLoadAppFromAsar: true/);
    expect(builder).toMatch(/grantFileProtocolExtraPrivileges: false/);
  });
});
