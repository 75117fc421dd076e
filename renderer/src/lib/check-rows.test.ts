import { describe, expect, it } from 'vitest';
import { checksFor } from '../test/fake-frames';
import { checkRows, frameHint, ruleMessages } from './check-rows';

describe('check rows', () => {
  it('are one per schema message, type first, even before there is a frame', () => {
    expect(ruleMessages).toEqual([
      'Accepted file types: jpg, jpeg, png, webp, gif, avif.',
      'File size must be less than 10 MB.',
      'The uploaded image width and height must exceed 300 pixels.',
      'The aspect ratio range should be between 0.40 and 2.50.',
    ]);
    expect(checkRows(undefined).map((row) => row.pass)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('sum up the schema in the hint an empty slot shows', () => {
    expect(frameHint).toBe('JPEG, PNG, WebP, GIF or AVIF · over 300 px · under 10 MB');
  });

  it('show what was measured, and for failures the value against the limit', () => {
    const rows = checkRows(checksFor(300, 300));
    expect(rows[2]).toMatchObject({ pass: false, value: 'Width 300 px · Height 300 px: must be over 300 px' });
    expect(rows[3]).toMatchObject({ pass: true, value: 'Aspect ratio 1.00' });
    expect(checkRows(checksFor(1044, 400))[3]).toMatchObject({ pass: false, value: 'Aspect ratio 2.61: must be under 2.50' });
    expect(checkRows(checksFor(800, 600))[2]).toMatchObject({ pass: true, value: 'Width 800 px · Height 600 px' });
  });
});
