/**
 * The classification of errors, with errors shaped as the SDK and Node produce them. The flows
 * that real servers can produce here run in s3-host.test.ts and connection-test.test.ts; these
 * cover the rest (answers only AWS gives, DNS and TLS failures).
 */
import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { diagnoseS3Error, networkCode, s3Error } from './errors';
import type { S3ErrorContext } from './errors';

const context: S3ErrorContext = { endpoint: 's3.example.com', bucket: 'frames', region: 'us-east-1', action: 'store the frame' };

function sdkError(name: string, status: number, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const error = new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: String(fields['message'] ?? name),
  });
  return Object.assign(error, fields, { $response: { statusCode: status, headers } });
}

function nodeError(code: string, message = code) {
  return Object.assign(new Error(message), { code, $metadata: { attempts: 1, totalRetryDelay: 0 } });
}

const diagnose = (error: unknown) => diagnoseS3Error(error, context, Date.parse('2025-03-14T15:00:00Z'));

describe('diagnoseS3Error', () => {
  it('bad credentials: unknown key, wrong secret, expired token', () => {
    expect(diagnose(sdkError('InvalidAccessKeyId', 403))).toMatchObject({ problem: 'credentials', retryable: false });
    expect(diagnose(sdkError('SignatureDoesNotMatch', 403)).message).toMatch(/Replace the secret access key\.$/);
    expect(diagnose(sdkError('ExpiredToken', 400)).message).toBe(
      'The access key has expired or was revoked (ExpiredToken). Create a new key pair and enter it here.',
    );
  });

  it('no such bucket', () => {
    const error = new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'The specified bucket does not exist' });
    expect(diagnose(error)).toMatchObject({ problem: 'bucket' });
  });

  it('wrong region: from x-amz-bucket-region, from a PermanentRedirect, from a HEAD that only says 301', () => {
    expect(
      diagnose(
        sdkError('PermanentRedirect', 301, { Endpoint: 'frames.s3.eu-west-1.amazonaws.com' }, { 'x-amz-bucket-region': 'eu-west-1' }),
      ).message,
    ).toBe('The bucket “frames” is in region eu-west-1, not us-east-1 (PermanentRedirect). Set the region to eu-west-1.');
    expect(diagnose(sdkError('301', 301)).message).toBe(
      'The bucket “frames” is not in region us-east-1, or the endpoint does not match it (301). Check the region and the endpoint.',
    );
    expect(
      diagnose(sdkError('AuthorizationHeaderMalformed', 400, { message: "the region 'us-east-1' is wrong; expecting 'ap-south-1'" }))
        .message,
    ).toMatch(/is in region ap-south-1, not us-east-1/);
  });

  it('clock skew: the offset from the error’s fields, or from the Date header', () => {
    const fields = sdkError('RequestTimeTooSkewed', 403, { RequestTime: '20250314T143000Z', ServerTime: '2025-03-14T15:00:00Z' });
    expect(diagnose(fields).message).toMatch(/^This computer's clock is 30 minutes behind s3\.example\.com's \(RequestTimeTooSkewed\)/);
    const header = sdkError('RequestTimeTooSkewed', 403, {}, { date: 'Fri, 14 Mar 2025 14:59:00 GMT' });
    expect(diagnose(header).message).toMatch(/^This computer's clock is 1 minute ahead of s3\.example\.com's/);
    expect(diagnose(sdkError('RequestTimeTooSkewed', 403)).message).toMatch(
      /^This computer's clock differs too much from s3\.example\.com's/,
    );
  });

  it('writes refused, whether the body names the code or a HEAD only says 403', () => {
    expect(diagnose(sdkError('AccessDenied', 403))).toMatchObject({ problem: 'denied' });
    expect(diagnose(sdkError('403', 403))).toMatchObject({ problem: 'denied' });
    expect(diagnose(sdkError('AllAccessDisabled', 403))).toMatchObject({ problem: 'denied' });
  });

  it('endpoint unreachable: refused, unknown name, no route; timeouts; dropped connections; TLS', () => {
    expect(diagnose(nodeError('ECONNREFUSED'))).toMatchObject({ problem: 'unreachable', retryable: false });
    expect(diagnose(nodeError('ENOTFOUND')).message).toBe(
      'The address s3.example.com could not be found (ENOTFOUND). Check the endpoint and your internet connection.',
    );
    expect(diagnose(nodeError('EHOSTUNREACH'))).toMatchObject({ problem: 'unreachable' });
    // The SDK names a timed-out request TimeoutError and keeps Node's code.
    expect(diagnose(Object.assign(nodeError('ETIMEDOUT'), { name: 'TimeoutError' }))).toMatchObject({
      problem: 'timeout',
      retryable: true,
    });
    expect(diagnose(Object.assign(nodeError('ECONNRESET'), { name: 'TimeoutError' }))).toMatchObject({
      problem: 'network',
      retryable: true,
    });
    expect(diagnose(nodeError('EPIPE'))).toMatchObject({ problem: 'network' });
    expect(diagnose(nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toMatchObject({ problem: 'tls' });
  });

  it('a busy server is worth another try; anything else names the code', () => {
    expect(diagnose(sdkError('SlowDown', 503))).toMatchObject({ problem: 'server', retryable: true });
    expect(diagnose(sdkError('InternalError', 500)).message).toBe(
      's3.example.com is having trouble (InternalError) and could not store the frame. Try again in a few minutes.',
    );
    expect(diagnose(sdkError('EntityTooLarge', 400, { message: 'Your proposed upload exceeds the maximum allowed size' })).message).toBe(
      's3.example.com could not store the frame (EntityTooLarge: Your proposed upload exceeds the maximum allowed size).',
    );
  });
});

describe('networkCode', () => {
  it('finds Node’s code through causes and AggregateErrors', () => {
    expect(networkCode(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }))).toBe('ENOTFOUND');
    expect(networkCode(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]))).toBe('ECONNREFUSED');
    expect(networkCode(new Error('plain'))).toBeUndefined();
  });
});

describe('s3Error', () => {
  it('offers the bucket settings for problems fixed there, not for passing trouble', () => {
    expect(s3Error(sdkError('NoSuchBucket', 404), context).details).toMatchObject({ problem: 'bucket', action: 'openBucketSettings' });
    expect(s3Error(nodeError('ECONNRESET'), context).details).not.toHaveProperty('action');
    expect(s3Error(sdkError('NoSuchBucket', 404), context).code).toBe('hosting');
  });
});
