/**
 * The Storyboard service on the app's real services: a real library (SQLite file + folders), real
 * PNG frames through the FrameService, takes sent as jobs over HTTP to the fake RunComfy API.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ExportProgress, Storyboard } from '../../contract';
import { until } from '../../../test/jobs/cli-harness';
import { boardRig } from '../../../test/storyboard/rig';
import type { BoardRig } from '../../../test/storyboard/rig';

const FIXTURE = (name: string) => join(import.meta.dirname, '../../../test/fixtures/video', name);
const rigs: BoardRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

async function rig(): Promise<BoardRig> {
  const r = await boardRig();
  rigs.push(r);
  return r;
}

/** A board of `colours.length` keyframes with a prompt on every shot. */
async function board(r: BoardRig, colours: string[], takesPerShot = 1): Promise<Storyboard> {
  const { storyboard } = r.services;
  let current = await storyboard.create('Fox in the snow');
  for (const [at, colour] of colours.entries()) {
    current = await storyboard.putKeyframe(current.id, { frameId: await r.pick(colour), at, mode: 'insert' });
  }
  for (const shot of current.shots)
    current = await storyboard.setShot(current.id, shot.key, { prompt: `@Image1 to @Image2, shot ${shot.index + 1}` });
  return storyboard.update(current.id, { takesPerShot });
}

const completedTakes = (r: BoardRig, id: string, count: number) =>
  until(() => {
    const takes = r.services.storyboard.get(id).shots.flatMap((shot) => shot.takes);
    return takes.length === count && takes.every((take) => take.videoUrl) && takes;
  }, `${count} completed takes`);

describe('storyboard strip', () => {
  it('keeps keyframes as files named by their bytes, one shot per neighbouring pair, prompts staying with their pair', async () => {
    const r = await rig();
    const { storyboard } = r.services;
    const sb = await board(r, ['#c33', '#3c3', '#33c']);
    expect(sb.keyframes).toHaveLength(3);
    expect(sb.shots.map((shot) => shot.key)).toEqual([
      `${sb.keyframes[0].id}>${sb.keyframes[1].id}`,
      `${sb.keyframes[1].id}>${sb.keyframes[2].id}`,
    ]);
    const folder = r.services.storyboard.boards.folderOf(sb.id);
    expect(readdirSync(folder).sort()).toEqual([...sb.keyframes.map((k) => `${k.sha256}.png`), 'storyboard.json'].sort());
    expect(sb.keyframes[0].mediaUrl).toBe(`/media/library/storyboards/${sb.id}/${sb.keyframes[0].sha256}.png`);

    // Moving the last keyframe first: new pairs start empty; moving it back gives the old prompts back.
    const [a, b, c] = sb.keyframes.map((k) => k.id);
    const moved = await storyboard.moveKeyframe(sb.id, c, 0);
    expect(moved.shots.map((shot) => [shot.key, shot.prompt])).toEqual([
      [`${c}>${a}`, ''],
      [`${a}>${b}`, '@Image1 to @Image2, shot 1'],
    ]);
    const back = await storyboard.moveKeyframe(sb.id, c, 2);
    expect(back.shots.map((shot) => shot.prompt)).toEqual(['@Image1 to @Image2, shot 1', '@Image1 to @Image2, shot 2']);

    const removed = await storyboard.removeKeyframe(sb.id, b);
    expect(removed.shots.map((shot) => shot.key)).toEqual([`${a}>${c}`]);
    expect(readdirSync(folder)).toHaveLength(3); // the removed keyframe's file went with it

    // A keyframe reopened as a picked frame shows its checks and keeps its name.
    const opened = await storyboard.openKeyframe(sb.id, a);
    expect(opened).toMatchObject({ name: sb.keyframes[0].name, sha256: sb.keyframes[0].sha256, accepted: true, width: 640 });
  });

  it('refuses what breaks the rules, with a clear message, and changes nothing', async () => {
    const r = await rig();
    const { storyboard } = r.services;
    const sb = await board(r, ['#c33', '#3c3']);
    const shot = sb.shots[0].key;
    await expect(storyboard.putKeyframe(sb.id, { frameId: 'no-such-frame', at: 0, mode: 'insert' })).rejects.toThrow(/no longer known/);
    await expect(storyboard.putKeyframe(sb.id, { frameId: await r.pick('#fff'), at: 5, mode: 'replace' })).rejects.toThrow(
      'There is no keyframe 6 to replace.',
    );
    await expect(storyboard.moveKeyframe(sb.id, sb.keyframes[0].id, 2)).rejects.toThrow('There is no place 3 in a strip of 2 keyframes.');
    await expect(storyboard.setShot(sb.id, `${sb.keyframes[1].id}>${sb.keyframes[0].id}`, { prompt: 'x' })).rejects.toThrow(
      /no longer in the storyboard/,
    );
    await expect(storyboard.pick(sb.id, shot, '20260101-000000-aaaaaa')).rejects.toThrow('That job is not a take of this shot.');
    expect(() => storyboard.get('sb-20260101-000000-aaaaaa')).toThrow(/is not in the library/);
    expect(storyboard.get(sb.id)).toEqual(sb);
  });
});

