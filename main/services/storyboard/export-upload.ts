/**
 * Main's half of a re-encoded export: the renderer encodes (WebCodecs, through mediabunny) and
 * hands the bytes over in chunks, each with its place in the file (a muxer seeks back to patch
 * sizes); main owns the file they go into. The renderer never names a path: `begin` takes the
 * destination main chose and returns an unguessable id, and each chunk is checked against it.
 * Like the remux, the bytes go to the hidden part file and reach the destination only by a rename,
 * once they read back as a whole video.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { partPath } from './cut';
import { describeTake, TakeUnreadable } from './take-format';

import { MAX_EXPORT_CHUNK_BYTES } from '../../contract/storyboard';

/** A chunk's largest size; the carrier sends them as base64 in JSON, like a poster image. */
export const MAX_CHUNK_BYTES = MAX_EXPORT_CHUNK_BYTES;
/** No cut of 30 ten-second takes comes near this; a renderer that says otherwise is refused. */
export const MAX_EXPORT_BYTES = 8 * 1024 ** 3;

interface Upload {
  outPath: string;
  part: string;
  file: FileHandle;
  /** Writes in the order they came, so `finish` waits for the last one. */
  queue: Promise<void>;
}

export interface FinishedUpload {
  path: string;
  durationS: number;
  frames: number;
}

export class ExportUploads {
  private readonly open = new Map<string, Upload>();

  /** Starts a re-encoded export to `outPath` (chosen by main); replaces a stale part file. */
  async begin(outPath: string): Promise<string> {
    const id = randomBytes(16).toString('hex');
    const part = partPath(outPath);
    const file = await open(part, 'w');
    this.open.set(id, { outPath, part, file, queue: Promise.resolve() });
    return id;
  }

  async write(id: string, position: number, data: Uint8Array): Promise<void> {
    const upload = this.require(id);
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError('A chunk of the export has no valid place in the file.');
    if (data.byteLength > MAX_CHUNK_BYTES) throw new RangeError(`A chunk of the export is over ${MAX_CHUNK_BYTES / 1024 / 1024} MB.`);
    if (position + data.byteLength > MAX_EXPORT_BYTES) throw new RangeError('The export would be larger than 8 GB: it was stopped.');
    upload.queue = upload.queue.then(async () => {
      await upload.file.write(data, 0, data.byteLength, position);
    });
    await upload.queue;
  }

  /**
   * Flushes the file, reads it back (one video track of `expectedDurationS`, within a frame or
   * two) and renames it over the destination. On any failure the part file is removed.
   */
  async finish(id: string, expectedDurationS: number): Promise<FinishedUpload> {
    const upload = this.require(id);
    this.open.delete(id);
    try {
      await upload.queue;
      await upload.file.sync();
      await upload.file.close();
      const cut = await describeTake({ path: upload.part, label: 'The re-encoded cut' });
      const durationS = cut.span.end - cut.span.start;
      if (Math.abs(durationS - expectedDurationS) > 0.1)
        throw new TakeUnreadable(
          `The re-encoded cut lasts ${durationS.toFixed(2)} s where the takes last ${expectedDurationS.toFixed(2)} s.`,
        );
      await rename(upload.part, upload.outPath);
      return { path: upload.outPath, durationS, frames: cut.video.span.packets };
    } catch (error) {
      await upload.file.close().catch(() => {});
      await rm(upload.part, { force: true });
      throw error;
    }
  }

  /** Stops an export and removes its part file; an unknown id is already gone. */
  async cancel(id: string): Promise<void> {
    const upload = this.open.get(id);
    if (!upload) return;
    this.open.delete(id);
    await upload.queue.catch(() => {});
    await upload.file.close().catch(() => {});
    await rm(upload.part, { force: true });
  }

  /** Cancels every open export (the app is quitting, or the renderer went away). */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.cancel(id)));
  }

  private require(id: string): Upload {
    const upload = this.open.get(id);
    if (!upload) throw new Error('This export is no longer open: it was finished or cancelled.');
    return upload;
  }
}
