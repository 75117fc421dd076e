/**
 * The token service with the real keychain (gnome-keyring under `npm test`, a unique service name
 * per run) and the fake RunComfy API over real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import type { EventPayload, TokenStatus } from '../../contract';
import { RecordingPlatform } from '../../../test/carrier/platform';
import { startFakeRunComfy } from '../../../test/fake-runcomfy/server';
import type { FakeRunComfy } from '../../../test/fake-runcomfy/server';
import { EventBus } from '../events';
import { KeytarSecretStore } from '../keychain/keytar-store';
import type { SecretStore } from '../keychain/secret-store';
import { createLogger } from '../log';
import { createRunComfyClient } from './client';
import { normalizeToken, TokenService, TOKEN_PAGE_URL } from './token';

const GOOD = 'rc_good_token_5a1b9d77';
const OTHER_GOOD = 'rc_other_token_33e1c0aa';
const service = `Keyframe test ${randomUUID()}`;
const keychain = new KeytarSecretStore(
  service,
  createLogger(() => {}),
);

let fake: FakeRunComfy;
let home: string;
let seen: TokenStatus[];
let platform: RecordingPlatform;

beforeEach(async () => {
  fake = await startFakeRunComfy({ tokens: [GOOD, OTHER_GOOD] });
  home = await mkdtemp(join(tmpdir(), 'kf-home-'));
  seen = [];
  platform = new RecordingPlatform(join(home, 'Trash'));
});
afterEach(async () => {
  await fake.close();
  await keychain.delete('RunComfy API token');
});
afterAll(async () => {
  await keychain.delete('RunComfy API token');
});

const NOW = Date.parse('2026-12-01T12:00:00Z');

/** Writes token.json as RunComfy's CLI does (mode 0600). */
async function cliSignIn(folder: string, content: unknown): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'token.json'), typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
}

function tokenService(options: { env?: NodeJS.ProcessEnv; store?: SecretStore; baseUrl?: string; now?: () => number } = {}) {
  const events = new EventBus();
  events.listen((name, payload) => {
    if (name === 'token:changed') seen.push(payload as EventPayload<'token:changed'>);
  });
  const client = createRunComfyClient({
    baseUrl: options.baseUrl ?? fake.url,
    getToken: () => service.current(),
    onUnauthorized: (token) => service.markInvalid(token),
    retry: { baseDelayMs: 5 },
  });
  const service: TokenService = new TokenService({
    store: options.store ?? keychain,
    client,
    env: { HOME: home, ...options.env },
    now: options.now ?? (() => NOW),
    os: 'linux',
    events,
    log: createLogger(() => {}),
    platform,
  });
  return { service, client };
}