describe('making takes', () => {
  it('plans, then sends takes per shot as tagged jobs; the plan names blockers first', async () => {
    const r = await rig();
    const { storyboard } = r.services;
    let sb = await storyboard.create('Plan');
    for (const [at, size] of [
      [640, 360],
      [1200, 300],
      [640, 360],
    ].entries()) {
      sb = await storyboard.putKeyframe(sb.id, { frameId: await r.pick('#888', size[0], size[1]), at, mode: 'insert' });
    }
    sb = await storyboard.update(sb.id, { takesPerShot: 2 });
    const blocked = await storyboard.plan(sb.id, { shots: 'unpicked' });
    expect(blocked).toMatchObject({ shots: sb.shots.map((s) => s.key), jobs: 4, seconds: 20 });
    expect(blocked.blockers).toEqual([
      'Shot 1 has no prompt.',
      'Shot 2 has no prompt.',
      "Keyframe 2 (frame-1.png) does not meet the model's limits: fix or replace it.",
    ]);
    await expect(storyboard.make(sb.id, { shots: 'unpicked' })).rejects.toThrow(/^Nothing was sent\. Shot 1 has no prompt/);
    expect(r.fake.count('submit')).toBe(0);

    sb = await storyboard.putKeyframe(sb.id, { frameId: await r.pick('#484'), at: 1, mode: 'replace' });
    for (const shot of sb.shots) sb = await storyboard.setShot(sb.id, shot.key, { prompt: 'go', duration: shot.index ? 10 : 5 });
    const plan = await storyboard.plan(sb.id, { shots: 'unpicked' });
    expect(plan).toMatchObject({ jobs: 4, seconds: 30, blockers: [] });
    expect(plan.estimateUsd).toBeGreaterThan(0);

    const made = await storyboard.make(sb.id, { shots: [sb.shots[1].key] });
    expect(made).toEqual({ sent: expect.any(Array), problems: [] });
    expect(made.sent).toHaveLength(2);
    expect(r.fake.count('submit')).toBe(2);
    const takes = await completedTakes(r, sb.id, 2);
    expect(takes.map((take) => take.jobId)).toEqual(made.sent);
    const job = r.services.library.store.require(made.sent[0]);
    expect(job.tag).toEqual({ storyboard: sb.id, shot: sb.shots[1].key, from: [sb.keyframes[1].sha256, sb.keyframes[2].sha256] });
    expect(r.fake.submissions[0].body).toMatchObject({ prompt: 'go', duration: 10 });
    // The takes are ordinary jobs: in the library like any other.
    expect(
      r.services.library.store
        .list()
        .items.map((item) => item.id)
        .sort(),
    ).toEqual([...made.sent].sort());

    // Resuming to two takes per shot sends only what each shot lacks.
    const filled = await storyboard.make(sb.id, { shots: sb.shots.map((s) => s.key) }, 2);
    expect(filled.sent).toHaveLength(2);
    expect(r.fake.count('submit')).toBe(4);
    expect((await storyboard.make(sb.id, { shots: sb.shots.map((s) => s.key) }, 2)).sent).toEqual([]);
    expect(r.fake.count('submit')).toBe(4);
  });

  it('replacing a keyframe turns only its two neighbouring shots stale; their takes stay; picks follow completed takes only', async () => {
    const r = await rig();
    const { storyboard } = r.services;
    let sb = await board(r, ['#c33', '#3c3', '#33c', '#cc3']);
    await storyboard.make(sb.id, { shots: 'unpicked' });
    const takes = await completedTakes(r, sb.id, 3);
    sb = storyboard.get(sb.id);
    for (const shot of sb.shots) sb = await storyboard.pick(sb.id, shot.key, shot.takes[0].jobId);
    expect((await storyboard.plan(sb.id, { shots: 'unpicked' })).jobs).toBe(0);
    expect(sb.shots.map((shot) => shot.stale)).toEqual([false, false, false]);

    const second = sb.keyframes[1];
    sb = await storyboard.putKeyframe(sb.id, { frameId: await r.pick('#0f0'), at: 1, mode: 'replace' });
    expect(sb.keyframes[1]).toMatchObject({ id: second.id, changedAt: expect.any(String) });
    expect(sb.keyframes[1].sha256).not.toBe(second.sha256);
    expect(sb.shots.map((shot) => shot.stale)).toEqual([true, true, false]);
    expect(sb.shots.map((shot) => shot.takes.map((take) => take.jobId))).toEqual(takes.map((take) => [take.jobId]));
    expect(sb.shots.map((shot) => shot.takes[0].stale)).toEqual([true, true, false]);
    expect(sb.shots.every((shot) => shot.pickedJobId)).toBe(true);
    expect(existsSync(r.services.storyboard.boards.fileOf(sb.id, `${second.sha256}.png`))).toBe(false);
  });
});

