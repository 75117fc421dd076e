import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCompleteMp4, readVideoTiming } from './mp4';

const fixture = (name: string) => resolve(import.meta.dirname, '../../../test/fixtures/video', name);

describe('reading a downloaded MP4', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kf-mp4-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gives its length, frames and frame rate from its index (as ffprobe counts them)', async () => {
    expect(await readVideoTiming(fixture('clip-5s.mp4'))).toEqual({ durationS: 5, frames: 120, frameRate: 24 });
    expect(await readVideoTiming(fixture('shot-30fps.mp4'))).toEqual({ durationS: 1, frames: 30, frameRate: 30 });
    expect(await readVideoTiming(fixture('shot-a-sound.mp4'))).toMatchObject({ frames: 72, frameRate: 24 });
  });

  it('gives nothing for a file that is not a video, and tells a cut-short file from a whole one', async () => {
    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'not a video');
    expect(await readVideoTiming(text)).toBeUndefined();

    const whole = join(dir, 'whole.mp4');
    await copyFile(fixture('clip-5s.mp4'), whole);
    expect(await isCompleteMp4(whole)).toBe(true);
    const cut = join(dir, 'cut.mp4');
    const bytes = await readFile(whole);
    await writeFile(cut, bytes.subarray(0, bytes.length - 1000));
    expect(await isCompleteMp4(cut)).toBe(false);
  });
});
