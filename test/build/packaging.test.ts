/**
 * electron-builder.yml and the icon files, checked without packaging (electron-builder cannot
 * fetch Electron here): the config against electron-builder's own schema, the Linux image-engine
 * rule against the packages actually installed, and the rendered icons.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { matchesGlob, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharp } from '../../main/services/image-engine';

const root = resolve(import.meta.dirname, '../..');
// electron-builder's own dependencies (its YAML reader and schema check), reached through it.
const builder = createRequire(createRequire(resolve(root, 'package.json')).resolve('app-builder-lib/package.json'));
const yaml = builder('js-yaml') as { load(text: string): Record<string, unknown> };
const config = yaml.load(readFileSync(resolve(root, 'electron-builder.yml'), 'utf8')) as {
  linux: { files: string[] };
  electronFuses: Record<string, boolean>;
};

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema', async () => {
    const { validateConfiguration } = builder('./out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = builder('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...config, electronFuses: { resetAdHocDarwinSignatur: true } }, new DebugLogger(false)),
    ).rejects.toThrow('Invalid configuration');
  });

  it('re-signs ad hoc after flipping fuses, so an unsigned Apple Silicon build launches', () => {
    expect(config.electronFuses['resetAdHocDarwinSignature']).toBe(true);
  });

  it('leaves sharp’s native build out of Linux packages and keeps the wasm build', () => {
    const excluded = (path: string) => config.linux.files.some((pattern) => pattern.startsWith('!') && matchesGlob(path, pattern.slice(1)));
    const installed = readdirSync(resolve(root, 'node_modules/@img')).map((name) => `node_modules/@img/${name}/package.json`);
    const native = installed.filter((path) => /sharp-(libvips-)?linux/.test(path));
    expect(native.length).toBeGreaterThan(0);
    for (const path of native) expect(excluded(path), path).toBe(true);
    expect(excluded('node_modules/@img/sharp-wasm32/index.cjs')).toBe(false);
    expect(excluded('node_modules/@img/sharp-wasm32/node_modules/@emnapi/runtime/dist/emnapi.cjs.js')).toBe(false);
    expect(excluded('node_modules/sharp/dist/index.cjs')).toBe(false);
  });
});

describe('the app icon (build/, rendered from build/icon.svg by npm run icon)', () => {
  it('has the 1024 px PNG for macOS and every Linux size', async () => {
    expect(await sharp(resolve(root, 'build/icon.png')).metadata()).toMatchObject({
      format: 'png',
      width: 1024,
      height: 1024,
      hasAlpha: true,
    });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(await sharp(resolve(root, `build/icons/${size}x${size}.png`)).metadata()).toMatchObject({ width: size, height: size });
    }
  });

  it('has a Windows .ico whose entries are the PNGs they claim to be', async () => {
    const ico = readFileSync(resolve(root, 'build/icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const sizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const entry = 6 + 16 * i;
      const data = ico.subarray(ico.readUInt32LE(entry + 12), ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8));
      const meta = await sharp(data).metadata();
      expect(meta.width).toBe(ico.readUInt8(entry) || 256);
      sizes.push(meta.width!);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });
});
