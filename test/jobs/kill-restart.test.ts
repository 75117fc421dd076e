/**
 * Kill and restart, with real processes: `npm run jobs -- run` is killed with SIGKILL at each phase
 * of a job's life, then `jobs resume` picks up. The fake API's own counters say how many times each
 * job was submitted; the library (opened as the app would open it) says what survived.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_VIDEO } from '../fake-runcomfy/server';
import type { FakeOptions } from '../fake-runcomfy/server';
import { cliRig, filesUnder, until } from './cli-harness';
import type { CliRig } from './cli-harness';

const PROMPT = '@Image1 turns slowly into @Image2';
const rigs: CliRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

async function rig(options: FakeOptions): Promise<CliRig> {
  const r = await cliRig(options);
  rigs.push(r);
  return r;
}

const runArgs = (r: CliRig, start = r.start) => ['run', '--start', start, '--end', r.end, '--prompt', PROMPT];
const fixture = readFileSync(FIXTURE_VIDEO);

// Three or four Node processes per case: on a busy machine (npm run test:stress) that alone takes
// more than the default 20 s budget, so these cases get the same budget as test/jobs/lease.test.ts.
describe('jobs run killed at each phase, then jobs resume', { timeout: 90_000 }, () => {
  it('while checking the frames: nothing was written, nothing is sent', async () => {
    const r = await rig({});
    const held: string[] = [];
    const slow = createServer((request) => held.push(request.url ?? ''));
    await new Promise<void>((ready) => slow.listen(0, '127.0.0.1', ready));
    try {
      const run = r.cli(runArgs(r, `http://127.0.0.1:${(slow.address() as AddressInfo).port}/frame.png`));
      await until(() => held.length > 0, 'the CLI to ask for the start frame');
      await run.kill();
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
    const resume = await r.cli(['resume']).exited;
    expect(resume.code).toBe(0);
    expect(resume.stderr).toContain('Nothing to resume');
    expect(await r.jobs()).toEqual([]);
    expect(r.fake.requests).toEqual([]);
  });

  it('after the job was written, while its submission is in flight: it comes back unknown and is never sent again by itself', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50 } });
    r.fake.script('submit', { delayMs: 3_000 });
    const run = r.cli(runArgs(r));
    await until(() => r.fake.count('submit') === 1, 'the submission to reach the fake');
    const killed = await run.kill();
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.lines).toEqual([]);

    const resume = await r.cli(['resume']).exited;
    expect(resume.code).toBe(1);
    expect(resume.lines).toHaveLength(1);
    expect(resume.lines[0]).toMatchObject({ status: 'submit_unknown', requestId: null, videos: [] });
    expect(resume.lines[0].error).toMatch(/not known whether RunComfy received it.*--resubmit-unknown/);
    expect(resume.stderr).toContain('--abandon-unknown');
    const [job] = await r.jobs();
    expect(job.history.map((change) => change.status)).toEqual(['submitting', 'submit_unknown']);

    // The user gives it up: still one submission, whether or not the fake got to handle it.
    const abandon = await r.cli(['resume', '--abandon-unknown']).exited;
    expect(abandon.code).toBe(0);
    expect(abandon.lines[0]).toMatchObject({ jobId: job.id, status: 'cancelled' });
    expect(r.fake.count('submit')).toBe(1);
    expect(r.fake.submissions.length).toBeLessThanOrEqual(1);
    expect((await r.cli(['list', '--open']).exited).lines).toEqual([]);
  });

  it.each([
    ['queued', { queuePositions: 2, stepMs: Infinity, progressMs: 50 }],
    ['running', { queuePositions: 0, warmup: [], progressMs: Infinity }],
  ] as const)('while %s at RunComfy: resume follows it by its request id to a complete video', async (state, plan) => {
    const r = await rig({ plan });
    const run = r.cli(runArgs(r));
    // The CLI says so once the library has it (the request id is saved before the job is followed).
    await until(() => run.stderr().includes(state === 'queued' ? 'Queued at RunComfy.' : 'Generating.'), state);
    expect(r.fake.stateOf(r.fake.jobIds[0])).toBe(state === 'queued' ? 'in_queue' : 'in_progress');
    await run.kill();
    const [killedAt] = await r.jobs();
    expect(killedAt).toMatchObject({ status: state, requestId: r.fake.jobIds[0] });

    const resume = r.cli(['resume']);
    const asked = r.fake.count('status');
    await until(() => r.fake.count('status') > asked, 'resume to ask for the status');
    r.fake.advance(undefined, 5);
    const done = await resume.exited;
    expect(done.code).toBe(0);
    expect(done.lines).toEqual([expect.objectContaining({ jobId: killedAt.id, requestId: r.fake.jobIds[0], status: 'completed' })]);
    expect(readFileSync(done.lines[0].videos[0]).equals(fixture)).toBe(true);
    const [job] = await r.jobs();
    expect(job.status).toBe('completed');
    expect(job.files.find((file) => file.kind === 'video')).toMatchObject({ complete: true, bytes: fixture.length });
    expect(r.fake.count('submit')).toBe(1);
  });

  it('mid-download: the partial file is never listed complete, and resume fetches the rest', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50 } });
    r.fake.script('video', { stall: 'mid-body' });
    const run = r.cli(runArgs(r));
    const isPart = (file: { path: string; size: number }) => file.path.endsWith('.part') && file.size > 0;
    await until(async () => (await filesUnder(r.libraryDir)).some(isPart), 'part of the video on disk');
    await run.kill();
    const part = (await filesUnder(r.libraryDir)).find(isPart)!;
    expect(part.size).toBeLessThan(fixture.length);

    const [killedAt] = await r.jobs();
    expect(killedAt.status).toBe('completed');
    expect(killedAt.files.find((file) => file.kind === 'video')?.complete ?? false).toBe(false);
    const names = (await filesUnder(r.libraryDir)).map((file) => basename(file.path));
    expect(names).not.toContain('video.mp4');
    expect((await r.cli(['list']).exited).lines[0]).toMatchObject({ status: 'completed', videos: [] });

    const done = await r.cli(['resume']).exited;
    expect(done.code).toBe(0);
    expect(readFileSync(done.lines[0].videos[0]).equals(fixture)).toBe(true);
    const [job] = await r.jobs();
    expect(job.files.find((file) => file.kind === 'video')).toMatchObject({ complete: true, bytes: fixture.length });
    // It went on from what had arrived rather than starting over.
    const ranges = r.fake.requests.filter((request) => request.endpoint === 'video' && request.range).map((request) => request.range);
    expect(ranges).toContain(`bytes=${part.size}-`);
    expect(r.fake.count('submit')).toBe(1);
  });
});
