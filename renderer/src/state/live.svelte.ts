/**
 * What every state class does with main, in one place (as podman-desktop's event store does for its
 * stores): read a value through the bridge, keep it in step with main's event for it, read it again
 * when something else changes, and keep how an action failed as the contract's `ErrorInfo`.
 */
import type { ErrorInfo } from '$contract';
import { BridgeError } from '../lib/bridge';

export type Stop = () => void;
/** A bridge event, e.g. `(on) => bridge().on.settingsChanged(on)`; returns its unsubscribe. */
export type Subscribe<T> = (listener: (value: T) => void) => Stop;

/** Starts listening to everything given; the function returned stops it all. */
export function listenAll(...stops: Stop[]): Stop {
  return () => {
    for (const stop of stops) stop();
  };
}

/** A thrown error as the contract's `ErrorInfo`: a bridge error keeps its code, anything else is `internal`. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof BridgeError) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** A value main owns, as the renderer last heard it. */
export class Live<T> {
  #value = $state<T | undefined>();
  readonly #read: () => Promise<T>;
  readonly #changed?: Subscribe<T>;
  readonly #refreshOn: Subscribe<unknown>[];

  /**
   * `read` asks main for the value; `changed` is main's event carrying the new value; each of
   * `refreshOn` is an event after which the value is read again.
   */
  constructor(read: () => Promise<T>, options: { changed?: Subscribe<T>; refreshOn?: Subscribe<unknown>[] } = {}) {
    this.#read = read;
    this.#changed = options.changed;
    this.#refreshOn = options.refreshOn ?? [];
  }

  /** Undefined until the first answer. */
  get value(): T | undefined {
    return this.#value;
  }

  /** Takes the value an action answered with. */
  set(value: T): void {
    this.#value = value;
  }

  async load(): Promise<void> {
    this.#value = await this.#read();
  }

  listen(): Stop {
    return listenAll(
      ...(this.#changed ? [this.#changed((next) => (this.#value = next))] : []),
      ...this.#refreshOn.map((subscribe) => subscribe(() => void this.load())),
    );
  }
}

/** Actions on one thing, one at a time, with how the last one failed (for the form that started it). */
export class Actions<A extends string> {
  #busy = $state<A | undefined>();
  #failed = $state<{ action: A; info: ErrorInfo } | undefined>();

  get busy(): A | undefined {
    return this.#busy;
  }

  /** How the last action failed, if it was one of `actions` (any action when none is named). */
  errorOf(...actions: A[]): ErrorInfo | undefined {
    return this.#failed && (!actions.length || actions.includes(this.#failed.action)) ? this.#failed.info : undefined;
  }

  clearError(): void {
    this.#failed = undefined;
  }

  /** Runs `work` unless another action is running; false (with the error kept) when it failed or could not start. */
  async run(action: A, work: () => Promise<void>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = action;
    this.#failed = undefined;
    try {
      await work();
      return true;
    } catch (error) {
      this.#failed = { action, info: errorInfo(error) };
      return false;
    } finally {
      this.#busy = undefined;
    }
  }
}
