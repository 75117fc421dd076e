/**
 * `npm run dev`: the renderer on Vite's dev server, in real Chromium, with the dev-only CSP plugin
 * the electron-vite config uses (renderer/vite-config.ts, shared with it). Vite injects the app's CSS as <style> elements; under the strict
 * policy Chromium refuses them and the app runs unstyled. The built page keeps the strict policy
 * (test/build/bundles.test.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { describe, expect, it } from 'vitest';
import { devCsp, devCspPlugin } from '../../renderer/dev-csp';
import { rendererConfig } from '../../renderer/vite-config';
import { CHROMIUM_FLAGS } from '../e2e/fixtures';

const root = resolve(import.meta.dirname, '../..');
const policyOf = (html: string) => /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';

describe('the development CSP', () => {
  it('adds inline styles to style-src and changes nothing else', () => {
    const page = readFileSync(resolve(root, 'renderer/index.html'), 'utf8');
    const strict = policyOf(page).split('; ');
    const dev = policyOf(devCsp(page)).split('; ');
    expect(dev).toEqual(strict.map((part) => (part.startsWith('style-src ') ? `${part} 'unsafe-inline'` : part)));
    expect(dev.find((part) => part.startsWith('script-src '))).toBe("script-src 'self'");
    expect(() => devCsp('<html></html>')).toThrow('no Content-Security-Policy');
  });

  it('applies to the dev server only, never to a build', () => {
    expect(devCspPlugin().apply).toBe('serve');
  });

  it('lets Vite’s injected styles load in Chromium under `npm run dev`, with no CSP violation', async () => {
    const server = await createServer({
      ...rendererConfig(),
      configFile: false,
      root: resolve(root, 'renderer'),
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      logLevel: 'silent',
    });
    await server.listen();
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(server.resolvedUrls!.local[0]);
      // app.css sets these on body; without it Chromium's defaults (8px margin, visible) stay.
      await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).overflow), { timeout: 30_000 }).toBe('hidden');
      expect(await page.evaluate(() => getComputedStyle(document.body).margin)).toBe('0px');
      expect(await page.locator('style[data-vite-dev-id]').count()).toBeGreaterThan(0);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
