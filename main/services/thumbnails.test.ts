/** Thumbnails made by the real sharp from real image files, in a real cache folder. */
import { mkdtemp, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { sharp } from './image-engine';
import { THUMBNAIL_SIDE, Thumbnails } from './thumbnails';

let base: string;
let thumbnails: Thumbnails;
const image = (name: string, width: number, height: number, background: string, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background } })
    .png()
    .toFile(join(base, name))
    .then(() => join(base, name));

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'kf-thumbs-'));
  thumbnails = new Thumbnails(join(base, 'cache'));
});

describe('thumbnails', () => {
  it('makes a WebP at most THUMBNAIL_SIDE on its longer side, keeping the shape and any transparency', async () => {
    const tall = await thumbnails.of(await image('tall.png', 1000, 3000, '#00000000', 4));
    expect(await sharp(tall).metadata()).toMatchObject({ format: 'webp', width: 213, height: THUMBNAIL_SIDE, hasAlpha: true });
    const small = await thumbnails.of(await image('small.png', 400, 300, '#f80'));
    expect(await sharp(small).metadata()).toMatchObject({ width: 400, height: 300 }); // never enlarged
  });

  it('makes each once: the same file again, or asked twice at once, is the one thumbnail already made', async () => {
    const file = await image('frame.png', 1920, 1080, '#369');
    const [first, atOnce] = await Promise.all([thumbnails.of(file), thumbnails.of(file)]);
    expect(atOnce).toBe(first);
    const made = (await stat(first)).mtimeMs;
    expect(await thumbnails.of(file)).toBe(first);
    expect((await stat(first)).mtimeMs).toBe(made);
    expect(await readdir(join(base, 'cache'))).toEqual([first.split('/').pop()]);
  });

  it('makes a new one when the file changes (a replaced frame never shows its old picture)', async () => {
    const file = await image('frame.png', 1920, 1080, '#369');
    const before = await thumbnails.of(file);
    await sharp({ create: { width: 1080, height: 1920, channels: 3, background: '#c33' } })
      .png()
      .toFile(file);
    const after = await thumbnails.of(file);
    expect(after).not.toBe(before);
    expect(await sharp(after).metadata()).toMatchObject({ width: 360, height: THUMBNAIL_SIDE });
  });

  it('fails on a file that is no image, leaving nothing half-written in the cache', async () => {
    const file = join(base, 'broken.png');
    await writeFile(file, 'not an image');
    await expect(thumbnails.of(file)).rejects.toThrow();
    expect(await readdir(join(base, 'cache'))).toEqual([]);
  });

  it('trims the cache, oldest first, to three quarters of its limit', async () => {
    const made: string[] = [];
    for (const [i, colour] of ['#111', '#222', '#333', '#444'].entries()) {
      made.push(await thumbnails.of(await image(`f${i}.png`, 800, 600, colour)));
      await utimes(made[i], new Date(), new Date(Date.UTC(2026, 0, i + 1)));
    }
    const sizes = await Promise.all(made.map(async (file) => (await stat(file)).size));
    const total = sizes.reduce((a, b) => a + b, 0);
    await thumbnails.trim(total - 1);
    const left = await readdir(join(base, 'cache'));
    expect(left).not.toContain(made[0].split('/').pop());
    expect(left).toContain(made[3].split('/').pop());
    const kept = sizes.filter((_, i) => left.includes(made[i].split('/').pop()!)).reduce((a, b) => a + b, 0);
    expect(kept).toBeLessThanOrEqual((total - 1) * 0.75);
  });
});
