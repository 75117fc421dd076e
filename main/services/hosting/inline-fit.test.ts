/**
 * Frames over RunComfy's 6 MiB inline cap, with real sharp on real image files: the copy that is
 * sent fits, has the same pixel size, looks the same (PSNR), keeps alpha, and the user's file is
 * untouched; what cannot fit says so and offers the bucket settings.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharp } from '../image-engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noise } from '../../../test/images';
import { INLINE_IMAGE_MAX_BYTES } from '../../contract';
import type { AppError } from '../../contract';
import { DataUriHost } from './data-uri-host';
import type { FrameToHost } from './frame';
import { InlineFitter } from './inline-fit';

const MiB = 1024 * 1024;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-inline-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function frameOf(name: string, bytes: Buffer, mime: string): Promise<FrameToHost> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, name, sha256: sha256(bytes), mime, bytes: bytes.length };
}

/** Peak signal-to-noise ratio of `b` against `a` over their decoded, upright pixels (dB); with alpha, premultiplied. */
async function psnr(a: Buffer, b: Buffer, channels: 3 | 4): Promise<number> {
  const raw = (input: Buffer) => {
    const image = sharp(input, { autoOrient: true });
    return (channels === 4 ? image.ensureAlpha() : image.removeAlpha()).raw().toBuffer();
  };
  const [x, y] = await Promise.all([raw(a), raw(b)]);
  expect(y.length).toBe(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i += channels) {
    const [ax, ay] = channels === 4 ? [x[i + 3] / 255, y[i + 3] / 255] : [1, 1];
    for (let c = 0; c < 3; c++) sum += (x[i + c] * ax - y[i + c] * ay) ** 2;
    if (channels === 4) sum += (x[i + 3] - y[i + 3]) ** 2;
  }
  return 10 * Math.log10(255 ** 2 / (sum / x.length));
}

/** A grey-noise picture (film grain) over a left-to-right alpha gradient: about 1.7 MB at 1000 × 850. */
async function transparentPng(width: number, height: number): Promise<Buffer> {
  const grain = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 50 } },
  })
    .extractChannel(0)
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ramp = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
  const alpha = await sharp(Buffer.from(ramp)).extractChannel(0).raw().toBuffer();
  return sharp(grain.data, { raw: grain.info })
    .joinChannel(alpha, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as AppError,
  );

describe('InlineFitter', () => {
  it('sends a 7 MiB PNG photo as a JPEG under 6 MiB, same pixels size, visually the same; the file is untouched', async () => {
    const png = await noise(1600, 1600).png().toBuffer();
    expect(png.length).toBeGreaterThan(7 * MiB);
    const frame = await frameOf('big.png', png, 'image/png');
    const fitter = new InlineFitter();

    expect(await fitter.plan(frame)).toEqual({ kind: 're-encoded', bytes: expect.any(Number), fromBytes: png.length, format: 'JPEG' });
    const copy = await fitter.copyFor(frame);
    expect(copy.bytes.length).toBeLessThanOrEqual(INLINE_IMAGE_MAX_BYTES);
    expect(copy).toMatchObject({ mime: 'image/jpeg', ext: 'jpg', fromBytes: png.length });
    expect(await sharp(copy.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 1600, height: 1600 });
    expect(await psnr(png, copy.bytes, 3)).toBeGreaterThan(34);
    expect(sha256(await readFile(frame.path))).toBe(frame.sha256);
  });

  // The cap's size does not change how a copy is made: these use a smaller cap and smaller files (faster).
  it('keeps alpha: a transparent PNG over the cap goes as WebP with the same alpha channel', async () => {
    const png = await transparentPng(1000, 850);
    const fitter = new InlineFitter({ maxBytes: MiB });
    expect(png.length).toBeGreaterThan(MiB);
    const copy = await fitter.copyFor(await frameOf('cutout.png', png, 'image/png'));
    expect(copy).toMatchObject({ mime: 'image/webp', ext: 'webp', format: 'WebP' });
    expect(copy.bytes.length).toBeLessThanOrEqual(MiB);
    expect(await sharp(copy.bytes).metadata()).toMatchObject({ format: 'webp', width: 1000, height: 850, hasAlpha: true });
    const alpha = (input: Buffer) => sharp(input).extractChannel(3).raw().toBuffer();
    expect((await alpha(copy.bytes)).equals(await alpha(png))).toBe(true);
    expect(await psnr(png, copy.bytes, 4)).toBeGreaterThan(40);
  });

  it('sends what the user sees: an EXIF-rotated JPEG over the cap goes upright', async () => {
    const jpeg = await noise(1200, 900).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const copy = await new InlineFitter({ maxBytes: jpeg.length - 1 }).copyFor(await frameOf('turned.jpg', jpeg, 'image/jpeg'));
    const meta = await sharp(copy.bytes).metadata();
    expect({ width: meta.width, height: meta.height, orientation: meta.orientation ?? 1 }).toEqual({
      width: 900,
      height: 1200,
      orientation: 1,
    });
  });

  it('leaves a frame under the cap as it is, and encodes a big one once for the preview and the send', async () => {
    const fitter = new InlineFitter({ maxBytes: 2 * MiB });
    const small = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    expect(await fitter.plan(await frameOf('small.png', small, 'image/png'))).toEqual({ kind: 'as-is', bytes: small.length });

    const big = await frameOf('big.png', await noise(900, 900).png().toBuffer(), 'image/png');
    const host = new DataUriHost(fitter);
    const plan = await host.plan(big);
    const hosted = await host.host(big);
    expect(hosted.url.startsWith('data:image/jpeg;base64,')).toBe(true);
    const sent = Buffer.from(hosted.url.slice(hosted.url.indexOf(',') + 1), 'base64');
    expect(sent.equals(hosted.sent!.bytes)).toBe(true);
    expect(plan).toEqual({ kind: 're-encoded', bytes: sent.length, fromBytes: big.bytes, format: 'JPEG' });
    expect(await fitter.copyFor(big)).toBe(hosted.sent);
  });

  it('a frame that cannot fit even re-encoded: says so, offers the bucket settings, sends nothing', async () => {
    const fitter = new InlineFitter({ maxBytes: 100_000 });
    const frame = await frameOf('huge.png', await noise(1000, 1000).png().toBuffer(), 'image/png');
    const plan = await fitter.plan(frame);
    expect(plan).toMatchObject({ kind: 'too-large', fromBytes: frame.bytes });
    const error = await rejection(new DataUriHost(fitter).host(frame));
    expect(error).toMatchObject({ code: 'hosting', details: { problem: 'inline-too-large', action: 'openBucketSettings' } });
    expect(error!.message).toMatch(
      /“huge\.png” \(.* MB\) is too large to send inline: RunComfy takes at most 100 KB per inline image.*Set up a storage bucket/,
    );
    expect(plan.kind === 'too-large' && plan.message).toBe(error!.message);
  });

  it('refuses a big frame whose file changed since it was checked', async () => {
    const frame = await frameOf('big.png', await noise(900, 900).png().toBuffer(), 'image/png');
    await writeFile(frame.path, await noise(900, 900).png().toBuffer());
    const error = await rejection(new InlineFitter({ maxBytes: MiB }).copyFor(frame));
    expect(error).toMatchObject({ code: 'hosting', details: { problem: 'frame-changed' } });
  });
});
