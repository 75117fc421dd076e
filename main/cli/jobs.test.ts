/**
 * The `jobs` CLI in this process (main() with its own stdout, stderr and environment) against the
 * fake RunComfy API and a real library in a temporary user-data folder. The kill-and-restart
 * tests in test/jobs/ run it as separate processes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appServices, frame, cliRig, TOKEN } from '../../test/jobs/cli-harness';
import type { CliRig } from '../../test/jobs/cli-harness';
import * as img from '../../test/images';
import { FIXTURE_VIDEO } from '../../test/fake-runcomfy/server';
import type { FakeOptions } from '../../test/fake-runcomfy/server';
import { createLogger } from '../services/log';
import { EventBus } from '../services/events';
import { LibraryStore } from '../services/library/store';
import type { JobLine } from './follow';
import { main } from './jobs-main';
import { nodeTooOld } from './node-version';

const rigs: CliRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

async function rig(options: FakeOptions = {}): Promise<CliRig> {
  const r = await cliRig({ plan: { queuePositions: 1, stepMs: 50, progressMs: 50 }, ...options });
  rigs.push(r);
  return r;
}

async function jobs(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  let err = '';
  const code = await main(args, { env, out: (line) => out.push(line), err: { write: (text: string) => (err += text) } });
  const lines = out.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as JobLine);
  return { code, out, err, lines };
}

const run = (r: CliRig, extra: string[] = [], start = r.start, end = r.end) =>
  jobs(['run', '--start', start, '--end', end, '--prompt', '@Image1 melts into @Image2', ...extra], r.env);

describe('jobs CLI arguments', () => {
  it.each([
    [[], 'Say what to do: run, list or resume.'],
    [['submit'], 'Unknown command "submit". Use run, list or resume.'],
    [['run', '--end', 'b.png', '--prompt', 'p'], '--start is required: the start frame, a file path or an http(s) address.'],
    [['run', '--start', 'a.png', '--prompt', 'p'], '--end is required'],
    [['run', '--start', 'a.png', '--end', 'b.png'], '--prompt is required'],
    [['run', '--start', 'a.png', '--end', 'b.png', '--prompt', '   '], '--prompt is required'],
    [['run', '--start', 'a.png', '--end', 'b.png', '--prompt', 'x'.repeat(2501)], '--prompt is 2501 characters long; the limit is 2500.'],
    [['run', '--start', 'a.png', '--end', 'b.png', '--prompt', 'p', '--duration', '7'], '--duration is 5 or 10 (seconds), not "7".'],
    [['run', '--start', 'a.png', '--end', 'b.png', '--prompt', 'p', '--colour', 'red'], '"run" has no option --colour.'],
    [['run', '--start'], '--start needs a value'],
    [['run', '--start', 'a.png', '--end', 'b.png', '--prompt', 'p', 'extra'], 'Unexpected "extra" after "run"'],
    [['list', '--open=yes'], '--open takes no value.'],
    [['resume', '--resubmit-unknown', '--abandon-unknown'], 'Choose one of --resubmit-unknown and --abandon-unknown, not both.'],
  ])('%j → exit 2 with a clear message and the usage', async (args, message) => {
    const result = await jobs(args, {});
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).toContain('Usage:');
    expect(result.out).toEqual([]);
  });

  it('prints the usage on stdout for help', async () => {
    const result = await jobs(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toMatch(/^Usage:/);
  });

  it('refuses Node older than 22 with a message (better-sqlite3 would crash without one)', () => {
    expect(nodeTooOld('20.19.2')).toMatch(/needs Node 22 or newer, and this is Node 20\.19\.2.*npm run jobs/);
    expect(nodeTooOld('22.0.0')).toBeUndefined();
    expect(nodeTooOld('24.21.0')).toBeUndefined();
  });
});

describe('jobs run', () => {
  it('checks the frames, sends once, follows and downloads; the job is in the library the app shows', async () => {
    const r = await rig();
    const result = await run(r, ['--duration', '10']);
    expect(result.code).toBe(0);
    expect(result.lines).toHaveLength(1);
    const [line] = result.lines;
    expect(line).toMatchObject({ status: 'completed', requestId: r.fake.jobIds[0], duration: 10, error: null });
    expect(line.videos).toHaveLength(1);
    expect(readFileSync(line.videos[0]).equals(readFileSync(FIXTURE_VIDEO))).toBe(true);
    expect(r.fake.count('submit')).toBe(1);
    expect(r.fake.submissions[0].body).toMatchObject({ prompt: '@Image1 melts into @Image2', duration: 10 });
    expect(result.err).toMatch(
      /Checking the start frame[\s\S]*640×360 PNG[\s\S]*Sent: job[\s\S]*Queued at RunComfy[\s\S]*Completed\. Video:/,
    );

    // The app, opened on the same user data, shows it in its gallery.
    const services = await appServices(r, { followJobs: false });
    try {
      const [card] = services.library.store.list().items;
      expect(card).toMatchObject({ id: line.jobId, status: 'completed', downloading: false });
      expect(card.videoUrl).toMatch(/^\/media\/library\/.*\/video\.mp4$/);
    } finally {
      await services.close();
    }

    const listed = await jobs(['list'], r.env);
    expect(listed).toMatchObject({ code: 0, lines: [line] });
    expect((await jobs(['list', '--open'], r.env)).lines).toEqual([]);
  });

  it('sends a frame given as an address as that address', async () => {
    const r = await rig();
    const png = readFileSync(r.start);
    const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(png));
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/frames/start.png`;
      const result = await run(r, [], url);
      expect(result.code).toBe(0);
      expect(r.fake.submissions[0].body['start_image_url']).toBe(url);
      expect(r.fake.submissions[0].images[0]).toMatchObject({ via: 'url', bytes: png.length });
    } finally {
      server.close();
    }
  });

  it('a frame that breaks the model’s rules: its rule messages, exit 3, and nothing reaches RunComfy', async () => {
    const r = await rig();
    const small = await frame(r.dir, 'small.png', '#3c3', 200, 200);
    const result = await run(r, [], small);
    expect(result.code).toBe(3);
    expect(result.err).toContain('✗ Width 200 px: must be over 300 px. The uploaded image width and height must exceed 300 pixels.');
    expect(result.err).toContain('✗ Height 200 px: must be over 300 px.');
    expect(result.err).toContain('The app can fix this: Upscale');
    expect(result.lines).toEqual([
      expect.objectContaining({
        status: 'not_sent',
        jobId: null,
        error: "The start frame does not meet the model's limits: The uploaded image width and height must exceed 300 pixels.",
      }),
    ]);
    expect(r.fake.requests).toEqual([]);
    expect(await r.jobs()).toEqual([]);
  });

  it('a damaged frame (whole header, truncated pixels) is caught by the full decode before anything is sent', async () => {
    const r = await rig();
    const damaged = await img.write(r.dir, 'damaged.jpg', img.truncated('jpeg'));
    const result = await run(r, [], r.start, damaged);
    expect(result.code).toBe(3);
    expect(result.lines[0]).toMatchObject({ status: 'not_sent', error: expect.stringContaining('The end frame is damaged') });
    expect(r.fake.requests).toEqual([]);
  });

  it('a missing file or an unreadable address is named in the message', async () => {
    const r = await rig();
    const missing = await run(r, [], join(r.dir, 'nope.png'));
    expect(missing.code).toBe(3);
    expect(missing.lines[0].error).toBe(
      `The start frame, ${join(r.dir, 'nope.png')}: The file is not there: it may have been moved, renamed or deleted.`,
    );
    const unreachable = await run(r, [], r.start, 'http://127.0.0.1:9/end.png');
    expect(unreachable.lines[0].error).toMatch(/^The end frame, http:\/\/127\.0\.0\.1:9\/end\.png: /);
    expect(r.fake.requests).toEqual([]);
  });

  it('without a token: says how to give one, exit 3, nothing sent', async () => {
    const r = await rig();
    const env = { ...r.env };
    delete env['RUNCOMFY_TOKEN'];
    const result = await jobs(['run', '--start', r.start, '--end', r.end, '--prompt', 'p'], env);
    expect(result.code).toBe(3);
    expect(result.lines[0]).toMatchObject({
      status: 'not_sent',
      error: expect.stringMatching(/^No RunComfy API token\. Set RUNCOMFY_TOKEN/),
    });
    expect(r.fake.requests).toEqual([]);
  });

  it('a job RunComfy fails: its reason, exit 1', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50, outcome: { failed: 'The frames are too different to blend.' } } });
    const result = await run(r);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toMatchObject({ status: 'failed', videos: [], error: 'The frames are too different to blend.' });
    expect(result.err).toContain('Failed: The frames are too different to blend.');
  });

  it('a failure reason in any shape, read from /result (the status says only "failed")', async () => {
    const r = await rig({
      plan: { queuePositions: 0, progressMs: 50, outcome: { failed: { message: 'NSFW content detected', code: 'content_policy' } } },
    });
    const result = await run(r);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toMatchObject({ status: 'failed', error: 'NSFW content detected (code content_policy)' });
    expect(r.fake.count('result')).toBe(1);
  });

  it('a job passing through pending and starting completes and downloads, each state shown as RunComfy says it', async () => {
    const r = await rig({ plan: { intake: ['pending'], queuePositions: 0, warmup: ['starting'], stepMs: Infinity, progressMs: Infinity } });
    const answered = () => r.fake.requests.filter((request) => request.endpoint === 'status' && request.status === 200).length;
    const running = run(r);
    // The fake holds each state until the CLI has asked about it once.
    for (const _state of ['pending', 'starting', 'in_progress']) {
      const before = answered();
      await waitFor(() => answered() > before);
      r.fake.advance();
    }
    const result = await running;
    expect(result.code).toBe(0);
    expect(result.lines[0]).toMatchObject({ status: 'completed', error: null });
    expect(result.lines[0].videos).toHaveLength(1);
    expect(result.err).toMatch(/RunComfy says: pending\.[\s\S]*RunComfy says: starting\.[\s\S]*Completed\. Video:/);
  });

  it('a result RunComfy no longer has (404001) ends as expired, at once, exit 1', async () => {
    const r = await rig({ plan: { queuePositions: 0, warmup: [], progressMs: 20 } });
    r.fake.script('result', { respond: 404, body: { error_code: 404001, error_message: 'Request not found or expired.' } }, 5);
    const result = await run(r);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toMatchObject({
      status: 'expired',
      videos: [],
      error: expect.stringContaining('RunComfy no longer has this job'),
    });
    expect(result.err).toContain('Expired: RunComfy no longer has this job');
    expect(r.fake.count('result')).toBe(1);
  });

  it("a gateway's 502 on submit after RunComfy made the job: submit_unknown, sent exactly once", async () => {
    const r = await rig();
    r.fake.script('submit', { gateway: 502, handled: true });
    const result = await run(r);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toMatchObject({ status: 'submit_unknown', error: expect.stringContaining('HTTP 502 Bad Gateway') });
    expect(r.fake.count('submit')).toBe(1);
    expect(r.fake.jobIds).toHaveLength(1);
  });

  it('a refused token while following: stops with a message saying the job goes on, exit 1', async () => {
    const r = await rig({ plan: { queuePositions: 1, stepMs: Infinity, progressMs: 50 } });
    const running = run(r);
    await waitFor(() => r.fake.count('status') > 0);
    r.fake.revoke(TOKEN);
    const result = await running;
    expect(result.code).toBe(1);
    expect(result.lines[0]).toMatchObject({ status: 'queued', error: expect.stringContaining('RunComfy refused the API token') });
    expect(r.fake.count('submit')).toBe(1);
  });

  it('KEYFRAME_LIBRARY puts the job in that library', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 20 } });
    const library = join(r.dir, 'scripted-library');
    const result = await jobs(['run', '--start', r.start, '--end', r.end, '--prompt', 'p'], { ...r.env, KEYFRAME_LIBRARY: library });
    expect(result.code).toBe(0);
    expect(result.lines[0].videos[0].startsWith(library + '/')).toBe(true);
    expect(existsSync(join(r.libraryDir, 'library.db'))).toBe(false);
  });
});

describe('jobs resume', () => {
  it('sends a job of unknown outcome again only with --resubmit-unknown, then follows it', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 20 } });
    const store = await LibraryStore.open({
      dir: r.libraryDir,
      log: createLogger(() => {}),
      events: new EventBus(),
      mediaUrl: (root, path) => `/media/${root}/${path}`,
      trash: async () => {},
    });
    const bytes = readFileSync(r.start);
    const job = await store.createJob({
      prompt: 'cut off while sending',
      duration: 5,
      frames: [
        { role: 'start', bytes, ext: 'png' },
        { role: 'end', bytes: readFileSync(r.end), ext: 'png' },
      ],
    });
    await store.close();

    const asked = await jobs(['resume'], r.env);
    expect(asked.code).toBe(1);
    expect(asked.lines[0]).toMatchObject({ jobId: job.id, status: 'submit_unknown' });
    expect(r.fake.count('submit')).toBe(0);

    const resent = await jobs(['resume', '--resubmit-unknown'], r.env);
    expect(resent.code).toBe(0);
    expect(resent.err).toContain(`job ${job.id}: sent again, as you asked.`);
    expect(resent.lines[0]).toMatchObject({ jobId: job.id, status: 'completed', requestId: r.fake.jobIds[0] });
    expect(r.fake.count('submit')).toBe(1);
    expect(r.fake.submissions[0].images[0].sha256).toBe(job.files[0].sha256);
  });
});

describe('jobs run: the cost RunComfy reports', () => {
  it('the final line carries cost_usd, the amount RunComfy reported for the job', async () => {
    const r = await rig();
    const result = await run(r, ['--duration', '10']);
    expect(result.code).toBe(0);
    expect(result.lines[0]).toMatchObject({ status: 'completed', cost_usd: 1.12 });
    expect((await r.jobs())[0].cost).toEqual({ raw: 1.12, usd: 1.12 });
  });

  it.each([
    ['no cost', 'none' as const],
    ['a cost that is not a plain amount', { value: { amount: '0.56', currency: 'USD' } }],
  ])('with %s: no cost_usd, the job completes, and the library keeps what was reported', async (_what, cost) => {
    const r = await rig();
    r.fake.pricing.cost = cost;
    const result = await run(r);
    expect(result.code).toBe(0);
    expect(result.lines[0].status).toBe('completed');
    expect(result.lines[0]).not.toHaveProperty('cost_usd');
    expect((await r.jobs())[0].cost).toEqual(cost === 'none' ? undefined : { raw: cost.value });
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
