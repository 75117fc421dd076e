/**
 * Storyboard export: joining 30 takes into one MP4 by remux (main/services/storyboard/cut.ts),
 * against the floor of just reading the same bytes from disk, in one run. The take is a 5 s 720p
 * H.264 clip with B-frames at about the bit rate of the model's output, made with ffmpeg here.
 */
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTakes, cutTakes } from '../main/services/storyboard/cut';
import { synthClip } from '../test/storyboard/synth-clip';
import type { Benchmark, Figure } from './figure';
import { median } from './figure';

const TAKES = 30;
const ROUNDS = 3;

function makeTake(path: string): void {
  // Noise over a moving pattern keeps x264 near 6 Mbit/s, as a model's clip is.
  synthClip(path, 'testsrc2=size=1280x720:rate=24:duration=5,noise=alls=12:allf=t', ['-b:v', '6M', '-bf', '2']);
}

async function copyInto(path: string, sources: string[]): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const source of sources) await file.write(await readFile(source));
    await file.sync();
  } finally {
    await file.close();
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

const run: Benchmark = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kf-bench-export-'));
  try {
    const take = join(dir, 'take.mp4');
    makeTake(take);
    const inputs = Array.from({ length: TAKES }, (_, i) => ({ path: take, label: `Shot ${i + 1}` }));
    const bytes = (await stat(take)).size * TAKES;
    const out = join(dir, 'cut.mp4');

    const cut: number[] = [];
    const read: number[] = [];
    const copy: number[] = [];
    const check: number[] = [];
    await cutTakes(inputs, out); // warm up (and the page cache, for both)
    for (let round = 0; round < ROUNDS; round++) {
      read.push(await timed(() => Promise.all(inputs.map((input) => readFile(input.path)))));
      copy.push(
        await timed(() =>
          copyInto(
            join(dir, 'copy.bin'),
            inputs.map((input) => input.path),
          ),
        ),
      );
      check.push(await timed(() => checkTakes(inputs)));
      cut.push(await timed(() => cutTakes(inputs, out)));
    }
    const mbps = (ms: number) => bytes / 1024 / 1024 / (ms / 1000);
    const figures: Figure[] = [
      {
        name: `remux ${TAKES} × 5 s 720p takes (${(bytes / 1024 / 1024).toFixed(0)} MB) into one MP4, median of ${ROUNDS}`,
        value: mbps(median(cut)),
        unit: 'MB/s',
        peer: { name: 'fs read of the same bytes', value: mbps(median(read)) },
        note: 'includes checking every take (codec, size, frame rate) and the rename',
      },
      {
        name: `copy the same bytes into one file and fsync it (no MP4 work), median of ${ROUNDS}`,
        value: mbps(median(copy)),
        unit: 'MB/s',
        note: 'the floor for any export that writes a new file',
      },
      { name: `check that ${TAKES} takes can be joined (read every index)`, value: median(check), unit: 'ms' },
    ];
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export default run;
