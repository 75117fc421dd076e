/**
 * Frame hosting end to end: a bucket is set up in the real renderer against a real S3-compatible
 * server (s3rver on 127.0.0.1), its secret goes to the real keychain and is never seen again, and
 * "Test connection" reports each step. Then two real image files are hosted by the app's own
 * services and submitted to the fake RunComfy API, which fetches them from the bucket through the
 * pre-signed URLs and hashes what it got.
 *
 * The Create screen's submit button belongs to the Jobs issue; until it exists, the submission
 * here goes through the app's services (carrier mode), as the Jobs runner will.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import { startFakeRunComfy } from '../fake-runcomfy/server';
import { startLocalS3 } from '../s3/local-s3';
import type { LocalS3 } from '../s3/local-s3';
import * as img from '../images';
import { CreatePage } from './create-page';
import { E2E_BUCKET_SECRET, expect, FAKE_TOKEN, test } from './fixtures';
import type { KeyframeApp } from './fixtures';

/** Everything the page could read: its markup and every field's value. */
const pageText = (page: Page) =>
  page.evaluate(() =>
    JSON.stringify({
      html: document.documentElement.outerHTML,
      values: [...document.querySelectorAll('input, textarea')].map((field) => (field as HTMLInputElement).value),
    }),
  );

async function openHostingSettings(page: Page) {
  await page.keyboard.press('Control+,');
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  return dialog.getByRole('region', { name: 'Frame hosting' });
}

/** Types the bucket into the settings panel, the secret once, and saves. */
async function setUpBucket(app: KeyframeApp, s3: LocalS3) {
  return test.step('set up the bucket in Settings', async () => {
    const section = await openHostingSettings(app.page);
    await section.getByLabel('Endpoint', { exact: true }).fill(s3.endpoint);
    await section.getByLabel('Region', { exact: true }).fill('us-east-1');
    await section.getByLabel('Bucket name', { exact: true }).fill(s3.bucket);
    await section.getByLabel('Access key ID', { exact: true }).fill(s3.accessKeyId);
    await section.getByLabel('Secret access key', { exact: true }).fill(s3.secretAccessKey);
    await section.getByLabel('Path-style addresses', { exact: true }).check();
    await section.getByRole('button', { name: 'Save bucket' }).click();
    await expect(section.getByText('Set', { exact: true })).toBeVisible();
    return section;
  });
}

let s3: LocalS3;
test.beforeEach(async () => {
  s3 = await startLocalS3({ secretAccessKey: E2E_BUCKET_SECRET });
});
test.afterEach(async () => {
  await s3.close();
});

