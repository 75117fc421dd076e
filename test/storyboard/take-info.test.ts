/**
 * A take as the Queue and the Library show it: its board (by the name it has now) and shot, and the
 * real length of its video, read when the download was checked. The app's real services, a real
 * library, real MP4s downloaded over HTTP from the fake RunComfy API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueItem, Storyboard } from '../../main/contract';
import type { JobRecord } from '../../main/services/library/manifest';
import { toStoryboard } from '../../main/services/storyboard/present';
import type { BoardRecord } from '../../main/services/storyboard/record';
import { until } from '../jobs/cli-harness';
import { boardRig } from './rig';
import type { BoardRig } from './rig';

const clip = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/video', name));
const rigs: BoardRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

/** Three keyframes, two shots with prompts; the fake gives the first take a 3 s clip, the second a 5 s one. */
async function boardWithTakes(): Promise<{ r: BoardRig; sb: Storyboard; takes: string[]; queued: QueueItem[] }> {
  const r = await boardRig({ videos: [clip('shot-a.mp4'), clip('clip-5s.mp4')] });
  rigs.push(r);
  const queued: QueueItem[] = [];
  r.services.events.listen((name, item) => name === 'jobs:changed' && queued.push(item as QueueItem));
  const { storyboard } = r.services;
  let sb = await storyboard.create('Harbour at dawn');
  for (const [at, colour] of ['#c33', '#3c3', '#33c'].entries())
    sb = await storyboard.putKeyframe(sb.id, { frameId: await r.pick(colour), at, mode: 'insert' });
  for (const shot of sb.shots) sb = await storyboard.setShot(sb.id, shot.key, { prompt: 'the tide comes in', duration: 5 });
  const takes: string[] = [];
  for (const shot of sb.shots) takes.push(...(await storyboard.make(sb.id, { shots: [shot.key] })).sent);
  await until(() => takes.every((id) => r.services.library.store.get(id)?.files.some((f) => f.kind === 'video' && f.complete)), 'videos');
  return { r, sb: storyboard.get(sb.id), takes, queued };
}

describe('a take in the Queue and the Library', () => {
  it('names its board and shot in the queue, the gallery and the detail, by the board as it is now', async () => {
    const { r, sb, takes, queued } = await boardWithTakes();
    const { library, storyboard } = r.services;
    const second = { storyboard: { id: sb.id, name: 'Harbour at dawn' }, shot: sb.shots[1].key, shotNumber: 2 };
    expect(library.detail(takes[1]).take).toEqual(second);
    const rows = queued.filter((item) => item.id === takes[1]);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.take).toEqual(second);
    expect(library.store.list().items.find((item) => item.id === takes[1])?.take).toEqual(second);

    await storyboard.update(sb.id, { name: 'Harbour at night' });
    expect(library.detail(takes[0]).take).toEqual({
      storyboard: { id: sb.id, name: 'Harbour at night' },
      shot: sb.shots[0].key,
      shotNumber: 1,
    });

    // The last keyframe moves to the front: the pair of shot 2 is no longer side by side.
    await storyboard.moveKeyframe(sb.id, sb.keyframes[2].id, 0);
    expect(library.store.list().items.find((item) => item.id === takes[1])?.take).toEqual({
      storyboard: { id: sb.id, name: 'Harbour at night' },
      shot: sb.shots[1].key,
    });

    await storyboard.delete(sb.id, { withJobs: false });
    const page = library.store.list();
    expect(page.items.map((item) => item.take)).toEqual([{ shot: sb.shots[1].key }, { shot: sb.shots[0].key }]);
    expect(library.detail(takes[0]).take).toEqual({ shot: sb.shots[0].key });
  });

  it('records each video’s real length when its download is checked, and gives it to the take and the job’s detail', async () => {
    const { r, sb, takes } = await boardWithTakes();
    const { library } = r.services;
    // shot-a.mp4 lasts 3 s although 5 s were asked for; clip-5s.mp4 lasts 5 s.
    expect(library.store.require(takes[0]).files.find((f) => f.kind === 'video')).toMatchObject({ complete: true, durationS: 3 });
    expect(library.detail(takes[0])).toMatchObject({ duration: 5, videos: [{ durationS: 3, frames: 72, frameRate: 24 }] });
    expect(library.detail(takes[1]).videos[0].durationS).toBe(5);
    expect(sb.shots.map((shot) => shot.takes.map((take) => take.durationS))).toEqual([[3], [5]]);
  });

  it('keeps the requested duration for a job downloaded before real lengths were recorded', async () => {
    const { r, sb, takes } = await boardWithTakes();
    const { library, storyboard } = r.services;
    const old = (id: string): JobRecord => {
      const record = structuredClone(library.store.require(id));
      for (const file of record.files) delete file.durationS;
      return record;
    };
    const board = storyboard.boards.require(sb.id) as BoardRecord;
    const shown = toStoryboard(board, takes.map(old), (root, path) => `/media/${root}/${path}`);
    expect(shown.shots.map((shot) => shot.takes.map((take) => take.durationS))).toEqual([[5], [5]]);
  });
});
