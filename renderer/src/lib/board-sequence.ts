/**
 * What the storyboard player plays: one segment per shot, in order. A shot with a picked, finished
 * take plays that take; one without shows its two keyframes as a still for its duration. A seam
 * preview is the last second of one shot and the first second of the next.
 */
import type { Shot, Storyboard, Take } from '$contract';

export type Segment =
  | { shot: number; kind: 'video'; src: string; from: number; to: number }
  | { shot: number; kind: 'still'; start: string; end: string; from: number; to: number };

/** How much of each side of a seam the preview plays. */
export const SEAM_SECONDS = 1;

/** A take that can be played: finished, its video downloaded. */
export function isPlayable(take: Take | undefined): take is Take & { videoUrl: string } {
  return take?.status === 'completed' && !!take.videoUrl;
}

/** How many of a shot's takes can be played, and what its play button says for them. */
export function playableTakes(shot: Shot): { count: number; label: string } {
  const count = shot.takes.filter(isPlayable).length;
  return { count, label: count > 1 ? 'Play side by side' : 'Play' };
}

export function sequence(board: Storyboard): Segment[] {
  return board.shots.map((shot, index) => {
    const take = shot.takes.find((candidate) => candidate.jobId === shot.pickedJobId);
    if (isPlayable(take)) {
      return { shot: index, kind: 'video', src: take.videoUrl, from: 0, to: take.durationS };
    }
    const start = board.keyframes[shot.index]?.mediaUrl ?? '';
    const end = board.keyframes[shot.index + 1]?.mediaUrl ?? '';
    return { shot: index, kind: 'still', start, end, from: 0, to: shot.duration };
  });
}

/** The seam after shot `index`: its last second, then the next shot's first. */
export function seam(board: Storyboard, index: number): Segment[] {
  const all = sequence(board);
  const before = all[index];
  const after = all[index + 1];
  if (!before || !after) return [];
  return [
    { ...before, from: Math.max(0, before.to - SEAM_SECONDS) },
    { ...after, to: Math.min(after.to, after.from + SEAM_SECONDS) },
  ];
}

export const lengthOf = (segments: readonly Segment[]) => segments.reduce((sum, segment) => sum + segment.to - segment.from, 0);