test('a bucket is set up in Settings; the secret is typed once, then only shown as set; Test connection reports each step', async ({
  app,
}) => {
  try {
    const section = await openHostingSettings(app.page);
    await expect(section.getByRole('status', { name: 'Frames will go' })).toHaveText(
      'Frames from this computer go inline in the request (no bucket set up yet).',
    );
    await section.getByLabel('Bucket name', { exact: true }).fill('x');
    await section.getByRole('button', { name: 'Save bucket' }).click();
    await expect(section.getByText('A bucket name has 3 to 63 letters, digits, dots or hyphens.')).toBeVisible();
    await app.page.keyboard.press('Escape');
    // Gone, not just hidden: the <dialog> hides at once, and its close event (which lets Ctrl+, open it again) comes a moment later.
    await expect(app.page.locator('dialog[aria-labelledby="settings-title"]')).toHaveCount(0);

    await setUpBucket(app, s3);
    const page = app.page;
    const hosting = page.getByRole('region', { name: 'Frame hosting' });
    await expect(hosting.getByRole('status', { name: 'Frames will go' })).toHaveText(
      `Frames from this computer go to bucket “${s3.bucket}” at ${new URL(s3.endpoint).host}.`,
    );
    await expect(hosting.getByRole('button', { name: 'Replace…' })).toBeVisible();
    await expect(hosting.locator('input[type=password]')).toHaveCount(0);

    // The secret is in the keychain and nowhere else: not the page, not settings.json, not the log.
    expect(await app.keychain.get(SECRET_ACCOUNTS.s3SecretKey)).toBe(s3.secretAccessKey);
    expect(await pageText(page)).not.toContain(s3.secretAccessKey);
    const settingsFile = await readFile(join(app.userDataDir, 'settings.json'), 'utf8');
    expect(JSON.parse(settingsFile).hosting.s3).toMatchObject({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      accessKeyId: 'S3RVER',
      pathStyle: true,
    });
    expect(settingsFile).not.toContain(s3.secretAccessKey);

    await test.step('Test connection works', async () => {
      await hosting.getByRole('button', { name: 'Test connection' }).click();
      await expect(hosting.getByText(/^Connection works\./)).toBeVisible();
      const steps = hosting.getByRole('list', { name: 'Test steps' }).getByRole('listitem');
      await expect(steps).toHaveCount(3);
      await expect(steps.nth(0)).toContainText('Upload a test object');
      await expect(steps.nth(1)).toContainText(/Fetch it back through a pre-signed link.*identical/);
      await expect(steps.nth(2)).toContainText('Delete the test object');
      await expect(hosting.getByText(/RunComfy's servers cannot fetch frames from it/)).toBeVisible();
      expect(await s3.keys('keyframe/')).toEqual([]);
      await hosting.getByRole('button', { name: 'Test connection' }).scrollIntoViewIfNeeded();
      await app.screenshot('hosting-test-ok');
    });

    await test.step('Test connection names a wrong bucket', async () => {
      await hosting.getByLabel('Bucket name', { exact: true }).fill('no-such-bucket');
      await hosting.getByRole('button', { name: 'Test connection' }).click();
      await expect(hosting.getByRole('alert')).toContainText(
        `Connection failed. There is no bucket named “no-such-bucket” at ${new URL(s3.endpoint).host} (NoSuchBucket).`,
      );
      await expect(hosting.getByRole('list', { name: 'Test steps' }).getByRole('listitem').nth(1)).toContainText('skipped');
      await hosting.getByRole('button', { name: 'Test connection' }).scrollIntoViewIfNeeded();
      await app.screenshot('hosting-test-wrong-bucket');
      await hosting.getByLabel('Bucket name', { exact: true }).fill(s3.bucket);
      await hosting.getByRole('button', { name: 'Save bucket' }).click();
      await expect(hosting.getByText('Unsaved changes')).toBeHidden();
    });

    await test.step('after a restart the secret is still set, and still not shown', async () => {
      const page = await app.restart();
      const section = await openHostingSettings(page);
      await expect(section.getByText('Set', { exact: true })).toBeVisible();
      await expect(section.getByText(/kept in your keyring/)).toBeVisible();
      expect(await pageText(page)).not.toContain(s3.secretAccessKey);
      await section.getByRole('heading', { name: 'Frame hosting' }).scrollIntoViewIfNeeded();
      await app.screenshot('hosting-settings-set');
    });
    expect(app.logLines.join('\n')).not.toContain(s3.secretAccessKey);
  } finally {
    await app.keychain.delete(SECRET_ACCOUNTS.s3SecretKey);
  }
});

test('two local frames picked in Create go through the bucket; the job shows the URLs the API fetched its exact bytes from', async ({
  app,
}) => {
  const fake = await startFakeRunComfy({ tokens: [FAKE_TOKEN], fetchImages: true });
  try {
    await setUpBucket(app, s3);
    app.env['KEYFRAME_API_BASE_URL'] = fake.url;
    const page = await app.restart();
    const create = new CreatePage(page);
    await expect(page.getByRole('status', { name: 'Frame hosting' })).toContainText(`bucket “${s3.bucket}”`);
    const start = await img.makeImage(900, 600, 'png');
    const end = await img.makeImage(700, 500, 'jpeg');
    await create.drop('start', [{ name: 'start.png', type: 'image/png', data: start }]);
    await create.drop('end', [{ name: 'end.jpg', type: 'image/jpeg', data: end }]);
    await create.prompt.fill('The camera glides from @Image1 to @Image2');
    await expect(create.submit).toBeEnabled();
    await app.screenshot('hosting-create-bucket');
    await create.submit.click();
    await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();

    expect(fake.count('submit')).toBe(1);
    const received = fake.submissions[0];
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    // The API was given links into the bucket, and what it fetched from them is the frames' exact bytes.
    const urls = [received.body['start_image_url'], received.body['end_image_url']].map((url) => new URL(String(url)));
    expect(urls.map((url) => url.pathname)).toEqual([`/${s3.bucket}/keyframe/${sha(start)}.png`, `/${s3.bucket}/keyframe/${sha(end)}.jpg`]);
    expect(received.images.map((image) => [image.via, image.sha256])).toEqual([
      ['url', sha(start)],
      ['url', sha(end)],
    ]);
    expect(await s3.keys('keyframe/')).toEqual([`keyframe/${sha(start)}.png`, `keyframe/${sha(end)}.jpg`].sort());

    // The job's details say which host carried each frame and show the address it was given.
    await page.keyboard.press('Control+3');
    const card = page.getByRole('list', { name: 'Jobs' }).getByRole('listitem').first();
    await card.click();
    await card.press('Enter');
    const detail = page.getByRole('dialog', { name: 'Job details' });
    for (const url of urls) await expect(detail).toContainText(`${url.origin}${url.pathname}`);
    await expect(detail.getByText('sent as your bucket')).toHaveCount(2);
    await app.screenshot('hosting-job-details');
    const log = app.logLines.join('\n');
    expect(log).not.toContain(s3.secretAccessKey);
    for (const url of urls) expect(log).not.toContain(url.searchParams.get('X-Amz-Signature')!);
  } finally {
    await app.keychain.delete(SECRET_ACCOUNTS.s3SecretKey);
    await fake.close();
  }
});