describe('storage', () => {
  it('survives a restart, and comes back from its folder when the index is lost', async () => {
    const r = await rig();
    const sb = await board(r, ['#c33', '#3c3', '#33c']);
    const json = JSON.parse(readFileSync(`${r.services.storyboard.boards.folderOf(sb.id)}/storyboard.json`, 'utf8'));
    expect(json).toMatchObject({ format: 'keyframe-storyboard/1', id: sb.id, revision: expect.any(Number) });
    expect((await r.reopen()).storyboard.get(sb.id)).toEqual(sb);

    const db = `${r.services.library.store.dir}/library.db`;
    const reopened = await r.reopen(() => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    });
    expect(reopened.storyboard.list().map((summary) => summary.id)).toEqual([sb.id]);
    expect(reopened.storyboard.get(sb.id)).toEqual(sb);
  });

  it('deletes a board and keeps its takes unless asked', async () => {
    const r = await rig();
    const { storyboard } = r.services;
    const kept = await board(r, ['#c33', '#3c3']);
    const gone = await board(r, ['#33c', '#cc3']);
    await storyboard.make(kept.id, { shots: 'unpicked' });
    await storyboard.make(gone.id, { shots: 'unpicked' });
    await completedTakes(r, kept.id, 1);
    await completedTakes(r, gone.id, 1);
    expect(r.services.library.store.count()).toBe(2);

    // A take still being made when its board goes stays in the library (and the queue) to end.
    const open = await r.services.library.store.createJob({
      prompt: 'still at RunComfy',
      duration: 5,
      tag: r.services.library.store.get(r.services.storyboard.get(gone.id).shots[0].takes[0].jobId)!.tag,
    });
    expect(r.services.library.store.count()).toBe(3);

    await storyboard.delete(kept.id, { withJobs: false });
    expect(r.services.library.store.count()).toBe(3);
    await storyboard.delete(gone.id, { withJobs: true });
    expect(
      r.services.library.store
        .list()
        .items.map((job) => job.id)
        .sort(),
    ).toEqual([open.id, r.services.library.store.taggedWith(kept.id)[0].id].sort());
    expect(storyboard.list()).toEqual([]);
    expect(r.platform.calls.filter((call) => call.kind === 'trash')).toHaveLength(3);
  });

  it('reveals only files it exported itself', async () => {
    const r = await rig();
    expect(() => r.services.storyboard.revealExport('/etc/passwd')).toThrow('Keyframe shows only files it exported itself.');
    expect(r.platform.calls).toEqual([]);
  });
});

describe('export', () => {
  it('asks where to save, writes the cut and its sidecar with progress, then reveals that file; a cancel leaves nothing', async () => {
    const r = await boardRig({ videos: [readFileSync(FIXTURE('shot-a.mp4')), readFileSync(FIXTURE('shot-b.mp4'))] });
    rigs.push(r);
    const { storyboard } = r.services;
    let sb = await board(r, ['#c33', '#3c3', '#33c']);
    await expect(storyboard.export(sb.id)).rejects.toThrow('Shots 1, 2 have no picked take with its video yet: pick one before exporting.');
    await storyboard.make(sb.id, { shots: 'unpicked' });
    const takes = await completedTakes(r, sb.id, 2);
    for (const [index, shot] of sb.shots.entries()) sb = await storyboard.pick(sb.id, shot.key, takes[index].jobId);

    // The user closes the dialog: nothing happens.
    expect(await storyboard.export(sb.id)).toEqual({});
    const progress: ExportProgress[] = [];
    r.services.events.listen((name, payload) => name === 'storyboard:exportProgress' && progress.push(payload as ExportProgress));
    const path = join(r.dir, 'fox.mp4');
    r.platform.saveDialogAnswers.push(path);
    expect(await storyboard.export(sb.id)).toEqual({ path, sidecarPath: join(r.dir, 'fox.json'), durationS: 5, mode: 'remux' });
    expect(r.platform.calls.filter((call) => call.kind === 'saveDialog')).toEqual([
      expect.objectContaining({ defaultName: 'fox-in-the-snow.mp4' }),
      expect.objectContaining({ defaultName: 'fox-in-the-snow.mp4' }),
    ]);
    expect(progress[0]).toMatchObject({ id: sb.id, phase: 'checking' });
    expect(progress.at(-1)).toMatchObject({ phase: 'done', fraction: 1 });
    expect(progress.some((step) => step.phase === 'writing')).toBe(true);
    expect(JSON.parse(readFileSync(join(r.dir, 'fox.json'), 'utf8'))).toMatchObject({
      storyboard: { id: sb.id },
      export: { durationS: 5 },
    });
    storyboard.revealExport(path);
    expect(r.platform.calls.at(-1)).toEqual({ kind: 'reveal', path });

    const stopped = new AbortController();
    stopped.abort();
    const elsewhere = join(r.dir, 'cancelled.mp4');
    await expect(storyboard.exportTo(sb.id, elsewhere, { signal: stopped.signal })).rejects.toThrow('The export was cancelled');
    expect(readdirSync(r.dir).filter((name) => name.includes('cancelled'))).toEqual([]);
    expect(() => storyboard.revealExport(elsewhere)).toThrow('Keyframe shows only files it exported itself.');
  });
});
