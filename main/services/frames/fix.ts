/**
 * One-click fixes. `offerFixes` says which fixes apply to a frame (each tied to the checks it makes
 * pass); `renderFix` writes the corrected image into memory. The source is always the staged copy,
 * read-only: a fix makes a new file, never changes one.
 */
import { access, readFile } from 'node:fs/promises';
import { sharp } from '../image-engine';
import type { Sharp } from 'sharp';
import { AppError } from '../../contract';
import type { FixKind, FixOffer, Region, RuleCheck } from '../../contract/frames';
import { formatBytes, formatName, formatRatio } from '../../contract/format';
import { BYTES_PER_MB, TYPE_RULE_ID } from '../../contract/model';
import type { ImageFormat } from '../../contract/model';
import { decodeBmp } from './bmp';
import type { Inspection } from './inspect';
import { cropToLegalRatio, limits, padToLegalRatio, ratioTooHigh, ratioTooLow, tooSmall, upscaleJustOver } from './limits';
import type { Size } from './limits';

export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif';

/** What a fix does to the upright image, in this order: crop, resize, pad, then encode under the size limit. */
export interface Plan {
  crop?: Region;
  resize?: Size;
  pad?: { canvas: Size; region: Region };
  format: OutputFormat;
}

const failing = (checks: readonly RuleCheck[], predicate: (rule: string) => boolean) =>
  checks.filter((check) => !check.pass && predicate(check.rule)).map((check) => check.rule);

const isRatioRule = (rule: string) => rule.startsWith('width/height');
const isSideRule = (rule: string) => rule === 'width_pixels>' || rule === 'height_pixels>';
const isSizeRule = (rule: string) => rule.startsWith('file_size_mb');

/** Keeps the format when the model takes it; otherwise a lossless PNG (JPEG for lossy HEIF photos). */
export function outputFormatFor(inspection: Pick<Inspection, 'format' | 'hasAlpha'>): OutputFormat {
  const { format } = inspection;
  if (format === 'jpeg' || format === 'png' || format === 'webp' || format === 'avif') return format;
  if (format === 'heif' && !inspection.hasAlpha) return 'jpeg';
  return 'png';
}

const outputName = (format: OutputFormat) => formatName(format as ImageFormat);
const ratioText = (size: Size) => formatRatio(size.width / size.height);

export function planFix(kind: FixKind, inspection: Inspection): Plan {
  const size: Size = { width: inspection.width, height: inspection.height };
  const format = outputFormatFor(inspection);
  switch (kind) {
    case 'crop':
      return { crop: cropToLegalRatio(size), format };
    case 'pad':
      return { pad: padToLegalRatio(size), format };
    case 'upscale':
      return { resize: upscaleJustOver(size), format };
    case 'shrink':
    case 'convert':
    case 'first-frame':
    case 'upright':
      return { format };
    case 'all': {
      const plan: Plan = { format };
      let current = size;
      if (ratioTooHigh(size) || ratioTooLow(size)) {
        plan.crop = cropToLegalRatio(size);
        current = { width: plan.crop.width, height: plan.crop.height };
      }
      if (tooSmall(current)) plan.resize = upscaleJustOver(current);
      return plan;
    }
  }
}

