/** Real image files for hosting tests, with what the Frames step records when a frame is picked. */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharp } from '../../main/services/image-engine';
import type { FrameToHost } from '../../main/services/hosting';

/** A PNG of noise (noise does not compress: 800×800 is about 1.9 MB) or a small JPEG. */
export async function makeFrame(
  dir: string,
  name: string,
  options: { size?: number; format?: 'png' | 'jpeg'; seed?: number } = {},
): Promise<FrameToHost> {
  const size = options.size ?? 800;
  const format = options.format ?? 'png';
  const image = sharp({
    create: {
      width: size,
      height: size,
      channels: 3,
      background: { r: options.seed ?? 40, g: 90, b: 160 },
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  });
  const bytes = await (format === 'png' ? image.png({ compressionLevel: 1 }) : image.jpeg({ quality: 85 })).toBuffer();
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, name, sha256: createHash('sha256').update(bytes).digest('hex'), mime: `image/${format}`, bytes: bytes.length };
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
