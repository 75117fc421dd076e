/**
 * The `storyboard` CLI as real processes against the fake RunComfy API (each job gets its own
 * clip), on a real library: a board file made into takes, picked, and exported into one MP4 whose
 * frames are counted with ffprobe; and kills with SIGKILL during `make` and during `export`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appServices, cliRig, frame, until } from '../jobs/cli-harness';
import type { CliRig } from '../jobs/cli-harness';
import type { FakeOptions } from '../fake-runcomfy/server';
import type { ShotLine } from '../../main/cli/storyboard-main';
import { synthClip } from './synth-clip';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/video', name));
const rigs: CliRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

async function rig(options: FakeOptions): Promise<CliRig> {
  const r = await cliRig({ plan: { queuePositions: 0, stepMs: 20, progressMs: 20 }, ...options }, 'storyboard');
  rigs.push(r);
  return r;
}

/** Three keyframes and a board file with two shots, `takes` takes each. */
async function boardFile(r: CliRig, takes: number): Promise<string> {
  for (const [index, colour] of ['#c33', '#3c3', '#33c'].entries()) await frame(r.dir, `k${index}.png`, colour);
  const path = join(r.dir, 'board.json');
  const shots = [
    { prompt: '@Image1 blooms into @Image2', duration: 5 },
    { prompt: '@Image1 fades into @Image2', duration: 10 },
  ];
  await writeFile(path, JSON.stringify({ keyframes: ['k0.png', 'k1.png', 'k2.png'], shots, takes }));
  return path;
}

const lastLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
const board = (stdout: string) => lastLine(stdout) as { storyboard: string; shots: ShotLine[] };

/** Video frames and duration as ffprobe counts them. */
function probe(path: string): { frames: number; seconds: number } {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=nb_read_frames:format=duration',
      '-of',
      'json',
      path,
    ],
    {
      encoding: 'utf8',
    },
  );
  const parsed = JSON.parse(out) as { streams: { nb_read_frames: string }[]; format: { duration: string } };
  return { frames: Number(parsed.streams[0].nb_read_frames), seconds: Number(parsed.format.duration) };
}

describe('npm run storyboard', { timeout: 120_000 }, () => {
  it('makes a 3-keyframe, 2-shot, 2-take board with exactly 4 jobs, and exports every frame of the picked takes', async () => {
    // Jobs in the order sent: shot 1 gets a then b, shot 2 gets b then a; the first take of each is picked.
    const r = await rig({ videos: [fixture('shot-a.mp4'), fixture('shot-b.mp4'), fixture('shot-b.mp4'), fixture('shot-a.mp4')] });
    const file = await boardFile(r, 2);
    const made = await r.cli(['make', file]).exited;
    expect(made.code, made.stderr).toBe(0);
    const line = board(made.stdout);
    expect(r.fake.count('submit')).toBe(4);
    expect(line.shots.map((shot) => shot.takes.map((take) => take.status))).toEqual([
      ['completed', 'completed'],
      ['completed', 'completed'],
    ]);
    expect(line.shots.map((shot) => shot.picked)).toEqual(line.shots.map((shot) => shot.takes[0].jobId));
    expect(r.fake.submissions.map((s) => s.body['duration'])).toEqual([5, 5, 10, 10]);

    // Run again on the same file: the same storyboard, nothing sent again.
    const again = await r.cli(['make', file]).exited;
    expect(again.code).toBe(0);
    expect(board(again.stdout).storyboard).toBe(line.storyboard);
    expect(r.fake.count('submit')).toBe(4);

    const out = join(r.dir, 'cut.mp4');
    const exported = await r.cli(['export', line.storyboard, '--out', out]).exited;
    expect(exported.code, exported.stderr).toBe(0);
    expect(lastLine(exported.stdout)).toEqual({ path: out, duration_s: 5, sidecar: join(r.dir, 'cut.json') });
    const [a, b] = [probe(line.shots[0].takes[0].videos[0]), probe(line.shots[1].takes[0].videos[0])];
    expect([a.frames, b.frames]).toEqual([72, 48]);
    expect(probe(out)).toEqual({ frames: a.frames + b.frames, seconds: a.seconds + b.seconds });
    const sidecar = JSON.parse(readFileSync(join(r.dir, 'cut.json'), 'utf8'));
    expect(sidecar.shots.map((shot: { take: { jobId: string; durationS: number } }) => [shot.take.jobId, shot.take.durationS])).toEqual([
      [line.shots[0].picked, 3],
      [line.shots[1].picked, 2],
    ]);
  });

  it('waits while the app holds the library, writing nothing, and makes the board once the app has closed', async () => {
    const r = await rig({ videos: [fixture('shot-a.mp4')] });
    const file = await boardFile(r, 1);
    const app = await appServices(r);
    let closed = false;
    try {
      const cli = r.cli(['make', file]);
      await until(() => cli.stderr().includes('Waiting: the Keyframe app (pid '), 'the CLI to say it waits for the app');
      expect(app.storyboard.list()).toEqual([]);
      expect(r.fake.count('submit')).toBe(0);
      await app.close();
      closed = true;
      const made = await cli.exited;
      expect(made.code, made.stderr).toBe(0);
      expect(made.stderr).toContain('The library is free: going on with sending.');
      expect(board(made.stdout).shots.map((shot) => shot.takes.map((take) => take.status))).toEqual([['completed'], ['completed']]);
      expect(r.fake.count('submit')).toBe(2);
    } finally {
      if (!closed) await app.close();
    }
  });

  it('says what is wrong with a board file and sends nothing', async () => {
    const r = await rig({});
    const file = join(r.dir, 'bad.json');
    await writeFile(file, JSON.stringify({ keyframes: ['k0.png', 'k1.png'], shots: [], takes: 2 }));
    const bad = await r.cli(['make', file]).exited;
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('bad.json is not a board file: there is one shot per neighbouring pair of keyframes');
    const usage = await r.cli(['export', 'not-an-id', '--out', 'x.mp4']).exited;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('"not-an-id" is not a storyboard id');
    expect(r.fake.requests.filter((request) => request.endpoint === 'submit')).toEqual([]);
  });
});

