/**
 * The one place E2E specs get the app from. With `ELECTRON_PATH` set (a machine where Electron's
 * binary exists) the app is launched in real Electron with `_electron.launch()`. Otherwise the real
 * built renderer runs in Debian's Chromium against the real main-process services over the
 * loopback carrier, and the run says so.
 */
import { test as base, chromium, _electron } from '@playwright/test';
import type { Browser, ElectronApplication, Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createServices } from '../../main/services';
import type { Services } from '../../main/services';
import { KeytarSecretStore } from '../../main/services/keychain/keytar-store';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { RecordingPlatform } from '../carrier/platform';
import { seedLibrary } from '../library/seed';
import type { SeedOptions } from '../library/seed';
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
  // Electron turns Chromium's spare renderer off (shell/browser/feature_list.cc): no renderer
  // process is started beside each new page for the next one.
  '--disable-features=SpareRendererForSitePerProcess',
  // Heap snapshots keep whole strings, not their first 1024 characters (security.spec.ts searches them).
  '--js-flags=--heap-snapshot-string-limit=100000000',
];

const electronPath = process.env['ELECTRON_PATH'];
export const launchMode: 'electron' | 'carrier' = electronPath ? 'electron' : 'carrier';
const root = resolve(import.meta.dirname, '../..');
const SCREEN_DIR = join(root, 'test-results', 'screens');
/**
 * Every app's user data (settings, library, staging, its log) is kept here until the run ends,
 * when the secrets scan (secrets-scan.teardown.ts) searches it and, if it is clean, removes it.
 */
export const E2E_DATA_DIR = join(root, 'test-results', 'e2e-data');

/** The token the fake API accepts in E2E runs. */
export const FAKE_TOKEN = 'e2e-token-4f2a9c1b7d3e';
/** The bucket's secret access key in E2E runs (s3rver accepts any). */
export const E2E_BUCKET_SECRET = 'kf-e2e-bucket-secret-9d41c07ab2e6';
/** What must never be written anywhere by the app: searched for after every E2E run. */
export const E2E_SECRETS = [
  { name: 'the RunComfy API token (FAKE_TOKEN)', value: FAKE_TOKEN },
  { name: 'the bucket secret (E2E_BUCKET_SECRET)', value: E2E_BUCKET_SECRET },
];

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
  /** With `blockOutbound`, every request the page makes outside the app's own origin, aborted (none is expected). */
  blockedRequests: string[] = [];
  #carrier?: Carrier;
  #electron?: ElectronApplication;
  #logWritten = 0;

  constructor(
    readonly userDataDir: string,
    private readonly browser: Browser | undefined,
    readonly colorScheme: 'light' | 'dark' = 'light',
    /** Cut the page off from every network but the app's own (carrier mode). */
    readonly blockOutbound = false,
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
      if (this.blockOutbound) {
        const own = this.#carrier.origin;
        await context.route('**/*', (route) => {
          const url = route.request().url();
          if (new URL(url).origin === own) return route.continue();
          this.blockedRequests.push(url);
          return route.abort('internetdisconnected');
        });
      }
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
      // What the app logged goes beside its data, so the secrets scan reads it too.
      await mkdir(join(this.userDataDir, 'logs'), { recursive: true });
      await writeFile(join(this.userDataDir, 'logs', 'keyframe.log'), this.logLines.slice(this.#logWritten).join('\n') + '\n', {
        flag: 'a',
      });
      this.#logWritten = this.logLines.length;
    }
    this.#electron = undefined;
    this.#carrier = undefined;
  }
}

export interface AppOptions {
  /** How the app starts: signed in with RUNCOMFY_TOKEN (default), with the token in its keychain, or signed out. */
  signedIn: 'env' | 'keychain' | false;
  /** A library generated into the user data before the app starts (test/library/seed.ts). */
  librarySeed: SeedOptions | undefined;
  /** Block every request from the page that is not to the app itself. */
  blockOutbound: boolean;
}

export const test = base.extend<AppOptions & { app: KeyframeApp; fakeApi: FakeRunComfy }, { browser: Browser }>({
  signedIn: ['env', { option: true }],
  librarySeed: [undefined, { option: true }],
  blockOutbound: [false, { option: true }],
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
  app: async ({ browser, fakeApi, signedIn, librarySeed, blockOutbound }, use, testInfo) => {
    testInfo.annotations.push({
      type: 'launcher',
      description: launchMode === 'electron' ? `Electron at ${electronPath}` : 'Chromium + loopback carrier (no Electron binary here)',
    });
    await mkdir(E2E_DATA_DIR, { recursive: true });
    const slug = testInfo.titlePath
      .slice(1)
      .join(' ')
      .replace(/[^a-z0-9]+/gi, '-')
      .slice(0, 60);
    const userDataDir = await mkdtemp(join(E2E_DATA_DIR, `${slug}-`));
    const app = new KeyframeApp(userDataDir, browser, 'light', blockOutbound);
    app.env = {
      HOME: userDataDir,
      KEYFRAME_API_BASE_URL: fakeApi.url,
      KEYFRAME_KEYCHAIN_SERVICE: app.keychain.service,
      // The fake is on loopback: ask it every 100 ms, so a test waits for the job's states, not the 2 s interval.
      KEYFRAME_POLL_MS: '100',
    };
    if (signedIn === 'env') app.env['RUNCOMFY_TOKEN'] = FAKE_TOKEN;
    if (signedIn === 'keychain') await app.keychain.set(SECRET_ACCOUNTS.runcomfyToken, FAKE_TOKEN);
    if (librarySeed) await seedLibrary(join(userDataDir, 'library'), librarySeed);
    await app.launch();
    await use(app);
    await app.close();
    await app.keychain.delete(SECRET_ACCOUNTS.runcomfyToken).catch(() => false);
    // The user data stays for the secrets scan at the end of the run.
  },
});

export { expect } from '@playwright/test';
