import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadVideo } from './download';
import { isCompleteMp4 } from './mp4';

const clip = readFileSync(resolve(import.meta.dirname, '../../../test/fixtures/video/clip-5s.mp4'));

interface Mode {
  dropAfter?: number; // bytes to send before destroying the socket (first request only)
  ignoreRange?: boolean;
  status?: number;
  lie?: boolean; // announce the full length, send half, end cleanly
  noLength?: boolean;
  slow?: boolean; // trickle the body out in small chunks
}

function trickle(response: import('node:http').ServerResponse, body: Buffer): void {
  let at = 0;
  const next = () => {
    if (response.destroyed) return;
    if (at >= body.length) return void response.end();
    response.write(body.subarray(at, at + 16_384));
    at += 16_384;
    setTimeout(next, 15);
  };
  next();
}

describe('downloadVideo', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let mode: Mode = {};
  let requests: { range?: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push({ range: request.headers.range });
      if (mode.status) {
        response.writeHead(mode.status).end('expired');
        return;
      }
      const range = /bytes=(\d+)-/.exec(request.headers.range ?? '');
      if (range && !mode.ignoreRange) {
        const start = Number(range[1]);
        if (start >= clip.length) return void response.writeHead(416, { 'content-range': `bytes */${clip.length}` }).end();
        response.writeHead(206, {
          'content-range': `bytes ${start}-${clip.length - 1}/${clip.length}`,
          'content-length': clip.length - start,
        });
        if (mode.slow) return trickle(response, clip.subarray(start));
        return void response.end(clip.subarray(start));
      }
      response.writeHead(200, mode.noLength ? {} : { 'content-length': clip.length });
      if (mode.dropAfter !== undefined && requests.length === 1) {
        response.write(clip.subarray(0, mode.dropAfter), () => response.socket?.destroy());
        return;
      }
      if ((mode.lie && requests.length === 1) || mode.noLength) return void response.end(clip.subarray(0, clip.length / 2));
      if (mode.slow) return trickle(response, clip);
      response.end(clip);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kf-dl-'));
    mode = {};
    requests = [];
  });

  const fast = { backoffMs: () => 5, allowPlainHttp: true };

  it('streams the whole file into place and reports progress', async () => {
    const seen: number[] = [];
    const result = await downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), { ...fast, onProgress: (p) => seen.push(p.received) });
    expect(result.bytes).toBe(clip.length);
    // Its real length and frames, read from the MP4's index when the download is checked.
    expect(result.timing).toEqual({ durationS: 5, frames: 120, frameRate: 24 });
    expect(readFileSync(join(dir, 'video.mp4')).equals(clip)).toBe(true);
    expect(existsSync(join(dir, 'video.mp4.part'))).toBe(false);
    expect(seen.at(-1)).toBe(clip.length);
  });

  it('resumes with a Range request after the connection drops mid-body', async () => {
    mode = { dropAfter: 40_000 };
    await downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), fast);
    expect(readFileSync(join(dir, 'video.mp4')).equals(clip)).toBe(true);
    expect(requests).toHaveLength(2);
    expect(requests[1].range).toMatch(/^bytes=\d+-$/);
    expect(Number(/=(\d+)/.exec(requests[1].range!)![1])).toBeGreaterThan(0);
  });

  it('resumes a partial file left by an earlier run (e.g. the app was killed)', async () => {
    await writeFile(join(dir, 'video.mp4.part'), clip.subarray(0, 50_000));
    await downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), fast);
    expect(requests[0].range).toBe('bytes=50000-');
    expect(readFileSync(join(dir, 'video.mp4')).equals(clip)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    await writeFile(join(dir, 'video.mp4.part'), clip.subarray(0, 50_000));
    mode = { ignoreRange: true };
    await downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), fast);
    expect(readFileSync(join(dir, 'video.mp4')).equals(clip)).toBe(true);
  });

  it('never passes off a body shorter than announced: it stalls, then resumes for the rest', async () => {
    mode = { lie: true };
    await downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), { ...fast, idleTimeoutMs: 300 });
    expect(requests).toHaveLength(2);
    expect(readFileSync(join(dir, 'video.mp4')).equals(clip)).toBe(true);
  });

  it('gives up with a clear message when every attempt comes up short', async () => {
    mode = { lie: true, ignoreRange: true };
    requests = [];
    const attempt = downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), { ...fast, idleTimeoutMs: 200, attempts: 1 });
    await expect(attempt).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('could not be downloaded') });
    expect(existsSync(join(dir, 'video.mp4'))).toBe(false);
  });

  it('catches a truncated MP4 even when no length was announced', async () => {
    mode = { noLength: true };
    await expect(downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), { ...fast, attempts: 1 })).rejects.toMatchObject({
      code: 'server',
    });
    expect(existsSync(join(dir, 'video.mp4'))).toBe(false);
  });

  it('reports an expired link at once, without retrying, so a fresh URL can be fetched', async () => {
    mode = { status: 403 };
    await expect(downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), fast)).rejects.toMatchObject({
      code: 'not_found',
      details: { expired: true },
    });
    expect(requests).toHaveLength(1);
  });

  it('lets one downloader at a time write a file, even from two processes (the app and the CLI on one library)', async () => {
    mode = { slow: true };
    const dest = join(dir, 'video.mp4');
    let started!: () => void;
    const receiving = new Promise<void>((resolve) => (started = resolve));
    const first = downloadVideo(`${base}/v.mp4`, dest, { ...fast, onProgress: ({ received }) => received > 0 && started() });
    await receiving;
    const second = downloadVideo(`${base}/v.mp4`, dest, { ...fast, attempts: 1 });
    await expect(second).rejects.toMatchObject({ code: 'io', details: { busy: true } });
    await first;
    expect(readFileSync(dest).equals(clip)).toBe(true);
    expect(requests).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(['video.mp4']);
  });

  it('takes over a lock left by a killed process, or one nobody has touched for a while', async () => {
    const dest = join(dir, 'video.mp4');
    await writeFile(`${dest}.part`, clip.subarray(0, 30_000));
    await writeFile(`${dest}.part.lock`, `${hostname()}:2147483646`); // no such process
    await downloadVideo(`${base}/v.mp4`, dest, fast);
    expect(requests[0].range).toBe('bytes=30000-');
    expect(readFileSync(dest).equals(clip)).toBe(true);

    await writeFile(`${dest}.part.lock`, `another-host:${process.pid}`);
    const old = new Date(Date.now() - 120_000);
    await utimes(`${dest}.part.lock`, old, old);
    await downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), fast);
    expect(existsSync(`${dest}.part.lock`)).toBe(false);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(downloadVideo(`${base}/v.mp4`, join(dir, 'video.mp4'), { ...fast, signal: controller.signal })).rejects.toBeTruthy();
    expect(existsSync(join(dir, 'video.mp4'))).toBe(false);
  });
});

