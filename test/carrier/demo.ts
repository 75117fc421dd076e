/**
 * `npm run demo`: the whole app by hand on a machine without Electron. Builds nothing itself
 * (the npm script builds first); starts the real main-process services with a persistent demo
 * profile, the loopback carrier, and opens Debian's Chromium on it (or prints the address).
 *
 *   KEYFRAME_DEMO_DATA   profile folder (default: ~/.local/share/keyframe-demo)
 *   KEYFRAME_DEMO_PORT   carrier port (default: random)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServices } from '../../main/services';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { RecordingPlatform } from './platform';
import { MEDIA_PREFIX, startCarrier } from './server';

const root = resolve(import.meta.dirname, '../..');
const userDataDir =
  process.env['KEYFRAME_DEMO_DATA'] ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'keyframe-demo');
await mkdir(userDataDir, { recursive: true });

const log = createLogger();
const platform = new RecordingPlatform(join(userDataDir, 'Trash'));
const env = { ...process.env };
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

console.log(`\nKeyframe demo (browser carrier; not Electron)\n  profile: ${userDataDir}\n  open:    ${carrier.url}\n`);
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
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
