/**
 * A kill at any moment leaves consistent storyboards: a real child process writes boards in a loop
 * and is killed with SIGKILL at random moments; after each kill the library is opened (which
 * finishes interrupted writes) and every board is checked from the index to its files.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardStore } from '../../main/services/storyboard/board-store';
import { BOARD_FILE, boardsDir } from '../../main/services/storyboard/record';
import { createLogger } from '../../main/services/log';
import { openStore, runAndKill, tempDir } from '../library/harness';

const writer = join(import.meta.dirname, 'board-crash-writer.ts');

/** Everything that disagrees between the index and the board folders, in words. */
async function inconsistencies(libraryDir: string): Promise<string[]> {
  const t = await openStore(libraryDir);
  const problems: string[] = [];
  try {
    const boards = new BoardStore(
      t.store,
      createLogger(() => {}),
      async () => {},
    );
    const rows = boards.list();
    const folders = (await readdir(boardsDir(libraryDir)).catch(() => [] as string[])).sort();
    if (JSON.stringify(folders) !== JSON.stringify(rows.map((row) => row.id).sort()))
      problems.push(`folders ${folders} ≠ rows ${rows.map((r) => r.id)}`);
    for (const row of rows) {
      const folder = boards.folderOf(row.id);
      const json = JSON.parse(await readFile(join(folder, BOARD_FILE), 'utf8'));
      if (JSON.stringify(json) !== JSON.stringify(row))
        problems.push(`${row.id}: storyboard.json is revision ${json.revision}, the row ${row.revision}`);
      const files = (await readdir(folder)).filter((name) => name !== BOARD_FILE).sort();
      const listed = [...new Set(row.keyframes.map((k) => k.file))].sort();
      if (JSON.stringify(files) !== JSON.stringify(listed)) problems.push(`${row.id}: files ${files} ≠ listed ${listed}`);
      for (const k of row.keyframes) {
        const path = join(folder, k.file);
        if (!existsSync(path)) continue;
        const sha = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        if (sha !== k.sha256) problems.push(`${row.id}: ${k.file} does not hold the bytes it is named for`);
      }
      const dirty = (t.store.database.prepare('SELECT dirty FROM storyboards WHERE id = ?').get(row.id) as { dirty: number }).dirty;
      if (dirty) problems.push(`${row.id}: still marked dirty after opening`);
    }
  } finally {
    await t.store.close();
  }
  return problems;
}

describe('a crash during a storyboard write', () => {
  it('leaves boards that open consistent, kill after kill', async () => {
    const dir = join(await tempDir('kf-board-crash-'), 'library');
    const delays = [200, 450, 120, 700, 330, 560];
    let writes = 0;
    for (const [round, delay] of delays.entries()) {
      writes += await runAndKill(writer, dir, round + 1, delay);
      const problems = await inconsistencies(dir);
      expect(problems, `after kill ${round + 1}: ${problems.join('; ')}`).toEqual([]);
    }
    expect(writes).toBeGreaterThan(30);
  }, 120_000);
});
