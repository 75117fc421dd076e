import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MoveProgress } from '../../contract/library';
import { RecordingPlatform } from '../../../test/carrier/platform';
import { inconsistencies, pngBytes, tempDir } from '../../../test/library/harness';
import { EventBus } from '../events';
import { createLogger } from '../log';
import { SettingsStore } from '../settings';
import { Library } from './index';
import { jobFolder } from './layout';

interface Setup {
  userData: string;
  library: Library;
  settings: SettingsStore;
  platform: RecordingPlatform;
  progress: MoveProgress[];
}

async function setup(userData?: string, env: NodeJS.ProcessEnv = {}): Promise<Setup> {
  const dir = userData ?? (await tempDir('kf-move-'));
  const events = new EventBus();
  const log = createLogger(() => {});
  const settings = new SettingsStore(dir, events, log);
  await settings.load();
  const platform = new RecordingPlatform(join(dir, 'Trash'));
  const progress: MoveProgress[] = [];
  events.listen((name, payload) => {
    if (name === 'library:moveProgress') progress.push(payload as MoveProgress);
  });
  const library = await Library.open({ userDataDir: dir, settings, events, log, platform, mediaUrl: (r, p) => `/media/${r}/${p}`, env });
  return { userData: dir, library, settings, platform, progress };
}

async function withJobs(s: Setup, count = 3): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const job = await s.library.store.createJob({
      prompt: `job ${i}`,
      duration: 5,
      frames: [{ role: 'start', bytes: pngBytes(i), ext: 'png' }],
    });
    await s.library.store.recordStatus(job.id, 'completed');
    await s.library.store.addFile(job.id, { kind: 'video', name: 'video.mp4', bytes: Buffer.alloc(50_000 + i, i) });
    ids.push(job.id);
  }
  return ids;
}

