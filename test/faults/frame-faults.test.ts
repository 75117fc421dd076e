/**
 * A frame's file changes between picking and "Make video": the real FrameService stages it, the
 * real JobsService and HostingService (inline host) take the submit, and the hosting step checks
 * the bytes against what was checked at pick time. Nothing is sent or recorded, the message names
 * the frame and says what to do, and picking it again works.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SubmitJobRequest } from '../../main/contract';
import { FrameService } from '../../main/services/frames/service';
import { HostingService } from '../../main/services/hosting';
import { PollSchedule } from '../../main/services/jobs/poll-schedule';
import { JobsService } from '../../main/services/jobs/service';
import { KeytarSecretStore } from '../../main/services/keychain/keytar-store';
import { createLogger } from '../../main/services/log';
import { SettingsStore } from '../../main/services/settings';
import { makeImage } from '../images';
import { expectConsistent, failure, faultRig } from './rig';
import type { Rig } from './rig';

interface Desk {
  rig: Rig;
  frames: FrameService;
  jobs: JobsService;
  pick(name: string, width: number): Promise<string>;
  request(start: string, end: string): SubmitJobRequest;
}

const desks: Desk[] = [];
afterEach(async () => {
  for (const desk of desks.splice(0)) {
    await desk.jobs.stop();
    await desk.rig.close();
  }
});

async function desk(): Promise<Desk> {
  const rig = await faultRig({ fake: { fetchImages: true } });
  await rig.runner.stop(); // the JobsService below brings its own runner on the same library
  const log = createLogger(() => {});
  const userData = join(rig.dir, 'user-data');
  await mkdir(userData);
  const settings = new SettingsStore(userData, rig.events, log);
  await settings.load();
  const frames = new FrameService({
    stagingDir: join(userData, 'staging'),
    mediaUrl: (path) => `/media/staging/${path}`,
    events: rig.events,
    log,
    platform: rig.platform,
  });
  await frames.init();
  const hosting = new HostingService({
    settings,
    secrets: new KeytarSecretStore('Keyframe frame faults (unused)', log),
    events: rig.events,
    log,
  });
  const jobs = new JobsService({
    frames,
    store: rig.store,
    client: rig.client,
    hosting,
    events: rig.events,
    log,
    platform: rig.platform,
    offlineProbeMs: 100,
    downloadRetryMs: () => 60,
    schedule: new PollSchedule(Date.now, { intervalMs: () => 40, jitter: 0.1, budgetPerSecond: 100, burst: 10 }),
  });
  await jobs.start();
  const made: Desk = {
    rig,
    frames,
    jobs,
    pick: async (name, width) => (await frames.addBytes({ name, data: (await makeImage(width, 450, 'png')).toString('base64') })).id,
    request: (startFrameId, endFrameId) => ({ prompt: 'From @Image1 to @Image2', duration: 5, startFrameId, endFrameId }),
  };
  desks.push(made);
  return made;
}

describe('a frame whose file changes after it was picked', () => {
  it('deleted: nothing is sent or recorded, the message names the frame and says to pick it again; picked again, it goes', async () => {
    const d = await desk();
    const start = await d.pick('dawn.png', 800);
    const end = await d.pick('dusk.png', 700);
    await rm((await d.frames.staged(start)).path);

    const error = await failure(d.jobs.submit(d.request(start, end)));
    expect(error).toMatchObject({
      code: 'hosting',
      message:
        'The frame “dawn.png” is no longer on disk (it was moved or deleted after it was picked), so nothing was sent. Pick the frame again.',
      details: { problem: 'frame-missing' },
    });
    expect(d.rig.fake.count('submit')).toBe(0);
    expect(d.rig.store.count()).toBe(0);

    const again = await d.pick('dawn.png', 800);
    const item = await d.jobs.submit(d.request(again, end));
    await d.jobs.runner.idle();
    expect(d.rig.store.require(item.id).status).toBe('completed');
    // What RunComfy received is what the library keeps.
    expect(d.rig.fake.submissions[0].images.map((image) => image.sha256)).toEqual(
      d.rig.store
        .require(item.id)
        .files.filter((file) => file.kind === 'frame')
        .map((file) => file.sha256),
    );
    await d.jobs.stop();
    await d.rig.reopen();
    expect(await expectConsistent(d.rig.libraryDir)).toEqual([]);
  });

  it('replaced by other bytes: refused the same way, as changed rather than missing', async () => {
    const d = await desk();
    const start = await d.pick('dawn.png', 800);
    const end = await d.pick('dusk.png', 700);
    await writeFile((await d.frames.staged(end)).path, await makeImage(900, 450, 'png'));

    await expect(d.jobs.submit(d.request(start, end))).rejects.toMatchObject({
      code: 'hosting',
      message:
        'The frame “dusk.png” changed on disk after it was checked, so Keyframe did not send it. Pick the frame again so it is checked anew.',
    });
    expect(d.rig.fake.count('submit')).toBe(0);
    expect(d.rig.store.count()).toBe(0);
  });
});
