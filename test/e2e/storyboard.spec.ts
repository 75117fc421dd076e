/**
 * The Storyboard from end to end: a 4-keyframe board built by drop and paste, two takes of every
 * shot made against the fake API, the second keyframe replaced (only its two shots turn stale),
 * a take picked per shot, the seam between shots 1 and 2 played, and the cut exported.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from '@playwright/test';
import * as img from '../images';
import type { FileSpec } from './create-page';
import { expect, test } from './fixtures';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/video', name));

const asTransferable = (files: FileSpec[]) =>
  files.map((file) => ({ name: file.name, type: file.type, base64: file.data.toString('base64') }));

async function drop(target: Locator, files: FileSpec[]): Promise<void> {
  await target.evaluate((element, specs) => {
    const transfer = new DataTransfer();
    for (const spec of specs)
      transfer.items.add(new File([Uint8Array.from(atob(spec.base64), (c) => c.charCodeAt(0))], spec.name, { type: spec.type }));
    for (const type of ['dragenter', 'dragover', 'drop'])
      element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }, asTransferable(files));
}

/** Pastes into whatever has the focus, as Ctrl+V with an image on the clipboard does. */
async function paste(page: Page, files: FileSpec[]): Promise<void> {
  await page.evaluate((specs) => {
    const transfer = new DataTransfer();
    for (const spec of specs)
      transfer.items.add(new File([Uint8Array.from(atob(spec.base64), (c) => c.charCodeAt(0))], spec.name, { type: spec.type }));
    (document.activeElement ?? document.body).dispatchEvent(
      new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: transfer }),
    );
  }, asTransferable(files));
}

const png = async (name: string, width: number, height: number): Promise<FileSpec> => ({
  name,
  type: 'image/png',
  data: await img.makeImage(width, height, 'png'),
});

