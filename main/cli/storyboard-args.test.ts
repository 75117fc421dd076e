/** The `storyboard` CLI's arguments and board file: each mistake named in a sentence. */
import { describe, expect, it } from 'vitest';
import { UsageError } from './jobs-args';
import { parseBoardFile, parseStoryboardArgs } from './storyboard-args';

describe('storyboard CLI arguments', () => {
  it('reads make and export', () => {
    expect(parseStoryboardArgs(['make', 'board.json'])).toEqual({ kind: 'make', file: 'board.json', verbose: false });
    expect(parseStoryboardArgs(['export', 'sb-20261202-010203-abc123', '--out', 'cut.mp4', '--verbose'])).toEqual({
      kind: 'export',
      id: 'sb-20261202-010203-abc123',
      out: 'cut.mp4',
      verbose: true,
    });
    expect(parseStoryboardArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], 'Say what to do: make or export.'],
    [['draw'], 'Unknown command "draw". Use make or export.'],
    [['make'], '"make" takes one board file'],
    [['make', 'a.json', 'b.json'], '"make" takes one board file'],
    [['make', 'a.json', '--out', 'x.mp4'], '"make" has no option --out.'],
    [['export', 'sb-20261202-010203-abc123'], '--out is required: the MP4 file to write.'],
    [['export', '20261202-010203-abc123', '--out', 'x.mp4'], 'is not a storyboard id'],
  ])('%j → %s', (args, message) => {
    expect(() => parseStoryboardArgs(args)).toThrow(UsageError);
    expect(() => parseStoryboardArgs(args)).toThrow(message);
  });
});

describe('board file', () => {
  const good = {
    keyframes: ['a.png', 'b.png', 'c.png'],
    shots: [
      { prompt: 'p', duration: 5 },
      { prompt: 'q', duration: 10 },
    ],
    takes: 2,
  };

  it('reads a board', () => {
    expect(parseBoardFile(JSON.stringify(good), 'board.json')).toEqual(good);
  });

  it.each([
    ['{', 'board.json is not valid JSON.'],
    [JSON.stringify({ ...good, keyframes: ['a.png'], shots: [] }), 'board.json is not a board file at keyframes:'],
    [JSON.stringify({ ...good, shots: good.shots.slice(1) }), 'one shot per neighbouring pair of keyframes'],
    [JSON.stringify({ ...good, takes: 5 }), 'board.json is not a board file at takes:'],
    [JSON.stringify({ ...good, shots: [good.shots[0], { prompt: ' ', duration: 5 }] }), 'at shots.1.prompt: a shot needs a prompt.'],
    [JSON.stringify({ ...good, shots: [good.shots[0], { prompt: 'q', duration: 7 }] }), 'at shots.1.duration'],
    [JSON.stringify({ ...good, colour: 'red' }), 'board.json is not a board file'],
  ])('%s → %s', (text, message) => {
    expect(() => parseBoardFile(text, 'board.json')).toThrow(message);
  });
});
