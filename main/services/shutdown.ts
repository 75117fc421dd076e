/** Quitting waits for the services to close (the library's last writes), but never forever. */

export const QUIT_GRACE_MS = 5_000;

/** Runs `close` and resolves when it settles or `ms` pass, whichever is first, saying which. */
export async function closeWithin(close: () => Promise<void>, ms: number): Promise<'closed' | 'failed' | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  try {
    return await Promise.race([
      close().then(
        () => 'closed' as const,
        () => 'failed' as const,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
