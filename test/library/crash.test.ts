/**
 * A kill at any moment leaves a consistent library: a real child process writes in a loop and is
 * killed with SIGKILL at random moments; after each kill the library is opened (which finishes
 * interrupted writes) and checked from the index to the files.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inconsistencies, openStore, runAndKill, tempDir } from './harness';

const writer = join(import.meta.dirname, 'crash-writer.ts');

describe('a crash during a write', () => {
  it('leaves a library that opens consistent, kill after kill', async () => {
    const dir = join(await tempDir('kf-crash-'), 'library');
    const delays = [150, 420, 90, 700, 260, 530, 333, 610];
    let writes = 0;
    for (const [round, delay] of delays.entries()) {
      writes += await runAndKill(writer, dir, round + 1, delay);
      const t = await openStore(dir);
      const count = t.store.count();
      await t.store.close();
      const problems = await inconsistencies(dir);
      expect(problems, `after kill ${round + 1} (${count} jobs): ${problems.join('; ')}`).toEqual([]);
    }
    // Every kill landed while the writer was at work (runAndKill waits for its first writes).
    expect(writes).toBeGreaterThan(50);
  }, 120_000);
});
