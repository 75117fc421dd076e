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

/** Resolves once the browser has painted the current state (at once where there is no painting, as in tests). */
export function afterPaint(): Promise<void> {
  if (typeof requestAnimationFrame !== 'function' || document.hidden) return Promise.resolve();
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * A queue of work that waits until the screen has settled: nothing new asked for `quietMs`, then the
 * page's next free moment runs it. A piece that has itself waited `longestMs` runs then anyway (a
 * card that has kept its job while others around it change, or pictures waiting behind posters
 * arriving one by one). Returns `whenSettled(run)`, which queues `run` and returns a function that
 * takes it back out. One timer serves every caller, however many.
 */
export function settledQueue(quietMs: number, longestMs = 1000): (run: () => void) => () => void {
  /** Each piece of work, and when it was queued. */
  const waiting = new Map<() => void, number>();
  let lastAsked = 0;
  let stop = () => {};
  const schedule = () => {
    stop();
    if (!waiting.size) return;
    const at = Math.min(lastAsked + quietMs, Math.min(...waiting.values()) + longestMs);
    let stopIdle = () => {};
    const timer = setTimeout(() => (stopIdle = whenIdle(runDue)), Math.max(0, at - Date.now()));
    stop = () => {
      clearTimeout(timer);
      stopIdle();
    };
  };
  const runDue = () => {
    const now = Date.now();
    const settled = now - lastAsked >= quietMs;
    const due = [...waiting].filter(([, queuedAt]) => settled || now - queuedAt >= longestMs).map(([run]) => run);
    for (const run of due) waiting.delete(run);
    schedule();
    for (const run of due) run();
  };
  return (run) => {
    const entry = () => run();
    lastAsked = Date.now();
    waiting.set(entry, lastAsked);
    schedule();
    return () => void waiting.delete(entry);
  };
}
