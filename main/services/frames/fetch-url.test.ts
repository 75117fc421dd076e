import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { frameServiceForTest } from '../../../test/frame-service';
import * as img from '../../../test/images';
import { fetchImage, nameFromUrl } from './fetch-url';

let server: Server;
let base: string;
let png: Buffer;
const hanging = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  png = await img.makeImage(800, 600, 'png');
  server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://x');
    switch (url.pathname) {
      case '/photos/sunset%20%C3%A9t%C3%A9.png':
        // Content-Type lies: the bytes decide.
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        return response.end(png);
      case '/page':
        response.writeHead(200, { 'content-type': 'image/png' });
        return response.end(img.html());
      case '/loop-a':
        response.writeHead(302, { location: '/loop-b' });
        return response.end();
      case '/loop-b':
        response.writeHead(301, { location: '/loop-a' });
        return response.end();
      case '/moved':
        response.writeHead(302, { location: '/photos/sunset%20%C3%A9t%C3%A9.png' });
        return response.end();
      case '/chain': {
        const n = Number(url.searchParams.get('n'));
        response.writeHead(302, { location: n > 0 ? `/chain?n=${n - 1}` : '/photos/sunset%20%C3%A9t%C3%A9.png' });
        return response.end();
      }
      case '/big-declared':
        response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(50 * 1024 * 1024) });
        return response.end();
      case '/big-streamed': {
        response.writeHead(200, { 'content-type': 'image/jpeg' });
        const chunk = Buffer.alloc(256 * 1024, 0xff);
        let sent = 0;
        const pump = () => {
          while (sent < 200 && response.write(chunk)) sent++;
          if (sent < 200) response.once('drain', pump);
          else response.end();
        };
        response.on('error', () => {});
        return pump();
      }
      case '/slow':
        response.writeHead(200, { 'content-type': 'image/png' });
        response.write(png.subarray(0, 100));
        hanging.add(response);
        return;
      case '/private':
        response.writeHead(403);
        return response.end('no');
      default:
        response.writeHead(404, { 'content-type': 'text/html' });
        return response.end('<h1>Not found</h1>');
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const limits = { maxBytes: 40_000_000, timeoutMs: 2_000, maxRedirects: 5 };
const failure = (url: string, l = limits) =>
  fetchImage(url, l).then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error & { code: string }) => ({ code: error.code, message: error.message }),
  );

describe('fetching a frame from an http(s) address', () => {
  it('downloads the bytes and names them from the address', async () => {
    const got = await fetchImage(`${base}/photos/sunset%20%C3%A9t%C3%A9.png`, limits);
    expect(got.bytes.equals(png)).toBe(true);
    expect(got.name).toBe('sunset été.png');
  });

  it('follows a redirect, and up to five in a row', async () => {
    expect((await fetchImage(`${base}/moved`, limits)).finalUrl).toBe(`${base}/photos/sunset%20%C3%A9t%C3%A9.png`);
    expect((await fetchImage(`${base}/chain?n=3`, limits)).bytes.equals(png)).toBe(true);
  });

  it('names a redirect loop, and too many redirects', async () => {
    expect(await failure(`${base}/loop-a`)).toMatchObject({ message: expect.stringContaining('redirects in a loop') });
    expect(await failure(`${base}/chain?n=9`)).toMatchObject({ message: expect.stringContaining('redirects more than 5 times') });
  });

  it('explains a 404 and a 403', async () => {
    expect(await failure(`${base}/nothing-here.jpg`)).toMatchObject({
      code: 'invalid_input',
      message: 'There is no file at this address (the server answered 404 Not Found). Check the address.',
    });
    expect((await failure(`${base}/private`)).message).toContain('403 Forbidden');
  });

  it('refuses an oversized body, whether declared or streamed', async () => {
    expect((await failure(`${base}/big-declared`)).message).toContain('is 52.4 MB; Keyframe downloads frames up to 40 MB');
    // Only the size rule may decide here: the time limit is set far beyond the test's own, so a busy
    // machine reading the 50 MB stream slowly never turns this into a timeout.
    const sizeOnly = { ...limits, maxBytes: 10 * 1024 * 1024, timeoutMs: 10 * 60_000 };
    expect(await failure(`${base}/big-streamed`, sizeOnly)).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('larger than 10.5 MB'),
    });
  });

  it('gives up on a server that stops sending, after the time limit', async () => {
    expect(await failure(`${base}/slow`, { ...limits, timeoutMs: 300 })).toMatchObject({
      code: 'timeout',
      message: expect.stringContaining('within 300 ms'),
    });
  });

  it('says when the host cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    expect(await failure(`http://127.0.0.1:${port}/a.png`)).toMatchObject({
      code: 'network',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('takes a name from the last path segment, or the host', () => {
    expect(nameFromUrl('https://example.com/a/b/c%20d.webp?x=1')).toBe('c d.webp');
    expect(nameFromUrl('https://example.com/')).toBe('example.com');
  });
});

describe('adding a frame by address', () => {
  let t: Awaited<ReturnType<typeof frameServiceForTest>>;
  beforeEach(async () => {
    t = await frameServiceForTest({ fetchLimits: limits });
  });
  afterEach(() => t.cleanup());

  it('stages the download and remembers the address so it can be sent as is', async () => {
    const url = `${base}/photos/sunset%20%C3%A9t%C3%A9.png`;
    const frame = await t.service.addUrl({ url });
    expect(frame).toMatchObject({ name: 'sunset été.png', format: 'png', sourceUrl: url, accepted: true });
  });

  it('says a web page is not an image, whatever its Content-Type claims', async () => {
    await expect(t.service.addUrl({ url: `${base}/page` })).rejects.toThrow('This address leads to a web page, not an image');
  });
});
