/** Finding RunComfy CLI's sign-in where the CLI looks, with real files in temporary folders. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { findCliToken } from './cli-token';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const inAnHour = NOW / 1000 + 3600;
const anHourAgo = NOW / 1000 - 3600;

let root: string;
let home: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kf-cli-token-'));
  home = join(root, 'home');
  await mkdir(home);
});

async function tokenFile(dir: string, content: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'token.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  return path;
}

const cliFile = (token: string, extra: Record<string, unknown> = {}) => ({
  access_token: token,
  refresh_token: null,
  expires_at: inAnHour,
  user_email: 'me@example.com',
  ...extra,
});

describe('findCliToken looks where RunComfy CLI looks', () => {
  it('in ~/.config/runcomfy when nothing else is set', async () => {
    const path = await tokenFile(join(home, '.config', 'runcomfy'), cliFile('tok_home'));
    expect(await findCliToken({ HOME: home }, NOW, 'linux')).toEqual({ path, token: 'tok_home', expiresAt: inAnHour * 1000 });
  });

  it('in $XDG_CONFIG_HOME/runcomfy before ~/.config, and only there', async () => {
    await tokenFile(join(home, '.config', 'runcomfy'), cliFile('tok_home'));
    const xdg = join(root, 'xdg');
    const path = await tokenFile(join(xdg, 'runcomfy'), cliFile('tok_xdg'));
    expect(await findCliToken({ HOME: home, XDG_CONFIG_HOME: xdg }, NOW, 'linux')).toMatchObject({ path, token: 'tok_xdg' });
    // The CLI picks the folder first: with no file in it, it does not fall back to ~/.config.
    expect(await findCliToken({ HOME: home, XDG_CONFIG_HOME: join(root, 'empty-xdg') }, NOW, 'linux')).toBeUndefined();
  });

  it('in $RUNCOMFY_CONFIG_DIR before everything else; empty variables count as unset', async () => {
    await tokenFile(join(home, '.config', 'runcomfy'), cliFile('tok_home'));
    const xdg = join(root, 'xdg');
    await tokenFile(join(xdg, 'runcomfy'), cliFile('tok_xdg'));
    const custom = join(root, 'custom');
    const path = await tokenFile(custom, cliFile('tok_custom'));
    expect(await findCliToken({ HOME: home, XDG_CONFIG_HOME: xdg, RUNCOMFY_CONFIG_DIR: custom }, NOW, 'linux')).toMatchObject({
      path,
      token: 'tok_custom',
    });
    expect(await findCliToken({ HOME: home, XDG_CONFIG_HOME: '', RUNCOMFY_CONFIG_DIR: '' }, NOW, 'linux')).toMatchObject({
      token: 'tok_home',
    });
  });

  it("on macOS, also in the older builds' ~/Library/Application Support/runcomfy when the usual file is missing", async () => {
    const legacy = await tokenFile(join(home, 'Library', 'Application Support', 'runcomfy'), cliFile('tok_legacy'));
    expect(await findCliToken({ HOME: home }, NOW, 'darwin')).toMatchObject({ path: legacy, token: 'tok_legacy' });
    expect(await findCliToken({ HOME: home }, NOW, 'linux')).toBeUndefined();
    await tokenFile(join(home, '.config', 'runcomfy'), cliFile('tok_home'));
    expect(await findCliToken({ HOME: home }, NOW, 'darwin')).toMatchObject({ token: 'tok_home' });
  });
});

describe('findCliToken and expiry', () => {
  it('never hands out a token past its expires_at (Unix seconds), even by a second', async () => {
    const dir = join(home, '.config', 'runcomfy');
    const path = await tokenFile(dir, cliFile('tok_old', { expires_at: anHourAgo }));
    expect(await findCliToken({ HOME: home }, NOW, 'linux')).toEqual({ path, expiredAt: anHourAgo * 1000 });
    await tokenFile(dir, cliFile('tok_edge', { expires_at: NOW / 1000 }));
    expect((await findCliToken({ HOME: home }, NOW, 'linux'))?.token).toBeUndefined();
    expect((await findCliToken({ HOME: home }, NOW - 1000, 'linux'))?.token).toBe('tok_edge');
  });

  it('takes a token without an expiry (expires_at null or absent) as valid', async () => {
    const dir = join(home, '.config', 'runcomfy');
    await tokenFile(dir, cliFile('tok_null', { expires_at: null }));
    expect(await findCliToken({ HOME: home }, NOW, 'linux')).toMatchObject({ token: 'tok_null' });
    await tokenFile(dir, { access_token: ' tok_bare\n' });
    expect(await findCliToken({ HOME: home }, NOW, 'linux')).toMatchObject({ token: 'tok_bare' });
  });

  it.each([
    ['not JSON', '{"access_token": '],
    ['no access_token (other key names are not what the CLI writes)', { token: 'tok_x' }],
    ['an empty access_token', { access_token: '  ' }],
    ['an expires_at that is not whole seconds', { access_token: 'tok_x', expires_at: '2027-01-01' }],
  ])('offers nothing from a file the CLI itself could not read: %s', async (_, content) => {
    const path = await tokenFile(join(home, '.config', 'runcomfy'), content);
    expect(await findCliToken({ HOME: home }, NOW, 'linux')).toEqual({ path, unreadable: true });
  });
});
