/**
 * The fake API's price and cost, in the shapes RunComfy's own nodes read (API.md, "Price and
 * cost"): `GET /v1/models/{model}` answers `model`, and a result asked for with
 * `include_cost=true` carries `cost`. Tests change either on `fake.pricing`; a failing price
 * read is scripted like any endpoint: `fake.script('price', { respond: 503 })`.
 */
import { MODEL_ID } from '../../main/contract/model';

/** Dollars per second of video in the fake (a 5-second video: $0.56). */
export const FAKE_PRICE_PER_SECOND = 0.112;

/** What the fake charges for a video of `seconds`, rounded as an API would send it. */
export const fakeCostUsd = (seconds: number): number => Math.round(FAKE_PRICE_PER_SECOND * seconds * 1e6) / 1e6;

export const defaultModelAnswer = (): Record<string, unknown> => ({
  model_id: MODEL_ID,
  display_name: 'Kling Video O1 Image to Video',
  base_price_usd: FAKE_PRICE_PER_SECOND,
  price_unit: 'second',
  pricing_note: 'Billed per second of output video.',
});

export type FakeCost =
  /** The price × the job's duration, as a plain number (the default). */
  | 'price'
  /** No `cost` field at all. */
  | 'none'
  /** Exactly this value as `cost`: a number, or an odd shape. */
  | { value: unknown };

export class FakePricing {
  /** The whole answer to `GET /v1/models/{model}`. */
  model: unknown = defaultModelAnswer();
  cost: FakeCost = 'price';

  /** The fields a completed result gets when asked for its cost. */
  costFields(duration: number): Record<string, unknown> {
    if (this.cost === 'none') return {};
    if (this.cost === 'price') return { cost: fakeCostUsd(duration) };
    return { cost: this.cost.value };
  }
}