test('build a board by drop and paste, make two takes per shot, replace a keyframe, pick, play a seam, export', async ({
  app,
  fakeApi,
}) => {
  test.slow(true, 'six jobs made, downloaded and played, and an export, on a shared 2-core machine');
  const page = app.page;
  fakeApi.configure({ videos: [fixture('shot-a.mp4'), fixture('shot-b.mp4')] });

  await page.keyboard.press('Control+4');
  await expect(page.getByRole('region', { name: 'No storyboards yet' })).toBeVisible();
  await app.screenshot('storyboard-empty');

  // A new board, named in a dialog that refuses an empty name.
  await page.getByRole('button', { name: 'New storyboard' }).click();
  const naming = page.getByRole('dialog', { name: 'New storyboard' });
  await naming.getByRole('textbox', { name: 'Name' }).fill('  ');
  await naming.getByRole('button', { name: 'Create' }).click();
  await expect(naming.getByRole('alert')).toHaveText('Give the storyboard a name.');
  await naming.getByRole('textbox', { name: 'Name' }).fill('Lighthouse at dusk');
  await naming.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name: 'Lighthouse at dusk' })).toBeVisible();
  await app.screenshot('storyboard-new');

  // Two images dropped on the empty strip go in, in order; two more pasted go at the end.
  const keyframes = page.getByTestId('keyframe');
  await drop(page.getByTestId('strip-drop'), [await png('dawn.png', 960, 540), await png('noon.png', 1024, 576)]);
  await expect(keyframes).toHaveCount(2);
  await paste(page, [await png('dusk.png', 1280, 720)]);
  await expect(keyframes).toHaveCount(3);
  await paste(page, [await png('night.png', 800, 450)]);
  await expect(keyframes).toHaveCount(4);
  await expect(keyframes.nth(0)).toContainText('dawn.png');
  await expect(keyframes.nth(3)).toContainText('night.png');
  // The strip shows thumbnails, not whole frames: dusk.png (1280×720) arrives as 640×360.
  const pictureSize = (index: number) =>
    keyframes
      .nth(index)
      .locator('img')
      .evaluate((img: HTMLImageElement) => (img.complete && img.naturalWidth ? `${img.naturalWidth}×${img.naturalHeight}` : 'loading'));
  await expect.poll(() => pictureSize(2)).toBe('640×360');

  // Alt+→ moves a focused keyframe; Alt+← puts it back.
  await keyframes.nth(0).focus();
  await page.keyboard.press('Alt+ArrowRight');
  await expect(keyframes.nth(1)).toContainText('dawn.png');
  await expect(keyframes.nth(1)).toBeFocused();
  await page.keyboard.press('Alt+ArrowLeft');
  await expect(keyframes.nth(0)).toContainText('dawn.png');

  // A prompt per shot; two takes per shot; the plan says what will go before anything is sent.
  const shots = page.getByTestId('shot');
  await expect(shots).toHaveCount(3);
  for (const [index, words] of ['The sun climbs from @Image1 to @Image2', 'Clouds roll in', 'Night falls over the sea'].entries()) {
    await shots.nth(index).getByRole('textbox', { name: 'Prompt' }).fill(words);
  }
  await page.getByRole('combobox', { name: 'Takes per shot' }).selectOption('2');
  await expect(page.getByTestId('make-plan')).toHaveText(/^6 jobs · 30 s · (about \$[\d.]+|price unavailable)$/);
  await app.screenshot('storyboard-strip');

  await page.getByRole('button', { name: 'Make all' }).click();
  const takes = page.getByTestId('take');
  await expect(takes).toHaveCount(6);
  expect(fakeApi.count('submit')).toBe(6);
  await expect(page.locator('[data-testid="take"][data-playable="true"]')).toHaveCount(6, { timeout: 30_000 });
  await expect(page.getByTestId('make-plan')).toHaveText(/^6 jobs/); // nothing picked yet: "Make all" would send again
  await shots.nth(0).getByRole('button', { name: 'Play side by side' }).scrollIntoViewIfNeeded();
  await app.screenshot('storyboard-takes');

  // "Play side by side": until then each take is its poster (no <video>, nothing loaded); then they
  // start together from their first frame.
  const sideBySide = shots.nth(0).locator('[data-testid="take"] video');
  await page.mouse.move(0, 0);
  await expect(sideBySide).toHaveCount(0);
  const poster = shots.nth(0).getByRole('img', { name: 'Take 2' });
  await expect(poster).toHaveJSProperty('complete', true);
  expect(await poster.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
  await shots.nth(0).getByRole('button', { name: 'Play side by side' }).click();
  await expect(sideBySide).toHaveCount(2);
  await expect
    .poll(() => sideBySide.evaluateAll((videos: HTMLVideoElement[]) => videos.every((v) => !v.paused && v.currentTime > 0)))
    .toBe(true);
  const apart = await sideBySide.evaluateAll((videos: HTMLVideoElement[]) => {
    const times = videos.map((v) => (v.pause(), v.currentTime));
    return Math.max(...times) - Math.min(...times);
  });
  expect(apart).toBeLessThan(0.5);

  // Replacing keyframe 2 (focus it, paste) turns shots 1 and 2 stale; shot 3 keeps its takes fresh.
  await keyframes.nth(1).focus();
  await paste(page, [await png('noon-v2.png', 1100, 620)]);
  await expect(keyframes.nth(1)).toContainText('noon-v2.png');
  await expect.poll(() => pictureSize(1)).toBe('640×361'); // the new frame's own thumbnail (1100×620)
  await expect(keyframes).toHaveCount(4);
  await expect(shots.nth(0)).toHaveAttribute('data-stale', 'true');
  await expect(shots.nth(1)).toHaveAttribute('data-stale', 'true');
  await expect(shots.nth(2)).toHaveAttribute('data-stale', 'false');
  await expect(shots.nth(0).getByText('Made from an older frame')).toBeVisible();
  await expect(shots.nth(0).getByRole('button', { name: /Make again/ })).toBeVisible();
  await expect(shots.nth(0).getByTestId('take')).toHaveCount(2);
  await shots.nth(0).getByTestId('take').first().scrollIntoViewIfNeeded();
  await app.screenshot('storyboard-stale');

  // Pick one take per shot; the plan then has nothing left to make.
  for (let index = 0; index < 3; index++) {
    await shots.nth(index).getByRole('button', { name: 'Pick take 2' }).click();
    await expect(shots.nth(index).getByRole('button', { name: 'Picked take 2' })).toBeVisible();
  }
  await expect(page.getByTestId('make-plan')).toHaveText('Every shot has a picked take.');
  await app.screenshot('storyboard-picked');

  // A library job's last frame as a fifth keyframe: the video is 270 px tall, so the dialog shows
  // Create's failing check and its fix; fixed, it goes in; Delete on the focused card takes it out.
  await page.getByRole('button', { name: 'Insert a keyframe at position 5' }).click();
  const intake = page.getByRole('dialog', { name: 'New keyframe' });
  await intake.getByRole('button', { name: 'From the Library…' }).click();
  await intake.getByRole('group', { name: 'Frames from the Library' }).getByRole('button', { name: 'Last frame' }).first().click();
  await expect(intake.getByRole('button', { name: /^Upscale to/ })).toBeVisible();
  await expect(intake.getByRole('button', { name: 'Put in the strip' })).toBeDisabled();
  await app.screenshot('storyboard-keyframe-fix');
  await intake.getByRole('button', { name: /^Upscale to/ }).click();
  await expect(intake.getByText('Meets every limit')).toBeVisible();
  await intake.getByRole('button', { name: 'Put in the strip' }).click();
  await expect(keyframes).toHaveCount(5);
  await expect(shots).toHaveCount(4);
  await keyframes.nth(4).focus();
  await page.keyboard.press('Delete');
  await expect(keyframes).toHaveCount(4);
  await expect(page.getByTestId('make-plan')).toHaveText('Every shot has a picked take.');

  // At rest the player shows the cut's first frame: shot 1's picked take, loaded.
  const front = page.locator('[data-testid="player-video"].front');
  await expect.poll(() => front.evaluate((video: HTMLVideoElement) => video.readyState)).toBeGreaterThanOrEqual(2);

  // The seam between shots 1 and 2: the player moves from shot 1 into shot 2 and stops.
  const player = page.getByTestId('board-player');
  await page.getByRole('combobox', { name: 'Seam to preview' }).selectOption({ label: 'Shot 1 → 2' });
  await page.getByRole('button', { name: 'Seam preview' }).click();
  await expect(player).toHaveAttribute('data-playing', 'true');
  await expect(player).toHaveAttribute('data-shot', '2', { timeout: 10_000 });
  await player.scrollIntoViewIfNeeded();
  await app.screenshot('storyboard-seam');
  await expect(player).toHaveAttribute('data-playing', 'false', { timeout: 10_000 });

  // Export: the save dialog is asked for an .mp4, progress shows, the file is written and revealed.
  const out = join(app.userDataDir, 'lighthouse.mp4');
  app.platform.saveDialogAnswers.push(out);
  await page.getByRole('button', { name: /Export MP4/ }).click();
  await expect(page.getByText('Exported lighthouse.mp4')).toBeVisible({ timeout: 30_000 });
  expect(statSync(out).size).toBeGreaterThan(0);
  await app.screenshot('storyboard-exported');
  await page.getByRole('button', { name: 'Show in folder' }).click();
  await expect.poll(() => app.platform.calls.some((call) => call.kind === 'reveal' && call.path === out)).toBe(true);
});

