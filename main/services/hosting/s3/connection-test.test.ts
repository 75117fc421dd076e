/** "Test connection" against a real S3-compatible server (s3rver), with a misbehaving proxy where needed. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalS3 } from '../../../../test/s3/local-s3';
import type { LocalS3 } from '../../../../test/s3/local-s3';
import { startS3Proxy } from '../../../../test/s3/s3-proxy';
import type { S3Proxy } from '../../../../test/s3/s3-proxy';
import type { S3Config, S3Tuning } from './config';
import { createS3Client } from './client';
import { reachabilityWarnings, testS3Connection } from './connection-test';

let s3: LocalS3;
let proxy: S3Proxy;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ['test-bucket'] });
});
afterAll(() => s3.close());
beforeEach(async () => {
  proxy = await startS3Proxy(s3.endpoint);
});
afterEach(() => proxy.close());

function run(overrides: Partial<S3Config> = {}, tuning: Partial<S3Tuning> = {}) {
  const config: S3Config = { ...s3.settings({ endpoint: proxy.endpoint }), secretAccessKey: s3.secretAccessKey, ...overrides };
  const client = createS3Client(config, { connectTimeoutMs: 2000, requestTimeoutMs: 5000, clockOffsetMs: 0, ...tuning });
  return testS3Connection(client, config);
}

const states = (result: Awaited<ReturnType<typeof run>>) => result.steps.map((step) => `${step.id}:${step.state}`);

describe('testS3Connection', () => {
  it('uploads, fetches back the same bytes through a pre-signed link, deletes, and leaves nothing behind', async () => {
    const result = await run();
    expect(result.ok).toBe(true);
    expect(result.problem).toBeNull();
    expect(states(result)).toEqual(['upload:ok', 'fetch:ok', 'delete:ok']);
    expect(result.steps[1].message).toMatch(/^\d+ bytes, identical$/);
    expect(result.message).toBe(
      `Keyframe can store frames in “test-bucket” at ${new URL(proxy.endpoint).host} and fetch them back through pre-signed links.`,
    );
    // A bucket on this computer over http works here, but RunComfy could not fetch from it: say so.
    expect(result.warnings).toEqual([
      `${new URL(proxy.endpoint).host} is on this computer or a private network: RunComfy's servers cannot fetch frames from it.`,
      'The endpoint uses plain http; RunComfy asks for https links.',
    ]);
    expect(await s3.keys('keyframe/')).toEqual([]);
    const fetched = proxy.requests.find((request) => request.method === 'GET')!;
    expect(fetched.headers['authorization']).toBeUndefined();
    expect(fetched.path).toMatch(/X-Amz-Signature=/);
  });

  it('names a bucket that does not exist, and skips the other steps', async () => {
    const result = await run({ bucket: 'wrong-bucket' });
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('bucket');
    expect(states(result)).toEqual(['upload:failed', 'fetch:skipped', 'delete:skipped']);
    expect(result.message).toBe(
      `There is no bucket named “wrong-bucket” at ${new URL(proxy.endpoint).host} (NoSuchBucket). Check the bucket name, the endpoint and the region.`,
    );
    expect(result.steps[0].message).toBe(result.message);
  });

  it('names bad credentials', async () => {
    const result = await run({ accessKeyId: 'AKIANOTKNOWN' });
    expect(result.problem).toBe('credentials');
    expect(result.message).toMatch(/does not know this access key ID/);
  });

  it('names an endpoint where nothing listens', async () => {
    const result = await run({ endpoint: 'http://127.0.0.1:9' });
    expect(result.problem).toBe('unreachable');
    expect(result.message).toBe(
      'Nothing answered at 127.0.0.1:9 (connection refused). Check the endpoint address and port, and that the server is running.',
    );
  });

  it('reports a skewed clock the SDK corrected as a warning, with the offset (real s3rver check)', async () => {
    const result = await run({}, { clockOffsetMs: -31 * 60_000 });
    expect(result.ok).toBe(true);
    expect(result.warnings).toContain(
      `This computer's clock is 31 minutes behind ${new URL(proxy.endpoint).host}'s. Keyframe corrected for it, but set the date and time automatically.`,
    );
  });

  it('says when the pre-signed link is refused though the upload worked, and still cleans up', async () => {
    proxy.script({ method: 'GET', behaviour: { respond: 403, code: 'SignatureDoesNotMatch' } });
    const result = await run({ pathStyle: false });
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('fetch');
    expect(states(result)).toEqual(['upload:ok', 'fetch:failed', 'delete:ok']);
    expect(result.message).toBe(
      'The upload worked, but fetching it through the pre-signed link was refused (HTTP 403 SignatureDoesNotMatch). If the server needs path-style addresses (MinIO and most self-hosted servers), turn on “Path-style addressing”.',
    );
  });

  it('treats a refused delete as a warning: frames still work', async () => {
    proxy.script({ method: 'DELETE', behaviour: { respond: 403, code: 'AccessDenied' } });
    const result = await run();
    expect(result.ok).toBe(true);
    expect(states(result)).toEqual(['upload:ok', 'fetch:ok', 'delete:warning']);
    expect(result.steps[2].message).toMatch(/refused to let Keyframe delete the test object/);
    expect(result.message).toMatch(/It could not delete the test object; frames still work\.$/);
  });
});

describe('reachabilityWarnings', () => {
  it('warns about addresses RunComfy cannot reach and about plain http, and not about public https', () => {
    expect(reachabilityWarnings('')).toEqual([]);
    expect(reachabilityWarnings('https://abc123.r2.cloudflarestorage.com')).toEqual([]);
    expect(reachabilityWarnings('https://s3.eu-central-003.backblazeb2.com')).toEqual([]);
    expect(reachabilityWarnings('https://192.168.1.20:9000')).toHaveLength(1);
    expect(reachabilityWarnings('https://minio.local')).toHaveLength(1);
    expect(reachabilityWarnings('https://[::1]:9000')).toHaveLength(1);
    expect(reachabilityWarnings('http://files.example.com')).toEqual(['The endpoint uses plain http; RunComfy asks for https links.']);
  });
});
