/**
 * Frames: an image picked as a start or end frame, staged by main, inspected from its header and
 * checked against the model's rules (model.ts). A frame knows nothing of its role; the renderer puts
 * it in a slot.
 */
import { z } from 'zod';
import { imageFormats } from './model';

import { FrameRole } from './library';

export { FrameRole };

export const ImageFormatSchema = z.enum(imageFormats);

/** One rule applied to one frame. */
export const RuleCheck = z.object({
  /** The schema's rule id (`width/height<`) or `file_type`. */
  rule: z.string(),
  /** What is measured, e.g. "Aspect ratio", "Width", "Type". */
  measure: z.string(),
  pass: z.boolean(),
  /** The measured value, formatted, e.g. "2.61" or "9.4 MB". */
  actual: z.string(),
  /** The value against the limit, e.g. "2.61: must be under 2.50". */
  detail: z.string(),
  /** The schema's own message for this rule. */
  message: z.string(),
});
export type RuleCheck = z.infer<typeof RuleCheck>;

export const FixKind = z.enum(['shrink', 'upscale', 'crop', 'pad', 'convert', 'first-frame', 'upright', 'all']);
export type FixKind = z.infer<typeof FixKind>;

/** A rectangle in the frame's upright (EXIF-oriented) pixels. */
export const Region = z.object({
  left: z.number().int().nonnegative(),
  top: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type Region = z.infer<typeof Region>;

/** A one-click fix main can apply; it writes a corrected copy and never touches the original. */
export const FixOffer = z.object({
  kind: FixKind,
  /** Button text, e.g. "Crop to 2.49". */
  label: z.string(),
  /** What it will do, e.g. "Crops 62 px from each side, keeping the centre." */
  description: z.string(),
  /** The checks it makes pass; empty for optional fixes (e.g. keep only the first frame). */
  rules: z.array(z.string()),
  /** For crop: the part that is kept. For pad: where the image sits on the new canvas. */
  region: Region.optional(),
  /** Size of the result, when known in advance (crop, pad, upscale). */
  resultWidth: z.number().int().positive().optional(),
  resultHeight: z.number().int().positive().optional(),
});
export type FixOffer = z.infer<typeof FixOffer>;

/** Header verdict first; then a full decode in the background confirms the pixels are all there. */
export const Integrity = z.enum(['pending', 'ok', 'corrupt']);
export type Integrity = z.infer<typeof Integrity>;

export const Frame = z.object({
  id: z.string(),
  /** Display name: the original file name, URL file name, or what the frame was made from. */
  name: z.string(),
  /** Address of something the renderer can show: the staged copy, or a preview for types a browser cannot show. */
  mediaUrl: z.string(),
  /** Set when the frame was picked as an http(s) address and not changed since (it can be sent as is). */
  sourceUrl: z.string().optional(),
  format: ImageFormatSchema,
  /** Upright size, after EXIF orientation: what the user sees is what is checked and sent. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  ratio: z.number().positive(),
  /** EXIF orientation (1 = as stored). */
  orientation: z.number().int().min(1).max(8),
  /** Frames in an animated GIF/WebP; 1 for a still. */
  pages: z.number().int().positive(),
  /** For animated images, which frame the model sees, in words; absent for stills. */
  animationNote: z.string().optional(),
  checks: z.array(RuleCheck),
  /** True when every check passes (integrity is separate). */
  accepted: z.boolean(),
  fixes: z.array(FixOffer),
  integrity: Integrity,
  /** Why the full decode failed, when `integrity` is `corrupt`. */
  integrityMessage: z.string().optional(),
  /** Hex sha256 of the staged bytes: the frame-hosting step compares it before upload. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** When this frame is a fix of another: which fix, and the id of the frame it came from. */
  fixedFrom: z.object({ id: z.string(), kind: FixKind }).optional(),
});
export type Frame = z.infer<typeof Frame>;

/** Largest file Keyframe takes in as a frame source (bigger than the model's limit, so it can be fixed). */
export const MAX_SOURCE_BYTES = 40_000_000;

export const AddFrameBytes = z.object({
  name: z.string().min(1).max(255),
  /** The file's bytes as base64 (JSON-safe across IPC and the test carrier); main checks it decodes whole. */
  data: z.string().max(Math.ceil(MAX_SOURCE_BYTES / 3) * 4, 'This file is larger than 40 MB. Pick a smaller image.'),
});
export type AddFrameBytes = z.infer<typeof AddFrameBytes>;

/** How much of a large file the renderer sends first for an instant verdict. */
export const HEAD_SAMPLE_BYTES = 256 * 1024;

/** The start of a file and its full size: enough for a verdict while the rest is still on its way. */
export const InspectHead = z.object({
  size: z.number().int().nonnegative().max(MAX_SOURCE_BYTES),
  head: z.string().max(Math.ceil(HEAD_SAMPLE_BYTES / 3) * 4),
});

/** The verdict from a file's first bytes; null when they are not enough (the full upload will say). */
export const HeadVerdict = z
  .object({
    format: ImageFormatSchema,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    bytes: z.number().int().nonnegative(),
    ratio: z.number().positive(),
    checks: z.array(RuleCheck),
  })
  .nullable();
export type HeadVerdict = z.infer<typeof HeadVerdict>;

export const AddFrameUrl = z.object({
  url: z.url({ protocol: /^https?$/, error: 'Enter an http(s) address of an image.' }).max(4096),
});

export const ApplyFix = z.object({ id: z.string().min(1).max(64), kind: FixKind });

export const FrameIntegrityEvent = z.object({
  id: z.string(),
  integrity: Integrity,
  message: z.string().optional(),
});
export type FrameIntegrityEvent = z.infer<typeof FrameIntegrityEvent>;
