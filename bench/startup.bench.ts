/** Start-up of main's services (Electron's own start excluded: it cannot run here) and the renderer bundle size. */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createServices } from '../main/services';
import { createLogger } from '../main/services/log';
import { mediaUrlFor } from '../main/services/media';
import { RecordingPlatform } from '../test/carrier/platform';
import { seedLibrary } from '../test/library/seed';
import type { Benchmark, Figure } from './figure';
import { median } from './figure';

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

  const assets = join(import.meta.dirname, '..', 'out', 'renderer', 'assets');
  const names = await readdir(assets).catch(() => [] as string[]);
  if (names.length === 0) {
    figures.push({ name: 'renderer bundle', value: NaN, unit: 'KB', note: 'run `npm run build` first' });
    return figures;
  }
  let raw = 0;
  let gz = 0;
  for (const name of names) {
    raw += (await stat(join(assets, name))).size;
    gz += gzipSync(await readFile(join(assets, name))).length;
  }
  figures.push({ name: 'renderer bundle, raw (js + css)', value: raw / 1024, unit: 'KB' });
  figures.push({ name: 'renderer bundle, gzipped', value: gz / 1024, unit: 'KB' });
  return figures;
};

export default run;
