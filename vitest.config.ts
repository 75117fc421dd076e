import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Vitest's own default is one worker fewer than the cores: one file at a time on the 2-core CI
    // machine, which waits on child processes and sockets most of the time. Two keep both cores busy.
    maxWorkers: 2,
    globalSetup: ['test/run-tmpdir.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/unit.json' },
    projects: [
      {
        test: {
          name: 'main',
          environment: 'node',
          include: ['main/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        // On Linux the project above runs sharp's wasm build (the engine the Linux app ships); the
        // image tests run again on the native build that macOS and Windows use.
        test: {
          name: 'frames-native',
          environment: 'node',
          include: ['main/services/image-engine.test.ts', 'main/services/frames/**/*.test.ts', 'main/cli/frames.test.ts'],
          env: { KEYFRAME_IMAGE_ENGINE: 'native' },
          testTimeout: 20_000,
        },
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'], tsconfigPaths: true },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          // jsdom is set up once per worker, not once per file (most of this project's time), and
          // each file still runs in its own VM context with fresh modules.
          pool: 'vmThreads',
          include: ['renderer/**/*.test.ts'],
          setupFiles: ['@testing-library/svelte/vitest'],
        },
      },
    ],
  },
});
