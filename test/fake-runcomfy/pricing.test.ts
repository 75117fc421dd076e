/** The fake API's price and cost, in RunComfy's shapes, as raw HTTP sees them. */
import { afterEach, describe, expect, it } from 'vitest';
import { MODEL_ID } from '../../main/contract/model';
import { FAKE_MODEL_PATH, startFakeRunComfy } from './server';
import type { FakeRunComfy } from './server';

const TOKEN = 'fake-pricing-token-1';
const auth = { authorization: `Bearer ${TOKEN}` };

let fake: FakeRunComfy;
afterEach(async () => {
  await fake?.close();
});

async function completedJob(duration: 5 | 10): Promise<string> {
  fake = await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 0, warmup: [], progressMs: 0 } });
  const response = await fetch(fake.url + FAKE_MODEL_PATH, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'p', duration, start_image_url: 'https://x/a.png', end_image_url: 'https://x/b.png' }),
  });
  return String(((await response.json()) as { result_url: string }).result_url);
}

const read = async (url: string) => (await (await fetch(url, { headers: auth })).json()) as Record<string, unknown>;

describe('fake RunComfy: price and cost', () => {
  it('GET on the model path answers its price; POST there still submits', async () => {
    const resultUrl = await completedJob(5);
    const price = await fetch(fake.url + FAKE_MODEL_PATH, { headers: auth });
    expect(price.status).toBe(200);
    expect(await price.json()).toMatchObject({ model_id: MODEL_ID, base_price_usd: 0.112, price_unit: 'second' });
    expect(fake.count('price')).toBe(1);
    expect(fake.count('submit')).toBe(1);
    expect(resultUrl).toContain('/result');
  });

  it('asks for the token before telling the price', async () => {
    fake = await startFakeRunComfy({ tokens: [TOKEN] });
    const price = await fetch(fake.url + FAKE_MODEL_PATH);
    expect(price.status).toBe(401);
  });

  it('reports a cost only when asked with include_cost=true: price × duration by default', async () => {
    const resultUrl = await completedJob(10);
    expect(await read(resultUrl)).not.toHaveProperty('cost');
    expect(await read(`${resultUrl}?include_cost=true`)).toMatchObject({ status: 'completed', cost: 1.12 });
  });

  it('reports no cost, or exactly the scripted value', async () => {
    const resultUrl = await completedJob(5);
    fake.pricing.cost = 'none';
    expect(await read(`${resultUrl}?include_cost=true`)).not.toHaveProperty('cost');
    fake.pricing.cost = { value: { amount: '0.56', currency: 'USD' } };
    expect((await read(`${resultUrl}?include_cost=true`))['cost']).toEqual({ amount: '0.56', currency: 'USD' });
  });

  it('a price read can be scripted to fail like any endpoint', async () => {
    fake = await startFakeRunComfy({ tokens: [TOKEN] });
    fake.script('price', { respond: 500, body: { error_code: 500001, error_message: 'pricing is down' } });
    expect((await fetch(fake.url + FAKE_MODEL_PATH, { headers: auth })).status).toBe(500);
    expect((await fetch(fake.url + FAKE_MODEL_PATH, { headers: auth })).status).toBe(200);
  });
});
