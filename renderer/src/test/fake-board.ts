/** Storyboards as main would answer with them, for renderer tests. */
import type { Shot, StoryKeyframe, Storyboard } from '$contract';

export const BOARD_ID = 'sb-20261202-010000-abcdef';

export function keyframe(n: number): StoryKeyframe {
  return {
    id: `k0000000${n}`,
    name: `k${n}.png`,
    mediaUrl: `/media/k${n}.png`,
    thumbUrl: `/media/k${n}.png?thumbnail`,
    sha256: 'a'.repeat(64),
    width: 1280,
    height: 720,
    bytes: 1000,
    accepted: true,
  };
}

/** A board of `shots.length + 1` keyframes. */
export function boardOf(shots: Shot[], over: Partial<Storyboard> = {}): Storyboard {
  return {
    id: BOARD_ID,
    name: 'Board',
    createdAt: '2026-12-02T00:00:00.000Z',
    updatedAt: '2026-12-02T00:00:00.000Z',
    takesPerShot: 2,
    keyframes: Array.from({ length: shots.length + 1 }, (_, n) => keyframe(n)),
    shots,
    ...over,
  };
}
