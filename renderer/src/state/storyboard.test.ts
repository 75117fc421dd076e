import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MakePlan, Result } from '$contract';
import { BOARD_ID, boardOf } from '../test/fake-board';
import { frame, installFakeBridge, runnerIs } from '../test/fake-frames';
import { KeyframePicker } from './keyframe-picker.svelte';
import { planLine, storyboards } from './storyboard.svelte';
import { toasts } from './toasts.svelte';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const ID = BOARD_ID;
const SHOT = 'k00000000>k00000001';

const board = (prompt = '') => boardOf([{ key: SHOT, index: 0, prompt, duration: 5, takes: [], stale: false }]);

const plan = (over: Partial<MakePlan> = {}): MakePlan => ({
  shots: [SHOT],
  jobs: 2,
  seconds: 10,
  estimateUsd: 1.12,
  blockers: [],
  ...over,
});

let api: ReturnType<typeof fakeStoryboard>;
function fakeStoryboard() {
  const fake = {
    get: vi.fn(async () => ok(board())),
    setShot: vi.fn(async (_id: string, _key: string, patch: { prompt?: string }) => ok(board(patch.prompt))),
    putKeyframe: vi.fn(async () => ok(board())),
    plan: vi.fn(async () => ok(plan())),
    make: vi.fn(async () => ok({ sent: ['20261202-010000-aaaaaa'], problems: [] })),
    pick: vi.fn(async () => ok(board())),
    openKeyframe: vi.fn(async () => ok(frame())),
  };
  const bridge = window.keyframe as unknown as Record<string, unknown>;
  Object.assign(bridge, { storyboard: fake });
  return fake;
}

beforeEach(async () => {
  installFakeBridge();
  api = fakeStoryboard();
  await storyboards.open(ID);
});
afterEach(() => {
  storyboards.close();
  vi.useRealTimers();
});

describe('the open storyboard', () => {
  it('keeps a typed prompt while other answers arrive, and saves it once typing pauses', async () => {
    vi.useFakeTimers();
    storyboards.setPrompt(SHOT, 'The sun ri');
    storyboards.setPrompt(SHOT, 'The sun rises');
    await storyboards.pick(SHOT, null); // main answers with the board as saved: no prompt yet
    expect(storyboards.prompt(SHOT)).toBe('The sun rises');
    expect(api.setShot).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(400);
    expect(api.setShot).toHaveBeenCalledTimes(1);
    expect(api.setShot).toHaveBeenCalledWith(ID, SHOT, { prompt: 'The sun rises' });
    expect(storyboards.board?.shots[0].prompt).toBe('The sun rises');
  });

  it('says why "Make" cannot go, and sends nothing', async () => {
    const shown = vi.spyOn(toasts, 'show');
    api.plan.mockResolvedValueOnce(ok(plan({ blockers: ['Shot 1 has no prompt.'] })));
    await storyboards.make('unpicked');
    expect(shown).toHaveBeenCalledWith('Shot 1 has no prompt.', 'error');
    expect(api.make).not.toHaveBeenCalled();
  });

  it('saves a prompt still being typed before making', async () => {
    storyboards.setPrompt(SHOT, 'Waves');
    await storyboards.make(SHOT);
    expect(api.setShot).toHaveBeenCalledWith(ID, SHOT, { prompt: 'Waves' });
    expect(api.setShot.mock.invocationCallOrder[0]).toBeLessThan(api.make.mock.invocationCallOrder[0]);
    expect(api.make).toHaveBeenCalledWith(ID, { shots: [SHOT] });
  });

  it('puts the plan on one line', () => {
    expect(planLine(plan({ jobs: 4, seconds: 20, estimateUsd: 2.24 }))).toBe('4 jobs · 20 s · about $2.24');
    expect(planLine(plan({ jobs: 1, seconds: 5, estimateUsd: undefined }))).toBe('1 job · 5 s · price unavailable');
    expect(planLine(plan({ jobs: 0 }))).toBe('Every shot has a picked take.');
  });
});

describe('opening a board', () => {
  beforeEach(() => storyboards.close());

  it('keeps the list in place while the board is fetched, then shows it whole', async () => {
    let answer!: (value: Result<ReturnType<typeof board>>) => void;
    api.get.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const opening = storyboards.open(ID);
    expect(storyboards.openId).toBe(ID);
    expect(storyboards.showsBoard).toBe(false);
    answer(ok(board('A quiet dawn')));
    await opening;
    expect(storyboards.showsBoard).toBe(true);
    expect(storyboards.board?.shots[0].prompt).toBe('A quiet dawn');
  });

  it('shows the board\'s "Opening…" view when the board is slow to come', async () => {
    vi.useFakeTimers();
    let answer!: (value: Result<ReturnType<typeof board>>) => void;
    api.get.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const opening = storyboards.open(ID);
    await vi.advanceTimersByTimeAsync(200);
    expect(storyboards.showsBoard).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(storyboards.showsBoard).toBe(true);
    expect(storyboards.board).toBeUndefined();
    answer(ok(board()));
    await opening;
    expect(storyboards.board?.id).toBe(ID);
  });

  it('shows why a board could not be opened, in place of the list', async () => {
    api.get.mockImplementationOnce(async () => ({ ok: false, error: { code: 'not_found', message: 'This storyboard is gone.' } }) as never);
    await storyboards.open(ID);
    expect(storyboards.showsBoard).toBe(true);
    expect(storyboards.boardError).toBe('This storyboard is gone.');
  });

  it('goes back to the list when closed while the board is still coming', async () => {
    vi.useFakeTimers();
    let answer!: (value: Result<ReturnType<typeof board>>) => void;
    api.get.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const opening = storyboards.open(ID);
    storyboards.close();
    await vi.advanceTimersByTimeAsync(1000);
    answer(ok(board()));
    await opening;
    expect(storyboards.showsBoard).toBe(false);
    expect(storyboards.board).toBeUndefined();
  });
});

