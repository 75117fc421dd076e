import { createHash } from 'node:crypto';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharp } from '../image-engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Frame, FixKind } from '../../contract/frames';
import { frameServiceForTest } from '../../../test/frame-service';
import * as img from '../../../test/images';
import { inspectFile } from './inspect';
import { validate } from './validate';

let t: Awaited<ReturnType<typeof frameServiceForTest>>;
beforeEach(async () => {
  t = await frameServiceForTest();
});
afterEach(() => t.cleanup());

const b64 = (data: Buffer) => data.toString('base64');
const stagedPath = (frame: Frame) => join(t.dir, 'staging', frame.mediaUrl.replace('/media/staging/', ''));
const hash = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function add(name: string, data: Buffer | Promise<Buffer>): Promise<Frame> {
  return t.service.addBytes({ name, data: b64(await data) });
}

async function error(work: Promise<unknown>): Promise<Error & { code?: string }> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error & { code?: string }) => e,
  );
}

describe('staging a frame', () => {
  it('copies the bytes into staging, hashes them and answers with the verdict', async () => {
    const data = await img.makeImage(1280, 720, 'jpeg');
    const frame = await add('beach.jpg', data);
    expect(frame).toMatchObject({
      name: 'beach.jpg',
      format: 'jpeg',
      width: 1280,
      height: 720,
      bytes: data.length,
      accepted: true,
      fixes: [],
    });
    expect(frame.ratio).toBeCloseTo(1280 / 720);
    expect(frame.mediaUrl).toMatch(/^\/media\/staging\/frames\/[0-9a-f-]{36}\.jpg$/);
    expect(hash(await readFile(stagedPath(frame)))).toBe(hash(data));
    expect(frame.sha256).toBe(hash(data));
  });

  it('reports integrity: ok for a whole image, corrupt for a truncated one, as an event and in get()', async () => {
    const good = await add('good.png', img.makeImage(800, 600, 'png'));
    const half = await add('half.jpg', img.truncated('jpeg'));
    expect(half).toMatchObject({ accepted: true, integrity: 'pending' });
    await t.service.staged(good.id);
    await t.service.staged(half.id);
    expect(t.service.get(good.id).integrity).toBe('ok');
    expect(t.service.get(half.id)).toMatchObject({
      integrity: 'corrupt',
      integrityMessage: expect.stringContaining('damaged or incomplete'),
    });
    const events = t.emitted.filter((e) => e.name === 'frames:integrity').map((e) => e.payload);
    expect(events).toEqual([
      { id: good.id, integrity: 'ok' },
      { id: half.id, integrity: 'corrupt', message: expect.stringContaining('premature end') },
    ]);
  });

  it('catches a truncated PNG and a truncated animated GIF too', async () => {
    const png = await add('half.png', img.truncated('png'));
    const gifData = await img.animated('gif', 400, 400, 6);
    const gif = await add('half.gif', gifData.subarray(0, Math.floor(gifData.length * 0.6)));
    await t.service.staged(png.id);
    await t.service.staged(gif.id);
    expect(t.service.get(png.id).integrity).toBe('corrupt');
    expect(t.service.get(gif.id).integrity).toBe('corrupt');
  });

  it('says which frame of an animation the model sees', async () => {
    const frame = await add('loop.webp', img.animated('webp', 400, 400, 5));
    expect(frame.pages).toBe(5);
    expect(frame.animationNote).toBe('Animated WebP, 5 frames: the model sees the first frame only.');
    expect(frame.fixes.map((f) => f.kind)).toEqual(['first-frame']);
  });

  it('shows TIFF, HEIF and BMP through a PNG preview and keeps the original bytes staged', async () => {
    for (const [name, data] of [
      ['scan.tiff', await img.makeImage(700, 500, 'tiff')],
      ['shot.heif', await img.makeImage(700, 500, 'heif')],
      ['paint.bmp', await img.bmp(700, 500)],
    ] as const) {
      const frame = await add(name, data);
      expect(frame.mediaUrl).toMatch(/\.preview\.png$/);
      expect(await sharp(stagedPath(frame)).metadata()).toMatchObject({ format: 'png', width: 700, height: 500 });
      expect(frame.fixes.map((f) => f.kind)).toContain('convert');
    }
  });

  it('refuses bytes over 40 MB, and bad input, with the reason', async () => {
    expect((await error(t.service.addBytes({ name: 'big.png', data: b64(Buffer.alloc(41 * 1024 * 1024)) }))).message).toContain(
      'This file is 43 MB; Keyframe takes frames up to 40 MB.',
    );
    expect((await error(add('blank.png', Buffer.alloc(0)))).message).toContain('empty');
    expect((await error(add('logo.svg', img.svg()))).message).toContain('SVG');
  });
});

