/**
 * A job from end to end: sent from Create, followed in the Queue (its place in line moving, then
 * rendering, then the download), and its video played from the Library with RunComfy out of reach.
 */
import { readFile } from 'node:fs/promises';
import * as img from '../images';
import { CreatePage } from './create-page';
import { expect, test } from './fixtures';

test('submit from Create, watch the queue move, then play the video from the library offline', async ({ app, fakeApi }) => {
  let page = app.page;
  fakeApi.configure({ fetchImages: true });
  fakeApi.plan = { ...fakeApi.plan, queuePositions: 3, stepMs: 1500, progressMs: 2500, outcome: { completed: true } };
  const create = new CreatePage(page);
  const start = await img.makeImage(960, 540, 'png');
  const end = await img.makeImage(960, 540, 'jpeg');
  await create.drop('start', [{ name: 'dawn.png', type: 'image/png', data: start }]);
  await create.drop('end', [{ name: 'dusk.jpg', type: 'image/jpeg', data: end }]);
  await create.expectVerdict('start', 'ready');
  await create.expectVerdict('end', 'ready');
  await create.prompt.fill('The light moves from @Image1 to @Image2');
  await expect(create.submit).toBeEnabled();
  await create.submit.click();
  await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();
  expect(fakeApi.count('submit')).toBe(1);

  // The Queue follows it: place in line falling, then rendering with a clock, then the download.
  await page.getByRole('button', { name: 'Open Queue' }).click();
  const row = page.getByRole('listitem', { name: 'Job: The light moves from @Image1 to @Image2' });
  await expect(row.getByTestId('queue-position')).toBeVisible();
  const first = await row.getByTestId('queue-position').textContent();
  await app.screenshot('queue-queued');
  await expect(row.getByTestId('queue-position')).not.toHaveText(first!, { timeout: 8000 });
  await expect(page.getByRole('button', { name: /Queue/ }).locator('.count')).toHaveText('1');
  await expect(row.getByTestId('elapsed')).toBeVisible({ timeout: 15_000 });
  await app.screenshot('queue-running');
  const finished = page.getByRole('region', { name: 'Finished' }).or(page.locator('section[aria-labelledby="finished-title"]'));
  await expect(finished.getByText('Completed')).toBeVisible({ timeout: 20_000 });
  await app.screenshot('queue-finished');
  await finished.getByRole('button', { name: 'Open in library' }).click();
  await expect(page.getByRole('dialog', { name: 'Job details' })).toContainText('The light moves from @Image1 to @Image2');
  await page.keyboard.press('Escape');

  // The fake received exactly the bytes the app showed, once.
  expect(fakeApi.count('submit')).toBe(1);
  const received = fakeApi.submissions[0];
  expect(received.images).toHaveLength(2);
  const job = app.services?.library.store.findByRequestId(received.requestId);
  expect(job?.status).toBe('completed');
  expect(job?.files.find((f) => f.kind === 'video')?.complete).toBe(true);

  // With RunComfy gone, the library still opens the job and plays its video.
  await fakeApi.close();
  page = await app.restart();
  await page.keyboard.press('Control+3');
  const card = page.getByRole('list', { name: 'Jobs' }).getByRole('listitem').first();
  await expect(card).toContainText('The light moves');
  await card.click();
  await card.press('Enter');
  const detail = page.getByRole('dialog', { name: 'Job details' });
  await expect(detail).toBeVisible();
  await expect(detail).toContainText(received.requestId);
  await detail.getByRole('button', { name: 'Play' }).click();
  await expect.poll(() => detail.locator('video').evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0.3);
  await app.screenshot('library-job-from-queue');
  const sent = await readFile(app.services!.library.store.fileOf(job!.id, job!.files.find((f) => f.role === 'start')!.name));
  expect(received.images.find((i) => i.field === 'start_image_url')?.bytes).toBe(sent.length);
});
