/**
 * Each job's cost in the library: kept in job.json and the index, shown on cards and in the detail,
 * filtered on, added up for a period, and kept when the index is rebuilt from the job folders.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inconsistencies, openStore } from '../../../test/library/harness';
import type { TestStore } from '../../../test/library/harness';
import { DB_FILE, MANIFEST_FILE } from './layout';

const stores: TestStore[] = [];
afterEach(async () => {
  for (const t of stores.splice(0)) await t.store.close();
});

/** Newest first: costs $0.56 (5 s), $1.12 (10 s), an odd cost, none; plus an older $2.24 one. */
async function library(dir?: string) {
  const t = await openStore(dir);
  stores.push(t);
  const make = async (prompt: string, duration: 5 | 10, at: string, cost?: { raw: unknown; usd?: number }) => {
    const job = await t.store.createJob({ prompt, duration, createdAt: new Date(at) });
    await t.store.recordSubmitted(job.id, `req-${prompt}`);
    await t.store.recordStatus(job.id, 'completed');
    if (cost) await t.store.recordCost(job.id, cost);
    return job.id;
  };
  const ids = [
    await make('red fox in snow', 5, '2026-11-30T10:00:00Z', { raw: 0.56, usd: 0.56 }),
    await make('red fox at dusk', 10, '2026-11-29T10:00:00Z', { raw: 1.12, usd: 1.12 }),
    await make('blue whale', 5, '2026-11-28T10:00:00Z', { raw: { amount: '0.56', currency: 'USD' } }),
    await make('green hills', 5, '2026-11-27T10:00:00Z'),
    await make('red balloon', 10, '2026-10-01T10:00:00Z', { raw: 2.24, usd: 2.24 }),
  ];
  return { t, ids };
}

describe('a job’s cost in the library', () => {
  it('is written to job.json and shown on the card and in the detail, the raw value kept as reported', async () => {
    const { t, ids } = await library();
    const manifest = JSON.parse(await readFile(join(t.store.folderOf(ids[0]), MANIFEST_FILE), 'utf8'));
    expect(manifest.cost).toEqual({ raw: 0.56, usd: 0.56 });
    const cards = t.store.list().items;
    expect(cards.map((card) => card.costUsd)).toEqual([0.56, 1.12, undefined, undefined, 2.24]);
    expect(t.store.detail(ids[0]).cost).toEqual({ raw: 0.56, usd: 0.56 });
    expect(t.store.detail(ids[2])).toMatchObject({ cost: { raw: { amount: '0.56', currency: 'USD' } } });
    expect(t.store.detail(ids[2])).not.toHaveProperty('costUsd');
    expect(t.store.detail(ids[3])).not.toHaveProperty('cost');
    expect(await inconsistencies(t.dir)).toEqual([]);
  });

  it('is recorded once: the same report again changes nothing, a different one replaces it', async () => {
    const { t, ids } = await library();
    const before = t.store.require(ids[0]).revision;
    await t.store.recordCost(ids[0], { raw: 0.56, usd: 0.56 });
    expect(t.store.require(ids[0]).revision).toBe(before);
    await t.store.recordCost(ids[0], { raw: 0.6, usd: 0.6 });
    expect(t.store.require(ids[0])).toMatchObject({ revision: before + 1, cost: { usd: 0.6 } });
    expect(t.store.list({ minCostUsd: 0.6 }).items.map((card) => card.id)).toContain(ids[0]);
  });

  it('filters: every job with a cost (0), or costing at least an amount; with words and dates too', async () => {
    const { t, ids } = await library();
    const found = (query: Parameters<TestStore['store']['list']>[0]) => t.store.list(query).items.map((item) => ids.indexOf(item.id));
    expect(found({ minCostUsd: 0 })).toEqual([0, 1, 4]);
    expect(found({ minCostUsd: 1 })).toEqual([1, 4]);
    expect(found({ minCostUsd: 1.12 })).toEqual([1, 4]);
    expect(found({ minCostUsd: 5 })).toEqual([]);
    expect(found({ text: 'red', minCostUsd: 1 })).toEqual([1, 4]);
    expect(t.store.list({ text: 'red', minCostUsd: 1 }).total).toBe(2);
    expect(found({ minCostUsd: 0, from: '2026-11-01T00:00:00Z' })).toEqual([0, 1]);
    expect(found({ minCostUsd: 0, duration: 10, sort: 'oldest' })).toEqual([4, 1]);
  });

  it('adds up the spend of the jobs a query matches: a period, filters, words', async () => {
    const { t } = await library();
    const spend = (query: Parameters<TestStore['store']['spend']>[0]) => {
      const { usd, costed } = t.store.spend(query);
      return { usd: Math.round(usd * 100) / 100, costed };
    };
    expect(spend({})).toEqual({ usd: 3.92, costed: 3 });
    expect(spend({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toEqual({ usd: 1.68, costed: 2 });
    expect(spend({ from: '2026-11-30T00:00:00Z' })).toEqual({ usd: 0.56, costed: 1 });
    expect(spend({ from: '2026-12-01T00:00:00Z' })).toEqual({ usd: 0, costed: 0 });
    expect(spend({ duration: 10 })).toEqual({ usd: 3.36, costed: 2 });
    expect(spend({ text: 'fox' })).toEqual({ usd: 1.68, costed: 2 });
    expect(spend({ text: 'whale' })).toEqual({ usd: 0, costed: 0 });
    expect(spend({ minCostUsd: 1 })).toEqual({ usd: 3.36, costed: 2 });
  });

  it('survives a rebuild of the index from the job folders', async () => {
    const { t, ids } = await library();
    const before = { list: t.store.list(), detail: t.store.detail(ids[2]), spend: t.store.spend({}) };
    await t.store.close();
    stores.length = 0;
    for (const suffix of ['', '-wal', '-shm']) await rm(join(t.dir, DB_FILE + suffix), { force: true });
    const again = await openStore(t.dir);
    stores.push(again);
    expect(again.store.notice?.kind).toBe('rebuilt');
    expect(again.store.list()).toEqual(before.list);
    expect(again.store.detail(ids[2])).toEqual(before.detail);
    expect(again.store.spend({})).toEqual(before.spend);
    expect(again.store.list({ minCostUsd: 1 }).total).toBe(2);
  });
});
