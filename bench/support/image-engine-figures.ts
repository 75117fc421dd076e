/**
 * Child of bench/image-engine.bench.ts: times the frame work on whichever sharp build
 * KEYFRAME_IMAGE_ENGINE chose, over the files the parent made, and prints one JSON object.
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { planFix, renderFix } from '../../main/services/frames/fix';
import type { FixKind } from '../../main/contract/frames';
import { inspectFile } from '../../main/services/frames/inspect';
import { checkIntegrity } from '../../main/services/frames/integrity';
import { validate } from '../../main/services/frames/validate';
import { imageEngine } from '../../main/services/image-engine';
import { median } from '../figure';

export const VERDICT_FILES = { 'big.jpg': '9.9 MB JPEG', 'huge.png': '8000×8000 PNG' } as const;
export const FIXES: [FixKind, string, string][] = [
  ['shrink', 'over.jpg', '10.6 MB noise JPEG'],
  ['upscale', 'small.webp', '280×280 WebP'],
  ['crop', 'wide.jpg', '3000×1000 JPEG'],
  ['pad', 'wide.jpg', '3000×1000 JPEG'],
  ['convert', 'scan.tiff', '2000×1500 TIFF'],
  ['first-frame', 'moving.gif', '24-frame GIF'],
  ['upright', 'turned.jpg', 'EXIF-turned 3000×2000 JPEG'],
];

async function medianOf(runs: number, warm: number, work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < warm; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

async function measure(dir: string): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const [file, label] of Object.entries(VERDICT_FILES)) {
    const path = join(dir, file);
    figures[`verdict ${label}`] = await medianOf(100, 10, async () => validate(await inspectFile(path)));
    const inspection = await inspectFile(path);
    figures[`integrity ${label}`] = await medianOf(5, 1, () => checkIntegrity(path, inspection));
  }
  for (const [kind, file, label] of FIXES) {
    const path = join(dir, file);
    const inspection = await inspectFile(path);
    figures[`fix ${kind} ${label}`] = await medianOf(3, 1, () => renderFix({ path, inspection }, planFix(kind, inspection)));
  }
  return figures;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  process.stdout.write(JSON.stringify({ engine: imageEngine, figures: await measure(process.argv[2]) }) + '\n');
}
