/**
 * What a take's MP4 is made of, read with mediabunny, and whether a row of takes can be joined by
 * copying their frames (a remux): one codec with one configuration, one size, one frame rate, and
 * sound in all or none of them, alike.
 */
import { stat } from 'node:fs/promises';
import { EncodedPacketSink, FilePathSource, Input, MP4, QTFF } from 'mediabunny';
import type { AudioCodec, InputAudioTrack, InputTrack, InputVideoTrack, Rotation, VideoCodec } from 'mediabunny';

/** One clip to join, with the name the user knows it by ("shot 2"). */
export interface CutInput {
  path: string;
  label: string;
}

/** Where a track's packets lie in time: the first presentation timestamp and the end of the last packet. */
export interface TrackSpan {
  start: number;
  end: number;
  packets: number;
}

export interface TakeFormat {
  input: CutInput;
  bytes: number;
  video: {
    codec: VideoCodec;
    /** The full codec string, e.g. `avc1.64001f`. */
    codecString: string;
    width: number;
    height: number;
    rotation: Rotation;
    /** The decoder configuration record (avcC, hvcC…), hex; its SPS/PPS must match to share one track. */
    description: string;
    frameRate: number;
    span: TrackSpan;
  };
  audio?: {
    codec: AudioCodec;
    codecString: string;
    sampleRate: number;
    channels: number;
    description: string;
    span: TrackSpan;
  };
  /** From the earliest packet of any track to the end of the latest one. */
  span: { start: number; end: number };
}

/** A take that cannot be read as a video at all. */
export class TakeUnreadable extends Error {
  override name = 'TakeUnreadable';
}

/** The takes differ in a way only re-encoding can join; `differences` says how, one line each. */
export class TakesDiffer extends Error {
  override name = 'TakesDiffer';
  constructor(readonly differences: string[]) {
    super(`These takes cannot be joined without re-encoding: ${differences.join(' ')}`);
  }
}

/** Opens a take for reading; the caller disposes of it. */
export function openTake(path: string): Input {
  return new Input({ source: new FilePathSource(path), formats: [MP4, QTFF] });
}

function hex(bytes: AllowSharedBufferSource | undefined): string {
  if (!bytes) return '';
  const view = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  return Buffer.from(view).toString('hex');
}

async function spanOf(track: InputTrack): Promise<TrackSpan> {
  let start = Infinity;
  let end = -Infinity;
  let packets = 0;
  for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
    start = Math.min(start, packet.timestamp);
    end = Math.max(end, packet.timestamp + packet.duration);
    packets++;
  }
  return packets ? { start, end, packets } : { start: 0, end: 0, packets };
}

async function describeVideo(track: InputVideoTrack, label: string): Promise<TakeFormat['video']> {
  const config = await track.getDecoderConfig();
  if (!track.codec || !config) throw new TakeUnreadable(`${label}: its video is in a format Keyframe cannot read.`);
  const metrics = await track.computeFrameRateMetrics();
  return {
    codec: track.codec,
    codecString: config.codec,
    width: track.codedWidth,
    height: track.codedHeight,
    rotation: track.rotation,
    description: hex(config.description),
    frameRate: metrics.bestGuessFrameRate,
    span: await spanOf(track),
  };
}

async function describeAudio(track: InputAudioTrack, label: string): Promise<TakeFormat['audio']> {
  const config = await track.getDecoderConfig();
  if (!track.codec || !config) throw new TakeUnreadable(`${label}: its sound is in a format Keyframe cannot read.`);
  return {
    codec: track.codec,
    codecString: config.codec,
    sampleRate: track.sampleRate,
    channels: track.numberOfChannels,
    description: hex(config.description),
    span: await spanOf(track),
  };
}

export async function describeTake(input: CutInput): Promise<TakeFormat> {
  const bytes = await stat(input.path).then(
    (s) => s.size,
    () => {
      throw new TakeUnreadable(`${input.label}: its video file is missing (${input.path}).`);
    },
  );
  const file = openTake(input.path);
  try {
    const videoTrack = await file.getPrimaryVideoTrack().catch(() => {
      throw new TakeUnreadable(`${input.label}: its file is not an MP4 video Keyframe can read (${input.path}).`);
    });
    if (!videoTrack) throw new TakeUnreadable(`${input.label}: its file has no video track (${input.path}).`);
    const video = await describeVideo(videoTrack, input.label);
    if (video.span.packets === 0) throw new TakeUnreadable(`${input.label}: its video has no frames (${input.path}).`);
    const audioTrack = await file.getPrimaryAudioTrack();
    const audio = audioTrack ? await describeAudio(audioTrack, input.label) : undefined;
    const spans = [video.span, ...(audio && audio.span.packets ? [audio.span] : [])];
    const span = { start: Math.min(...spans.map((s) => s.start)), end: Math.max(...spans.map((s) => s.end)) };
    return { input, bytes, video, audio, span };
  } finally {
    file.dispose();
  }
}

const fps = (rate: number) => `${Math.round(rate * 100) / 100} fps`;
/** Frame rates read from timestamps wobble a little; 0.5 % apart is the same rate. */
const sameRate = (a: number, b: number) => Math.abs(a - b) <= 0.005 * Math.max(a, b);

/** How each take differs from the first, in words a user can act on; empty when a remux can join them. */
export function takeDifferences(formats: readonly TakeFormat[]): string[] {
  const [first, ...rest] = formats;
  if (!first) return [];
  const lines: string[] = [];
  const ref = first.input.label;
  for (const take of rest) {
    const name = take.input.label;
    const [a, b] = [take.video, first.video];
    if (a.codecString !== b.codecString) lines.push(`${name} is ${a.codecString} video and ${ref} is ${b.codecString}.`);
    else if (a.description !== b.description) lines.push(`${name} was encoded with other ${a.codec.toUpperCase()} settings than ${ref}.`);
    if (a.width !== b.width || a.height !== b.height) lines.push(`${name} is ${a.width}×${a.height} and ${ref} is ${b.width}×${b.height}.`);
    if (a.rotation !== b.rotation) lines.push(`${name} is turned ${a.rotation}° and ${ref} ${b.rotation}°.`);
    if (!sameRate(a.frameRate, b.frameRate)) lines.push(`${name} runs at ${fps(a.frameRate)} and ${ref} at ${fps(b.frameRate)}.`);
    const [x, y] = [take.audio, first.audio];
    if (!x !== !y) lines.push(x ? `${name} has sound and ${ref} has none.` : `${ref} has sound and ${name} has none.`);
    else if (x && y) {
      if (x.codecString !== y.codecString || x.description !== y.description)
        lines.push(`${name}'s sound is encoded differently from ${ref}'s.`);
      if (x.sampleRate !== y.sampleRate || x.channels !== y.channels)
        lines.push(`${name}'s sound is ${x.sampleRate} Hz × ${x.channels} and ${ref}'s ${y.sampleRate} Hz × ${y.channels}.`);
    }
  }
  return lines;
}
