/**
 * What the renderer knows about frame hosting: which host will carry frames, whether the bucket's
 * secret is set (never the secret), the action in progress, and the last connection test. The
 * secret a user types passes through `setSecret` to main and is not kept here.
 */
import type { ConnectionTestResult, ErrorInfo, HostingStatus, S3SettingsPatch } from '$contract';
import { bridge, call } from '../lib/bridge';
import { Actions, Live } from './live.svelte';
import { settings } from './settings.svelte';

export type HostingAction = 'saving' | 'removing' | 'testing';

export class HostingState {
  #status = new Live(() => call(bridge().hosting.status()), { changed: (on) => bridge().on.hostingChanged(on) });
  #actions = new Actions<HostingAction>();
  #test = $state<ConnectionTestResult | undefined>();

  get status(): HostingStatus | undefined {
    return this.#status.value;
  }

  get busy(): HostingAction | undefined {
    return this.#actions.busy;
  }

  /** How the last save or removal failed. */
  get error(): ErrorInfo | undefined {
    return this.#actions.errorOf();
  }

  /** The last "Test connection" result, until the bucket settings change. */
  get lastTest(): ConnectionTestResult | undefined {
    return this.#test;
  }

  load(): Promise<void> {
    return this.#status.load();
  }

  listen(): () => void {
    return this.#status.listen();
  }

  clearError(): void {
    this.#actions.clearError();
  }

  /** Saves the bucket fields and, when one was typed, the secret. False (with `error` set) when that failed. */
  save(fields: S3SettingsPatch, secret?: string): Promise<boolean> {
    return this.#actions.run('saving', async () => {
      await settings.update({ hosting: { s3: fields } });
      if (secret) this.#status.set(await call(bridge().hosting.setSecret(secret)));
      this.#test = undefined;
    });
  }

  removeSecret(): Promise<boolean> {
    return this.#actions.run('removing', async () => {
      this.#status.set(await call(bridge().hosting.clearSecret()));
      this.#test = undefined;
    });
  }

  /** Saves first (what is on screen is what gets tested), then runs the test. */
  async test(fields?: S3SettingsPatch, secret?: string): Promise<ConnectionTestResult | undefined> {
    if ((fields || secret) && !(await this.save(fields ?? {}, secret))) return undefined;
    await this.#actions.run('testing', async () => {
      this.#test = await call(bridge().hosting.test());
    });
    return this.#test;
  }
}

export const hosting = new HostingState();
