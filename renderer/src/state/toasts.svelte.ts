/** Short messages at the bottom of the window; `handleError` is the one way the UI reports failures. */
import { RUNCOMFY_ACCOUNT_ACTION } from '$contract/errors';
import { HOSTING_ACTION } from '$contract/hosting';
import { BridgeError, bridge, call } from '../lib/bridge';
import { navigation } from './navigation.svelte';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  message: string;
  /** A button beside the message, e.g. "Bucket settings" when the fix is there. */
  action?: ToastAction;
}

class Toasts {
  #items = $state<Toast[]>([]);
  #next = 1;

  get items(): readonly Toast[] {
    return this.#items;
  }

  show(message: string, kind: Toast['kind'] = 'info', ms = 6000, action?: ToastAction): void {
    const id = this.#next++;
    this.#items.push(action ? { id, kind, message, action } : { id, kind, message });
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.#items = this.#items.filter((toast) => toast.id !== id);
  }
}

export const toasts = new Toasts();

export function handleError(error: unknown, context: string): void {
  if (error instanceof DOMException && error.name === 'AbortError') return;
  if (error instanceof BridgeError && error.code === 'aborted') return;
  console.error(context, error);
  const detail = error instanceof Error ? error.message : String(error);
  toasts.show(`${context}: ${detail}`, 'error', 6000, actionFor(error));
}

/** Runs `work`; if it fails, `handleError` reports it under `context` and the answer is undefined. */
export async function attempt<T>(context: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    handleError(error, context);
    return undefined;
  }
}

/** The button an error's `details.action` asks for (main says where the fix is). */
function actionFor(error: unknown): ToastAction | undefined {
  if (!(error instanceof BridgeError)) return undefined;
  if (error.details?.['action'] === HOSTING_ACTION) {
    return { label: 'Bucket settings', run: () => navigation.openSettings('hosting') };
  }
  if (error.details?.['action'] === RUNCOMFY_ACCOUNT_ACTION) {
    // RunComfy's profile page holds the account's balance and its API tokens.
    return { label: 'Top up at RunComfy', run: () => void call(bridge().token.openTokenPage()).catch(() => undefined) };
  }
  return undefined;
}
