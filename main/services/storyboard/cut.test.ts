/**
 * The cut on real MP4s (test/fixtures/video: H.264 with B-frames made by x264, like a model's
 * output, one with AAC sound), counted with mediabunny and checked once more with ffprobe/ffmpeg.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EncodedPacketSink } from 'mediabunny';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cutTakes, partPath, TakesDiffer, TakeUnreadable } from './cut';
import type { CutInput } from './cut';
import { openTake } from './take-format';

const run = promisify(execFile);
const VIDEO = resolve(import.meta.dirname, '../../../test/fixtures/video');
const take = (file: string, label: string): CutInput => ({ path: join(VIDEO, file), label });
const A = take('shot-a.mp4', 'Shot 1');
const B = take('shot-b.mp4', 'Shot 2');

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'kf-cut-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Every packet of a file's track, in decode order: its type, its presentation time and a hash of its bytes. */
async function packetsOf(path: string, kind: 'video' | 'audio') {
  const file = openTake(path);
  try {
    const track = kind === 'video' ? await file.getPrimaryVideoTrack() : await file.getPrimaryAudioTrack();
    const packets: { type: string; timestamp: number; hash: string }[] = [];
    if (!track) return packets;
    for await (const packet of new EncodedPacketSink(track).packets()) {
      packets.push({ type: packet.type, timestamp: packet.timestamp, hash: createHash('sha1').update(packet.data).digest('hex') });
    }
    return packets;
  } finally {
    file.dispose();
  }
}

async function durationOf(path: string): Promise<number> {
  const file = openTake(path);
  try {
    return await file.computeDuration();
  } finally {
    file.dispose();
  }
}

async function ffprobe(path: string) {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_type,nb_read_frames:format=duration',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout) as { streams: { codec_type: string; nb_read_frames: string }[]; format: { duration: string } };
}

/** ffmpeg decodes every frame; any complaint (a broken reference, a bad timestamp) fails the cut. */
async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-xerror', '-i', path, '-f', 'null', '-']);
  return stderr;
}

describe('cutTakes: a lossless remux of matching takes', () => {
  it('writes every packet of every take, in order, with timestamps that continue across the seams', async () => {
    const out = join(dir, 'cut.mp4');
    const inputs = [A, B, { ...A, label: 'Shot 3' }];
    const fractions: number[] = [];
    const result = await cutTakes(inputs, out, { onProgress: (f) => fractions.push(f) });

    const sources = await Promise.all(inputs.map((input) => packetsOf(input.path, 'video')));
    const written = await packetsOf(out, 'video');
    // The same bytes and frame types, in the same decode order: nothing dropped, nothing re-encoded.
    expect(written.map(({ type, hash }) => ({ type, hash }))).toEqual(sources.flat().map(({ type, hash }) => ({ type, hash })));
    expect(written.filter((p) => p.type === 'key')).toHaveLength(sources.flat().filter((p) => p.type === 'key').length);
    expect(result.frames).toBe(72 + 48 + 72);

    // Each take starts where the one before it ends: 0, 3 and 5 seconds, with no gap.
    const starts = [0, 72, 120].map((at) => Math.min(...written.slice(at, at + 10).map((p) => p.timestamp)));
    expect(starts.map((s) => Number(s.toFixed(4)))).toEqual([0, 3, 5]);
    const inputDurations = await Promise.all(inputs.map((input) => durationOf(input.path)));
    expect(result.durationS).toBeCloseTo(
      inputDurations.reduce((a, b) => a + b),
      4,
    );
    expect(await durationOf(out)).toBeCloseTo(8, 4);

    const probe = await ffprobe(out);
    expect(Number(probe.format.duration)).toBeCloseTo(8, 2);
    expect(probe.streams).toEqual([{ codec_type: 'video', nb_read_frames: '192' }]);
    expect(await decodeErrors(out)).toBe('');

    expect(fractions.length).toBeGreaterThan(10);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(existsSync(partPath(out))).toBe(false);
  });

  it('joins takes with sound: both tracks keep every packet and stay in sync at the seam', async () => {
    const out = join(dir, 'with-sound.mp4');
    const sound = take('shot-a-sound.mp4', 'Shot 1');
    const result = await cutTakes([sound, { ...sound, label: 'Shot 2' }], out);

    const video = await packetsOf(sound.path, 'video');
    const audio = await packetsOf(sound.path, 'audio');
    const writtenAudio = await packetsOf(out, 'audio');
    expect(writtenAudio.map((p) => p.hash)).toEqual([...audio, ...audio].map((p) => p.hash));
    expect((await packetsOf(out, 'video')).map((p) => p.hash)).toEqual([...video, ...video].map((p) => p.hash));
    // The second take's sound moves by exactly as much as its picture.
    const videoShift =
      Math.min(...(await packetsOf(out, 'video')).slice(video.length).map((p) => p.timestamp)) - Math.min(...video.map((p) => p.timestamp));
    const audioShift = writtenAudio[audio.length].timestamp - audio[0].timestamp;
    expect(audioShift).toBeCloseTo(videoShift, 3);
    // A take's span runs from its earliest packet: AAC's priming packet (1024 samples at 44.1 kHz)
    // sits before its first frame, so each take lasts 3 s plus that, and nothing overlaps at the seam.
    expect(result.durationS).toBeCloseTo(2 * (3 + 1024 / 44_100), 4);
    expect(await durationOf(out)).toBeCloseTo(result.durationS, 2);

    const probe = await ffprobe(out);
    expect(probe.streams.find((s) => s.codec_type === 'video')?.nb_read_frames).toBe('144');
    expect(await decodeErrors(out)).toBe('');
  });

  it('replaces an earlier export at the destination only once the new one is complete', async () => {
    const out = join(dir, 'cut.mp4');
    await writeFile(out, 'an older export');
    await cutTakes([A, B], out);
    expect((await packetsOf(out, 'video')).length).toBe(120);
  });
});

