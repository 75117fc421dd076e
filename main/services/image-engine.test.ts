import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { chooseImageEngine, imageEngine, isNativeSharpBinding, sharp } from './image-engine';

describe('which image engine runs', () => {
  it('is wasm on Linux (sharp native + Electron = two GLibs), native on macOS and Windows', () => {
    expect(chooseImageEngine('linux', undefined)).toBe('wasm');
    expect(chooseImageEngine('darwin', undefined)).toBe('native');
    expect(chooseImageEngine('win32', '')).toBe('native');
  });

  it('follows KEYFRAME_IMAGE_ENGINE when set, and names a wrong value', () => {
    expect(chooseImageEngine('linux', 'native')).toBe('native');
    expect(chooseImageEngine('darwin', 'wasm')).toBe('wasm');
    expect(() => chooseImageEngine('linux', 'WASM')).toThrow('KEYFRAME_IMAGE_ENGINE must be "wasm" or "native", not "WASM".');
  });

  it('hides exactly the native bindings sharp tries, never the wasm ones', () => {
    for (const native of [
      '../src/build/Release/sharp-linux-x64-0.35.5.node',
      '@img/sharp-linux-x64/sharp.node',
      '@img/sharp-darwin-arm64/sharp.node',
    ])
      expect(isNativeSharpBinding(native)).toBe(true);
    for (const other of [
      '../src/build/Release/sharp-wasm32-0.35.5.node',
      '@img/sharp-wasm32/sharp.node',
      '@img/sharp-freebsd-wasm32/sharp.node',
      'better-sqlite3/build/Release/better_sqlite3.node',
      'sharp',
    ])
      expect(isNativeSharpBinding(other)).toBe(false);
  });

  it('loaded the engine this process asked for (the tests run once per engine: vitest projects main and frames-native)', async () => {
    expect(imageEngine).toBe(chooseImageEngine(process.platform, process.env['KEYFRAME_IMAGE_ENGINE']));
    const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3b5bdb' } })
      .png()
      .toBuffer();
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 320, height: 200 });
  });

  it('ships the wasm build at exactly sharp’s version (a mismatched binding refuses to load)', () => {
    const wasm = createRequire(import.meta.url)('@img/sharp-wasm32/package') as { version: string };
    expect(wasm.version).toBe(sharp.versions.sharp);
  });
});
