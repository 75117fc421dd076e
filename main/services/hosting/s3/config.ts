/**
 * An S3-compatible bucket as Keyframe talks to it: the settings plus the secret from the keychain,
 * the SDK client built from them, object keys and pre-signed URLs.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Settings } from '../../../contract';
import { extensionFor } from '../frame';

export interface S3Config extends S3Settings {
  secretAccessKey: string;
}

/** Network limits and the clock; tests shorten the limits and can skew the clock. */
export interface S3Tuning {
  connectTimeoutMs: number;
  /** A request that stays silent this long is given up. */
  requestTimeoutMs: number;
  /** Added to this computer's clock when signing (the SDK's `systemClockOffset`). */
  clockOffsetMs: number;
}

export const DEFAULT_S3_TUNING: S3Tuning = { connectTimeoutMs: 10_000, requestTimeoutMs: 60_000, clockOffsetMs: 0 };

export function createS3Client(config: S3Config, tuning: S3Tuning = DEFAULT_S3_TUNING): S3Client {
  return new S3Client({
    region: config.region || 'us-east-1',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.pathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Uploads stream from disk and a used stream cannot be sent again, so the SDK does not retry;
    // S3FrameHost retries a dropped upload itself with a fresh stream.
    maxAttempts: 1,
    // Newer SDKs add aws-chunked trailing checksums by default, which R2, B2, MinIO and others do
    // not all accept. The upload's bytes are covered by the signed x-amz-content-sha256 instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: tuning.connectTimeoutMs, requestTimeout: tuning.requestTimeoutMs, throwOnRequestTimeout: true },
    systemClockOffset: tuning.clockOffsetMs,
  });
}

/** Content-addressed: the same bytes always get the same key, so they are uploaded once. */
export function objectKey(prefix: string, sha256: string, mime: string): string {
  return prefixed(prefix, `${sha256.toLowerCase()}.${extensionFor(mime)}`);
}

export function prefixed(prefix: string, name: string): string {
  const folder = prefix.replace(/^\/+|\/+$/g, '');
  return folder ? `${folder}/${name}` : name;
}

/** The server's address as the user knows it, for messages. */
export function endpointLabel(config: Pick<S3Settings, 'endpoint' | 'region'>): string {
  if (!config.endpoint) return `AWS S3 (${config.region || 'us-east-1'})`;
  try {
    return new URL(config.endpoint).host;
  } catch {
    return config.endpoint;
  }
}

/** A GET URL for the object that works without credentials until it expires. */
export async function presignGet(
  client: S3Client,
  bucket: string,
  key: string,
  lifetimeHours: number,
  signingDate = new Date(),
): Promise<{ url: string; expiresAt: string }> {
  const expiresIn = Math.round(lifetimeHours * 3600);
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn, signingDate });
  return { url, expiresAt: new Date(signingDate.getTime() + expiresIn * 1000).toISOString() };
}