test('takes of different sizes are re-encoded in the renderer into one MP4 that main writes', async ({ app, fakeApi }) => {
  test.slow(true, 'two jobs made and downloaded, then a WebCodecs encode, on a shared 2-core machine');
  const page = app.page;
  fakeApi.configure({ videos: [fixture('shot-a.mp4'), fixture('shot-640x360.mp4')] });

  await page.keyboard.press('Control+4');
  await page.getByRole('button', { name: 'New storyboard' }).click();
  const naming = page.getByRole('dialog', { name: 'New storyboard' });
  await naming.getByRole('textbox', { name: 'Name' }).fill('Two sizes');
  await naming.getByRole('button', { name: 'Create' }).click();
  await drop(page.getByTestId('strip-drop'), [await png('a.png', 960, 540), await png('b.png', 1024, 576), await png('c.png', 1280, 720)]);
  await expect(page.getByTestId('keyframe')).toHaveCount(3);
  const shots = page.getByTestId('shot');
  for (const index of [0, 1])
    await shots
      .nth(index)
      .getByRole('textbox', { name: 'Prompt' })
      .fill(`From @Image1 to @Image2, part ${index + 1}`);
  await page.getByRole('button', { name: 'Make all' }).click();
  await expect(page.locator('[data-testid="take"][data-playable="true"]')).toHaveCount(2, { timeout: 30_000 });
  for (const index of [0, 1]) await shots.nth(index).getByRole('button', { name: 'Pick take 1' }).click();
  await expect(page.getByTestId('make-plan')).toHaveText('Every shot has a picked take.');

  // A shot with one finished take plays it from its card, by keyboard too.
  await shots.nth(0).getByRole('button', { name: 'Play', exact: true }).focus();
  await page.keyboard.press('Enter');
  const take = shots.nth(0).locator('video[aria-label="Take 1"]');
  await expect.poll(() => take.evaluate((video: HTMLVideoElement) => video.currentTime)).toBeGreaterThan(0);
  await take.evaluate((video: HTMLVideoElement) => video.pause());

  // Shot 1's take is 480×270 (3 s), shot 2's 640×360 (1 s): a remux cannot join them, so the page
  // decodes both and encodes one H.264 file at the first take's size, sending it to main in chunks.
  const out = join(app.userDataDir, 'two-sizes.mp4');
  app.platform.saveDialogAnswers.push(out);
  await page.getByRole('button', { name: /Export MP4/ }).click();
  await expect(page.getByText('Exported two-sizes.mp4 (re-encoded)')).toBeVisible({ timeout: 30_000 });
  await app.screenshot('storyboard-exported-reencoded');
  const { stdout } = await promisify(execFile)('ffprobe', [
    ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', out],
  ]);
  expect(JSON.parse(stdout).streams).toEqual([{ codec_name: 'h264', width: 480, height: 270, nb_read_frames: '96' }]);
  const sidecar = JSON.parse(readFileSync(join(app.userDataDir, 'two-sizes.json'), 'utf8'));
  expect(sidecar.export).toMatchObject({ file: 'two-sizes.mp4', mode: 'reencode', shots: 2 });
  expect(sidecar.export.durationS).toBeCloseTo(4, 1);
});
