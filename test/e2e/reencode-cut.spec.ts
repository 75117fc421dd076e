/**
 * The re-encoded cut in real Chromium (Debian's, WebCodecs): the renderer module decodes two takes
 * of different sizes, encodes them as one H.264 MP4 and sends its chunks, base64 as the contract
 * carries bytes, to main's real `ExportUploads` in this process, which checks and publishes the
 * file. Through the app's UI: the re-encode test in storyboard.spec.ts.
 */
import { test, expect, chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ExportUploads } from '../../main/services/storyboard/export-upload';
import { describeTake } from '../../main/services/storyboard/take-format';
import { fileResponse } from '../../main/services/media-handler';
import { CHROMIUM_FLAGS } from './fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const VIDEO = join(ROOT, 'test/fixtures/video');

let browser: Browser;
let dir: string;
let server: ReturnType<typeof createServer>;
let origin: string;

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-reencode-'));
  const bundle = await build({
    stdin: {
      contents: `import { reencodeCut } from './renderer/src/lib/reencode-cut';
        import { toBase64 } from './renderer/src/lib/bytes';
        Object.assign(window, { reencodeCut, toBase64 });`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0].text;
  // A secure origin (WebCodecs needs one) that serves the page, the module and the takes with ranges.
  server = createServer(async (request, response) => {
    const url = request.url ?? '/';
    const answer = url.startsWith('/video/')
      ? await fileResponse(new Request(`http://x${url}`, { headers: { range: request.headers.range ?? '' } }), join(VIDEO, url.slice(7)))
      : url === '/cut.js'
        ? new Response(script, { headers: { 'content-type': 'text/javascript' } })
        : new Response('<!doctype html><script type="module" src="/cut.js"></script>', { headers: { 'content-type': 'text/html' } });
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
});

test.afterAll(async () => {
  await browser?.close();
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('two takes of different sizes become one H.264 MP4 at the first take’s size, written by main', async () => {
  const uploads = new ExportUploads();
  const out = join(dir, 'film.mp4');
  const id = await uploads.begin(out);
  const page = await browser.newPage();
  let chunks = 0;
  await page.exposeFunction('sendChunk', async (position: number, base64: string) => {
    chunks++;
    await uploads.write(id, position, Buffer.from(base64, 'base64'));
  });
  await page.goto(origin);
  await page.waitForFunction(() => 'reencodeCut' in window);

  const result = await page.evaluate(async () => {
    type Send = (position: number, base64: string) => Promise<void>;
    const w = window as unknown as {
      reencodeCut: typeof import('../../renderer/src/lib/reencode-cut').reencodeCut;
      toBase64: (bytes: Uint8Array) => string;
      sendChunk: Send;
    };
    const fractions: number[] = [];
    const durationS = await w.reencodeCut(
      [
        { url: '/video/shot-a.mp4', label: 'Shot 1' },
        { url: '/video/shot-640x360.mp4', label: 'Shot 2' },
      ],
      { send: (position, data) => w.sendChunk(position, w.toBase64(data)), onProgress: (f) => fractions.push(f) },
    );
    return { durationS, fractions };
  });
  expect(result.durationS).toBeCloseTo(4, 3);
  expect(result.fractions.at(-1)).toBeCloseTo(1, 3);
  expect(chunks).toBeGreaterThan(0);

  const done = await uploads.finish(id, result.durationS);
  expect(done.frames).toBe(72 + 24);
  const cut = await describeTake({ path: out, label: 'cut' });
  expect(cut.video).toMatchObject({ codec: 'avc', width: 480, height: 270 });
  expect(cut.video.frameRate).toBeCloseTo(24, 1);
  const { stderr } = await promisify(execFile)('ffmpeg', ['-v', 'error', '-xerror', '-i', out, '-f', 'null', '-']);
  expect(stderr).toBe('');
  expect(await readdir(dir)).toEqual(['film.mp4']);
});