describe('the verdict from the first bytes of a large file', () => {
  it('matches the verdict of the whole file, with the declared size', async () => {
    const data = await img.bigJpeg(10_200_000);
    const head = data.subarray(0, 256 * 1024).toString('base64');
    const verdict = await t.service.inspectHead({ size: data.length, head });
    const whole = await add('big.jpg', data);
    expect(verdict).toEqual({
      format: 'jpeg',
      width: whole.width,
      height: whole.height,
      bytes: data.length,
      ratio: whole.ratio,
      checks: whole.checks,
    });
    expect(verdict?.checks.find((check) => check.rule === 'file_size_mb<')?.pass).toBe(false);
  }, 30_000);

  it('is null when the first bytes are not enough or not an image', async () => {
    const webp = await img.noise(1600, 1200).webp().toBuffer();
    expect(await t.service.inspectHead({ size: webp.length, head: webp.subarray(0, 4096).toString('base64') })).toBeNull();
    expect(await t.service.inspectHead({ size: 120, head: img.svg().toString('base64') })).toBeNull();
  });

  it('refuses file data that is not valid base64', async () => {
    expect(await error(t.service.addBytes({ name: 'x.png', data: 'iVBO$$$$' }))).toMatchObject({ code: 'invalid_argument' });
    expect(await error(t.service.addBytes({ name: 'x.png', data: 'abc' }))).toMatchObject({ code: 'invalid_argument' });
  });
});

describe('picking with the file dialog', () => {
  it('stages a copy of the chosen file and leaves the original as it was', async () => {
    const original = await img.write(t.dir, 'Sommer 写真 🎞.png', img.makeImage(900, 600, 'png'));
    const before = await readFile(original);
    const mtime = (await stat(original)).mtimeMs;
    t.platform.openDialogAnswers.push([original]);
    const frame = await t.service.pick('start');
    expect(frame).toMatchObject({ name: 'Sommer 写真 🎞.png', format: 'png', accepted: true });
    expect(t.platform.calls.at(-1)).toMatchObject({ kind: 'openDialog', title: 'Choose the start frame' });
    expect(stagedPath(frame!)).not.toBe(original);
    const fixed = await t.service.fix({ id: (await add('wide.png', img.makeImage(1300, 500, 'png'))).id, kind: 'crop' });
    expect(fixed.accepted).toBe(true);
    expect(hash(await readFile(original))).toBe(hash(before));
    expect((await stat(original)).mtimeMs).toBe(mtime);
  });

  it('answers null when the dialog is cancelled', async () => {
    expect(await t.service.pick('end')).toBeNull();
  });

  it('says so when the chosen file vanished before it was read', async () => {
    t.platform.openDialogAnswers.push([join(t.dir, 'moved-away.jpg')]);
    expect((await error(t.service.pick('end'))).message).toBe('The file is not there: it may have been moved, renamed or deleted.');
  });
});