describe('cutTakes: takes a remux cannot join are refused, and nothing is written', () => {
  it.each([
    ['a different size', 'shot-640x360.mp4', /Shot 2 is 640×360 and Shot 1 is 480×270\./],
    ['a different frame rate', 'shot-30fps.mp4', /Shot 2 runs at 30 fps and Shot 1 at 24 fps\./],
    ['sound where the first has none', 'shot-a-sound.mp4', /Shot 2 has sound and Shot 1 has none\./],
    ['another codec profile', 'clip-5s.mp4', /Shot 2 is avc1\.42c015 video and Shot 1 is avc1\.640015\./i],
  ])('%s', async (_, file, message) => {
    const out = join(dir, 'cut.mp4');
    const refused = await cutTakes([A, take(file, 'Shot 2')], out).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TakesDiffer);
    expect((refused as Error).message).toMatch(/^These takes cannot be joined without re-encoding: /);
    expect((refused as Error).message).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('names every take that differs, each against the first', async () => {
    const refused = (await cutTakes(
      [A, B, take('shot-640x360.mp4', 'Shot 3'), take('shot-30fps.mp4', 'Shot 4')],
      join(dir, 'cut.mp4'),
    ).catch((error: unknown) => error)) as TakesDiffer;
    expect(refused.differences).toEqual([
      expect.stringMatching(/^Shot 3 is avc1\.64001e video/),
      'Shot 3 is 640×360 and Shot 1 is 480×270.',
      // x264 writes the frame rate into the H.264 configuration too.
      'Shot 4 was encoded with other AVC settings than Shot 1.',
      'Shot 4 runs at 30 fps and Shot 1 at 24 fps.',
    ]);
  });

  it('a missing take or a file that is no video is named with its shot', async () => {
    const missing = await cutTakes([A, { path: join(dir, 'gone.mp4'), label: 'Shot 2' }], join(dir, 'cut.mp4')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TakeUnreadable);
    expect((missing as Error).message).toBe(`Shot 2: its video file is missing (${join(dir, 'gone.mp4')}).`);

    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'not a video at all');
    const broken = await cutTakes([{ path: text, label: 'Shot 1' }], join(dir, 'cut.mp4')).catch((e: unknown) => e);
    expect((broken as Error).message).toBe(`Shot 1: its file is not an MP4 video Keyframe can read (${text}).`);
    expect(await readdir(dir)).toEqual(['notes.mp4']);
  });

  it('no takes at all', async () => {
    await expect(cutTakes([], join(dir, 'cut.mp4'))).rejects.toThrow('There are no takes to export');
  });
});

describe('cutTakes: cancel', () => {
  it('stops mid-write, removes its part file and leaves the earlier export untouched', async () => {
    const out = join(dir, 'cut.mp4');
    await writeFile(out, 'the good export from before');
    const controller = new AbortController();
    let writing = false;
    const cancelled = cutTakes(
      Array.from({ length: 6 }, (_, i) => ({ ...A, label: `Shot ${i + 1}` })),
      out,
      {
        signal: controller.signal,
        onProgress: (fraction) => {
          // Cancel once a third is on disk, from inside the write, as a click on Cancel would land.
          if (fraction > 0.33 && !writing) {
            writing = existsSync(partPath(out));
            controller.abort();
          }
        },
      },
    );
    await expect(cancelled).rejects.toThrow(/abort/i);
    expect(writing).toBe(true);
    expect(await readdir(dir)).toEqual(['cut.mp4']);
    expect(await readFile(out, 'utf8')).toBe('the good export from before');
  });
});
