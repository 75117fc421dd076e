/**
 * RunComfy's real answers (API.md, from RunComfy's own CLI and ComfyUI nodes) through the real
 * runner, client and library against the fake API: states Keyframe has no name for, failure
 * reasons only in /result, results that contradict the status, another account's job, expiry on
 * the fake's clock, low balance, and video links Keyframe must not save.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../main/contract';
import { startFakeRunComfy } from '../fake-runcomfy/server';
import type { FakeRunComfy } from '../fake-runcomfy/server';
import { failure, faultRig, hasCompleteVideo, TOKEN, until } from './rig';
import type { Rig, RigOptions } from './rig';

const rigs: Rig[] = [];
const fakes: FakeRunComfy[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
  for (const fake of fakes.splice(0)) await fake.close();
});
async function rig(options: RigOptions = {}): Promise<Rig> {
  const made = await faultRig(options);
  rigs.push(made);
  return made;
}
const held = { queuePositions: 1, warmup: [], stepMs: Infinity, progressMs: Infinity };
const DAY = 24 * 3600_000;

describe('states', () => {
  it('a state Keyframe has no name for keeps the job followed, shown as RunComfy says it, until it completes', async () => {
    const r = await rig();
    r.fake.script('status', { respond: 200, body: { status: 'warming_up', request_id: 'x', queue_position: 'n/a' } }, 3);
    const item = await r.runner.submit(r.request());
    await r.runner.idle();
    const record = r.store.require(item.id);
    expect(record.status).toBe('completed');
    expect(hasCompleteVideo(r.store, record)).toBe(true);
    expect(r.changes.some((change) => change.id === item.id && change.remoteStatus === 'warming_up')).toBe(true);
    expect(r.changes.some((change) => change.status === 'failed')).toBe(false);
  });
});

describe('results', () => {
  it.each([
    ['failed', { resultSays: 'failed', outcome: { failed: 'The output was lost.' } }, 'failed', 'The output was lost.'],
    ['cancelled', { resultSays: 'cancelled' }, 'cancelled', undefined],
  ] as const)(
    'a result that says %s after a completed status ends the job so, without looping in the download step',
    async (_says, plan, status, error) => {
      const r = await rig();
      r.fake.nextJob(plan);
      const item = await r.runner.submit(r.request());
      await r.runner.idle();
      expect(r.store.require(item.id)).toMatchObject({ status, ...(error ? { error } : {}) });
      expect(r.fake.count('result')).toBe(1);
      expect(r.fake.count('video')).toBe(0);
    },
  );

  it('a video link still refused after fresh results: the job ends as expired, with its inputs kept for a re-run', async () => {
    const r = await rig();
    r.fake.expireResultUrls(403);
    const item = await r.runner.submit(r.request());
    await r.runner.idle();
    const record = r.store.require(item.id);
    expect(record).toMatchObject({ status: 'expired', error: expect.stringContaining('use Re-run') });
    expect(record.files.filter((file) => file.kind === 'frame')).toHaveLength(2);
    expect(r.fake.count('result')).toBe(3);
  });

  it.each([
    [
      'an address that is not https',
      (r: Rig) =>
        r.fake.script('result', { respond: 200, body: { status: 'completed', output: { video: 'http://cdn.example.com/v.mp4' } } }),
      /Keyframe downloads videos only over https; RunComfy gave a http address/,
    ],
    [
      'a page that is not a video',
      (r: Rig) => r.fake.script('video', { respond: 200, body: '<html>sign in</html>', headers: { 'content-type': 'text/html' } }, 5),
      /answered with text\/html, not a video/,
    ],
  ])('%s is not saved: the job says why, and nothing is retried forever', async (_case, script, said) => {
    const r = await rig();
    script(r);
    const item = await r.runner.submit(r.request());
    await r.runner.idle();
    expect(r.store.require(item.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(said) });
  });

  it('a video over the size cap is not saved, with a message that gives both sizes', async () => {
    const r = await rig({ runner: { download: { attempts: 2, idleTimeoutMs: 500, backoffMs: () => 20, maxBytes: 1000 } } });
    const item = await r.runner.submit(r.request());
    await r.runner.idle();
    expect(r.store.require(item.id).error).toMatch(/larger than Keyframe accepts \(\d+ MB, the limit is 0 MB\)/);
  });
});

describe('accounts and expiry', () => {
  it('a job of another RunComfy account (403001) stops being followed alone; the session stays signed in', async () => {
    let token = TOKEN;
    const other = 'rc_other_account_token_77';
    const r = await rig({ fake: { tokens: [TOKEN, other], plan: held }, client: { getToken: () => token } });
    const old = await r.runner.submit(r.request('made with the first account'));
    token = other;
    const current = await r.runner.submit(r.request('made with the second account'));
    await until(() => r.store.get(old.id)?.status === 'failed');
    expect(r.store.require(old.id).error).toMatch(/belongs to another RunComfy account/);
    expect(r.runner.state().paused).toBeUndefined();
    r.fake.advance(undefined, 3);
    await r.runner.idle();
    expect(r.store.require(current.id).status).toBe('completed');
    expect(r.states.some((state) => state.paused === 'signed_out')).toBe(false);
  });

  it('a job RunComfy forgot while the app was closed (8 days, on the fake clock) ends as expired at the next start', async () => {
    let now = Date.parse('2026-12-01T09:00:00Z');
    const fake = await startFakeRunComfy({ tokens: [TOKEN], plan: held, now: () => now });
    fakes.push(fake);
    const first = await rig({ useFake: fake });
    const item = await first.runner.submit(first.request());
    await until(() => fake.count('status') > 0 && first.store.get(item.id)?.status === 'queued');
    await first.close();

    now += 8 * DAY;
    const again = await rig({ useFake: fake, libraryDir: first.libraryDir });
    await again.runner.idle();
    expect(again.store.require(item.id)).toMatchObject({ status: 'expired', error: expect.stringContaining('7 days') });
    expect(fake.count('submit')).toBe(1);
  });

  it('a balance too low (402, error 400002): the message says so, nothing is sent twice, the session stays signed in', async () => {
    const r = await rig({ fake: { lowBalance: true } });
    const error = await failure(r.runner.submit(r.request()));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'insufficient_balance', message: expect.stringMatching(/^Your RunComfy balance is too low/) });
    expect(r.fake.count('submit')).toBe(1);
    expect(r.runner.state().paused).toBeUndefined();
  });
});
