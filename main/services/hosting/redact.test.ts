import { describe, expect, it } from 'vitest';
import { urlForLog } from './redact';

describe('urlForLog', () => {
  it('drops the signature and credential of a pre-signed URL', () => {
    const url =
      'https://frames.s3.eu-west-1.amazonaws.com/keyframe/abc.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250314%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=deadbeef';
    expect(urlForLog(url)).toBe('https://frames.s3.eu-west-1.amazonaws.com/keyframe/abc.png?[signed query removed]');
  });

  it('keeps a plain address, shortens a data URI to its type and length, and survives garbage', () => {
    expect(urlForLog('https://example.com/a.png')).toBe('https://example.com/a.png');
    expect(urlForLog('https://example.com/a.png?size=2')).toBe('https://example.com/a.png?[query removed]');
    expect(urlForLog('data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA')).toBe('data:image/png;base64,…(46 characters)');
    expect(urlForLog('not a url')).toBe('[unreadable address]');
  });
});
