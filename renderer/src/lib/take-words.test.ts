import { describe, expect, it } from 'vitest';
import { realLength, takeBadge, takeWords } from './take-words';

const board = { id: 'sb-20261202-041750-s8u3i3', name: 'Harbour at dawn' };
const shot = 'kaaaaaaaa>kbbbbbbbb';

describe('a take in words', () => {
  it('names the board and the shot, or says what became of them', () => {
    expect(takeWords({ storyboard: board, shot, shotNumber: 2 })).toBe('Storyboard Harbour at dawn · shot 2');
    expect(takeBadge({ storyboard: board, shot, shotNumber: 2 })).toBe('Shot 2 · Harbour at dawn');
    expect(takeWords({ storyboard: board, shot })).toBe('Storyboard Harbour at dawn · a shot no longer in its strip');
    expect(takeBadge({ storyboard: board, shot })).toBe('Harbour at dawn');
    expect(takeWords({ shot })).toBe('Take from a deleted storyboard');
    expect(takeBadge({ shot })).toBe('Deleted storyboard');
  });

  it('gives the real length only when it differs from the one asked for in hundredths of a second', () => {
    expect(realLength(5, 5.04)).toBe('5.04 s');
    expect(realLength(5, 4.96)).toBe('4.96 s');
    expect(realLength(5, 3)).toBe('3 s');
    expect(realLength(10, 10.1)).toBe('10.1 s');
    expect(realLength(5, 5.004)).toBeUndefined();
    expect(realLength(5, 4.9951)).toBeUndefined();
    expect(realLength(5, 5)).toBeUndefined();
    expect(realLength(5, undefined)).toBeUndefined();
  });
});
