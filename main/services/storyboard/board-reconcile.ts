/**
 * Finishes storyboard writes a killed process left half done, and rebuilds storyboard rows from
 * their folders (after the index was rebuilt, every folder is such a one). Called by the library
 * when it opens its index (library/open.ts), after the jobs' own reconcile:
 *   - a dirty row whose folder is gone (killed while deleting): the delete finishes;
 *   - a dirty row with its folder: storyboard.json is rewritten from the row, leftovers removed;
 *   - a folder with no row: its storyboard.json becomes the row (killed after writing the folder
 *     of a new board, or a rebuilt index); a folder without one never finished being created and goes;
 *   - a clean row whose folder is gone (removed by hand): the row goes.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StoryboardId } from '../../contract/storyboard';
import { statement } from '../library/database';
import type { Db } from '../library/database';
import { readJson } from '../json-file';
import type { Logger } from '../log';
import { settleBoardFolder, writeBoardRow } from './board-store';
import { BOARD_FILE, boardsDir, BoardRecord } from './record';

/** Returns how many boards it repaired, removed or took in. */
export async function reconcileStoryboards(db: Db, libraryDir: string, log: Logger): Promise<number> {
  const root = boardsDir(libraryDir);
  let changed = 0;
  const rows = statement(db, 'SELECT id, dirty, record FROM storyboards').all() as { id: string; dirty: number; record: string }[];
  const known = new Set(rows.map((row) => row.id));
  for (const row of rows) {
    const folder = join(root, row.id);
    if (!existsSync(folder)) {
      if (!row.dirty) log.warn('storyboard', `storyboard ${row.id}: its folder is gone, so it is removed from the index`);
      statement(db, 'DELETE FROM storyboards WHERE id = ?').run(row.id);
      changed++;
    } else if (row.dirty) {
      const record = JSON.parse(row.record) as BoardRecord;
      await settleBoardFolder(folder, record);
      statement(db, 'UPDATE storyboards SET dirty = 0 WHERE id = ? AND revision = ?').run(row.id, record.revision);
      log.info('storyboard', `finished an interrupted write of storyboard ${row.id}`);
      changed++;
    }
  }
  const names = await readdir(root).catch(() => [] as string[]);
  for (const id of names.filter((name) => StoryboardId.safeParse(name).success && !known.has(name))) {
    const folder = join(root, id);
    let raw: unknown;
    try {
      raw = await readJson(join(folder, BOARD_FILE));
    } catch (error) {
      log.warn('storyboard', `storyboard folder ${id}: ${BOARD_FILE} cannot be read; left as it is`, error);
      continue;
    }
    if (raw === undefined) {
      await rm(folder, { recursive: true, force: true });
      changed++;
      continue;
    }
    const parsed = BoardRecord.safeParse(raw);
    if (!parsed.success || parsed.data.id !== id) {
      const why = parsed.success ? `it names ${parsed.data.id}` : z.prettifyError(parsed.error).split('\n')[0];
      log.warn('storyboard', `storyboard folder ${id}: ${BOARD_FILE} does not describe it (${why}); left as it is`);
      continue;
    }
    writeBoardRow(db, parsed.data, false);
    await settleBoardFolder(folder, parsed.data);
    changed++;
  }
  return changed;
}
