/**
 * Real image files for tests and benchmarks, made with sharp (and by hand for the formats sharp
 * cannot write: BMP, a crafted HEIC brand, a PNG header claiming too many pixels). Nothing here is
 * committed; each test writes what it needs into a temporary folder.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { sharp } from '../main/services/image-engine';
import type { Sharp } from 'sharp';

export type Encodable = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff' | 'heif';

/** A simple picture (gradient-ish blocks) so encoders behave as with real content. */
export function picture(width: number, height: number): Sharp {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#3b5bdb"/><stop offset="1" stop-color="#f08c00"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 4}" fill="#fff"/></svg>`;
  return sharp(Buffer.from(svg));
}

/** Gaussian noise: incompressible, for files of a wanted size. */
export function noise(width: number, height: number, channels: 3 | 4 = 3): Sharp {
  return sharp({ create: { width, height, channels, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } });
}

export function encodeAs(image: Sharp, format: Encodable, quality = 90): Promise<Buffer> {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality }).toBuffer();
    case 'png':
      return image.png().toBuffer();
    case 'webp':
      return image.webp({ quality }).toBuffer();
    case 'gif':
      return image.gif().toBuffer();
    case 'avif':
      return image.avif({ quality: 50, effort: 0 }).toBuffer();
    case 'tiff':
      return image.tiff().toBuffer();
    case 'heif':
      return heifNotAvif(image);
  }
}

export const makeImage = (width: number, height: number, format: Encodable) => encodeAs(picture(width, height), format);

/** A JPEG whose stored pixels are `width × height` and whose EXIF orientation is `orientation` (6 = turn 90° clockwise). */
export function exifJpeg(width: number, height: number, orientation: number): Promise<Buffer> {
  return picture(width, height).jpeg().withMetadata({ orientation }).toBuffer();
}

export async function animated(format: 'gif' | 'webp', width: number, height: number, frames = 3): Promise<Buffer> {
  const colours = ['#e03131', '#2f9e44', '#1971c2', '#f08c00'];
  const pages = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({ create: { width, height, channels: 3, background: colours[i % colours.length] } })
        .png()
        .toBuffer(),
    ),
  );
  const joined = sharp(pages, { join: { animated: true } });
  return format === 'gif'
    ? joined.gif({ delay: pages.map(() => 100) }).toBuffer()
    : joined.webp({ delay: pages.map(() => 100) }).toBuffer();
}

/** An AV1-coded HEIF whose brands do not say AVIF (a "HEIF without HEVC"): readable, but not an accepted type. */
async function heifNotAvif(image: Sharp): Promise<Buffer> {
  const data = Buffer.from(await image.heif({ compression: 'av1', quality: 60, effort: 0 }).toBuffer());
  const ftypSize = data.readUInt32BE(0);
  for (let at = 8; at + 4 <= ftypSize; at += 4) if (data.toString('latin1', at, at + 4) === 'avif') data.write('mif1', at, 'latin1');
  return data;
}

/** The first bytes of an iPhone HEIC (ftyp brand `heic`); enough for the type to be told from content. */
export async function heicBrand(): Promise<Buffer> {
  const data = Buffer.from(await picture(400, 400).heif({ compression: 'av1', quality: 50, effort: 0 }).toBuffer());
  const ftypSize = data.readUInt32BE(0);
  data.write('heic', 8, 'latin1');
  for (let at = 16; at + 4 <= ftypSize; at += 4) if (data.toString('latin1', at, at + 4) === 'avif') data.write('heic', at, 'latin1');
  return data;
}

/** A plain 24-bit bottom-up BMP (sharp cannot write BMP). */
export async function bmp(width: number, height: number): Promise<Buffer> {
  const rgb = await picture(width, height).removeAlpha().raw().toBuffer();
  const stride = Math.floor((24 * width + 31) / 32) * 4;
  const out = Buffer.alloc(54 + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(stride * height, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[row + x * 3] = rgb[i + 2];
      out[row + x * 3 + 1] = rgb[i + 1];
      out[row + x * 3 + 2] = rgb[i];
    }
  }
  return out;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid-looking PNG whose header claims `width × height` pixels, with almost no pixel data. */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real JPEG padded after its end marker to exactly `bytes` bytes (decoders ignore the tail). */
export async function jpegOfExactly(bytes: number, width = 800, height = 600): Promise<Buffer> {
  const jpeg = await makeImage(width, height, 'jpeg');
  if (jpeg.length > bytes) throw new Error(`a ${width}×${height} JPEG is already ${jpeg.length} bytes`);
  return Buffer.concat([jpeg, Buffer.alloc(bytes - jpeg.length)]);
}

/** A noise JPEG of at least `minBytes` (high quality), e.g. for "too large" cases. */
export async function bigJpeg(minBytes: number): Promise<Buffer> {
  let side = Math.ceil(Math.sqrt(minBytes / 2.2));
  for (;;) {
    const data = await noise(side, Math.round(side * 0.75))
      .jpeg({ quality: 100 })
      .toBuffer();
    if (data.length >= minBytes) return data;
    side = Math.ceil(side * Math.sqrt((minBytes / data.length) * 1.05));
  }
}

/**
 * A PNG of at least `minBytes` that is cheap to make, check and re-encode: one colour, no alpha,
 * stored without compression, so its size is its pixel count × 3 and no encoder works hard on it.
 */
export function bigPng(minBytes: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(minBytes / 3));
  return sharp({ create: { width: side, height: side, channels: 3, background: '#3b5bdb' } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

export const svg = () =>
  Buffer.from(
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600"/></svg>',
  );
export const html = () => Buffer.from('<!DOCTYPE html>\n<html><head><title>Photo</title></head><body><img src="photo.jpg"></body></html>');

export async function truncated(format: 'jpeg' | 'png', width = 1200, height = 800): Promise<Buffer> {
  const data = await noise(width, height)[format]().toBuffer();
  return data.subarray(0, Math.floor(data.length / 2));
}

export async function write(dir: string, name: string, data: Buffer | Promise<Buffer>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await data);
  return path;
}
