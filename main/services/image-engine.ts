/**
 * The one place that loads sharp, and the one rule for which build of it runs.
 *
 * On Linux the image work runs on sharp's WebAssembly build (`@img/sharp-wasm32`): Electron's Linux
 * binary links the system GLib, libvips in sharp's native build carries its own, and two GLibs in
 * one process crash on the first decode (sharp warns `SharpElectronLinux`; electron/electron#46323).
 * Elsewhere the native build runs. `KEYFRAME_IMAGE_ENGINE=wasm|native` overrides the choice (the
 * frames CLI, the tests and the bench use it to run both).
 *
 * sharp picks its binding once, when it is first loaded: its own build, then the platform package
 * (`@img/sharp-<platform>/sharp.node`), then `@img/sharp-wasm32`. To run wasm where a native build is
 * installed, the native candidates are made unresolvable before sharp loads, so sharp takes its own
 * wasm fallback. The Linux packages ship no native build at all (electron-builder.yml), so there
 * the hook only confirms what the package already decides.
 */
import { createRequire, registerHooks } from 'node:module';
import type SharpModule from 'sharp';

export type ImageEngine = 'native' | 'wasm';

export const IMAGE_ENGINE_VARIABLE = 'KEYFRAME_IMAGE_ENGINE';

/** Which build should run here: the variable when set (and valid), else wasm on Linux, native elsewhere. */
export function chooseImageEngine(platform: NodeJS.Platform, forced: string | undefined): ImageEngine {
  if (forced === undefined || forced === '') return platform === 'linux' ? 'wasm' : 'native';
  if (forced === 'wasm' || forced === 'native') return forced;
  throw new Error(`${IMAGE_ENGINE_VARIABLE} must be "wasm" or "native", not "${forced}".`);
}

/** True for the specifiers sharp loads a native binding from (its own build or a platform package). */
export function isNativeSharpBinding(specifier: string): boolean {
  return specifier.endsWith('.node') && /(^|\/)(@img\/)?sharp-/.test(specifier) && !specifier.includes('wasm32');
}

function hideNativeBindings(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (isNativeSharpBinding(specifier)) {
        throw Object.assign(new Error(`${specifier} is not used: the wasm image engine was chosen`), { code: 'MODULE_NOT_FOUND' });
      }
      return nextResolve(specifier, context);
    },
  });
}

const wanted = chooseImageEngine(process.platform, process.env[IMAGE_ENGINE_VARIABLE]);
if (wanted === 'wasm') hideNativeBindings();

const require = createRequire(import.meta.url);
export const sharp = require('sharp') as typeof SharpModule;

/**
 * The build that actually loaded (reported by `frames check` and the bench). Only the wasm build
 * is compiled with emscripten; a native build missing from a package falls back to wasm, and this says so.
 */
export const imageEngine: ImageEngine = 'emscripten' in sharp.versions ? 'wasm' : 'native';

export type { Metadata, Sharp } from 'sharp';
