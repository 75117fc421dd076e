/** The fake API's own promises, the ones later work relies on (result downloads, frame hosting). */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_MODEL_PATH, FIXTURE_VIDEO, startFakeRunComfy } from './server';
import type { FakeOptions, FakeRunComfy } from './server';

const TOKEN = 'fake-server-token-1';
const auth = { authorization: `Bearer ${TOKEN}` };
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let fake: FakeRunComfy;
afterEach(async () => {
  await fake?.close();
});

async function start(options: FakeOptions = {}) {
  fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 0, warmup: [], progressMs: 0 }, ...options });
  return fake;
}

async function submit(body: Record<string, unknown>) {
  const response = await fetch(fake.url + FAKE_MODEL_PATH, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'p', duration: 5, start_image_url: 'https://x/a.png', end_image_url: 'https://x/b.png', ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function videoUrl(): Promise<string> {
  const { body } = await submit({});
  const result = await (await fetch(String(body['result_url']), { headers: auth })).json();
  return result.output.video as string;
}

describe('fake RunComfy', () => {
  it('answers authentication before anything else, with the status asked for', async () => {
    await start({ unauthorizedStatus: 403 });
    expect((await fetch(`${fake.url}/v1/requests/unknown/status`)).status).toBe(403);
    expect((await fetch(`${fake.url}/v1/requests/unknown/status`, { headers: { authorization: 'Bearer other' } })).status).toBe(403);
    expect((await fetch(`${fake.url}/v1/requests/unknown/status`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${fake.url}/v1/requests/unknown/status`, { method: 'POST', headers: auth })).status).toBe(405);
    expect(fake.count('status')).toBe(4);
  });

  it('serves the real MP4 with Range requests from a signed result URL', async () => {
    await start();
    const url = await videoUrl();
    const video = await readFile(FIXTURE_VIDEO);
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${video.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(video.subarray(100, 200))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-50' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(video.subarray(-50))).toBe(true);
    expect((await fetch(url, { headers: { range: `bytes=${video.length}-` } })).status).toBe(416);
    expect((await fetch(url.replace(/sig=[0-9a-f]+/, 'sig=forged'))).status).toBe(403);
  });

  it('result URLs can expire (403) or vanish (404), and can be cut off mid-download', async () => {
    await start();
    const url = await videoUrl();
    fake.script('video', { drop: 'mid-body' });
    await expect(fetch(url).then((response) => response.arrayBuffer())).rejects.toThrow();
    fake.expireResultUrls(403);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    fake.expireResultUrls(404);
    expect((await fetch(url)).status).toBe(404);
  });

  it('can stall a download halfway, holding the connection open', async () => {
    await start();
    const url = await videoUrl();
    fake.script('video', { stall: 'mid-body' });
    const response = await fetch(url);
    const reader = response.body!.getReader();
    let received = 0;
    const total = Number(response.headers.get('content-length'));
    const first = await reader.read();
    received += first.value?.length ?? 0;
    const next = await Promise.race([reader.read(), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300))]);
    expect(next).toBe('still waiting');
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(total);
    await reader.cancel();
  });

  it('result URLs expire on their own after their lifetime, on the fake clock', async () => {
    let now = Date.parse('2026-12-01T12:00:00Z');
    await start({ resultUrlTtlMs: 50, now: () => now });
    const url = await videoUrl();
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    now += 51;
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(403);
  });

  it('decodes data: URIs and fetches loopback URLs, recording the sha256 of the bytes', async () => {
    const images = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
    await new Promise<void>((ready) => images.listen(0, '127.0.0.1', ready));
    const imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/frame.png`;
    await start({ fetchImages: true });
    const { status } = await submit({ start_image_url: `data:image/png;base64,${PNG.toString('base64')}`, end_image_url: imageUrl });
    expect(status).toBe(200);
    expect(fake.submissions[0].images).toEqual([
      { field: 'start_image_url', via: 'data', sha256: sha(PNG), bytes: PNG.length, contentType: 'image/png' },
      { field: 'end_image_url', via: 'url', sha256: sha(PNG), bytes: PNG.length, contentType: 'image/png' },
    ]);
    images.close();
  });

  it('an image it cannot fetch is a 422 naming the field, or a failed job', async () => {
    await start({ fetchImages: true });
    const dataUri = `data:image/png;base64,${PNG.toString('base64')}`;
    const refused = await submit({ start_image_url: dataUri, end_image_url: 'http://127.0.0.1:9/missing.png' });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('end_image_url');
    await fake.close();

    await start({ fetchImages: true, imageFetchFailure: 'fail-job' });
    const accepted = await submit({ start_image_url: 'http://127.0.0.1:9/missing.png', end_image_url: dataUri });
    expect(accepted.status).toBe(200);
    const status = await (await fetch(String(accepted.body['status_url']), { headers: auth })).json();
    expect(status).toMatchObject({ status: 'failed' });
    const result = await (await fetch(String(accepted.body['result_url']), { headers: auth })).json();
    expect(result).toMatchObject({ status: 'failed', error: expect.stringContaining('Failed to download start_image_url') });
  });

  it('can refuse data: URIs with a 422 naming the field', async () => {
    await start({ refuseDataUris: true });
    const { status, body } = await submit({ start_image_url: `data:image/png;base64,${PNG.toString('base64')}` });
    expect(status).toBe(422);
    expect(body['detail']).toEqual([
      { loc: ['body', 'start_image_url'], msg: 'Data URIs are not supported; give a publicly reachable https URL.', type: 'value_error' },
    ]);
  });

  it('refuses a body over its size limit with 413, and bad JSON with 400', async () => {
    await start({ maxBodyBytes: 1000 });
    expect((await submit({ prompt: 'x'.repeat(2000) })).status).toBe(413);
    const response = await fetch(fake.url + FAKE_MODEL_PATH, { method: 'POST', headers: auth, body: '{not json' });
    expect(response.status).toBe(400);
    expect(fake.jobIds).toEqual([]);
  });
});

describe('fake RunComfy answers in the shapes RunComfy really uses (API.md)', () => {
  const get = async (url: string, token = TOKEN) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const cancel = async (id: string) =>
    (await fetch(`${fake.url}/v1/requests/${id}/cancel`, { method: 'POST', headers: auth })).json() as Promise<Record<string, unknown>>;

  it('errors carry error_code and error_message', async () => {
    await start({ tokens: [TOKEN, 'other-account-token'] });
    expect(await get(`${fake.url}/v1/requests/x/status`, 'nope')).toEqual({
      status: 401,
      body: { error_code: 400004, error_message: 'Invalid or expired API token.' },
    });
    expect((await get(`${fake.url}/v1/requests/x/status`)).body).toMatchObject({ error_code: 404001 });
    const { body } = await submit({});
    expect(await get(String(body['status_url']), 'other-account-token')).toMatchObject({ status: 403, body: { error_code: 403001 } });
    fake.configure({ lowBalance: true });
    expect(await submit({})).toMatchObject({ status: 402, body: { error_code: 400002 } });
  });

  it('passes through pending, in_queue, starting and in_progress; a failure reason only in /result', async () => {
    await start({ plan: { intake: ['pending'], queuePositions: 1, warmup: ['starting'], stepMs: Infinity, progressMs: Infinity } });
    fake.nextJob({ outcome: { failed: { message: 'NSFW content detected', code: 'content_policy' } } });
    const { body } = await submit({});
    const id = String(body['request_id']);
    const seen = [];
    for (let step = 0; step < 5; step++, fake.advance(id)) seen.push((await get(String(body['status_url']))).body['status']);
    expect(seen).toEqual(['pending', 'in_queue', 'starting', 'in_progress', 'failed']);
    expect((await get(String(body['status_url']))).body).not.toHaveProperty('error');
    expect((await get(String(body['result_url']))).body).toMatchObject({
      status: 'failed',
      error: { message: 'NSFW content detected', code: 'content_policy' },
    });
  });

  it('cancel answers with an outcome: cancelled while waiting, not_cancellable once started', async () => {
    await start({ plan: { intake: ['pending'], queuePositions: 1, warmup: ['starting'], stepMs: Infinity, progressMs: Infinity } });
    const waiting = String((await submit({})).body['request_id']);
    expect(await cancel(waiting)).toEqual({ request_id: waiting, status: 'cancelled', outcome: 'cancelled' });
    const started = String((await submit({})).body['request_id']);
    fake.advance(started, 2);
    expect(await cancel(started)).toEqual({ request_id: started, status: 'starting', outcome: 'not_cancellable' });
    expect(fake.stateOf(started)).toBe('starting');
  });

  it('forgets a request after 7 days on its clock (404001), and a result can contradict its status', async () => {
    let now = Date.parse('2026-12-01T12:00:00Z');
    await start({ now: () => now });
    fake.nextJob({ resultSays: 'failed', outcome: { failed: 'The output was lost.' } });
    const { body } = await submit({});
    expect((await get(String(body['status_url']))).body['status']).toBe('completed');
    expect((await get(String(body['result_url']))).body).toMatchObject({ status: 'failed', error: 'The output was lost.' });
    now += 7 * 24 * 3600_000 + 1;
    expect(await get(String(body['result_url']))).toMatchObject({ status: 404, body: { error_code: 404001 } });
  });

  it("a gateway's HTML error page, before or after the job was created", async () => {
    await start();
    fake.script('submit', { gateway: 502, handled: true });
    const response = await fetch(fake.url + FAKE_MODEL_PATH, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'p', start_image_url: 'https://x/a.png', end_image_url: 'https://x/b.png' }),
    });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toContain('502 Bad Gateway');
    expect(fake.jobIds).toHaveLength(1);
    fake.script('status', { gateway: 504 });
    expect((await fetch(`${fake.url}/v1/requests/x/status`, { headers: auth })).status).toBe(504);
  });
});
