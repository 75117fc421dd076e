/**
 * What the renderer knows about frame hosting: which host will carry frames, whether the bucket's
 * secret is set (never the secret), the action in progress, and the last connection test. The
 * secret a user types passes through `setSecret` to main and is not kept here.
 */
import type { ConnectionTestResult, ErrorInfo, HostingStatus, S3SettingsPatch } from '../../../main/contract';
import { BridgeError, bridge, call } from '../lib/bridge';
import { settings } from './settings.svelte';

export type HostingAction = 'saving' | 'removing' | 'testing';

export class HostingState {
  #status = $state<HostingStatus | undefined>();
  #busy = $state<HostingAction | undefined>();
  #error = $state<ErrorInfo | undefined>();
  #test = $state<ConnectionTestResult | undefined>();

  get status(): HostingStatus | undefined {
    return this.#status;
  }

  get busy(): HostingAction | undefined {
    return this.#busy;
  }

  /** How the last save or removal failed. */
  get error(): ErrorInfo | undefined {
    return this.#error;
  }

  /** The last "Test connection" result, until the bucket settings change. */
  get lastTest(): ConnectionTestResult | undefined {
    return this.#test;
  }

  async load(): Promise<void> {
    this.#status = await call(bridge().hosting.status());
  }

  listen(): () => void {
    return bridge().on.hostingChanged((next) => (this.#status = next));
  }

  clearError(): void {
    this.#error = undefined;
  }

  /** Saves the bucket fields and, when one was typed, the secret. False (with `error` set) when that failed. */
  save(fields: S3SettingsPatch, secret?: string): Promise<boolean> {
    return this.#run('saving', async () => {
      await settings.update({ hosting: { s3: fields } });
      if (secret) this.#status = await call(bridge().hosting.setSecret(secret));
      this.#test = undefined;
    });
  }

  removeSecret(): Promise<boolean> {
    return this.#run('removing', async () => {
      this.#status = await call(bridge().hosting.clearSecret());
      this.#test = undefined;
    });
  }

  /** Saves first (what is on screen is what gets tested), then runs the test. */
  async test(fields?: S3SettingsPatch, secret?: string): Promise<ConnectionTestResult | undefined> {
    if ((fields || secret) && !(await this.save(fields ?? {}, secret))) return undefined;
    await this.#run('testing', async () => {
      this.#test = await call(bridge().hosting.test());
    });
    return this.#test;
  }

  async #run(action: HostingAction, work: () => Promise<void>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = action;
    this.#error = undefined;
    try {
      await work();
      return true;
    } catch (error) {
      this.#error =
        error instanceof BridgeError
          ? { code: error.code, message: error.message }
          : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
      return false;
    } finally {
      this.#busy = undefined;
    }
  }
}

export const hosting = new HostingState();
