/**
 * Hosted frames meet the (fake) RunComfy API over real HTTP, through the real RunComfy client:
 * inline frames arrive byte for byte, bucket frames are fetched from the local S3 server byte for
 * byte, and each way the API can refuse inline frames turns into the one plain message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeOptions, FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { makeFrame } from '../../../test/s3/frames';
import { startLocalS3 } from '../../../test/s3/local-s3';
import type { LocalS3 } from '../../../test/s3/local-s3';
import { createLogger } from '../log';
import { createRunComfyClient } from '../runcomfy/client';
import { dataUriHost } from './data-uri-host';
import type { FrameToHost, HostedFrame } from './frame';
import { inlineRefusal } from './inline-refusal';
import { createS3Client } from './s3/client';
import { S3FrameHost } from './s3/s3-host';

const TOKEN = 'fake-token-for-hosting-tests';
let dir: string;
let frames: [FrameToHost, FrameToHost];
let fake: FakeRunComfy | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-fake-api-'));
  frames = [await makeFrame(dir, 'start.png', { size: 500 }), await makeFrame(dir, 'end.jpg', { size: 400, format: 'jpeg' })];
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function api(options: FakeOptions) {
  fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 0, stepMs: 10, progressMs: 10 }, ...options });
  const client = createRunComfyClient({ baseUrl: fake.url, getToken: () => TOKEN, retry: { attempts: 1 } });
  return { fake, client };
}

const submit = (client: ReturnType<typeof createRunComfyClient>, hosted: HostedFrame[]) =>
  client.submit({ prompt: 'From @Image1 to @Image2', start_image_url: hosted[0].url, end_image_url: hosted[1].url, duration: 5 });

describe('inline frames and the API', () => {
  it('arrive with exactly their bytes when the API takes data URIs', async () => {
    const { fake, client } = await api({ fetchImages: true });
    const hosted = [await dataUriHost.host(frames[0]), await dataUriHost.host(frames[1])];
    await submit(client, hosted);
    expect(fake.submissions[0].images).toEqual([
      { field: 'start_image_url', via: 'data', sha256: frames[0].sha256, bytes: frames[0].bytes, contentType: 'image/png' },
      { field: 'end_image_url', via: 'data', sha256: frames[1].sha256, bytes: frames[1].bytes, contentType: 'image/jpeg' },
    ]);
  });

  it('a 422 naming the image field becomes the plain message that leads to the bucket settings', async () => {
    const { fake, client } = await api({ refuseDataUris: true });
    const hosted = [await dataUriHost.host(frames[0]), await dataUriHost.host(frames[1])];
    const error = await submit(client, hosted).catch((reason: unknown) => reason);
    const refusal = inlineRefusal(error, hosted);
    expect(refusal?.message).toBe(
      'RunComfy did not accept the frames sent inline in the request (it said: “start_image_url: Data URIs are not supported; give a publicly reachable https URL.”). ' +
        'Set up a storage bucket so Keyframe sends the frames as links, then try again.',
    );
    expect(refusal?.details).toMatchObject({ problem: 'inline-refused', action: 'openBucketSettings' });
    expect(fake.jobIds).toEqual([]);
  });

  it('a 413 (request too large) too', async () => {
    const { client } = await api({ maxBodyBytes: 100_000 });
    const hosted = [await dataUriHost.host(frames[0]), await dataUriHost.host(frames[1])];
    const error = await submit(client, hosted).catch((reason: unknown) => reason);
    expect(inlineRefusal(error, hosted)?.message).toMatch(
      /^RunComfy did not accept the frames sent inline in the request \(it said: “Request body is too large\.”\)/,
    );
  });

  it('and a job that fails because the image could not be downloaded', async () => {
    const { fake, client } = await api({});
    fake.nextJob({ outcome: { failed: 'Failed to download start_image_url: unsupported URL scheme "data"' } });
    const hosted = [await dataUriHost.host(frames[0]), await dataUriHost.host(frames[1])];
    const job = await submit(client, hosted);
    let status = await client.status(job);
    for (let i = 0; i < 50 && status.state !== 'failed'; i++) {
      await new Promise((resume) => setTimeout(resume, 20));
      status = await client.status(job);
    }
    expect(status.state).toBe('failed');
    const result = await client.result(job);
    expect(result.state).toBe('failed');
    if (result.state !== 'failed') return;
    expect(inlineRefusal(result, hosted)?.details).toMatchObject({ problem: 'inline-refused', action: 'openBucketSettings' });
    // The same failure with bucket frames is not about inline frames.
    expect(inlineRefusal(result, [{ host: 's3' }, { host: 's3' }])).toBeUndefined();
  });
});

describe('bucket frames and the API', () => {
  let s3: LocalS3;
  beforeEach(async () => {
    s3 = await startLocalS3();
  });
  afterEach(() => s3.close());

  it('are fetched from the bucket through their pre-signed URLs with exactly their bytes', async () => {
    const { fake, client } = await api({ fetchImages: true });
    const config = { ...s3.settings(), secretAccessKey: s3.secretAccessKey };
    const host = new S3FrameHost(
      createS3Client(config),
      config,
      createLogger(() => {}),
    );
    const hosted = [await host.host(frames[0]), await host.host(frames[1])];
    await submit(client, hosted);
    const received = fake.submissions[0];
    expect(received.body['start_image_url']).toBe(hosted[0].url);
    expect(received.images.map(({ via, sha256, bytes }) => ({ via, sha256, bytes }))).toEqual(
      frames.map((frame) => ({ via: 'url', sha256: frame.sha256, bytes: frame.bytes })),
    );
  });
});
