/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 with a temporary folder, for tests and the
 * demo. s3rver knows one access key, S3RVER, and refuses any other (InvalidAccessKeyId); it does
 * not verify signatures, so any secret works with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3Settings } from '../../main/contract';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  /** A random secret (s3rver accepts any), distinctive enough to search logs and files for. */
  secretAccessKey: string;
  /** Settings that reach this server (path-style, as a server on an IP address needs). */
  settings(overrides?: Partial<S3Settings>): S3Settings;
  /** The bytes stored under a key, or undefined when there is no such object. */
  objectBytes(key: string, bucket?: string): Promise<Buffer | undefined>;
  /** Keys under a prefix. */
  keys(prefix?: string, bucket?: string): Promise<string[]>;
  /** Stores bytes directly (to set up a bucket as a test needs it). */
  put(key: string, bytes: Buffer, bucket?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalS3(options: { buckets?: string[]; port?: number; secretAccessKey?: string } = {}): Promise<LocalS3> {
  const buckets = options.buckets ?? ['keyframe-frames'];
  const directory = await mkdtemp(join(tmpdir(), 'kf-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = 'S3RVER';
  const secretAccessKey = options.secretAccessKey ?? `kf-test-secret-${randomBytes(12).toString('hex')}`;
  const admin = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const bucket = buckets[0];
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    settings: (overrides = {}) => ({
      endpoint,
      region: 'us-east-1',
      bucket,
      prefix: 'keyframe',
      pathStyle: true,
      accessKeyId,
      urlLifetimeHours: 24,
      ...overrides,
    }),
    async objectBytes(key, from = bucket) {
      try {
        const object = await admin.send(new GetObjectCommand({ Bucket: from, Key: key }));
        return Buffer.from(await object.Body!.transformToByteArray());
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async keys(prefix = '', from = bucket) {
      const listed = await admin.send(new ListObjectsV2Command({ Bucket: from, Prefix: prefix }));
      return (listed.Contents ?? []).map((item) => item.Key!).sort();
    },
    async put(key, bytes, into = bucket) {
      await admin.send(new PutObjectCommand({ Bucket: into, Key: key, Body: bytes, ContentLength: bytes.length }));
    },
    async close() {
      admin.destroy();
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
