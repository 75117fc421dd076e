import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobDetail, JobSummary, LibraryQueryParsed, Result } from '$contract';
import { runnerIs } from '../test/fake-frames';
import { handoff } from './handoff.svelte';
import { LibraryState, PAGE_SIZE } from './library.svelte';
import { navigation } from './navigation.svelte';
import { toasts } from './toasts.svelte';

/** Job 3 is a take of shot 1 on the board "Harbour". */
const summary = (i: number): JobSummary => ({
  id: `20260101-000000-${String(i).padStart(6, '0')}`,
  createdAt: new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString(),
  status: 'completed',
  prompt: `job ${i}`,
  duration: 5,
  favourite: false,
  downloading: false,
  ...(i === 3 ? { take: { storyboard: { id: BOARD, name: 'Harbour' }, shot: 'shot-1', shotNumber: 1 } } : {}),
});
const BOARD = 'sb-20260101-000000-abcdef';

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });

/** A fake main: `total` jobs, answered page by page; every call recorded. */
function fakeBridge(total: number) {
  const calls: LibraryQueryParsed[] = [];
  const waiting: (() => void)[] = [];
  const library = {
    hold: false,
    list: vi.fn(async (query: LibraryQueryParsed) => {
      calls.push(query);
      if (library.hold) await new Promise<void>((resolve) => waiting.push(resolve));
      const matching = query.text ? Math.floor(total / (10 * query.text.length)) : total;
      const items = Array.from({ length: Math.max(0, Math.min(query.limit, matching - query.offset)) }, (_, i) =>
        summary(query.offset + i),
      );
      return { ok: true, value: { total: matching, offset: query.offset, items } } as Result<unknown>;
    }),
    info: vi.fn(() => ok({ dir: '/lib', defaultDir: '/lib', total, moving: false })),
    setFavourite: vi.fn(() => Promise.resolve({ ok: false, error: { code: 'io', message: 'Disk is full.' } })),
    delete: vi.fn(() => ok(null)),
    get: vi.fn(),
    /** $0.56 for each job matching the query. */
    spend: vi.fn((query: LibraryQueryParsed) => {
      const costed = query.text ? Math.floor(total / (10 * query.text.length)) : total;
      return ok({ usd: costed * 0.56, costed });
    }),
  };
  const boardChanged: ((change: { kind: string; id: string; name?: string }) => void)[] = [];
  const on = {
    libraryChanged: () => () => {},
    libraryMoveProgress: () => () => {},
    storyboardChanged: (listener: (typeof boardChanged)[number]) => (boardChanged.push(listener), () => {}),
  };
  window.keyframe = { library, on } as never;
  return { calls, library, waiting, boardChanged };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
};

