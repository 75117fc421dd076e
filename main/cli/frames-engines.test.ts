/**
 * The same `frames check` over the same real image files on both sharp builds: the wasm one that
 * Linux packages ship and the native one of macOS and Windows must give the same verdicts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as img from '../../test/images';
import type { CheckLine } from './frames';

const root = resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-engines-'));
  await Promise.all([
    img.write(dir, 'good.png', img.makeImage(800, 600, 'png')),
    img.write(dir, 'wide.jpg', img.makeImage(1044, 400, 'jpeg')),
    img.write(dir, 'small.webp', img.makeImage(280, 280, 'webp')),
    img.write(dir, 'photo.avif', img.makeImage(1200, 900, 'avif')),
    img.write(dir, 'turned.jpg', img.exifJpeg(1000, 500, 6)),
    img.write(dir, 'moving.gif', img.animated('gif', 640, 480, 4)),
    img.write(dir, 'scan.tiff', img.makeImage(900, 700, 'tiff')),
    img.write(dir, 'paint.bmp', img.bmp(640, 480)),
    img.write(dir, 'phone.heic', img.heicBrand()),
    img.write(dir, 'cut.jpg', img.truncated('jpeg')),
    img.write(dir, 'cut.png', img.truncated('png')),
    img.write(dir, 'huge.png', img.pngClaiming(40_000, 40_000)),
    img.write(dir, 'logo.svg', img.svg()),
    img.write(dir, 'big.jpg', img.jpegOfExactly(10_600_000, 3000, 2000)),
  ]);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function check(engine: 'wasm' | 'native'): Promise<CheckLine[]> {
  const run = promisify(execFile);
  const env = { ...process.env, KEYFRAME_IMAGE_ENGINE: engine };
  const { stdout } = await run('npx', ['tsx', 'main/cli/frames.ts', 'check', dir], { cwd: root, env }).catch(
    (error: { stdout: string }) => error,
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CheckLine);
}

it('gives the same verdict on every test image with the wasm and the native build, and says which ran', async () => {
  const [wasm, native] = await Promise.all([check('wasm'), check('native')]);
  expect(wasm).toHaveLength(14);
  expect(wasm.every((line) => line.image_engine === 'wasm')).toBe(true);
  expect(native.every((line) => line.image_engine === 'native')).toBe(true);
  const verdicts = (lines: CheckLine[]) => lines.map(({ image_engine: _engine, ...verdict }) => verdict);
  expect(verdicts(wasm)).toEqual(verdicts(native));
  // What both said, so agreement cannot come from both failing the same way.
  expect(
    Object.fromEntries(wasm.map((line) => [line.path.split('/').at(-1), [line.ok, line.integrity ?? 'unreadable', line.fixes ?? []]])),
  ).toEqual({
    'big.jpg': [false, 'ok', ['shrink']],
    'cut.jpg': [false, 'corrupt', []],
    'cut.png': [false, 'corrupt', []],
    'good.png': [true, 'ok', []],
    'huge.png': [false, 'unreadable', []],
    'logo.svg': [false, 'unreadable', []],
    'moving.gif': [true, 'ok', ['first-frame']],
    'paint.bmp': [false, 'ok', ['convert']],
    'phone.heic': [false, 'unreadable', []],
    'photo.avif': [true, 'ok', []],
    'scan.tiff': [false, 'ok', ['convert']],
    'small.webp': [false, 'ok', ['upscale']],
    'turned.jpg': [true, 'ok', ['upright']],
    'wide.jpg': [false, 'ok', ['crop', 'pad']],
  });
}, 90_000);
