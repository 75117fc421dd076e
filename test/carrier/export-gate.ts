/**
 * Holds a storyboard export mid-write, so a test can cancel it through the UI at a known point
 * however fast the cut is: at its first step of written packets (the part file is on disk then)
 * the export waits until it is cancelled, or until the gate opens. Test infrastructure only.
 */
import type { BoardExports } from '../../main/services/storyboard/export';

export class ExportGate {
  readonly #reached = Promise.withResolvers<number>();
  #open = false;
  #release = Promise.withResolvers<void>();

  constructor(exports: BoardExports) {
    exports.pace = (fraction, signal) => this.#hold(fraction, signal);
  }

  /** Resolves with the share written when an export is held. */
  reached(): Promise<number> {
    return this.#reached.promise;
  }

  /** Lets the held export, and every later one, run through. */
  open(): void {
    this.#open = true;
    this.#release.resolve();
  }

  #hold(fraction: number, signal: AbortSignal): Promise<void> | undefined {
    if (this.#open || fraction === 0) return undefined;
    this.#reached.resolve(fraction);
    if (signal.aborted) return undefined;
    signal.addEventListener('abort', () => this.#release.resolve(), { once: true });
    return this.#release.promise;
  }
}
