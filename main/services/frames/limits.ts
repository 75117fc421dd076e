/**
 * The model's limits as numbers the fixes aim for, read from the same rule data the validator
 * applies, plus the geometry of each fix (pure, so it is tested at the boundaries).
 */
import type { Region } from '../../contract/frames';
import { BYTES_PER_MB, frameRules } from '../../contract/model';
import type { RuleMeasure } from '../../contract/model';

function limitOf(measure: RuleMeasure, op: '<' | '>'): number {
  const rule = frameRules.find((r) => r.measure === measure && r.op === op);
  if (!rule) throw new Error(`the model schema has no ${measure}${op} rule`);
  return rule.limit;
}

export const limits = {
  /** A file must be strictly smaller than this many bytes. */
  maxBytes: limitOf('file_size_mb', '<') * BYTES_PER_MB,
  /** Width must be strictly over this. */
  minWidth: limitOf('width_pixels', '>'),
  minHeight: limitOf('height_pixels', '>'),
  /** width/height must be strictly between these. */
  minRatio: limitOf('width/height', '>'),
  maxRatio: limitOf('width/height', '<'),
};

export interface Size {
  width: number;
  height: number;
}

export const ratioTooHigh = ({ width, height }: Size) => width / height >= limits.maxRatio;
export const ratioTooLow = ({ width, height }: Size) => width / height <= limits.minRatio;
export const tooSmall = ({ width, height }: Size) => width <= limits.minWidth || height <= limits.minHeight;

/** The largest centred region with a legal ratio (the nearest legal ratio to the original). */
export function cropToLegalRatio(size: Size): Region {
  let { width, height } = size;
  if (ratioTooHigh(size)) {
    width = Math.floor(height * limits.maxRatio);
    while (width / height >= limits.maxRatio) width--;
  } else if (ratioTooLow(size)) {
    height = Math.floor(width / limits.minRatio);
    while (width / height <= limits.minRatio) height--;
  }
  return { left: Math.floor((size.width - width) / 2), top: Math.floor((size.height - height) / 2), width, height };
}

/** The smallest canvas with a legal ratio that holds the whole image, and where the image sits on it. */
export function padToLegalRatio(size: Size): { canvas: Size; region: Region } {
  let { width, height } = size;
  if (ratioTooHigh(size)) {
    height = Math.ceil(width / limits.maxRatio);
    while (width / height >= limits.maxRatio) height++;
  } else if (ratioTooLow(size)) {
    width = Math.ceil(height * limits.minRatio);
    while (width / height <= limits.minRatio) width++;
  }
  return {
    canvas: { width, height },
    region: {
      left: Math.floor((width - size.width) / 2),
      top: Math.floor((height - size.height) / 2),
      width: size.width,
      height: size.height,
    },
  };
}

/** Scales up just enough that both sides pass the minimum, keeping the shape. */
export function upscaleJustOver(size: Size): Size {
  const scale = Math.max((limits.minWidth + 1) / size.width, (limits.minHeight + 1) / size.height, 1);
  const width = Math.max(Math.round(size.width * scale), limits.minWidth + 1);
  const height = Math.max(Math.round(size.height * scale), limits.minHeight + 1);
  return { width, height };
}
