/**
 * Runs `run` once the page has a free moment (the frames in flight painted), or after `timeoutMs`
 * at the latest; returns a function that cancels it.
 */
export function whenIdle(run: () => void, timeoutMs = 200): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(run, { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(run, 0);
  return () => clearTimeout(id);
}

/**
 * A queue of work that waits until the screen has settled: nothing new asked for `quietMs`, then the
 * page's next free moment runs all of it at once. Returns `whenSettled(run)`, which queues `run`
 * and returns a function that takes it back out. One timer serves every caller, however many.
 */
export function settledQueue(quietMs: number): (run: () => void) => () => void {
  const waiting = new Set<() => void>();
  let stopTimer: (() => void) | undefined;
  let stopIdle: (() => void) | undefined;
  const runAll = () => {
    stopIdle = undefined;
    const runs = [...waiting];
    waiting.clear();
    for (const run of runs) run();
  };
  return (run) => {
    const entry = () => run();
    waiting.add(entry);
    stopTimer?.();
    stopIdle?.();
    const timer = setTimeout(() => (stopIdle = whenIdle(runAll)), quietMs);
    stopTimer = () => clearTimeout(timer);
    return () => waiting.delete(entry);
  };
}
