/**
 * The AWS SDK's client for a bucket, and pre-signed URLs. The SDK takes about 0.3 s to load, so
 * the hosting service loads this (with the rest of the bucket's code, bucket.ts) only when a
 * bucket is used: the app and the CLIs start without it.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DEFAULT_S3_TUNING } from './config';
import type { S3Config, S3Tuning } from './config';

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
