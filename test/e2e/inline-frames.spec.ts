/**
 * A 7 MiB PNG frame with no bucket set up: Create says before submitting that it will be sent
 * re-encoded under RunComfy's 6 MiB inline cap, and how large; the job goes through, the fake API
 * (which refuses inline images over 6 MiB) receives the copy, and the job's details say so.
 */
import * as img from '../images';
import { INLINE_IMAGE_MAX_BYTES } from '../../main/contract';
import { formatBytes } from '../../main/contract/format';
import { CreatePage } from './create-page';
import { expect, test } from './fixtures';

test('a frame over the inline cap: Create announces the re-encoded copy and its size; the details say what was sent', async ({
  app,
  fakeApi,
}) => {
  test.slow(true, 'a 7.6 MB frame (over the cap is the point) crosses the carrier as base64 and is read in full in two processes');
  const page = app.page;
  fakeApi.configure({ fetchImages: true });
  fakeApi.plan = { queuePositions: 0, stepMs: 200, progressMs: 200, outcome: { completed: true } };
  const create = new CreatePage(page);
  // Large by its pixels, not its detail: cheap to check and to re-encode, so nothing here waits on a busy engine.
  const big = await img.bigPng(7_600_000);
  expect(big.length).toBeGreaterThan(7 * 1024 * 1024);
  await create.drop('start', [{ name: 'big-dawn.png', type: 'image/png', data: big }]);
  await create.drop('end', [{ name: 'dusk.jpg', type: 'image/jpeg', data: await img.makeImage(960, 540, 'jpeg') }]);
  // The verdict needs the whole frame in main: on a loaded 2-core machine moving 7.6 MB alone can pass 10 s.
  await expect(create.slot('start').getByText('Meets every limit')).toBeVisible({ timeout: 60_000 });
  await create.expectVerdict('end', 'ready');
  await create.prompt.fill('The light moves from @Image1 to @Image2');

  const notes = page.getByRole('list', { name: 'Frames sent inline' });
  await expect(notes).toContainText(
    /Start frame: 7\.\d MB is over RunComfy's 6\.3 MB limit for inline images, so it will be sent re-encoded as\s+JPEG, [\d.]+ [kKM]B \(same size in pixels; your file stays as it is\)\./,
  );
  await expect(notes.getByRole('listitem')).toHaveCount(1);
  await expect(create.submit).toBeEnabled();
  await app.screenshot('create-inline-reencoded');
  const announced = /re-encoded as\s+JPEG, ([\d.]+ [kKM]B)/.exec((await notes.textContent()) ?? '')![1];

  await create.submit.click();
  await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();
  expect(fakeApi.count('submit')).toBe(1);
  const [received] = fakeApi.submissions;
  expect(received.images.map((image) => image.contentType)).toEqual(['image/jpeg', 'image/jpeg']);
  for (const image of received.images) expect(image.bytes).toBeLessThanOrEqual(INLINE_IMAGE_MAX_BYTES);
  // What Create announced is what was sent.
  const sent = formatBytes(received.images[0].bytes);
  expect(announced).toBe(sent);

  await page.getByRole('button', { name: 'Open Queue' }).click();
  const finished = page.getByRole('region', { name: 'Finished' }).or(page.locator('section[aria-labelledby="finished-title"]'));
  await expect(finished.getByText('Completed')).toBeVisible({ timeout: 20_000 });
  await finished.getByRole('button', { name: 'Open in library' }).click();
  const detail = page.getByRole('dialog', { name: 'Job details' });
  await expect(detail.getByRole('region', { name: 'Frames' })).toContainText(
    new RegExp(`Start frame\\s+· sent re-encoded, ${sent.replace('.', '\\.')} \\(picked: 7\\.\\d MB PNG\\)`),
  );
  await expect(detail.getByRole('region', { name: 'Frames' })).toContainText('End frame · ');
  await app.screenshot('library-job-reencoded-frame');
});
