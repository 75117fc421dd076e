/**
 * Inline frames stay under RunComfy's inline image cap (INLINE_IMAGE_MAX_BYTES, 6 MiB of encoded
 * bytes before base64, as RunComfy's own nodes count it). A larger frame is sent as a re-encoded
 * copy: same pixel size (upright, EXIF orientation applied), visually lossless — JPEG, or WebP
 * when the image has an alpha channel (kept) — at quality 95, or the highest quality down to 85
 * that fits. The user's file is never touched. When even quality 85 does not fit, only a bucket
 * can carry the frame, and the error says so with the way to the bucket settings.
 *
 * The Create screen asks for the plan before submitting and the data-URI host uses the same
 * result, so what Create announced is what is sent, and it is encoded once.
 */
import { sharp } from '../image-engine';
import type { Sharp } from '../image-engine';
import { INLINE_IMAGE_MAX_BYTES } from '../../contract';
import type { InlinePlan } from '../../contract';
import { formatBytes } from '../../contract/format';
import { bisect } from '../frames/fix';
import type { FrameToHost } from './frame';
import { hostingError, readVerified } from './frame';

/** Tried first; then the highest quality down to MIN_INLINE_QUALITY that fits. */
const BEST_INLINE_QUALITY = 95;
/** The lowest quality still taken as visually lossless for photos and renders. */
export const MIN_INLINE_QUALITY = 85;
const KEPT = 4;

/** A re-encoded copy that is sent instead of the frame's own bytes. */
export interface SentCopy {
  bytes: Buffer;
  mime: 'image/jpeg' | 'image/webp';
  ext: 'jpg' | 'webp';
  format: 'JPEG' | 'WebP';
  /** The size of the frame it was made from. */
  fromBytes: number;
}

const problemOf = (error: unknown) => (error as { details?: { problem?: unknown } } | undefined)?.details?.problem;

export class InlineFitter {
  readonly #maxBytes: number;
  /** Recent copies by the sha256 of the frame they were made from (the Create preview, then the submit). */
  readonly #copies = new Map<string, Promise<SentCopy>>();

  constructor(options: { maxBytes?: number } = {}) {
    this.#maxBytes = options.maxBytes ?? INLINE_IMAGE_MAX_BYTES;
  }

  /** Whether a frame of this size goes inline as it is. */
  fitsAsIs(bytes: number): boolean {
    return bytes <= this.#maxBytes;
  }

  /** The copy to send for a frame over the cap; throws `inline-too-large` when none fits. */
  copyFor(frame: FrameToHost): Promise<SentCopy> {
    const key = frame.sha256.toLowerCase();
    let copy = this.#copies.get(key);
    if (!copy) {
      copy = this.#reencode(frame);
      this.#copies.set(key, copy);
      // A frame that cannot fit never will; any other failure (the file could not be read) may pass.
      copy.catch((error: unknown) => {
        if (problemOf(error) !== 'inline-too-large') this.#copies.delete(key);
      });
      while (this.#copies.size > KEPT) this.#copies.delete(this.#copies.keys().next().value!);
    }
    return copy;
  }

  /** What the Create screen says about a frame that will go inline. */
  async plan(frame: FrameToHost): Promise<InlinePlan> {
    if (this.fitsAsIs(frame.bytes)) return { kind: 'as-is', bytes: frame.bytes };
    try {
      const copy = await this.copyFor(frame);
      return { kind: 're-encoded', bytes: copy.bytes.length, fromBytes: frame.bytes, format: copy.format };
    } catch (error) {
      if (problemOf(error) !== 'inline-too-large') throw error;
      return { kind: 'too-large', fromBytes: frame.bytes, message: (error as Error).message };
    }
  }

  async #reencode(frame: FrameToHost): Promise<SentCopy> {
    const original = frame.data ?? (await readVerified(frame));
    const image = () => sharp(original, { failOn: 'error', autoOrient: true });
    const fits = (data: Buffer) => data.length <= this.#maxBytes;
    let hasAlpha: boolean;
    let bytes: Buffer | undefined;
    try {
      hasAlpha = (await image().metadata()).hasAlpha;
      const make = (quality: number) => encodeInline(image(), hasAlpha, quality);
      const best = await make(BEST_INLINE_QUALITY);
      bytes = fits(best) ? best : await bisect(MIN_INLINE_QUALITY, BEST_INLINE_QUALITY - 1, make, fits);
    } catch (error) {
      throw hostingError(
        'other',
        `Keyframe could not re-encode the frame “${frame.name ?? 'frame'}” to send it inline: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!bytes) {
      throw hostingError(
        'inline-too-large',
        `The frame “${frame.name ?? 'frame'}” (${formatBytes(frame.bytes)}) is too large to send inline: RunComfy takes at most ` +
          `${formatBytes(this.#maxBytes)} per inline image, and even re-encoded it stays over that. ` +
          'Set up a storage bucket so Keyframe sends the frame as a link.',
        { openSettings: true },
      );
    }
    return hasAlpha
      ? { bytes, mime: 'image/webp', ext: 'webp', format: 'WebP', fromBytes: frame.bytes }
      : { bytes, mime: 'image/jpeg', ext: 'jpg', format: 'JPEG', fromBytes: frame.bytes };
  }
}

/**
 * JPEG without chroma subsampling (4:2:0 visibly smears colour detail and fine grain); WebP, when
 * there is alpha, with the alpha channel lossless and sharp's smart chroma subsampling.
 */
function encodeInline(image: Sharp, hasAlpha: boolean, quality: number): Promise<Buffer> {
  return hasAlpha
    ? image.webp({ quality, alphaQuality: 100, smartSubsample: true }).toBuffer()
    : image.jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer();
}
