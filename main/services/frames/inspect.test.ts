import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as img from '../../../test/images';
import { FrameInputError, inspectBuffer, inspectFile } from './inspect';
import { validate } from './validate';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-inspect-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function problemOf(work: Promise<unknown>): Promise<{ problem: string; message: string }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FrameInputError);
  return { problem: (error as FrameInputError).problem, message: (error as FrameInputError).message };
}

describe('inspecting real files from their header', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'avif'] as const)('reads a %s file: type, size and bytes, and it passes', async (format) => {
    const path = await img.write(dir, `ok.${format}`, img.makeImage(800, 600, format));
    const inspection = await inspectFile(path);
    expect(inspection).toMatchObject({ format, width: 800, height: 600, orientation: 1, pages: 1 });
    expect(validate(inspection).every((check) => check.pass)).toBe(true);
  });

  it('tells the type by content, not by the file name', async () => {
    const path = await img.write(dir, 'really-a-png.jpg', img.makeImage(640, 480, 'png'));
    expect((await inspectFile(path)).format).toBe('png');
    const named = await img.write(dir, 'photo.png', img.makeImage(640, 480, 'tiff'));
    expect((await inspectFile(named)).format).toBe('tiff');
  });

  it('applies EXIF orientation: a 800 × 600 JPEG stored with orientation 6 is 600 × 800 upright', async () => {
    const path = await img.write(dir, 'rotated.jpg', img.exifJpeg(800, 600, 6));
    expect(await inspectFile(path)).toMatchObject({ width: 600, height: 800, orientation: 6 });
    const mirrored = await img.write(dir, 'mirrored.jpg', img.exifJpeg(800, 600, 2));
    expect(await inspectFile(mirrored)).toMatchObject({ width: 800, height: 600, orientation: 2 });
  });

  it.each(['gif', 'webp'] as const)('counts the frames of an animated %s', async (format) => {
    const path = await img.write(dir, `anim.${format}`, img.animated(format, 400, 320, 4));
    expect(await inspectFile(path)).toMatchObject({ format, width: 400, height: 320, pages: 4 });
  });

  it('reads TIFF, AV1 HEIF and BMP, which are readable but not accepted', async () => {
    for (const [name, data, format] of [
      ['scan.tiff', img.makeImage(700, 500, 'tiff'), 'tiff'],
      ['photo.heif', img.makeImage(700, 500, 'heif'), 'heif'],
      ['paint.bmp', img.bmp(700, 500), 'bmp'],
    ] as const) {
      const inspection = await inspectFile(await img.write(dir, name, data));
      expect(inspection).toMatchObject({ format, width: 700, height: 500 });
      expect(validate(inspection).find((check) => check.rule === 'file_type')?.pass).toBe(false);
    }
  });

  it('measures a file of exactly 10,000,000 bytes as too large, and one byte less as fine', async () => {
    const exact = await inspectFile(await img.write(dir, 'exact.jpg', img.jpegOfExactly(10_000_000)));
    expect(exact.bytes).toBe(10_000_000);
    expect(validate(exact).find((check) => check.rule === 'file_size_mb<')?.pass).toBe(false);
    const under = await inspectFile(await img.write(dir, 'under.jpg', img.jpegOfExactly(9_999_999)));
    expect(validate(under).find((check) => check.rule === 'file_size_mb<')?.pass).toBe(true);
  });

  it('gives the same answer for bytes in memory as for the file', async () => {
    const data = await img.exifJpeg(900, 500, 8);
    expect(await inspectBuffer(data)).toEqual(await inspectFile(await img.write(dir, 'same.jpg', data)));
  });

  it('reads a path with unicode in it', async () => {
    await mkdir(join(dir, 'Ürlaub 写真 🎞'), { recursive: true });
    const path = await img.write(dir, 'Ürlaub 写真 🎞/été № 1.webp', img.makeImage(640, 360, 'webp'));
    expect(await inspectFile(path)).toMatchObject({ format: 'webp', width: 640, height: 360 });
  });
});

describe('bad input gets a clear message, never a crash', () => {
  it('an empty file', async () => {
    const path = await img.write(dir, 'empty.png', Buffer.alloc(0));
    expect(await problemOf(inspectFile(path))).toMatchObject({ problem: 'empty', message: expect.stringContaining('empty (0 bytes)') });
    expect((await problemOf(inspectBuffer(Buffer.alloc(0)))).problem).toBe('empty');
  });

  it('a file that is not an image, whatever its name says', async () => {
    const path = await img.write(dir, 'notes.jpg', Buffer.from('shopping list: milk, eggs\n'));
    expect(await problemOf(inspectFile(path))).toMatchObject({ problem: 'unknown', message: expect.stringContaining('not an image') });
  });

  it('an SVG drawing', async () => {
    const path = await img.write(dir, 'logo.svg', img.svg());
    expect(await problemOf(inspectFile(path))).toMatchObject({ problem: 'svg', message: expect.stringContaining('export it as PNG') });
  });

  it('a web page saved as .png', async () => {
    expect((await problemOf(inspectBuffer(img.html()))).problem).toBe('html');
  });

  it('a HEIC photo (HEVC), which cannot be decoded here', async () => {
    expect(await problemOf(inspectBuffer(await img.heicBrand()))).toMatchObject({
      problem: 'heic',
      message: expect.stringContaining('HEIC'),
    });
  });

  it('a video', async () => {
    const { readFile } = await import('node:fs/promises');
    const clip = await readFile(join(import.meta.dirname, '../../../test/fixtures/video/clip-5s.mp4'));
    expect(await problemOf(inspectBuffer(clip))).toMatchObject({ problem: 'video', message: expect.stringContaining('From video') });
  });

  it('an image past sharp’s pixel limit (crafted 20000 × 20000 header)', async () => {
    const path = await img.write(dir, 'huge.png', img.pngClaiming(20000, 20000));
    expect(await problemOf(inspectFile(path))).toMatchObject({
      problem: 'too-many-pixels',
      message: expect.stringContaining('20000 × 20000 (400 megapixels)'),
    });
  });

  it('a damaged header', async () => {
    const good = await img.makeImage(800, 600, 'png');
    const path = await img.write(dir, 'damaged.png', good.subarray(0, 30));
    expect((await problemOf(inspectFile(path))).problem).toBe('damaged');
  });

  it('a truncated file passes the header (the background decode catches it; see service tests)', async () => {
    const path = await img.write(dir, 'half.jpg', img.truncated('jpeg'));
    expect(await inspectFile(path)).toMatchObject({ format: 'jpeg', width: 1200, height: 800 });
  });

  it('a file that vanished, and a folder', async () => {
    expect(await problemOf(inspectFile(join(dir, 'gone.jpg')))).toMatchObject({
      problem: 'missing',
      message: expect.stringContaining('not there'),
    });
    expect((await problemOf(inspectFile(dir))).problem).toBe('not-a-file');
  });
});
