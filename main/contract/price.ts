/**
 * Price and cost: the model's price as RunComfy states it (`GET /v1/models/{model}`), the estimate
 * Create shows before a job is sent, a job's reported cost, and the spend the library adds up.
 * Amounts are US dollars as plain numbers; `formatUsd` is the one way they are written.
 */
import { z } from 'zod';

/** What RunComfy said the model costs, or why it could not be read (submitting works either way). */
export const PriceQuote = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    modelId: z.string(),
    /** `base_price_usd`: dollars per `unit`. */
    usdPerUnit: z.number().nonnegative(),
    /** `price_unit` as RunComfy wrote it, e.g. `second`. */
    unit: z.string(),
    /** `pricing_note`, when RunComfy gave one. */
    note: z.string().optional(),
    /** When Keyframe read it (prices are kept a few minutes). */
    readAt: z.string(),
  }),
  z.object({ available: z.literal(false), reason: z.string() }),
]);
export type PriceQuote = z.infer<typeof PriceQuote>;

/** A job's cost as RunComfy reported it (`cost` in the result asked for with `include_cost=true`). */
export const JobCost = z.object({
  /** The value exactly as reported (its shape is not documented), kept for later reading. */
  raw: z.unknown(),
  /** The cost in dollars, when the value is a plain non-negative number (what RunComfy's own nodes read). */
  usd: z.number().nonnegative().optional(),
});
export type JobCost = z.infer<typeof JobCost>;

/** What the jobs matching a library query cost, by their reported costs. */
export const Spend = z.object({
  /** Sum of the reported costs in dollars. */
  usd: z.number(),
  /** Jobs with a cost in dollars (the ones summed). */
  costed: z.number().int(),
});
export type Spend = z.infer<typeof Spend>;

const PER_SECOND = new Set(['second', 'seconds', 'sec', 's']);
const PER_MINUTE = new Set(['minute', 'minutes', 'min']);
/** Units that price a whole result, whatever its length ("output" in RunComfy's nodes). */
const PER_VIDEO = new Set(['output', 'video', 'request', 'generation', 'run', 'job']);

/**
 * What a video of `seconds` costs at this price, or undefined when the unit does not say (then
 * the price is shown as stated, with no estimate). Per second: price × seconds, as RunComfy's
 * nodes compute it; per minute: prorated; per output: the price itself.
 */
export function estimateUsd(quote: Extract<PriceQuote, { available: true }>, seconds: number): number | undefined {
  const unit = quote.unit.trim().toLowerCase();
  if (PER_SECOND.has(unit)) return quote.usdPerUnit * seconds;
  if (PER_MINUTE.has(unit)) return (quote.usdPerUnit * seconds) / 60;
  if (PER_VIDEO.has(unit)) return quote.usdPerUnit;
  return undefined;
}

/** Made once: a number formatter is costly to create, and a gallery screen shows dozens of costs. */
const dollars = {
  2: new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  3: new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }),
} as const;

/**
 * "$0.56", "$12.30"; amounts under a dollar keep a third decimal when it matters ("$0.125"), and
 * a positive amount under a cent reads "under $0.01" rather than "$0.00".
 */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.005) return 'under $0.01';
  const digits = usd < 1 && Math.round(usd * 1000) % 10 !== 0 ? 3 : 2;
  return `$${dollars[digits].format(usd)}`;
}

/** "$0.112 per second": the price as RunComfy states it. */
export function formatRate(quote: Extract<PriceQuote, { available: true }>): string {
  const rate = `$${quote.usdPerUnit.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;
  return `${rate} per ${quote.unit}`;
}
