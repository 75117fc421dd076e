import { describe, expect, it } from 'vitest';
import { formatBytes, formatClock, formatSpan, statusWord, statusWords } from './format';
import { JobStatus } from './library';

describe('the shared formats', () => {
  it('write sizes in decimal units, as the model counts its 10 MB limit', () => {
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(412_000)).toBe('412 KB');
    // 9.9 MB on disk reads 9.9 MB everywhere (a binary reading would say 9.4 MB).
    expect(formatBytes(9_900_000)).toBe('9.9 MB');
    expect(formatBytes(10_000_000)).toBe('10 MB');
  });

  it('write clocks and spans', () => {
    expect(formatClock(64.25)).toBe('1:04');
    expect(formatClock(64.25, true)).toBe('1:04.250');
    expect(formatClock(Number.NaN)).toBe('0:00');
    expect(formatSpan('2026-01-01T10:00:00Z', '2026-01-01T10:01:35Z')).toBe('1 min 35 s');
    expect(formatSpan('2026-01-01T10:00:00Z', '2026-01-01T12:05:00Z')).toBe('2 h 5 min');
  });

  it('give every job state one word, and say when the video is still coming down', () => {
    expect(Object.keys(statusWords).sort()).toEqual([...JobStatus.options].sort());
    expect(statusWord('running')).toBe('Generating');
    expect(statusWord('completed')).toBe('Completed');
    expect(statusWord('completed', 'downloading')).toBe('Downloading');
    expect(statusWord('completed', 'paused')).toBe('Download paused');
  });
});
