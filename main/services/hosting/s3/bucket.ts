/** Everything that talks to a bucket through the AWS SDK, loaded at once when a bucket is first used (hosting-service.ts). */
export { createS3Client } from './client';
export { testS3Connection } from './connection-test';
export { S3FrameHost } from './s3-host';
