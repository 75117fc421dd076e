/**
 * The one validator: applies the model's rules (data read from its schema in contract/model.ts) to
 * an inspection. It knows how to measure and compare; what the limits and messages are, the schema says.
 */
import type { RuleCheck } from '../../contract/frames';
import { formatBytes, formatName, formatRatio } from '../../contract/format';
import {
  acceptedExtensions,
  acceptedFormats,
  acceptedTypesMessage,
  BYTES_PER_MB,
  frameRules,
  limitWord,
  TYPE_RULE_ID,
} from '../../contract/model';
import type { FrameRule, ImageFormat, RuleMeasure } from '../../contract/model';

export interface Measured {
  format: ImageFormat;
  bytes: number;
  width: number;
  height: number;
}

interface MeasureSpec {
  name: string;
  value(frame: Measured): number;
  /** How a value (or the limit) of this measure reads, given the limit it is compared with. */
  show(value: number, limit: number, frame?: Measured): string;
}

const measures: Record<RuleMeasure, MeasureSpec> = {
  file_size_mb: {
    name: 'Size',
    value: (frame) => frame.bytes / BYTES_PER_MB,
    // Near the limit, exact bytes: "10,000,000 bytes" fails where "10.0 MB" would puzzle.
    show: (value, limit, frame) => {
      if (!frame) return `${value} MB`;
      return Math.abs(value - limit) < 0.05 ? `${frame.bytes.toLocaleString('en-US')} bytes` : formatBytes(frame.bytes);
    },
  },
  width_pixels: { name: 'Width', value: (frame) => frame.width, show: (value) => `${value} px` },
  height_pixels: { name: 'Height', value: (frame) => frame.height, show: (value) => `${value} px` },
  'width/height': {
    name: 'Aspect ratio',
    value: (frame) => frame.width / frame.height,
    show: (value, _limit, frame) => (frame ? formatRatio(value) : value.toFixed(2)),
  },
};

function applyRule(rule: FrameRule, frame: Measured): RuleCheck {
  const measure = measures[rule.measure];
  const value = measure.value(frame);
  const pass = rule.op === '<' ? value < rule.limit : value > rule.limit;
  const actual = measure.show(value, rule.limit, frame);
  const limit = measure.show(rule.limit, rule.limit);
  return {
    rule: rule.id,
    measure: measure.name,
    pass,
    actual,
    detail: pass ? `${actual}, ${limitWord[rule.op]} ${limit}` : `${actual}: must be ${limitWord[rule.op]} ${limit}`,
    message: rule.message,
  };
}

function typeCheck(frame: Measured): RuleCheck {
  const pass = acceptedFormats.includes(frame.format);
  const actual = formatName(frame.format);
  const list = acceptedExtensions.join(', ');
  return {
    rule: TYPE_RULE_ID,
    measure: 'Type',
    pass,
    actual,
    detail: pass ? `${actual}, read from the file's content` : `${actual}: must be one of ${list}`,
    message: acceptedTypesMessage,
  };
}

/** Every check, type first, then the schema's rules in the schema's order. */
export function validate(frame: Measured): RuleCheck[] {
  return [typeCheck(frame), ...frameRules.map((rule) => applyRule(rule, frame))];
}

export const allPass = (checks: readonly RuleCheck[]) => checks.every((check) => check.pass);
