import { describe, expect, it } from 'vitest';
import { isPermissionAllowed } from './permissions';

const entry = 'app://keyframe/index.html';

describe('the permission policy', () => {
  it.each(['request', 'check'] as const)('lets our page go fullscreen and copy text (%s)', (ask) => {
    expect(isPermissionAllowed('fullscreen', 'app://keyframe', ask, entry)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://keyframe/index.html', ask, entry)).toBe(true);
  });

  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'pointerLock', 'display-capture', 'hid', 'unknown'])(
    'denies %s, even to our page',
    (permission) => {
      expect(isPermissionAllowed(permission, 'app://keyframe', 'request', entry)).toBe(false);
      expect(isPermissionAllowed(permission, 'app://keyframe', 'check', entry)).toBe(false);
    },
  );

  it.each(['https://evil.example', 'app://keyframe.evil', 'keyframe-media://library', 'file:///', 'null', ''])(
    'denies even the allowed permissions to %s',
    (origin) => {
      expect(isPermissionAllowed('fullscreen', origin, 'request', entry)).toBe(false);
      expect(isPermissionAllowed('clipboard-sanitized-write', origin, 'check', entry)).toBe(false);
    },
  );

  it('allows the dev server page in development (the entry decides what "our page" is)', () => {
    expect(isPermissionAllowed('fullscreen', 'http://localhost:5173', 'request', 'http://localhost:5173/')).toBe(true);
    expect(isPermissionAllowed('fullscreen', 'http://localhost:5173', 'request', entry)).toBe(false);
  });
});
