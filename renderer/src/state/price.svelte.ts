/**
 * The model's price as main read it from RunComfy (main keeps it a few minutes), for the estimate
 * on Create. Best effort: when it cannot be read, the quote says why and submitting goes on as usual.
 */
import type { PriceQuote } from '../../../main/contract';
import { estimateUsd } from '../../../main/contract/price';
import { bridge, call } from '../lib/bridge';

export class PriceState {
  #quote = $state<PriceQuote | undefined>();

  /** Undefined until main has answered the first time. */
  get quote(): PriceQuote | undefined {
    return this.#quote;
  }

  /** The estimate for a video of `seconds`, when the price and its unit allow one. */
  estimate(seconds: number): number | undefined {
    return this.#quote?.available ? estimateUsd(this.#quote, seconds) : undefined;
  }

  async load(): Promise<void> {
    try {
      this.#quote = await call(bridge().price.get());
    } catch (error) {
      this.#quote = { available: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Reads the price again when the token changes (another account may pay another price). */
  listen(): () => void {
    return bridge().on.tokenChanged(() => void this.load());
  }
}

export const price = new PriceState();
