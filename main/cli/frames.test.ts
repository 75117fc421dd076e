import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as img from '../../test/images';
import { imageEngine } from '../services/image-engine';
import type { CheckLine } from './frames';
import { main } from './frames';

let dir: string;
// The first image made in a test process also starts the image engine (on Linux sharp's wasm build
// instantiates its module in each of its worker threads), a one-off that takes seconds on a busy
// machine; the hook gets the same budget as a test for it.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-cli-'));
  await mkdir(join(dir, 'batch'));
  await img.write(dir, 'batch/a-good.png', img.makeImage(800, 600, 'png'));
  await img.write(dir, 'batch/b-wide.jpg', img.makeImage(1044, 400, 'jpeg'));
  await img.write(dir, 'batch/c-half.jpg', img.truncated('jpeg', 640, 360));
  await img.write(dir, 'batch/d-logo.svg', img.svg());
  await img.write(dir, 'good 写真.webp', img.makeImage(640, 480, 'webp'));
}, 20_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; lines: CheckLine[] }> {
  const lines: CheckLine[] = [];
  const code = await main(args, (line) => lines.push(JSON.parse(line) as CheckLine));
  return { code, lines };
}

describe('npm run frames -- check', () => {
  it('prints one JSON line per file of a folder, with per-rule verdicts, and exits 1 when any fails', async () => {
    const { code, lines } = await run(['check', join(dir, 'batch')]);
    expect(code).toBe(1);
    expect(lines.map((line) => [line.path.split('/').at(-1), line.ok])).toEqual([
      ['a-good.png', true],
      ['b-wide.jpg', false],
      ['c-half.jpg', false],
      ['d-logo.svg', false],
    ]);
    expect(lines[1]).toMatchObject({ format: 'jpeg', width: 1044, height: 400, ratio: 2.61, integrity: 'ok', fixes: ['crop', 'pad'] });
    expect(lines[1].checks?.find((check) => !check.pass)).toEqual({
      rule: 'width/height<',
      pass: false,
      actual: '2.61',
      detail: '2.61: must be under 2.50',
      message: 'The aspect ratio range should be between 0.40 and 2.50.',
    });
    expect(lines[2]).toMatchObject({ integrity: 'corrupt', error: expect.stringContaining('damaged or incomplete') });
    expect(lines[3]).toEqual({
      path: join(dir, 'batch', 'd-logo.svg'),
      ok: false,
      image_engine: imageEngine,
      error: expect.stringContaining('SVG'),
    });
  });

  it('exits 0 when every file passes; --fast skips the full decode', async () => {
    expect((await run(['check', join(dir, 'good 写真.webp')])).code).toBe(0);
    const fast = await run(['check', '--fast', join(dir, 'batch', 'c-half.jpg')]);
    expect(fast).toMatchObject({ code: 0, lines: [{ ok: true, integrity: 'skipped' }] });
  });

  it('reports a missing file on its own line and prints usage for bad arguments', async () => {
    expect(await run(['check', join(dir, 'nope.png')])).toMatchObject({
      code: 1,
      lines: [{ ok: false, error: expect.stringContaining('not there') }],
    });
    expect((await run(['inspect'])).code).toBe(2);
  });

  it('runs as the npm script entry point', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const exec = promisify(execFile);
    // The npm script's `tsx main/cli/frames.ts` as one process: tsx's loader in this Node, without
    // the launcher processes of npx and the tsx command, which cost seconds on a busy machine.
    const command = ['--import', 'tsx', 'main/cli/frames.ts', 'check', join(dir, 'batch', 'b-wide.jpg')];
    const result = await exec(process.execPath, command, { cwd: root }).catch((error: { code: number; stdout: string }) => error);
    expect('code' in result ? result.code : 0).toBe(1);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ ok: false, ratio: 2.61 });
  }, 30_000);
});
