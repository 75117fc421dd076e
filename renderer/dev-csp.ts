/**
 * The development-only Content-Security-Policy. Under `npm run dev`, Vite serves CSS by injecting
 * `<style>` elements from script (and Svelte's hot reload swaps them), which the page's strict
 * `style-src 'self'` refuses, so the app would run unstyled. This Vite plugin runs only for the
 * dev server (`apply: 'serve'`) and adds `'unsafe-inline'` to `style-src`, nothing else; the built
 * page (`npm run build`, every package) keeps the strict policy. Scripts stay `'self'` either way.
 */
import type { Plugin } from 'vite';

const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/;

/** The page's policy with inline styles allowed; throws if the page has no policy or no style-src. */
export function devCsp(html: string): string {
  const match = CSP_META.exec(html);
  if (!match) throw new Error('renderer/index.html has no Content-Security-Policy meta tag');
  if (!/(^|;)\s*style-src /.test(match[2])) throw new Error('the Content-Security-Policy has no style-src');
  const policy = match[2].replace(/((?:^|;)\s*style-src [^;]*)/, "$1 'unsafe-inline'");
  return html.replace(CSP_META, `$1${policy}$3`);
}

export function devCspPlugin(): Plugin {
  return { name: 'keyframe-dev-csp', apply: 'serve', transformIndexHtml: { order: 'pre', handler: devCsp } };
}