/** The fixes that apply to a frame, each with the checks it makes pass. */
export function offerFixes(inspection: Inspection, checks: readonly RuleCheck[]): FixOffer[] {
  const offers: FixOffer[] = [];
  const size: Size = { width: inspection.width, height: inspection.height };
  const output = outputName(outputFormatFor(inspection));
  const still = inspection.pages > 1 ? ' Keeps the first frame only (the one the model sees).' : '';

  const typeRules = failing(checks, (rule) => rule === TYPE_RULE_ID);
  if (typeRules.length) {
    offers.push({
      kind: 'convert',
      label: `Convert to ${output}`,
      description: `${formatName(inspection.format)} is not accepted. Writes a ${output} copy (JPEG if a ${output} would pass the size limit).`,
      rules: typeRules,
    });
  }
  const sizeRules = failing(checks, isSizeRule);
  if (sizeRules.length) {
    offers.push({
      kind: 'shrink',
      label: `Shrink under ${limits.maxBytes / BYTES_PER_MB} MB`,
      description: `Re-encodes at the highest quality that fits, and scales down only if it must.${still}`,
      rules: sizeRules,
    });
  }
  const sideRules = failing(checks, isSideRule);
  if (sideRules.length) {
    const target = upscaleJustOver(size);
    offers.push({
      kind: 'upscale',
      label: `Upscale to ${target.width} × ${target.height}`,
      description: `Enlarges just past the ${limits.minWidth} px minimum, keeping the shape.${still}`,
      rules: sideRules,
      resultWidth: target.width,
      resultHeight: target.height,
    });
  }
  const ratioRules = failing(checks, isRatioRule);
  if (ratioRules.length) {
    const crop = cropToLegalRatio(size);
    const trimmed = crop.width < size.width ? `${size.width - crop.width} px of width` : `${size.height - crop.height} px of height`;
    offers.push({
      kind: 'crop',
      label: `Crop to ${ratioText(crop)}`,
      description: `Keeps the centre ${crop.width} × ${crop.height} and trims ${trimmed}, split between both edges.${still}`,
      rules: ratioRules,
      region: crop,
      resultWidth: crop.width,
      resultHeight: crop.height,
    });
    const pad = padToLegalRatio(size);
    offers.push({
      kind: 'pad',
      label: `Pad to ${ratioText(pad.canvas)}`,
      description: `Adds black bars to make ${pad.canvas.width} × ${pad.canvas.height}; nothing is cut.${still}`,
      rules: ratioRules,
      region: pad.region,
      resultWidth: pad.canvas.width,
      resultHeight: pad.canvas.height,
    });
  }
  const failingKinds = new Set(offers.map((offer) => (offer.kind === 'pad' ? 'crop' : offer.kind)));
  if (failingKinds.size > 1) {
    offers.unshift({
      kind: 'all',
      label: 'Fix all',
      description: `Applies ${[...failingKinds].join(', ')} in one go (crop rather than pad) and writes one ${output} copy.`,
      rules: checks.filter((check) => !check.pass).map((check) => check.rule),
    });
  }
  if (inspection.orientation !== 1 && offers.length === 0) {
    offers.push({
      kind: 'upright',
      label: 'Save upright',
      description:
        'The picture is stored turned and shown upright by its EXIF orientation. Writes it upright, so a server that ignores EXIF sees it as you do.',
      rules: [],
    });
  }
  if (inspection.pages > 1) {
    offers.push({
      kind: 'first-frame',
      label: 'Use frame 1 as a still',
      description: `This ${formatName(inspection.format)} has ${inspection.pages} frames and the model sees only the first. Writes that frame as a still ${output}.`,
      rules: [],
    });
  }
  return offers;
}

export interface FixSource {
  path: string;
  inspection: Inspection;
}

type SourceImage = () => Sharp;

async function openSource(source: FixSource): Promise<SourceImage> {
  try {
    if (source.inspection.format === 'bmp') {
      const { data, width, height, channels } = decodeBmp(await readFile(source.path));
      return () => sharp(data, { raw: { width, height, channels } });
    }
    await access(source.path);
  } catch (error) {
    throw sourceError(error);
  }
  // Page 0 only (sharp's default): the frame the model sees. Orientation applied first.
  return () => sharp(source.path, { failOn: 'error', autoOrient: true });
}

function sourceError(error: unknown): AppError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT')
    return new AppError('not_found', 'The working copy of this frame is gone (the staging folder was cleaned). Pick the frame again.', {
      cause: error,
    });
  return new AppError('invalid_input', `Keyframe could not decode this image to fix it: ${(error as Error).message}`, { cause: error });
}

const BEST_QUALITY: Record<Exclude<OutputFormat, 'png'>, number> = { jpeg: 95, webp: 95, avif: 80 };
const MIN_QUALITY = 60;

function encode(image: Sharp, format: OutputFormat, quality?: number, hasAlpha = false): Promise<Buffer> {
  switch (format) {
    case 'jpeg':
      return (hasAlpha ? image.flatten({ background: '#ffffff' }) : image)
        .jpeg({ quality: quality ?? BEST_QUALITY.jpeg, mozjpeg: false })
        .toBuffer();
    case 'webp':
      return image.webp({ quality: quality ?? BEST_QUALITY.webp, alphaQuality: 100 }).toBuffer();
    case 'avif':
      return image.avif({ quality: quality ?? BEST_QUALITY.avif, effort: 2 }).toBuffer();
    case 'png':
      return image.png({ compressionLevel: 9 }).toBuffer();
  }
}

