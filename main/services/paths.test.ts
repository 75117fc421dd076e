import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureUserDataFolder, userDataDir } from './paths';

describe('userDataDir (Electron’s userData for “Keyframe”)', () => {
  it('follows each OS’s convention', () => {
    expect(userDataDir({}, 'linux', '/home/ada')).toBe('/home/ada/.config/Keyframe');
    expect(userDataDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ada')).toBe('/xdg/Keyframe');
    expect(userDataDir({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/Keyframe');
    expect(userDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Keyframe',
    );
    expect(userDataDir({}, 'win32', 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Roaming\\Keyframe');
  });

  it('takes KEYFRAME_USER_DATA first, as an absolute path', () => {
    expect(userDataDir({ KEYFRAME_USER_DATA: '/tmp/kf', XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ada')).toBe('/tmp/kf');
    expect(userDataDir({ KEYFRAME_USER_DATA: 'rel/kf' }, 'linux', '/home/ada')).toBe(`${process.cwd()}/rel/kf`);
    expect(userDataDir({ KEYFRAME_USER_DATA: '  ' }, 'linux', '/home/ada')).toBe('/home/ada/.config/Keyframe');
  });
});

describe('ensureUserDataFolder (KEYFRAME_USER_DATA before Electron uses it)', () => {
  it('creates a missing folder, parents included, and keeps an existing one', async () => {
    const base = await mkdtemp(join(tmpdir(), 'kf-userdata-'));
    const folder = join(base, 'profiles', 'work');
    expect(ensureUserDataFolder(folder)).toBe(folder);
    expect((await stat(folder)).isDirectory()).toBe(true);
    expect(ensureUserDataFolder(folder)).toBe(folder);
  });

  it('refuses a path where a file stands, saying which path and why', async () => {
    const base = await mkdtemp(join(tmpdir(), 'kf-userdata-'));
    await writeFile(join(base, 'taken'), 'x');
    expect(() => ensureUserDataFolder(join(base, 'taken'))).toThrow(
      `Keyframe cannot use ${join(base, 'taken')} for its data (KEYFRAME_USER_DATA): a file is in the way. Choose another folder or unset the variable.`,
    );
    expect(() => ensureUserDataFolder(join(base, 'taken', 'below'))).toThrow('a file is in the way');
  });
});
