/**
 * The hosting service as the app composes it: real settings file, the real OS keychain (gnome-keyring
 * in the test D-Bus session), a real S3-compatible server. The secret must end up in the keychain
 * and nowhere else.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeFrame, sha256 } from '../../../test/s3/frames';
import { startLocalS3 } from '../../../test/s3/local-s3';
import type { LocalS3 } from '../../../test/s3/local-s3';
import { AppError } from '../../contract';
import type { EventName } from '../../contract';
import { EventBus } from '../events';
import { KeytarSecretStore } from '../keychain/keytar-store';
import { SECRET_ACCOUNTS } from '../keychain/secret-store';
import { createLogger } from '../log';
import { SettingsStore } from '../settings';
import { HostingService } from './hosting-service';

let s3: LocalS3;
let dir: string;
let keychainService: string;
const opened: HostingService[] = [];

beforeAll(async () => {
  if (!process.env['DBUS_SESSION_BUS_ADDRESS']) throw new Error('Run this through `npm test` (it starts D-Bus and gnome-keyring).');
  s3 = await startLocalS3();
});
afterAll(() => s3.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-hosting-'));
  keychainService = `Keyframe test ${randomUUID()}`;
});
afterEach(async () => {
  for (const service of opened.splice(0)) service.close();
  await new KeytarSecretStore(
    keychainService,
    createLogger(() => {}),
  ).delete(SECRET_ACCOUNTS.s3SecretKey);
  await rm(dir, { recursive: true, force: true });
});

async function open() {
  const lines: string[] = [];
  const log = createLogger((line) => lines.push(line));
  const events = new EventBus();
  const seen: [EventName, unknown][] = [];
  events.listen((name, payload) => seen.push([name, payload]));
  const settings = new SettingsStore(dir, events, log);
  await settings.load();
  const secrets = new KeytarSecretStore(keychainService, log);
  const hosting = new HostingService({ settings, secrets, events, log, s3Tuning: { requestTimeoutMs: 5000 } });
  opened.push(hosting);
  return { hosting, settings, lines, seen, secrets };
}

describe('HostingService', () => {
  it('sends frames inline until a bucket is set up, then through the bucket; the secret stays in the keychain', async () => {
    const { hosting, settings, lines, seen } = await open();
    const frame = await makeFrame(dir, 'start.png', { size: 500 });
    expect((await hosting.status()).host).toBe('data-uri');
    expect((await hosting.host(frame)).host).toBe('data-uri');

    await settings.set({ hosting: { s3: s3.settings() } });
    expect(await hosting.status()).toMatchObject({ host: 'data-uri', bucket: { configured: false, missing: ['the secret access key'] } });
    const status = await hosting.setSecret(`  ${s3.secretAccessKey}\n`);
    expect(status).toMatchObject({ host: 's3', secretSet: true, bucket: { configured: true, missing: [] } });
    expect(JSON.stringify(status)).not.toContain(s3.secretAccessKey);

    const hosted = await hosting.host(frame);
    expect(hosted).toMatchObject({ host: 's3', key: `keyframe/${frame.sha256}.png` });
    expect(sha256(Buffer.from(await (await fetch(hosted.url)).arrayBuffer()))).toBe(frame.sha256);
    expect((await hosting.test()).ok).toBe(true);

    // The renderer heard about each change, and never saw the secret.
    const announced = seen.filter(([name]) => name === 'hosting:changed').map(([, payload]) => (payload as { host: string }).host);
    expect(announced).toEqual(['data-uri', 's3']);
    expect(JSON.stringify(seen)).not.toContain(s3.secretAccessKey);
    // The keychain has it (trimmed); the settings file and the log do not.
    expect(
      await new KeytarSecretStore(
        keychainService,
        createLogger(() => {}),
      ).get(SECRET_ACCOUNTS.s3SecretKey),
    ).toBe(s3.secretAccessKey);
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).not.toContain(s3.secretAccessKey);
    expect(lines.join('\n')).not.toContain(s3.secretAccessKey);
    expect(lines.join('\n')).toContain('bucket secret access key saved in');
  });

  it('finds the secret in the keychain after a restart, and forgets it when removed', async () => {
    const first = await open();
    await first.settings.set({ hosting: { mode: 'bucket', s3: s3.settings() } });
    await first.hosting.setSecret(s3.secretAccessKey);
    first.hosting.close();

    const second = await open();
    expect(await second.hosting.status()).toMatchObject({ host: 's3', secretSet: true });
    const cleared = await second.hosting.clearSecret();
    expect(cleared).toMatchObject({ host: null, secretSet: false, problem: expect.stringContaining('the secret access key is missing') });
    expect(await second.secrets.get(SECRET_ACCOUNTS.s3SecretKey)).toBeUndefined();

    // Mode "bucket" without a secret: nothing is sent inline behind the user's back.
    const refused = await second.hosting.host(await makeFrame(dir, 'end.png', { size: 300 })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'hosting', details: { problem: 'not-configured', action: 'openBucketSettings' } });
  });

  it('sends frames picked as addresses as they are, whatever the set-up', async () => {
    const { hosting, settings } = await open();
    await settings.set({ hosting: { mode: 'bucket' } });
    const frame = { path: '/nowhere', sha256: 'x', mime: 'image/png', bytes: 1, sourceUrl: 'https://cdn.example.com/frame.png' };
    expect(await hosting.host(frame)).toEqual({ url: 'https://cdn.example.com/frame.png', host: 'url' });
  });

  it('refuses a secret that cannot be one, and explains what a test needs first', async () => {
    const { hosting } = await open();
    await expect(hosting.setSecret('two words')).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await hosting.test()).toEqual({
      ok: false,
      steps: [],
      problem: 'not-configured',
      message: 'Enter the bucket name, the access key ID and the secret access key first.',
      warnings: [],
    });
  });
});
