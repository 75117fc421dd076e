/**
 * Writes storyboards as fast as it can, forever, with every kind of write the board store has:
 * create (with keyframe files), insert, replace, remove, reorder, prompts, delete. The board crash
 * test runs it in a child process and kills it with SIGKILL at a random moment.
 *
 *   node --import tsx test/storyboard/board-crash-writer.ts <library-dir> <seed>
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from '../../main/services/events';
import { LibraryStore } from '../../main/services/library';
import { createLogger } from '../../main/services/log';
import { BoardStore } from '../../main/services/storyboard/board-store';
import { BOARD_FORMAT, newKeyframeId, newStoryboardId } from '../../main/services/storyboard/record';
import type { BoardKeyframe } from '../../main/services/storyboard/record';
import { insertKeyframe, moveKeyframe, patchShot, removeKeyframe, replaceKeyframe } from '../../main/services/storyboard/strip';
import { RecordingPlatform } from '../carrier/platform';

const [dir, seedText] = process.argv.slice(2);
let seed = Number(seedText) || 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const trash = new RecordingPlatform(join(dir, '..', 'Trash'));
const library = await LibraryStore.open({
  dir,
  log: createLogger(() => {}),
  events: new EventBus(),
  mediaUrl: (root, rel) => `/media/${root}/${rel}`,
  trash: (path) => trash.trashItem(path),
});
const boards = new BoardStore(
  library,
  createLogger(() => {}),
  (path) => trash.trashItem(path),
);
const sources = join(dir, '..', 'sources');
mkdirSync(sources, { recursive: true });
process.stdout.write('ready\n');

/** A new "image" file (random bytes: the store copies, it does not decode) and its keyframe. */
function keyframe(): { keyframe: BoardKeyframe; file: { name: string; from: string } } {
  const bytes = randomBytes(100_000 + Math.floor(rand() * 200_000));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const from = join(sources, `${sha256}.png`);
  writeFileSync(from, bytes);
  const file = `${sha256}.png`;
  return {
    keyframe: { id: newKeyframeId(), name: 'k.png', file, sha256, width: 640, height: 360, bytes: bytes.length, accepted: true },
    file: { name: file, from },
  };
}

let done = 0;
for (;;) {
  const all = boards.list();
  const board = all[Math.floor(rand() * all.length)];
  const r = rand();
  if (r < 0.15 || !board) {
    const [a, b] = [keyframe(), keyframe()];
    const at = new Date().toISOString();
    await boards.create(
      {
        format: BOARD_FORMAT,
        id: newStoryboardId(),
        revision: 1,
        name: 'crash',
        createdAt: at,
        updatedAt: at,
        takesPerShot: 1,
        keyframes: [a.keyframe, b.keyframe],
        shots: {},
      },
      [a.file, b.file],
    );
  } else if (r < 0.4 && board.keyframes.length < 30) {
    const next = keyframe();
    await boards.update(board.id, (record) => insertKeyframe(record, next.keyframe, Math.floor(rand() * (record.keyframes.length + 1))), [
      next.file,
    ]);
  } else if (r < 0.6 && board.keyframes.length) {
    const next = keyframe();
    await boards.update(
      board.id,
      (record, now) => replaceKeyframe(record, next.keyframe, Math.floor(rand() * record.keyframes.length), now),
      [next.file],
    );
  } else if (r < 0.7 && board.keyframes.length > 2) {
    await boards.update(board.id, (record) => removeKeyframe(record, record.keyframes[0].id));
  } else if (r < 0.8 && board.keyframes.length > 1) {
    await boards.update(board.id, (record) => moveKeyframe(record, record.keyframes[0].id, record.keyframes.length - 1));
  } else if (r < 0.93 && board.keyframes.length > 1) {
    await boards.update(board.id, (record) =>
      patchShot(record, `${record.keyframes[0].id}>${record.keyframes[1].id}`, { prompt: `prompt ${done}` }),
    );
  } else {
    await boards.delete(board.id);
  }
  process.stdout.write(`${++done}\n`);
}
