import { describe, expect, it } from 'vitest';
import { PollSchedule, defaultPollPolicy, localPollPolicy } from './poll-schedule';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Runs the schedule for `ms` in 100 ms steps, answering every poll at once; returns polls per job. */
function simulate(schedule: PollSchedule, c: ReturnType<typeof clock>, ms: number) {
  const counts = new Map<string, number>();
  for (let elapsed = 0; elapsed < ms; elapsed += 100) {
    for (const id of schedule.takeDue()) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      schedule.polled(id);
    }
    c.advance(100);
  }
  return counts;
}

describe('PollSchedule', () => {
  it('polls a new job every ~2 s at first, then slows down as it ages', () => {
    const c = clock();
    const s = new PollSchedule(c.now, defaultPollPolicy, () => 0.5);
    s.add('a');
    expect(simulate(s, c, 30_000).get('a')).toBeGreaterThanOrEqual(14);
    const later = simulate(s, c, 600_000).get('a')!;
    expect(later).toBeLessThan(600_000 / 4_000 + 2);
    const old = simulate(s, c, 150_000).get('a')!;
    expect(old).toBe(10); // 15 s interval after 10 minutes
  });

  it('keeps 50 jobs within the global budget and never polls one job twice per interval', () => {
    const c = clock();
    const s = new PollSchedule(c.now, defaultPollPolicy);
    for (let i = 0; i < 50; i++) s.add(`job-${i}`, c.now() - 700_000); // all old: 15 s interval
    const counts = simulate(s, c, 60_000);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(5 + 60 * defaultPollPolicy.budgetPerSecond);
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(Math.ceil(60_000 / (15_000 * 0.8)) + 1);
    expect(counts.size).toBe(50); // nobody starves
  });

  it('spreads polls with jitter instead of firing in lock-step', () => {
    const c = clock();
    const s = new PollSchedule(c.now);
    for (let i = 0; i < 20; i++) s.add(`j${i}`, c.now() - 700_000);
    simulate(s, c, 20_000);
    const perTick: number[] = [];
    for (let t = 0; t < 30_000; t += 100) {
      const due = s.takeDue();
      perTick.push(due.length);
      for (const id of due) s.polled(id);
      c.advance(100);
    }
    expect(Math.max(...perTick)).toBeLessThan(20);
  });

  it('pauses everyone until a Retry-After has passed', () => {
    const c = clock();
    const s = new PollSchedule(c.now);
    s.add('a');
    s.add('b');
    s.pauseUntil(c.now() + 7_000);
    expect(s.takeDue()).toEqual([]);
    expect(s.msUntilNext()).toBe(7_000);
    c.advance(6_999);
    expect(s.takeDue()).toEqual([]);
    c.advance(1);
    expect(s.takeDue().sort()).toEqual(['a', 'b']);
  });

  it('holds everyone without a timer while paused with no end, until unpaused', () => {
    const c = clock();
    const s = new PollSchedule(c.now);
    s.add('a');
    s.pauseUntil(Infinity);
    c.advance(60_000);
    expect(s.takeDue()).toEqual([]);
    expect(s.msUntilNext()).toBeUndefined();
    s.unpause();
    expect(s.msUntilNext()).toBe(0);
    expect(s.takeDue()).toEqual(['a']);
  });

  it('does not hand out a job again while its poll is in flight', () => {
    const c = clock();
    const s = new PollSchedule(c.now);
    s.add('a');
    expect(s.takeDue()).toEqual(['a']);
    c.advance(60_000);
    expect(s.takeDue()).toEqual([]);
    expect(s.msUntilNext()).toBeUndefined();
    s.polled('a');
    expect(s.msUntilNext()).toBeGreaterThan(0);
  });
});

describe('KEYFRAME_POLL_MS', () => {
  it('asks a local API at that interval, and within the budget', () => {
    const policy = localPollPolicy({ KEYFRAME_POLL_MS: '50' }, 'http://127.0.0.1:4010')!;
    const c = clock();
    const s = new PollSchedule(c.now, policy, () => 0.5);
    s.add('a');
    expect(simulate(s, c, 1000).get('a')).toBeGreaterThanOrEqual(9);
  });

  it('never changes how RunComfy itself is asked, and ignores a value that is not a whole number of at least 10 ms', () => {
    expect(localPollPolicy({ KEYFRAME_POLL_MS: '50' }, 'https://model-api.runcomfy.net')).toBeUndefined();
    expect(localPollPolicy({ KEYFRAME_POLL_MS: '50' }, 'http://192.168.1.5:4010')).toBeUndefined();
    for (const value of ['', '0', '5', 'fast', '12.5'])
      expect(localPollPolicy({ KEYFRAME_POLL_MS: value }, 'http://localhost:4010')).toBeUndefined();
    expect(localPollPolicy({}, 'http://localhost:4010')).toBeUndefined();
  });
});
