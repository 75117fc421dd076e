/**
 * Runs after every E2E spec (Playwright teardown project): searches everything the apps left on
 * disk — settings.json, library folders and databases (WAL included), staging, trash, logs — for
 * the E2E token and bucket secret, in every form secret-scan.ts knows. Clean: the data is removed.
 * Not clean: the run fails, the data stays in test-results/e2e-data for a look.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { sep } from 'node:path';
import { expect, test } from '@playwright/test';
import { scanTree } from '../security/secret-scan';
import { E2E_DATA_DIR, E2E_SECRETS } from './fixtures';

/** RunComfy's own CLI sign-in, which connect.spec.ts places in a test HOME as a user's would be; Keyframe only reads it. */
const notWrittenByKeyframe = (path: string) => path.endsWith(`${sep}.config${sep}runcomfy${sep}token.json`);

test('no file any app left behind holds the API token or the bucket secret', async () => {
  expect(existsSync(E2E_DATA_DIR), 'the E2E apps left no user data to search').toBe(true);
  const apps = await readdir(E2E_DATA_DIR);
  const report = await scanTree(E2E_DATA_DIR, E2E_SECRETS, notWrittenByKeyframe);
  test.info().annotations.push({
    type: 'scanned',
    description: `${report.files} files (${(report.bytes / 1e6).toFixed(1)} MB) from ${apps.length} apps' user data`,
  });
  console.log(`secrets scan: ${report.files} files, ${(report.bytes / 1e6).toFixed(1)} MB, ${apps.length} user data folders`);
  expect(apps.length).toBeGreaterThan(0);
  expect(report.files).toBeGreaterThan(apps.length);
  expect(report.hits, 'secrets found on disk (data kept in test-results/e2e-data)').toEqual([]);
  await rm(E2E_DATA_DIR, { recursive: true, force: true });
});
