/**
 * A storyboard's takes are ordinary jobs: the Queue and the Library name their board and shot, lead
 * back to that shot on its board, follow the board's name, and say so when it is deleted. The
 * job's detail gives the video's real length beside the one asked for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthClip } from '../storyboard/synth-clip';
import { madeBoard } from './board-setup';
import { expect, test } from './fixtures';

test('a take names its board and shot in the queue and the library, and leads to that shot', async ({ app, fakeApi }) => {
  test.skip(!app.services, 'the board is built through the services, reachable in carrier mode only');
  test.slow(true, 'two jobs made and downloaded on a shared 2-core machine');
  const page = app.page;
  // A clip of 126 frames at 25 fps: 5.04 s where 5 s were asked for.
  const clip = join(app.userDataDir, 'take-5.04s.mp4');
  synthClip(clip, 'testsrc=size=480x270:rate=25', ['-t', '5.04']);
  fakeApi.plan = { queuePositions: 0, warmup: [], progressMs: Infinity }; // running until advanced
  fakeApi.configure({ videos: [readFileSync(clip)] });
  const board = await madeBoard(app.services!, app.userDataDir, 'Harbour at dawn', ['The tide comes in', 'Gulls lift off the pier']);

  // The queue: each take says which board and shot it is for.
  await page.keyboard.press('Control+2');
  const row = page.getByRole('listitem', { name: 'Job: Gulls lift off the pier' });
  await expect(row.locator('[data-status="running"]')).toBeVisible({ timeout: 20_000 });
  const link = row.getByRole('button', { name: 'Storyboard Harbour at dawn · shot 2' });
  await expect(link).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Job: The tide comes in' })).toContainText('Storyboard Harbour at dawn · shot 1');
  await app.screenshot('storyboard-take-queue');

  // It opens the board in the Storyboard place, with shot 2 in view.
  await link.click();
  await expect(page.getByRole('heading', { name: 'Harbour at dawn' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Shot 2' })).toBeInViewport();
  await expect(page.getByRole('navigation', { name: 'Places' }).locator('[aria-current="page"]')).toContainText('Storyboard');
  // Takes being made show their state over the frames they come from.
  await expect(page.locator('[data-testid="take"][data-status="running"] img').first()).toBeVisible();
  await app.screenshot('storyboard-takes-running');

  // The takes finish; the library's cards wear their board and shot.
  fakeApi.advance();
  await page.keyboard.press('Control+3');
  const card = page.getByRole('button', { name: /^Gulls lift off the pier\. Completed/ });
  await expect(card).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('take-badge')).toHaveText(['Shot 2 · Harbour at dawn', 'Shot 1 · Harbour at dawn']);
  await app.screenshot('storyboard-take-library');

  // The detail: the board and shot as a link, and the real length beside the requested one.
  await card.click();
  const detail = page.getByRole('dialog', { name: 'Job details' });
  await expect(detail.getByTestId('job-length')).toHaveText('5.04 s · requested 5 s');
  await expect(detail.getByRole('button', { name: 'Storyboard Harbour at dawn · shot 2' })).toBeVisible();
  await app.screenshot('storyboard-take-detail');
  await detail.getByRole('button', { name: 'Storyboard Harbour at dawn · shot 2' }).click();
  await expect(detail).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Shot 2' })).toBeInViewport();

  // Renamed, the board is named anew wherever its takes are on screen, without leaving the place.
  await page.keyboard.press('Control+3');
  await expect(page.getByTestId('take-badge')).toHaveText(['Shot 2 · Harbour at dawn', 'Shot 1 · Harbour at dawn']);
  await app.services!.storyboard.update(board.id, { name: 'Harbour at night' });
  await expect(page.getByTestId('take-badge')).toHaveText(['Shot 2 · Harbour at night', 'Shot 1 · Harbour at night']);
  await page.keyboard.press('Control+2');
  await expect(row.getByRole('button', { name: 'Storyboard Harbour at night · shot 2' })).toBeVisible();
  await page.keyboard.press('Control+3');
  await card.click();
  await expect(detail.getByRole('button', { name: 'Storyboard Harbour at night · shot 2' })).toBeVisible();

  // Deleted (keeping its takes) while its take is open: the take says so and leads nowhere.
  await app.services!.storyboard.delete(board.id, { withJobs: false });
  await expect(detail.getByTestId('take-link')).toHaveText('Take from a deleted storyboard');
  await expect(detail.getByRole('button', { name: /Storyboard/ })).toHaveCount(0);
  await app.screenshot('storyboard-take-deleted-board');
  await detail.getByRole('button', { name: 'Library' }).click();
  await expect(page.getByTestId('take-badge')).toHaveText(['Deleted storyboard', 'Deleted storyboard']);
  await page.keyboard.press('Control+2');
  await expect(row.getByTestId('take-link')).toHaveText('Take from a deleted storyboard');
  await expect(row.getByRole('button', { name: /Storyboard/ })).toHaveCount(0);
});
