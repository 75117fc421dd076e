/**
 * The library's speed, on libraries generated for the purpose (test/library/seed.ts):
 *   - main's query time (first page, filters, deep offset, each keystroke of a search) at 10,000 and
 *     100,000 jobs; target < 20 ms at 100,000;
 *   - in Chromium against the carrier, with 10,000 jobs: time from opening the gallery to its first
 *     screen of cards (target < 300 ms), and, while scrolling the whole grid, the DOM size and the
 *     renderer's JS heap.
 * Search as you type in the UI, quiet and busy, is bench/search.bench.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LibraryQuery } from '../main/contract';
import { EventBus } from '../main/services/events';
import { LibraryStore } from '../main/services/library';
import { createLogger } from '../main/services/log';
import { mediaUrlFor } from '../main/services/media';
import { seedLibrary } from '../test/library/seed';
import type { Benchmark, Figure } from './figure';
import { machineLoad, median, percentile } from './figure';
import { openApp, rendererBuilt, timeInPage, TYPED } from './support/gallery-page';

const QUERY_TARGET_MS = 20;
const FIRST_SCREEN_TARGET_MS = 300;

const log = createLogger(() => {});
function time(work: () => unknown, runs: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    work();
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function queryFigures(jobs: number, indexOnly: boolean): Promise<Figure[]> {
  const base = await mkdtemp(join(tmpdir(), 'kf-bench-lib-'));
  const dir = join(base, 'library');
  const figures: Figure[] = [];
  try {
    const seeded = await seedLibrary(dir, { count: jobs, indexOnly, seed: 1 });
    const label = jobs.toLocaleString('en');
    figures.push({
      name: `generate ${label} jobs (${indexOnly ? 'index rows only' : 'folders, job.json, hard-linked media'})`,
      value: seeded.ms,
      unit: 'ms',
    });
    const t0 = performance.now();
    const store = await LibraryStore.open({ dir, log, events: new EventBus(), mediaUrl: mediaUrlFor('/media/'), trash: async () => {} });
    figures.push({
      name: `open the library at ${label} jobs (integrity check, migrations, repair)`,
      value: performance.now() - t0,
      unit: 'ms',
    });

    const target = jobs >= 100_000 ? QUERY_TARGET_MS : undefined;
    const measure = (name: string, queries: LibraryQuery[], runs = 15, ask: (query: LibraryQuery) => unknown = (q) => store.list(q)) => {
      const samples = queries.flatMap((query) => time(() => ask(query), runs));
      const p95 = percentile(samples, 95);
      figures.push({
        name: `${name} at ${label} jobs (p95 of ${samples.length})`,
        value: p95,
        unit: 'ms',
        ...(target ? { target: `< ${target} ms`, meetsTarget: p95 < target } : {}),
        note: `median ${median(samples).toFixed(2)} ms; ${machineLoad()}`,
      });
    };
    measure('first page, newest first', [{}]);
    measure('filters: status, length, favourites, past 30 days', [
      { status: 'completed' },
      { status: 'active' },
      { duration: 10 },
      { favourites: true },
      { from: new Date(Date.now() - 30 * 86_400_000).toISOString() },
    ]);
    measure('a page halfway down (offset)', [{ offset: Math.floor(jobs / 2) }]);
    measure('sort by prompt', [{ sort: 'prompt' }, { sort: 'prompt', offset: Math.floor(jobs / 2) }]);
    const keystrokes = Array.from({ length: TYPED.length }, (_, i) => ({ text: TYPED.slice(0, i + 1) }));
    measure(`search, each keystroke of "${TYPED}"`, keystrokes, 5);
    measure('search + status + length filters', [
      { text: 'a', status: 'completed', duration: 5 },
      { text: 'the', status: 'failed' },
      { text: 'fox', favourites: true },
    ]);
    measure('cost filter: has a cost, at least $1, with words', [{ minCostUsd: 0 }, { minCostUsd: 1 }, { text: 'fox', minCostUsd: 1 }]);
    measure(
      'spend: whole library, past 30 days, a status, words',
      [{}, { from: new Date(Date.now() - 30 * 86_400_000).toISOString() }, { status: 'completed', duration: 10 }, { text: 'fox' }],
      15,
      (query) => store.spend(query),
    );
    await store.close();
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  return figures;
}

async function uiFigures(): Promise<Figure[]> {
  if (!rendererBuilt()) return [{ name: 'gallery in Chromium', value: NaN, unit: 'ms', note: 'run `npm run build` first' }];
  const figures: Figure[] = [];
  const app = await openApp(10_000, false, 2);
  const { page } = app;
  try {
    // Opening the gallery: from the keystroke that opens it to a painted first screen of cards.
    const opens: number[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Control+1');
      await page.getByRole('heading', { name: 'Create', level: 1 }).waitFor();
      opens.push(await timeInPage(page, 'open', 12, null));
    }
    const worstOpen = Math.max(...opens);
    figures.push({
      name: 'gallery first screen, 10,000 jobs (worst of 6 opens)',
      value: worstOpen,
      unit: 'ms',
      target: `< ${FIRST_SCREEN_TARGET_MS} ms`,
      meetsTarget: worstOpen < FIRST_SCREEN_TARGET_MS,
      note: `first open ${opens[0].toFixed(0)} ms, median ${median(opens).toFixed(0)} ms; ${machineLoad()}`,
    });

    // Scroll the whole grid: the DOM stays bounded, the heap stays flat.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024;
    };
    await cdp.send('HeapProfiler.collectGarbage');
    const heapBefore = await heap();
    let maxNodes = 0;
    let maxCards = 0;
    let maxHeap = heapBefore;
    const steps = 80;
    for (let step = 1; step <= steps; step++) {
      const sample = await page.evaluate(
        (fraction) =>
          new Promise<{ nodes: number; cards: number }>((resolve) => {
            const list = document.querySelector<HTMLElement>('[role="list"][aria-label="Jobs"]')!;
            list.scrollTop = (list.scrollHeight - list.clientHeight) * fraction;
            requestAnimationFrame(() =>
              requestAnimationFrame(() =>
                resolve({ nodes: document.getElementsByTagName('*').length, cards: list.querySelectorAll('[role="listitem"]').length }),
              ),
            );
          }),
        step / steps,
      );
      maxNodes = Math.max(maxNodes, sample.nodes);
      maxCards = Math.max(maxCards, sample.cards);
      if (step % 10 === 0) maxHeap = Math.max(maxHeap, await heap());
    }
    await cdp.send('HeapProfiler.collectGarbage');
    const heapAfter = await heap();
    figures.push({
      name: 'DOM elements, most while scrolling all 10,000 jobs',
      value: maxNodes,
      unit: 'nodes',
      note: `at most ${maxCards} cards rendered`,
    });
    figures.push({ name: 'renderer JS heap before scrolling (after GC)', value: heapBefore, unit: 'MB' });
    figures.push({ name: 'renderer JS heap, highest while scrolling', value: maxHeap, unit: 'MB' });
    figures.push({ name: 'renderer JS heap after scrolling to the end (after GC)', value: heapAfter, unit: 'MB' });
  } finally {
    await app.close();
  }
  return figures;
}

const run: Benchmark = async () => [...(await queryFigures(10_000, false)), ...(await queryFigures(100_000, true)), ...(await uiFigures())];

export default run;
