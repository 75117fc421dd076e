import { describe, expect, it } from 'vitest';
import type { Shot, Take } from '$contract';
import { boardOf } from '../test/fake-board';
import { lengthOf, playableTakes, seam, sequence } from './board-sequence';

const take = (jobId: string, durationS: number, status: Take['status'] = 'completed'): Take => ({
  jobId,
  status,
  stale: false,
  videoUrl: `/media/${jobId}.mp4`,
  durationS,
  createdAt: '2026-12-02T00:00:00.000Z',
});
const shot = (index: number, takes: Take[], pickedJobId?: string): Shot => ({
  key: `k0000000${index}>k0000000${index + 1}`,
  index,
  prompt: 'p',
  duration: 5,
  takes,
  pickedJobId,
  stale: false,
});
const board = (shots: Shot[]) => boardOf(shots);

describe('the storyboard sequence', () => {
  it('plays picked finished takes and shows the keyframes of any other shot for its duration', () => {
    const segments = sequence(
      board([
        shot(0, [take('20261202-010000-aaaaaa', 5.04), take('20261202-010000-bbbbbb', 5)], '20261202-010000-bbbbbb'),
        shot(1, [take('20261202-010000-cccccc', 5, 'running')], '20261202-010000-cccccc'),
        shot(2, [take('20261202-010000-dddddd', 5)]),
      ]),
    );
    expect(segments.map((segment) => segment.kind)).toEqual(['video', 'still', 'still']);
    expect(segments[0]).toMatchObject({ src: '/media/20261202-010000-bbbbbb.mp4', from: 0, to: 5 });
    expect(segments[1]).toMatchObject({ start: '/media/k1.png', end: '/media/k2.png', to: 5 });
    expect(lengthOf(segments)).toBe(15);
  });

  it('previews a seam as the last second of one shot and the first of the next', () => {
    const b = board([shot(0, [take('20261202-010000-aaaaaa', 5.5)], '20261202-010000-aaaaaa'), shot(1, []), shot(2, [])]);
    const [before, after] = seam(b, 0);
    expect(before).toMatchObject({ shot: 0, kind: 'video', from: 4.5, to: 5.5 });
    expect(after).toMatchObject({ shot: 1, kind: 'still', from: 0, to: 1 });
    expect(seam(b, 2)).toEqual([]);
  });
});

describe("a shot card's play button", () => {
  it('counts the finished takes with a video only, and plays one alone or more side by side', () => {
    const running = take('20261202-010000-aaaaaa', 5, 'running');
    const notDownloaded = { ...take('20261202-010000-bbbbbb', 5), videoUrl: undefined };
    const done = take('20261202-010000-cccccc', 5);
    expect(playableTakes(shot(0, [running, notDownloaded]))).toEqual({ count: 0, label: 'Play' });
    expect(playableTakes(shot(0, [running, done]))).toEqual({ count: 1, label: 'Play' });
    expect(playableTakes(shot(0, [done, take('20261202-010000-dddddd', 3)]))).toEqual({ count: 2, label: 'Play side by side' });
  });
});
