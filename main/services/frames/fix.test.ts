import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharp } from '../image-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as img from '../../../test/images';
import { offerFixes, planFix, renderFix } from './fix';
import { inspectFile } from './inspect';
import { validate } from './validate';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-fix-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function source(name: string, data: Promise<Buffer> | Buffer) {
  const path = await img.write(dir, name, data);
  return { path, inspection: await inspectFile(path) };
}

describe('rendering a fix', () => {
  it('works on the upright image: a sideways-stored, too-wide photo is cropped as the user sees it', async () => {
    // Stored 400 × 1100 with orientation 6: upright it is 1100 × 400 (ratio 2.75).
    const src = await source('sideways.jpg', img.exifJpeg(400, 1100, 6));
    expect(src.inspection).toMatchObject({ width: 1100, height: 400 });
    const out = await renderFix(src, planFix('crop', src.inspection));
    const meta = await sharp(out.data).metadata();
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([999, 400, 1]);
  });

  it('scales down only when no quality fits, and never below the minimum side', async () => {
    const src = await source('noise.jpg', img.noise(1200, 900).jpeg({ quality: 90 }).toBuffer());
    const out = await renderFix(src, planFix('shrink', src.inspection), { maxBytes: 150_000 });
    const meta = await sharp(out.data).metadata();
    expect(out.data.length).toBeLessThan(150_000);
    expect(meta.width).toBeLessThan(1200);
    expect(Math.min(meta.width!, meta.height!)).toBeGreaterThan(300);
    expect(meta.width! / meta.height!).toBeCloseTo(1200 / 900, 2);
  });

  it('says so when even the smallest legal size does not fit', async () => {
    const src = await source('noise2.png', img.noise(800, 600).png().toBuffer());
    await expect(renderFix(src, planFix('shrink', src.inspection), { maxBytes: 2_000 })).rejects.toThrow(
      /could not get this image under 2 KB/,
    );
  });

  it('keeps alpha when a PNG with transparency must change format (WebP, not JPEG)', async () => {
    const src = await source('alpha.png', img.noise(900, 700, 4).png().toBuffer());
    const out = await renderFix(src, planFix('shrink', src.inspection), { maxBytes: 1_500_000 });
    expect(out.format).toBe('webp');
    expect((await sharp(out.data).metadata()).hasAlpha).toBe(true);
  });

  it('offers nothing for a frame that passes', async () => {
    const src = await source('fine.png', img.makeImage(640, 480, 'png'));
    expect(offerFixes(src.inspection, validate(src.inspection))).toEqual([]);
  });
});
