import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  globalSetup: './test/e2e/global-setup.ts',
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'e2e', testMatch: /\.spec\.ts$/, teardown: 'secrets scan' },
    // After every spec: search all the user data the apps left for the E2E secrets.
    { name: 'secrets scan', testMatch: /secrets-scan\.teardown\.ts$/ },
  ],
});
