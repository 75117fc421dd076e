/**
 * What the model accepts, read from its published input schema (main/model/*.schema.json) and
 * nowhere else: the frame rules with their values and messages, the accepted file types, the
 * durations and the prompt's help text. Pure data, so main (the authority) and the renderer (for
 * labels and options) read the same thing.
 */
import schema from '../model/kling-o1-image-to-video.schema.json' with { type: 'json' };

export const MODEL_ID: string = schema.model_id;

const input = schema.input.properties;

/**
 * "10 MB" read as 10 000 000 bytes: the smaller of the two readings (10 × 1024 × 1024 would let
 * through files the server may refuse), so a file that passes here passes either way.
 */
export const BYTES_PER_MB = 1_000_000;

/** What a rule measures. Each schema `validation_rule` is `<measure><op>`. */
export type RuleMeasure = 'file_size_mb' | 'width_pixels' | 'height_pixels' | 'width/height';

export interface FrameRule {
  /** The schema's own rule id, e.g. `width/height<`; also the id of its check. */
  id: string;
  measure: RuleMeasure;
  /** Strict comparison, as the schema means it: the value must be below (`<`) or above (`>`) `limit`. */
  op: '<' | '>';
  limit: number;
  /** The schema's `validation_error`, shown as is. */
  message: string;
}

const measures: readonly RuleMeasure[] = ['file_size_mb', 'width_pixels', 'height_pixels', 'width/height'];

function parseRule(raw: { validation_rule: string; validation_value: number; validation_error: string }): FrameRule {
  const op = raw.validation_rule.slice(-1);
  const measure = raw.validation_rule.slice(0, -1) as RuleMeasure;
  if ((op !== '<' && op !== '>') || !measures.includes(measure))
    throw new Error(`unknown rule in the model schema: ${raw.validation_rule}`);
  return { id: raw.validation_rule, measure, op, limit: raw.validation_value, message: raw.validation_error };
}

/** The start and end image fields carry the same validations; both are read and must agree. */
const startRules = input.start_image_url.validations.map(parseRule);
const endRules = input.end_image_url.validations.map(parseRule);
if (JSON.stringify(startRules) !== JSON.stringify(endRules))
  throw new Error('the model schema gives different rules for start and end frames');

export const frameRules: readonly FrameRule[] = startRules;

/** "Accepted file types: jpg, jpeg, png, webp, gif, avif." from the image field's description. */
function parseAcceptedTypes(description: string): { extensions: string[]; message: string } {
  const match = /Accepted file types: ([^.]+)\./.exec(description);
  if (!match) throw new Error('the model schema no longer lists accepted file types');
  return { extensions: match[1].split(',').map((type) => type.trim().toLowerCase()), message: match[0] };
}

const types = parseAcceptedTypes(input.start_image_url.description);

/** File extensions the schema names, e.g. jpg, jpeg, png, webp, gif, avif. */
export const acceptedExtensions: readonly string[] = types.extensions;

/** The schema's sentence about types, used as the type check's message. */
export const acceptedTypesMessage: string = types.message;

/** The id of the file-type check (the schema has no rule id for it; this one is ours). */
export const TYPE_RULE_ID = 'file_type';

/** Image formats by content, as the inspector names them. `jpg` and `jpeg` are both `jpeg`. */
export const imageFormats = ['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff', 'heif', 'bmp'] as const;
export type ImageFormat = (typeof imageFormats)[number];

/** A format's file extensions, the usual one first: a JPEG is a .jpg or a .jpeg. */
export const extensionsOf = (format: ImageFormat): readonly string[] => (format === 'jpeg' ? ['jpg', 'jpeg'] : [format]);

/** A format's MIME type, e.g. image/jpeg. */
export const mimeOf = (format: ImageFormat): string => `image/${format}`;

/** The detected formats the model accepts: those whose usual extensions the schema lists. */
export const acceptedFormats: readonly ImageFormat[] = imageFormats.filter((format) =>
  extensionsOf(format).some((extension) => acceptedExtensions.includes(extension)),
);

/** How a rule's comparison reads: "under" 10 MB, "over" 300 px. */
export const limitWord = { '<': 'under', '>': 'over' } as const;

const hintUnits: readonly [RuleMeasure, string][] = [
  ['width_pixels', 'px'],
  ['height_pixels', 'px'],
  ['file_size_mb', 'MB'],
];

/** "over 300 px · under 10 MB": the side and size limits in a few words (a missed aspect ratio is told by its check). */
export const frameLimitsHint: string = [
  ...new Set(
    hintUnits.flatMap(([measure, unit]) =>
      frameRules.filter((rule) => rule.measure === measure).map((rule) => `${limitWord[rule.op]} ${rule.limit} ${unit}`),
    ),
  ),
].join(' · ');

/** The accepted format a file name's extension stands for, if any (`start.jpg` is `jpeg`). */
export function acceptedFormatOf(name: string): ImageFormat | undefined {
  const extension = name.split('.').pop()?.toLowerCase() ?? '';
  return acceptedFormats.find((format) => extensionsOf(format).includes(extension));
}

export const durations = input.duration.enum as readonly number[];
export const defaultDurationFromSchema: number = input.duration.default;

/** "Use @Image1 to reference the start frame, @Image2 to reference the end frame." */
export const promptHelp: string = input.prompt.description;

/** The tokens the prompt may use, with the frame each one names, read from the prompt's help. */
export const promptTokens: readonly { token: string; role: 'start' | 'end' }[] = [
  ...promptHelp.matchAll(/(@\w+) to reference the (start|end) frame/g),
].map((match) => ({ token: match[1], role: match[2] as 'start' | 'end' }));

export const promptRequired: boolean = schema.input.required.includes('prompt');
