/**
 * A small reader for Windows BMP files, which sharp cannot open: uncompressed 1/4/8-bit palette,
 * 16/24/32-bit and bit-field images, top-down or bottom-up. Enough to convert a BMP into a format
 * the model accepts; RLE-compressed and embedded JPEG/PNG BMPs are refused with a clear message.
 */

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  dataOffset: number;
  headerSize: number;
}

export class BmpError extends Error {}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function isBmp(head: Uint8Array): boolean {
  return head.length >= 26 && head[0] === 0x42 && head[1] === 0x4d;
}

export function readBmpHeader(buf: Buffer): BmpHeader {
  if (buf.length < 26 || !isBmp(buf)) throw new BmpError('not a BMP file');
  const headerSize = buf.readUInt32LE(14);
  const dataOffset = buf.readUInt32LE(10);
  if (headerSize === 12) {
    return {
      width: buf.readUInt16LE(18),
      height: buf.readUInt16LE(20),
      topDown: false,
      bitsPerPixel: buf.readUInt16LE(24),
      compression: BI_RGB,
      dataOffset,
      headerSize,
    };
  }
  if (headerSize < 40 || buf.length < 34) throw new BmpError('its header is damaged or of an unknown kind');
  const rawHeight = buf.readInt32LE(22);
  return {
    width: buf.readInt32LE(18),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel: buf.readUInt16LE(28),
    compression: buf.readUInt32LE(30),
    dataOffset,
    headerSize,
  };
}

interface Masks {
  r: number;
  g: number;
  b: number;
  a: number;
}

function channelReader(mask: number): (value: number) => number {
  if (mask === 0) return () => 255;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (value) => Math.round((((value & mask) >>> shift) * 255) / max);
}

/** Decodes the pixels to raw RGB or RGBA, ready for `sharp(data, { raw })`. */
export function decodeBmp(buf: Buffer): { data: Buffer; width: number; height: number; channels: 3 | 4 } {
  const header = readBmpHeader(buf);
  const { width, height, bitsPerPixel: bpp, compression, dataOffset, headerSize } = header;
  if (width <= 0 || height <= 0) throw new BmpError('it says it has no pixels');
  if (![BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression))
    throw new BmpError('it uses a compression Keyframe cannot read (RLE, JPEG or PNG inside BMP)');
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new BmpError(`it has ${bpp} bits per pixel, which Keyframe cannot read`);
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > buf.length) throw new BmpError('it is shorter than its header says (truncated)');

  const palette: number[][] = [];
  if (bpp <= 8) {
    const entrySize = headerSize === 12 ? 3 : 4;
    const start = 14 + headerSize;
    const count = Math.min(1 << bpp, Math.floor((dataOffset - start) / entrySize));
    for (let i = 0; i < count; i++)
      palette.push([buf[start + i * entrySize + 2], buf[start + i * entrySize + 1], buf[start + i * entrySize]]);
    if (palette.length === 0) throw new BmpError('its colour table is missing');
  }

  let masks: Masks | undefined;
  if (bpp === 16 || bpp === 32) {
    if (compression === BI_RGB) masks = bpp === 16 ? { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 } : { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 };
    else {
      const at = 14 + 40;
      masks = {
        r: buf.readUInt32LE(at),
        g: buf.readUInt32LE(at + 4),
        b: buf.readUInt32LE(at + 8),
        a: compression === BI_ALPHABITFIELDS || headerSize >= 56 ? buf.readUInt32LE(at + 12) : 0,
      };
    }
  }
  const channels = masks && masks.a !== 0 ? 4 : 3;
  const out = Buffer.alloc(width * height * channels);
  const read = masks && { r: channelReader(masks.r), g: channelReader(masks.g), b: channelReader(masks.b), a: channelReader(masks.a) };

  for (let y = 0; y < height; y++) {
    const row = dataOffset + (header.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = (buf[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const colour = palette[index] ?? [0, 0, 0];
        out[o] = colour[0];
        out[o + 1] = colour[1];
        out[o + 2] = colour[2];
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = buf[p + 2];
        out[o + 1] = buf[p + 1];
        out[o + 2] = buf[p];
      } else {
        const value = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        out[o] = read!.r(value);
        out[o + 1] = read!.g(value);
        out[o + 2] = read!.b(value);
        if (channels === 4) out[o + 3] = read!.a(value);
      }
    }
  }
  return { data: out, width, height, channels };
}
