/**
 * The S3 host against a real S3-compatible server (s3rver) on 127.0.0.1, and a real HTTP proxy in
 * front of it for the failures s3rver cannot produce (refused writes, a cut connection, silence).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../contract';
import { startLocalS3 } from '../../../../test/s3/local-s3';
import type { LocalS3 } from '../../../../test/s3/local-s3';
import { startS3Proxy } from '../../../../test/s3/s3-proxy';
import type { S3Proxy } from '../../../../test/s3/s3-proxy';
import { makeFrame, sha256 } from '../../../../test/s3/frames';
import { createLogger } from '../../log';
import type { FrameToHost, HostProgress } from '../frame';
import type { S3Config, S3Tuning } from './config';
import { createS3Client } from './client';
import { S3FrameHost } from './s3-host';

let s3: LocalS3;
let proxy: S3Proxy;
let dir: string;
let lines: string[];

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ['keyframe-frames', 'other-bucket'] });
});
afterAll(() => s3.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-host-'));
  proxy = await startS3Proxy(s3.endpoint);
  lines = [];
});
afterEach(async () => {
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

function hostFor(overrides: Partial<S3Config> = {}, tuning: Partial<S3Tuning> = {}) {
  const config: S3Config = { ...s3.settings({ endpoint: proxy.endpoint }), secretAccessKey: s3.secretAccessKey, ...overrides };
  const log = createLogger((line) => lines.push(line));
  log.addSecret(config.secretAccessKey);
  const client = createS3Client(config, { connectTimeoutMs: 2000, requestTimeoutMs: 5000, clockOffsetMs: 0, ...tuning });
  return new S3FrameHost(client, config, log);
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('S3FrameHost against a local S3 server', () => {
  it('uploads a frame under its content address, streams it with progress, and hands out a pre-signed URL with the exact bytes', async () => {
    const frame = await makeFrame(dir, 'beach.png', { size: 900 });
    expect(frame.bytes).toBeGreaterThan(1_000_000);
    const progress: HostProgress[] = [];
    const before = Date.now();
    const hosted = await hostFor().host(frame, { onProgress: (p) => progress.push(p) });

    expect(hosted.host).toBe('s3');
    expect(hosted.key).toBe(`keyframe/${frame.sha256}.png`);
    const after = Date.now();
    // The URL is signed during the call, so it expires 24 h after a moment between these two.
    const expires = Date.parse(hosted.expiresAt!);
    expect(expires).toBeGreaterThanOrEqual(before + 24 * 3600_000);
    expect(expires).toBeLessThanOrEqual(after + 24 * 3600_000);

    // Progress came in several steps, never went backwards, and ended at the whole file.
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((p, i) => i === 0 || p.sentBytes >= progress[i - 1].sentBytes)).toBe(true);
    expect(progress.at(-1)).toEqual({ sentBytes: frame.bytes, totalBytes: frame.bytes });

    // Anyone with the URL (no credentials) gets exactly the bytes, with the frame's type.
    const response = await fetch(hosted.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(frame.sha256);

    // The secret is in neither the URL nor the log; the log names no signature.
    expect(hosted.url).not.toContain(s3.secretAccessKey);
    expect(new URL(hosted.url).searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    const log = lines.join('\n');
    expect(log).not.toContain(s3.secretAccessKey);
    expect(log).not.toContain(new URL(hosted.url).searchParams.get('X-Amz-Signature')!);
    expect(log).toContain(`uploaded frame keyframe/${frame.sha256}.png`);
  });

  it('signs the upload with the sha256 recorded at pick time, so a real S3 checks the bytes it receives', async () => {
    const frame = await makeFrame(dir, 'signed.jpg', { size: 400, format: 'jpeg' });
    await hostFor({ region: 'eu-central-1' }).host(frame);
    const put = proxy.requests.find((request) => request.method === 'PUT')!;
    expect(new URL(put.path, proxy.endpoint).pathname).toBe(`/keyframe-frames/keyframe/${frame.sha256}.jpg`);
    expect(put.headers['x-amz-content-sha256']).toBe(frame.sha256);
    expect(put.headers['x-amz-meta-sha256']).toBe(frame.sha256);
    expect(put.headers['content-length']).toBe(String(frame.bytes));
    expect(put.headers['content-encoding']).toBeUndefined();
    const authorization = String(put.headers['authorization']);
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/eu-central-1\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-content-sha256/,
    );
    expect(JSON.stringify(proxy.requests.map((request) => request.headers))).not.toContain(s3.secretAccessKey);
  });

  it('uploads the same bytes once, whatever file they come from', async () => {
    const frame = await makeFrame(dir, 'first.png', { size: 500 });
    const copy: FrameToHost = { ...frame, path: join(dir, 'copy.png'), name: 'copy.png' };
    await writeFile(copy.path, await readFile(frame.path));
    const host = hostFor();

    const first = await host.host(frame);
    const second = await host.host(copy);
    expect(proxy.count('PUT')).toBe(1);
    expect(second.key).toBe(first.key);
    expect(sha256(Buffer.from(await (await fetch(second.url)).arrayBuffer()))).toBe(frame.sha256);
    expect(lines.join('\n')).toContain('is already in bucket keyframe-frames; not uploading it again');
  });

  it('replaces an object at the frame’s key that is not the frame (a leftover of a broken upload)', async () => {
    const frame = await makeFrame(dir, 'leftover.png', { size: 400 });
    await s3.put(`keyframe/${frame.sha256}.png`, Buffer.from('half a frame'));
    const hosted = await hostFor().host(frame);
    expect(proxy.count('PUT')).toBe(1);
    expect(sha256((await s3.objectBytes(hosted.key!))!)).toBe(frame.sha256);
  });

  it('refuses a frame whose file changed since it was picked, and sends nothing', async () => {
    const frame = await makeFrame(dir, 'edited.png', { size: 400 });
    await makeFrame(dir, 'edited.png', { size: 400, seed: 200 });
    const error = await failure(hostFor().host(frame));
    expect(error.code).toBe('hosting');
    expect(error.details).toMatchObject({ problem: 'frame-changed' });
    expect(error.message).toBe(
      'The frame “edited.png” changed on disk after it was checked, so Keyframe did not send it. Pick the frame again so it is checked anew.',
    );
    expect(proxy.requests).toHaveLength(0);
  });

  it('deletes the upload again and reports it when the file changes during the upload', async () => {
    const frame = await makeFrame(dir, 'moving.png', { size: 900 });
    let rewritten = false;
    const onProgress = () => {
      if (rewritten) return;
      rewritten = true;
      // Overwritten in place (same file, same length, other bytes): the open read stream reads the new content.
      const fd = openSync(frame.path, 'r+');
      writeSync(fd, Buffer.alloc(frame.bytes, 0x55), 0, frame.bytes, 0);
      closeSync(fd);
    };
    const error = await failure(hostFor().host(frame, { onProgress }));
    expect(error.details).toMatchObject({ problem: 'frame-changed' });
    expect(proxy.count('PUT')).toBe(1);
    expect(proxy.count('DELETE')).toBe(1);
    expect(await s3.objectBytes(`keyframe/${frame.sha256}.png`)).toBeUndefined();
  });

  it('takes the bytes its caller just checked without reading the file first; a file changed since is still caught by the upload', async () => {
    const frame = await makeFrame(dir, 'checked.png', { size: 500 });
    const data = await readFile(frame.path);
    // Changed after the caller's check (same length, other bytes): no second check stops it before the upload...
    const fd = openSync(frame.path, 'r+');
    writeSync(fd, Buffer.alloc(frame.bytes, 0x55), 0, frame.bytes, 0);
    closeSync(fd);
    const error = await failure(hostFor().host({ ...frame, data }));
    // ...but the upload is hashed on the way, so it is deleted again and reported.
    expect(error.details).toMatchObject({ problem: 'frame-changed' });
    expect(proxy.count('PUT')).toBe(1);
    expect(proxy.count('DELETE')).toBe(1);
    expect(await s3.objectBytes(`keyframe/${frame.sha256}.png`)).toBeUndefined();
  });

  it('refuses a frame whose file vanished, and sends nothing', async () => {
    const frame = await makeFrame(dir, 'gone.png', { size: 400 });
    await unlink(frame.path);
    const error = await failure(hostFor().host(frame));
    expect(error.details).toMatchObject({ problem: 'frame-missing' });
    expect(error.message).toMatch(/^The frame “gone.png” is no longer on disk .*Pick the frame again\.$/);
    expect(proxy.requests).toHaveLength(0);
  });

  it('says the bucket refused to store the frame when writes are denied, and hands out no URL', async () => {
    proxy.script({ method: 'PUT', behaviour: { respond: 403, code: 'AccessDenied', message: 'Access Denied' } });
    const frame = await makeFrame(dir, 'denied.png', { size: 400 });
    const error = await failure(hostFor().host(frame));
    expect(error.details).toMatchObject({ problem: 'denied', action: 'openBucketSettings', retryable: false });
    expect(error.message).toBe(
      'The bucket “keyframe-frames” refused to let Keyframe store the frame (AccessDenied). Check that this access key may read and write objects in it.',
    );
    expect(proxy.count('PUT')).toBe(1);
    expect(await s3.objectBytes(`keyframe/${frame.sha256}.png`)).toBeUndefined();
  });

  it('tries again with a fresh stream when the connection drops mid-upload once', async () => {
    proxy.script({ method: 'PUT', behaviour: { drop: 'mid-body' }, times: 1 });
    const frame = await makeFrame(dir, 'flaky.png', { size: 700 });
    const hosted = await hostFor().host(frame);
    expect(proxy.requests.filter((request) => request.method === 'PUT').map((request) => request.outcome)).toEqual([
      'dropped',
      'forwarded',
    ]);
    expect(sha256(Buffer.from(await (await fetch(hosted.url)).arrayBuffer()))).toBe(frame.sha256);
    expect(lines.join('\n')).toMatch(/upload of keyframe\/\w+\.png failed \(network\); trying again/);
  });

  it('gives up with a clear message when the connection keeps dropping, and a later retry works', async () => {
    proxy.script({ method: 'PUT', behaviour: { drop: 'mid-body' }, times: 2 });
    const frame = await makeFrame(dir, 'dropped.png', { size: 700 });
    const host = hostFor();
    const error = await failure(host.host(frame));
    expect(error.details).toMatchObject({ problem: 'network', retryable: true });
    expect(error.message).toBe(
      `The connection to ${new URL(proxy.endpoint).host} dropped while Keyframe tried to store the frame. Nothing was sent to RunComfy; check your connection and try again.`,
    );
    expect(proxy.count('PUT')).toBe(2);

    const hosted = await host.host(frame);
    expect(sha256(Buffer.from(await (await fetch(hosted.url)).arrayBuffer()))).toBe(frame.sha256);
  });

  it('stops when the caller cancels', async () => {
    proxy.script({ method: 'PUT', behaviour: { stall: true } });
    const frame = await makeFrame(dir, 'cancel.png', { size: 400 });
    const controller = new AbortController();
    const pending = hostFor().host(frame, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const error = await failure(pending);
    expect(error.code).toBe('aborted');
  });

  it('says when the server does not answer in time', async () => {
    proxy.script({ method: 'HEAD', behaviour: { stall: true } });
    const frame = await makeFrame(dir, 'silent.png', { size: 300 });
    const error = await failure(hostFor({}, { requestTimeoutMs: 400 }).host(frame));
    expect(error.details).toMatchObject({ problem: 'timeout', retryable: true });
    expect(error.message).toContain('did not answer in time while Keyframe tried to store the frame');
  });
});

describe('S3FrameHost: what the server says is wrong', () => {
  it('an access key the server does not know (real s3rver check)', async () => {
    const frame = await makeFrame(dir, 'a.png', { size: 300 });
    const error = await failure(hostFor({ endpoint: s3.endpoint, accessKeyId: 'AKIAWRONGKEY' }).host(frame));
    expect(error.details).toMatchObject({ problem: 'credentials', action: 'openBucketSettings' });
    expect(error.message).toMatch(/does not know this access key ID \(InvalidAccessKeyId\)/);
  });

  it('a secret that does not match (SignatureDoesNotMatch, as S3 answers it)', async () => {
    proxy.script({
      method: 'PUT',
      behaviour: { respond: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match' },
    });
    const error = await failure(hostFor().host(await makeFrame(dir, 'b.png', { size: 300 })));
    expect(error.details).toMatchObject({ problem: 'credentials' });
    expect(error.message).toBe(
      'The secret access key does not match the access key ID (SignatureDoesNotMatch). Replace the secret access key.',
    );
  });

  it('a bucket that does not exist (real s3rver check)', async () => {
    const error = await failure(
      hostFor({ endpoint: s3.endpoint, bucket: 'no-such-bucket' }).host(await makeFrame(dir, 'c.png', { size: 300 })),
    );
    expect(error.details).toMatchObject({ problem: 'bucket' });
    expect(error.message).toBe(
      `There is no bucket named “no-such-bucket” at ${new URL(s3.endpoint).host} (NoSuchBucket). Check the bucket name, the endpoint and the region.`,
    );
  });

  it('the wrong region, naming the right one (AuthorizationHeaderMalformed, as S3 answers it)', async () => {
    proxy.script({
      method: 'PUT',
      behaviour: {
        respond: 400,
        code: 'AuthorizationHeaderMalformed',
        message: "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
        fields: { Region: 'eu-west-1' },
      },
    });
    const error = await failure(hostFor().host(await makeFrame(dir, 'd.png', { size: 300 })));
    expect(error.details).toMatchObject({ problem: 'region' });
    expect(error.message).toBe(
      'The bucket “keyframe-frames” is in region eu-west-1, not us-east-1 (AuthorizationHeaderMalformed). Set the region to eu-west-1.',
    );
  });

  it('a clock that is off: the SDK corrects it from the server’s Date, so the frame still goes (real s3rver check)', async () => {
    const frame = await makeFrame(dir, 'e.png', { size: 300 });
    const hosted = await hostFor({}, { clockOffsetMs: -20 * 60_000 }).host(frame);
    // The first signed request was refused for its date; the next one, corrected, went through.
    expect(proxy.requests.map((request) => request.method)).toEqual(['HEAD', 'PUT']);
    expect(sha256(Buffer.from(await (await fetch(hosted.url)).arrayBuffer()))).toBe(frame.sha256);
  });

  it('a clock the server keeps refusing, with the offset (RequestTimeTooSkewed, as S3 answers it)', async () => {
    const now = new Date();
    const compact = (date: Date) => date.toISOString().replace(/[-:]|\.\d+/g, '');
    proxy.script({
      method: 'PUT',
      behaviour: {
        respond: 403,
        code: 'RequestTimeTooSkewed',
        message: 'The difference between the request time and the current time is too large.',
        fields: {
          RequestTime: compact(new Date(now.getTime() + 47 * 60_000)),
          ServerTime: now.toISOString(),
          MaxAllowedSkewMilliseconds: '900000',
        },
      },
    });
    const error = await failure(hostFor().host(await makeFrame(dir, 'skew.png', { size: 300 })));
    expect(error.details).toMatchObject({ problem: 'clock' });
    expect(error.message).toBe(
      `This computer's clock is 47 minutes ahead of ${new URL(proxy.endpoint).host}'s (RequestTimeTooSkewed), so the request's signature is refused. Set the date and time automatically, then try again.`,
    );
  });

  it('an endpoint where nothing listens', async () => {
    const closed = await startS3Proxy(s3.endpoint);
    const endpoint = closed.endpoint;
    await closed.close();
    const error = await failure(hostFor({ endpoint }).host(await makeFrame(dir, 'f.png', { size: 300 })));
    expect(error.details).toMatchObject({ problem: 'unreachable', action: 'openBucketSettings' });
    expect(error.message).toBe(
      `Nothing answered at ${new URL(endpoint).host} (connection refused). Check the endpoint address and port, and that the server is running.`,
    );
  });
});
