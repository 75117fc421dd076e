/**
 * Run by keychain-faults.test.ts in a child process, inside a private D-Bus session whose only
 * Secret Service is a gnome-keyring daemon the test started (its pid in KEYRING_PID) and that D-Bus
 * cannot start again by itself. Starts the app's real services with the token in that keychain,
 * then stops the daemon, and reports as JSON what a user would meet next.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharp } from '../../main/services/image-engine';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { AppError } from '../../main/contract';
import { createServices } from '../../main/services';
import { KeytarSecretStore } from '../../main/services/keychain/keytar-store';
import { SECRET_ACCOUNTS } from '../../main/services/keychain/secret-store';
import { createLogger } from '../../main/services/log';
import { mediaUrlFor } from '../../main/services/media';
import { RecordingPlatform } from '../carrier/platform';
import { startFakeRunComfy } from '../fake-runcomfy/server';

const TOKEN = 'rc_keychain_fault_token_0042';
const NEW_TOKEN = 'rc_keychain_fault_token_0043';
const service = `Keyframe keychain fault ${process.pid}`;
const report: Record<string, unknown> = {};
const outcome = async (work: () => Promise<unknown>) => {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return error instanceof AppError ? { ok: false, code: error.code, message: error.message } : { ok: false, message: String(error) };
  }
};

const fake = await startFakeRunComfy({ tokens: [TOKEN, NEW_TOKEN], plan: { queuePositions: 0, progressMs: 50 } });
const dir = await mkdtemp(join(tmpdir(), 'kf-keychain-fault-'));
const store = new KeytarSecretStore(
  service,
  createLogger(() => {}),
);
// The daemon needs a moment to appear on the bus.
for (let tries = 0; ; tries++) {
  try {
    await store.set(SECRET_ACCOUNTS.runcomfyToken, TOKEN);
    break;
  } catch (error) {
    if (tries > 50) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const lines: string[] = [];
const services = await createServices({
  userDataDir: dir,
  shell: 'carrier',
  version: 'fault',
  log: createLogger((line) => lines.push(line)),
  platform: new RecordingPlatform(join(dir, 'Trash')),
  mediaUrl: mediaUrlFor('/media/'),
  env: { KEYFRAME_KEYCHAIN_SERVICE: service, KEYFRAME_API_BASE_URL: fake.url, HOME: dir },
});
report['before'] = services.token.status().state;

// The keychain goes away while the app runs.
const pid = Number(process.env['KEYRING_PID']);
process.kill(pid, 'SIGTERM');
for (;;) {
  try {
    process.kill(pid, 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } catch {
    break;
  }
}

// The token in memory still works: a job goes all the way.
const frame = async (name: string, colour: string) => {
  const bytes = await sharp({ create: { width: 640, height: 360, channels: 3, background: colour } })
    .png()
    .toBuffer();
  const path = join(dir, name);
  await writeFile(path, bytes);
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    mime: 'image/png',
    bytes: bytes.length,
    name,
    ext: 'png' as const,
  };
};
const job = await outcome(async () => {
  const item = await services.jobs.runner.submit({
    prompt: 'keychain gone',
    duration: 5,
    start: await frame('a.png', '#a33'),
    end: await frame('b.png', '#33a'),
  });
  await services.jobs.runner.idle();
  return services.library.store.require(item.id).status;
});
report['job'] = job;
report['tokenAfter'] = services.token.status().state;
// A new token is verified by RunComfy but cannot be kept.
report['saveToken'] = await outcome(() => services.token.save(NEW_TOKEN));
report['keychainProblem'] = services.token.status().keychainProblem;
// A bucket set up now needs its secret from the keychain, which is gone.
await services.settings.set({
  hosting: {
    mode: 'bucket',
    s3: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'frames', accessKeyId: 'KEY', pathStyle: true },
  },
});
report['bucketJob'] = await outcome(async () =>
  services.jobs.runner.submit({ prompt: 'bucket', duration: 5, start: await frame('c.png', '#3a3'), end: await frame('d.png', '#aa3') }),
);
report['submissions'] = fake.count('submit');
report['openJobs'] = services.library.store.listOpen().length;
report['jobsInLibrary'] = services.library.store.count();
report['tokenInLog'] = lines.some((line) => line.includes(TOKEN) || line.includes(NEW_TOKEN));
await services.close();
await fake.close();
console.log(JSON.stringify(report));
process.exit(0);