describe('each fix writes a new copy that then passes', () => {
  const cases: [string, FixKind, () => Promise<Buffer>, (f: Frame) => void][] = [
    ['too wide (2.61)', 'crop', () => img.makeImage(1044, 400, 'jpeg'), (f) => expect([f.width, f.height]).toEqual([999, 400])],
    ['too tall (0.35)', 'crop', () => img.makeImage(350, 1000, 'png'), (f) => expect(f.width / f.height).toBeGreaterThan(0.4)],
    ['too wide, padded', 'pad', () => img.makeImage(1000, 400, 'webp'), (f) => expect([f.width, f.height]).toEqual([1000, 401])],
    ['exactly 300 × 300', 'upscale', () => img.makeImage(300, 300, 'png'), (f) => expect([f.width, f.height]).toEqual([301, 301])],
    ['a 480 × 270 video still', 'upscale', () => img.makeImage(480, 270, 'jpeg'), (f) => expect([f.width, f.height]).toEqual([535, 301])],
    ['a TIFF', 'convert', () => img.makeImage(800, 600, 'tiff'), (f) => expect(f.format).toBe('png')],
    ['a HEIF (AV1)', 'convert', () => img.makeImage(800, 600, 'heif'), (f) => expect(f.format).toBe('png')],
    ['a BMP', 'convert', () => img.bmp(800, 600), (f) => expect(f.format).toBe('png')],
    ['an animated GIF', 'first-frame', () => img.animated('gif', 400, 400, 3), (f) => expect([f.format, f.pages]).toEqual(['png', 1])],
    ['small, wide TIFF', 'all', () => img.makeImage(900, 200, 'tiff'), (f) => expect(f.format).toBe('png')],
    [
      'a photo stored turned (EXIF 6)',
      'upright',
      () => img.exifJpeg(800, 600, 6),
      (f) => expect([f.width, f.height, f.orientation]).toEqual([600, 800, 1]),
    ],
  ];

  it.each(cases)('%s → %s', async (_name, kind, make, expectShape) => {
    const data = await make();
    const frame = await add('input', data);
    expect(frame.fixes.map((offer) => offer.kind)).toContain(kind);
    const fixed = await t.service.fix({ id: frame.id, kind });
    expect(fixed.id).not.toBe(frame.id);
    expect(fixed.fixedFrom).toEqual({ id: frame.id, kind });
    expect(fixed.checks.filter((check) => !check.pass)).toEqual([]);
    expect(fixed.accepted).toBe(true);
    expectShape(fixed);
    // Independently re-inspect the written file, and check the staged source is untouched.
    expect(validate(await inspectFile((await t.service.staged(fixed.id)).path)).every((check) => check.pass)).toBe(true);
    expect(hash(await readFile((await t.service.staged(frame.id)).path))).toBe(hash(data));
  });

  it('shrinks a 10.5 MB JPEG under 10 MB, keeping JPEG and the full size', async () => {
    const data = await img.bigJpeg(10_500_000);
    const frame = await add('big.jpg', data);
    expect(frame.checks.find((check) => check.rule === 'file_size_mb<')?.pass).toBe(false);
    const fixed = await t.service.fix({ id: frame.id, kind: 'shrink' });
    expect(fixed).toMatchObject({ accepted: true, format: 'jpeg', width: frame.width, height: frame.height });
    expect(fixed.bytes).toBeLessThan(10_000_000);
  }, 60_000);

  it('shrinks an incompressible PNG by switching to JPEG before it scales anything down', async () => {
    const data = await img.noise(2000, 1800).png().toBuffer();
    expect(data.length).toBeGreaterThan(10_000_000);
    const frame = await add('noise.png', data);
    const fixed = await t.service.fix({ id: frame.id, kind: 'shrink' });
    expect(fixed).toMatchObject({ accepted: true, format: 'jpeg', width: 2000, height: 1800 });
  }, 60_000);

  it('offers crop and pad for a bad ratio, upscale for small sides, and "Fix all" when several are needed', async () => {
    const frame = await add('strip.jpg', img.makeImage(900, 200, 'jpeg'));
    expect(frame.fixes.map((offer) => [offer.kind, offer.rules])).toEqual([
      ['all', ['height_pixels>', 'width/height<']],
      ['upscale', ['height_pixels>']],
      ['crop', ['width/height<']],
      ['pad', ['width/height<']],
    ]);
    expect(frame.fixes.find((offer) => offer.kind === 'crop')).toMatchObject({
      label: 'Crop to 2.495',
      region: { left: 200, top: 0, width: 499, height: 200 },
    });
    const fixed = await t.service.fix({ id: frame.id, kind: 'all' });
    expect(fixed).toMatchObject({ accepted: true, format: 'jpeg' });
  });

  it('refuses a fix that does not apply, an unknown frame, and a staged copy that vanished', async () => {
    const frame = await add('fine.jpg', img.makeImage(800, 600, 'jpeg'));
    expect((await error(t.service.fix({ id: frame.id, kind: 'crop' }))).message).toContain('does not apply');
    expect((await error(t.service.fix({ id: 'nope', kind: 'crop' }))).code).toBe('not_found');
    const wide = await add('wide.jpg', img.makeImage(1200, 400, 'jpeg'));
    await rm(stagedPath(wide));
    const gone = await error(t.service.fix({ id: wide.id, kind: 'crop' }));
    expect(gone).toMatchObject({ code: 'not_found', message: expect.stringContaining('Pick the frame again') });
  });
});

describe('the staging folder', () => {
  it('is swept of frames older than a week at start-up', async () => {
    const old = await add('old.jpg', img.makeImage(400, 400, 'jpeg'));
    const fresh = await add('fresh.jpg', img.makeImage(400, 400, 'jpeg'));
    const weekAgo = (Date.now() - 8 * 24 * 3600 * 1000) / 1000;
    await utimes(stagedPath(old), weekAgo, weekAgo);
    await t.service.init();
    await expect(stat(stagedPath(old))).rejects.toThrow();
    expect((await stat(stagedPath(fresh))).isFile()).toBe(true);
    await writeFile(join(t.dir, 'unrelated.txt'), 'x');
  });
});
