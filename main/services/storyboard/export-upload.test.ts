/**
 * The bytes of a re-encoded export coming back from the renderer. Node has no WebCodecs, so the
 * renderer's side is played by the same mediabunny `Conversion` into a `StreamTarget` the renderer
 * will use, here without re-encoding (a remux): its chunks and their file positions are real.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Conversion, Mp4OutputFormat, Output, StreamTarget } from 'mediabunny';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partPath } from './cut';
import { ExportUploads, MAX_CHUNK_BYTES } from './export-upload';
import { openTake } from './take-format';

const SHOT_A = resolve(import.meta.dirname, '../../../test/fixtures/video/shot-a.mp4');
let dir: string;
let uploads: ExportUploads;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-upload-'));
  uploads = new ExportUploads();
});
afterEach(async () => {
  await uploads.cancelAll();
  await rm(dir, { recursive: true, force: true });
});

/** What the renderer does: convert a take into an Output whose chunks go to main one by one. */
async function sendFromRenderer(id: string, onChunk?: (count: number) => void): Promise<number> {
  let chunks = 0;
  const writable = new WritableStream<{ data: Uint8Array; position: number }>({
    write: async ({ data, position }) => {
      await uploads.write(id, position, data);
      chunks++;
      onChunk?.(chunks);
    },
  });
  const output = new Output({ format: new Mp4OutputFormat(), target: new StreamTarget(writable, { chunked: true, chunkSize: 64 * 1024 }) });
  const conversion = await Conversion.init({ input: openTake(SHOT_A), output });
  await conversion.execute();
  return chunks;
}

describe('ExportUploads', () => {
  it('puts the chunks at their places in a part file it owns, and renames it over the destination once it reads as a whole video', async () => {
    const out = join(dir, 'film.mp4');
    await writeFile(out, 'the export from before');
    const id = await uploads.begin(out);
    const chunks = await sendFromRenderer(id);
    expect(chunks).toBeGreaterThan(1);
    expect(await readFile(out, 'utf8')).toBe('the export from before');
    expect(existsSync(partPath(out))).toBe(true);

    const done = await uploads.finish(id, 3);
    expect(done).toMatchObject({ path: out, frames: 72 });
    expect(done.durationS).toBeCloseTo(3, 3);
    expect(await readdir(dir)).toEqual(['film.mp4']);
    const file = openTake(out);
    try {
      expect(await file.computeDuration()).toBeCloseTo(3, 3);
    } finally {
      file.dispose();
    }
    const { stderr } = await promisify(execFile)('ffmpeg', ['-v', 'error', '-xerror', '-i', out, '-f', 'null', '-']);
    expect(stderr).toBe('');
    await expect(uploads.write(id, 0, new Uint8Array(1))).rejects.toThrow('This export is no longer open');
  });

  it('refuses a chunk with no place in the file or over the size of one', async () => {
    const id = await uploads.begin(join(dir, 'film.mp4'));
    await expect(uploads.write(id, -1, new Uint8Array(8))).rejects.toThrow('has no valid place');
    await expect(uploads.write(id, 0.5, new Uint8Array(8))).rejects.toThrow('has no valid place');
    await expect(uploads.write(id, 0, new Uint8Array(MAX_CHUNK_BYTES + 1))).rejects.toThrow('is over 4 MB');
    await expect(uploads.write(id, 8 * 1024 ** 3, new Uint8Array(8))).rejects.toThrow('larger than 8 GB');
    await expect(uploads.write('not-an-export', 0, new Uint8Array(8))).rejects.toThrow('no longer open');
  });

  it('a cut that does not last as long as the takes never reaches the destination', async () => {
    const out = join(dir, 'film.mp4');
    const id = await uploads.begin(out);
    await sendFromRenderer(id);
    await expect(uploads.finish(id, 8)).rejects.toThrow('The re-encoded cut lasts 3.00 s where the takes last 8.00 s.');
    expect(await readdir(dir)).toEqual([]);
  });

  it('bytes that are no video are refused at the end, and nothing is left', async () => {
    const out = join(dir, 'film.mp4');
    const id = await uploads.begin(out);
    await uploads.write(id, 0, new TextEncoder().encode('not a video'));
    await expect(uploads.finish(id, 3)).rejects.toThrow(`The re-encoded cut: its file is not an MP4 video Keyframe can read`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('cancel mid-stream removes the part file and refuses the chunks still coming', async () => {
    const out = join(dir, 'film.mp4');
    const id = await uploads.begin(out);
    let cancelled: Promise<void> | undefined;
    const sending = sendFromRenderer(id, (count) => {
      if (count === 2) cancelled = uploads.cancel(id);
    });
    await expect(sending).rejects.toThrow('This export is no longer open');
    await cancelled;
    expect(await readdir(dir)).toEqual([]);
  });
});