describe('moving the library', () => {
  let s: Setup;
  afterEach(async () => {
    await s?.library.close();
  });

  it('copies, verifies, switches and removes the old folder; the library keeps working at its new place', async () => {
    s = await setup();
    const ids = await withJobs(s);
    const old = s.library.store.dir;
    const before = s.library.store.list();
    const target = join(await tempDir(), 'Videos', 'Keyframe');
    await mkdir(join(target, '..'), { recursive: true });
    s.platform.openDialogAnswers.push([target]);

    const result = await s.library.move();

    expect(result).toEqual({ moved: true, dir: target });
    expect(s.platform.calls.find((c) => c.kind === 'openDialog')).toMatchObject({ directory: true });
    expect(s.library.store.dir).toBe(target);
    expect(existsSync(old)).toBe(false);
    expect(s.settings.get().libraryDir).toBe(target);
    expect(JSON.parse(await readFile(join(s.userData, 'settings.json'), 'utf8')).libraryDir).toBe(target);
    for (const id of ids) expect(await readFile(join(target, jobFolder(id), 'video.mp4'))).toHaveLength(50_000 + ids.indexOf(id));
    expect(s.library.store.list()).toEqual(before);
    const phases = s.progress.map((p) => p.phase);
    expect(phases[0]).toBe('copying');
    expect(phases).toEqual(expect.arrayContaining(['verifying', 'switching', 'removing', 'done']));
    expect(Math.max(...s.progress.map((p) => p.totalBytes))).toBeGreaterThan(150_000);

    const added = await s.library.store.createJob({ prompt: 'made after the move', duration: 10 });
    expect(existsSync(join(target, jobFolder(added.id), 'job.json'))).toBe(true);
    await s.library.close();
    expect(await inconsistencies(target)).toEqual([]);

    // The next start opens the moved library.
    s = await setup(s.userData);
    expect(s.library.store.dir).toBe(target);
    expect(s.library.store.count()).toBe(4);
  });

  it('moves back to the default folder and forgets the custom setting', async () => {
    s = await setup();
    await withJobs(s, 1);
    const elsewhere = join(await tempDir(), 'lib');
    s.platform.openDialogAnswers.push([elsewhere]);
    await s.library.move();
    s.platform.openDialogAnswers.push([s.library.defaultDir]);
    await s.library.move();
    expect(s.library.store.dir).toBe(s.library.defaultDir);
    expect(s.settings.get().libraryDir).toBe('');
    expect(s.library.store.count()).toBe(1);
  });

  it('refuses a folder that is not empty, one inside the library, or one that contains it, and changes nothing', async () => {
    s = await setup();
    await withJobs(s, 1);
    const dir = s.library.store.dir;
    const full = await tempDir();
    await writeFile(join(full, 'holiday.jpg'), 'x');
    const cases: [string, RegExp][] = [
      [full, /is not empty \(it holds 1 item\)/],
      [join(dir, 'inside'), /inside the current library/],
      [dir, /inside the current library/],
      [s.userData, /contains the current library/],
      [join(full, 'holiday.jpg', 'x'), /does not exist|is a file/],
      ['relative/path', /full path/],
    ];
    for (const [target, message] of cases) {
      s.platform.openDialogAnswers.push([target]);
      await expect(s.library.move(), target).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    }
    expect(s.library.store.dir).toBe(dir);
    expect(s.settings.get().libraryDir).toBe('');
    expect(await readdir(full)).toEqual(['holiday.jpg']);
    expect(s.library.store.count()).toBe(1);
  });

  it('does nothing when the folder dialog is cancelled', async () => {
    s = await setup();
    await expect(s.library.move()).resolves.toEqual({ moved: false, dir: s.library.store.dir });
  });

  it('keeps the old library in use, and removes the copy, when the new place cannot be saved', async () => {
    s = await setup();
    await withJobs(s, 2);
    const dir = s.library.store.dir;
    // settings.json replaced by a folder: the atomic rename of the new settings fails.
    await rm(join(s.userData, 'settings.json'), { force: true });
    await mkdir(join(s.userData, 'settings.json', 'blocker'), { recursive: true });
    const parent = await tempDir();
    const target = join(parent, 'new-home');
    s.platform.openDialogAnswers.push([target]);
    await expect(s.library.move()).rejects.toMatchObject({ code: 'io' });
    expect(s.library.store.dir).toBe(dir);
    expect(existsSync(target)).toBe(false);
    expect(s.progress.at(-1)).toMatchObject({ phase: 'failed' });
    expect(s.library.store.count()).toBe(2);
    await s.library.store.createJob({ prompt: 'still works', duration: 5 });
    await s.library.close();
    expect(await inconsistencies(dir)).toEqual([]);
  });

  it('holds writes made during the move and applies them to the moved library', async () => {
    s = await setup();
    await withJobs(s, 2);
    const target = join(await tempDir(), 'moved');
    s.platform.openDialogAnswers.push([target]);
    const moving = s.library.move();
    const during = s.library.store.createJob({ prompt: 'written while moving', duration: 5 });
    await moving;
    const job = await during;
    expect(existsSync(join(target, jobFolder(job.id), 'job.json'))).toBe(true);
    expect(s.library.store.count()).toBe(3);
  });

  it('opens the default library, and says why, when the chosen folder cannot be opened', async () => {
    s = await setup();
    const broken = await tempDir();
    await mkdir(join(broken, 'library.db')); // a folder where the database should be: SQLite cannot open it
    await s.settings.set({ libraryDir: broken });
    await s.library.close();
    s = await setup(s.userData);
    expect(s.library.store.dir).toBe(s.library.defaultDir);
    expect(s.library.info().notice?.message).toMatch(new RegExp(`^The library folder ${broken} could not be opened \\(`));
  });

  it('opens the default library, and says why, when the chosen folder is missing (a drive not connected)', async () => {
    s = await setup();
    await s.settings.set({ libraryDir: '/media/unplugged-drive/Keyframe' });
    await s.library.close();
    s = await setup(s.userData);
    expect(s.library.store.dir).toBe(s.library.defaultDir);
    expect(s.library.info().notice).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('/media/unplugged-drive/Keyframe'),
    });
    expect(s.settings.get().libraryDir).toBe('/media/unplugged-drive/Keyframe');
  });

  it('opens KEYFRAME_LIBRARY over the setting, making it if missing', async () => {
    s = await setup();
    const chosen = await tempDir();
    await s.settings.set({ libraryDir: chosen });
    await s.library.close();
    const forRun = join(await tempDir(), 'scripted', 'library');
    s = await setup(s.userData, { KEYFRAME_LIBRARY: forRun });
    expect(s.library.store.dir).toBe(forRun);
    expect(existsSync(join(forRun, 'library.db'))).toBe(true);
    expect(s.library.info().notice).toBeUndefined();
    expect(s.settings.get().libraryDir).toBe(chosen);
  });
});
