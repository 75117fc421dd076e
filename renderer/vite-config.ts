/**
 * The renderer's Vite settings: electron-vite builds and serves the renderer with them
 * (electron.vite.config.ts), and the dev-server test runs them in Chromium (test/build/dev-csp.test.ts),
 * so what is tested is what `npm run dev` and `npm run build` use. Paths are from the project folder.
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { UserConfig } from 'vite';
import { devCspPlugin } from './dev-csp';

export function rendererConfig(): UserConfig {
  return {
    root: 'renderer',
    base: './',
    plugins: [svelte(), devCspPlugin()],
    // Import paths such as `$contract` come from tsconfig.base.json, the one place that names them.
    resolve: { tsconfigPaths: true },
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  };
}
