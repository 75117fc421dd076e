/**
 * `npm run local-s3`: an S3-compatible server (s3rver) on 127.0.0.1 with a bucket, for demos and
 * manual testing of frame hosting without a cloud account. Its data lives in a temporary folder
 * that is removed on exit.
 *
 *   npm run local-s3 -- [--port 4568] [--bucket keyframe-frames]
 */
import { parseArgs } from 'node:util';
import { startLocalS3 } from './local-s3';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, bucket: { type: 'string', default: 'keyframe-frames' } },
});

const s3 = await startLocalS3({ buckets: [values.bucket], port: Number(values.port) });
console.log(`Local S3 server (s3rver) listening on ${s3.endpoint}

In Keyframe: Settings › Frame hosting
  Endpoint           ${s3.endpoint}
  Region             us-east-1
  Bucket name        ${s3.bucket}
  Access key ID      ${s3.accessKeyId}
  Secret access key  ${s3.secretAccessKey}   (s3rver accepts any secret for ${s3.accessKeyId})
  Path-style addresses: on

RunComfy itself cannot fetch from this computer; the fake API can:
  npm run fake-api -- --fetch-images

Ctrl+C stops it (and deletes its files).`);

const stop = async () => {
  await s3.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