async function rejection(pending: Promise<unknown>): Promise<AppError> {
  const error = await pending.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('TokenService', () => {
  it('starts with no token and says which keychain it will use', async () => {
    const { service } = tokenService();
    expect(await service.load()).toEqual({
      state: 'missing',
      source: null,
      last4: null,
      keychainName: 'your keyring (Secret Service)',
      keychainProblem: null,
      cliToken: null,
      api: { url: 'https://model-api.runcomfy.net', source: 'default' },
    });
  });

  it('verifies a token against the API before keeping it, and a restart finds it in the keychain', async () => {
    const { service } = tokenService();
    await service.load();
    const status = await service.save(`  ${GOOD}\n`);
    expect(status).toMatchObject({ state: 'set', source: 'keychain', last4: '9d77' });
    expect(seen.at(-1)).toEqual(status);
    // Verification asked for the status of a random, well-formed id: the fake said 404 (token accepted).
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ endpoint: 'status', authorized: true, status: 404 });
    expect(fake.requests[0].path).toMatch(/^\/v1\/requests\/[0-9a-f-]{36}\/status$/);
    expect(await keychain.get('RunComfy API token')).toBe(GOOD);

    const restarted = tokenService().service;
    expect(await restarted.load()).toMatchObject({ state: 'set', source: 'keychain', last4: '9d77' });
    expect(restarted.current()).toBe(GOOD);
  });

  it('refuses a wrong token with a clear message and keeps nothing', async () => {
    const { service } = tokenService();
    await service.load();
    const error = await rejection(service.save('rc_wrong_token_00000000'));
    expect(error.code).toBe('bad_token');
    expect(error.message).toMatch(/RunComfy did not accept this token/);
    expect(service.status().state).toBe('missing');
    expect(await keychain.get('RunComfy API token')).toBeUndefined();
  });

  it('says "no network" or "API down" and does not save when it cannot verify', async () => {
    const { service } = tokenService({ baseUrl: 'http://127.0.0.1:9' });
    await service.load();
    const offline = await rejection(service.save(GOOD));
    expect(offline.code).toBe('network');
    expect(offline.message).toMatch(/could not reach RunComfy .* The token was not saved\.$/);

    const { service: online } = tokenService();
    await online.load();
    fake.script('status', { respond: 503 }, 2);
    const down = await rejection(online.save(GOOD));
    expect(down.code).toBe('server');
    expect(down.message).toMatch(/having trouble \(HTTP 503.* The token was not saved\.$/);
    expect(await keychain.get('RunComfy API token')).toBeUndefined();
  });

  it('marks the token invalid when any later call gets a 401, and verify() brings it back', async () => {
    const { service, client } = tokenService();
    await service.load();
    await service.save(GOOD);
    fake.revoke(GOOD);
    await rejection(client.status('some-job'));
    expect(service.status()).toMatchObject({ state: 'invalid', last4: '9d77' });
    expect(seen.at(-1)?.state).toBe('invalid');
    expect(service.current()).toBeUndefined();
    // No further request goes out with a token RunComfy refused.
    const before = fake.requests.length;
    expect((await rejection(client.status('some-job'))).code).toBe('bad_token');
    expect(fake.requests.length).toBe(before);

    fake.tokens.add(GOOD);
    expect(await service.verify()).toMatchObject({ state: 'set' });
    expect(service.current()).toBe(GOOD);
  });

  it('replaces a token, and removes it from the keychain', async () => {
    const { service } = tokenService();
    await service.load();
    await service.save(GOOD);
    expect(await service.save(OTHER_GOOD)).toMatchObject({ state: 'set', last4: 'c0aa' });
    expect(await keychain.get('RunComfy API token')).toBe(OTHER_GOOD);
    expect(await service.remove()).toMatchObject({ state: 'missing', source: null, last4: null });
    expect(await keychain.get('RunComfy API token')).toBeUndefined();
    expect(seen.map((status) => status.state)).toEqual(['set', 'set', 'missing']);
  });

  it('uses RUNCOMFY_TOKEN for the session, never writes it, and refuses to replace or remove it', async () => {
    const { service } = tokenService({ env: { RUNCOMFY_TOKEN: GOOD } });
    expect(await service.load()).toMatchObject({ state: 'set', source: 'env', last4: '9d77' });
    expect(service.current()).toBe(GOOD);
    expect((await rejection(service.save(OTHER_GOOD))).message).toMatch(/comes from RUNCOMFY_TOKEN .* restart Keyframe/);
    expect((await rejection(service.remove())).message).toMatch(/To remove it, change or unset that variable/);
    expect(await keychain.get('RunComfy API token')).toBeUndefined();
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['$RUNCOMFY_CONFIG_DIR', (root: string) => ({ RUNCOMFY_CONFIG_DIR: join(root, 'custom') }), 'custom'],
    ['$XDG_CONFIG_HOME/runcomfy', (root: string) => ({ XDG_CONFIG_HOME: join(root, 'xdg') }), join('xdg', 'runcomfy')],
    ['~/.config/runcomfy', () => ({}), join('.config', 'runcomfy')],
  ])("offers the token RunComfy's CLI saved in %s and imports it only when asked", async (_, env, folder) => {
    await cliSignIn(join(home, folder), { access_token: OTHER_GOOD, expires_at: Math.floor(NOW / 1000) + 3600 });
    const { service } = tokenService({ env: env(home) });
    expect(await service.load()).toMatchObject({ state: 'missing', cliToken: { last4: 'c0aa' } });
    expect(await keychain.get('RunComfy API token')).toBeUndefined();
    expect(await service.importFromCli()).toMatchObject({ state: 'set', source: 'keychain', last4: 'c0aa', cliToken: null });
    expect(await keychain.get('RunComfy API token')).toBe(OTHER_GOOD);
  });

  it("never offers the CLI's token past its expires_at, and refuses to import it once expired", async () => {
    const clock = { now: NOW };
    await cliSignIn(join(home, '.config', 'runcomfy'), { access_token: OTHER_GOOD, expires_at: Math.floor(NOW / 1000) + 60 });
    const { service } = tokenService({ now: () => clock.now });
    expect((await service.load()).cliToken).toEqual({ last4: 'c0aa' });
    clock.now += 61_000;
    expect(service.status().cliToken).toBeNull();
    const error = await rejection(service.importFromCli());
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/command-line tool .*token\.json\) expired on 2026-12-01\. Sign in there again \(runcomfy login\)/);
    expect(error.message).not.toContain(OTHER_GOOD);
    expect(await keychain.get('RunComfy API token')).toBeUndefined();
    expect(fake.requests).toEqual([]);

    await cliSignIn(join(home, '.config', 'runcomfy'), { access_token: OTHER_GOOD, expires_at: Math.floor(NOW / 1000) - 1 });
    expect((await tokenService({ now: () => NOW }).service.load()).cliToken).toBeNull();
  });

  it("ignores a damaged CLI file, and says so if asked to import what isn't there", async () => {
    await cliSignIn(join(home, '.config', 'runcomfy'), '{"access_token": ');
    const { service } = tokenService();
    expect((await service.load()).cliToken).toBeNull();
    expect((await rejection(service.importFromCli())).code).toBe('not_found');
  });

  it('when the keychain cannot be used: says why, saves nothing, and can keep the token for this session only', async () => {
    const problem = 'Keyframe keeps your API token in the system keyring, but no keyring service is running.';
    const unavailable: SecretStore = {
      displayName: 'your keyring (Secret Service)',
      get: async () => {
        throw new AppError('keychain_unavailable', problem);
      },
      set: async () => {
        throw new AppError('keychain_unavailable', problem);
      },
      delete: async () => {
        throw new AppError('keychain_unavailable', problem);
      },
    };
    const { service } = tokenService({ store: unavailable });
    expect(await service.load()).toMatchObject({ state: 'missing', keychainProblem: problem });
    const error = await rejection(service.save(GOOD));
    expect(error).toMatchObject({ code: 'keychain_unavailable', message: problem });
    expect(service.status().state).toBe('missing');
    expect(await service.save(GOOD, { sessionOnly: true })).toMatchObject({ state: 'set', source: 'session', last4: '9d77' });
    expect(await service.remove()).toMatchObject({ state: 'missing' });
  });

  it('opens only the fixed token page', async () => {
    const { service } = tokenService();
    await service.openTokenPage();
    expect(platform.calls).toEqual([{ kind: 'openExternal', url: TOKEN_PAGE_URL }]);
  });
});

describe('normalizeToken', () => {
  it('trims what was pasted, drops a "Bearer " prefix, and refuses what cannot be a token without repeating it', () => {
    expect(normalizeToken('  abc123xyz\n')).toBe('abc123xyz');
    expect(normalizeToken('Bearer abc123xyz')).toBe('abc123xyz');
    for (const [raw, message] of [
      ['   ', /Paste your RunComfy API token first/],
      ['abc 123-secret', /spaces or line breaks inside/],
      ['abc\n123-secret', /spaces or line breaks inside/],
      ['abc123-sécret', /characters a RunComfy API token cannot have/],
    ] as const) {
      let thrown: unknown;
      try {
        normalizeToken(raw);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).message).toMatch(message);
      expect((thrown as AppError).message).not.toContain('secret');
    }
  });
});
