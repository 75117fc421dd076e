/**
 * One library, several real processes: the `jobs` CLI in child processes, and the app's services
 * in this one, against the fake API. Whoever holds the library's lease sends and follows jobs;
 * the others wait or work read-only, and each says which. The fake's counters prove nothing was
 * sent twice; the library (opened as the app would) proves nothing was lost.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../main/services';
import { LEASE_FILE } from '../../main/services/jobs/lease';
import { FIXTURE_VIDEO } from '../fake-runcomfy/server';
import * as img from '../images';
import { appServices, cliRig, until } from './cli-harness';
import type { CliRig } from './cli-harness';

const rigs: CliRig[] = [];
const apps: Services[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const rig of rigs.splice(0)) await rig.close();
});

/** Every job is held running at the fake until the test moves it on. */
async function rig(): Promise<CliRig> {
  const r = await cliRig({ plan: { queuePositions: 0, progressMs: Infinity } });
  rigs.push(r);
  return r;
}

const run = (r: CliRig, prompt: string) => r.cli(['run', '--start', r.start, '--end', r.end, '--prompt', prompt]);
const fixture = readFileSync(FIXTURE_VIDEO);

async function openApp(r: CliRig): Promise<Services> {
  const app = await appServices(r);
  apps.push(app);
  return app;
}

async function expectAllDone(r: CliRig, prompts: string[]): Promise<void> {
  const jobs = await r.jobs();
  expect(jobs.map((job) => job.prompt).sort()).toEqual([...prompts].sort());
  for (const job of jobs) {
    expect(job.status).toBe('completed');
    const video = job.files.find((file) => file.kind === 'video');
    expect(video).toMatchObject({ complete: true, bytes: fixture.length });
  }
  expect(r.fake.count('submit')).toBe(prompts.length);
}

