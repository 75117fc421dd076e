import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServices } from '../../main/services';
import type { Services } from '../../main/services';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { RecordingPlatform } from './platform';
import { MEDIA_PREFIX, startCarrier } from './server';
import type { Carrier } from './server';

describe('the loopback carrier', () => {
  let carrier: Carrier;
  let services: Services;
  let cookie: string;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-carrier-'));
    services = await createServices({
      userDataDir: dir,
      shell: 'carrier',
      version: 't',
      log: createLogger(() => {}),
      platform: new RecordingPlatform(join(dir, 'T')),
      mediaUrl: mediaUrlFor(MEDIA_PREFIX),
      env: {},
    });
    await writeFile(join(dir, 'staging', 'frame.png'), 'png-bytes');
    carrier = await startCarrier({ services, rendererDir: resolve(import.meta.dirname, '../../out/renderer') });
    const entry = await fetch(carrier.url, { redirect: 'manual' });
    cookie = entry.headers.get('set-cookie')!.split(';')[0];
  });
  afterAll(async () => {
    await carrier.close();
  });

  it('listens on loopback only', () => {
    expect(new URL(carrier.origin).hostname).toBe('127.0.0.1');
  });

  it('refuses every request without the per-run secret', async () => {
    expect((await fetch(`${carrier.origin}/`)).status).toBe(403);
    expect((await fetch(`${carrier.origin}/?k=wrong`)).status).toBe(403);
    expect((await fetch(`${carrier.origin}/__carrier/bridge.js`)).status).toBe(403);
    expect((await fetch(`${carrier.origin}/__carrier/socket-worker.js`)).status).toBe(403);
    expect((await fetch(`${carrier.origin}/media/staging/frame.png`)).status).toBe(403);
  });

  it('refuses requests a browser labels as made by another page, even one on this computer with the cookie', async () => {
    for (const site of ['same-site', 'cross-site']) {
      for (const path of ['/', '/__carrier/bridge.js', '/__carrier/socket-worker.js', '/media/staging/frame.png']) {
        const res = await fetch(`${carrier.origin}${path}`, { headers: { cookie, 'sec-fetch-site': site } });
        expect(res.status, `${site} ${path}`).toBe(403);
      }
    }
    const own = await fetch(`${carrier.origin}/media/staging/frame.png`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
  });

  it('serves the page, with the bridge script, once the secret cookie is set', async () => {
    const page = await fetch(`${carrier.origin}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/__carrier/bridge.js"></script>');
    const worker = await fetch(`${carrier.origin}/__carrier/socket-worker.js`, { headers: { cookie } });
    expect([worker.status, worker.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await worker.text()).toContain('new WebSocket(');
  });

  it('serves media only through the media rule, with ranges', async () => {
    const ok = await fetch(`${carrier.origin}/media/staging/frame.png`, { headers: { cookie, range: 'bytes=0-2' } });
    expect(ok.status).toBe(206);
    expect(await ok.text()).toBe('png');
    for (const path of [
      '/media/staging/..%2f..%2fetc/passwd',
      '/media/staging/%2e%2e/settings.json',
      '/media/nope/x',
      '/..%2f..%2fetc/passwd',
    ]) {
      const res = await fetch(`${carrier.origin}${path}`, { headers: { cookie } });
      expect([400, 404], path).toContain(res.status);
    }
  });

  it('refuses a WebSocket from another origin or without the cookie', async () => {
    const attempt = (headers: Record<string, string>) =>
      new Promise<string>((done) => {
        const ws = new WebSocket(`${carrier.origin.replace('http', 'ws')}/__carrier/ws`, { headers });
        ws.on('open', () => {
          ws.close();
          done('open');
        });
        ws.on('error', () => done('refused'));
        ws.on('unexpected-response', () => done('refused'));
      });
    expect(await attempt({ origin: 'http://evil.example', cookie })).toBe('refused');
    expect(await attempt({ origin: carrier.origin })).toBe('refused');
    expect(await attempt({ origin: carrier.origin, cookie, 'sec-fetch-site': 'same-site' })).toBe('refused');
    expect(await attempt({ origin: carrier.origin, cookie })).toBe('open');
  });

  it('carries calls through the dispatcher, so bad arguments are refused', async () => {
    const ws = new WebSocket(`${carrier.origin.replace('http', 'ws')}/__carrier/ws`, { headers: { origin: carrier.origin, cookie } });
    await new Promise((r) => ws.on('open', r));
    const reply = new Promise<unknown>((r) => ws.once('message', (data) => r(JSON.parse(String(data)))));
    ws.send(JSON.stringify({ id: 7, channel: 'settings:set', args: [{ theme: 'neon' }] }));
    expect(await reply).toMatchObject({ id: 7, result: { ok: false, error: { code: 'invalid_argument' } } });
    ws.close();
  });
});
