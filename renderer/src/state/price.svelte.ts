/**
 * The model's price as main read it from RunComfy (main keeps it a few minutes), for the estimate
 * on Create. Best effort: when it cannot be read, the quote says why and submitting goes on as usual.
 */
import type { PriceQuote } from '$contract';
import { estimateUsd } from '$contract/price';
import { bridge, call } from '../lib/bridge';
import { Live } from './live.svelte';

const unavailable = (error: unknown): PriceQuote => ({ available: false, reason: error instanceof Error ? error.message : String(error) });

export class PriceState {
  // Read again when the token changes: another account may pay another price.
  #quote = new Live(() => call(bridge().price.get()).catch(unavailable), { refreshOn: [(on) => bridge().on.tokenChanged(on)] });

  /** Undefined until main has answered the first time. */
  get quote(): PriceQuote | undefined {
    return this.#quote.value;
  }

  /** The estimate for a video of `seconds`, when the price and its unit allow one. */
  estimate(seconds: number): number | undefined {
    const quote = this.#quote.value;
    return quote?.available ? estimateUsd(quote, seconds) : undefined;
  }

  load(): Promise<void> {
    return this.#quote.load();
  }

  listen(): () => void {
    return this.#quote.listen();
  }
}

export const price = new PriceState();
