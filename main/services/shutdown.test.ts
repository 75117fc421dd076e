import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeWithin } from './shutdown';

describe('closeWithin (how long quitting waits for the services)', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves as soon as close finishes', async () => {
    expect(await closeWithin(() => Promise.resolve(), 5_000)).toBe('closed');
  });

  it('resolves when close fails, so the app still exits', async () => {
    expect(await closeWithin(() => Promise.reject(new Error('disk gone')), 5_000)).toBe('failed');
  });

  it('gives up on a close that hangs once the grace time has passed, not before', async () => {
    vi.useFakeTimers();
    let outcome: string | undefined;
    void closeWithin(() => new Promise(() => {}), 5_000).then((result) => (outcome = result));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe('timed out');
  });
});
