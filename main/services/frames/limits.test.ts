import { describe, expect, it } from 'vitest';
import { cropToLegalRatio, limits, padToLegalRatio, upscaleJustOver } from './limits';

describe('the limits the fixes aim for come from the rule data', () => {
  it('are the schema values', () => {
    expect(limits).toEqual({ maxBytes: 10_000_000, minWidth: 300, minHeight: 300, minRatio: 0.4, maxRatio: 2.5 });
  });
});

describe('fix geometry lands just inside the limits', () => {
  it('crops a too-wide image to the widest legal centre', () => {
    const crop = cropToLegalRatio({ width: 1044, height: 400 });
    expect(crop).toEqual({ left: 22, top: 0, width: 999, height: 400 });
    expect(crop.width / crop.height).toBeLessThan(2.5);
    expect((crop.width + 1) / crop.height).toBeGreaterThanOrEqual(2.5);
  });

  it('crops an image of exactly 2.5 and exactly 0.4', () => {
    expect(cropToLegalRatio({ width: 1000, height: 400 })).toMatchObject({ width: 999, height: 400 });
    const tall = cropToLegalRatio({ width: 400, height: 1000 });
    expect(tall).toMatchObject({ width: 400, height: 999, top: 0 });
    expect(tall.width / tall.height).toBeGreaterThan(0.4);
  });

  it('pads to the nearest legal canvas, image centred', () => {
    const wide = padToLegalRatio({ width: 1000, height: 400 });
    expect(wide.canvas).toEqual({ width: 1000, height: 401 });
    const tall = padToLegalRatio({ width: 300, height: 1000 });
    expect(tall.canvas.width / tall.canvas.height).toBeGreaterThan(0.4);
    expect(tall.region).toEqual({ left: Math.floor((tall.canvas.width - 300) / 2), top: 0, width: 300, height: 1000 });
  });

  it('upscales just over 300 px, keeping the shape', () => {
    expect(upscaleJustOver({ width: 300, height: 300 })).toEqual({ width: 301, height: 301 });
    expect(upscaleJustOver({ width: 480, height: 270 })).toEqual({ width: 535, height: 301 });
    expect(upscaleJustOver({ width: 200, height: 400 })).toEqual({ width: 301, height: 602 });
  });
});
