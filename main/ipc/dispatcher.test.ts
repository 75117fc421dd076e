import { describe, expect, it } from 'vitest';
import { AppError, methodNames, Settings } from '../contract';
import type { HostingStatus, TokenStatus } from '../contract';
import { createDispatcher } from './dispatcher';
import type { Handlers } from './dispatcher';
import { createLogger } from '../services/log';

const lines: string[] = [];
const log = createLogger((line) => lines.push(line));

const tokenStatus: TokenStatus = {
  ...{ state: 'missing', source: null, last4: null, keychainName: 'k', keychainProblem: null, cliToken: null },
  api: { url: 'https://model-api.runcomfy.net', source: 'default' },
};
const tokenHandlers: Partial<Handlers> = {
  'token:status': () => tokenStatus,
  'token:save': () => tokenStatus,
  'token:verify': () => tokenStatus,
  'token:remove': () => tokenStatus,
  'token:importCli': () => tokenStatus,
  'token:openTokenPage': () => null,
};

const hostingStatus: HostingStatus = {
  ...{ mode: 'auto', host: 'data-uri', summary: 'inline in the request', problem: null, secretSet: false },
  ...{ bucket: { configured: false, missing: [], name: '', endpoint: '' }, keychainName: 'k', keychainProblem: null },
};
const hostingHandlers: Partial<Handlers> = {
  'hosting:status': () => hostingStatus,
  'hosting:setSecret': () => hostingStatus,
  'hosting:clearSecret': () => hostingStatus,
  'hosting:test': () => ({ ok: false, steps: [], problem: 'not-configured', message: 'Enter the bucket first.', warnings: [] }),
};
const defaults = Settings.parse({});

/** Stubs for the methods the tests below exercise; any other method answers `not_found`. */
function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const explicit: Partial<Handlers> = {
    'app:info': () => ({ name: 'Keyframe', version: '1', shell: 'carrier', platform: 'linux', userDataDir: '/tmp/x' }),
    'settings:get': () => defaults,
    'settings:set': (patch) => ({ ...defaults, ...patch, hosting: defaults.hosting }),
    ...tokenHandlers,
    'library:info': () => ({ dir: '/l', defaultDir: '/l', total: 0, moving: false }),
    'library:dismissNotice': () => null,
    'library:list': (query) => ({ total: 0, offset: query.offset ?? 0, items: [] }),
    'library:get': () => {
      throw new AppError('not_found', 'No such job.');
    },
    'library:setFavourite': () => {
      throw new AppError('not_found', 'No such job.');
    },
    'library:savePoster': () => ({ posterUrl: '/media/library/p.jpg' }),
    'library:saveVideoAs': () => ({}),
    'library:reveal': () => null,
    'library:delete': () => null,
    'library:move': () => ({ moved: false, dir: '/l' }),
    ...hostingHandlers,
    ...overrides,
  };
  return new Proxy(explicit, {
    get: (target, name: string) =>
      target[name as keyof Handlers] ??
      (() => {
        throw new AppError('not_found', `no stub for ${name}`);
      }),
  }) as Handlers;
}

describe('dispatcher', () => {
  const dispatch = createDispatcher(handlers(), { log, checkResults: true });
  const trusted = { trusted: true };

  it('passes valid arguments through and wraps the value', async () => {
    await expect(dispatch('settings:set', [{ theme: 'dark' }], trusted)).resolves.toMatchObject({ ok: true, value: { theme: 'dark' } });
  });

  it('refuses unknown channels, including prototype keys', async () => {
    for (const channel of ['nope:nothing', 'toString', '__proto__', 42, null]) {
      const result = await dispatch(channel, [], trusted);
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('refuses calls from an untrusted sender before looking at the arguments', async () => {
    await expect(dispatch('settings:get', [], { trusted: false })).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('names the offending field when arguments are malformed', async () => {
    const cases: unknown[] = [
      undefined,
      'x',
      [],
      [{ theme: 'neon' }],
      [{ theme: 'dark', extra: true }],
      [{ defaultDuration: 7 }],
      [{ apiBaseUrl: 'javascript:alert(1)' }],
      [{ libraryDir: '/etc' }], // the library moves only through library:move, never by a settings patch
      [{}, {}],
    ];
    for (const args of cases) {
      const result = await dispatch('settings:set', args, trusted);
      expect(result.ok, JSON.stringify(args)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('invalid_argument');
        expect(result.error.message).toMatch(/^Invalid arguments for settings:set/);
      }
    }
  });

  it('survives random argument shapes for every method without throwing', async () => {
    const shapes: unknown[] = [
      null,
      0,
      -1,
      1e308,
      NaN,
      '',
      'a'.repeat(10_000),
      true,
      {},
      [],
      [null],
      [[[]]],
      { length: 1 },
      [Symbol.iterator.toString()],
      [{ __proto__: { theme: 'dark' } }],
    ];
    for (const name of methodNames) {
      for (const shape of shapes) {
        const result = await dispatch(name, shape, trusted);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(['invalid_argument', 'not_found']).toContain(result.error.code);
      }
    }
  });

  it('turns an AppError into its code and message, and anything else into a generic internal error', async () => {
    const failing = createDispatcher(
      handlers({
        'settings:get': () => {
          throw new AppError('io', 'Disk is full.');
        },
        'app:info': () => {
          throw new Error('secret-token-1234 leaked in a stack');
        },
      }),
      { log },
    );
    await expect(failing('settings:get', [], trusted)).resolves.toEqual({ ok: false, error: { code: 'io', message: 'Disk is full.' } });
    const internal = await failing('app:info', [], trusted);
    expect(internal).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(internal)).not.toContain('secret-token');
  });

  it('catches a handler whose result breaks the contract', async () => {
    const drifting = createDispatcher(handlers({ 'settings:get': () => ({ theme: 'purple' }) as never }), { log, checkResults: true });
    await expect(drifting('settings:get', [], trusted)).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
