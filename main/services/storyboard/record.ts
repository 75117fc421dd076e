/**
 * `storyboard.json`: each storyboard folder describes itself, enough to rebuild its row from the
 * folder alone. The database keeps the same record in its `record` column.
 *
 *   <library>/storyboards/<id>/storyboard.json   the record below
 *   <library>/storyboards/<id>/<sha256>.<ext>    its keyframes' images, named by their bytes
 *
 * Shots are kept by their keyframe pair (`${start}>${end}`), so a pair that stops being
 * neighbours (another keyframe moved between them) keeps its prompt, and gets it back when the
 * two are neighbours again. Takes are not listed here: they are jobs tagged with the board.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { Duration, JobId } from '../../contract/library';
import { KeyframeId, MAX_KEYFRAMES, MAX_TAKES_PER_SHOT, ShotKey, StoryboardId } from '../../contract/storyboard';
import { newJobId } from '../library/layout';

export const BOARD_FORMAT = 'keyframe-storyboard/1';
export const STORYBOARDS_DIR = 'storyboards';
export const BOARD_FILE = 'storyboard.json';
/** A keyframe's file in the board folder: its sha256 and the staged file's extension. */
export const KEYFRAME_FILE = /^[0-9a-f]{64}\.[a-z0-9]{2,5}$/;

const Instant = z.iso.datetime({ offset: true });

export const BoardKeyframe = z.object({
  id: KeyframeId,
  name: z.string().max(255),
  file: z.string().regex(KEYFRAME_FILE),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  accepted: z.boolean(),
  changedAt: Instant.optional(),
});
export type BoardKeyframe = z.infer<typeof BoardKeyframe>;

export const BoardShot = z.object({
  prompt: z.string().max(2500),
  duration: Duration,
  picked: JobId.optional(),
});
export type BoardShot = z.infer<typeof BoardShot>;

export const BoardRecord = z.object({
  format: z.literal(BOARD_FORMAT),
  id: StoryboardId,
  /** Goes up by one with every change; the database and storyboard.json agree when theirs match. */
  revision: z.number().int().min(1),
  name: z.string().min(1).max(120),
  createdAt: Instant,
  updatedAt: Instant,
  takesPerShot: z.number().int().min(1).max(MAX_TAKES_PER_SHOT),
  keyframes: z.array(BoardKeyframe).max(MAX_KEYFRAMES),
  shots: z.record(ShotKey, BoardShot),
  /** For the headless `make`: the board file it was made from (path and content hash), so a rerun resumes it. */
  source: z.string().max(4200).optional(),
});
export type BoardRecord = z.infer<typeof BoardRecord>;

export const boardsDir = (libraryDir: string) => join(libraryDir, STORYBOARDS_DIR);
export const boardDir = (libraryDir: string, id: string) => join(libraryDir, STORYBOARDS_DIR, StoryboardId.parse(id));

export const newStoryboardId = (at = new Date()) => `sb-${newJobId(at)}`;
export const newKeyframeId = () => `k${[...randomBytes(8)].map((b) => (b % 36).toString(36)).join('')}`;

export const shotKeyOf = (start: BoardKeyframe, end: BoardKeyframe): ShotKey => `${start.id}>${end.id}`;

/** The shots as they stand: one per neighbouring pair, in order. */
export function currentShots(record: BoardRecord): { key: ShotKey; index: number; start: BoardKeyframe; end: BoardKeyframe }[] {
  return record.keyframes.slice(1).map((end, index) => {
    const start = record.keyframes[index];
    return { key: shotKeyOf(start, end), index, start, end };
  });
}

/** A shot's prompt, duration and pick; a pair never given any starts empty, 5 s. */
export const shotOf = (record: BoardRecord, key: ShotKey): BoardShot => record.shots[key] ?? { prompt: '', duration: 5 };
