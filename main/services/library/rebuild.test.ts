import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inconsistencies, openStore, pngBytes } from '../../../test/library/harness';
import { DB_FILE, jobFolder } from './layout';

/** A library with three jobs in various states, closed; returns what the index said about them. */
async function library() {
  const t = await openStore();
  const a = await t.store.createJob({
    prompt: 'A red fox walks through snow',
    duration: 5,
    frames: [{ role: 'start', bytes: pngBytes(1), ext: 'png' }],
  });
  await t.store.recordSubmitted(a.id, 'req-a');
  await t.store.recordStatus(a.id, 'completed');
  await t.store.addFile(a.id, { kind: 'video', name: 'video.mp4', bytes: Buffer.from('video bytes') });
  await t.store.setFavourite(a.id, true);
  const b = await t.store.createJob({ prompt: 'A blue whale', duration: 10, createdAt: new Date('2025-12-31T23:00:00Z') });
  await t.store.recordStatus(b.id, 'failed', { error: 'Content policy' });
  const c = await t.store.createJob({ prompt: 'Still submitting', duration: 5 });
  const before = { list: t.store.list(), records: [a, b, c].map((job) => t.store.get(job.id)) };
  await t.store.close();
  return { dir: t.dir, ids: [a.id, b.id, c.id], before };
}

async function reopen(dir: string) {
  const t = await openStore(dir);
  const after = { list: t.store.list(), records: [] as unknown[] };
  return { t, after };
}

describe('rebuilding the index from the job folders', () => {
  it('rebuilds a missing database with every job, status, favourite and file, and says so', async () => {
    const { dir, ids, before } = await library();
    for (const suffix of ['', '-wal', '-shm']) await rm(join(dir, DB_FILE + suffix), { force: true });
    const { t, after } = await reopen(dir);
    expect(after.list).toEqual(before.list);
    expect(ids.map((id) => t.store.get(id))).toEqual(before.records);
    expect(t.store.list({ text: 'fox', favourites: true }).total).toBe(1);
    expect(t.store.notice).toMatchObject({ kind: 'rebuilt', message: expect.stringContaining('was missing') });
    expect(t.store.notice!.message).toContain('3 job folders');
    await t.store.close();
    expect(await inconsistencies(dir)).toEqual([]);
  });

  it('keeps a file that is not a database aside, rebuilds, and tells the user where the old one went', async () => {
    const { dir, before } = await library();
    await writeFile(join(dir, DB_FILE), 'this is not a database, just some text that happens to be here'.repeat(100));
    for (const suffix of ['-wal', '-shm']) await rm(join(dir, DB_FILE + suffix), { force: true });
    const { t, after } = await reopen(dir);
    expect(after.list).toEqual(before.list);
    const aside = (await readdir(dir)).find((name) => name.startsWith(`${DB_FILE}.damaged-`));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), 'utf8')).toContain('this is not a database');
    expect(t.store.notice).toMatchObject({ kind: 'rebuilt', keptAt: join(dir, aside!) });
    expect(t.store.notice!.message).toMatch(/could not be used \(the file is not a database\).*kept at/);
    expect(t.logLines.join('\n')).toContain(aside!);
    await t.store.close();
  });

  it('rebuilds when pages inside the database are damaged', async () => {
    const { dir, before } = await library();
    const check = new Database(join(dir, DB_FILE));
    check.pragma('wal_checkpoint(TRUNCATE)');
    check.close();
    const bytes = await readFile(join(dir, DB_FILE));
    const pageSize = bytes.readUInt16BE(16);
    // Scribble over every page after the first (the header stays valid, the b-trees do not).
    for (let offset = pageSize; offset < bytes.length; offset += 97) bytes[offset] = 0xa5;
    await writeFile(join(dir, DB_FILE), bytes);
    const { t, after } = await reopen(dir);
    expect(t.store.notice?.kind).toBe('rebuilt');
    expect(after.list).toEqual(before.list);
    await t.store.close();
    expect(await inconsistencies(dir)).toEqual([]);
  });

  it('rebuilds when a migration cannot run (a schema from a newer Keyframe)', async () => {
    const { dir, before } = await library();
    const db = new Database(join(dir, DB_FILE));
    db.pragma('user_version = 7');
    db.close();
    const { t, after } = await reopen(dir);
    expect(t.store.notice!.message).toContain('newer Keyframe');
    expect(after.list).toEqual(before.list);
    await t.store.close();
  });

  it('skips folders that do not describe a job, and drops files a manifest lists but the folder lacks', async () => {
    const { dir, ids } = await library();
    await rm(join(dir, DB_FILE), { force: true });
    for (const suffix of ['-wal', '-shm']) await rm(join(dir, DB_FILE + suffix), { force: true });
    await writeFile(join(dir, jobFolder(ids[1]), 'job.json'), '{ "broken": ');
    await rm(join(dir, jobFolder(ids[0]), 'video.mp4'));
    await writeFile(join(dir, jobFolder(ids[0]), 'poster.jpg.kftmp'), 'half a poster');
    await mkdir(join(dir, '2026-01', 'holiday-photos'), { recursive: true });
    const { t } = await reopen(dir);
    expect(t.store.count()).toBe(2);
    expect(t.store.get(ids[1])).toBeUndefined();
    const a = t.store.get(ids[0])!;
    expect(a.files.map((f) => f.name)).toEqual(['start.png']);
    expect(t.store.list().items.find((i) => i.id === ids[0])).toMatchObject({ downloading: true });
    expect(t.store.listOpen().map((j) => j.id)).toContain(ids[0]);
    const manifest = JSON.parse(await readFile(join(dir, jobFolder(ids[0]), 'job.json'), 'utf8'));
    expect(manifest.files).toHaveLength(1);
    expect(existsSync(join(dir, jobFolder(ids[0]), 'poster.jpg.kftmp'))).toBe(false);
    expect((await stat(join(dir, '2026-01', 'holiday-photos'))).isDirectory()).toBe(true);
    await t.store.close();
  });

  it('opens a new, empty library without a notice', async () => {
    const t = await openStore();
    expect(t.store.notice).toBeUndefined();
    expect(t.store.count()).toBe(0);
    await t.store.close();
  });
});
