/**
 * What the renderer knows about the RunComfy API token: its status (never the token), the action
 * in progress and the last error. The token a user types passes through `save` to main and is
 * not kept here.
 */
import type { ErrorInfo, Result, SaveTokenOptions, TokenStatus } from '../../../main/contract';
import { BridgeError, bridge, call } from '../lib/bridge';
import { handleError } from './toasts.svelte';

export type TokenAction = 'verifying' | 'importing' | 'checking' | 'removing';

export class TokenState {
  #status = $state<TokenStatus | undefined>();
  #busy = $state<TokenAction | undefined>();
  #error = $state<{ info: ErrorInfo; action: TokenAction } | undefined>();

  get status(): TokenStatus | undefined {
    return this.#status;
  }

  /** True when Keyframe cannot talk to RunComfy until the user gives a (new) token. */
  get needsToken(): boolean {
    return !!this.#status && this.#status.state !== 'set';
  }

  get busy(): TokenAction | undefined {
    return this.#busy;
  }

  /** How the last action failed, if it was one of `actions` (each form shows its own). */
  errorOf(...actions: TokenAction[]): ErrorInfo | undefined {
    return this.#error && actions.includes(this.#error.action) ? this.#error.info : undefined;
  }

  clearError(): void {
    this.#error = undefined;
  }

  async load(): Promise<void> {
    this.#status = await call(bridge().token.status());
  }

  listen(): () => void {
    return bridge().on.tokenChanged((next) => (this.#status = next));
  }

  /** Verifies the token with RunComfy and keeps it; false (with `error` set) when that failed. */
  save(token: string, options?: SaveTokenOptions): Promise<boolean> {
    // No `undefined` argument: the test carrier sends arguments as JSON, where it becomes null.
    return this.#run('verifying', () => (options ? bridge().token.save(token, options) : bridge().token.save(token)));
  }

  importFromCli(): Promise<boolean> {
    return this.#run('importing', () => bridge().token.importCli());
  }

  verify(): Promise<boolean> {
    return this.#run('checking', () => bridge().token.verify());
  }

  remove(): Promise<boolean> {
    return this.#run('removing', () => bridge().token.remove());
  }

  openTokenPage(): void {
    call(bridge().token.openTokenPage()).catch((error: unknown) => handleError(error, 'Could not open the RunComfy page'));
  }

  async #run(action: TokenAction, send: () => Promise<Result<TokenStatus>>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = action;
    this.#error = undefined;
    try {
      this.#status = await call(send());
      return true;
    } catch (error) {
      const info: ErrorInfo =
        error instanceof BridgeError
          ? { code: error.code, message: error.message }
          : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
      this.#error = { info, action };
      return false;
    } finally {
      this.#busy = undefined;
    }
  }
}

export const token = new TokenState();

/** A short title for each error a token action can end with. */
export function tokenErrorTitle(error: ErrorInfo): string {
  switch (error.code) {
    case 'bad_token':
      return 'RunComfy did not accept this token';
    case 'network':
      return 'No connection to RunComfy';
    case 'timeout':
      return 'RunComfy did not answer';
    case 'server':
      return 'RunComfy is having trouble';
    case 'rate_limited':
      return 'Too many attempts';
    case 'keychain_unavailable':
      return 'The keychain cannot be used';
    case 'invalid_input':
    case 'invalid_argument':
      return 'Check the token';
    default:
      return 'Something went wrong';
  }
}
