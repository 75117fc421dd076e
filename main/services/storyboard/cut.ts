/**
 * The cut: the picked takes' MP4s joined back to back into one MP4 by copying their packets (a
 * lossless remux, mediabunny reads and writes the boxes). Each take's timestamps continue where
 * the one before it ends, so the cut has no gap and every frame of every take is in it.
 *
 * It is written to a hidden `.NAME.part` sibling and renamed over the destination only once it is
 * complete and on disk, so a cancelled, failed or killed export never leaves a partial file at the
 * destination nor damages a good one already there.
 */
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EncodedAudioPacketSource, EncodedPacketSink, EncodedVideoPacketSource, FilePathTarget, Mp4OutputFormat, Output } from 'mediabunny';
import type { EncodedPacket, InputAudioTrack, InputVideoTrack } from 'mediabunny';
import { describeTake, openTake, takeDifferences, TakesDiffer } from './take-format';
import type { CutInput, TakeFormat } from './take-format';

export { TakesDiffer, TakeUnreadable } from './take-format';
export type { CutInput } from './take-format';

export interface CutOptions {
  /** Called with 0..1 as packets are written (at most once per whole percent), and 1 when done; a promise it returns is awaited. */
  onProgress?: (fraction: number) => unknown;
  signal?: AbortSignal;
}

export interface CutResult {
  path: string;
  durationS: number;
  /** Video frames written (the sum of the takes'). */
  frames: number;
  bytes: number;
}

/** Where the cut is written before it is renamed to `path`; a re-run reuses (replaces) it. */
export const partPath = (path: string) => join(dirname(path), `.${basename(path)}.part`);

/** Reads every take and says whether a remux can join them: their formats, and how they differ. */
export async function checkTakes(
  inputs: readonly CutInput[],
  signal?: AbortSignal,
): Promise<{ formats: TakeFormat[]; differences: string[] }> {
  if (inputs.length === 0) throw new Error('There are no takes to export: pick a take for at least one shot.');
  const formats: TakeFormat[] = [];
  for (const input of inputs) {
    signal?.throwIfAborted();
    formats.push(await describeTake(input));
  }
  return { formats, differences: takeDifferences(formats) };
}

/**
 * Joins `inputs` in order into one MP4 at `outPath`. Throws `TakesDiffer` (nothing written) when
 * only re-encoding could join them, `TakeUnreadable` for a missing or broken take, and the
 * signal's reason when cancelled.
 */
export async function cutTakes(inputs: readonly CutInput[], outPath: string, options: CutOptions = {}): Promise<CutResult> {
  const { signal } = options;
  const { formats, differences } = await checkTakes(inputs, signal);
  if (differences.length) throw new TakesDiffer(differences);
  signal?.throwIfAborted();

  const part = partPath(outPath);
  await rm(part, { force: true });
  const [first] = formats;
  const sum = (count: (take: TakeFormat) => number) => formats.reduce((total, take) => total + count(take), 0);
  const frames = sum((take) => take.video.span.packets);
  const audioPackets = sum((take) => take.audio?.span.packets ?? 0);
  // The index goes at the end: the packets stream straight to disk and memory stays flat however
  // long the cut. (mediabunny's 'reserve' would put it first, but fails on a second, audio track.)
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: false }), target: new FilePathTarget(part) });
  const video = new EncodedVideoPacketSource(first.video.codec);
  output.addVideoTrack(video, { rotation: first.video.rotation });
  const audio = first.audio && audioPackets ? new EncodedAudioPacketSource(first.audio.codec) : undefined;
  if (audio) output.addAudioTrack(audio);

  const progress = packetProgress(frames + audioPackets, options.onProgress);
  let offset = 0;
  try {
    await output.start();
    for (const [index, take] of formats.entries()) {
      const file = openTake(take.input.path);
      try {
        // Every track of a take moves by the same amount, so its sound stays in sync with its picture.
        const shift = offset - take.span.start;
        const copy = async (
          track: InputVideoTrack | InputAudioTrack | null,
          add: (packet: EncodedPacket, config?: object) => Promise<void>,
        ) => {
          if (!track) return;
          const config = index === 0 ? { decoderConfig: await track.getDecoderConfig() } : undefined;
          let sent = false;
          for await (const packet of new EncodedPacketSink(track).packets()) {
            signal?.throwIfAborted();
            await add(packet.clone({ timestamp: packet.timestamp + shift }), sent ? undefined : config);
            sent = true;
            await progress.step();
          }
        };
        await copy(await file.getPrimaryVideoTrack(), (packet, meta) => video.add(packet, meta));
        if (audio) await copy(await file.getPrimaryAudioTrack(), (packet, meta) => audio.add(packet, meta));
      } finally {
        file.dispose();
      }
      offset += take.span.end - take.span.start;
    }
    signal?.throwIfAborted();
    await output.finalize();
    await flushToDisk(part);
    signal?.throwIfAborted();
    await rename(part, outPath);
  } catch (error) {
    if (output.state !== 'finalized') await output.cancel().catch(() => {});
    await rm(part, { force: true });
    throw error;
  }
  progress.done();
  return { path: outPath, durationS: offset, frames, bytes: (await stat(outPath)).size };
}

/** So the rename never publishes a file whose bytes are still only in the page cache. */
async function flushToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function packetProgress(total: number, report: CutOptions['onProgress']) {
  let written = 0;
  let lastPercent = -1;
  return {
    step(): unknown {
      written++;
      const percent = Math.floor((written / total) * 100);
      if (report && percent !== lastPercent && percent < 100) {
        lastPercent = percent;
        return report(written / total);
      }
    },
    done: () => report?.(1),
  };
}
