/**
 * Price and cost on screen: Create shows what a video will cost before it is sent (or says the
 * price is unavailable, and sends anyway); the library shows what each job cost, filters by cost,
 * and adds up the spend for the period chosen.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { formatUsd } from '../../main/contract/price';
import * as img from '../images';
import { CreatePage } from './create-page';
import { expect, test } from './fixtures';
import type { KeyframeApp } from './fixtures';

async function fillCreate(page: Page, prompt: string): Promise<CreatePage> {
  const create = new CreatePage(page);
  await create.drop('start', [{ name: 'dawn.png', type: 'image/png', data: await img.makeImage(960, 540, 'png') }]);
  await create.drop('end', [{ name: 'dusk.jpg', type: 'image/jpeg', data: await img.makeImage(960, 540, 'jpeg') }]);
  await create.expectVerdict('start', 'ready');
  await create.expectVerdict('end', 'ready');
  await create.prompt.fill(prompt);
  return create;
}

async function openLibrary(page: Page): Promise<void> {
  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Jobs' })).toHaveAttribute('aria-busy', 'false');
}

/** Every job's creation time and reported dollar cost, read from the job folders (the ground truth). */
async function costsOnDisk(app: KeyframeApp): Promise<{ createdAt: number; usd?: number }[]> {
  const root = join(app.userDataDir, 'library');
  const jobs: { createdAt: number; usd?: number }[] = [];
  for (const month of (await readdir(root)).filter((name) => /^\d{4}-\d{2}$/.test(name))) {
    for (const id of await readdir(join(root, month))) {
      const record = JSON.parse(await readFile(join(root, month, id, 'job.json'), 'utf8'));
      jobs.push({ createdAt: Date.parse(record.createdAt), usd: record.cost?.usd });
    }
  }
  return jobs;
}

const cards = (page: Page) => page.getByRole('list', { name: 'Jobs' }).getByRole('listitem');

test('Create shows the price for the chosen duration before sending; the job’s cost lands in the library', async ({ app, fakeApi }) => {
  const { page } = app;
  fakeApi.configure({ fetchImages: true });
  fakeApi.plan = { ...fakeApi.plan, queuePositions: 1, stepMs: 300, progressMs: 300, outcome: { completed: true } };
  const create = await fillCreate(page, 'A kite rises from @Image1 into @Image2');
  const price = page.getByTestId('price');
  await page.getByRole('radio', { name: '5 s' }).check();
  await expect(price).toHaveText('about $0.56');
  await expect(price).toHaveAttribute('title', 'RunComfy’s price: $0.112 per second. Billed per second of output video.');
  await page.getByRole('radio', { name: '10 s' }).check();
  await expect(price).toHaveText('about $1.12');
  await app.screenshot('create-price');
  // Read once from RunComfy, then kept: changing the duration asks nothing.
  expect(fakeApi.count('price')).toBe(1);

  await create.submit.click();
  await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();
  const videoDone = () =>
    app.services?.library.store
      .findByRequestId(fakeApi.submissions[0]?.requestId ?? '')
      ?.files.some((f) => f.kind === 'video' && f.complete);
  await expect.poll(videoDone, { timeout: 20_000 }).toBe(true);

  await openLibrary(page);
  const card = cards(page).first();
  await expect(card).toContainText('A kite rises');
  await expect(card).toContainText('· $1.12');
  await expect(page.getByTestId('spend')).toHaveText('· $1.12 spent');
  await card.getByRole('button', { name: /A kite rises/ }).click();
  const detail = page.getByRole('dialog', { name: 'Job details' });
  await expect(detail.getByTestId('job-cost')).toHaveText('$1.12');
  await app.screenshot('library-job-cost');
  await page.keyboard.press('Escape');
});

