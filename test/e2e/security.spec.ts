/**
 * The renderer is untrusted and holds no secret: after the user types the API token and the
 * bucket secret and a job goes all the way through, neither is in the page's memory (a V8 heap
 * snapshot over CDP), its storage (local, session, IndexedDB, Cache Storage) or its cookies.
 * And another page on this computer cannot use the app's bridge, WebSocket or media.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import * as img from '../images';
import { startLocalS3 } from '../s3/local-s3';
import { findSecrets } from '../security/secret-scan';
import { CreatePage } from './create-page';
import { E2E_BUCKET_SECRET, E2E_SECRETS, expect, FAKE_TOKEN, launchMode, test } from './fixtures';

/** A V8 heap snapshot of the page (a garbage collection runs first), as one string. */
async function heapSnapshot(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return chunks.join('');
}

/** Everything the page keeps or could read back: storage of every kind, cookies, its markup and fields. */
async function pageStorage(page: Page): Promise<string> {
  const inPage = await page.evaluate(async () => {
    const indexed: unknown[] = [];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of db.objectStoreNames) {
        const all = db.transaction(store).objectStore(store).getAll();
        indexed.push(await new Promise((resolve) => (all.onsuccess = () => resolve(all.result))));
      }
      db.close();
    }
    const cached: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) cached.push(request.url);
    }
    return JSON.stringify({
      local: { ...localStorage },
      session: { ...sessionStorage },
      indexed,
      cached,
      cookie: document.cookie,
      html: document.documentElement.outerHTML,
      values: [...document.querySelectorAll('input, textarea')].map((field) => (field as HTMLInputElement).value),
    });
  });
  return inPage + JSON.stringify(await page.context().cookies());
}

const secretsIn = (text: string) => findSecrets(Buffer.from(text), E2E_SECRETS);

test.describe('a first run, all the way to a video', () => {
  test.use({ signedIn: false });

  test('leaves neither the token nor the bucket secret in the renderer’s memory, storage or cookies', async ({ app }) => {
    test.setTimeout(90_000);
    const s3 = await startLocalS3({ secretAccessKey: E2E_BUCKET_SECRET });
    const page = app.page;
    try {
      await test.step('type the token into the Connect sheet', async () => {
        const sheet = page.getByRole('dialog', { name: /RunComfy/ });
        await sheet.getByLabel('API token').fill(FAKE_TOKEN);
        await sheet.getByRole('button', { name: 'Verify and save' }).click();
        await expect(sheet).toBeHidden();
      });

      await test.step('type the bucket secret into Settings', async () => {
        await page.keyboard.press('Control+,');
        const section = page.getByRole('dialog', { name: 'Settings' }).getByRole('region', { name: 'Frame hosting' });
        await section.getByLabel('Endpoint', { exact: true }).fill(s3.endpoint);
        await section.getByLabel('Region', { exact: true }).fill('us-east-1');
        await section.getByLabel('Bucket name', { exact: true }).fill(s3.bucket);
        await section.getByLabel('Access key ID', { exact: true }).fill(s3.accessKeyId);
        await section.getByLabel('Secret access key', { exact: true }).fill(E2E_BUCKET_SECRET);
        await section.getByLabel('Path-style addresses', { exact: true }).check();
        await section.getByRole('button', { name: 'Save bucket' }).click();
        await expect(section.getByText('Set', { exact: true })).toBeVisible();
        await page.keyboard.press('Escape');
        await expect(page.getByRole('dialog', { name: 'Settings' })).toBeHidden();
      });

      await test.step('make a video: frames through the bucket, the job through the API, the video into the library', async () => {
        const create = new CreatePage(page);
        await create.drop('start', [{ name: 'start.png', type: 'image/png', data: await img.makeImage(800, 450, 'png') }]);
        await create.drop('end', [{ name: 'end.png', type: 'image/png', data: await img.makeImage(640, 360, 'png') }]);
        await create.expectVerdict('start', 'ready');
        await create.expectVerdict('end', 'ready');
        await create.prompt.fill('From @Image1 to @Image2');
        await create.submit.click();
        await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();
        expect(await s3.keys('keyframe/')).toHaveLength(2);
        await page.keyboard.press('Control+3');
        await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();
        await expect(page.getByRole('list', { name: 'Jobs' }).getByRole('listitem')).toHaveCount(1);
        await expect.poll(() => app.services?.library.store.list().items[0]?.status ?? 'completed').toBe('completed');
      });
      expect(await app.keychain.get(SECRET_ACCOUNTS.s3SecretKey)).toBe(E2E_BUCKET_SECRET);

      await test.step('neither secret is in the page’s storage or cookies', async () => {
        expect(secretsIn(await pageStorage(page))).toEqual([]);
      });

      await test.step('neither secret is in the page’s memory', async () => {
        const snapshot = await heapSnapshot(page);
        expect(snapshot.length).toBeGreaterThan(1_000_000);
        expect(secretsIn(snapshot)).toEqual([]);
        // The search sees what the page does hold: a string the page keeps is found, even deep
        // inside a long one (snapshots keep whole strings; see CHROMIUM_FLAGS).
        await page.evaluate(
          (secret) => ((window as unknown as { kept: string }).kept = JSON.parse(JSON.stringify('x'.repeat(5000) + secret))),
          FAKE_TOKEN,
        );
        expect(secretsIn(await heapSnapshot(page)).map((hit) => hit.secret)).toContain(E2E_SECRETS[0].name);
      });
    } finally {
      await app.keychain.delete(SECRET_ACCOUNTS.s3SecretKey);
      await s3.close();
    }
  });
});

test('another page on this computer cannot use the app’s bridge, WebSocket or media', async ({ app }) => {
  test.skip(launchMode === 'electron', 'Electron has no carrier: its IPC checks the sender frame instead (main/shell/ipc.ts)');
  const own = new URL(app.page.url()).origin;
  await writeFile(join(app.userDataDir, 'staging', 'probe.png'), await img.makeImage(320, 320, 'png'));
  const media = `${own}/media/staging/probe.png`;
  // The app's own page can load it (so a refusal below means something).
  expect(await app.page.evaluate((url) => fetch(url).then((r) => r.status), media)).toBe(200);

  const evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((ready) => evil.listen(0, '127.0.0.1', ready));
  try {
    // Same browser, so the carrier's cookie is there, and 127.0.0.1 on another port is the same site.
    const other = await app.page.context().newPage();
    await other.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const attempts = await other.evaluate(
      async ({ own, media }) => {
        const socket = await new Promise<string>((done) => {
          const ws = new WebSocket(`${own.replace('http', 'ws')}/__carrier/ws`);
          ws.onopen = () => done('open');
          ws.onerror = () => done('refused');
        });
        const load = (tag: 'img' | 'script', src: string) =>
          new Promise<string>((done) => {
            const element = document.createElement(tag);
            element.onload = () => done('loaded');
            element.onerror = () => done('refused');
            element.src = src;
            document.body.append(element);
          });
        const read = await fetch(media).then(
          () => 'read',
          () => 'refused',
        );
        return {
          socket,
          image: await load('img', media),
          bridge: await load('script', `${own}/__carrier/bridge.js`),
          read,
          hasBridge: 'keyframe' in window,
        };
      },
      { own, media },
    );
    expect(attempts).toEqual({ socket: 'refused', image: 'refused', bridge: 'refused', read: 'refused', hasBridge: false });
    await other.close();
  } finally {
    await new Promise((done) => evil.close(done));
  }
});
