/**
 * Frames in an S3-compatible bucket, sent to RunComfy as pre-signed GET URLs.
 *
 * - Content-addressed: the key is `<prefix>/<sha256>.<ext>`; a HeadObject first skips bytes that
 *   are already there.
 * - Streamed from disk, with progress, and hashed on the way: the upload is signed with the
 *   sha256 recorded at pick time (x-amz-content-sha256), so a real S3 refuses other bytes, and
 *   a file that changed mid-upload is deleted again and reported.
 * - A dropped connection is retried once with a fresh stream; every other failure becomes a clear
 *   message (s3/errors.ts) and no URL is handed out.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../../../contract';
import type { Logger } from '../../log';
import type { FrameHost, FrameToHost, HostedFrame, HostOptions } from '../frame';
import { cancelled, frameChanged, frameMissing, verifyOnDisk } from '../frame';
import type { S3Config } from './config';
import { presignGet } from './client';
import { endpointLabel, objectKey } from './config';
import { isAbort, s3Error } from './errors';
import type { S3ErrorContext } from './errors';

const UPLOAD_ATTEMPTS = 2;
/** Stored with each frame (x-amz-meta-sha256) so a re-upload can be skipped only for the very same bytes. */
const SHA256_METADATA = 'sha256';

export class S3FrameHost implements FrameHost {
  readonly kind = 's3' as const;

  constructor(
    private readonly client: S3Client,
    private readonly config: S3Config,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async host(frame: FrameToHost, options: HostOptions = {}): Promise<HostedFrame> {
    const { signal } = options;
    const key = objectKey(this.config.prefix, frame.sha256, frame.mime);
    // Bytes the caller has just read and checked need no second check; the upload is hashed anyway.
    if (!frame.data) await verifyOnDisk(frame, signal);
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.#alreadyThere(key, frame, signal)) {
          this.log.info('hosting', `frame ${key} is already in bucket ${this.config.bucket}; not uploading it again`);
        } else {
          await this.#upload(frame, key, options);
          this.log.info('hosting', `uploaded frame ${key} (${frame.bytes} bytes) to bucket ${this.config.bucket}`);
        }
        break;
      } catch (error) {
        if (signal?.aborted || isAbort(error)) throw cancelled();
        const failure = error instanceof AppError ? error : s3Error(error, this.#context('store the frame'));
        if (failure.details?.['retryable'] !== true || failure.code !== 'hosting' || attempt >= UPLOAD_ATTEMPTS) throw failure;
        this.log.warn('hosting', `upload of ${key} failed (${String(failure.details['problem'])}); trying again`);
      }
    }
    const { url, expiresAt } = await presignGet(this.client, this.config.bucket, key, this.config.urlLifetimeHours, this.now());
    return { url, host: 's3', key, expiresAt };
  }

  #context(action: string): S3ErrorContext {
    return { endpoint: endpointLabel(this.config), bucket: this.config.bucket, region: this.config.region, action };
  }

  /**
   * True when the object exists and is this frame (size, and the sha256 Keyframe stores with it).
   * Without list permission S3 answers 403 for a missing key: upload then.
   */
  async #alreadyThere(key: string, frame: FrameToHost, signal?: AbortSignal): Promise<boolean> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }), { abortSignal: signal });
      return head.ContentLength === frame.bytes && head.Metadata?.[SHA256_METADATA] === frame.sha256.toLowerCase();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || status === 403) return false;
      throw error;
    }
  }

  async #upload(frame: FrameToHost, key: string, { signal, onProgress }: HostOptions): Promise<void> {
    const counter = new CountingHash(frame.bytes, onProgress);
    const file = createReadStream(frame.path);
    file.on('error', (error) => counter.destroy(error));
    file.pipe(counter);
    const command = new PutObjectCommand({
      Bucket: this.config.bucket,
      Key: key,
      Body: counter,
      ContentLength: frame.bytes,
      ContentType: frame.mime,
      Metadata: { [SHA256_METADATA]: frame.sha256.toLowerCase() },
    });
    signPayloadAs(command, frame.sha256.toLowerCase());
    try {
      await this.client.send(command, { abortSignal: signal });
    } catch (error) {
      file.destroy();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw frameMissing(frame, error);
      throw error;
    }
    if (counter.sha256() !== frame.sha256.toLowerCase() || counter.count !== frame.bytes) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key })).catch((error: unknown) => {
        this.log.warn('hosting', `could not delete ${key} after its file changed mid-upload`, error);
      });
      throw frameChanged(frame);
    }
  }
}

/** Sign the upload with the frame's known sha256, so the server checks the bytes it receives. */
function signPayloadAs(command: PutObjectCommand, sha256: string): void {
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256;
      return next(args);
    },
    { step: 'build', name: 'keyframeSignedPayloadHash' },
  );
}

/** Passes bytes through, counting and hashing them, and reports progress. */
class CountingHash extends Transform {
  count = 0;
  #hash = createHash('sha256');

  constructor(
    private readonly total: number,
    private readonly onProgress?: HostOptions['onProgress'],
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.count += chunk.length;
    this.#hash.update(chunk);
    this.onProgress?.({ sentBytes: this.count, totalBytes: this.total });
    done(null, chunk);
  }

  sha256(): string {
    return this.#hash.copy().digest('hex');
  }
}
