/**
 * A 7 MiB PNG frame (stored uncompressed: see bigPng) through the real `npm run jobs -- run` (a
 * child process) against the fake API, which refuses inline images over 6 MiB as RunComfy's own
 * nodes do: the job completes, nothing over 6 MiB travels inline, the library keeps the exact bytes
 * that were sent, and the user's file is untouched.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sharp } from '../../main/services/image-engine';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INLINE_IMAGE_MAX_BYTES } from '../../main/contract';
import { jobDir } from '../../main/services/library/layout';
import { bigPng, write } from '../images';
import { FAKE_MODEL_PATH, INLINE_TOO_LARGE_CODE } from '../fake-runcomfy/server';
import { cliRig, TOKEN } from './cli-harness';
import type { CliRig } from './cli-harness';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
let rig: CliRig;
let png: Buffer;
let big: string;
// Setup, outside what the test's budget covers: the CLI is built once (a compile step) and the first
// image made here starts the image engine, a one-off that takes seconds on a busy machine.
beforeAll(async () => {
  rig = await cliRig({ plan: { queuePositions: 1, stepMs: 50, progressMs: 50 } });
  png = await bigPng(7 * 1024 * 1024 + 1);
  big = await write(rig.dir, 'big-start.png', png);
}, 60_000);
afterAll(() => rig?.close());

it('the fake refuses this frame inline as it is, in RunComfy’s error shape', async () => {
  expect(png.length).toBeGreaterThan(7 * 1024 * 1024);
  const refused = await fetch(rig.fake.url + FAKE_MODEL_PATH, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      prompt: 'p',
      start_image_url: `data:image/png;base64,${png.toString('base64')}`,
      end_image_url: 'https://a.example/b.png',
    }),
  });
  expect(refused.status).toBe(400);
  expect(await refused.json()).toMatchObject({
    error_code: INLINE_TOO_LARGE_CODE,
    error_message: expect.stringMatching(/start_image_url/),
  });
});

it('a 7 MiB PNG frame completes through `jobs run`, sent re-encoded under 6 MiB; the library keeps what was sent', async () => {
  const finished = await rig.cli(['run', '--start', big, '--end', rig.end, '--prompt', '@Image1 grows into @Image2']).exited;
  expect(finished.code, finished.stderr).toBe(0);
  expect(finished.lines).toEqual([expect.objectContaining({ status: 'completed', error: null })]);

  const accepted = rig.fake.submissions.at(-1)!;
  expect(accepted.images.map(({ field, via, contentType }) => ({ field, via, contentType }))).toEqual([
    { field: 'start_image_url', via: 'data', contentType: 'image/jpeg' },
    { field: 'end_image_url', via: 'data', contentType: 'image/png' },
  ]);
  for (const image of accepted.images) expect(image.bytes).toBeLessThanOrEqual(INLINE_IMAGE_MAX_BYTES);

  const [job] = await rig.jobs();
  const start = job.files.find((file) => file.kind === 'frame' && file.role === 'start')!;
  expect(start).toMatchObject({ name: 'start.jpg', host: 'data-uri', reencodedFrom: { bytes: png.length, ext: 'png' } });
  const kept = await readFile(`${jobDir(rig.libraryDir, job.id)}/${start.name}`);
  expect(sha256(kept)).toBe(accepted.images[0].sha256);
  expect(await sharp(kept).metadata()).toMatchObject(
    await sharp(png)
      .metadata()
      .then(({ width, height }) => ({ width, height })),
  );
  expect(sha256(await readFile(big))).toBe(sha256(png));
});
