import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settledQueue } from './when-idle';

describe('settledQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs nothing while work keeps being asked for, then all of it once things stay put', () => {
    const whenSettled = settledQueue(120);
    const ran: string[] = [];
    whenSettled(() => ran.push('r'));
    vi.advanceTimersByTime(100);
    whenSettled(() => ran.push('re')); // the next keystroke's results: the quiet time starts again
    vi.advanceTimersByTime(100);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(ran).toEqual(['r', 're']);
  });

  it('never runs work taken back (a card replaced before its picture was asked for)', () => {
    const whenSettled = settledQueue(120);
    const ran: string[] = [];
    const takeBack = whenSettled(() => ran.push('gone'));
    whenSettled(() => ran.push('kept'));
    takeBack();
    vi.advanceTimersByTime(500);
    expect(ran).toEqual(['kept']);
  });

  it('runs a piece that has waited its longest, however often new work comes; the rest once things settle', () => {
    const whenSettled = settledQueue(120, 500);
    const ran: string[] = [];
    whenSettled(() => ran.push('first'));
    // Posters arriving one by one, 100 ms apart: each one restarts the quiet time.
    for (let i = 1; i <= 8; i++) {
      vi.advanceTimersByTime(100);
      whenSettled(() => ran.push(`poster ${i}`));
      if (i === 4) expect(ran).toEqual([]);
      if (i === 6) expect(ran).toEqual(['first']);
    }
    expect(ran).toEqual(['first', 'poster 1', 'poster 2']);
    vi.advanceTimersByTime(200);
    expect(ran).toEqual(['first', ...Array.from({ length: 8 }, (_, i) => `poster ${i + 1}`)]);
  });

  it('runs each piece of work once, and keeps serving later work', () => {
    const whenSettled = settledQueue(50);
    const ran: string[] = [];
    whenSettled(() => ran.push('first'));
    vi.advanceTimersByTime(200);
    whenSettled(() => ran.push('second'));
    vi.advanceTimersByTime(200);
    expect(ran).toEqual(['first', 'second']);
  });
});
