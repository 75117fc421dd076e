/**
 * An S3-compatible bucket as Keyframe talks to it: the settings plus the secret from the keychain,
 * object keys and names. Nothing here loads the AWS SDK (client.ts does).
 */
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
