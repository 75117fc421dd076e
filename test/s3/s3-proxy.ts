/**
 * A real HTTP proxy in front of the local S3 server that can misbehave on cue, for the failures
 * s3rver itself cannot produce: a bucket that refuses writes, a wrong region, a wrong secret, a
 * connection cut in the middle of an upload, a server that never answers. It records every
 * request it sees (method, path, headers).
 */
import { createServer, request as forward } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyBehaviour =
  /** Answer like S3 does: status, an XML error body with this code (HEAD: no body), extra headers. */
  | { respond: number; code: string; message?: string; headers?: Record<string, string>; fields?: Record<string, string> }
  /** Cut the connection once half of the request body has arrived (or at once for bodiless requests). */
  | { drop: 'mid-body' }
  /** Read the request and never answer. */
  | { stall: true };

export interface ProxyRule {
  method?: string;
  /** Only requests whose path (with query) contains this. */
  pathIncludes?: string;
  behaviour: ProxyBehaviour;
  /** How many requests it applies to (default: every one). */
  times?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** What the proxy did with it. */
  outcome: 'forwarded' | 'answered' | 'dropped' | 'stalled';
}

export interface S3Proxy {
  /** Use this as the bucket's endpoint. */
  endpoint: string;
  requests: SeenRequest[];
  count(method: string): number;
  script(rule: ProxyRule): void;
  close(): Promise<void>;
}

export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const upstream = new URL(target);
  const rules: (ProxyRule & { left: number })[] = [];
  const requests: SeenRequest[] = [];

  const take = (request: IncomingMessage): ProxyBehaviour | undefined => {
    const index = rules.findIndex(
      (rule) => (!rule.method || rule.method === request.method) && (!rule.pathIncludes || (request.url ?? '').includes(rule.pathIncludes)),
    );
    if (index < 0) return undefined;
    const rule = rules[index];
    if (--rule.left <= 0) rules.splice(index, 1);
    return rule.behaviour;
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const seen: SeenRequest = { method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, outcome: 'forwarded' };
    requests.push(seen);
    const behaviour = take(request);
    if (behaviour && 'drop' in behaviour) {
      seen.outcome = 'dropped';
      const half = Math.floor(Number(request.headers['content-length'] ?? 0) / 2);
      if (half === 0) return void request.socket.destroy();
      let received = 0;
      request.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= half) request.socket.destroy();
      });
      return;
    }
    if (behaviour && 'stall' in behaviour) {
      seen.outcome = 'stalled';
      request.resume();
      return;
    }
    if (behaviour) {
      seen.outcome = 'answered';
      request.resume();
      request.on('end', () => {
        const fields = Object.entries(behaviour.fields ?? {})
          .map(([name, value]) => `<${name}>${value}</${name}>`)
          .join('');
        const body =
          request.method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${behaviour.code}</Code><Message>${behaviour.message ?? behaviour.code}</Message>${fields}<RequestId>proxy</RequestId></Error>`;
        response.writeHead(behaviour.respond, {
          'content-type': 'application/xml',
          'content-length': String(Buffer.byteLength(body)),
          date: new Date().toUTCString(),
          ...behaviour.headers,
        });
        response.end(body);
      });
      return;
    }
    const outgoing = forward(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', () => response.destroy());
    request.pipe(outgoing);
  });

  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    count: (method) => requests.filter((request) => request.method === method).length,
    script: (rule) => rules.push({ ...rule, left: rule.times ?? Infinity }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
