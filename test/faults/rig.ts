/**
 * The rig every fault test builds on: the real job runner with a real library (SQLite + folders),
 * the real RunComfy client over HTTP to the fake API on 127.0.0.1, real frame files and the inline
 * host. Timings are short (fast polls, short timeouts, quick retries) so faults play out in
 * seconds; the rules behind those timings have their own tests.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharp } from '../../main/services/image-engine';
import type { AppError, QueueItem, RunnerState } from '../../main/contract';
import { EventBus } from '../../main/services/events';
import { dataUriHost } from '../../main/services/hosting/data-uri-host';
import type { JobRecord } from '../../main/services/library';
import { LibraryStore } from '../../main/services/library/store';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { createRunComfyClient } from '../../main/services/runcomfy/client';
import type { RunComfyClient, RunComfyClientOptions } from '../../main/services/runcomfy/client';
import { PollSchedule } from '../../main/services/jobs/poll-schedule';
import { JobRunner } from '../../main/services/jobs/runner';
import type { RunnerOptions } from '../../main/services/jobs/runner';
import type { JobRequest, ReadyFrame } from '../../main/services/jobs/submit';
import { RecordingPlatform } from '../carrier/platform';
import { FIXTURE_VIDEO, startFakeRunComfy } from '../fake-runcomfy/server';
import type { FakeOptions, FakeRunComfy } from '../fake-runcomfy/server';
import { inconsistencies } from '../library/harness';

export const TOKEN = 'rc_fault_rig_token_5150';
export const CLIP = readFileSync(FIXTURE_VIDEO);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export interface RigOptions {
  fake?: FakeOptions;
  /** Follow jobs on this (running) fake instead of starting one: an app started again. */
  useFake?: FakeRunComfy;
  /** Where the library lives (a tmpfs or a read-only mount in the storage tests). */
  libraryDir?: string;
  client?: Partial<RunComfyClientOptions>;
  runner?: Partial<RunnerOptions>;
}

export interface Rig {
  fake: FakeRunComfy;
  dir: string;
  libraryDir: string;
  store: LibraryStore;
  client: RunComfyClient;
  runner: JobRunner;
  events: EventBus;
  /** Every queue item the runner announced, in order. */
  changes: QueueItem[];
  /** Every runner state it announced (pauses and problems shown above the queue). */
  states: RunnerState[];
  logLines: string[];
  platform: RecordingPlatform;
  start: ReadyFrame;
  end: ReadyFrame;
  request(prompt?: string): JobRequest;
  /** Stops the runner, opens the library again as a restart would, and returns what it holds. */
  reopen(): Promise<JobRecord[]>;
  close(): Promise<void>;
}

export async function frameFile(dir: string, name: string, colour: string): Promise<ReadyFrame> {
  const bytes = await sharp({ create: { width: 640, height: 360, channels: 3, background: colour } })
    .png()
    .toBuffer();
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, sha256: sha(bytes), mime: 'image/png', bytes: bytes.length, name, ext: 'png' };
}

export async function faultRig(options: RigOptions = {}): Promise<Rig> {
  const fake =
    options.useFake ??
    (await startFakeRunComfy({ tokens: [TOKEN], plan: { queuePositions: 1, stepMs: 40, progressMs: 60 }, ...options.fake }));
  const dir = await mkdtemp(join(tmpdir(), 'kf-faults-'));
  const libraryDir = options.libraryDir ?? join(dir, 'library');
  const platform = new RecordingPlatform(join(dir, 'Trash'));
  platform.focused = false;
  const events = new EventBus();
  const changes: QueueItem[] = [];
  const states: RunnerState[] = [];
  const logLines: string[] = [];
  const log = createLogger((line) => logLines.push(line));
  events.listen((name, payload) => {
    if (name === 'jobs:changed') changes.push(payload as QueueItem);
    if (name === 'jobs:runner') states.push(payload as RunnerState);
  });
  const store = await LibraryStore.open({
    dir: libraryDir,
    log,
    events,
    mediaUrl: mediaUrlFor('/media/'),
    trash: (path) => platform.trashItem(path),
  });
  const client = createRunComfyClient({
    baseUrl: fake.url,
    getToken: () => TOKEN,
    retry: { baseDelayMs: 10, maxDelayMs: 40 },
    timeouts: { requestMs: 400, submitMs: 800 },
    log,
    ...options.client,
  });
  const runner = new JobRunner({
    store,
    client,
    hosting: dataUriHost,
    events,
    log,
    platform,
    schedule: new PollSchedule(Date.now, { intervalMs: () => 40, jitter: 0.1, budgetPerSecond: 400, burst: 60 }),
    downloadRetryMs: () => 60,
    offlineProbeMs: 100,
    download: { attempts: 3, idleTimeoutMs: 500, backoffMs: () => 20 },
    ...options.runner,
  });
  await mkdir(join(dir, 'frames'));
  const start = await frameFile(join(dir, 'frames'), 'start.png', '#c33');
  const end = await frameFile(join(dir, 'frames'), 'end.png', '#33c');
  let closed = false;
  const rig: Rig = {
    fake,
    dir,
    libraryDir,
    store,
    client,
    runner,
    events,
    changes,
    states,
    logLines,
    platform,
    start,
    end,
    request: (prompt = '@Image1 turns into @Image2') => ({ prompt, duration: 5, start, end }),
    async reopen() {
      await runner.stop();
      await store.close();
      const again = await LibraryStore.open({
        dir: libraryDir,
        log,
        events: new EventBus(),
        mediaUrl: mediaUrlFor('/media/'),
        trash: async () => {},
      });
      const records = allRecords(again);
      await again.close();
      return records;
    },
    async close() {
      if (closed) return;
      closed = true;
      await runner.stop();
      await store.close();
      if (!options.useFake) await fake.close();
    },
  };
  await runner.start();
  return rig;
}

export function allRecords(store: LibraryStore): JobRecord[] {
  const records: JobRecord[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = store.list({ limit: 500, offset, sort: 'oldest' });
    records.push(...page.items.map((item) => store.require(item.id)));
    if (offset + 500 >= page.total) return records;
  }
}

/** Resolves when `check` returns something truthy; fails after `ms`. */
export async function until<T>(check: () => T | undefined | false | null, ms = 15_000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The library at `dir`, opened again (as after a restart) and checked from index to files. */
export async function expectConsistent(dir: string): Promise<string[]> {
  return inconsistencies(dir);
}

/** The job's video is there, listed complete, byte for byte the clip the fake serves. */
export function hasCompleteVideo(store: { folderOf(id: string): string }, record: JobRecord): boolean {
  const video = record.files.find((file) => file.kind === 'video');
  if (!video?.complete) return false;
  try {
    return readFileSync(join(store.folderOf(record.id), video.name)).equals(CLIP);
  } catch {
    return false;
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export function failure(promise: Promise<unknown>): Promise<AppError> {
  return promise.then(
    () => {
      throw new Error('expected a failure, but it succeeded');
    },
    (error: unknown) => error as AppError,
  );
}
