/**
 * `npm run icon`: renders build/icon.svg (drawn once, by hand) to the files electron-builder takes
 * from build/: icon.png (1024 px; macOS makes its .icns from it), icons/<n>x<n>.png (Linux), and
 * icon.ico (Windows, PNG-compressed entries). The outputs are committed; run this after editing the SVG.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharp } from '../main/services/image-engine';

const dir = import.meta.dirname;
const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

const svg = await readFile(join(dir, 'icon.svg'));
const png = (size: number) =>
  sharp(svg, { density: (72 * size) / 1024 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();

/** An .ico file: a 6-byte header, one 16-byte entry per image, then the PNGs themselves. */
function ico(images: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, data }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0); // 0 means 256
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += data.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map((image) => image.data)]);
}

await writeFile(join(dir, 'icon.png'), await png(1024));
await mkdir(join(dir, 'icons'), { recursive: true });
for (const size of LINUX_SIZES) await writeFile(join(dir, 'icons', `${size}x${size}.png`), await png(size));
await writeFile(join(dir, 'icon.ico'), ico(await Promise.all(ICO_SIZES.map(async (size) => ({ size, data: await png(size) })))));
console.log(`build/: icon.png, icons/{${LINUX_SIZES.join(',')}}, icon.ico (${ICO_SIZES.join(', ')})`);
