import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpGet } from './http-get';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4?sig=1`;
}

/** A server that answers every request with these raw bytes, then closes (or not). */
const raw = (answer: (string | Buffer)[], close = true) =>
  createTcpServer((socket) => {
    socket.once('data', () => {
      for (const part of answer) socket.write(part);
      if (close) socket.end();
    });
  });

async function readAll(url: string, headers: Record<string, string> = {}) {
  const response = await httpGet(url, headers, new AbortController().signal);
  const pieces: Buffer[] = [];
  await response.body.read((piece) => void pieces.push(Buffer.from(piece)));
  return { ...response, text: Buffer.concat(pieces).toString() };
}

describe('httpGet', () => {
  it('sends the path, query and headers, and reads a body framed by its length', async () => {
    let seen: { url?: string; range?: string } = {};
    const server = createHttpServer((request, response) => {
      seen = { url: request.url, range: request.headers.range };
      response.writeHead(206, { 'content-length': 5, 'Content-Range': 'bytes 2-6/7' }).end('llo!!');
    });
    const got = await readAll(await listen(server), { range: 'bytes=2-' });
    expect(seen).toEqual({ url: '/video.mp4?sig=1', range: 'bytes=2-' });
    expect(got).toMatchObject({ status: 206, headers: { 'content-range': 'bytes 2-6/7' }, text: 'llo!!' });
  });

  it('reads a chunked body, however the chunks are cut across reads', async () => {
    const url = await listen(
      raw(
        ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'lo\r\n6;ext=1\r\n wor', 'ld\r', '\n0\r\nX-Trailer: 1\r\n\r\n'],
        false,
      ),
    );
    expect((await readAll(url)).text).toBe('hello world');
  });

  it('reads a body that ends when the server closes, and stops at the announced length', async () => {
    expect(await readAll(await listen(raw(['HTTP/1.0 200 OK\r\n\r\nall of it'])))).toMatchObject({ text: 'all of it' });
    expect(await readAll(await listen(raw(['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef'], false)))).toMatchObject({ text: 'abc' });
  });

  it('fails when the connection drops before the announced end, after handing over what came', async () => {
    const url = await listen(raw(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome']));
    const response = await httpGet(url, {}, new AbortController().signal);
    const pieces: string[] = [];
    await expect(response.body.read((piece) => void pieces.push(piece.toString()))).rejects.toThrow('connection dropped');
    expect(pieces.join('')).toBe('some');
  });

  it('refuses an answer that is not HTTP, and other schemes', async () => {
    await expect(httpGet(await listen(raw(['SSH-2.0-OpenSSH\r\n\r\n'])), {}, new AbortController().signal)).rejects.toThrow(
      'the server did not answer with HTTP',
    );
    await expect(httpGet('ftp://example.com/v.mp4', {}, new AbortController().signal)).rejects.toThrow('not ftp:');
  });

  it('waits for a slow reader (the disk) before reading on, and stops the reading when the reader fails', async () => {
    const big = Buffer.alloc(8 << 20, 1);
    const server = createHttpServer((_request, response) => response.writeHead(200, { 'content-length': big.length }).end(big));
    const url = await listen(server);
    let busy = false;
    let total = 0;
    const response = await httpGet(url, {}, new AbortController().signal);
    await response.body.read(async (piece) => {
      expect(busy).toBe(false); // never handed a piece while the last one is still being written
      busy = true;
      total += piece.length;
      await new Promise((resolve) => setImmediate(resolve));
      busy = false;
    });
    expect(total).toBe(big.length);

    const failing = await httpGet(url, {}, new AbortController().signal);
    await expect(
      failing.body.read(() => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
  });

  it('stops when aborted, also in the middle of the body', async () => {
    const url = await listen(raw(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome'], false));
    const controller = new AbortController();
    const response = await httpGet(url, {}, controller.signal);
    const reading = response.body.read(() => controller.abort(new Error('stopped by the user')));
    await expect(reading).rejects.toThrow('stopped by the user');
  });
});
