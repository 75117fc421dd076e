/**
 * Frames: how long the instant verdict takes. In main, inspect + validate from the file's header,
 * beside the floor of just reading that header, and how much of it is main-thread time (the rest
 * waits on sharp's thread pool). In the UI, drop to verdict on screen, in Chromium through the
 * carrier (needs `npm run build`).
 */
import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from '@playwright/test';
import { createServices } from '../main/services';
import { createLogger } from '../main/services/log';
import { mediaUrlFor } from '../main/services/media';
import { HEAD_BYTES, inspectFile } from '../main/services/frames/inspect';
import { validate } from '../main/services/frames/validate';
import { RecordingPlatform } from '../test/carrier/platform';
import { MEDIA_PREFIX, startCarrier } from '../test/carrier/server';
import { CHROMIUM_FLAGS } from '../test/e2e/fixtures';
import * as img from '../test/images';
import type { Benchmark, Figure } from './figure';
import { median, percentile } from './figure';

const RUNS = 200;
const TARGET_MS = 10;
const UI_TARGET_MS = 100;

/** A noise JPEG just under the model's limit (9.5–9.99 MB). */
export async function jpegNear10MB(): Promise<Buffer> {
  let side = 2600;
  for (let attempt = 0; attempt < 12; attempt++) {
    const data = await img
      .noise(side, Math.round(side * 0.75))
      .jpeg({ quality: 100 })
      .toBuffer();
    if (data.length >= 9_500_000 && data.length < 9_990_000) return data;
    side = Math.round(side * Math.sqrt(9_800_000 / data.length));
  }
  throw new Error('could not make a 9.9 MB JPEG');
}

async function readHeader(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
  } finally {
    await handle.close();
  }
}

async function time(runs: number, work: () => Promise<unknown>): Promise<{ samples: number[]; mainThreadMs: number }> {
  for (let i = 0; i < 10; i++) await work(); // warm up
  const samples: number[] = [];
  const before = performance.eventLoopUtilization();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    samples.push(performance.now() - t0);
  }
  const used = performance.eventLoopUtilization(before);
  return { samples, mainThreadMs: used.active / runs };
}

async function mainFigures(dir: string): Promise<Figure[]> {
  const files: [string, string][] = [
    ['9.9 MB JPEG', await img.write(dir, 'big.jpg', jpegNear10MB())],
    ['8000×8000 PNG', await img.write(dir, 'huge.png', img.picture(8000, 8000).png({ compressionLevel: 1 }).toBuffer())],
    ['animated GIF (24 frames)', await img.write(dir, 'anim.gif', img.animated('gif', 800, 600, 24))],
    ['AVIF 2000×1500', await img.write(dir, 'photo.avif', img.makeImage(2000, 1500, 'avif'))],
  ];
  const figures: Figure[] = [];
  for (const [label, path] of files) {
    const floor = await time(RUNS, () => readHeader(path));
    const verdict = await time(RUNS, async () => validate(await inspectFile(path)));
    const bytes = (await readFile(path)).length;
    figures.push({
      name: `inspect + validate, ${label} (median of ${RUNS})`,
      value: median(verdict.samples),
      unit: 'ms',
      target: `< ${TARGET_MS} ms`,
      meetsTarget: median(verdict.samples) < TARGET_MS,
      peer: { name: 'header read', value: median(floor.samples) },
      note: `${(bytes / 1e6).toFixed(1)} MB file`,
    });
    figures.push({
      name: `inspect + validate, ${label} (p95)`,
      value: percentile(verdict.samples, 95),
      unit: 'ms',
      target: `< ${TARGET_MS} ms`,
      meetsTarget: percentile(verdict.samples, 95) < TARGET_MS,
      peer: { name: 'header read p95', value: percentile(floor.samples, 95) },
    });
    figures.push({
      name: `main-thread time per verdict, ${label}`,
      value: verdict.mainThreadMs,
      unit: 'ms',
      target: `< ${TARGET_MS} ms`,
      meetsTarget: verdict.mainThreadMs < TARGET_MS,
    });
  }
  return figures;
}

