import { describe, expect, it } from 'vitest';
import { userDataDir } from './paths';

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
