/**
 * Turns a frame's checks into the rows the Create screen shows: one row per message of the model's
 * schema (width and height share one, as do the two ratio limits), with what was measured. Before a
 * frame is there, the same rows come from the rule data, so nothing moves when a verdict arrives.
 */
import type { RuleCheck } from '$contract';
import { formatName } from '$contract/format';
import { acceptedFormats, acceptedTypesMessage, frameLimitsHint, frameRules } from '$contract/model';

export interface CheckRow {
  message: string;
  /** undefined while there is no frame (or it is being read). */
  pass: boolean | undefined;
  /** "Width 1044 px · Height 400 px", or for failures "Aspect ratio 2.61: must be under 2.50". */
  value: string;
  rules: string[];
}

const uniq = (items: string[]) => [...new Set(items)];

/** The schema's messages in schema order, type first: the rows every slot shows. */
export const ruleMessages: string[] = uniq([acceptedTypesMessage, ...frameRules.map((rule) => rule.message)]);

export function checkRows(checks: readonly RuleCheck[] | undefined): CheckRow[] {
  return ruleMessages.map((message) => {
    const group = (checks ?? []).filter((check) => check.message === message);
    if (group.length === 0) return { message, pass: undefined, value: '', rules: [] };
    const failing = group.filter((check) => !check.pass);
    return {
      message,
      pass: failing.length === 0,
      value: failing.length ? failureText(failing) : passText(group),
      rules: group.map((check) => check.rule),
    };
  });
}

function passText(group: RuleCheck[]): string {
  return uniq(group.map((check) => `${check.measure} ${check.actual}`)).join(' · ');
}

/** "Width 300 px · Height 300 px: must be over 300 px" when the failures share one limit. */
function failureText(failing: RuleCheck[]): string {
  const tails = uniq(failing.map((check) => check.detail.slice(check.actual.length)));
  const parts = uniq(failing.map((check) => `${check.measure} ${check.actual}`));
  if (tails.length === 1) return `${parts.join(' · ')}${tails[0]}`;
  return uniq(failing.map((check) => `${check.measure} ${check.detail}`)).join(' · ');
}

const orList = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join(''));

/** What a slot says before a frame is picked: the accepted formats by name, then the side and size limits, all from the schema. */
export const frameHint = `${orList(acceptedFormats.map(formatName))} · ${frameLimitsHint}`;
