/**
 * What the user sees when RunComfy answers as it really does (API.md): a balance too low, a cancel
 * RunComfy refuses because the video is already being made, RunComfy's own word for a state, and
 * an old job of another RunComfy account, which ends alone while the app stays signed in.
 */
import type { Page } from '@playwright/test';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import * as img from '../images';
import { CreatePage } from './create-page';
import { expect, test } from './fixtures';

const held = { queuePositions: 1, warmup: ['starting'], stepMs: Infinity, progressMs: Infinity };

async function makeVideo(page: Page, prompt: string): Promise<void> {
  const create = new CreatePage(page);
  await page.keyboard.press('Control+1');
  await create.drop('start', [{ name: 'dawn.png', type: 'image/png', data: await img.makeImage(960, 540, 'png') }]);
  await create.drop('end', [{ name: 'dusk.png', type: 'image/png', data: await img.makeImage(960, 540, 'png') }]);
  await create.expectVerdict('start', 'ready');
  await create.expectVerdict('end', 'ready');
  await create.prompt.fill(prompt);
  await create.submit.click();
}

test('a balance too low: the message says so with a way to top up, and the form keeps everything', async ({ app, fakeApi }) => {
  const page = app.page;
  fakeApi.configure({ lowBalance: true });
  await makeVideo(page, 'A paper boat drifts from @Image1 to @Image2');
  const toast = page.getByRole('alert').filter({ hasText: 'Your RunComfy balance is too low' });
  await expect(toast).toBeVisible();
  await app.screenshot('create-low-balance');
  await toast.getByRole('button', { name: 'Top up at RunComfy' }).click();
  await expect.poll(() => app.platform.calls.filter((call) => call.kind === 'openExternal').length).toBe(1);
  // Nothing was lost: the prompt and both frames are still there for a second try.
  const create = new CreatePage(page);
  await expect(create.prompt).toHaveValue('A paper boat drifts from @Image1 to @Image2');
  await create.expectVerdict('start', 'ready');
  expect(fakeApi.count('submit')).toBe(1);
});

test('RunComfy refuses to cancel a video it is already making: said plainly, and the job goes on', async ({ app, fakeApi }) => {
  const page = app.page;
  fakeApi.plan = { ...fakeApi.plan, ...held, queuePositions: 0 };
  await makeVideo(page, 'Lanterns rise from @Image1 to @Image2');
  await page.keyboard.press('Control+2');
  const row = page.getByRole('listitem', { name: 'Job: Lanterns rise from @Image1 to @Image2' });
  await expect(row.getByTestId('remote-status')).toHaveText('RunComfy says: starting');
  await app.screenshot('queue-runcomfy-says-starting');
  await row.getByRole('button', { name: 'Cancel' }).click();
  await expect(
    page.getByText('RunComfy is already making this video, so it cannot be cancelled; it will finish and be charged.'),
  ).toBeVisible();
  await app.screenshot('queue-cancel-refused');
  // Still followed: when RunComfy finishes, the video arrives.
  fakeApi.advance(undefined, 2);
  await expect(page.locator('section[aria-labelledby="finished-title"]').getByText('Completed')).toBeVisible({ timeout: 20_000 });
});

test.describe('signed in with the keychain', () => {
  test.use({ signedIn: 'keychain' });

  test('an old job of another RunComfy account ends alone; the app stays signed in and new jobs go on', async ({ app, fakeApi }) => {
    let page = app.page;
    fakeApi.plan = { ...fakeApi.plan, ...held };
    await makeVideo(page, 'Made with the first account: @Image1 to @Image2');
    await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();

    // The user signs in to another RunComfy account; the first job belongs to the first one.
    const other = 'e2e-other-account-token-81b3';
    fakeApi.tokens.add(other);
    await app.keychain.set(SECRET_ACCOUNTS.runcomfyToken, other);
    page = await app.restart();
    await makeVideo(page, 'Made with the second account: @Image1 to @Image2');
    await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();

    await page.keyboard.press('Control+3');
    const oldCard = page.getByRole('list', { name: 'Jobs' }).getByRole('listitem').filter({ hasText: 'Made with the first account' });
    await expect(oldCard).toContainText('Failed');
    await oldCard.click();
    await oldCard.press('Enter');
    const detail = page.getByRole('dialog', { name: 'Job details' });
    await expect(detail).toContainText('This job belongs to another RunComfy account');
    await app.screenshot('library-other-account-job');
    await page.keyboard.press('Escape');

    // Still signed in: no Connect sheet, and the second account's job completes.
    await expect(page.locator('dialog[aria-labelledby="connect-title"]')).toBeHidden();
    fakeApi.advance(undefined, 4);
    await page.keyboard.press('Control+2');
    await expect(page.locator('section[aria-labelledby="finished-title"]').getByText('Completed')).toBeVisible({ timeout: 20_000 });
    expect(fakeApi.count('submit')).toBe(2);
  });
});
