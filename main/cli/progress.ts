/**
 * Progress on stderr for the headless CLI. Lines that matter stay (`note`); lines that only say
 * "still going" (`update`: a percentage, a running time) replace each other in place on a terminal,
 * and appear at most every few seconds per kind in a log file, so a log stays readable.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const LOG_EVERY_MS = 5_000;

export class Progress {
  #transient = false;
  #lastAt = new Map<string, number>();

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  note(text: string): void {
    this.#clearTransient();
    this.out.write(text + '\n');
  }

  update(kind: string, text: string): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[K${text}`);
      this.#transient = true;
      return;
    }
    const last = this.#lastAt.get(kind);
    if (last !== undefined && this.now() - last < LOG_EVERY_MS) return;
    this.#lastAt.set(kind, this.now());
    this.out.write(text + '\n');
  }

  /** Ends an in-place line so the next output starts clean. */
  done(): void {
    this.#clearTransient();
  }

  #clearTransient(): void {
    if (!this.#transient) return;
    this.out.write('\r\x1b[K');
    this.#transient = false;
  }
}
