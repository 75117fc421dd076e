/**
 * Connecting to RunComfy: the token is typed into the real renderer, verified by the real token
 * service against the fake API over HTTP, kept in the real keychain (gnome-keyring under
 * `npm test`), and never shows up in anything the page can see.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import { expect, FAKE_TOKEN, launchMode, test } from './fixtures';
import type { KeyframeApp } from './fixtures';

const TOKEN_PAGE = 'https://www.runcomfy.com/profile';

/** Everything the page could read: its markup, every field's value, and its storage. */
async function pageVisibleState(page: Page): Promise<string> {
  return page.evaluate(() =>
    JSON.stringify({
      html: document.documentElement.outerHTML,
      values: [...document.querySelectorAll('input, textarea')].map((field) => (field as HTMLInputElement).value),
      local: { ...localStorage },
      session: { ...sessionStorage },
      cookies: document.cookie,
    }),
  );
}

/** Records every message main sends to the page over the carrier (Electron IPC cannot be watched from here). */
function watchMessagesFromMain(page: Page): string[] {
  const received: string[] = [];
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => received.push(String(frame.payload))));
  return received;
}

function connectSheet(app: KeyframeApp) {
  return app.page.getByRole('dialog', { name: /RunComfy/ });
}

test.describe('signed out', () => {
  test.use({ signedIn: false });

  test('first run: a wrong token is refused, a good one is verified and kept, and a restart is signed in', async ({ app, fakeApi }) => {
    let page = app.page;
    const fromMain = watchMessagesFromMain(page);
    await page.reload();
    const sheet = connectSheet(app);
    await expect(sheet.getByRole('heading', { name: 'Connect Keyframe to RunComfy' })).toBeVisible();
    const field = sheet.getByLabel('API token');
    await expect(field).toBeFocused();
    await expect(sheet.getByRole('button', { name: 'Verify and save' })).toBeDisabled();
    await app.screenshot('connect-first-run');

    // Show / hide.
    await field.fill('rc_this_is_not_valid_0000');
    await expect(field).toHaveAttribute('type', 'password');
    await sheet.getByRole('button', { name: 'Show token' }).click();
    await expect(field).toHaveAttribute('type', 'text');
    await sheet.getByRole('button', { name: 'Hide token' }).click();
    await expect(field).toHaveAttribute('type', 'password');

    // A wrong token: the specific message, nothing kept.
    await sheet.getByRole('button', { name: 'Verify and save' }).click();
    const problem = sheet.getByRole('alert');
    await expect(problem).toContainText('RunComfy did not accept this token');
    await expect(problem).toContainText('copied all of it from your RunComfy profile');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await app.screenshot('connect-wrong-token');
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBeUndefined();

    // The right one, with the progress shown while RunComfy answers.
    // RunComfy's answer is held until the progress has been seen (not for a time a busy machine can outrun).
    let answer = () => {};
    fakeApi.script('status', { holdUntil: new Promise<void>((resolve) => (answer = resolve)) });
    await field.fill(FAKE_TOKEN);
    await expect(problem).toBeHidden();
    await sheet.getByRole('button', { name: 'Verify and save' }).click();
    await expect(sheet.getByRole('button', { name: 'Checking with RunComfy…' })).toBeDisabled();
    await app.screenshot('connect-checking');
    answer();
    await expect(sheet).toBeHidden();
    await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
    // One request verified the token (Create then asks for the price with it, which is not a check).
    expect(fakeApi.requests.filter((request) => request.authorized && request.endpoint !== 'price')).toHaveLength(1);
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBe(FAKE_TOKEN);

    // Settings shows the token by its last four characters only.
    await page.keyboard.press('Control+,');
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await expect(settings.getByText(`Token set (…${FAKE_TOKEN.slice(-4)})`)).toBeVisible();
    await expect(settings.getByText('Saved in your keyring (Secret Service).')).toBeVisible();
    await app.screenshot('settings-account');

    expect(await pageVisibleState(page)).not.toContain(FAKE_TOKEN);
    if (launchMode === 'carrier') {
      expect(fromMain.length).toBeGreaterThan(3);
      expect(fromMain.join('\n')).not.toContain(FAKE_TOKEN);
    }

    // Restart with the same keychain: signed in, no Connect sheet.
    page = await app.restart();
    await expect(page.getByRole('heading', { name: 'Create', level: 1 })).toBeVisible();
    await expect(connectSheet(app)).toHaveCount(0);
    await page.keyboard.press('Control+,');
    await expect(page.getByRole('dialog', { name: 'Settings' }).getByText(`Token set (…${FAKE_TOKEN.slice(-4)})`)).toBeVisible();
    expect(await pageVisibleState(page)).not.toContain(FAKE_TOKEN);
  });

  test('says when RunComfy is down or unreachable, and keeps nothing', async ({ app, fakeApi }) => {
    const sheet = connectSheet(app);
    const field = sheet.getByLabel('API token');
    fakeApi.script('status', { respond: 503 }, 2);
    await field.fill(FAKE_TOKEN);
    await field.press('Enter');
    await expect(sheet.getByRole('alert')).toContainText('RunComfy is having trouble');
    await expect(sheet.getByRole('alert')).toContainText('The token was not saved.');

    await fakeApi.close();
    await sheet.getByRole('button', { name: 'Verify and save' }).click();
    await expect(sheet.getByRole('alert')).toContainText('No connection to RunComfy');
    await expect(sheet.getByRole('alert')).toContainText('Check your internet connection');
    await app.screenshot('connect-offline');
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBeUndefined();
    await expect(sheet).toBeVisible();
  });

  test("offers the token RunComfy's CLI saved, and imports it only when asked", async ({ app }) => {
    await mkdir(join(app.userDataDir, '.config', 'runcomfy'), { recursive: true });
    await writeFile(
      join(app.userDataDir, '.config', 'runcomfy', 'token.json'),
      JSON.stringify({ access_token: FAKE_TOKEN, expires_at: Math.floor(Date.now() / 1000) + 3600 }),
      {
        mode: 0o600,
      },
    );
    await app.restart();
    const sheet = connectSheet(app);
    await expect(sheet.getByText(`token ending in …${FAKE_TOKEN.slice(-4)}`)).toBeVisible();
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBeUndefined();
    await app.screenshot('connect-cli-offer');
    await sheet.getByRole('button', { name: 'Use that token' }).click();
    await expect(sheet).toBeHidden();
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBe(FAKE_TOKEN);
  });

  test('the token page opens through the app, and Escape does not dismiss the sheet', async ({ app }) => {
    const sheet = connectSheet(app);
    await sheet.getByRole('button', { name: /Where do I get a token/ }).click();
    if (app.services) await expect.poll(() => app.platform.calls).toContainEqual({ kind: 'openExternal', url: TOKEN_PAGE });
    await app.page.keyboard.press('Escape');
    await expect(sheet).toBeVisible();
    // Shortcuts to the app underneath wait until there is a token.
    await app.page.keyboard.press('Control+,');
    await expect(app.page.getByRole('dialog', { name: 'Settings' })).toHaveCount(0);
  });
});