// Three or four Node processes per case: more than the default 20 s budget on a busy machine.
describe('one library, several processes', { timeout: 90_000 }, () => {
  it('a second `jobs run` waits while the first sends and follows, says so, then sends its own job once', async () => {
    const r = await rig();
    const first = run(r, '@Image1 first into @Image2');
    await until(() => first.stderr().includes('Sent:'), 'the first run to send its job');

    const second = run(r, '@Image1 second into @Image2');
    await until(() => second.stderr().includes('Waiting: the jobs CLI'), 'the second run to say it waits');
    expect(second.stderr()).toContain(`(pid ${first.child.pid}, since `);
    expect(second.stderr()).toContain('nothing has been sent');
    expect(r.fake.count('submit')).toBe(1);
    // While they work, listing is read-only and says who is at work.
    const listed = await r.cli(['list']).exited;
    expect(listed.code).toBe(0);
    expect(listed.lines).toHaveLength(1);
    expect(listed.stderr).toMatch(/Listing read-only: the jobs CLI \(pid \d+, since [\d:]+\) is sending and following/);

    r.fake.advance(r.fake.jobIds[0]);
    expect((await first.exited).code).toBe(0);
    await until(() => r.fake.count('submit') === 2, 'the second run to send once the first has ended');
    r.fake.advance(r.fake.jobIds[1]);
    const done = await second.exited;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/Waiting: [\s\S]*The library is free: going on with sending\.[\s\S]*Sent:/);
    await expectAllDone(r, ['@Image1 first into @Image2', '@Image1 second into @Image2']);
    expect(existsSync(join(r.libraryDir, LEASE_FILE))).toBe(false);
  });

  it('a lease left by a killed process is taken over at once, and its job followed to the end', async () => {
    const r = await rig();
    const killed = run(r, '@Image1 killed into @Image2');
    await until(() => killed.stderr().includes('Sent:'), 'the run to send its job');
    await killed.kill();
    expect(JSON.parse(readFileSync(join(r.libraryDir, LEASE_FILE), 'utf8'))).toMatchObject({ pid: killed.child.pid, who: 'the jobs CLI' });

    const resume = r.cli(['resume']);
    await until(() => resume.stderr().includes('Resuming 1 unfinished job'), 'resume to take the library over');
    r.fake.advance();
    const done = await resume.exited;
    expect(done.code).toBe(0);
    expect(done.stderr).not.toContain('Waiting');
    await expectAllDone(r, ['@Image1 killed into @Image2']);
  });

  it('a write that looks half done while another process holds the library is left to it; the app finishes it once it takes over', async () => {
    const r = await rig();
    const cli = run(r, '@Image1 cli into @Image2');
    await until(() => cli.stderr().includes('Sent:'), 'the run to send its job');
    // What the CLI could be in the middle of: a job's folder being made, a new storyboard's folder being written.
    const jobFolder = join(r.libraryDir, '.incoming', '20261202-120000-abcdef');
    const boardFolder = join(r.libraryDir, 'storyboards', 'sb-20261202-120000-abcdef');
    for (const folder of [jobFolder, boardFolder]) {
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'start.png.kftmp'), 'being written');
    }

    const app = await openApp(r);
    expect(app.jobs.state().readOnly).toBe(true);
    expect(existsSync(join(jobFolder, 'start.png.kftmp'))).toBe(true);
    expect(existsSync(join(boardFolder, 'start.png.kftmp'))).toBe(true);

    r.fake.advance();
    expect((await cli.exited).code).toBe(0);
    await until(() => app.jobs.state().readOnly === undefined, 'the app to take the library over');
    // Now nobody else can be writing them: what never reached the index goes.
    expect(existsSync(jobFolder)).toBe(false);
    expect(existsSync(boardFolder)).toBe(false);
    await expectAllDone(r, ['@Image1 cli into @Image2']);
  });

  it('the app opened while the CLI works is read-only and says so; it takes over when the CLI ends, and then the CLI waits for it', async () => {
    const r = await rig();
    const cli = run(r, '@Image1 cli into @Image2');
    await until(() => cli.stderr().includes('Sent:'), 'the run to send its job');

    const app = await openApp(r);
    expect(app.jobs.state().problem).toMatch(
      /^The jobs CLI \(pid \d+, since [\d:]+\) is sending and following the jobs in this library\. Keyframe shows them read-only and takes over when it ends\.$/,
    );
    expect(app.jobs.state().readOnly).toBe(true);
    expect(app.library.store.list().items).toHaveLength(1);
    await expect(
      app.jobs.submit({ prompt: '@Image1 app into @Image2', duration: 5, startFrameId: 'a', endFrameId: 'b' }),
    ).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/read-only .* Nothing was sent\.$/),
    });
    // The CLI's job is the CLI's to cancel: the read-only app asks RunComfy nothing and writes nothing.
    const [cliJob] = app.library.store.list().items;
    await expect(app.jobs.cancel(cliJob.id)).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/read-only .* Nothing was cancelled\.$/),
    });
    expect(r.fake.count('cancel')).toBe(0);
    expect(app.library.store.get(cliJob.id)?.status).not.toBe('cancelled');
    // Nor does it write a storyboard: one process writes the library at a time.
    await expect(app.storyboard.create('Harbour at dawn')).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/read-only .* The storyboard was not changed\.$/),
    });
    expect(app.storyboard.list()).toEqual([]);
    // Nor a favourite, a poster or a move of the library: the CLI may be writing that job's record.
    const poster = { mime: 'image/jpeg' as const, base64: (await img.makeImage(320, 180, 'jpeg')).toString('base64') };
    for (const write of [
      () => app.library.setFavourite(cliJob.id, true),
      () => app.library.savePoster(cliJob.id, poster),
      () => app.library.move(),
    ]) {
      await expect(write()).rejects.toMatchObject({ code: 'io', message: expect.stringMatching(/read-only .* Nothing was changed\.$/) });
    }
    expect(app.library.store.get(cliJob.id)).toMatchObject({
      favourite: false,
      files: expect.not.arrayContaining([expect.objectContaining({ kind: 'poster' })]),
    });

    r.fake.advance();
    expect((await cli.exited).code).toBe(0);
    await until(() => app.jobs.state().problem === undefined, 'the app to take the library over');
    expect(app.jobs.state().readOnly).toBeUndefined();
    expect((await app.library.setFavourite(cliJob.id, true)).favourite).toBe(true);
    await app.storyboard.create('Harbour at dawn');
    expect(app.storyboard.list().map((board) => board.name)).toEqual(['Harbour at dawn']);

    const later = run(r, '@Image1 later into @Image2');
    await until(() => later.stderr().includes(`Waiting: the Keyframe app (pid ${process.pid}, since `), 'the CLI to wait for the app');
    expect(r.fake.count('submit')).toBe(1);
    await apps.splice(0)[0].close();
    await until(() => r.fake.count('submit') === 2, 'the CLI to send once the app has closed');
    r.fake.advance();
    expect((await later.exited).code).toBe(0);
    await expectAllDone(r, ['@Image1 cli into @Image2', '@Image1 later into @Image2']);
  });
});
