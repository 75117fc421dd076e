import { describe, expect, it } from 'vitest';
import schema from '../model/kling-o1-image-to-video.schema.json' with { type: 'json' };
import { formatNear } from './format';
import {
  acceptedExtensions,
  acceptedFormats,
  BYTES_PER_MB,
  durations,
  extensionsOf,
  frameLimitsHint,
  frameRules,
  mimeOf,
  promptRequired,
  promptTokens,
} from './model';

describe('the model rules, read from the schema the app carries', () => {
  it('take every validation of the image fields, with its value and its own message', () => {
    const published = schema.input.properties.start_image_url.validations;
    expect(frameRules.map((rule) => [rule.id, rule.limit, rule.message])).toEqual(
      published.map((v) => [v.validation_rule, v.validation_value, v.validation_error]),
    );
    expect(frameRules.find((rule) => rule.id === 'width/height<')).toMatchObject({ measure: 'width/height', op: '<', limit: 2.5 });
  });

  it('read the accepted types from the description, and map them to formats told by content', () => {
    expect(acceptedExtensions).toEqual(['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif']);
    expect(acceptedFormats).toEqual(['jpeg', 'png', 'webp', 'gif', 'avif']);
  });

  it('name a format by its usual extension and its MIME type', () => {
    expect(acceptedFormats.map((format) => [extensionsOf(format)[0], mimeOf(format)])).toEqual([
      ['jpg', 'image/jpeg'],
      ['png', 'image/png'],
      ['webp', 'image/webp'],
      ['gif', 'image/gif'],
      ['avif', 'image/avif'],
    ]);
  });

  it('say what an empty frame slot takes in one line: the types, the sides and the size', () => {
    expect(frameLimitsHint).toBe('over 300 px · under 10 MB');
  });

  it('count 10 MB as 10,000,000 bytes, the smaller reading', () => {
    expect(BYTES_PER_MB).toBe(1_000_000);
    expect(BYTES_PER_MB * 10).toBeLessThan(10 * 1024 * 1024);
  });

  it('read durations, the prompt requirement and the @Image tokens from the schema', () => {
    expect(durations).toEqual([5, 10]);
    expect(promptRequired).toBe(true);
    expect(promptTokens).toEqual([
      { token: '@Image1', role: 'start' },
      { token: '@Image2', role: 'end' },
    ]);
  });
});

describe('formatNear', () => {
  it('never shows a passing value as the limit itself', () => {
    expect(formatNear(2.61, 2.5)).toBe('2.61');
    expect(formatNear(2.5, 2.5)).toBe('2.50');
    expect(formatNear(2.4975, 2.5)).toBe('2.498');
    expect(formatNear(0.40026, 0.4)).toBe('0.4003');
  });
});
