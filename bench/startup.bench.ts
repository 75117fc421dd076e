/**
 * Start-up: main's services (Electron's own start excluded: it cannot run here), the built renderer
 * in Chromium from navigation to its first screen, and what a window loads before it can start.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createServices } from '../main/services';
import { createLogger } from '../main/services/log';
import { mediaUrlFor } from '../main/services/media';
import { RecordingPlatform } from '../test/carrier/platform';
import { openApp, rendererBuilt } from './support/gallery-page';
import { seedLibrary } from '../test/library/seed';
import type { Benchmark, Figure } from './figure';
import { machineLoad, median } from './figure';

const run: Benchmark = async () => {
  const figures: Figure[] = [];
  const samples: number[] = [];
  const withLibrary: number[] = [];
  const seeded = await mkdtemp(join(tmpdir(), 'kf-bench-start-10k-'));
  await seedLibrary(join(seeded, 'library'), { count: 10_000, seed: 5 });
  const start = async (dir: string) => {
    const t0 = performance.now();
    const services = await createServices({
      userDataDir: dir,
      shell: 'carrier',
      version: 'bench',
      log: createLogger(() => {}),
      platform: new RecordingPlatform(join(dir, 'Trash')),
      mediaUrl: mediaUrlFor('/media/'),
      env: { RUNCOMFY_TOKEN: 'bench-token', KEYFRAME_API_BASE_URL: 'http://127.0.0.1:9' },
      followJobs: false,
    });
    const ms = performance.now() - t0;
    await services.close();
    return ms;
  };
  for (let i = 0; i < 15; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'kf-bench-start-'));
    samples.push(await start(dir));
    await rm(dir, { recursive: true, force: true });
    withLibrary.push(await start(seeded));
  }
  await rm(seeded, { recursive: true, force: true });
  figures.push({
    name: 'main services ready, 10,000-job library (median of 15; Electron start excluded)',
    value: median(withLibrary),
    unit: 'ms',
  });
  figures.push({ name: 'main services ready (empty library, median of 15)', value: median(samples), unit: 'ms' });

  const out = join(import.meta.dirname, '..', 'out');
  if (!rendererBuilt()) {
    figures.push({ name: 'renderer', value: NaN, unit: 'KB', note: 'run `npm run build` first' });
    return figures;
  }
  figures.push(...(await rendererStart()));
  const html = await readFile(join(out, 'renderer', 'index.html'), 'utf8');
  const names = await readdir(join(out, 'renderer', 'assets'));
  const size = async (files: string[]) => {
    let raw = 0;
    let gz = 0;
    for (const name of files) {
      const bytes = await readFile(join(out, 'renderer', 'assets', name));
      raw += bytes.length;
      gz += gzipSync(bytes).length;
    }
    return { raw: raw / 1024, gz: gz / 1024 };
  };
  const atStart = await size(names.filter((name) => html.includes(`assets/${name}`)));
  const onDemand = names.filter((name) => !html.includes(`assets/${name}`));
  const later = await size(onDemand);
  figures.push({
    name: 'renderer loaded at start (js + css), raw',
    value: atStart.raw,
    unit: 'KB',
    note: `gzipped ${atStart.gz.toFixed(0)} KB`,
  });
  figures.push({
    name: 'renderer loaded on first use (chunks), raw',
    value: later.raw,
    unit: 'KB',
    note: `${onDemand.join(', ')}; gzipped ${later.gz.toFixed(0)} KB`,
  });
  figures.push({ name: 'preload, raw', value: (await stat(join(out, 'preload', 'index.cjs'))).size / 1024, unit: 'KB' });
  return figures;
};

/**
 * The built renderer in a new Chromium page (a new renderer process, as each Electron window), on
 * the carrier: from navigation to DOMContentLoaded (the bundle parsed and run) and to the first
 * screen painted (the app's first calls to main answered; `markFirstScreen` in support/gallery-page.ts).
 */
async function rendererStart(): Promise<Figure[]> {
  const app = await openApp(0, true, 9);
  const ready: number[] = [];
  const parsed: number[] = [];
  try {
    for (let i = 0; i < 12; i++) {
      const page = i === 0 ? app.page : await app.freshPage();
      await page.waitForFunction(() => performance.getEntriesByName('keyframe:first-screen').length > 0);
      const timing = await page.evaluate(() => {
        const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return { parsed: navigation.domContentLoadedEventStart, shown: performance.getEntriesByName('keyframe:first-screen')[0].startTime };
      });
      parsed.push(timing.parsed);
      ready.push(timing.shown);
    }
  } finally {
    await app.close();
  }
  return [
    {
      name: 'renderer start in Chromium: navigation to the first screen painted (p50 of 12 new pages)',
      value: median(ready),
      unit: 'ms',
      note: `${ready.map((ms) => ms.toFixed(0)).join(', ')} ms; to DOMContentLoaded (the bundle parsed and run): p50 ${median(parsed).toFixed(0)} ms; ${machineLoad()}`,
    },
  ];
}

export default run;
