/**
 * The runner against the real pieces: the fake RunComfy API over HTTP on 127.0.0.1, a real library
 * (SQLite + folders), real frame files, and the inline (data URI) host. Polls are fast so the
 * tests are; the schedule's own rules are tested in poll-schedule.test.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharp } from '../image-engine';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { RecordingPlatform } from '../../../test/carrier/platform';
import { AppError } from '../../contract';
import type { QueueItem } from '../../contract';
import { EventBus } from '../events';
import { dataUriHost } from '../hosting/data-uri-host';
import { LibraryStore } from '../library/store';
import { createLogger } from '../log';
import { mediaUrlFor } from '../media';
import { createRunComfyClient } from '../runcomfy/client';
import { PollSchedule } from './poll-schedule';
import { JobRunner } from './runner';
import type { ReadyFrame } from './submit';

const TOKEN = 'rc_test_runner_token_1234';
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const logLines: string[] = [];
const log = createLogger((line) => logLines.push(line));

interface Rig {
  fake: FakeRunComfy;
  dir: string;
  store: LibraryStore;
  runner: JobRunner;
  events: EventBus;
  changes: QueueItem[];
  platform: RecordingPlatform;
  start: ReadyFrame;
  end: ReadyFrame;
  restart(): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.runner.stop();
    await rig.store.close();
    await rig.fake.close();
  }
});

async function frameFile(dir: string, name: string, colour: string): Promise<ReadyFrame> {
  const bytes = await sharp({ create: { width: 640, height: 360, channels: 3, background: colour } })
    .png()
    .toBuffer();
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, sha256: sha(bytes), mime: 'image/png', bytes: bytes.length, name, ext: 'png' };
}

async function rig(fakeOptions: Parameters<typeof startFakeRunComfy>[0] = {}): Promise<Rig> {
  const fake = await startFakeRunComfy({ tokens: [TOKEN], fetchImages: true, ...fakeOptions });
  const dir = await mkdtemp(join(tmpdir(), 'kf-runner-'));
  const platform = new RecordingPlatform(join(dir, 'Trash'));
  platform.focused = false;
  const events = new EventBus();
  const changes: QueueItem[] = [];
  events.listen((name, payload) => name === 'jobs:changed' && changes.push(payload as QueueItem));
  const build = async () => {
    const store = await LibraryStore.open({
      dir: join(dir, 'library'),
      log,
      events,
      mediaUrl: mediaUrlFor('/media/'),
      trash: (p) => platform.trashItem(p),
    });
    const client = createRunComfyClient({ baseUrl: fake.url, getToken: () => TOKEN, retry: { baseDelayMs: 10, maxDelayMs: 50 } });
    const schedule = new PollSchedule(Date.now, { intervalMs: () => 40, jitter: 0.1, budgetPerSecond: 200, burst: 20 });
    const runner = new JobRunner({
      store,
      client,
      hosting: dataUriHost,
      events,
      log,
      platform,
      schedule,
      downloadRetryMs: () => 50,
      offlineProbeMs: 100,
    });
    return { store, runner };
  };
  const built = await build();
  const r: Rig = {
    fake,
    dir,
    ...built,
    events,
    changes,
    platform,
    start: await frameFile(dir, 'start.png', '#c33'),
    end: await frameFile(dir, 'end.png', '#33c'),
    restart: async () => {
      await r.runner.stop();
      await r.store.close();
      Object.assign(r, await build());
      await r.runner.start();
    },
  };
  rigs.push(r);
  await r.runner.start();
  return r;
}

const request = (r: Rig, prompt = '@Image1 turns into @Image2') => ({ prompt, duration: 5 as const, start: r.start, end: r.end });

async function until<T>(check: () => T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('JobRunner', () => {
  it('submits once, follows the queue, downloads a complete video and keeps the exact bytes sent', async () => {
    const r = await rig({
      plan: { intake: ['pending'], queuePositions: 3, warmup: ['starting'], stepMs: Infinity, progressMs: Infinity },
    });
    const item = await r.runner.submit(request(r));
    expect(item.status).toBe('queued');
    const requestId = r.store.require(item.id).requestId!;
    // Each state RunComfy passes through is seen before the job moves on (the fake holds it there).
    const seen = (check: (c: QueueItem) => boolean) => until(() => r.changes.some((c) => c.id === item.id && check(c)));
    await seen((c) => c.remoteStatus === 'pending');
    for (const position of [3, 2, 1]) {
      r.fake.advance(requestId);
      await seen((c) => c.queuePosition === position && c.remoteStatus === undefined);
    }
    r.fake.advance(requestId);
    await seen((c) => c.status === 'running' && c.remoteStatus === 'starting');
    r.fake.advance(requestId);
    await seen((c) => c.status === 'running' && c.remoteStatus === undefined && r.fake.stateOf(requestId) === 'in_progress');
    r.fake.advance(requestId);
    await r.runner.idle();
    const job = r.store.require(item.id);
    expect(job.status).toBe('completed');
    const video = job.files.find((f) => f.kind === 'video')!;
    expect(video.complete).toBe(true);
    expect(
      readFileSync(join(r.store.folderOf(item.id), video.name)).equals(
        readFileSync(join(import.meta.dirname, '../../../test/fixtures/video/clip-5s.mp4')),
      ),
    ).toBe(true);
    expect(r.fake.count('submit')).toBe(1);
    // The fake decoded exactly the bytes the library kept as sent.
    const kept = ['start.png', 'end.png'].map((name) => sha(readFileSync(join(r.store.folderOf(item.id), name))));
    expect(r.fake.submissions[0].images.map((i) => i.sha256)).toEqual(kept);
    expect(r.changes.some((c) => c.status === 'failed')).toBe(false);
    const positions = r.changes.filter((c) => c.id === item.id && c.queuePosition !== undefined).map((c) => c.queuePosition!);
    expect([...new Set(positions)]).toEqual([3, 2, 1]);
    expect(r.platform.calls).toContainEqual(expect.objectContaining({ kind: 'notification', title: 'Your video is ready' }));
  });

  it('cancels a queued job, and says plainly when RunComfy refuses because the job runs', async () => {
    const r = await rig({ plan: { queuePositions: 1, stepMs: Infinity, progressMs: 100 } });
    const queued = await r.runner.submit(request(r));
    const outcome = await r.runner.cancel(queued.id);
    expect(outcome.cancelled).toBe(true);
    expect(r.store.require(queued.id).status).toBe('cancelled');

    r.fake.nextJob({ queuePositions: 0, warmup: [], progressMs: Infinity });
    const running = await r.runner.submit(request(r, 'second'));
    await until(() => r.store.get(running.id)?.status === 'running');
    const refused = await r.runner.cancel(running.id);
    expect(refused).toEqual({
      cancelled: false,
      message: 'RunComfy is already making this video, so it cannot be cancelled; it will finish and be charged.',
    });
    expect(r.store.require(running.id).status).toBe('running');
    expect(r.store.require(running.id).history.at(-1)?.note).toBe('cancel refused: in_progress');
    // Still followed: it finishes and its video arrives.
    r.fake.advance(r.store.require(running.id).requestId);
    await r.runner.idle();
    expect(r.store.require(running.id)).toMatchObject({ status: 'completed' });
    expect(r.store.require(running.id).files.some((file) => file.kind === 'video' && file.complete)).toBe(true);
  });

  it('records a failed job with the server’s reason', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50, outcome: { failed: 'The model could not follow the prompt.' } } });
    const item = await r.runner.submit(request(r));
    await r.runner.idle();
    expect(r.store.require(item.id)).toMatchObject({ status: 'failed', error: 'The model could not follow the prompt.' });
  });

  it('waits out a 429 storm on status and still finishes every job, without a second submission', async () => {
    const r = await rig({ plan: { queuePositions: 1, stepMs: 50, progressMs: 50 } });
    r.fake.script('status', { respond: 429, headers: { 'retry-after': '1' }, body: { detail: 'slow down' } }, 12);
    const items = await Promise.all([1, 2, 3].map((n) => r.runner.submit(request(r, `job ${n}`))));
    await until(() => r.runner.state().paused === 'rate_limited');
    await r.runner.idle();
    for (const item of items) expect(r.store.require(item.id).status).toBe('completed');
    expect(r.fake.count('submit')).toBe(3);
  });

  it('resumes a download cut mid-body, and fetches a fresh link when the old one expired', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50 } });
    r.fake.script('video', { drop: 'mid-body' }, 1);
    const first = await r.runner.submit(request(r));
    await r.runner.idle();
    expect(r.store.require(first.id).files.find((f) => f.kind === 'video')?.complete).toBe(true);

    r.fake.script('video', { respond: 403, body: 'Request has expired' }, 1);
    const second = await r.runner.submit(request(r, 'expired link'));
    await r.runner.idle();
    expect(r.store.require(second.id).files.find((f) => f.kind === 'video')?.complete).toBe(true);
    expect(r.fake.count('result')).toBeGreaterThanOrEqual(3);
  });

  it('marks a job unknown when the submit may have reached RunComfy, and sends it again only when the user says so', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50 } });
    r.fake.script('submit', { drop: 'after-handling' }, 1);
    await expect(r.runner.submit(request(r))).rejects.toMatchObject({ details: { mayHaveSubmitted: true } });
    const [job] = r.store.listOpen();
    expect(job.status).toBe('submit_unknown');
    expect(r.fake.count('submit')).toBe(1);
    const item = await r.runner.decide(job.id, 'resubmit');
    expect(item.status).toBe('queued');
    await r.runner.idle();
    expect(r.store.require(job.id).status).toBe('completed');
    expect(r.fake.count('submit')).toBe(2);
  });

  it('stops asking while RunComfy refuses the token, and follows again once a new token is set', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const r = await rig({ plan: { queuePositions: 1, stepMs: 100, progressMs: 50 } });
      const item = await r.runner.submit(request(r));
      r.fake.revoke(TOKEN);
      await until(() => r.runner.state().paused === 'signed_out');
      expect(r.runner.state()).toEqual({ paused: 'signed_out', open: 1 });
      const asked = r.fake.count('status');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(r.fake.count('status')).toBe(asked);
      r.fake.tokens.add(TOKEN);
      r.runner.resume();
      await r.runner.idle();
      expect(r.store.require(item.id).status).toBe('completed');
      expect(r.runner.state()).toEqual({ open: 0 });
      expect(warnings.filter((warning) => warning.name === 'TimeoutOverflowWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('marks a job unknown, not failed, when it is stopped while the request is on its way', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50 } });
    // RunComfy's answer is held until the runner has stopped: the request is on its way throughout.
    let answer = () => {};
    r.fake.script('submit', { holdUntil: new Promise<void>((resolve) => (answer = resolve)) }, 1);
    const sending = r.runner.submit(request(r));
    await until(() => r.fake.count('submit') === 1);
    await r.runner.stop();
    answer();
    await expect(sending).rejects.toMatchObject({ code: 'aborted' });
    const [job] = r.store.listOpen();
    expect(job).toMatchObject({ status: 'submit_unknown' });
    expect(job.error).toBeUndefined();
    await r.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.store.require(job.id).status).toBe('submit_unknown');
    expect(r.fake.count('submit')).toBe(1);
  });

  it('never records an accepted job as "not accepted" when the library cannot save its request id; it keeps trying', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50 } });
    const original = r.store.recordSubmitted.bind(r.store);
    r.store.recordSubmitted = () => Promise.reject(new AppError('io', 'Keyframe could not save the change (the disk is full).'));
    const item = await r.runner.submit(request(r));
    expect(r.store.require(item.id).status).toBe('submitting');
    expect(r.runner.state().problem).toBeDefined();
    expect(r.fake.submissions).toHaveLength(1);
    expect(logLines.some((line) => line.includes(r.fake.submissions[0].requestId))).toBe(true);
    r.store.recordSubmitted = original;
    await until(() => r.store.get(item.id)?.requestId === r.fake.submissions[0].requestId);
    await r.runner.idle();
    expect(r.store.require(item.id).status).toBe('completed');
    expect(r.runner.state().problem).toBeUndefined();
    expect(r.fake.count('submit')).toBe(1);
  });

  it('follows only its own jobs when started without resuming the library’s open ones', async () => {
    const r = await rig({ plan: { queuePositions: 0, progressMs: 50 } });
    await r.runner.stop();
    const other = await r.store.createJob({ prompt: 'being sent by another Keyframe', duration: 5 });
    const client = createRunComfyClient({ baseUrl: r.fake.url, getToken: () => TOKEN });
    const schedule = new PollSchedule(Date.now, { intervalMs: () => 40, jitter: 0.1, budgetPerSecond: 200, burst: 20 });
    const runner = new JobRunner({ store: r.store, client, hosting: dataUriHost, events: r.events, log, schedule });
    await runner.start({ resumeOpen: false });
    try {
      const own = await runner.submit(request(r));
      await runner.idle();
      expect(r.store.require(own.id).status).toBe('completed');
      expect(r.store.require(other.id).status).toBe('submitting');
    } finally {
      await runner.stop();
    }
  });

  it('survives a job deleted from the library while RunComfy is answering that it no longer knows it', async () => {
    const r = await rig({ plan: { queuePositions: 2, stepMs: Infinity, progressMs: 50 }, latencyMs: 300 });
    r.fake.script('status', { respond: 404, body: { detail: 'Request not found.' } }, 1);
    const item = await r.runner.submit(request(r));
    await until(() => r.fake.count('status') === 1);
    await r.store.delete(item.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.store.get(item.id)).toBeUndefined();
    expect(r.runner.state().open).toBe(0);
    expect(logLines.some((line) => line.includes(`Job ${item.id} is not in the library`))).toBe(true);
  });

  describe('after a restart', () => {
    it('never resends a job that was being sent; it asks the user', async () => {
      const r = await rig();
      const startBytes = readFileSync(r.start.path);
      const job = await r.store.createJob({
        prompt: 'killed while sending',
        duration: 5,
        frames: [{ role: 'start', bytes: startBytes, ext: 'png' }],
      });
      await r.restart();
      expect(r.store.require(job.id).status).toBe('submit_unknown');
      expect(r.runner.item(job.id)?.needsDecision).toBe(true);
      expect(r.fake.count('submit')).toBe(0);
    });

    it('follows a queued job by its request id and downloads it, submitted exactly once', async () => {
      const r = await rig({ plan: { queuePositions: 2, stepMs: Infinity, progressMs: 50 } });
      const item = await r.runner.submit(request(r));
      await r.restart();
      r.fake.advance(undefined, 5);
      await r.runner.idle();
      expect(r.store.require(item.id).status).toBe('completed');
      expect(r.fake.count('submit')).toBe(1);
    });

    it('starts a download again that was cut off by the stop, and never lists a partial file as complete', async () => {
      const r = await rig({ plan: { queuePositions: 0, progressMs: 20 } });
      r.fake.script('video', { delayMs: 3_000 }, 1);
      const item = await r.runner.submit(request(r));
      await until(() => r.store.get(item.id)?.status === 'completed');
      await r.restart();
      expect(r.store.require(item.id).files.find((f) => f.kind === 'video')?.complete ?? false).toBe(false);
      await r.runner.idle();
      const video = r.store.require(item.id).files.find((f) => f.kind === 'video')!;
      expect(video.complete).toBe(true);
      expect(existsSync(join(r.store.folderOf(item.id), video.name))).toBe(true);
      expect(r.fake.count('submit')).toBe(1);
    });
  });
});
