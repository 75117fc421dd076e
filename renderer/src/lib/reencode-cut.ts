/**
 * The re-encoded cut, for takes a remux cannot join (other codecs, sizes or frame rates): each
 * take is decoded and encoded again as H.264 by Chromium's WebCodecs, through mediabunny, at the
 * first take's size (others are fitted inside it, letterboxed). The bytes are not kept here: each
 * chunk goes to main with its place in the file (`send`), into a file main owns
 * (main/services/storyboard/export-upload.ts). Sound is not carried (the model's takes have none).
 */
import {
  ALL_FORMATS,
  Input,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  StreamTarget,
  UrlSource,
  VideoSampleSink,
  VideoSampleSource,
} from 'mediabunny';

export interface ReencodeTake {
  url: string;
  label: string;
}

export interface ReencodeOptions {
  /** Hands one chunk of the file to main; resolves once main has it (backpressure). */
  send: (position: number, data: Uint8Array) => Promise<void>;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** A chunk's size: under the 4 MB main accepts in one message. */
const CHUNK_BYTES = 2 * 1024 * 1024;

/** Encodes `takes` back to back into one MP4 whose chunks go to `send`; returns its length in seconds. */
export async function reencodeCut(takes: readonly ReencodeTake[], options: ReencodeOptions): Promise<number> {
  const { send, signal } = options;
  const writable = new WritableStream<{ data: Uint8Array; position: number }>({ write: ({ data, position }) => send(position, data) });
  const output = new Output({
    format: new Mp4OutputFormat({ fastStart: false }),
    target: new StreamTarget(writable, { chunked: true, chunkSize: CHUNK_BYTES }),
  });
  const video = new VideoSampleSource({ codec: 'avc', bitrate: QUALITY_HIGH, sizeChangeBehavior: 'contain' });
  output.addVideoTrack(video);
  const inputs = takes.map((take) => ({ take, input: new Input({ source: new UrlSource(take.url), formats: ALL_FORMATS }) }));
  try {
    const tracks = [];
    for (const { take, input } of inputs) {
      const track = await input.getPrimaryVideoTrack();
      if (!track || !(await track.canDecode())) throw new Error(`${take.label}: this video cannot be decoded here.`);
      tracks.push({ track, start: await track.getFirstTimestamp(), end: await track.computeDuration() });
    }
    const total = tracks.reduce((sum, t) => sum + (t.end - t.start), 0);
    await output.start();
    let offset = 0;
    for (const { track, start, end } of tracks) {
      for await (const sample of new VideoSampleSink(track).samples()) {
        try {
          signal?.throwIfAborted();
          sample.setTimestamp(sample.timestamp - start + offset);
          await video.add(sample);
        } finally {
          sample.close();
        }
        options.onProgress?.(Math.min(1, (sample.timestamp + sample.duration) / total));
      }
      offset += end - start;
    }
    signal?.throwIfAborted();
    await output.finalize();
    return offset;
  } catch (error) {
    if (output.state !== 'finalized') await output.cancel().catch(() => {});
    throw error;
  } finally {
    for (const { input } of inputs) input.dispose();
  }
}
