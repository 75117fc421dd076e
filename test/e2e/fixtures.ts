/**
 * The one place E2E specs get the app from. With `ELECTRON_PATH` set (a machine where Electron's
 * binary exists) the app is launched in real Electron with `_electron.launch()`. Otherwise the real
 * built renderer runs in Debian's Chromium against the real main-process services over the
 * loopback carrier, and the run says so.
 */
import { test as base, chromium, _electron } from '@playwright/test';
import type { Browser, ElectronApplication, Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServices } from '../../main/services';
import type { Services } from '../../main/services';
import { KeytarSecretStore } from '../../main/services/keychain/keytar-store';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { RecordingPlatform } from '../carrier/platform';
import { MEDIA_PREFIX, startCarrier } from '../carrier/server';
import type { Carrier } from '../carrier/server';
import { startFakeRunComfy } from '../fake-runcomfy/server';
import type { FakeRunComfy } from '../fake-runcomfy/server';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const electronPath = process.env['ELECTRON_PATH'];
export const launchMode: 'electron' | 'carrier' = electronPath ? 'electron' : 'carrier';
const root = resolve(import.meta.dirname, '../..');
const SCREEN_DIR = join(root, 'test-results', 'screens');

/** The token the fake API accepts in E2E runs. */
export const FAKE_TOKEN = 'e2e-token-4f2a9c1b7d3e';

export class KeyframeApp {
  page!: Page;
  services?: Services;
  logLines: string[] = [];
  /** Records notifications, dialogs, trash; set dialog answers before the action that opens one. */
  platform: RecordingPlatform;
  /** Environment the services see (RUNCOMFY_TOKEN, KEYFRAME_API_BASE_URL, ...). */
  env: NodeJS.ProcessEnv = {};
  /** This app's own keychain entry (KEYFRAME_KEYCHAIN_SERVICE), kept across restarts, removed after the test. */
  readonly keychain = new KeytarSecretStore(
    `Keyframe e2e ${randomUUID()}`,
    createLogger(() => {}),
  );
  #carrier?: Carrier;
  #electron?: ElectronApplication;

  constructor(
    readonly userDataDir: string,
    private readonly browser: Browser | undefined,
    readonly colorScheme: 'light' | 'dark' = 'light',
  ) {
    this.platform = new RecordingPlatform(join(userDataDir, 'Trash'));
  }

  async launch(): Promise<Page> {
    if (launchMode === 'electron') {
      this.#electron = await _electron.launch({
        executablePath: electronPath,
        args: [root],
        env: { ...process.env, ...this.env, KEYFRAME_USER_DATA: this.userDataDir } as Record<string, string>,
      });
      this.page = await this.#electron.firstWindow();
    } else {
      const log = createLogger((line) => this.logLines.push(line));
      this.services = await createServices({
        userDataDir: this.userDataDir,
        shell: 'carrier',
        version: 'e2e',
        log,
        platform: this.platform,
        mediaUrl: mediaUrlFor(MEDIA_PREFIX),
        env: this.env,
      });
      this.#carrier = await startCarrier({ services: this.services, rendererDir: join(root, 'out', 'renderer') });
      const context = await this.browser!.newContext({ colorScheme: this.colorScheme, viewport: { width: 1280, height: 800 } });
      this.page = await context.newPage();
      await this.page.goto(this.#carrier.url);
    }
    await this.page.getByRole('navigation', { name: 'Places' }).waitFor();
    return this.page;
  }

  /** Quits and starts again with the same user data (keychain and library are shared). */
  async restart(): Promise<Page> {
    await this.close();
    return this.launch();
  }

  async screenshot(name: string): Promise<string> {
    await mkdir(SCREEN_DIR, { recursive: true });
    const path = join(SCREEN_DIR, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async close(): Promise<void> {
    if (this.#electron) await this.#electron.close();
    if (this.#carrier) {
      await this.page.context().close();
      await this.#carrier.close();
      await this.services?.close();
    }
    this.#electron = undefined;
    this.#carrier = undefined;
  }
}

export interface AppOptions {
  /** How the app starts: signed in with RUNCOMFY_TOKEN (default), with the token in its keychain, or signed out. */
  signedIn: 'env' | 'keychain' | false;
}

export const test = base.extend<AppOptions & { app: KeyframeApp; fakeApi: FakeRunComfy }, { browser: Browser }>({
  signedIn: ['env', { option: true }],
  /** The fake RunComfy API every app in a test talks to (KEYFRAME_API_BASE_URL); no test reaches the real one. */
  fakeApi: async ({}, use) => {
    const fake = await startFakeRunComfy({ tokens: [FAKE_TOKEN] });
    await use(fake);
    await fake.close();
  },
  browser: [
    async ({}, use) => {
      if (launchMode === 'electron') {
        await use(undefined as unknown as Browser);
        return;
      }
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  app: async ({ browser, fakeApi, signedIn }, use, testInfo) => {
    testInfo.annotations.push({
      type: 'launcher',
      description: launchMode === 'electron' ? `Electron at ${electronPath}` : 'Chromium + loopback carrier (no Electron binary here)',
    });
    const userDataDir = await mkdtemp(join(tmpdir(), 'keyframe-e2e-'));
    const app = new KeyframeApp(userDataDir, browser);
    app.env = { HOME: userDataDir, KEYFRAME_API_BASE_URL: fakeApi.url, KEYFRAME_KEYCHAIN_SERVICE: app.keychain.service };
    if (signedIn === 'env') app.env['RUNCOMFY_TOKEN'] = FAKE_TOKEN;
    if (signedIn === 'keychain') await app.keychain.set(SECRET_ACCOUNTS.runcomfyToken, FAKE_TOKEN);
    await app.launch();
    await use(app);
    await app.close();
    await app.keychain.delete(SECRET_ACCOUNTS.runcomfyToken).catch(() => false);
    await rm(userDataDir, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
