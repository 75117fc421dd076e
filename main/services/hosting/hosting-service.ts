/**
 * Frame hosting for the app: the one place that turns "these bytes" into "a URL RunComfy can
 * fetch". The Jobs runner calls `host(frame)` for each frame before it submits; the renderer asks
 * for the status, sets or clears the bucket's secret and runs "Test connection".
 *
 * The bucket's secret access key lives in the OS keychain (SecretStore) and in this object's
 * memory; it is registered with the logger so it can never reach a log.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../../contract';
import type { ConnectionTestResult, HostingStatus, InlinePlan, Settings } from '../../contract';
import type { EventBus } from '../events';
import type { SecretStore } from '../keychain/secret-store';
import { SECRET_ACCOUNTS } from '../keychain/secret-store';
import type { Logger } from '../log';
import { chooseHost, describeHosting, listOf, missingForBucket } from './choose';
import { DataUriHost, dataUriHost } from './data-uri-host';
import type { FrameHost, FrameToHost, HostedFrame, HostOptions } from './frame';
import { hostingError } from './frame';
import { DEFAULT_S3_TUNING } from './s3/config';
import type { S3Config, S3Tuning } from './s3/config';
import { urlHost } from './url-host';

/** The bucket's code and the AWS SDK under it (about 0.3 s to load): loaded when a bucket is first used. */
const loadBucketCode = () => import('./s3/bucket');

export interface HostingServiceOptions {
  settings: { get(): Settings; onChange(listener: () => void): () => void };
  secrets: SecretStore;
  events: EventBus;
  log: Logger;
  /** For the pre-signed fetch in "Test connection". */
  fetch?: typeof globalThis.fetch;
  s3Tuning?: Partial<S3Tuning>;
}

const ACCOUNT = SECRET_ACCOUNTS.s3SecretKey;

export class HostingService {
  /** undefined: not read from the keychain yet; null: read, none stored. */
  #secret: string | null | undefined;
  #client?: { signature: string; client: S3Client };
  #lastStatus = '';
  #stopListening: () => void;

  constructor(private readonly options: HostingServiceOptions) {
    this.#stopListening = options.settings.onChange(() => void this.#announce());
  }

  async status(): Promise<HostingStatus> {
    let keychainProblem: string | null = null;
    let secret: string | undefined;
    try {
      secret = await this.#readSecret();
    } catch (error) {
      keychainProblem = error instanceof AppError ? error.message : 'The keychain could not be read.';
    }
    return describeHosting(this.options.settings.get().hosting, {
      secretSet: !!secret,
      keychainName: this.options.secrets.displayName,
      keychainProblem,
    });
  }

  async setSecret(input: string): Promise<HostingStatus> {
    const secret = input.trim();
    if (!/^[\x21-\x7e]{1,256}$/.test(secret)) {
      throw new AppError('invalid_input', 'A secret access key is one word of letters, digits and symbols, without spaces.');
    }
    this.options.log.addSecret(secret);
    await this.options.secrets.set(ACCOUNT, secret);
    this.#secret = secret;
    this.options.log.info('hosting', `bucket secret access key saved in ${this.options.secrets.displayName}`);
    return this.#announce();
  }

  async clearSecret(): Promise<HostingStatus> {
    await this.options.secrets.delete(ACCOUNT);
    this.#secret = null;
    this.options.log.info('hosting', 'bucket secret access key removed');
    return this.#announce();
  }

  /** Uploads a tiny object, fetches it back through a pre-signed URL and deletes it. */
  async test(): Promise<ConnectionTestResult> {
    const settings = this.options.settings.get().hosting;
    const secret = await this.#readSecret();
    const choice = chooseHost({ ...settings, mode: 'bucket' }, secret);
    if (choice.host !== 's3') {
      return {
        ok: false,
        steps: [],
        problem: 'not-configured',
        message: `Enter ${listOf(missingForBucket(settings, !!secret))} first.`,
        warnings: [],
      };
    }
    const { testS3Connection } = await loadBucketCode();
    const result = await testS3Connection(await this.#clientFor(choice.config), choice.config, { fetch: this.options.fetch });
    this.options.log.info('hosting', `connection test: ${result.ok ? 'ok' : `failed (${result.problem})`}`);
    return result;
  }

  /** The host for frames picked from this computer, as set up now. */
  async frameHost(): Promise<FrameHost> {
    // Without a bucket to use, frames go inline: no need to ask the keychain (which may be locked).
    const settings = this.options.settings.get().hosting;
    if (settings.mode === 'inline' || (settings.mode === 'auto' && missingForBucket(settings, true).length > 0)) return dataUriHost;
    let secret: string | undefined;
    try {
      secret = await this.#readSecret();
    } catch (error) {
      if (this.options.settings.get().hosting.mode === 'inline') secret = undefined;
      else throw hostingError('keychain', error instanceof Error ? error.message : String(error), { cause: error, openSettings: true });
    }
    const choice = chooseHost(this.options.settings.get().hosting, secret);
    if (choice.host === 'data-uri') return dataUriHost;
    if (choice.host === 's3') {
      const { S3FrameHost } = await loadBucketCode();
      return new S3FrameHost(await this.#clientFor(choice.config), choice.config, this.options.log);
    }
    throw hostingError('not-configured', choice.problem, { openSettings: true });
  }

  /** Makes one frame reachable for RunComfy. Frames picked as http(s) addresses go as they are. */
  async host(frame: FrameToHost, options: HostOptions = {}): Promise<HostedFrame> {
    if (frame.sourceUrl) return urlHost.host(frame);
    return (await this.frameHost()).host(frame, options);
  }

  /**
   * How a frame will travel if sent now (the Create screen says it before submitting). Hosting
   * problems (an incomplete bucket) are the status line's to tell: here they are "not inline".
   */
  async inlinePlan(frame: FrameToHost): Promise<InlinePlan> {
    if (frame.sourceUrl) return { kind: 'not-inline' };
    let host: FrameHost;
    try {
      host = await this.frameHost();
    } catch {
      return { kind: 'not-inline' };
    }
    return host instanceof DataUriHost ? host.plan(frame) : { kind: 'not-inline' };
  }

  close(): void {
    this.#stopListening();
    this.#client?.client.destroy();
    this.#client = undefined;
  }

  async #readSecret(): Promise<string | undefined> {
    if (this.#secret === undefined) {
      this.#secret = (await this.options.secrets.get(ACCOUNT)) ?? null;
      if (this.#secret) this.options.log.addSecret(this.#secret);
    }
    return this.#secret ?? undefined;
  }

  /** One SDK client (and its connection pool) per bucket set-up; a new set-up replaces it. */
  async #clientFor(config: S3Config): Promise<S3Client> {
    const { createS3Client } = await loadBucketCode();
    const signature = JSON.stringify(config);
    if (this.#client?.signature !== signature) {
      this.#client?.client.destroy();
      this.#client = { signature, client: createS3Client(config, { ...DEFAULT_S3_TUNING, ...this.options.s3Tuning }) };
    }
    return this.#client.client;
  }

  async #announce(): Promise<HostingStatus> {
    const status = await this.status();
    const text = JSON.stringify(status);
    if (text !== this.#lastStatus) {
      this.#lastStatus = text;
      this.options.events.emit('hosting:changed', status);
    }
    return status;
  }
}
