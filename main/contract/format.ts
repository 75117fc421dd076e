/** Number formats shared by main's messages and the renderer's labels, so both say the same thing. */
import { BYTES_PER_MB, frameRules } from './model';
import type { ImageFormat } from './model';

const formatNames: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  avif: 'AVIF',
  tiff: 'TIFF',
  heif: 'HEIF',
  bmp: 'BMP',
};

/** How a detected format is named to the user. */
export const formatName = (format: ImageFormat): string => formatNames[format];

/** "412 KB", "9.4 MB"; megabytes as the model's limit counts them (see BYTES_PER_MB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < BYTES_PER_MB) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / BYTES_PER_MB).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * A number with as many decimals as it takes (from `min`) not to read as `reference` unless it
 * equals it: 2.4975 against 2.5 reads "2.4975", not "2.50", so a passing value never looks like the limit.
 */
export function formatNear(value: number, reference: number, min = 2): string {
  for (let digits = min; digits <= 6; digits++) {
    const text = value.toFixed(digits);
    if (value === reference || text !== reference.toFixed(digits)) return text;
  }
  return String(value);
}

const ratioLimits = frameRules.filter((rule) => rule.measure === 'width/height').map((rule) => rule.limit);

/** A width/height ratio, with the digits it takes not to read as the nearest ratio limit ("2.498", not "2.50"). */
export function formatRatio(ratio: number): string {
  const nearest = ratioLimits.reduce(
    (best, limit) => (Math.abs(limit - ratio) < Math.abs(best - ratio) ? limit : best),
    ratioLimits[0] ?? ratio,
  );
  return formatNear(ratio, nearest);
}
