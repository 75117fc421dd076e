/** The rules for editing a board's strip of keyframes and its shots, on a record copy (board-store.ts writes it). */
import { AppError } from '../../contract/errors';
import { MAX_KEYFRAMES } from '../../contract/storyboard';
import type { ShotKey, ShotPatch } from '../../contract/storyboard';
import { currentShots, shotOf } from './record';
import type { BoardKeyframe, BoardRecord } from './record';

const invalid = (message: string) => new AppError('invalid_input', message);

export function keyframeIndex(record: BoardRecord, id: string): number {
  const index = record.keyframes.findIndex((keyframe) => keyframe.id === id);
  if (index < 0) throw new AppError('not_found', 'That keyframe is no longer in the storyboard.');
  return index;
}

/** Inserts before position `at` (at the end when `at` is the count). */
export function insertKeyframe(record: BoardRecord, keyframe: BoardKeyframe, at: number): void {
  if (record.keyframes.length >= MAX_KEYFRAMES) throw invalid(`A storyboard holds at most ${MAX_KEYFRAMES} keyframes.`);
  if (at > record.keyframes.length) throw invalid(`There is no place ${at + 1} in a strip of ${record.keyframes.length} keyframes.`);
  record.keyframes.splice(at, 0, keyframe);
}

/**
 * Puts new bytes in the place of the keyframe at `at`. It keeps its id, so its shots keep their
 * prompts and takes; the takes made from the old bytes turn stale (present.ts).
 */
export function replaceKeyframe(record: BoardRecord, keyframe: Omit<BoardKeyframe, 'id'>, at: number, now: string): void {
  const old = record.keyframes[at];
  if (!old) throw invalid(`There is no keyframe ${at + 1} to replace.`);
  record.keyframes[at] = { ...keyframe, id: old.id, ...(keyframe.sha256 === old.sha256 ? {} : { changedAt: now }) };
}

/** Removes a keyframe; the shots it was part of go with it (their takes stay in the library). */
export function removeKeyframe(record: BoardRecord, id: string): void {
  record.keyframes.splice(keyframeIndex(record, id), 1);
  for (const key of Object.keys(record.shots) as ShotKey[]) if (key.split('>').includes(id)) delete record.shots[key];
}

export function moveKeyframe(record: BoardRecord, id: string, to: number): void {
  const from = keyframeIndex(record, id);
  if (to >= record.keyframes.length) throw invalid(`There is no place ${to + 1} in a strip of ${record.keyframes.length} keyframes.`);
  const [keyframe] = record.keyframes.splice(from, 1);
  record.keyframes.splice(to, 0, keyframe);
}

export function requireShot(record: BoardRecord, key: ShotKey) {
  const shot = currentShots(record).find((candidate) => candidate.key === key);
  if (!shot) throw new AppError('not_found', 'That shot is no longer in the storyboard (its keyframes moved or were removed).');
  return shot;
}

export function patchShot(record: BoardRecord, key: ShotKey, patch: ShotPatch): void {
  requireShot(record, key);
  record.shots[key] = { ...shotOf(record, key), ...patch };
}

export function setPick(record: BoardRecord, key: ShotKey, jobId: string | null): void {
  requireShot(record, key);
  const { picked: _old, ...shot } = shotOf(record, key);
  record.shots[key] = jobId ? { ...shot, picked: jobId } : shot;
}
