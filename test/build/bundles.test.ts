import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const out = resolve(import.meta.dirname, '../../out');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('production bundles (run `npm run build` first; `npm test` does)', () => {
  it('exist for main, preload and renderer', () => {
    for (const part of ['main/index.js', 'preload/index.cjs', 'renderer/index.html']) {
      expect(existsSync(join(out, part)), `missing out/${part}`).toBe(true);
    }
  });

  it('start main without the AWS SDK: it is in the chunk loaded when a bucket is first used', () => {
    expect(readFileSync(join(out, 'main/index.js'), 'utf8')).not.toContain('@aws-sdk/');
    const chunks = files(join(out, 'main')).filter((file) => readFileSync(file, 'utf8').includes('@aws-sdk/client-s3'));
    expect(chunks.map((file) => file.split('/').pop())).toEqual([expect.stringMatching(/^bucket-.*\.js$/)]);
  });

  it('keep the contract’s schemas out of the preload: it carries the channel names only', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    expect(preload).not.toMatch(/zod/i);
    expect(preload).toMatch(/['"]storyboard:get['"]/);
    expect(preload.length).toBeLessThan(16_000);
  });

  it('start the renderer without mediabunny: it is in the chunk loaded on the first re-encoded export', () => {
    const scripts = files(join(out, 'renderer')).filter((file) => file.endsWith('.js'));
    // The builder's module comments name the package (the renderer is not minified; if it were, this fails, not passes).
    const withMediabunny = scripts.filter((file) => readFileSync(file, 'utf8').includes('node_modules/mediabunny/'));
    expect(withMediabunny.map((file) => file.split('/').pop())).toEqual([expect.stringMatching(/^reencode-cut-.*\.js$/)]);
  });

  it('do not contain the test/demo carrier', () => {
    for (const file of files(out)) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain('__carrier');
      expect(text, file).not.toContain('kf_carrier');
    }
  });

  it('ship the strict Content-Security-Policy in the renderer page', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline scripts
  });

  it('keep the preload a single sandbox-safe CommonJS file with no require of node_modules', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(required.every((name) => name === 'electron')).toBe(true);
  });
});
