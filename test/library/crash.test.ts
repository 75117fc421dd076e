/**
 * A kill at any moment leaves a consistent library: a real child process writes in a loop and is
 * killed with SIGKILL at random moments; after each kill the library is opened (which finishes
 * interrupted writes) and checked from the index to the files.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inconsistencies, openStore, tempDir } from './harness';

const require = createRequire(import.meta.url);
const writer = join(import.meta.dirname, 'crash-writer.ts');

/** Starts the writer, lets it run `ms` after it is ready, kills it; resolves to the writes it reported. */
function runAndKill(dir: string, seed: number, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', require.resolve('tsx'), writer, dir, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (!timer && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer stopped by itself: ${err || out}`));
      else resolve(Number(out.trim().split('\n').at(-1)) || 0);
    });
  });
}

describe('a crash during a write', () => {
  it('leaves a library that opens consistent, kill after kill', async () => {
    const dir = join(await tempDir('kf-crash-'), 'library');
    const delays = [150, 420, 90, 700, 260, 530, 333, 610];
    let writes = 0;
    for (const [round, delay] of delays.entries()) {
      writes += await runAndKill(dir, round + 1, delay);
      const t = await openStore(dir);
      const count = t.store.count();
      await t.store.close();
      const problems = await inconsistencies(dir);
      expect(problems, `after kill ${round + 1} (${count} jobs): ${problems.join('; ')}`).toEqual([]);
    }
    // The kills landed while plenty was being written.
    expect(writes).toBeGreaterThan(50);
  }, 120_000);
});
