import { describe, expect, it } from 'vitest';
import type { ImageFormat } from '../../contract/model';
import { allPass, validate } from './validate';

const frame = (over: Partial<{ format: ImageFormat; bytes: number; width: number; height: number }> = {}) => ({
  format: 'jpeg' as ImageFormat,
  bytes: 500_000,
  width: 1280,
  height: 720,
  ...over,
});
const check = (rule: string, over: Parameters<typeof frame>[0]) => validate(frame(over)).find((c) => c.rule === rule)!;

describe('the validator, at each rule boundary', () => {
  it('passes an ordinary 1280 × 720 JPEG on every rule', () => {
    const checks = validate(frame());
    expect(checks.map((c) => c.rule)).toEqual([
      'file_type',
      'file_size_mb<',
      'width_pixels>',
      'height_pixels>',
      'width/height>',
      'width/height<',
    ]);
    expect(allPass(checks)).toBe(true);
  });

  it('fails exactly 300 px and passes 301 px, for width and for height', () => {
    expect(check('width_pixels>', { width: 300, height: 400 }).pass).toBe(false);
    expect(check('width_pixels>', { width: 301, height: 400 }).pass).toBe(true);
    expect(check('height_pixels>', { width: 400, height: 300 }).pass).toBe(false);
    expect(check('height_pixels>', { width: 400, height: 301 }).pass).toBe(true);
    expect(check('width_pixels>', { width: 300, height: 400 })).toMatchObject({
      detail: '300 px: must be over 300 px',
      message: 'The uploaded image width and height must exceed 300 pixels.',
    });
  });

  it('fails ratios of exactly 0.4 and 2.5 and passes just inside them', () => {
    expect(check('width/height>', { width: 400, height: 1000 }).pass).toBe(false);
    expect(check('width/height>', { width: 401, height: 1000 }).pass).toBe(true);
    expect(check('width/height<', { width: 1000, height: 400 }).pass).toBe(false);
    expect(check('width/height<', { width: 999, height: 400 }).pass).toBe(true);
    expect(check('width/height<', { width: 1000, height: 400 }).detail).toBe('2.50: must be under 2.50');
    expect(check('width/height<', { width: 999, height: 400 }).detail).toBe('2.498, under 2.50');
  });

  it('shows what the value is against the limit, with the schema message', () => {
    expect(check('width/height<', { width: 1044, height: 400 })).toMatchObject({
      pass: false,
      actual: '2.61',
      detail: '2.61: must be under 2.50',
      message: 'The aspect ratio range should be between 0.40 and 2.50.',
      measure: 'Aspect ratio',
    });
  });

  it('fails exactly 10 MB (10,000,000 bytes) and passes one byte less', () => {
    expect(check('file_size_mb<', { bytes: 10_000_000 })).toMatchObject({
      pass: false,
      detail: '10,000,000 bytes: must be under 10 MB',
      message: 'File size must be less than 10 MB.',
    });
    expect(check('file_size_mb<', { bytes: 9_999_999 }).pass).toBe(true);
    expect(check('file_size_mb<', { bytes: 10 * 1024 * 1024 }).pass).toBe(false);
    expect(check('file_size_mb<', { bytes: 12_400_000 }).detail).toBe('12.4 MB: must be under 10 MB');
  });

  it('accepts the six types by detected format and refuses the others with the schema sentence', () => {
    for (const format of ['jpeg', 'png', 'webp', 'gif', 'avif'] as const) expect(check('file_type', { format }).pass).toBe(true);
    for (const format of ['tiff', 'heif', 'bmp'] as const) {
      expect(check('file_type', { format })).toMatchObject({
        pass: false,
        message: 'Accepted file types: jpg, jpeg, png, webp, gif, avif.',
      });
    }
    expect(check('file_type', { format: 'tiff' }).detail).toBe('TIFF: must be one of jpg, jpeg, png, webp, gif, avif');
  });
});
