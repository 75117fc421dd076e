/**
 * What the renderer knows about the RunComfy API token: its status (never the token), the action
 * in progress and the last error. The token a user types passes through `save` to main and is
 * not kept here.
 */
import type { ErrorInfo, Result, SaveTokenOptions, TokenStatus } from '$contract';
import { bridge, call } from '../lib/bridge';
import { Actions, Live } from './live.svelte';
import { handleError } from './toasts.svelte';

export type TokenAction = 'verifying' | 'importing' | 'checking' | 'removing';

export class TokenState {
  #status = new Live(() => call(bridge().token.status()), { changed: (on) => bridge().on.tokenChanged(on) });
  #actions = new Actions<TokenAction>();

  get status(): TokenStatus | undefined {
    return this.#status.value;
  }

  /** True when Keyframe cannot talk to RunComfy until the user gives a (new) token. */
  get needsToken(): boolean {
    return !!this.status && this.status.state !== 'set';
  }

  get busy(): TokenAction | undefined {
    return this.#actions.busy;
  }

  /** How the last action failed, if it was one of `actions` (each form shows its own). */
  errorOf(...actions: TokenAction[]): ErrorInfo | undefined {
    return actions.length ? this.#actions.errorOf(...actions) : undefined;
  }

  clearError(): void {
    this.#actions.clearError();
  }

  load(): Promise<void> {
    return this.#status.load();
  }

  listen(): () => void {
    return this.#status.listen();
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

  #run(action: TokenAction, send: () => Promise<Result<TokenStatus>>): Promise<boolean> {
    return this.#actions.run(action, async () => this.#status.set(await call(send())));
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
