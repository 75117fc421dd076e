/**
 * Thumbnails: what showing the keyframes in view costs the page with whole 4K frames and with their
 * thumbnails (fetched from the carrier's media handler and decoded in Chromium, as the strip does),
 * and what making a thumbnail costs main once, on a frame's first showing.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { sharp, imageEngine } from '../main/services/image-engine';
import { mediaUrlFor, thumbnailOf } from '../main/services/media';
import { MEDIA_PREFIX, startCarrier } from '../test/carrier/server';
import { CHROMIUM_FLAGS } from '../test/e2e/fixtures';
import * as img from '../test/images';
import type { Benchmark, Figure } from './figure';
import { median } from './figure';
import { benchServices, RENDERER_DIR, rendererBuilt } from './support/gallery-page';

const IN_VIEW = 4;
const ROUNDS = 5;
const [WIDTH, HEIGHT] = [3840, 2160];

/** A 4K frame-like PNG: a picture with a little grain, as a render or a photo has. */
async function frame4k(path: string, hue: number): Promise<void> {
  const grain = await img.noise(WIDTH, HEIGHT).extractChannel(0).linear(0.08, 0).toColourspace('b-w').png().toBuffer();
  await img
    .picture(WIDTH, HEIGHT)
    .modulate({ hue })
    .composite([{ input: grain, blend: 'add' }])
    .png()
    .toFile(path);
}

const run: Benchmark = async () => {
  if (!rendererBuilt()) return [{ name: 'thumbnails in Chromium', value: NaN, unit: 'ms', note: 'run `npm run build` first' }];
  const userData = await mkdtemp(join(tmpdir(), 'kf-bench-thumbs-'));
  const services = await benchServices(userData, MEDIA_PREFIX);
  const carrier = await startCarrier({ services, rendererDir: RENDERER_DIR });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  try {
    const staging = services.media.roots().staging;
    await mkdir(staging, { recursive: true });
    const names = Array.from({ length: IN_VIEW }, (_, i) => `frame-${i}.png`);
    for (const [i, name] of names.entries()) await frame4k(join(staging, name), i * 60);
    const frameMB = (await stat(join(staging, names[0]))).size / 1e6;

    const made: number[] = [];
    for (const name of names) {
      const t0 = performance.now();
      await services.media.thumbnail!(join(staging, name));
      made.push(performance.now() - t0);
    }

    const page = await (await browser.newContext()).newPage();
    await page.addInitScript('globalThis.__name = (fn) => fn'); // tsx's name helper, which functions sent to the page would miss
    await page.goto(carrier.url);
    const origin = new URL(carrier.url).origin;
    const whole = names.map((name) => `${origin}${mediaUrlFor(MEDIA_PREFIX)('staging', name)}`);
    const time = async (addresses: (round: number) => string[]) => {
      const samples: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const asked = addresses(round); // a new address each round: nothing decoded before is reused
        samples.push(
          // In the page: fetches and decodes every picture at once, as a strip of cards does.
          await page.evaluate(async (asked) => {
            const t0 = performance.now();
            await Promise.all(
              asked.map((address) => {
                const image = new Image();
                image.src = address;
                return image.decode();
              }),
            );
            return performance.now() - t0;
          }, asked),
        );
      }
      return median(samples);
    };
    const wholeMs = await time((round) => whole.map((address) => `${address}?round=${round}`));
    const thumbMs = await time((round) => whole.map((address) => `${thumbnailOf(address)}&round=${round}`));
    const thumb = await sharp(await services.media.thumbnail!(join(staging, names[0]))).metadata();
    const decodedMB = (w: number, h: number) => ((w * h * 4 * IN_VIEW) / 1e6).toFixed(0);
    const figures: Figure[] = [
      {
        name: `${IN_VIEW} keyframes in view, 4K PNG: thumbnails fetched and decoded in Chromium (median of ${ROUNDS})`,
        value: thumbMs,
        unit: 'ms',
        peer: { name: 'whole frames', value: wholeMs },
        note: `decoded ${decodedMB(thumb.width!, thumb.height!)} MB vs ${decodedMB(WIDTH, HEIGHT)} MB; frames ${frameMB.toFixed(1)} MB each`,
      },
      {
        name: `a 4K PNG frame's thumbnail made by sharp (${imageEngine}), once, on its first showing (median of ${IN_VIEW})`,
        value: median(made),
        unit: 'ms',
        note: `${thumb.width}×${thumb.height} WebP`,
      },
    ];
    return figures;
  } finally {
    await browser.close();
    await carrier.close();
    await services.close();
    await rm(userData, { recursive: true, force: true });
  }
};

export default run;
