/**
 * RunComfy misbehaving, endpoint by endpoint: 5xx and 429 storms, connections cut before an answer
 * or in the middle of one, and a server that stops answering. Each case ends with every job either
 * completed with its whole video or failed/unknown with a message that says what happened; the
 * fake saw one submission per job; and the library, opened again, is consistent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../main/contract';
import type { Endpoint } from '../fake-runcomfy/server';
import { expectConsistent, failure, faultRig, hasCompleteVideo, until } from './rig';
import type { Rig } from './rig';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});
async function rig(...args: Parameters<typeof faultRig>): Promise<Rig> {
  const made = await faultRig(...args);
  rigs.push(made);
  return made;
}

/** Submits `count` jobs, waits until the runner is idle, checks each ended with its video, and the library. */
async function allComplete(r: Rig, count: number) {
  const items = [];
  for (let n = 1; n <= count; n++) items.push(await r.runner.submit(r.request(`job ${n}: @Image1 to @Image2`)));
  await r.runner.idle();
  for (const item of items) {
    const record = r.store.require(item.id);
    expect(record.status, record.error).toBe('completed');
    expect(hasCompleteVideo(r.store, record), `${item.id} has its whole video`).toBe(true);
  }
  expect(r.fake.count('submit')).toBe(count);
  expect(r.fake.submissions).toHaveLength(count);
  await r.reopen();
  expect(await expectConsistent(r.libraryDir)).toEqual([]);
  return items;
}

/** What the user saw above the queue while it happened. */
const problemsShown = (r: Rig) => r.states.map((state) => state.problem ?? state.paused).filter(Boolean);

describe('5xx storms', () => {
  it('on status, result and the video: every job completes, and meanwhile the queue says RunComfy is having trouble', async () => {
    const r = await rig();
    r.fake.script('status', { respond: 503, body: { detail: 'upstream overloaded' } }, 24);
    r.fake.script('result', { respond: 502 }, 8);
    r.fake.script('video', { respond: 500 }, 5);
    await allComplete(r, 3);
    expect(problemsShown(r).join('\n')).toMatch(/RunComfy's API is having trouble \(HTTP 503 Service Unavailable: upstream overloaded\)/);
    expect(r.runner.state().problem).toBeUndefined();
    // The download's own trouble was shown on the job while it waited to try again.
    expect(r.changes.some((item) => /HTTP 500/.test(item.download?.problem ?? ''))).toBe(true);
  });

  it.each([
    [
      'a 500 with an error text',
      { respond: 500, body: { error: 'database unavailable' } },
      0,
      /HTTP 500 Internal Server Error: database unavailable/,
    ],
    ["a gateway's 502 page after RunComfy created the job", { gateway: 502, handled: true }, 1, /HTTP 502 Bad Gateway/],
  ] as const)(
    'on submit, %s: never called "not accepted", never sent again; the user decides (submit_unknown)',
    async (_case, behaviour, created, said) => {
      const r = await rig();
      r.fake.script('submit', behaviour);
      const error = await failure(r.runner.submit(r.request()));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(said);
      expect((error as AppError).message).toContain('did not send it again');
      const [record] = await r.reopen();
      expect(record.status).toBe('submit_unknown');
      expect(record.history.map((change) => change.note)).not.toContain('not accepted by RunComfy');
      expect(r.fake.count('submit')).toBe(1);
      expect(r.fake.jobIds).toHaveLength(created);
      expect(await expectConsistent(r.libraryDir)).toEqual([]);
    },
  );
});

describe('429 storms', () => {
  it('on status, result and the video: the runner waits as asked, says so, and every job completes', async () => {
    const r = await rig();
    r.fake.script('status', { respond: 429, headers: { 'retry-after': '1' }, body: { detail: 'slow down' } }, 10);
    r.fake.script('result', { respond: 429, headers: { 'retry-after': '0' } }, 6);
    r.fake.script('video', { respond: 429 }, 3);
    await allComplete(r, 3);
    expect(r.states.some((state) => state.paused === 'rate_limited' && state.until)).toBe(true);
    expect(r.runner.state().paused).toBeUndefined();
  });

  it('on submit: the job fails with when to try again, and is not sent again by itself', async () => {
    const r = await rig();
    r.fake.script('submit', { respond: 429, headers: { 'retry-after': '20' } });
    await expect(r.runner.submit(r.request())).rejects.toMatchObject({
      code: 'rate_limited',
      message: 'RunComfy is receiving too many requests from this account. Try again in 20 seconds.',
    });
    const [record] = await r.reopen();
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/Try again in 20 seconds/);
    expect(r.fake.count('submit')).toBe(1);
  });

  it('on cancel: the cancel waits out the limit and still goes through', async () => {
    const r = await rig({ fake: { plan: { queuePositions: 1, stepMs: Infinity } } });
    const item = await r.runner.submit(r.request());
    r.fake.script('cancel', { respond: 429, headers: { 'retry-after': '1' } }, 2);
    await expect(r.runner.cancel(item.id)).resolves.toEqual({ cancelled: true, message: 'The job was cancelled.' });
    expect(r.fake.stateOf(r.store.require(item.id).requestId!)).toBe('cancelled');
    await r.reopen();
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  });
});

