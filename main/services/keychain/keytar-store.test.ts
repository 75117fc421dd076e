/**
 * The real OS keychain: `npm test` runs inside a private D-Bus session with an unlocked
 * gnome-keyring. The failure cases start their own D-Bus sessions (one with no Secret Service,
 * one whose keyring is locked) in a child process, so they are real too.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import { createLogger } from '../log';
import { keychainProblem, KeytarSecretStore } from './keytar-store';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const service = `Keyframe test ${randomUUID()}`;
const store = new KeytarSecretStore(
  service,
  createLogger(() => {}),
);

describe('KeytarSecretStore on the real keychain', () => {
  afterAll(async () => {
    await store.delete('RunComfy API token');
    await store.delete('Bucket secret');
  });

  it('saves, reads back, replaces and deletes a secret', async () => {
    if (!process.env['DBUS_SESSION_BUS_ADDRESS']) throw new Error('Run this through `npm test` (it starts D-Bus and gnome-keyring).');
    expect(await store.get('RunComfy API token')).toBeUndefined();
    await store.set('RunComfy API token', 'rc_first_token_0001');
    expect(await store.get('RunComfy API token')).toBe('rc_first_token_0001');
    await store.set('RunComfy API token', 'rc_second_token_0002');
    expect(await store.get('RunComfy API token')).toBe('rc_second_token_0002');
    expect(await store.delete('RunComfy API token')).toBe(true);
    expect(await store.get('RunComfy API token')).toBeUndefined();
    expect(await store.delete('RunComfy API token')).toBe(false);
  });

  it('keeps accounts apart, so the bucket secret can live beside the token', async () => {
    await store.set('RunComfy API token', 'token-ü-✓-1234');
    await store.set('Bucket secret', 'bucket/secret+key==');
    const sameServiceElsewhere = new KeytarSecretStore(
      service,
      createLogger(() => {}),
    );
    expect(await sameServiceElsewhere.get('RunComfy API token')).toBe('token-ü-✓-1234');
    expect(await sameServiceElsewhere.get('Bucket secret')).toBe('bucket/secret+key==');
    await store.delete('Bucket secret');
    expect(await store.get('RunComfy API token')).toBe('token-ü-✓-1234');
  });
});

// Node itself with tsx's loader: `npx` first resolves the package, seconds of CPU on a busy machine.
const probeCommand = `"${process.execPath}" --import tsx ${join(root, 'test/keychain/probe.ts')}`;

async function probe(session: (script: string) => [string, string[]], env: NodeJS.ProcessEnv) {
  const [command, args] = session(probeCommand);
  const { stdout } = await run(command, args, { cwd: root, env: { ...process.env, ...env } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { ok: boolean; code?: string; message?: string };
}

async function scratch() {
  const dir = await mkdtemp(join(tmpdir(), 'kf-keyring-'));
  await mkdir(join(dir, 'data'));
  await mkdir(join(dir, 'run'), { mode: 0o700 });
  return { dir, env: { XDG_DATA_HOME: join(dir, 'data'), XDG_RUNTIME_DIR: join(dir, 'run'), DISPLAY: '' } };
}

// Each case starts D-Bus sessions and Node processes: more than the default budget on a busy machine.
describe('KeytarSecretStore when the keychain cannot be used', { timeout: 60_000 }, () => {
  it('says what to install when no Secret Service is running', async () => {
    const { dir, env } = await scratch();
    const config = join(dir, 'bus.conf');
    await writeFile(
      config,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir=${dir}</listen>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/></policy></busconfig>`,
    );
    const result = await probe((script) => ['dbus-run-session', [`--config-file=${config}`, '--', 'sh', '-c', script]], env);
    expect(result).toMatchObject({ ok: false, code: 'keychain_unavailable' });
    expect(result.message).toMatch(/no keyring service is running/);
    expect(result.message).toMatch(/gnome-keyring/);
  });

  it('says to unlock the keyring when it is locked', async () => {
    const { env } = await scratch();
    // First session: create the login keyring (unlocked with a password), then end the session.
    const create = `printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; ${probeCommand}`;
    const first = await run('dbus-run-session', ['--', 'sh', '-c', create], { cwd: root, env: { ...process.env, ...env } });
    expect(JSON.parse(first.stdout.trim().split('\n').at(-1)!)).toEqual({ ok: true });
    // Second session: the same keyring on disk, never unlocked.
    const result = await probe((script) => ['dbus-run-session', ['--', 'sh', '-c', script]], env);
    expect(result).toMatchObject({ ok: false, code: 'keychain_unavailable' });
    expect(result.message).toMatch(/keyring is locked/);
  });
});

describe('keychainProblem', () => {
  it('names what to unlock or install on each system, and never echoes the raw error', () => {
    expect(keychainProblem(new Error('User interaction is not allowed.'), 'darwin')).toMatch(/Keychain Access/);
    expect(keychainProblem(new Error('Cannot find module keytar.node'), 'linux')).toMatch(/libsecret/);
    // The keyring stopped while Keyframe ran: libsecret names the bus address it had.
    expect(keychainProblem(new Error('The name :1.0 was not provided by any .service files'), 'linux')).toMatch(
      /no keyring service is running/,
    );
    expect(keychainProblem(new Error('weird 0x80070490'), 'win32')).toBe(
      'Keyframe could not use Windows Credential Manager. Check that it is unlocked and try again.',
    );
  });

  it('is what the store throws, as an AppError', async () => {
    const broken = new KeytarSecretStore(
      service,
      createLogger(() => {}),
      'linux',
    );
    // An account name keytar refuses (not a string) makes the native call throw.
    await expect(broken.get(undefined as unknown as string)).rejects.toBeInstanceOf(AppError);
  });
});
