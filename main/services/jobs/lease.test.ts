import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeHolder, JobsLease, LEASE_FILE } from './lease';
import type { LeaseHolder, LeaseTiming } from './lease';

// Real files in a real folder; the clock is a variable so "too old" needs no waiting.
let dir: string;
let now: number;
const timing = (): LeaseTiming => ({ heartbeatMs: 60_000, staleMs: 60_000, now: () => now });
const ignore = () => {};
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-lease-'));
  now = Date.parse('2026-12-01T10:00:00Z');
});

const take = (who: string, onLost = ignore, t = timing()) => JobsLease.take(dir, who, onLost, t);

describe('the library lease', () => {
  it('is held by one taker at a time, names it to the others, and is free again once released', async () => {
    const app = await take('the Keyframe app');
    expect(app).toBeInstanceOf(JobsLease);
    const onDisk = JSON.parse(readFileSync(join(dir, LEASE_FILE), 'utf8')) as LeaseHolder;
    expect(onDisk).toMatchObject({ pid: process.pid, host: hostname(), who: 'the Keyframe app', startedAt: '2026-12-01T10:00:00.000Z' });

    const cli = await take('the jobs CLI');
    expect(cli).toMatchObject({ pid: process.pid, who: 'the Keyframe app' });
    expect(describeHolder(cli as LeaseHolder)).toMatch(/^the Keyframe app \(pid \d+, since \d\d:\d\d:\d\d\)$/);
    expect(await JobsLease.holder(dir, timing())).toMatchObject({ who: 'the Keyframe app' });

    await (app as JobsLease).release();
    expect(await JobsLease.holder(dir, timing())).toBeUndefined();
    const next = await take('the jobs CLI');
    expect(next).toBeInstanceOf(JobsLease);
    await (next as JobsLease).release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over a lease whose process is gone, or whose heartbeat is too old', async () => {
    const dead: LeaseHolder = {
      pid: 2147483646,
      host: hostname(),
      who: 'the jobs CLI',
      startedAt: '',
      heartbeatAt: new Date(now).toISOString(),
      token: 'dead',
    };
    await writeFile(join(dir, LEASE_FILE), JSON.stringify(dead));
    const first = await take('the Keyframe app');
    expect(first).toBeInstanceOf(JobsLease);

    // A live holder elsewhere whose heartbeat stopped (its computer went away).
    const far: LeaseHolder = { ...dead, host: 'other-host', pid: process.pid, token: 'far', heartbeatAt: new Date(now).toISOString() };
    await writeFile(join(dir, LEASE_FILE), JSON.stringify(far));
    await utimes(join(dir, LEASE_FILE), new Date(now), new Date(now));
    expect(await take('the jobs CLI')).toMatchObject({ host: 'other-host' });
    now += 61_000;
    expect(await take('the jobs CLI')).toBeInstanceOf(JobsLease);
    expect(readdirSync(dir)).toEqual([LEASE_FILE]);
  });

  it('takes over a file that is not a lease', async () => {
    await writeFile(join(dir, LEASE_FILE), 'garbage');
    expect(await take('the Keyframe app')).toBeInstanceOf(JobsLease);
  });

  it('tells its holder when another process took it over (this one was asleep too long), and then leaves it alone', async () => {
    let lost!: (by?: LeaseHolder) => void;
    const told = new Promise<LeaseHolder | undefined>((resolve) => (lost = resolve));
    const sleeper = await take('the Keyframe app', lost, { ...timing(), heartbeatMs: 5 });
    expect(sleeper).toBeInstanceOf(JobsLease);
    // The other process judges it by a heartbeat it cannot see refreshed: its clock is past staleMs.
    const waker = await take('the jobs CLI', ignore, { ...timing(), now: () => now + 120_000 });
    expect(waker).toBeInstanceOf(JobsLease);
    const by = await told; // the taker, or nobody if the sleeper looked while the old lease was being moved aside
    if (by) expect(by).toMatchObject({ who: 'the jobs CLI' });
    expect(JSON.parse(readFileSync(join(dir, LEASE_FILE), 'utf8'))).toMatchObject({ who: 'the jobs CLI' });
    await (sleeper as JobsLease).release();
    expect(existsSync(join(dir, LEASE_FILE))).toBe(true); // still the taker's
    await (waker as JobsLease).release();
  });

  it('follows the library when it is moved (the move copies the lease with every other file)', async () => {
    let library = dir;
    const lease = await JobsLease.take(() => library, 'the Keyframe app', ignore, timing());
    const moved = await mkdtemp(join(tmpdir(), 'kf-lease-moved-'));
    await copyFile(join(dir, LEASE_FILE), join(moved, LEASE_FILE));
    library = moved;
    await rm(dir, { recursive: true });
    await (lease as JobsLease).release();
    expect(readdirSync(moved)).toEqual([]);
  });
});