describe('connections dropped mid-request', () => {
  it.each<[Endpoint, 'on-arrival' | 'mid-body']>([
    ['status', 'on-arrival'],
    ['status', 'mid-body'],
    ['result', 'on-arrival'],
    ['result', 'mid-body'],
    ['video', 'on-arrival'],
    ['video', 'mid-body'],
  ])('on %s (%s): tried again, and the job completes with its whole video', async (endpoint, drop) => {
    const r = await rig();
    r.fake.script(endpoint, { drop }, 3);
    await allComplete(r, 2);
  });

  it('on cancel: tried again, and the job is cancelled', async () => {
    const r = await rig({ fake: { plan: { queuePositions: 1, stepMs: Infinity } } });
    const item = await r.runner.submit(r.request());
    r.fake.script('cancel', { drop: 'on-arrival' });
    expect((await r.runner.cancel(item.id)).cancelled).toBe(true);
    const [record] = await r.reopen();
    expect(record.status).toBe('cancelled');
  });

  it.each([
    ['on-arrival', false],
    ['after-handling', true],
    ['mid-body', true],
  ] as const)(
    'on submit (%s): the job is marked unknown, never resent by itself, and says to check the dashboard',
    async (drop, fakeHasIt) => {
      const r = await rig();
      r.fake.script('submit', { drop });
      const error = await failure(r.runner.submit(r.request()));
      expect(error).toMatchObject({ details: { mayHaveSubmitted: true } });
      expect(error.message).toMatch(/check your RunComfy dashboard before submitting it again/i);
      await r.runner.idle();
      const [record] = await r.reopen();
      expect(record.status).toBe('submit_unknown');
      expect(record.history.at(-1)?.note).toBe(error.message);
      // The fake got exactly one request; whether it made a job depends on where the cut came.
      expect(r.fake.count('submit')).toBe(1);
      expect(r.fake.jobIds).toHaveLength(fakeHasIt ? 1 : 0);
      expect(await expectConsistent(r.libraryDir)).toEqual([]);
    },
  );
});

describe('a hung server', () => {
  it('that never answers a submit: the timeout fires and the job is marked unknown, not left sending', async () => {
    const r = await rig();
    r.fake.script('submit', { delayMs: 3_000 });
    await expect(r.runner.submit(r.request())).rejects.toMatchObject({ code: 'timeout', details: { mayHaveSubmitted: true } });
    expect(r.store.listOpen()[0].status).toBe('submit_unknown');
    expect(r.fake.count('submit')).toBe(1);
  });

  it('that stops answering status calls: the queue says RunComfy cannot be reached, then carries on', async () => {
    const r = await rig();
    r.fake.script('status', { delayMs: 2_000 }, 5);
    await allComplete(r, 1);
    expect(r.states.some((state) => state.paused === 'offline')).toBe(true);
    expect(r.runner.state().paused).toBeUndefined();
  });

  it('that stalls in the middle of the video: the stalled download gives up, resumes where it was, and completes', async () => {
    const r = await rig();
    r.fake.script('video', { stall: 'mid-body' }, 2);
    await allComplete(r, 1);
    const resumed = r.fake.requests.filter((request) => request.endpoint === 'video' && request.range);
    expect(resumed.length).toBeGreaterThan(0);
  });

  it('never keeps the app from quitting: stopping aborts the requests that hang', async () => {
    const r = await rig();
    r.fake.script('status', { delayMs: 60_000 }, 50);
    await r.runner.submit(r.request());
    // A status request is in flight, unanswered.
    await until(
      () => r.fake.requests.some((request) => request.endpoint === 'status' && request.status === 'dropped'),
      5_000,
      'a status request',
    );
    const stopped = await Promise.race([
      r.runner.stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(stopped).toBe('stopped');
  });
});
