/**
 * The full-decode check the header cannot give: every pixel is decoded (sharp with `failOn`), so a
 * truncated or corrupt file is caught before anything is submitted. Slow next to inspection, so it
 * runs in the background after the header verdict.
 */
import { open, readFile } from 'node:fs/promises';
import { sharp } from '../image-engine';
import { decodeBmp } from './bmp';
import type { Inspection } from './inspect';

/** Resolves to undefined when the image decodes whole, or to why it does not, in the user's words. */
export async function checkIntegrity(path: string, inspection: Pick<Inspection, 'format'>): Promise<string | undefined> {
  try {
    if (inspection.format === 'bmp') decodeBmp(await readFile(path));
    else await sharp(path, { failOn: 'error', pages: -1 }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
    // libvips shows what a cut-off GIF has; the missing trailer byte (0x3B) gives it away.
    if (inspection.format === 'gif' && !(await endsWith(path, 0x3b))) throw new Error('the file ends early (no GIF trailer)');
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'The working copy of this frame is gone. Pick the frame again.';
    return `The image is damaged or incomplete: ${errorText(error)}. Pick another copy of it.`;
  }
}

async function endsWith(path: string, byte: number): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === byte;
  } finally {
    await handle.close();
  }
}

/** The first line of a sharp/libvips error, without its library prefix. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .split('\n')[0]
    .replace(/^(Input (file|buffer) has corrupt header: )?\w*load\w*: |^vips\w*: /i, '')
    .replace(/\.$/, '');
}
