/**
 * Tells whether an MP4 file is whole: its top-level boxes must tile the file exactly, start with
 * `ftyp` and include `moov`. A download cut short fails this even when no length was announced.
 * And how long it really lasts, read from its index with mediabunny (nothing is decoded).
 */
import { open } from 'node:fs/promises';
import { FilePathSource, Input, MP4, QTFF } from 'mediabunny';

/**
 * Seconds from the first frame (or sound) to the end of the last, as the export measures a take;
 * undefined when the file has no video track mediabunny can read.
 */
export async function videoLengthS(path: string): Promise<number | undefined> {
  const input = new Input({ source: new FilePathSource(path), formats: [MP4, QTFF] });
  try {
    if (!(await input.getPrimaryVideoTrack())) return undefined;
    const length = (await input.computeDuration()) - (await input.getFirstTimestamp());
    return Number.isFinite(length) && length > 0 ? length : undefined;
  } catch {
    return undefined;
  } finally {
    input.dispose();
  }
}

export async function isCompleteMp4(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(16);
    let offset = 0;
    const seen = new Set<string>();
    while (offset < size) {
      const { bytesRead } = await file.read(header, 0, 16, offset);
      if (bytesRead < 8) return false;
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (offset === 0 && type !== 'ftyp') return false;
      if (boxSize === 1) {
        if (bytesRead < 16) return false;
        boxSize = Number(header.readBigUInt64BE(8));
      } else if (boxSize === 0) {
        boxSize = size - offset; // box runs to the end of the file
      }
      if (boxSize < 8 || offset + boxSize > size) return false;
      seen.add(type);
      offset += boxSize;
    }
    return offset === size && seen.has('moov');
  } finally {
    await file.close();
  }
}