test.describe('signed in with the keychain', () => {
  test.use({ signedIn: 'keychain' });

  test('a token RunComfy refuses later brings the sheet back over the work, and a new one carries on', async ({ app, fakeApi }) => {
    const { page } = app;
    await page.getByRole('button', { name: /Queue/ }).click();
    await expect(page.getByRole('heading', { name: 'Queue', level: 1 })).toBeVisible();

    fakeApi.revoke(FAKE_TOKEN);
    await page.keyboard.press('Control+,');
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByRole('button', { name: 'Check' }).click();

    const sheet = connectSheet(app);
    await expect(sheet.getByRole('heading', { name: 'RunComfy no longer accepts your token' })).toBeVisible();
    await expect(sheet).toContainText(`…${FAKE_TOKEN.slice(-4)}`);
    await expect(settings).toHaveCount(0);
    await app.screenshot('connect-token-refused');

    const replacement = 'e2e-replacement-token-81c2';
    fakeApi.tokens.add(replacement);
    await sheet.getByLabel('API token').fill(replacement);
    await sheet.getByRole('button', { name: 'Verify and save' }).click();
    await expect(sheet).toBeHidden();
    // The user is where they were.
    await expect(page.getByRole('heading', { name: 'Queue', level: 1 })).toBeVisible();
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBe(replacement);
    expect(await pageVisibleState(page)).not.toContain(replacement);
  });

  test('replace and remove from Settings, removal after a confirmation', async ({ app, fakeApi }) => {
    const { page } = app;
    await page.keyboard.press('Control+,');
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByRole('button', { name: 'Check' }).click();
    await expect(settings.getByRole('status').filter({ hasText: 'RunComfy accepts this token.' })).toBeVisible();

    await settings.getByRole('button', { name: 'Replace…' }).click();
    await settings.getByLabel('API token').fill('not-the-right-one-1234');
    await settings.getByRole('button', { name: 'Verify and replace' }).click();
    await expect(settings.getByRole('alert')).toContainText('RunComfy did not accept this token');
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBe(FAKE_TOKEN);
    const second = 'e2e-second-token-5d0e';
    fakeApi.tokens.add(second);
    await settings.getByLabel('API token').fill(second);
    await settings.getByRole('button', { name: 'Verify and replace' }).click();
    await expect(settings.getByText('Token set (…5d0e)')).toBeVisible();
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBe(second);

    await settings.getByRole('button', { name: 'Remove…' }).click();
    await expect(settings.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await app.screenshot('settings-remove-confirm');
    await settings.getByRole('button', { name: 'Cancel' }).click();
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBe(second);
    await settings.getByRole('button', { name: 'Remove…' }).click();
    const remove = settings.getByRole('button', { name: 'Remove token' });
    // The confirming button stays the warning colour under the pointer.
    const bad = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('span'));
      probe.style.color = 'var(--bad)';
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    });
    await remove.hover();
    await expect(remove).toHaveCSS('background-color', bad);
    await remove.click();
    await expect(connectSheet(app).getByRole('heading', { name: 'Connect Keyframe to RunComfy' })).toBeVisible();
    expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBeUndefined();
  });
});

test('a token from RUNCOMFY_TOKEN is used for the session and cannot be replaced or removed here', async ({ app }) => {
  const { page } = app;
  await expect(connectSheet(app)).toHaveCount(0);
  await page.keyboard.press('Control+,');
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings.getByText(/From RUNCOMFY_TOKEN in the environment/)).toBeVisible();
  await expect(settings.getByRole('button', { name: 'Replace…' })).toBeDisabled();
  await expect(settings.getByRole('button', { name: 'Remove…' })).toBeDisabled();
  await expect(settings.getByText('To change or remove it, change or unset RUNCOMFY_TOKEN and restart Keyframe.')).toBeVisible();
  expect(await app.keychain.get(SECRET_ACCOUNTS.runcomfyToken)).toBeUndefined();
});