/** Drop a file on the start slot, in the real renderer, and time until its verdict rows render. */
async function uiFigures(dir: string): Promise<Figure[]> {
  const rendererDir = resolve(import.meta.dirname, '../out/renderer');
  const exists = await readFile(join(rendererDir, 'index.html')).then(
    () => true,
    () => false,
  );
  if (!exists) return [{ name: 'drop to verdict in the UI', value: NaN, unit: 'ms', note: 'run `npm run build` first' }];

  const userDataDir = join(dir, 'user-data');
  const services = await createServices({
    userDataDir,
    shell: 'carrier',
    version: 'bench',
    log: createLogger(() => {}),
    platform: new RecordingPlatform(join(userDataDir, 'Trash')),
    mediaUrl: mediaUrlFor(MEDIA_PREFIX),
    env: { RUNCOMFY_TOKEN: 'bench-token', KEYFRAME_API_BASE_URL: 'http://127.0.0.1:9' },
    followJobs: false,
  });
  const carrier = await startCarrier({ services, rendererDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  const figures: Figure[] = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    // tsx names functions with an `__name` helper that does not exist in the page the functions run in.
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    await page.goto(carrier.url);
    await page.getByRole('navigation', { name: 'Places' }).waitFor();
    const cases: [string, Buffer, string][] = [
      ['1280×720 JPEG (300 KB class)', await img.encodeAs(img.noise(1280, 720), 'jpeg', 80), 'image/jpeg'],
      ['9.9 MB JPEG', await jpegNear10MB(), 'image/jpeg'],
    ];
    for (const [label, data, type] of cases) {
      await page.evaluate(
        ({ base64, type }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          (window as unknown as { benchFile: File }).benchFile = new File([bytes], 'bench.jpg', { type });
        },
        { base64: data.toString('base64'), type },
      );
      const samples: number[] = [];
      for (let run = -2; run < 20; run++) {
        const ms = await page.evaluate(async () => {
          const slot = document.querySelector('[data-slot="start"]')!;
          const stage = slot.querySelector('[role="button"][tabindex="0"]')!;
          const verdict = () => slot.querySelector('li[aria-label^="Pass:"], li[aria-label^="Fail:"]');
          const transfer = new DataTransfer();
          transfer.items.add((window as unknown as { benchFile: File }).benchFile);
          const t0 = performance.now();
          stage.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
          return new Promise<number>((done) => {
            const poll = () => (verdict() ? done(performance.now() - t0) : requestAnimationFrame(poll));
            poll();
          });
        });
        if (run >= 0) samples.push(ms); // two warm-up drops first
        // Let the copy and the background decode finish, as they would before a user's next drop.
        await page.locator('[data-slot="start"]').getByText('Meets every limit').waitFor({ timeout: 30_000 });
        await page.getByRole('button', { name: 'Clear start frame' }).click();
        await page.waitForFunction(
          () => !document.querySelector('[data-slot="start"] li[aria-label^="Pass:"], [data-slot="start"] li[aria-label^="Fail:"]'),
        );
        await page.waitForTimeout(150); // a user's pause between drops; lets the last preview finish decoding
      }
      figures.push({
        name: `drop to verdict on screen, ${label} (median of 20)`,
        value: median(samples),
        unit: 'ms',
        target: `< ${UI_TARGET_MS} ms`,
        meetsTarget: median(samples) < UI_TARGET_MS,
        note: 'Chromium + WebSocket carrier (bytes as base64 JSON); Electron IPC would replace the carrier',
      });
      figures.push({
        name: `drop to verdict on screen, ${label} (p95)`,
        value: percentile(samples, 95),
        unit: 'ms',
        target: `< ${UI_TARGET_MS} ms`,
        meetsTarget: percentile(samples, 95) < UI_TARGET_MS,
      });
    }
  } finally {
    await browser.close();
    await carrier.close();
    await services.close();
  }
  return figures;
}

const run: Benchmark = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kf-bench-frames-'));
  try {
    return [...(await mainFigures(dir)), ...(await uiFigures(dir))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export default run;
