/**
 * Download: the app's downloader vs curl fetching the same 200 MB MP4 from the same loopback
 * server (its own process), in one run; and the peak memory growth of this process meanwhile.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadVideo } from '../main/services/jobs/download';
import type { Benchmark, Figure } from './figure';
import { median } from './figure';

const SIZE = 200 * 1024 * 1024;

async function writeMp4(path: string): Promise<void> {
  const file = await open(path, 'w');
  const box = (type: string, size: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(size, 0);
    b.write(type, 4, 'latin1');
    return b;
  };
  const ftyp = Buffer.concat([box('ftyp', 16), Buffer.from('isom\0\0\0\0', 'latin1')]);
  const moov = box('moov', 8);
  const mdatSize = SIZE - ftyp.length - moov.length;
  await file.write(ftyp);
  await file.write(box('mdat', mdatSize));
  const chunk = Buffer.alloc(4 << 20, 7);
  let left = mdatSize - 8;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    await file.write(chunk, 0, n);
    left -= n;
  }
  await file.write(moov);
  await file.close();
}

const run: Benchmark = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kf-bench-dl-'));
  const source = join(dir, 'source.mp4');
  await writeMp4(source);
  const server = spawn(process.execPath, [join(import.meta.dirname, 'support', 'static-server.mjs'), source], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [portLine] = (await once(server.stdout!, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${String(portLine).trim()}/video.mp4`;

  const app: number[] = [];
  const curl: number[] = [];
  let peakGrowth = 0;
  try {
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      execFileSync('curl', ['-s', '-o', join(dir, 'curl.mp4'), url]);
      curl.push(performance.now() - t0);
      await rm(join(dir, 'curl.mp4'));

      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const t1 = performance.now();
      await downloadVideo(url, join(dir, 'app.mp4'), { allowPlainHttp: true }); // the local server is plain http on loopback
      app.push(performance.now() - t1);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      peakGrowth = Math.max(peakGrowth, peak - baseline);
      await rm(join(dir, 'app.mp4'));
    }
  } finally {
    server.kill();
    await rm(dir, { recursive: true, force: true });
  }
  const mbps = (ms: number) => SIZE / 1024 / 1024 / (ms / 1000);
  const appRate = mbps(median(app));
  const curlRate = mbps(median(curl));
  const figures: Figure[] = [
    {
      name: '200 MB download throughput (median of 3)',
      value: appRate,
      unit: 'MB/s',
      target: '≥ 0.9× curl',
      meetsTarget: appRate >= 0.9 * curlRate,
      peer: { name: 'curl', value: curlRate },
    },
    {
      name: 'peak RSS growth during a 200 MB download',
      value: peakGrowth / 1024 / 1024,
      unit: 'MB',
      target: '≤ 32 MB',
      meetsTarget: peakGrowth <= 32 * 1024 * 1024,
    },
  ];
  return figures;
};

export default run;
