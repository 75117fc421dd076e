/**
 * Holds a storyboard export mid-write, so a test can cancel it through the UI at a known point
 * however fast the cut is: at its first step of written packets (the part file is on disk then)
 * the export waits until it is cancelled, or until the gate opens. Test infrastructure only.
 */
import type { BoardExports } from '../../main/services/storyboard/export';

export class ExportGate {
  readonly #reached: Promise<number>;
  readonly #released: Promise<void>;
  #reach!: (fraction: number) => void;
  #release!: () => void;
  #open = false;

  constructor(exports: BoardExports) {
    this.#reached = new Promise((resolve) => (this.#reach = resolve));
    this.#released = new Promise((resolve) => (this.#release = resolve));
    exports.pace = (fraction, signal) => this.#hold(fraction, signal);
  }

  /** Resolves with the share written when an export is held. */
  reached(): Promise<number> {
    return this.#reached;
  }

  /** Lets the held export, and every later one, run through. */
  open(): void {
    this.#open = true;
    this.#release();
  }

  #hold(fraction: number, signal: AbortSignal): Promise<void> | undefined {
    if (this.#open || fraction === 0) return undefined;
    this.#reach(fraction);
    if (signal.aborted) return undefined;
    signal.addEventListener('abort', () => this.#release(), { once: true });
    return this.#released;
  }
}
