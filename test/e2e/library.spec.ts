/**
 * The library gallery end to end, on generated libraries (test/library/seed.ts): offline use,
 * search, the detail view and its video, re-run into Create, delete, keyboard, rebuild, move.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { KeyframeApp } from './fixtures';

interface DiskJob {
  id: string;
  prompt: string;
  status: string;
  createdAt: string;
  error?: string;
  favourite: boolean;
  files: { name: string; kind: string; bytes: number }[];
  folder: string;
}

/** What the library holds, read from the job folders themselves (the ground truth, in any launch mode). */
async function jobsOnDisk(root: string): Promise<DiskJob[]> {
  const jobs: DiskJob[] = [];
  for (const month of (await readdir(root)).filter((name) => /^\d{4}-\d{2}$/.test(name))) {
    for (const id of await readdir(join(root, month))) {
      const folder = join(root, month, id);
      jobs.push({ ...JSON.parse(await readFile(join(folder, 'job.json'), 'utf8')), folder });
    }
  }
  return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The library's own search rule: every typed word starts some word of the prompt. */
const matches = (prompt: string, text: string) => {
  const words = prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).every((typed) => words.some((word) => word.startsWith(typed)));
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function openLibrary(app: KeyframeApp): Promise<Page> {
  const { page } = app;
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Jobs' })).toHaveAttribute('aria-busy', 'false');
  return page;
}

const cards = (page: Page) => page.getByRole('list', { name: 'Jobs' }).getByRole('listitem');

test.describe('with every outbound request blocked', () => {
  test.use({ librarySeed: { count: 40, full: 4, seed: 11 }, blockOutbound: true });

  test('the library opens, searches, plays a video and re-runs a job into Create', async ({ app }) => {
    const root = join(app.userDataDir, 'library');
    const onDisk = await jobsOnDisk(root);
    const page = await openLibrary(app);
    await expect(page.getByText('40 jobs', { exact: true })).toBeVisible();

    // Jobs made through the storage API have no poster yet: the gallery makes them (Chromium decodes, main keeps).
    const needPosters = onDisk.filter((job) => job.files.some((f) => f.kind === 'video') && !job.files.some((f) => f.kind === 'poster'));
    expect(needPosters.length).toBeGreaterThan(0);
    await expect
      .poll(async () => (await Promise.all(needPosters.map((job) => existsSync(join(job.folder, 'poster.jpg'))))).filter(Boolean).length)
      .toBe(needPosters.length);
    const poster = await readFile(join(needPosters[0].folder, 'poster.jpg'));
    expect([...poster.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    await expect(cards(page).first().locator('img')).toHaveJSProperty('complete', true);
    await app.screenshot('library-grid');

    // Search as you type, from the keyboard.
    const target = onDisk.find(
      (job) => job.status === 'completed' && job.files.some((f) => f.kind === 'frame' && f.bytes > 0) && needPosters.includes(job),
    )!;
    const words = target.prompt.split(' ').slice(1, 3).join(' ');
    const expected = onDisk.filter((job) => matches(job.prompt, words));
    await page.keyboard.press('/');
    const search = page.getByRole('searchbox', { name: 'Search prompts' });
    await expect(search).toBeFocused();
    await search.pressSequentially(words, { delay: 30 });
    await expect(page.getByText(`${expected.length} job${expected.length === 1 ? '' : 's'} match`)).toBeVisible();
    await expect(cards(page)).toHaveCount(expected.length);
    await expect(cards(page).first()).toContainText(expected[0].prompt.slice(0, 30));

    // Open the target job from the keyboard.
    await search.press('Enter');
    const index = expected.findIndex((job) => job.id === target.id);
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowRight');
    await expect(page.locator(':focus')).toHaveAttribute('data-index', String(index));
    await page.keyboard.press('Enter');
    const detail = page.getByRole('dialog', { name: 'Job details' });
    await expect(detail.getByRole('heading', { name: target.prompt })).toBeVisible();

    // Its video plays from the job's folder, and steps frame by frame.
    const video = detail.locator('video');
    await detail.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0.4);
    expect(await video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('k');
    // Paused by K, or (on a machine slow enough for the 5 s clip to end first) K played it again and
    // it ended again: either way it comes to rest, and the steps below start from the middle.
    await expect(detail.getByRole('button', { name: 'Play' })).toBeVisible();
    await detail.getByRole('slider', { name: 'Seek' }).fill('2.5');
    await detail.getByRole('button', { name: 'Play' }).focus(); // the frame keys are not taken from the slider
    const frameText = async () => Number(/frame (\d+)/.exec((await detail.getByText(/^frame \d+ \/ 120$/).textContent()) ?? '')?.[1]);
    const frameOfVideo = () => video.evaluate((v: HTMLVideoElement) => Math.floor(v.currentTime * 24 + 1e-3) + 1);
    await expect.poll(frameOfVideo).toBe(61);
    await expect.poll(frameText).toBe(61);
    const before = await frameText();
    await page.keyboard.press('.');
    await expect.poll(frameText).toBe(before + 1);
    await page.keyboard.press('.');
    await expect.poll(frameText).toBe(before + 2);
    await page.keyboard.press(',');
    await expect.poll(frameText).toBe(before + 1);
    expect(await frameOfVideo()).toBe(before + 1);
    await app.screenshot('library-detail');

    // Re-run hands prompt, duration and the exact frames to Create.
    const frames = target.files.filter((f) => f.kind === 'frame');
    await detail.getByRole('button', { name: 'Re-run', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
    const duration = JSON.parse(await readFile(join(target.folder, 'job.json'), 'utf8')).duration;
    await expect(
      page.getByText(`Re-running in Create: ${duration} s, start and end frames, ${kb(frames[0].bytes + frames[1].bytes)}.`),
    ).toBeVisible();

    expect(app.blockedRequests).toEqual([]);
  });

  test('when the browser is offline the library says so, and Re-run explains that nothing is submitted', async ({ app }) => {
    const page = await openLibrary(app);
    const done = (await jobsOnDisk(join(app.userDataDir, 'library'))).findIndex((job) => job.status === 'completed');
    await cards(page).nth(done).getByRole('button').first().click();
    const detail = page.getByRole('dialog', { name: 'Job details' });
    await expect(detail.locator('figure img').first()).toHaveJSProperty('complete', true);
    await page.context().setOffline(true);
    await expect(page.getByText('Offline', { exact: true })).toBeVisible();
    await expect(detail.getByRole('button', { name: 'Re-run', exact: true })).toHaveAttribute('title', /You are offline/);
    await detail.getByRole('button', { name: 'Re-run', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
    await expect(
      page.getByText(/You are offline, so nothing was submitted\. The job \(\d+ s, start and end frames, \d+ KB\) is ready in Create/),
    ).toBeVisible();
    await app.screenshot('library-offline-rerun');
    await page.context().setOffline(false);
    expect(app.blockedRequests).toEqual([]);
  });
});

test.describe('a seeded library', () => {
  test.use({ librarySeed: { count: 40, full: 2, seed: 5 } });

  test('a failed job shows the server error; Delete asks, then moves the job to the trash', async ({ app }) => {
    const root = join(app.userDataDir, 'library');
    const page = await openLibrary(app);
    await page.getByRole('combobox', { name: 'Status' }).selectOption('failed');
    const failed = (await jobsOnDisk(root)).filter((job) => job.status === 'failed');
    await expect(cards(page)).toHaveCount(failed.length);
    await cards(page).first().getByRole('button').first().click();
    const detail = page.getByRole('dialog', { name: 'Job details' });
    await expect(detail.getByRole('alert')).toContainText('This job failed');
    await expect(detail.getByRole('alert')).toContainText(failed[0].error!);
    await app.screenshot('library-detail-failed');
    await page.keyboard.press('Escape');
    await expect(detail).toBeHidden();
    await expect(cards(page).first().getByRole('button').first()).toBeFocused();

    // Delete → a confirmation; Escape keeps the job, and a Delete right after asks again.
    await page.keyboard.press('Delete');
    const confirm = page.getByRole('dialog', { name: 'Move this job to the trash?' });
    await expect(confirm).toBeVisible();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Delete');
    await expect(confirm).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(confirm).toBeHidden();
    await expect(cards(page).first().getByRole('button').first()).toBeFocused();
    expect(existsSync(failed[0].folder)).toBe(true);

    // Delete, then Enter confirms: the folder goes to the trash and the job leaves the index.
    await page.keyboard.press('Delete');
    await expect(confirm).toBeVisible();
    await app.screenshot('library-confirm-delete');
    await page.keyboard.press('Enter');
    await expect(cards(page)).toHaveCount(failed.length - 1);
    await expect(page.getByText(`${failed.length - 1} job${failed.length - 1 === 1 ? '' : 's'} match`)).toBeVisible();
    expect(existsSync(failed[0].folder)).toBe(false);
    if (app.services) {
      expect(app.services.library.store.get(failed[0].id)).toBeUndefined();
      expect(app.platform.calls).toContainEqual(expect.objectContaining({ kind: 'trash', path: failed[0].folder }));
      const trashed = await readdir(join(app.platform.trashDir, 'files'));
      expect(await readdir(join(app.platform.trashDir, 'files', trashed[0]))).toContain('job.json');
    }
  });

  test('a frame of the video becomes the next start frame; save as, show in folder and copy from the detail view', async ({ app }) => {
    const page = await openLibrary(app);
    const jobs = await jobsOnDisk(join(app.userDataDir, 'library'));
    const index = jobs.findIndex((job) => job.files.some((f) => f.kind === 'video' && f.bytes > 100_000));
    const job = jobs[index];
    const openJob = async () => {
      await cards(page).nth(index).getByRole('button').first().click();
      const detail = page.getByRole('dialog', { name: 'Job details' });
      await expect(detail.locator('video')).toHaveJSProperty('readyState', 4);
      return detail;
    };

    // Resting the pointer on a card plays its video there.
    await cards(page).nth(index).hover();
    const preview = cards(page).nth(index).locator('video');
    await expect.poll(() => preview.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0.2);
    await page.mouse.move(0, 0);
    await expect(preview).toHaveCount(0);

    let detail = await openJob();
    await page.keyboard.press('f');
    await expect.poll(() => page.evaluate(() => document.fullscreenElement?.className ?? '')).toContain('player');
    await page.keyboard.press('f');
    await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
    if (app.services) {
      const target = join(app.userDataDir, 'saved.mp4');
      app.platform.saveDialogAnswers.push(target);
      await detail.getByRole('button', { name: 'Save video as…' }).click();
      await expect(page.getByText(`Saved to ${target}`)).toBeVisible();
      expect((await stat(target)).size).toBe(job.files.find((f) => f.kind === 'video')!.bytes);
      await detail.getByRole('button', { name: 'Show in folder' }).click();
      await expect.poll(() => app.platform.calls.at(-1)).toEqual({ kind: 'reveal', path: join(job.folder, 'video.mp4') });
    }
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await detail.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(page.getByText('Prompt copied.')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(job.prompt);

    // Step to a frame and use it: Chromium decodes it, Create receives it.
    await page.keyboard.press('.');
    await page.keyboard.press('.');
    await detail.getByRole('button', { name: 'Use this frame as the next start frame' }).click();
    await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
    await expect(page.getByText("The video's frame (480×270) is the start frame in Create.")).toBeVisible();

    await page.keyboard.press('Control+3');
    detail = await openJob();
    await detail.getByRole('button', { name: 'Use the last frame' }).click();
    await expect(page.getByText("The video's last frame (480×270) is the start frame in Create.")).toBeVisible();
  });

  test('no results, favourites and clearing filters', async ({ app }) => {
    const page = await openLibrary(app);
    const search = page.getByRole('searchbox', { name: 'Search prompts' });
    await search.fill('zebra unicorn');
    await expect(page.getByRole('heading', { name: 'No jobs match' })).toBeVisible();
    await expect(page.getByText('Nothing in your library matches “zebra unicorn” with these filters.')).toBeVisible();
    await app.screenshot('library-no-results');
    await page.getByRole('button', { name: 'Show all jobs' }).click();
    await expect(search).toHaveValue('');
    await expect(cards(page)).not.toHaveCount(0);

    // Star the first card with S, then show favourites only.
    const favourites = (await jobsOnDisk(join(app.userDataDir, 'library'))).filter((job) => job.favourite).length;
    await cards(page).first().getByRole('button').first().focus();
    await page.keyboard.press('s');
    await expect(cards(page).first().getByRole('button', { name: 'Favourite' })).toHaveAttribute('aria-pressed', 'true');
    await page.getByRole('button', { name: 'Favourites' }).click();
    await expect(page.getByText(`${favourites + 1} job${favourites ? 's' : ''} match`)).toBeVisible();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(page.getByText('40 jobs', { exact: true })).toBeVisible();
  });

  test('a damaged index is rebuilt on start, and the user is told where the old one went', async ({ app }) => {
    await app.close();
    const db = join(app.userDataDir, 'library', 'library.db');
    await writeFile(db, 'definitely not SQLite'.repeat(200));
    await app.launch();
    await expect(app.page.getByRole('alert').filter({ hasText: 'could not be used' })).toBeVisible();
    const page = await openLibrary(app);
    const notice = page.getByRole('main').getByRole('status').filter({ hasText: 'rebuilt it from 40 job folders' });
    await expect(notice).toBeVisible();
    const kept = (await readdir(join(app.userDataDir, 'library'))).find((name) => name.startsWith('library.db.damaged-'))!;
    await expect(notice).toContainText(join(app.userDataDir, 'library', kept));
    expect((await readFile(join(app.userDataDir, 'library', kept), 'utf8')).startsWith('definitely not SQLite')).toBe(true);
    await expect(page.getByText('40 jobs', { exact: true })).toBeVisible();
    await app.screenshot('library-rebuilt-notice');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect(notice).toBeHidden();
  });

  test('moving the library from Settings: copied, switched, and still playing from the new place', async ({ app }) => {
    test.skip(!app.services, 'the recording platform answers the folder dialog in carrier mode only');
    const page = await openLibrary(app);
    const old = join(app.userDataDir, 'library');
    const target = join(app.userDataDir, 'Moved Library');
    app.platform.openDialogAnswers.push([target]);
    await page.keyboard.press('Control+,');
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await expect(settings.getByText(old, { exact: true })).toBeVisible();
    await settings.getByRole('button', { name: 'Move library…' }).click();
    await expect(settings.getByText(target, { exact: true })).toBeVisible();
    await expect(page.getByText(`The library is now in ${target}.`)).toBeVisible();
    await app.screenshot('settings-library-moved');
    expect(existsSync(old)).toBe(false);
    expect((await jobsOnDisk(target)).length).toBe(40);
    expect((await stat(join(target, 'library.db'))).size).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    const first = cards(page).first();
    await expect(first.locator('img')).toHaveJSProperty('naturalWidth', 480);
    expect(await first.locator('img').getAttribute('src')).toMatch(/^\/media\/library\//);
  });
});

test.describe('a large library', () => {
  test.use({ librarySeed: { count: 2000, seed: 3 } });

  test('arrow keys, Page Down and End move between cards, and the grid keeps a bounded number of them', async ({ app }) => {
    const page = await openLibrary(app);
    await expect(page.getByText('2,000 jobs', { exact: true })).toBeVisible();
    const focused = page.locator(':focus');
    await cards(page).first().getByRole('button').first().focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(focused).toHaveAttribute('data-index', '2');
    const columns = await page.evaluate(
      () => getComputedStyle(document.querySelector('[role="list"][aria-label="Jobs"] .row')!).gridTemplateColumns.split(' ').length,
    );
    await page.keyboard.press('ArrowDown');
    await expect(focused).toHaveAttribute('data-index', String(2 + columns));
    await page.keyboard.press('PageDown');
    expect(Number(await focused.getAttribute('data-index'))).toBeGreaterThan(2 + columns);
    await page.keyboard.press('End');
    await expect(focused).toHaveAttribute('data-index', '1999');
    await expect(page.locator('[data-index="1999"]')).toBeInViewport();
    const rendered = await cards(page).count();
    expect(rendered).toBeGreaterThan(columns);
    expect(rendered).toBeLessThan(100);
    await app.screenshot('library-grid-end');
    await page.keyboard.press('Home');
    await expect(focused).toHaveAttribute('data-index', '0');
    expect(await cards(page).count()).toBeLessThan(100);
    await page.evaluate(() => window.keyframe!.settings.set({ theme: 'dark' }));
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.mouse.move(0, 0);
    await app.screenshot('library-grid-dark');
  });
});
