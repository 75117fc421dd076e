/**
 * The model's price and a job's cost, read as RunComfy's own ComfyUI nodes read them
 * (runcomfy/pricing.py, execution.py):
 * - price: `GET /v1/models/{model}` answers `model_id`, `base_price_usd`, `price_unit`, optional
 *   `pricing_note`. It counts only when `model_id` is this model and `base_price_usd` is a finite,
 *   non-negative number; anything else is "price unavailable".
 * - cost: `cost` in a result asked for with `include_cost=true`. Its shape is undocumented; the
 *   nodes take it only as a plain non-negative number. Keyframe keeps whatever came (small, as
 *   JSON) and the dollar amount when there is one.
 *
 * Both are best effort. Unlike the nodes (which read the price before every submit), the price is
 * kept for a few minutes: Create asks for it each time it is shown.
 */
import { AppError } from '../../contract';
import type { JobCost, PriceQuote } from '../../contract';
import { MODEL_ID } from '../../contract/model';
import type { RunComfyClient } from './client';
import type { Logger } from '../log';

/** How long a price read from RunComfy is used before it is read again. */
export const PRICE_TTL_MS = 5 * 60_000;
/** How long "price unavailable" stands before the next try (so a flaky API is not asked on every click). */
export const UNAVAILABLE_TTL_MS = 30_000;
/** Longest raw cost value kept, as JSON; a longer one is cut (and has no dollar amount). */
const MAX_RAW_COST_CHARS = 500;

const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The price in RunComfy's answer, or the reason it is not one Keyframe can use. */
export function parsePrice(body: unknown, readAt: Date): PriceQuote {
  const unavailable = (reason: string): PriceQuote => ({ available: false, reason });
  if (!body || typeof body !== 'object' || Array.isArray(body)) return unavailable('RunComfy’s answer about the model was not readable.');
  const answer = body as Record<string, unknown>;
  if (answer['model_id'] !== MODEL_ID) return unavailable('RunComfy answered with the price of another model.');
  const price = answer['base_price_usd'];
  if (!isAmount(price)) return unavailable('RunComfy did not state a price for this model.');
  const unit = typeof answer['price_unit'] === 'string' ? answer['price_unit'].trim() : '';
  if (!unit || unit.length > 40) return unavailable('RunComfy did not say what the price is per.');
  const note = typeof answer['pricing_note'] === 'string' ? answer['pricing_note'].trim().slice(0, 300) : '';
  return {
    available: true,
    modelId: MODEL_ID,
    usdPerUnit: price,
    unit,
    ...(note ? { note } : {}),
    readAt: readAt.toISOString(),
  };
}

/** The cost in a result body, or undefined when it has none. */
export function costFrom(body: unknown): JobCost | undefined {
  if (!body || typeof body !== 'object' || !('cost' in body)) return undefined;
  const raw = (body as { cost: unknown }).cost;
  if (raw === null || raw === undefined) return undefined;
  if (isAmount(raw)) return { raw, usd: raw };
  const text = JSON.stringify(raw);
  return { raw: text.length > MAX_RAW_COST_CHARS ? `${text.slice(0, MAX_RAW_COST_CHARS)}…` : raw };
}

export interface PriceReaderOptions {
  client: Pick<RunComfyClient, 'model'>;
  log?: Logger;
  now?: () => number;
}

/** Reads the price at most once per few minutes; callers at the same moment share one request. */
export class PriceReader {
  #cached?: { quote: PriceQuote; until: number };
  #reading?: Promise<PriceQuote>;
  /** Bumped by `forget`, so a read begun before it is not kept. */
  #generation = 0;
  readonly #now: () => number;

  constructor(private readonly options: PriceReaderOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** The price, or why it is unavailable. Never throws. */
  get(): Promise<PriceQuote> {
    if (this.#cached && this.#cached.until > this.#now()) return Promise.resolve(this.#cached.quote);
    if (!this.#reading) {
      const reading = this.#read(this.#generation).finally(() => {
        if (this.#reading === reading) this.#reading = undefined;
      });
      this.#reading = reading;
    }
    return this.#reading;
  }

  /** Forgets the price (the token or the API address changed: it may differ now). */
  forget(): void {
    this.#generation++;
    this.#cached = undefined;
    this.#reading = undefined;
  }

  async #read(generation: number): Promise<PriceQuote> {
    let quote: PriceQuote;
    try {
      // One quick try: the price is a hint, and Create must not wait for retries.
      const body = await this.options.client.model({ timeoutMs: 10_000, retry: { attempts: 1 } });
      quote = parsePrice(body, new Date(this.#now()));
    } catch (error) {
      quote = { available: false, reason: error instanceof AppError ? error.message : 'The price could not be read.' };
    }
    if (!quote.available) this.options.log?.info('runcomfy', `price unavailable: ${quote.reason}`);
    if (generation === this.#generation)
      this.#cached = { quote, until: this.#now() + (quote.available ? PRICE_TTL_MS : UNAVAILABLE_TTL_MS) };
    return quote;
  }
}