describe('npm run storyboard killed', { timeout: 150_000 }, () => {
  it('during make: the rerun sends only the missing takes; no shot is sent twice', async () => {
    const r = await rig({ videos: [fixture('shot-a.mp4')] });
    // The first take goes through; the second is still on its way when the process is killed.
    r.fake.script('submit', { delayMs: 0 }).script('submit', { delayMs: 5_000 });
    const file = await boardFile(r, 2);
    const make = r.cli(['make', file]);
    await until(() => r.fake.count('submit') === 2, 'the second take to reach the fake');
    const killed = await make.kill();
    expect(killed.signal).toBe('SIGKILL');
    expect((await r.jobs()).map((job) => job.tag?.shot)).toHaveLength(2);

    const resumed = await r.cli(['make', file]).exited;
    const line = board(resumed.stdout);
    expect(resumed.stderr).toContain('Resuming storyboard');
    expect(r.fake.count('submit')).toBe(4);
    // The take cut off while being sent is not known to have arrived: it waits for the user, and counts as sent.
    expect(line.shots.map((shot) => shot.takes.map((take) => take.status))).toEqual([
      ['completed', 'submit_unknown'],
      ['completed', 'completed'],
    ]);
    expect(resumed.code).toBe(0);
    const jobs = await r.jobs();
    expect(jobs).toHaveLength(4);
    expect(new Set(jobs.map((job) => job.tag?.storyboard))).toEqual(new Set([line.storyboard]));
  });

  it('during export: no partial file is left at the destination, and the rerun writes the whole cut', async () => {
    // Long clips, so the cut takes long enough to be killed while it is written.
    const long = join(await mkdtemp(join(tmpdir(), 'kf-long-clip-')), 'long.mp4');
    synthClip(long, 'testsrc=size=160x90:rate=24', ['-t', '150']);
    const r = await rig({ videos: [readFileSync(long)] });
    const file = await boardFile(r, 1);
    const made = await r.cli(['make', file]).exited;
    expect(made.code, made.stderr).toBe(0);
    const id = board(made.stdout).storyboard;

    const out = join(r.dir, 'cut.mp4');
    const exporting = r.cli(['export', id, '--out', out]);
    // Killed once it says it is writing packets (the part file may still be in the muxer's buffer).
    await until(() => /Writing the cut… \d+%/.test(exporting.stderr()), 'the cut being written');
    await exporting.kill();
    // Killed while the cut was written: nothing at the destination; or, if the kill landed just
    // after the rename (a busy machine), the whole cut; never part of one.
    if (existsSync(out)) expect(probe(out).frames).toBe(2 * probe(long).frames);

    const again = await r.cli(['export', id, '--out', out]).exited;
    expect(again.code, again.stderr).toBe(0);
    expect(probe(out).frames).toBe(2 * probe(long).frames);
    expect((await readdir(r.dir)).filter((name) => name.endsWith('.part'))).toEqual([]);
    expect(r.fake.count('submit')).toBe(2);
  });
});
