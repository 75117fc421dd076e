import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors';
import { RecordingPlatform } from '../../../test/carrier/platform';
import { inconsistencies, openStore, pngBytes } from '../../../test/library/harness';
import type { TestStore } from '../../../test/library/harness';
import { jobFolder } from './layout';
import { describeSentUrl } from './job-files';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the library store', () => {
  let t: TestStore;
  afterEach(async () => {
    await t?.store.close();
  });

  const newJob = (prompt = 'A red fox walks through snow', duration: 5 | 10 = 5) =>
    t.store.createJob({
      prompt,
      duration,
      frames: [
        { role: 'start', bytes: pngBytes(1), ext: 'png', originalName: 'fox start.png' },
        { role: 'end', bytes: pngBytes(2), ext: 'png' },
      ],
    });

  it('creates a job before submission: its folder holds the frames as sent and a readable job.json', async () => {
    t = await openStore();
    const job = await newJob();
    expect(job.id).toMatch(/^\d{8}-\d{6}-[0-9a-z]{6}$/);
    expect(job.status).toBe('submitting');
    const folder = join(t.dir, jobFolder(job.id));
    expect(jobFolder(job.id)).toMatch(/^\d{4}-\d{2}\//);
    expect(await readFile(join(folder, 'start.png'))).toEqual(pngBytes(1));
    expect(await readFile(join(folder, 'end.png'))).toEqual(pngBytes(2));
    const manifestText = await readFile(join(folder, 'job.json'), 'utf8');
    expect(manifestText).toContain('\n  "prompt": "A red fox walks through snow"');
    expect(JSON.parse(manifestText)).toEqual(t.store.get(job.id));
    expect(job.files.find((f) => f.role === 'start')).toMatchObject({
      bytes: pngBytes(1).byteLength,
      sha256: sha(pngBytes(1)),
      originalName: 'fox start.png',
    });
    expect(t.changes).toEqual([{ kind: 'created', id: job.id }]);
    expect(await inconsistencies(t.dir)).toEqual([]);
  });

  it('refuses two frames with the same role and a frame type the model does not take', async () => {
    t = await openStore();
    const twice = t.store.createJob({
      prompt: 'x',
      duration: 5,
      frames: [
        { role: 'start', bytes: pngBytes(), ext: 'png' },
        { role: 'start', bytes: pngBytes(), ext: 'png' },
      ],
    });
    await expect(twice).rejects.toMatchObject({ code: 'invalid_input', message: 'A job has one start frame, not two.' });
    const bmp = t.store.createJob({ prompt: 'x', duration: 5, frames: [{ role: 'end', bytes: pngBytes(), ext: 'bmp' as 'png' }] });
    await expect(bmp).rejects.toMatchObject({ code: 'invalid_input' });
    expect(t.store.count()).toBe(0);
    expect(existsSync(join(t.dir, '.incoming'))).toBe(false);
  });

  it('records each status change with its time, the request id, timings and the server error', async () => {
    t = await openStore();
    const job = await newJob();
    await t.store.recordSubmitted(job.id, 'req-123');
    t.store.recordQueuePosition(job.id, 3);
    expect(t.store.detail(job.id)).toMatchObject({ status: 'queued', requestId: 'req-123', queuePosition: 3 });
    await t.store.recordStatus(job.id, 'running');
    await t.store.recordStatus(job.id, 'running'); // a repeated poll adds nothing
    const failed = await t.store.recordStatus(job.id, 'failed', { error: 'The image could not be fetched.' });
    expect(failed.history.map((h) => h.status)).toEqual(['submitting', 'queued', 'running', 'failed']);
    for (const h of failed.history) expect(Date.parse(h.at)).not.toBeNaN();
    expect(failed).toMatchObject({ error: 'The image could not be fetched.', requestId: 'req-123' });
    expect(failed.submittedAt && failed.startedAt && failed.finishedAt).toBeTruthy();
    expect(t.store.findByRequestId('req-123')?.id).toBe(job.id);
    const onDisk = JSON.parse(await readFile(join(t.dir, jobFolder(job.id), 'job.json'), 'utf8'));
    expect(onDisk.revision).toBe(failed.revision);
    expect(onDisk.status).toBe('failed');
  });

  it('keeps finished jobs finished', async () => {
    t = await openStore();
    const job = await newJob();
    await t.store.recordStatus(job.id, 'cancelled');
    const late = t.store.recordStatus(job.id, 'running');
    await expect(late).rejects.toBeInstanceOf(AppError);
    await expect(late).rejects.toMatchObject({
      code: 'invalid_input',
      message: `Job ${job.id} is already cancelled; it cannot become running.`,
    });
    expect(t.store.get(job.id)?.status).toBe('cancelled');
  });

  it('marks a submission whose outcome is unknown, and lists unfinished jobs for the runner to resume', async () => {
    t = await openStore();
    const unknown = await newJob('unknown');
    await t.store.markSubmitUnknown(unknown.id, 'Keyframe stopped while submitting');
    const queued = await newJob('queued');
    await t.store.recordSubmitted(queued.id, 'req-q');
    const downloading = await newJob('downloading');
    await t.store.recordSubmitted(downloading.id, 'req-d');
    await t.store.recordStatus(downloading.id, 'completed');
    const done = await newJob('done');
    await t.store.recordStatus(done.id, 'completed');
    await t.store.addFile(done.id, { kind: 'video', name: 'video.mp4', bytes: Buffer.from('mp4') });
    const failed = await newJob('failed');
    await t.store.recordStatus(failed.id, 'failed');
    expect(t.store.listOpen().map((job) => job.prompt)).toEqual(['unknown', 'queued', 'downloading']);
    expect(t.store.get(unknown.id)?.history.at(-1)).toMatchObject({ status: 'submit_unknown', note: 'Keyframe stopped while submitting' });
  });

  it('downloads a video through a temporary file, and shows the job as downloading until it is complete', async () => {
    t = await openStore();
    const job = await newJob();
    await t.store.recordStatus(job.id, 'completed');
    const partial = await t.store.beginVideo(job.id);
    expect(partial).toMatch(/video\.mp4\.kftmp$/);
    expect(t.store.list().items[0]).toMatchObject({ downloading: true });
    expect(t.store.list().items[0].videoUrl).toBeUndefined();
    const bytes = Buffer.from('not really an mp4, but bytes all the same');
    await writeFile(partial, bytes);
    const finished = await t.store.finishVideo(job.id);
    expect(finished.files.find((f) => f.kind === 'video')).toMatchObject({ complete: true, bytes: bytes.byteLength, sha256: sha(bytes) });
    expect(await readFile(join(t.dir, jobFolder(job.id), 'video.mp4'))).toEqual(bytes);
    expect(existsSync(partial)).toBe(false);
    expect(t.store.list().items[0]).toMatchObject({ downloading: false, videoUrl: `/media/library/${jobFolder(job.id)}/video.mp4` });
    expect(t.store.listOpen()).toEqual([]);
    await expect(t.store.finishVideo(job.id, 'other.mp4')).rejects.toMatchObject({ code: 'not_found' });
    expect(await inconsistencies(t.dir)).toEqual([]);
  });

  it('records which host carried each frame, never keeping a signature or password', async () => {
    t = await openStore();
    const job = await newJob();
    await t.store.recordFrameHost(
      job.id,
      'start',
      's3',
      'https://bucket.s3.example.com/kf/start.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc123&v=2',
    );
    await t.store.recordFrameHost(job.id, 'end', 'data-uri', `data:image/png;base64,${'A'.repeat(5000)}`);
    const detail = t.store.detail(job.id);
    const start = detail.frames.find((f) => f.role === 'start')!;
    expect(start).toMatchObject({ host: 's3', sentUrl: 'https://bucket.s3.example.com/kf/start.png?v=2' });
    expect(detail.frames.find((f) => f.role === 'end')).toMatchObject({ host: 'data-uri', sentUrl: 'data:image/png;base64,…' });
    expect(describeSentUrl('url', 'https://user:pw@example.com/a.png?token=zzz&id=7')).toBe('https://example.com/a.png?id=7');
    expect(JSON.stringify(t.store.get(job.id))).not.toMatch(/abc123|AKIA|AAAAAAAA/);
  });

  it('keeps one poster, replacing an older one and its file', async () => {
    t = await openStore();
    const job = await newJob();
    await t.store.addFile(job.id, { kind: 'poster', name: 'poster.png', bytes: pngBytes(5) });
    await t.store.addFile(job.id, { kind: 'poster', name: 'poster.jpg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0x00]) });
    const posters = t.store.get(job.id)!.files.filter((f) => f.kind === 'poster');
    expect(posters.map((p) => p.name)).toEqual(['poster.jpg']);
    expect(await readdir(join(t.dir, jobFolder(job.id)))).not.toContain('poster.png');
    expect(t.store.list().items[0].posterUrl).toBe(`/media/library/${jobFolder(job.id)}/poster.jpg`);
    expect(await inconsistencies(t.dir)).toEqual([]);
  });

  it('refuses file names that could escape the job folder or clash with its own files', async () => {
    t = await openStore();
    const job = await newJob();
    for (const name of ['../evil.mp4', 'a/b.mp4', 'job.json', 'video.mp4.kftmp', '.hidden', '']) {
      await expect(t.store.addFile(job.id, { kind: 'video', name, bytes: Buffer.from('x') })).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
    expect(await readdir(join(t.dir, jobFolder(job.id)))).toEqual(['end.png', 'job.json', 'start.png']);
  });

  it('answers not_found for a job that is not there', async () => {
    t = await openStore();
    await expect(t.store.recordStatus('20260101-000000-aaaaaa', 'running')).rejects.toMatchObject({ code: 'not_found' });
    expect(() => t.store.detail('20260101-000000-aaaaaa')).toThrow(/not in the library/);
    expect(() => t.store.recordQueuePosition('20260101-000000-aaaaaa', 1)).toThrow(AppError);
  });

  it('serialises concurrent writes: none is lost and the folder matches the index', async () => {
    t = await openStore();
    const job = await newJob();
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => t.store.setFavourite(job.id, i % 2 === 0)),
      t.store.recordSubmitted(job.id, 'req-1'),
      t.store.addFile(job.id, { kind: 'poster', name: 'poster.jpg', bytes: Buffer.from([0xff, 0xd8, 0xff]) }),
      t.store.recordStatus(job.id, 'running'),
    ]);
    const record = t.store.get(job.id)!;
    expect(record.revision).toBe(1 + 13);
    expect(record.favourite).toBe(false);
    expect(record.status).toBe('running');
    expect(await inconsistencies(t.dir)).toEqual([]);
  });

  describe('delete', () => {
    it('moves the folder to the trash and removes the job from the index and from search', async () => {
      t = await openStore();
      const keep = await newJob('a blue whale');
      const gone = await newJob('a red fox');
      const folder = join(t.dir, jobFolder(gone.id));
      await t.store.delete(gone.id);
      expect(existsSync(folder)).toBe(false);
      const trashed = t.platform.calls.find((c) => c.kind === 'trash');
      expect(trashed).toMatchObject({ kind: 'trash', path: folder });
      expect(await readdir(join(t.platform.trashDir, 'files'))).toHaveLength(1);
      const info = await readdir(join(t.platform.trashDir, 'info'));
      expect(await readFile(join(t.platform.trashDir, 'info', info[0]), 'utf8')).toContain(`Path=${encodeURI(folder)}`);
      expect(t.store.get(gone.id)).toBeUndefined();
      expect(t.store.list({ text: 'fox' }).total).toBe(0);
      expect(t.store.list().items.map((j) => j.id)).toEqual([keep.id]);
      expect(t.changes.at(-1)).toEqual({ kind: 'deleted', id: gone.id });
      expect(await inconsistencies(t.dir)).toEqual([]);
    });

    it('keeps the job, whole and clean, when the trash refuses it', async () => {
      class NoTrash extends RecordingPlatform {
        override async trashItem(): Promise<void> {
          throw Object.assign(new Error('no trash on this drive'), { code: 'EXDEV' });
        }
      }
      t = await openStore(undefined, new NoTrash('/nonexistent'));
      const job = await newJob();
      await expect(t.store.delete(job.id)).rejects.toMatchObject({ code: 'io' });
      expect(t.store.get(job.id)).toBeDefined();
      expect(await inconsistencies(t.dir)).toEqual([]);
    });
  });
});
