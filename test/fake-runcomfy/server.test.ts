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
  fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 0, progressMs: 0 }, ...options });
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

  it('result URLs expire on their own after their lifetime', async () => {
    await start({ resultUrlTtlMs: 50 });
    const url = await videoUrl();
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    await new Promise((resume) => setTimeout(resume, 80));
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
    expect(status).toMatchObject({ status: 'failed', error: expect.stringContaining('Failed to download start_image_url') });
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
