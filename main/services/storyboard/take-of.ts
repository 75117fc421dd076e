/** Names a storyboard's takes for the Queue and the Library: the board as it is now, and the shot's place in its strip. */
import type { TakeOf } from '../../contract/library';
import type { TakeNamer, TakeRef } from '../library/store';
import type { BoardStore } from './board-store';
import { currentShots } from './record';
import type { BoardRecord } from './record';

export function takeOf(board: BoardRecord | undefined, ref: TakeRef): TakeOf {
  if (!board) return { shot: ref.shot };
  const shot = currentShots(board).find((candidate) => candidate.key === ref.shot);
  return { storyboard: { id: board.id, name: board.name }, shot: ref.shot, ...(shot ? { shotNumber: shot.index + 1 } : {}) };
}

/** Reads each board once however many of its takes are named. */
export function takeNamer(boards: Pick<BoardStore, 'get'>): TakeNamer {
  return (refs) => {
    const read = new Map<string, BoardRecord | undefined>();
    return refs.map((ref) => {
      if (!read.has(ref.storyboard)) read.set(ref.storyboard, boards.get(ref.storyboard));
      return takeOf(read.get(ref.storyboard), ref);
    });
  };
}
