/**
 * The library's SQLite index held by another program (an exclusive write lock from a real second
 * process) and corrupted under a job that RunComfy is running. Writes wait for a short lock; a
 * long one is refused with a message naming it, before anything is sent; a corrupt index is kept
 * aside and rebuilt from the job folders, and the job in it is followed to its video.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '../../main/services/library/layout';
import { LibraryStore } from '../../main/services/library/store';
import { EventBus } from '../../main/services/events';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { expectConsistent, failure, faultRig, hasCompleteVideo, until } from './rig';
import type { Rig } from './rig';

const rigs: Rig[] = [];
const holders: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const holder of holders.splice(0)) holder.kill();
  for (const rig of rigs.splice(0)) await rig.close();
});

/** Another process takes the write lock; resolves once it holds it, with a function that lets go. */
async function holdLock(libraryDir: string, forMs?: number): Promise<() => Promise<void>> {
  const args = [join(import.meta.dirname, 'hold-lock.mjs'), join(libraryDir, DB_FILE), ...(forMs ? [String(forMs)] : [])];
  const holder = spawn(process.execPath, args);
  holders.push(holder);
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', (chunk: Buffer) => (String(chunk).includes('locked') ? resolve() : reject(new Error(String(chunk)))));
    holder.once('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
  return async () => {
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin.write('go\n');
    await exited;
  };
}

describe('a database locked by another program', () => {
  it('for a moment: Keyframe’s writes wait for it, and the job goes through untroubled', async () => {
    const r = await faultRig();
    rigs.push(r);
    await holdLock(r.libraryDir, 1_000);
    const item = await r.runner.submit(r.request());
    await r.runner.idle();
    expect(hasCompleteVideo(r.store, r.store.require(item.id))).toBe(true);
    expect(r.states.filter((state) => state.problem)).toEqual([]);
  });

  it('for longer than Keyframe waits: a new job is refused before it is sent, naming the lock; released, the next one goes', async () => {
    const r = await faultRig();
    rigs.push(r);
    const release = await holdLock(r.libraryDir);
    const error = await failure(r.runner.submit(r.request()));
    expect(error).toMatchObject({
      code: 'io',
      message: `Keyframe could not create the job in ${r.libraryDir} (its database is locked by another program; close it and try again).`,
    });
    expect(r.fake.count('submit')).toBe(0);
    await release();

    const item = await r.runner.submit(r.request());
    await r.runner.idle();
    expect(hasCompleteVideo(r.store, r.store.require(item.id))).toBe(true);
    const records = await r.reopen();
    expect(records).toHaveLength(1);
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  }, 30_000);
});

describe('a database corrupted while RunComfy runs a job', () => {
  it('is kept aside and rebuilt on the next start, the user is told where the copy is, and the job ends with its video, sent once', async () => {
    const r = await faultRig({ fake: { plan: { queuePositions: 1, stepMs: Infinity } } });
    rigs.push(r);
    const item = await r.runner.submit(r.request());
    await until(() => r.store.get(item.id)?.status === 'queued');
    await r.reopen();
    // Scribble over the first pages: the header and the schema.
    const file = await open(join(r.libraryDir, DB_FILE), 'r+');
    await file.write(Buffer.alloc(8192, 0x5a), 0, 8192, 0);
    await file.close();
    r.fake.advance(undefined, 5);

    const log: string[] = [];
    const store = await LibraryStore.open({
      dir: r.libraryDir,
      log: createLogger((line) => log.push(line)),
      events: new EventBus(),
      mediaUrl: mediaUrlFor('/media/'),
      trash: async () => {},
    });
    expect(store.notice?.message).toMatch(
      /^The library's index could not be used \(the file is not a database\), so Keyframe rebuilt it from 1 job folder\. The old index was kept at .*library\.db\.damaged-/,
    );
    const record = store.require(item.id);
    expect(record).toMatchObject({ status: 'queued', requestId: r.fake.jobIds[0] });
    await store.close();

    // The app runs on with the rebuilt library: the job is followed by its request id.
    const next = await faultRig({ libraryDir: r.libraryDir, useFake: r.fake });
    rigs.push(next);
    await next.runner.idle();
    expect(next.store.require(item.id).status).toBe('completed');
    expect(hasCompleteVideo(next.store, next.store.require(item.id))).toBe(true);
    expect(r.fake.count('submit')).toBe(1);
    await next.reopen();
    expect(await expectConsistent(r.libraryDir)).toEqual([]);
  });
});
