/**
 * A real process exporting a long cut is killed with SIGKILL mid-write: the destination keeps the
 * earlier export byte for byte (no partial file ever lands there), and a re-run completes the cut.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cutTakes, partPath } from '../../main/services/storyboard/cut';
import { openTake } from '../../main/services/storyboard/take-format';
import { ROOT, until } from '../jobs/cli-harness';

const CLIP = join(ROOT, 'test/fixtures/video/clip-5s.mp4');
/** 400 × 122 KB: a 49 MB cut, long enough to be caught mid-write. */
const COUNT = 400;

let dir: string;
let child: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-cut-kill-'));
  // Built once into one file, as the jobs kill tests do: the child starts without compiling.
  child = join(ROOT, 'test-results', `cut-child-${process.pid}`, 'cut-child.mjs');
  await build({
    entryPoints: [join(ROOT, 'test/storyboard/cut-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: child,
    logLevel: 'warning',
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function exportInChild(out: string) {
  const process_ = spawn(process.execPath, [child, out, CLIP, String(COUNT)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    process_.on('close', (code, signal) => done({ code, signal })),
  );
  const fractions = () =>
    stdout.split('\n').flatMap((line) => (line.startsWith('{"fraction"') ? [(JSON.parse(line) as { fraction: number }).fraction] : []));
  return { child: process_, exited, fractions, output: () => stdout + stderr };
}

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function frames(path: string): Promise<number> {
  const file = openTake(path);
  try {
    return (await (await file.getPrimaryVideoTrack())!.computePacketStats()).packetCount;
  } finally {
    file.dispose();
  }
}

it('killed mid-write: the earlier export stays whole, and a re-run writes the full cut', { timeout: 120_000 }, async () => {
  const out = join(dir, 'film.mp4');
  await cutTakes([{ path: CLIP, label: 'Shot 1' }], out);
  const before = await sha(out);

  const run = exportInChild(out);
  // Past the checks and writing: some packets are on disk in the part file, most are still to come.
  await until(
    async () => run.fractions().some((f) => f > 0.05) && (await stat(partPath(out)).catch(() => null))?.size,
    'the export to be writing',
    100_000,
  );
  run.child.kill('SIGKILL');
  const killed = await run.exited;
  expect(killed.signal).toBe('SIGKILL');
  expect(Math.max(...run.fractions())).toBeLessThan(1);
  expect(await sha(out)).toBe(before);

  const again = exportInChild(out);
  expect(await again.exited, again.output()).toEqual({ code: 0, signal: null });
  expect(again.fractions().at(-1)).toBe(1);
  expect(await frames(out)).toBe(COUNT * 120);
  expect(existsSync(partPath(out))).toBe(false);
});