/** Applies a plan to the upright source at `scale` (1 = the plan's own size). */
function draw(open: SourceImage, plan: Plan, base: Size, scale: number): Sharp {
  let image = open();
  if (plan.crop) image = image.extract(plan.crop);
  const content = plan.resize ?? (plan.crop ? { width: plan.crop.width, height: plan.crop.height } : base);
  if (plan.resize || scale !== 1) {
    image = image.resize(Math.max(1, Math.round(content.width * scale)), Math.max(1, Math.round(content.height * scale)), {
      fit: 'fill',
      kernel: 'lanczos3',
    });
  }
  if (plan.pad) {
    const { canvas, region } = plan.pad;
    const s = (n: number) => Math.round(n * scale);
    image = image.extend({
      left: s(region.left),
      top: s(region.top),
      right: s(canvas.width - region.width - region.left),
      bottom: s(canvas.height - region.height - region.top),
      background: '#000000',
    });
  }
  return image;
}

/**
 * Encodes `plan` under `maxBytes` with the least loss it can find: the preferred format at its best
 * quality; then (lossy formats) the highest quality that fits; then (PNG) JPEG or WebP; and only
 * then a smaller size, never below the minimum side.
 */
export async function renderFix(
  source: FixSource,
  plan: Plan,
  options: { maxBytes?: number } = {},
): Promise<{ data: Buffer; format: OutputFormat }> {
  const maxBytes = options.maxBytes ?? limits.maxBytes;
  const fits = (data: Buffer) => data.length < maxBytes;
  const { inspection } = source;
  const open = await openSource(source);
  const base: Size = { width: inspection.width, height: inspection.height };
  const formats: OutputFormat[] = plan.format === 'png' ? ['png', inspection.hasAlpha ? 'webp' : 'jpeg'] : [plan.format];
  const run = async <T>(work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      throw sourceError(error);
    }
  };

  for (const format of formats) {
    const best = await run(() => encode(draw(open, plan, base, 1), format, undefined, inspection.hasAlpha));
    if (fits(best)) return { data: best, format };
    if (format === 'png') continue;
    const found = await bisect(
      MIN_QUALITY,
      BEST_QUALITY[format] - 1,
      (q) => run(() => encode(draw(open, plan, base, 1), format, q, inspection.hasAlpha)),
      fits,
    );
    if (found) return { data: found, format };
  }

  // Still too big at the lowest quality we accept: scale down, keeping both sides over the minimum.
  const format = formats.at(-1)!;
  const final = plan.pad?.canvas ?? plan.resize ?? (plan.crop ? { width: plan.crop.width, height: plan.crop.height } : base);
  const minScale = Math.max((limits.minWidth + 1) / final.width, (limits.minHeight + 1) / final.height);
  const quality = format === 'png' ? undefined : Math.round((BEST_QUALITY[format] + MIN_QUALITY) / 2);
  const encodeAt = (scale: number) => run(() => encode(draw(open, plan, base, scale), format, quality, inspection.hasAlpha));
  let best = minScale < 1 ? await encodeAt(minScale) : undefined;
  if (!best || !fits(best)) {
    throw new AppError(
      'invalid_input',
      `Keyframe could not get this image under ${formatBytes(maxBytes)} without going below ${limits.minWidth} px. Try a simpler image.`,
    );
  }
  let low = minScale;
  let high = 1;
  for (let step = 0; step < 6; step++) {
    const mid = (low + high) / 2;
    const data = await encodeAt(mid);
    if (fits(data)) {
      best = data;
      low = mid;
    } else {
      high = mid;
    }
  }
  return { data: best, format };
}

/** The highest integer in [low, high] whose encoding fits, or undefined. */
export async function bisect(
  low: number,
  high: number,
  make: (q: number) => Promise<Buffer>,
  fits: (data: Buffer) => boolean,
): Promise<Buffer | undefined> {
  let best: Buffer | undefined;
  while (low <= high) {
    const mid = Math.ceil((low + high) / 2);
    const data = await make(mid);
    if (fits(data)) {
      best = data;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}
