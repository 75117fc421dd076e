import { eventNames, methodNames } from '../../main/contract';
import { eventKey } from '../../main/contract/bridge';
import { expect, test } from './fixtures';

test('the three places and their empty states, reachable by mouse and keyboard', async ({ app }) => {
  const { page } = app;
  await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
  await app.screenshot('create-empty');

  await page.getByRole('button', { name: /Queue/ }).click();
  await expect(page.getByRole('heading', { name: 'Nothing in the queue' })).toBeVisible();
  await app.screenshot('queue-empty');

  await page.keyboard.press('Control+3');
  await expect(page.getByRole('heading', { name: 'Your library is empty' })).toBeVisible();
  await app.screenshot('library-empty');

  // Arrow keys move through the sidebar like a native list.
  await page.getByRole('button', { name: /Library/ }).focus();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByRole('button', { name: /Queue/ })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('button', { name: /Queue/ })).toBeFocused();

  await page
    .getByRole('button', { name: 'Make your first video' })
    .or(page.getByRole('button', { name: 'Create a video' }))
    .click();
  await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
});

test('settings open with Ctrl+, close with Escape, and a theme choice survives a restart', async ({ app }) => {
  let page = app.page;
  await page.keyboard.press('Control+,');
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  await dialog.getByText('Dark', { exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await app.screenshot('settings-dark');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await app.screenshot('create-dark');

  page = await app.restart();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(background).toBe('rgb(22, 22, 24)');
});

test('an invalid API address is refused with a message and not saved', async ({ app }) => {
  const { page } = app;
  await page.keyboard.press('Control+,');
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByLabel('API address').fill('ftp://example.com');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('Enter an http(s) address');
  const saved = await page.evaluate(async () => (await window.keyframe!.settings.get()).ok && (await window.keyframe!.settings.get()));
  expect(saved && saved.ok && saved.value.apiBaseUrl).toBe('');
});

test('the bridge exposes exactly the contract and refuses malformed arguments with a clear error', async ({ app }) => {
  const { page } = app;
  const exposed = await page.evaluate(() => {
    const bridge = window.keyframe as unknown as Record<string, Record<string, unknown>>;
    return Object.entries(bridge).flatMap(([domain, group]) => Object.keys(group).map((key) => `${domain}.${key}`));
  });
  const declared = [...methodNames.map((name) => name.replace(':', '.')), ...eventNames.map((name) => `on.${eventKey(name)}`)];
  expect(exposed.sort()).toEqual(declared.sort());

  const refused = await page.evaluate(() =>
    (window.keyframe!.settings.set as unknown as (p: unknown) => Promise<unknown>)({ theme: 'neon', extra: 1 }),
  );
  expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
  expect(JSON.stringify(refused)).toContain('theme');

  // Main is still answering after the bad call.
  const info = await page.evaluate(() => window.keyframe!.app.info());
  expect(info).toMatchObject({ ok: true, value: { name: 'Keyframe', shell: app.services ? 'carrier' : 'electron' } });
});