describe('isCompleteMp4', () => {
  it('accepts the whole clip and refuses any prefix of it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-mp4-'));
    await writeFile(join(dir, 'whole.mp4'), clip);
    expect(await isCompleteMp4(join(dir, 'whole.mp4'))).toBe(true);
    for (const cut of [0, 7, 100, clip.length / 2, clip.length - 1]) {
      await writeFile(join(dir, 'cut.mp4'), clip.subarray(0, cut));
      expect(await isCompleteMp4(join(dir, 'cut.mp4')), `cut at ${cut}`).toBe(false);
    }
    await writeFile(join(dir, 'html.mp4'), '<html>expired</html>');
    expect(await isCompleteMp4(join(dir, 'html.mp4'))).toBe(false);
  });
});

describe('what a video host gets (as RunComfy’s own nodes give it)', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let seen: { path: string; authorization?: string }[] = [];
  const routes: Record<string, (response: import('node:http').ServerResponse) => void> = {
    '/video.mp4': (response) => response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': clip.length }).end(clip),
    '/octet.mp4': (response) => response.writeHead(200, { 'content-type': 'binary/octet-stream' }).end(clip),
    '/page.html': (response) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>sign in</html>'),
    '/to-video': (response) => response.writeHead(302, { location: '/video.mp4' }).end(),
    '/to-plain-http': (response) => response.writeHead(302, { location: 'http://cdn.example.com/video.mp4' }).end(),
    '/loop': (response) => response.writeHead(307, { location: '/loop' }).end(),
    '/unannounced': (response) => response.writeHead(200, { 'content-type': 'video/mp4' }).end(clip),
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
      (routes[request.url ?? ''] ?? ((r) => r.writeHead(404).end()))(response);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kf-dl-host-'));
    seen = [];
  });

  const options = { backoffMs: () => 5, attempts: 2, allowPlainHttp: true };
  const get = (path: string, extra: Parameters<typeof downloadVideo>[2] = {}) =>
    downloadVideo(path.startsWith('http') ? path : `${base}${path}`, join(dir, 'video.mp4'), { ...options, ...extra });

  it('plain http only to this computer, and only when allowed: nothing is requested otherwise', async () => {
    await expect(get('/video.mp4', { allowPlainHttp: false })).rejects.toMatchObject({
      message: 'Keyframe downloads videos only over https; RunComfy gave a http address.',
      details: { refused: true },
    });
    await expect(get('http://cdn.example.com/video.mp4')).rejects.toMatchObject({ details: { refused: true } });
    expect(seen).toEqual([]);
  });

  it('follows a redirect to an allowed address, never to plain http elsewhere, and not forever', async () => {
    await get('/to-video');
    expect(readFileSync(join(dir, 'video.mp4')).equals(clip)).toBe(true);
    await expect(get('/to-plain-http')).rejects.toMatchObject({ details: { refused: true } });
    await expect(get('/loop')).rejects.toThrow('redirected too many times');
    expect(seen.filter((request) => request.path === '/loop')).toHaveLength(2 * 4);
  });

  it('sends no credentials to the video host', async () => {
    await get('/video.mp4');
    expect(seen.map((request) => request.authorization)).toEqual([undefined]);
  });

  it('takes a video or an octet stream, and refuses a web page without saving anything', async () => {
    await get('/octet.mp4');
    await expect(get('/page.html')).rejects.toMatchObject({
      message: 'The video link answered with text/html, not a video; Keyframe did not save it.',
    });
    expect(readdirSync(dir)).toEqual(['video.mp4']);
  });

  it('refuses a video over the cap, announced or not, and leaves no partial file', async () => {
    await expect(get('/video.mp4', { maxBytes: 1000 })).rejects.toMatchObject({ details: { refused: true } });
    await expect(get('/unannounced', { maxBytes: 1000 })).rejects.toThrow(/larger than Keyframe accepts/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
