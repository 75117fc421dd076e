/**
 * The loopback carrier: serves the built renderer and carries the contract over a WebSocket to
 * the real main-process services. Test and demo infrastructure only; never part of the packaged app.
 *
 * It listens on 127.0.0.1, and every request must carry the per-run secret: first as `?k=` on
 * the page address (which sets an HttpOnly cookie), then as that cookie. Because a page on another
 * port of this computer is "same-site" and would send that cookie too, the browser's
 * Sec-Fetch-Site must say the request comes from our own page (or a typed address), and the
 * WebSocket's Origin must be ours.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { createDispatcher } from '../../main/ipc/dispatcher';
import { createHandlers } from '../../main/ipc/handlers';
import type { Services } from '../../main/services';
import { contentTypeOf, createMediaHandler, createRendererHandler } from '../../main/services/media-handler';
import type { Handler } from '../../main/services/media-handler';
import { CARRIER_COOKIE, CARRIER_PATH } from './protocol';
import type { ClientMessage, ServerMessage } from './protocol';

/** Where the carrier serves media; services build their media addresses with this prefix. */
export const MEDIA_PREFIX = '/media/';

export interface Carrier {
  /** The address to open, secret included. */
  url: string;
  origin: string;
  secret: string;
  close(): Promise<void>;
}

/** Runs the app's web-standard file handler (the one Electron's protocols call) for a Node request. */
async function answer(handler: Handler, request: IncomingMessage, response: ServerResponse, origin: string): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value);
  const reply = await handler(new Request(new URL(request.url ?? '/', origin), { method: request.method, headers }));
  response.writeHead(reply.status, Object.fromEntries(reply.headers));
  if (reply.body) Readable.fromWeb(reply.body as import('node:stream/web').ReadableStream).pipe(response);
  else response.end();
}

const bundles = new Map<string, Promise<string>>();

/** The carrier's page script (client.ts) or its socket worker (socket-worker.ts), bundled once per process. */
function bundle(entry: 'client.ts' | 'socket-worker.ts'): Promise<string> {
  let built = bundles.get(entry);
  if (!built) {
    built = build({
      entryPoints: [join(import.meta.dirname, entry)],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      write: false,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    bundles.set(entry, built);
  }
  return built;
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** Browsers label every request with who made it; only our page and the user's address bar may ask. */
function fromOurPage(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

function sameSecret(given: string | undefined | null, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startCarrier(options: { services: Services; rendererDir: string; port?: number }): Promise<Carrier> {
  const { services } = options;
  const rendererDir = resolve(options.rendererDir);
  const secret = randomBytes(24).toString('base64url');
  const dispatch = createDispatcher(createHandlers(services), { log: services.log, checkResults: true });
  const [clientScript, workerScript] = await Promise.all([bundle('client.ts'), bundle('socket-worker.ts')]);
  const indexHtml = (await readFile(join(rendererDir, 'index.html'), 'utf8')).replace(
    '<script type="module"',
    `<script src="${CARRIER_PATH}/bridge.js"></script>\n    <script type="module"`,
  );
  let origin = '';
  const serveMedia = createMediaHandler(services.media, { prefix: MEDIA_PREFIX });
  const serveRenderer = createRendererHandler({ rendererDir, prefix: '/' });

  const send = (response: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    response.end(body);
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', origin);
    if (!fromOurPage(request)) return send(response, 403, 'Only the Keyframe page may load this.');
    if (url.searchParams.has('k')) {
      if (!sameSecret(url.searchParams.get('k'), secret)) return send(response, 403, 'Wrong carrier secret.');
      response.writeHead(303, { location: '/', 'set-cookie': `${CARRIER_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/` });
      return response.end();
    }
    if (!sameSecret(readCookie(request, CARRIER_COOKIE), secret))
      return send(response, 403, 'Open the address the demo printed (it carries a secret).');
    if (url.pathname === '/' || url.pathname === '/index.html') return send(response, 200, indexHtml, contentTypeOf('index.html'));
    if (url.pathname === `${CARRIER_PATH}/bridge.js`) return send(response, 200, clientScript, contentTypeOf('bridge.js'));
    if (url.pathname === `${CARRIER_PATH}/socket-worker.js`) return send(response, 200, workerScript, contentTypeOf('socket-worker.js'));
    return answer(url.pathname.startsWith(MEDIA_PREFIX) ? serveMedia : serveRenderer, request, response, origin);
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const allowed =
      request.url === `${CARRIER_PATH}/ws` &&
      request.headers.origin === origin &&
      fromOurPage(request) &&
      sameSecret(readCookie(request, CARRIER_COOKIE), secret);
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', async (data) => {
        let message: ClientMessage;
        try {
          message = JSON.parse(String(data)) as ClientMessage;
        } catch {
          return;
        }
        const result = await dispatch(message.channel, message.args, { trusted: true });
        const reply: ServerMessage = { id: message.id, result };
        ws.send(JSON.stringify(reply));
      });
    });
  });

  const stopEvents = services.events.listen((event, payload) => {
    const message = JSON.stringify({ event, payload } satisfies ServerMessage);
    for (const ws of sockets) ws.send(message);
  });

  await new Promise<void>((ready) => server.listen(options.port ?? 0, '127.0.0.1', ready));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/?k=${secret}`,
    origin,
    secret,
    close: async () => {
      stopEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
