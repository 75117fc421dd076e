/**
 * The library's disk failing under a running app: full, or turned read-only, on a real (tmpfs)
 * filesystem. Nothing is sent that could not be recorded first; a job RunComfy already has is
 * followed on and recorded once the disk takes writes again; the user is told what is wrong and
 * what to do; and the library opens consistent afterwards.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../main/contract';
import { EventBus } from '../../main/services/events';
import { Library } from '../../main/services/library';
import { whyWriteFailed } from '../../main/services/library/write-protocol';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import type { SettingsStore } from '../../main/services/settings';
import { mountSmallDisk } from './disk';
import type { SmallDisk } from './disk';
import { expectConsistent, failure, faultRig, hasCompleteVideo, until } from './rig';
import type { Rig } from './rig';

let rig: Rig | undefined;
let disk: SmallDisk | undefined;
afterEach(async () => {
  await disk?.writable().catch(() => undefined);
  await rig?.close();
  await disk?.unmount();
  rig = undefined;
  disk = undefined;
});

async function rigOnSmallDisk(plan = {}): Promise<Rig> {
  const mountPoint = join(await mkdtemp(join(tmpdir(), 'kf-disk-')), 'disk');
  await mkdir(mountPoint);
  disk = await mountSmallDisk(mountPoint);
  rig = await faultRig({ libraryDir: join(mountPoint, 'library'), fake: { plan: { queuePositions: 1, stepMs: Infinity, ...plan } } });
  return rig;
}

const shown = (r: Rig) =>
  r.states
    .map((state) => state.problem)
    .filter(Boolean)
    .join('\n');

describe('a full disk', () => {
  it('refuses a new job before anything is sent, says the disk is full, and the next one works once there is space', async () => {
    const r = await rigOnSmallDisk({ stepMs: 30 });
    await disk!.fill();
    const error = await failure(r.runner.submit(r.request()));
    expect(error).toBeInstanceOf(AppError);
    expect(error.message).toBe(`Keyframe could not create the job in ${r.libraryDir} (the disk is full).`);
    expect(r.fake.count('submit')).toBe(0);
    expect(r.store.count()).toBe(0);

    await disk!.free();
    const item = await r.runner.submit(r.request());
    await r.runner.idle();
    expect(hasCompleteVideo(r.store, r.store.require(item.id))).toBe(true);
    const records = await r.reopen();
    expect(records.map((record) => record.status)).toEqual(['completed']);
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  });

  it('just after RunComfy accepted a job: its request id is kept until it can be written, so the job is neither lost nor sent twice', async () => {
    const r = await rigOnSmallDisk({ stepMs: 30 });
    // RunComfy's answer is held until the disk is full (filling it can take long on a busy machine).
    let answer = () => {};
    r.fake.script('submit', { holdUntil: new Promise<void>((resolve) => (answer = resolve)) });
    const submitting = r.runner.submit(r.request());
    await until(() => r.fake.count('submit') === 1, 5_000, 'the submit to arrive');
    await disk!.fill();
    answer();
    const item = await submitting;
    await until(() => /the disk is full/.test(shown(r)), 5_000, 'a disk-full message');
    expect(r.store.require(item.id).status).toBe('submitting');
    expect(r.logLines.join('\n')).toContain(`${item.id} was accepted by RunComfy as request ${r.fake.jobIds[0]}`);

    await disk!.free();
    await until(() => hasCompleteVideo(r.store, r.store.require(item.id)), 10_000, 'the video');
    await r.runner.idle();
    expect(r.store.require(item.id)).toMatchObject({ status: 'completed', requestId: r.fake.jobIds[0] });
    expect(r.runner.state().problem).toBeUndefined();
    expect(r.fake.count('submit')).toBe(1);
    await r.reopen();
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  });

  it('while a job finishes: the job is followed on, the queue says why its video waits, and it lands once there is space', async () => {
    const r = await rigOnSmallDisk();
    const item = await r.runner.submit(r.request());
    await until(() => r.store.get(item.id)?.status === 'queued');
    await disk!.fill();
    r.fake.advance(undefined, 5);
    // RunComfy finished; the library cannot take the video (or even the news) yet.
    await until(
      () => /the disk is full/.test(shown(r)) || r.changes.some((c) => /the disk is full/.test(c.download?.problem ?? '')),
      10_000,
      'a disk-full message',
    );
    const said = [shown(r), ...r.changes.map((c) => c.download?.problem ?? '')].join('\n');
    expect(said).toMatch(/the disk is full/);
    expect(said).toMatch(/Your jobs keep running at RunComfy|It tries again; free some space/);
    expect(r.runner.state().open).toBeGreaterThan(0);

    await disk!.free();
    await until(() => hasCompleteVideo(r.store, r.store.require(item.id)), 10_000, 'the video');
    await r.runner.idle();
    expect(r.store.require(item.id).status).toBe('completed');
    expect(r.runner.state().problem).toBeUndefined();
    expect(r.fake.count('submit')).toBe(1);
    await r.reopen();
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  });
});

describe('a library folder on a read-only disk', () => {
  // A filesystem with files open for writing cannot be remounted read-only (the kernel answers
  // "busy"), so the read-only case is the one users meet: the library's drive is read-only when
  // Keyframe starts (a locked SD card, a read-only share). Writes that start failing mid-run take
  // the same path as the full disk above.
  async function libraryWithOpenJob(): Promise<{ r: Rig; id: string }> {
    const r = await rigOnSmallDisk();
    const item = await r.runner.submit(r.request());
    await until(() => r.store.get(item.id)?.status === 'queued');
    await r.reopen();
    await disk!.readOnly();
    return { r, id: item.id };
  }
  const settings = (libraryDir: string) => ({ get: () => ({ libraryDir }) }) as unknown as SettingsStore;
  const options = (r: Rig, userDataDir: string, libraryDir: string) => ({
    userDataDir,
    settings: settings(libraryDir),
    events: new EventBus(),
    log: createLogger(() => {}),
    platform: r.platform,
    mediaUrl: mediaUrlFor('/media/'),
  });

  it('as the default library: Keyframe says why it cannot start, and changes nothing', async () => {
    const { r } = await libraryWithOpenJob();
    const userDataDir = join(r.libraryDir, '..');
    const error = await failure(Library.open(options(r, userDataDir, '')));
    expect(error).toMatchObject({
      code: 'io',
      message: `Keyframe cannot open its library in ${r.libraryDir} (the folder is read-only). Nothing in it was changed. Make the folder writable, then start Keyframe again.`,
    });
    await disk!.writable();
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  });

  it('as a chosen library: the default one opens meanwhile with a notice, and the job carries on once the folder is writable', async () => {
    const { r, id } = await libraryWithOpenJob();
    const elsewhere = await mkdtemp(join(tmpdir(), 'kf-userdata-'));
    const library = await Library.open(options(r, elsewhere, r.libraryDir));
    expect(library.info().notice).toMatchObject({
      kind: 'unavailable',
      message: `The library folder ${r.libraryDir} could not be opened (the folder is read-only). Keyframe opened the default library meanwhile.`,
    });
    await library.close();

    await disk!.writable();
    r.fake.advance(undefined, 5);
    // Keyframe starts again with the folder writable: the job is followed by its request id.
    const next = await faultRig({ libraryDir: r.libraryDir, useFake: r.fake });
    await next.runner.idle();
    expect(hasCompleteVideo(next.store, next.store.require(id))).toBe(true);
    await next.reopen();
    await next.close();
    expect(r.fake.count('submit')).toBe(1);
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  });
});

describe('the words for a failed write', () => {
  it.each([
    ['ENOSPC', 'the disk is full'],
    ['SQLITE_FULL', 'the disk is full'],
    ['EROFS', 'the folder is read-only'],
    ['SQLITE_READONLY_DBMOVED', 'the folder is read-only'],
    ['EACCES', 'permission was denied'],
    ['SQLITE_BUSY', 'its database is locked by another program; close it and try again'],
    ['EIO', 'a file error'],
  ])('%s: %s', (code, words) => {
    expect(whyWriteFailed(code)).toBe(words);
  });
});
