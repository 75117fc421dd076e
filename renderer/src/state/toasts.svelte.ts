/** Short messages at the bottom of the window; `handleError` is the one way the UI reports failures. */
import { BridgeError } from '../lib/bridge';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  message: string;
}

class Toasts {
  #items = $state<Toast[]>([]);
  #next = 1;

  get items(): readonly Toast[] {
    return this.#items;
  }

  show(message: string, kind: Toast['kind'] = 'info', ms = 6000): void {
    const id = this.#next++;
    this.#items.push({ id, kind, message });
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
  toasts.show(`${context}: ${detail}`, 'error');
}
