/**
 * `npm run demo`: the whole app by hand on a machine without Electron. Builds nothing itself
 * (the npm script builds first); starts the real main-process services with a persistent demo
 * profile, the loopback carrier, and opens Debian's Chromium on it (or prints the address).
 *
 *   KEYFRAME_DEMO_DATA     profile folder (default: ~/.local/share/keyframe-demo)
 *   KEYFRAME_DEMO_PORT     carrier port (default: random)
 *   KEYFRAME_API_BASE_URL  a RunComfy API to use; without it the demo starts the local fake API
 *                          (jobs at a human pace, token demo-token-1234), so no real token is needed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServices } from '../../main/services';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { startFakeRunComfy } from '../fake-runcomfy/server';
import { RecordingPlatform } from './platform';
import { MEDIA_PREFIX, startCarrier } from './server';

const root = resolve(import.meta.dirname, '../..');
const userDataDir =
  process.env['KEYFRAME_DEMO_DATA'] ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'keyframe-demo');
await mkdir(userDataDir, { recursive: true });

const log = createLogger();
const platform = new RecordingPlatform(join(userDataDir, 'Trash'));
const env = { ...process.env };
const DEMO_TOKEN = 'demo-token-1234';
const fake = env['KEYFRAME_API_BASE_URL']
  ? undefined
  : await startFakeRunComfy({
      tokens: [DEMO_TOKEN],
      fetchImages: true,
      plan: { queuePositions: 3, stepMs: 3000, progressMs: 8000, outcome: { completed: true } },
    });
if (fake) env['KEYFRAME_API_BASE_URL'] = fake.url;
const services = await createServices({
  userDataDir,
  shell: 'carrier',
  version: 'demo',
  log,
  platform,
  mediaUrl: mediaUrlFor(MEDIA_PREFIX),
  env,
});
const carrier = await startCarrier({
  services,
  rendererDir: join(root, 'out', 'renderer'),
  port: Number(process.env['KEYFRAME_DEMO_PORT'] ?? 0),
});

console.log(`\nKeyframe demo (browser carrier; not Electron)\n  profile: ${userDataDir}\n  open:    ${carrier.url}`);
console.log(
  fake
    ? `  API:     local fake RunComfy at ${fake.url}; paste the token ${DEMO_TOKEN} when asked\n`
    : `  API:     ${env['KEYFRAME_API_BASE_URL']}\n`,
);
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));
if (chromium && (process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY'])) {
  const browser = spawn(
    chromium,
    [
      `--app=${carrier.url}`,
      `--user-data-dir=${join(userDataDir, 'chromium')}`,
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
    { stdio: 'ignore' },
  );
  browser.on('exit', () => void shutdown());
} else {
  console.log('No display found: open the address above in a browser on this machine. Ctrl+C stops the demo.');
}

async function shutdown() {
  await carrier.close();
  await services.close();
  await fake?.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
