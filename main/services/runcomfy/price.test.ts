/**
 * Price and cost against the fake API over real HTTP: the price read from `GET /v1/models/{model}`
 * (and every way it can be unavailable), kept for a few minutes on a fake clock, and the cost a
 * result carries when asked with `include_cost=true`, in whatever shape it comes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estimateUsd, formatRate, formatUsd } from '../../contract';
import type { PriceQuote } from '../../contract';
import { MODEL_ID } from '../../contract/model';
import { startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { defaultModelAnswer, FAKE_PRICE_PER_SECOND } from '../../../test/fake-runcomfy/pricing';
import { createRunComfyClient } from './client';
import { costFrom, parsePrice, PRICE_TTL_MS, PriceReader, UNAVAILABLE_TTL_MS } from './price';

const TOKEN = 'rc_test_token_price_51d2';
let fake: FakeRunComfy;
let now: number;

beforeEach(async () => {
  fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 0, stepMs: 0, progressMs: 0 } });
  now = Date.parse('2026-12-01T12:00:00Z');
});
afterEach(async () => {
  await fake.close();
});

const client = (token: string | undefined = TOKEN) =>
  createRunComfyClient({ baseUrl: fake.url, getToken: () => token, retry: { baseDelayMs: 5, maxDelayMs: 10 } });

const reader = (token?: string) => new PriceReader({ client: client(token), now: () => now });

const available = (quote: PriceQuote) => {
  if (!quote.available) throw new Error(`price unavailable: ${quote.reason}`);
  return quote;
};

describe('the price', () => {
  it('is read from GET /v1/models/{model} with the token, as RunComfy states it', async () => {
    const quote = available(await reader().get());
    expect(quote).toEqual({
      available: true,
      modelId: MODEL_ID,
      usdPerUnit: FAKE_PRICE_PER_SECOND,
      unit: 'second',
      note: 'Billed per second of output video.',
      readAt: new Date(now).toISOString(),
    });
    expect(fake.requests.filter((r) => r.endpoint === 'price')).toEqual([
      expect.objectContaining({ method: 'GET', path: '/v1/models/kling/kling-video-o1/image-to-video', authorized: true, status: 200 }),
    ]);
    expect(formatUsd(estimateUsd(quote, 5)!)).toBe('$0.56');
    expect(formatUsd(estimateUsd(quote, 10)!)).toBe('$1.12');
    expect(formatRate(quote)).toBe('$0.112 per second');
  });

  it('is kept for five minutes, then read again; callers at the same moment share one request', async () => {
    const prices = reader();
    await Promise.all([prices.get(), prices.get(), prices.get()]);
    expect(fake.count('price')).toBe(1);
    fake.pricing.model = { ...defaultModelAnswer(), base_price_usd: 0.14 };
    now += PRICE_TTL_MS - 1;
    expect(available(await prices.get()).usdPerUnit).toBe(FAKE_PRICE_PER_SECOND);
    expect(fake.count('price')).toBe(1);
    now += 1;
    expect(available(await prices.get()).usdPerUnit).toBe(0.14);
    expect(fake.count('price')).toBe(2);
  });

  it('is read again at once after forget() (a new token or API address may have another price)', async () => {
    const prices = reader();
    await prices.get();
    prices.forget();
    await prices.get();
    expect(fake.count('price')).toBe(2);
  });

  it.each([
    ['a 503', { respond: 503 }, /RunComfy's API is having trouble \(HTTP 503/],
    ['an HTML page from a proxy', { respond: 502, body: '<html><body>Bad gateway</body></html>' }, /HTTP 502/],
    ['a 404 (no such model)', { respond: 404, body: { detail: 'Model not found' } }, /Model not found|not found/i],
  ])('is unavailable, with the reason, after %s, and asked once (no retries)', async (_what, behaviour, reason) => {
    fake.script('price', behaviour);
    const quote = await reader().get();
    expect(quote).toEqual({ available: false, reason: expect.stringMatching(reason) });
    expect(fake.count('price')).toBe(1);
  });

  it('is unavailable without a token, and nothing is sent', async () => {
    const quote = await reader('').get();
    expect(quote).toEqual({ available: false, reason: expect.stringContaining('No RunComfy API token is set') });
    expect(fake.count('price')).toBe(0);
  });

  it('is unavailable after a dropped connection, and tried again after 30 seconds, not at every call', async () => {
    fake.script('price', { drop: 'on-arrival' });
    const prices = reader();
    expect((await prices.get()).available).toBe(false);
    expect((await prices.get()).available).toBe(false);
    expect(fake.count('price')).toBe(1);
    now += UNAVAILABLE_TTL_MS;
    expect((await prices.get()).available).toBe(true);
    expect(fake.count('price')).toBe(2);
  });

  it.each([
    [
      'the price of another model',
      { ...defaultModelAnswer(), model_id: 'kling/other' },
      'RunComfy answered with the price of another model.',
    ],
    ['no model id', { base_price_usd: 0.1, price_unit: 'second' }, 'RunComfy answered with the price of another model.'],
    ['a price as text', { ...defaultModelAnswer(), base_price_usd: '0.112' }, 'RunComfy did not state a price for this model.'],
    ['a negative price', { ...defaultModelAnswer(), base_price_usd: -1 }, 'RunComfy did not state a price for this model.'],
    ['a boolean price', { ...defaultModelAnswer(), base_price_usd: true }, 'RunComfy did not state a price for this model.'],
    ['no price', { model_id: MODEL_ID, price_unit: 'second' }, 'RunComfy did not state a price for this model.'],
    ['no unit', { ...defaultModelAnswer(), price_unit: undefined }, 'RunComfy did not say what the price is per.'],
    ['a list', [defaultModelAnswer()], 'RunComfy’s answer about the model was not readable.'],
  ])('is unavailable when the answer has %s', async (_what, body, reason) => {
    fake.pricing.model = body;
    expect(await reader().get()).toEqual({ available: false, reason });
  });

  it('estimates per second and per minute, takes a per-video price as is, and gives no estimate for other units', () => {
    const quote = (unit: string, usd = 0.12) =>
      available(parsePrice({ model_id: MODEL_ID, base_price_usd: usd, price_unit: unit }, new Date()));
    expect(estimateUsd(quote('second'), 10)).toBeCloseTo(1.2);
    expect(estimateUsd(quote('Seconds'), 5)).toBeCloseTo(0.6);
    expect(estimateUsd(quote('minute', 6), 10)).toBeCloseTo(1);
    expect(estimateUsd(quote('output', 0.9), 10)).toBe(0.9);
    expect(estimateUsd(quote('megapixel'), 5)).toBeUndefined();
    expect(formatRate(quote('megapixel'))).toBe('$0.12 per megapixel');
    expect(parsePrice({ model_id: MODEL_ID, base_price_usd: 0, price_unit: 'second' }, new Date())).toMatchObject({ usdPerUnit: 0 });
  });

  it('writes amounts the way a person reads them', () => {
    expect(formatUsd(0.56)).toBe('$0.56');
    expect(formatUsd(0.5600000000000001)).toBe('$0.56');
    expect(formatUsd(0.125)).toBe('$0.125');
    expect(formatUsd(12.3)).toBe('$12.30');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.001)).toBe('under $0.01');
  });
});

describe('the cost of a job', () => {
  async function finishedJob(duration: 5 | 10 = 5) {
    const api = client();
    const job = await api.submit({ prompt: 'p', start_image_url: 'https://e.com/a.png', end_image_url: 'https://e.com/b.png', duration });
    return { api, job };
  }

  it('is asked for with include_cost=true and read as dollars when it is a plain number', async () => {
    const { api, job } = await finishedJob(10);
    const result = await api.result(job);
    expect(result).toMatchObject({ state: 'completed', cost: { raw: 1.12, usd: 1.12 } });
    const asked = fake.requests.find((r) => r.endpoint === 'result')!;
    expect(asked.path).toBe(`/v1/requests/${job.requestId}/result`);
  });

  it('is absent when RunComfy reports none (or null), and the video still comes', async () => {
    fake.pricing.cost = 'none';
    const { api, job } = await finishedJob();
    const result = await api.result(job);
    expect(result.state).toBe('completed');
    expect(result).not.toHaveProperty('cost');
    fake.pricing.cost = { value: null };
    expect(await api.result(job)).not.toHaveProperty('cost');
  });

  it.each([
    ['a numeric string', '0.56'],
    ['an object', { amount: 0.56, currency: 'USD' }],
    ['a list', [0.3, 0.26]],
    ['a negative number', -0.56],
    ['a boolean', true],
  ])('in an odd shape (%s) is kept as reported, with no dollar amount, and never fails the result', async (_what, value) => {
    fake.pricing.cost = { value };
    const { api, job } = await finishedJob();
    const result = await api.result(job);
    expect(result).toMatchObject({ state: 'completed', cost: { raw: value } });
    if (result.state === 'completed') expect(result.cost).not.toHaveProperty('usd');
  });

  it('keeps at most 500 characters of a huge odd value', () => {
    const cost = costFrom({ cost: { breakdown: 'x'.repeat(5000) } });
    expect(typeof cost?.raw).toBe('string');
    expect((cost?.raw as string).length).toBe(501);
    expect(cost).not.toHaveProperty('usd');
  });

  it('is looked for only in completed results', async () => {
    await fake.close();
    fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 1, stepMs: Infinity } });
    const { api, job } = await finishedJob();
    expect(await api.result(job)).toMatchObject({ state: 'in_queue' });
    expect(await api.result(job)).not.toHaveProperty('cost');
  });
});
