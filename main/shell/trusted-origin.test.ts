import { describe, expect, it } from 'vitest';
import { isAppUrl } from './trusted-origin';

describe('isAppUrl', () => {
  const fileEntry = 'file:///opt/Keyframe/resources/app.asar/out/renderer/index.html';
  it('accepts only our own page when loaded from a file', () => {
    expect(isAppUrl(fileEntry, fileEntry)).toBe(true);
    expect(isAppUrl(fileEntry + '#/library', fileEntry)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', fileEntry)).toBe(false);
    expect(isAppUrl('file:///opt/Keyframe/resources/app.asar/out/renderer/other.html', fileEntry)).toBe(false);
    expect(isAppUrl('https://evil.example/index.html', fileEntry)).toBe(false);
  });
  it('accepts only the dev server origin in development', () => {
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/some/path', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://localhost.evil.example:5173/', dev)).toBe(false);
  });
  it('rejects garbage', () => {
    expect(isAppUrl('not a url', fileEntry)).toBe(false);
    expect(isAppUrl('', fileEntry)).toBe(false);
  });
});