test('with the price unavailable Create says so and still sends; a cost in an odd shape is kept as reported', async ({ app, fakeApi }) => {
  fakeApi.configure({ fetchImages: true });
  fakeApi.plan = { ...fakeApi.plan, queuePositions: 0, stepMs: 50, progressMs: 200, outcome: { completed: true } };
  fakeApi.script('price', { respond: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
  fakeApi.pricing.cost = { value: { amount: '0.56', currency: 'USD' } };
  // A new start reads the price afresh (the first one was read when the app opened).
  const page = await app.restart();
  const create = await fillCreate(page, 'A paper boat drifts from @Image1 to @Image2');
  const price = page.getByTestId('price');
  await expect(price).toHaveText('price unavailable');
  await expect(price).toHaveAttribute('title', /^RunComfy’s price could not be read: RunComfy's API is having trouble \(HTTP 502/);
  await app.screenshot('create-price-unavailable');
  await expect(create.submit).toBeEnabled();
  await create.submit.click();
  await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();
  expect(fakeApi.count('submit')).toBe(1);
  await expect
    .poll(() => app.services?.library.store.findByRequestId(fakeApi.submissions[0].requestId)?.cost, { timeout: 20_000 })
    .toEqual({ raw: { amount: '0.56', currency: 'USD' } });

  await openLibrary(page);
  const card = cards(page).filter({ hasText: 'A paper boat' });
  await expect(card).not.toContainText('$');
  await card.getByRole('button', { name: /A paper boat/ }).click();
  const detail = page.getByRole('dialog', { name: 'Job details' });
  await expect(detail.getByTestId('job-cost')).toHaveText('Reported as {"amount":"0.56","currency":"USD"}');
  await app.screenshot('library-job-cost-odd');
  await page.keyboard.press('Escape');
});

test.describe('a library with costs', () => {
  test.use({ librarySeed: { count: 40, full: 2, seed: 21, spanDays: 90 } });

  test('shows each job’s cost, filters by cost, and adds up the spend for the chosen period', async ({ app }) => {
    const { page } = app;
    const onDisk = await costsOnDisk(app);
    const costed = onDisk.filter((job) => job.usd !== undefined);
    expect(costed.length).toBeGreaterThan(5);
    const sum = (jobs: { usd?: number }[]) => jobs.reduce((total, job) => total + (job.usd ?? 0), 0);

    await openLibrary(page);
    const spend = page.getByTestId('spend');
    await expect(page.getByText('40 jobs', { exact: true })).toBeVisible();
    await expect(spend).toHaveText(`· ${formatUsd(sum(onDisk))} spent`);

    // A period: the past 30 days, as the user's calendar counts them.
    await page.getByRole('combobox', { name: 'Date' }).selectOption('month');
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const from = midnight.getTime() - 29 * 86_400_000;
    const inPeriod = onDisk.filter((job) => job.createdAt >= from);
    await expect(page.getByText(`${inPeriod.length} job${inPeriod.length === 1 ? '' : 's'} match`)).toBeVisible();
    await expect(spend).toHaveText(`· ${formatUsd(sum(inPeriod))} spent`);
    await app.screenshot('library-spend-period');

    // Only the dearer jobs (10-second ones at $1.12), over every date.
    await page.getByRole('combobox', { name: 'Date' }).selectOption('any');
    await page.getByRole('combobox', { name: 'Cost' }).selectOption('atLeast');
    const amount = page.getByRole('textbox', { name: 'Least cost in dollars' });
    await amount.fill('1');
    const dear = costed.filter((job) => job.usd! >= 1);
    await expect(page.getByText(`${dear.length} job${dear.length === 1 ? '' : 's'} match`)).toBeVisible();
    await expect(spend).toHaveText(`· ${formatUsd(sum(dear))} spent`);
    for (const card of await cards(page).all()) await expect(card).toContainText('· $1.12');
    await app.screenshot('library-cost-filter');

    // An amount that is not one is marked, and narrows nothing.
    await amount.fill('lots');
    await expect(amount).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('40 jobs', { exact: true })).toBeVisible();

    // Every job with a cost.
    await page.getByRole('combobox', { name: 'Cost' }).selectOption('costed');
    await expect(page.getByText(`${costed.length} jobs match`)).toBeVisible();
  });
});
