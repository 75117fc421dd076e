/**
 * A full storyboard for the benchmarks, made through the app's own services: `keyframes` real PNG
 * keyframes (staged by the FrameService, put in with `createWith`), two finished takes per shot
 * written through the library's store as tagged jobs (real H.264 clips), and a take picked per shot,
 * alternating between the two clips so every seam joins two different videos.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storyboard } from '../../main/contract';
import type { Services } from '../../main/services';
import { frame } from '../../test/jobs/cli-harness';

const CLIP = (name: string) => join(import.meta.dirname, '../../test/fixtures/video', name);
/** Take 1 of every shot is shot-a (3 s), take 2 is shot-b (2 s); both 480×270 H.264 at 24 fps. */
export const TAKE_CLIPS = ['shot-a.mp4', 'shot-b.mp4'] as const;
export const FRAME_MS = 1000 / 24;

export async function seedBoard(services: Services, dir: string, keyframes: number, name = 'Bench board'): Promise<Storyboard> {
  const frameIds: string[] = [];
  for (let i = 0; i < keyframes; i++) {
    const path = await frame(dir, `k${i}.png`, `hsl(${(i * 37) % 360}, 60%, 50%)`);
    const picked = await services.frames.addPath(path);
    await services.frames.staged(picked.id);
    frameIds.push(picked.id);
  }
  const shots = Array.from({ length: keyframes - 1 }, (_, i) => ({ prompt: `@Image1 to @Image2, shot ${i + 1}`, duration: 5 as const }));
  let board = await services.storyboard.createWith({ name, takesPerShot: TAKE_CLIPS.length, frameIds, shots });
  const clips = await Promise.all(TAKE_CLIPS.map((clip) => readFile(CLIP(clip))));
  const store = services.library.store;
  for (const [index, shot] of board.shots.entries()) {
    const from: [string, string] = [board.keyframes[index].sha256, board.keyframes[index + 1].sha256];
    const takes: string[] = [];
    for (const [t, clip] of clips.entries()) {
      const job = await store.createJob({ prompt: shot.prompt, duration: 5, tag: { storyboard: board.id, shot: shot.key, from } });
      await store.recordSubmitted(job.id, `req-bench-${index}-${t}`);
      await store.recordStatus(job.id, 'running');
      await store.recordStatus(job.id, 'completed');
      await store.addFile(job.id, { kind: 'video', name: 'video.mp4', bytes: clip });
      takes.push(job.id);
    }
    board = await services.storyboard.pick(board.id, shot.key, takes[index % takes.length]);
  }
  return board;
}