describe('opening a board, with others on the way', () => {
  beforeEach(() => storyboards.close());

  it('a board opened while another was still coming gets its own "Opening…" view in time', async () => {
    vi.useFakeTimers();
    const answers: ((value: Result<ReturnType<typeof board>>) => void)[] = [];
    api.get.mockImplementation(() => new Promise((resolve) => answers.push(resolve)));
    const first = storyboards.open('sb-first' as typeof ID);
    const second = storyboards.open(ID);
    answers[0](ok(board())); // the first one's answer comes, too late to count
    await first;
    await vi.advanceTimersByTimeAsync(300);
    expect(storyboards.openId).toBe(ID);
    expect(storyboards.showsBoard).toBe(true);
    expect(storyboards.board).toBeUndefined();
    answers[1](ok(board('The second')));
    await second;
    expect(storyboards.board?.shots[0].prompt).toBe('The second');
  });

  it('asks once when the same board is opened twice in a row', async () => {
    api.get.mockClear();
    await Promise.all([storyboards.open(ID), storyboards.open(ID)]);
    expect(api.get).toHaveBeenCalledTimes(1);
    expect(storyboards.board?.id).toBe(ID);
  });

  it('brings the shot asked for into view once the board is there, and only a shot the board has', async () => {
    await storyboards.open(ID, SHOT);
    expect(storyboards.shotToShow).toBe(SHOT);
    storyboards.showShot(undefined);
    storyboards.close();
    await storyboards.open(ID, 'k00000005>k00000009');
    expect(storyboards.shotToShow).toBeUndefined();
  });
});

describe('while another process holds the library', () => {
  const READ_ONLY = 'The jobs CLI (pid 7) is sending and following the jobs in this library.';
  beforeEach(() => runnerIs({ open: 0, readOnly: true, problem: READ_ONLY }));
  afterEach(() => runnerIs({ open: 0 }));

  it('opens no keyframe dialog and reads no frame: it says why at once', async () => {
    const shown = vi.spyOn(toasts, 'show');
    const picker = new KeyframePicker();
    picker.begin({ mode: 'insert', at: 1 });
    await picker.fixKeyframe('k00000001' as never, 1);
    expect(picker.open).toBe(false);
    expect(api.openKeyframe).not.toHaveBeenCalled();
    expect(picker.refusedReadOnly()).toBe(true);
    expect(shown).toHaveBeenCalledWith(`The keyframe was not put in the strip: ${READ_ONLY}`, 'error', 6000, undefined);
    shown.mockRestore();
  });
});

describe('a frame dropped on the strip', () => {
  it('goes straight in when it passes the checks', async () => {
    const picker = new KeyframePicker();
    await picker.quick({ mode: 'insert', at: 2 }, (slots) => slots.addBytes('keyframe', 'k.png', new Uint8Array([1])));
    expect(api.putKeyframe).toHaveBeenCalledWith(ID, { frameId: expect.any(String), at: 2, mode: 'insert' });
    expect(picker.open).toBe(false);
  });

  it('opens the dialog with its checks and fixes when it does not, and puts nothing in', async () => {
    const fake = (window.keyframe as unknown as { frames: { addBytes: ReturnType<typeof vi.fn> } }).frames;
    fake.addBytes.mockResolvedValueOnce(ok(frame(1044, 400)));
    const picker = new KeyframePicker();
    await picker.quick({ mode: 'replace', at: 1 }, (slots) => slots.addBytes('keyframe', 'wide.png', new Uint8Array([1])));
    expect(api.putKeyframe).not.toHaveBeenCalled();
    expect(picker.open).toBe(true);
    expect(picker.frame?.fixes[0]?.kind).toBe('crop');
  });

  it('stays in the dialog when main refuses it', async () => {
    api.putKeyframe.mockResolvedValueOnce({
      ok: false,
      error: { code: 'invalid_input', message: 'A storyboard holds at most 30 keyframes.' },
    });
    const picker = new KeyframePicker();
    await picker.quick({ mode: 'insert', at: 30 }, (slots) => slots.addBytes('keyframe', 'k.png', new Uint8Array([1])));
    expect(picker.open).toBe(true);
    expect(picker.frame).toBeDefined();
  });
});
