/**
 * Tells whether an MP4 file is whole: its top-level boxes must tile the file exactly, start with
 * `ftyp` and include `moov`. A download cut short fails this even when no length was announced.
 * And how long it really lasts, in seconds and frames, read from its index with mediabunny
 * (nothing is decoded).
 */
import { open } from 'node:fs/promises';
import { FilePathSource, Input, MP4, QTFF } from 'mediabunny';
import type { VideoTiming } from '../library/manifest';

/** Undefined when the file has no video track mediabunny can read. */
export async function readVideoTiming(path: string): Promise<VideoTiming | undefined> {
  const input = new Input({ source: new FilePathSource(path), formats: [MP4, QTFF] });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) return undefined;
    const durationS = (await input.computeDuration()) - (await input.getFirstTimestamp());
    const { packetCount, averagePacketRate } = await track.computePacketStats();
    const known = (value: number) => Number.isFinite(value) && value > 0;
    if (!known(durationS) || !known(packetCount) || !known(averagePacketRate)) return undefined;
    return { durationS, frames: packetCount, frameRate: Math.round(averagePacketRate * 1000) / 1000 };
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
