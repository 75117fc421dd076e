import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharp } from '../image-engine';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingPlatform } from '../../../test/carrier/platform';
import { pngBytes, tempDir } from '../../../test/library/harness';
import { EventBus } from '../events';
import { createLogger } from '../log';
import { SettingsStore } from '../settings';
import { Library, videoFileName } from './index';
import { jobFolder } from './layout';

describe("the gallery's actions", () => {
  let library: Library;
  let platform: RecordingPlatform;
  afterEach(async () => {
    await library?.close();
  });

  async function setup() {
    const dir = await tempDir('kf-gallery-');
    const events = new EventBus();
    const log = createLogger(() => {});
    const settings = new SettingsStore(dir, events, log);
    await settings.load();
    platform = new RecordingPlatform(join(dir, 'Trash'));
    library = await Library.open({ userDataDir: dir, settings, events, log, platform, mediaUrl: (r, p) => `/media/${r}/${p}` });
    const job = await library.store.createJob({
      prompt: 'Café at dusk: a red fox!',
      duration: 5,
      frames: [{ role: 'start', bytes: pngBytes(), ext: 'png' }],
    });
    return { dir, job };
  }

  const jpeg = (width = 320, height = 180) =>
    sharp({ create: { width, height, channels: 3, background: '#3366aa' } })
      .jpeg()
      .toBuffer();

  it('keeps a poster the renderer decoded, after checking it is the image it claims to be', async () => {
    const { job } = await setup();
    const bytes = await jpeg();
    const saved = await library.savePoster(job.id, { mime: 'image/jpeg', base64: bytes.toString('base64') });
    expect(saved.posterUrl).toBe(`/media/library/${jobFolder(job.id)}/poster.jpg`);
    expect(await readFile(library.store.fileOf(job.id, 'poster.jpg'))).toEqual(bytes);

    const refusals: [string, string, RegExp][] = [
      ['image/jpeg', Buffer.from('not an image at all').toString('base64'), /not a readable image/],
      ['image/jpeg', pngBytes().toString('base64'), /not a JPEG image/],
      ['image/png', '', /under 4 MB/],
      ['image/jpeg', (await jpeg(5000, 10)).toString('base64'), /at most 4096 pixels/],
    ];
    for (const [mime, base64, message] of refusals) {
      await expect(library.savePoster(job.id, { mime: mime as 'image/jpeg', base64 })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(message),
      });
    }
    expect(await readFile(library.store.fileOf(job.id, 'poster.jpg'))).toEqual(bytes);
  });

  it('saves the video where the user chooses, named after the prompt', async () => {
    const { dir, job } = await setup();
    await expect(library.saveVideoAs(job.id)).rejects.toMatchObject({ code: 'not_found', message: 'This job has no video to save yet.' });
    await library.store.recordStatus(job.id, 'completed');
    await library.store.addFile(job.id, { kind: 'video', name: 'video.mp4', bytes: Buffer.from('the video bytes') });
    const target = join(dir, 'Desktop fox.mp4');
    platform.saveDialogAnswers.push(target);
    expect(await library.saveVideoAs(job.id)).toEqual({ path: target });
    expect(await readFile(target, 'utf8')).toBe('the video bytes');
    expect(platform.calls.at(-1)).toMatchObject({
      kind: 'saveDialog',
      defaultName: videoFileName(job),
      filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
    });
    expect(videoFileName(job)).toBe(`cafe-at-dusk-a-red-fox-${job.id.slice(0, 15)}.mp4`);
    expect(await library.saveVideoAs(job.id)).toEqual({}); // cancelled
    platform.saveDialogAnswers.push(join(dir, 'no-such-folder', 'x.mp4'));
    await expect(library.saveVideoAs(job.id)).rejects.toMatchObject({
      code: 'io',
      message: expect.stringContaining('could not save the video'),
    });
  });

  it('reveals the video in the file manager, or the folder when there is no video', async () => {
    const { dir, job } = await setup();
    library.reveal(job.id);
    expect(platform.calls.at(-1)).toEqual({ kind: 'reveal', path: join(dir, 'library', jobFolder(job.id)) });
    await library.store.addFile(job.id, { kind: 'video', name: 'video.mp4', bytes: Buffer.from('v') });
    library.reveal(job.id);
    expect(platform.calls.at(-1)).toEqual({ kind: 'reveal', path: join(dir, 'library', jobFolder(job.id), 'video.mp4') });
  });

  it('moves a job to the trash only once it has ended: an open one stays, with what to do instead', async () => {
    const { job } = await setup();
    await expect(library.delete(job.id)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'This job is still open (Sending). Cancel it in the Queue, or wait until it ends; nothing was moved to the trash.',
    });
    await library.store.recordStatus(job.id, 'submit_unknown');
    await expect(library.delete(job.id)).rejects.toMatchObject({
      message: expect.stringMatching(/^This job is still open \(Needs your decision\)\. Decide in the Queue/),
    });
    expect(platform.calls.filter((call) => call.kind === 'trash')).toEqual([]);
    expect(library.store.get(job.id)).toBeDefined();

    await library.store.recordStatus(job.id, 'cancelled');
    await library.delete(job.id);
    expect(library.store.get(job.id)).toBeUndefined();
    expect(platform.calls.filter((call) => call.kind === 'trash')).toHaveLength(1);
  });

  it('reports the library and forgets a notice once dismissed', async () => {
    await setup();
    expect(library.info()).toMatchObject({ total: 1, moving: false, dir: library.defaultDir });
    expect(library.info().notice).toBeUndefined();
    expect(library.dismissNotice()).toBeNull();
  });
});
