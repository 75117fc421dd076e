/**
 * The signing inputs of a pre-signed frame URL, for fixed settings and a fixed clock. s3rver does
 * not verify signatures, so the signature is checked here against an independent SigV4
 * computation (AWS's documented algorithm, written out with node:crypto).
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { S3Config } from './config';
import { createS3Client, presignGet } from './client';
import { endpointLabel, objectKey } from './config';

const SHA = 'c62f6a0a2efcae360e41ad767be54555ac5352f588d88e090612b1cddb96159f';
const AT = new Date('2025-03-14T15:09:26Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const config = (overrides: Partial<S3Config>): S3Config => ({
  endpoint: '',
  region: 'us-east-1',
  bucket: 'frames',
  prefix: 'keyframe',
  pathStyle: false,
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: SECRET,
  urlLifetimeHours: 24,
  ...overrides,
});

const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** SigV4 query signing as AWS documents it, for a GET with only the host header signed. */
function referenceSignature(url: URL, region: string, secret: string): string {
  const params = [...url.searchParams.entries()].filter(([key]) => key !== 'X-Amz-Signature');
  const query = params
    .map(([key, value]) => [encode(key), encode(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonical = ['GET', url.pathname, query, `host:${url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const date = url.searchParams.get('X-Amz-Date')!;
  const scope = `${date.slice(0, 8)}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date.slice(0, 8)), region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

async function presigned(settings: S3Config) {
  const client = createS3Client(settings);
  const { url, expiresAt } = await presignGet(
    client,
    settings.bucket,
    objectKey(settings.prefix, SHA, 'image/png'),
    settings.urlLifetimeHours,
    AT,
  );
  client.destroy();
  return { url: new URL(url), expiresAt };
}

describe('pre-signed frame URLs', () => {
  it('Cloudflare R2 (virtual-hosted, region auto): credential scope, expiry, signed headers, host and a correct signature', async () => {
    const settings = config({ endpoint: 'https://0123abcd.r2.cloudflarestorage.com', region: 'auto' });
    const { url, expiresAt } = await presigned(settings);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('frames.0123abcd.r2.cloudflarestorage.com');
    expect(url.pathname).toBe(`/keyframe/${SHA}.png`);
    expect(Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'X-Amz-Signature'))).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
      'X-Amz-Credential': 'AKIDEXAMPLE/20250314/auto/s3/aws4_request',
      'X-Amz-Date': '20250314T150926Z',
      'X-Amz-Expires': '86400',
      'X-Amz-SignedHeaders': 'host',
      'x-id': 'GetObject',
    });
    expect(url.searchParams.get('X-Amz-Signature')).toBe(referenceSignature(url, 'auto', SECRET));
    expect(expiresAt).toBe('2025-03-15T15:09:26.000Z');
    expect(url.href).not.toContain(encode(SECRET));
    expect(url.href).not.toContain(SECRET);
  });

  it('a path-style server (Backblaze B2 or MinIO) with a 72-hour lifetime', async () => {
    const settings = config({
      endpoint: 'https://s3.us-west-004.backblazeb2.com',
      region: 'us-west-004',
      pathStyle: true,
      urlLifetimeHours: 72,
      prefix: '/clients/acme/',
    });
    const { url, expiresAt } = await presigned(settings);
    expect(url.host).toBe('s3.us-west-004.backblazeb2.com');
    expect(url.pathname).toBe(`/frames/clients/acme/${SHA}.png`);
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20250314/us-west-004/s3/aws4_request');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(72 * 3600));
    expect(url.searchParams.get('X-Amz-Signature')).toBe(referenceSignature(url, 'us-west-004', SECRET));
    expect(expiresAt).toBe('2025-03-17T15:09:26.000Z');
  });

  it('AWS S3 itself when no endpoint is given: the regional virtual-hosted address', async () => {
    const { url } = await presigned(config({ region: 'eu-west-1' }));
    expect(url.host).toBe('frames.s3.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(referenceSignature(url, 'eu-west-1', SECRET));
  });

  it('a different secret gives a different signature (the check above can fail)', async () => {
    const { url } = await presigned(config({ region: 'eu-west-1' }));
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(referenceSignature(url, 'eu-west-1', SECRET.replace('K', 'Q')));
  });
});

describe('object keys and labels', () => {
  it('are content-addressed under the prefix, with an extension from the type', () => {
    expect(objectKey('keyframe', SHA.toUpperCase(), 'image/jpeg')).toBe(`keyframe/${SHA}.jpg`);
    expect(objectKey('', SHA, 'image/webp')).toBe(`${SHA}.webp`);
    expect(objectKey('/a/b/', SHA, 'image/avif')).toBe(`a/b/${SHA}.avif`);
    expect(objectKey('x', SHA, 'application/x-weird+type')).toBe(`x/${SHA}.bin`);
  });

  it('name the server as the user knows it', () => {
    expect(endpointLabel({ endpoint: '', region: 'eu-west-1' })).toBe('AWS S3 (eu-west-1)');
    expect(endpointLabel({ endpoint: 'https://0123abcd.r2.cloudflarestorage.com', region: 'auto' })).toBe(
      '0123abcd.r2.cloudflarestorage.com',
    );
    expect(endpointLabel({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' })).toBe('127.0.0.1:9000');
  });
});
