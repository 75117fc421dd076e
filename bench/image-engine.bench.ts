/**
 * Image engines side by side: the same frame work (header verdict, integrity decode, each fix) on
 * sharp's wasm build (what Linux packages ship) and its native build (macOS, Windows). Each engine
 * runs in its own process, because sharp chooses its build once per process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as img from '../test/images';
import type { Benchmark, Figure } from './figure';
import { jpegNear10MB } from './frames.bench';
import { FIXES, VERDICT_FILES } from './support/image-engine-figures';

const TARGET_MS = 10;

async function makeFiles(dir: string): Promise<void> {
  await img.write(dir, 'big.jpg', jpegNear10MB());
  await img.write(dir, 'huge.png', img.picture(8000, 8000).png({ compressionLevel: 1 }).toBuffer());
  await img.write(dir, 'over.jpg', img.bigJpeg(10_600_000));
  await img.write(dir, 'small.webp', img.makeImage(280, 280, 'webp'));
  await img.write(dir, 'wide.jpg', img.makeImage(3000, 1000, 'jpeg'));
  await img.write(dir, 'scan.tiff', img.makeImage(2000, 1500, 'tiff'));
  await img.write(dir, 'moving.gif', img.animated('gif', 800, 600, 24));
  await img.write(dir, 'turned.jpg', img.exifJpeg(3000, 2000, 6));
}

async function measure(engine: 'wasm' | 'native', dir: string): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'bench/support/image-engine-figures.ts', dir], {
    cwd: resolve(import.meta.dirname, '..'),
    env: { ...process.env, KEYFRAME_IMAGE_ENGINE: engine },
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { engine: string; figures: Record<string, number> };
  if (result.engine !== engine) throw new Error(`asked for the ${engine} engine, ${result.engine} ran`);
  return result.figures;
}

const run: Benchmark = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kf-bench-engine-'));
  try {
    await makeFiles(dir);
    const wasm = await measure('wasm', dir);
    const native = await measure('native', dir);
    const row = (key: string, name: string, target?: boolean): Figure => ({
      name: `wasm: ${name}`,
      value: wasm[key],
      unit: 'ms',
      peer: { name: 'native', value: native[key] },
      ...(target ? { target: `< ${TARGET_MS} ms`, meetsTarget: wasm[key] < TARGET_MS } : {}),
    });
    return [
      ...Object.values(VERDICT_FILES).map((label) =>
        row(`verdict ${label}`, `header verdict (inspect + validate), ${label} (median of 100)`, true),
      ),
      ...Object.values(VERDICT_FILES).map((label) => row(`integrity ${label}`, `integrity decode, ${label} (median of 5)`)),
      ...FIXES.map(([kind, , label]) => row(`fix ${kind} ${label}`, `fix "${kind}", ${label} (median of 3)`)),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
export default run;
