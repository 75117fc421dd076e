import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../test/library/harness';
import type { TestStore } from '../../../test/library/harness';
import { searchWords } from './queries';

/** A small library whose answers can be worked out by hand. Newest first: j[0] is the newest. */
const jobs = [
  { prompt: 'A red fox walks through snow', duration: 5, status: 'completed', favourite: true, at: '2026-05-20T10:00:00Z' },
  { prompt: 'Foxes play in a café at dusk', duration: 10, status: 'failed', favourite: false, at: '2026-05-18T10:00:00Z' },
  { prompt: 'A blue whale under the sea', duration: 5, status: 'running', favourite: false, at: '2026-05-10T10:00:00Z' },
  { prompt: 'Red sunset over the sea, slow dolly in', duration: 10, status: 'completed', favourite: true, at: '2026-04-30T23:30:00Z' },
  {
    prompt: 'a lighthouse in fog "quoted" NEAR(x) -minus * OR',
    duration: 5,
    status: 'cancelled',
    favourite: false,
    at: '2026-04-02T08:00:00Z',
  },
  { prompt: 'Zebra crossing at night', duration: 5, status: 'submitting', favourite: false, at: '2026-03-01T08:00:00Z' },
] as const;

describe('library queries: search, filters, sort and pages', () => {
  let t: TestStore;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await openStore();
    for (const job of jobs) {
      const record = await t.store.createJob({ prompt: job.prompt, duration: job.duration, createdAt: new Date(job.at) });
      if (job.status !== 'submitting') await t.store.recordStatus(record.id, job.status);
      if (job.favourite) await t.store.setFavourite(record.id, true);
      ids.push(record.id);
    }
  });
  afterAll(async () => {
    await t.store.close();
  });

  const found = (query: Parameters<TestStore['store']['list']>[0]) => t.store.list(query).items.map((item) => ids.indexOf(item.id));

  it('lists everything newest first, with the total', () => {
    const page = t.store.list();
    expect(page.total).toBe(6);
    expect(found({})).toEqual([0, 1, 2, 3, 4, 5]);
    expect(page.items[0]).toMatchObject({ prompt: 'A red fox walks through snow', duration: 5, status: 'completed', favourite: true });
    expect(page.items[0].createdAt).toBe('2026-05-20T10:00:00.000Z');
  });

  it('finds prompts by words, each word as a prefix, in any case and without accents', () => {
    expect(found({ text: 'fox' })).toEqual([0, 1]);
    expect(found({ text: 'FOX' })).toEqual([0, 1]);
    expect(found({ text: 'red fo' })).toEqual([0]);
    expect(found({ text: 'cafe' })).toEqual([1]);
    expect(found({ text: 'café' })).toEqual([1]);
    expect(found({ text: 'sea red' })).toEqual([3]);
    expect(found({ text: 'giraffe' })).toEqual([]);
    expect(found({ text: '   ' })).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('treats search syntax the user types as plain words, never as an error', () => {
    for (const text of ['"', 'NEAR(', '*', '-minus', 'OR', 'AND NOT', '(((', "'; DROP TABLE jobs; --", 'tags:f1', '^fox']) {
      expect(() => t.store.list({ text }), text).not.toThrow();
    }
    expect(found({ text: '"quoted"' })).toEqual([4]);
    expect(found({ text: 'minus' })).toEqual([4]);
    expect(found({ text: 'f1' })).toEqual([]); // the filter words of the index are not searchable as prompt text
    expect(t.store.count()).toBe(6);
  });

  it('builds one quoted prefix term per word', () => {
    expect(searchWords('Red  fo"x')).toBe('"Red"* "fo"* "x"*');
    expect(searchWords('!!!')).toBeUndefined();
  });

  it('filters by status group, duration, favourites and date, alone and with words', () => {
    expect(found({ status: 'completed' })).toEqual([0, 3]);
    expect(found({ status: 'active' })).toEqual([2, 5]);
    expect(found({ status: 'failed' })).toEqual([1]);
    expect(found({ status: 'cancelled' })).toEqual([4]);
    expect(found({ duration: 10 })).toEqual([1, 3]);
    expect(found({ favourites: true })).toEqual([0, 3]);
    expect(found({ from: '2026-05-01T00:00:00+02:00' })).toEqual([0, 1, 2, 3]); // 23:30 UTC on the 30th is May 1st at +02:00
    expect(found({ from: '2026-04-01T00:00:00Z', to: '2026-05-11T00:00:00Z' })).toEqual([2, 3, 4]);
    expect(found({ text: 'red', status: 'completed', duration: 10 })).toEqual([3]);
    expect(found({ text: 'fox', status: 'active' })).toEqual([]);
    expect(found({ text: 'sea', favourites: true })).toEqual([3]);
    expect(found({ text: 'a', from: '2026-05-01T00:00:00Z', to: '2026-05-19T00:00:00Z' })).toEqual([1, 2]);
    expect(t.store.list({ text: 'the', status: 'completed' }).total).toBe(1);
  });

  it('follows status and favourite changes in search results', async () => {
    await t.store.setFavourite(ids[2], true);
    expect(found({ text: 'whale', favourites: true })).toEqual([2]);
    await t.store.recordStatus(ids[2], 'completed');
    expect(found({ text: 'whale', status: 'active' })).toEqual([]);
    expect(found({ text: 'whale', status: 'completed' })).toEqual([2]);
    await t.store.setFavourite(ids[2], false);
    expect(found({ text: 'whale', favourites: true })).toEqual([]);
  });

  it('sorts newest, oldest and by prompt, with and without words', () => {
    expect(found({ sort: 'oldest' })).toEqual([5, 4, 3, 2, 1, 0]);
    expect(found({ sort: 'prompt' })).toEqual([2, 4, 0, 1, 3, 5]); // A blue…, a lighthouse…, A red…: case does not count
    expect(found({ text: 'sea', sort: 'oldest' })).toEqual([3, 2]);
    expect(found({ text: 'sea', sort: 'prompt' })).toEqual([2, 3]);
  });

  it('pages through results with a stable total', () => {
    const first = t.store.list({ limit: 4 });
    const second = t.store.list({ limit: 4, offset: 4 });
    expect(first.total).toBe(6);
    expect(second.total).toBe(6);
    expect([...first.items, ...second.items].map((i) => ids.indexOf(i.id))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(t.store.list({ offset: 60 }).items).toEqual([]);
    expect(t.store.list({ text: 'fox', limit: 1, offset: 1 }).items.map((i) => ids.indexOf(i.id))).toEqual([1]);
  });

  it('rejects malformed queries with a message', () => {
    expect(() => t.store.list({ limit: 0 })).toThrow();
    expect(() => t.store.list({ from: 'yesterday' })).toThrow();
    expect(() => t.store.list({ status: 'done' as 'completed' })).toThrow();
  });

  it('sends an excerpt of a long prompt to the grid and the whole prompt to the detail view', async () => {
    const long = `${'word '.repeat(200)}end`;
    const record = await t.store.createJob({ prompt: long, duration: 5, createdAt: new Date('2020-01-01T00:00:00Z') });
    const item = t.store.list({ sort: 'oldest', limit: 1 }).items[0];
    expect(item.id).toBe(record.id);
    expect(item.prompt.length).toBe(240);
    expect(t.store.detail(record.id).prompt).toBe(long);
    await t.store.delete(record.id);
  });
});