describe('the library state', () => {
  let state: LibraryState;
  beforeEach(() => {
    state = new LibraryState();
  });
  afterEach(() => {
    state.dispose();
    vi.useRealTimers();
    vi.restoreAllMocks();
    delete window.keyframe;
  });

  it('loads the first page, then only the pages the grid shows', async () => {
    const main = fakeBridge(10_000);
    await state.enter();
    expect(state.total).toBe(10_000);
    expect(state.item(0)?.prompt).toBe('job 0');
    expect(state.item(PAGE_SIZE)).toBeUndefined();
    state.ensure(5000, 5030);
    await settle();
    expect(state.item(5000)?.prompt).toBe('job 5000');
    expect(main.calls.map((q) => q.offset)).toEqual([0, Math.floor(5000 / PAGE_SIZE) * PAGE_SIZE]);
  });

  it('asks for the spend with each new query (its dates are the period), not with each page scrolled to', async () => {
    const main = fakeBridge(1000);
    await state.enter();
    expect(state.spend).toEqual({ usd: 560, costed: 1000 });
    state.ensure(500, 530);
    await settle();
    expect(main.library.spend).toHaveBeenCalledTimes(1);
    state.setFilters({ date: 'month', cost: 'atLeast', minCost: '0.5' });
    await vi.waitFor(() => expect(main.library.spend).toHaveBeenCalledTimes(2));
    expect(main.library.spend.mock.calls[1][0]).toMatchObject({ from: expect.any(String), minCostUsd: 0.5, offset: 0 });
  });

  it('while the user types, asks main for pages only; the spend of the words typed last follows, and the old one shows as stale until then', async () => {
    const main = fakeBridge(1000);
    await state.enter();
    expect(state.spendCurrent).toBe(true);
    // The clock moves only when told, so a slow machine cannot space the keystrokes out.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const answered = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
      flushSync();
    };
    for (const text of ['f', 'fo', 'fox']) {
      state.setFilters({ text });
      await answered();
      expect(state.shownFor).toBe(state.queryKey());
      vi.advanceTimersByTime(100);
    }
    expect(main.library.list).toHaveBeenCalledTimes(4);
    expect(main.library.spend).toHaveBeenCalledTimes(1);
    expect(state.spend).toEqual({ usd: 560, costed: 1000 });
    expect(state.spendCurrent).toBe(false);
    vi.advanceTimersByTime(50); // 150 ms after "fox"
    await answered();
    expect(main.library.spend).toHaveBeenCalledTimes(2);
    expect(main.library.spend.mock.calls[1][0]).toMatchObject({ text: 'fox' });
    expect(state.spend).toEqual({ usd: 18.48, costed: 33 });
    expect(state.spendCurrent).toBe(true);
  });

  it('a spend main could not work out is not shown at all (never an earlier query’s, faded as if coming)', async () => {
    const main = fakeBridge(1000);
    await state.enter();
    main.library.spend.mockImplementationOnce(
      () => Promise.resolve({ ok: false, error: { code: 'io', message: 'The disk is busy.' } }) as never,
    );
    state.setFilters({ text: 'fox' });
    await vi.waitFor(() => expect(main.library.spend).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(state.spendCurrent).toBe(true));
    expect(state.spend).toBeUndefined();
    expect(state.error).toBe('The disk is busy.');
  });

  it("shows a query's results without waiting for its spend, asked after them, which follows", async () => {
    const main = fakeBridge(1000);
    await state.enter();
    let answer: (result: Result<unknown>) => void = () => {};
    main.library.spend.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)) as never);
    state.setFilters({ text: 'fox' });
    await settle();
    expect(state.shownFor).toBe(state.queryKey());
    expect(state.total).toBe(33);
    await vi.waitFor(() => expect(main.library.spend).toHaveBeenCalledTimes(2));
    expect(main.library.list.mock.invocationCallOrder.at(-1)).toBeLessThan(main.library.spend.mock.invocationCallOrder.at(-1)!);
    expect(state.spend).toEqual({ usd: 560, costed: 1000 });
    answer({ ok: true, value: { usd: 18.48, costed: 33 } });
    await settle();
    expect(state.spend).toEqual({ usd: 18.48, costed: 33 });
  });

  it('keeps a bounded number of pages however far the grid scrolls', async () => {
    fakeBridge(100_000);
    await state.enter();
    for (let first = 0; first < 100_000; first += 2_000) {
      state.ensure(first, first + 40);
      await settle();
    }
    const cached = Array.from({ length: Math.ceil(100_000 / PAGE_SIZE) }, (_, page) => state.item(page * PAGE_SIZE)).filter(Boolean);
    expect(cached.length).toBeLessThanOrEqual(24);
    expect(state.item(98_000)).toBeDefined();
  });

  it('keeps the old results on screen until the new search answers, and drops answers that come too late', async () => {
    const main = fakeBridge(1000);
    await state.enter();
    main.library.hold = true;
    state.setFilters({ text: 'f' });
    state.setFilters({ text: 'fo' });
    await settle();
    expect(state.total).toBe(1000); // still the previous answer on screen
    expect(state.item(0)?.prompt).toBe('job 0');
    const [answerF, answerFo] = main.waiting;
    answerFo(); // "fo" answers first…
    await settle();
    expect(state.total).toBe(50);
    answerF(); // …and the late answer for "f" is dropped
    await settle();
    expect(state.total).toBe(50);
    expect(JSON.parse(state.shownFor).text).toBe('fo');
    expect(state.shownFor).toBe(state.queryKey());
  });

  it('shows a favourite at once, and puts it back with a message when main refuses', async () => {
    fakeBridge(10);
    const shown = vi.spyOn(toasts, 'show');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await state.enter();
    const change = state.toggleFavourite(state.item(0)!);
    expect(state.item(0)?.favourite).toBe(true);
    await change;
    expect(state.item(0)?.favourite).toBe(false);
    expect(shown.mock.calls.at(-1)?.slice(0, 2)).toEqual(['Could not change the favourite: Disk is full.', 'error']);
  });

  it('while another process holds the library, a favourite, a delete, a move or a poster asks main nothing and says why', async () => {
    const main = fakeBridge(10);
    const more = { move: vi.fn(), savePoster: vi.fn() };
    Object.assign(main.library, more);
    (window.keyframe as unknown as { jobs: object }).jobs = {};
    const reason = 'The jobs CLI (pid 42, since 10:00) is sending and following the jobs in this library. Keyframe shows them read-only.';
    await runnerIs({ open: 1, problem: reason, readOnly: true });
    const shown = vi.spyOn(toasts, 'show');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await state.enter();
    const job = { ...state.item(0)!, videoUrl: '/media/video.mp4' };
    await state.toggleFavourite(job);
    expect(await state.remove(job.id)).toBe(false);
    await state.moveLibrary();
    state.requestPoster(job);
    await settle();
    expect(state.item(0)?.favourite).toBe(false);
    for (const call of [main.library.setFavourite, main.library.delete, more.move, more.savePoster]) expect(call).not.toHaveBeenCalled();
    expect(shown.mock.calls.map((call) => call[0])).toEqual([
      `Could not change the favourite: ${reason}`,
      `Could not delete the job: ${reason}`,
      `The library was not moved: ${reason}`,
    ]);
    await runnerIs({ open: 0 });
  });

  it('re-runs a job: the prompt, duration and the exact frame bytes go to Create', async () => {
    fakeBridge(1);
    const start = new Uint8Array([1, 2, 3]);
    const end = new Uint8Array([4, 5, 6, 7]);
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (url) => new Response(String(url).includes('start') ? start : end));
    const job = {
      ...summary(0),
      prompt: 'A red fox',
      duration: 10,
      frames: [
        { role: 'start', url: '/media/library/2026-01/x/start.png', file: 'start.png', bytes: 3, sha256: '' },
        { role: 'end', url: '/media/library/2026-01/x/end.jpg', file: 'end.jpg', bytes: 4, sha256: '' },
      ],
    } as unknown as JobDetail;
    await state.rerun(job, 'exact');
    const sent = handoff.take()!;
    expect(sent).toMatchObject({ prompt: 'A red fox', duration: 10, autoSubmit: true });
    expect(sent.start).toEqual({ name: `${job.id} start.png`, bytes: start });
    expect(sent.end).toEqual({ name: `${job.id} end.jpg`, bytes: end });
    expect(navigation.place).toBe('create');

    await state.rerun(job, 'edit');
    expect(handoff.take()?.autoSubmit).toBe(false);
  });

  it('reads the screen again when a board with a take on it changes (renamed, reordered, deleted), not for other boards', async () => {
    vi.useFakeTimers();
    try {
      const main = fakeBridge(100);
      const stop = state.listen();
      await state.enter();
      const before = main.calls.length;
      for (const listener of main.boardChanged) listener({ kind: 'updated', id: 'sb-20260101-000000-zzzzzz', name: 'Other' });
      await vi.advanceTimersByTimeAsync(500);
      expect(main.calls).toHaveLength(before);
      for (const listener of main.boardChanged) listener({ kind: 'updated', id: BOARD, name: 'Harbour at night' });
      await vi.advanceTimersByTimeAsync(500);
      expect(main.calls).toHaveLength(before + 1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not ask Create to submit while the computer is offline, and says so', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    fakeBridge(1);
    const offline = new LibraryState();
    const stop = offline.listen();
    window.dispatchEvent(new Event('offline'));
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(new Uint8Array([9])));
    const shown = vi.spyOn(toasts, 'show');
    const job = { ...summary(0), frames: [], prompt: 'p' } as unknown as JobDetail;
    await offline.rerun(job, 'exact');
    expect(handoff.take()?.autoSubmit).toBe(false);
    expect(shown.mock.calls.at(-1)?.[0]).toMatch(/^You are offline, so nothing was submitted/);
    stop();
  });
});
