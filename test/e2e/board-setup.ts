/**
 * A storyboard built and made through the app's own services (carrier mode), for specs about what
 * happens after: its takes in the Queue and the Library, or its export. Building one through the
 * UI is storyboard.spec.ts's job.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storyboard } from '../../main/contract';
import type { Services } from '../../main/services';
import * as img from '../images';

/** A board of `sizes.length` keyframes (each its own PNG), a prompt per shot, one take of every shot sent. */
export async function madeBoard(services: Services, dir: string, name: string, prompts: string[]): Promise<Storyboard> {
  const { storyboard, frames } = services;
  let board = await storyboard.create(name);
  for (let at = 0; at <= prompts.length; at++) {
    const path = join(dir, `keyframe-${at + 1}.png`);
    await writeFile(path, await img.makeImage(960 + 64 * at, 540 + 36 * at, 'png'));
    const picked = await frames.addPath(path);
    await frames.staged(picked.id);
    board = await storyboard.putKeyframe(board.id, { frameId: picked.id, at, mode: 'insert' });
  }
  for (const [index, shot] of board.shots.entries()) board = await storyboard.setShot(board.id, shot.key, { prompt: prompts[index] });
  await storyboard.make(board.id, { shots: 'unpicked' });
  return storyboard.get(board.id);
}
