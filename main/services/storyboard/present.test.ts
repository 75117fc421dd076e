/**
 * A take's still (`Take.posterUrl`), which the board shows until the take is played: always set,
 * from the best picture of the take's first frame there is. Pure: records in, the contract out.
 */
import { describe, expect, it } from 'vitest';
import type { FileEntry, JobRecord } from '../library/manifest';
import { MANIFEST_FORMAT } from '../library/manifest';
import { mediaUrlFor } from '../media';
import { toStoryboard } from './present';
import { BOARD_FORMAT } from './record';
import type { BoardKeyframe, BoardRecord } from './record';

const at = '2026-12-02T04:00:00.000Z';
const sha = (c: string) => c.repeat(64);
const keyframe = (id: string, hash: string): BoardKeyframe => ({
  id,
  name: `${id}.png`,
  file: `${hash}.png`,
  sha256: hash,
  width: 640,
  height: 360,
  bytes: 1000,
  accepted: true,
});
const [k1, k2] = [keyframe('k11111111', sha('a')), keyframe('k22222222', sha('b'))];
const board: BoardRecord = {
  format: BOARD_FORMAT,
  id: 'sb-20261202-040000-aaaaaa',
  revision: 1,
  name: 'Stills',
  createdAt: at,
  updatedAt: at,
  takesPerShot: 3,
  keyframes: [k1, k2],
  shots: {},
};
const file = (name: string, kind: FileEntry['kind'], role?: FileEntry['role']): FileEntry => ({
  name,
  kind,
  ...(role ? { role } : {}),
  bytes: 10,
  complete: true,
});
const take = (id: string, files: FileEntry[], from: [string, string] = [k1.sha256, k2.sha256]): JobRecord => ({
  format: MANIFEST_FORMAT,
  id,
  revision: 1,
  createdAt: at,
  updatedAt: at,
  status: 'completed',
  prompt: 'go',
  duration: 5,
  model: 'kling/kling-video-o1/image-to-video',
  favourite: false,
  history: [],
  files,
  tag: { storyboard: board.id, shot: `${k1.id}>${k2.id}`, from },
});

describe("a take's poster", () => {
  it("is the job's poster, else its own start frame's thumbnail, else the shot's start keyframe's", () => {
    const video = file('video.mp4', 'video');
    const jobs = [
      take('20261202-040000-aaaaa1', [file('start.png', 'frame', 'start'), video, file('poster.jpg', 'poster')]),
      // Made before keyframe 1 was replaced: its own start frame is still its first frame.
      take('20261202-040000-aaaaa2', [file('start.png', 'frame', 'start'), file('end.png', 'frame', 'end'), video], [sha('c'), k2.sha256]),
      take('20261202-040000-aaaaa3', [video]),
    ];
    const [shot] = toStoryboard(board, jobs, mediaUrlFor('kf-media://m/')).shots;
    expect(shot.takes.map((t) => t.posterUrl)).toEqual([
      'kf-media://m/library/2026-12/20261202-040000-aaaaa1/poster.jpg',
      'kf-media://m/library/2026-12/20261202-040000-aaaaa2/start.png?thumbnail',
      `kf-media://m/library/storyboards/${board.id}/${k1.file}?thumbnail`,
    ]);
    expect(shot.takes.map((t) => t.stale)).toEqual([false, true, false]);
  });
});
