/** How a storyboard's take and a video's real length are said in the Queue and the Library. */
import type { TakeOf } from '$contract';

/** "Storyboard Harbour at dawn · shot 2", or what is left of it once the board changed or went. */
export function takeWords(take: TakeOf): string {
  if (!take.storyboard) return 'Take from a deleted storyboard';
  return `Storyboard ${take.storyboard.name} · ${take.shotNumber ? `shot ${take.shotNumber}` : 'a shot no longer in its strip'}`;
}

/** The card's short form: "Shot 2 · Harbour at dawn". */
export function takeBadge(take: TakeOf): string {
  if (!take.storyboard) return 'Deleted storyboard';
  return take.shotNumber ? `Shot ${take.shotNumber} · ${take.storyboard.name}` : take.storyboard.name;
}

/**
 * The video's real length ("5.04 s") when it differs from the one asked for in hundredths of a
 * second (a frame lasts 0.04 s at 25 fps); undefined when they are the same so written.
 */
export function realLength(requestedS: number, realS: number | undefined): string | undefined {
  if (realS === undefined || realS.toFixed(2) === requestedS.toFixed(2)) return undefined;
  return `${Number(realS.toFixed(2))} s`;
}
