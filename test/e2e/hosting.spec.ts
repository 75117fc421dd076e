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
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import { startFakeRunComfy } from '../fake-runcomfy/server';
import { makeFrame } from '../s3/frames';
import { startLocalS3 } from '../s3/local-s3';
import type { LocalS3 } from '../s3/local-s3';
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

test('two local frames go through the bucket, and the API fetches exactly their bytes', async ({ app }) => {
  const frames = await mkdtemp(join(tmpdir(), 'kf-e2e-frames-'));
  const fake = await startFakeRunComfy({ tokens: [FAKE_TOKEN], fetchImages: true });
  try {
    await setUpBucket(app, s3);
    app.env['KEYFRAME_API_BASE_URL'] = fake.url;
    await app.restart();
    const services = app.services!;
    const start = await makeFrame(frames, 'start.png', { size: 900 });
    const end = await makeFrame(frames, 'end.jpg', { size: 700, format: 'jpeg' });

    const progress: number[] = [];
    const hosted = [
      await services.hosting.host(start, { onProgress: ({ sentBytes }) => progress.push(sentBytes) }),
      await services.hosting.host(end),
    ];
    expect(hosted.map((frame) => frame.host)).toEqual(['s3', 's3']);
    expect(progress.at(-1)).toBe(start.bytes);
    expect(await s3.keys('keyframe/')).toEqual([`keyframe/${start.sha256}.png`, `keyframe/${end.sha256}.jpg`].sort());

    const job = await services.runcomfy.submit({
      prompt: 'The camera glides from @Image1 to @Image2',
      start_image_url: hosted[0].url,
      end_image_url: hosted[1].url,
      duration: 5,
    });
    const received = fake.submissions.find((submission) => submission.requestId === job.requestId)!;
    // What the API received is the hosted URLs, and what it fetched from them is the frames' exact bytes.
    expect(received.body['start_image_url']).toBe(hosted[0].url);
    expect(received.body['end_image_url']).toBe(hosted[1].url);
    expect(new URL(hosted[0].url).pathname).toBe(`/${s3.bucket}/keyframe/${start.sha256}.png`);
    expect(received.images).toEqual([
      { field: 'start_image_url', via: 'url', sha256: start.sha256, bytes: start.bytes, contentType: 'image/png' },
      { field: 'end_image_url', via: 'url', sha256: end.sha256, bytes: end.bytes, contentType: 'image/jpeg' },
    ]);
    for (const url of hosted.map((frame) => frame.url)) expect(url).not.toContain(s3.secretAccessKey);
    const log = app.logLines.join('\n');
    expect(log).not.toContain(s3.secretAccessKey);
    for (const url of hosted.map((frame) => new URL(frame.url).searchParams.get('X-Amz-Signature')!)) expect(log).not.toContain(url);
  } finally {
    await app.keychain.delete(SECRET_ACCOUNTS.s3SecretKey);
    await fake.close();
    await rm(frames, { recursive: true, force: true });
  }
});
