import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/library/harness';
import { DatabaseUnusable, openDatabase, schemaVersion } from './database';
import { migrations } from './migrations';

const tableNames = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index', 'trigger') ORDER BY name").all() as { name: string }[]).map(
    (row) => row.name,
  );

describe('the library database and its migrations', () => {
  it('creates a new database at the latest schema, in WAL mode', async () => {
    const path = join(await tempDir(), 'library.db');
    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tableNames(db)).toEqual(expect.arrayContaining(['jobs', 'jobs_fts', 'jobs_by_status', 'jobs_fts_insert']));
    db.close();
  });

  it('numbers migrations 1, 2, 3… with no gap', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('upgrades a version-1 database that holds jobs, and indexes them for search', async () => {
    const path = join(await tempDir(), 'library.db');
    const old = new Database(path);
    old.exec(migrations[0].sql);
    old.pragma('user_version = 1');
    old
      .prepare(
        `INSERT INTO jobs (seq, id, created_at, status, prompt, duration, revision, record)
         VALUES (1000, '20260101-000000-aaaaaa', 1, 'completed', 'An owl at midnight', 5, 1, '{}')`,
      )
      .run();
    old.close();

    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    const hits = db.prepare("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH 'prompt : owl'").all();
    expect(hits).toEqual([{ rowid: 1000 }]);
    expect(db.prepare('SELECT tags FROM jobs WHERE seq = 1000').get()).toEqual({ tags: 'scompleted d5 f0' });
    db.close();
  });

  it('rolls a failing migration back whole and reports which one failed', async () => {
    const path = join(await tempDir(), 'library.db');
    openDatabase(path).close();
    const next = migrations.length + 1;
    const broken = [...migrations, { version: next, name: 'broken', sql: 'CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);' }];
    let error: unknown;
    try {
      openDatabase(path, broken);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatabaseUnusable);
    expect((error as DatabaseUnusable).reason).toMatch(new RegExp(`^migration ${next} \\(broken\\) failed: no such table: nowhere`));
    const db = new Database(path);
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(tableNames(db)).not.toContain('extra');
    db.close();
  });

  it('refuses a database from a newer Keyframe rather than guessing', async () => {
    const path = join(await tempDir(), 'library.db');
    const db = openDatabase(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(path)).toThrow(`made by a newer Keyframe (schema 99; this version knows ${migrations.length})`);
  });

  it('upgrades a version-2 database to 3: a cost column copied from each record, and the cost index', async () => {
    const path = join(await tempDir(), 'library.db');
    const old = new Database(path);
    for (const migration of migrations.slice(0, 2)) old.exec(migration.sql);
    old.pragma('user_version = 2');
    const insert = old.prepare(
      `INSERT INTO jobs (seq, id, created_at, status, prompt, duration, revision, record) VALUES (?, ?, 1, 'completed', 'p', 5, 1, ?)`,
    );
    insert.run(1000, '20260101-000000-aaaaaa', JSON.stringify({ cost: { raw: 0.56, usd: 0.56 } }));
    insert.run(2000, '20260101-000000-bbbbbb', JSON.stringify({ cost: { raw: 'odd' } }));
    insert.run(3000, '20260101-000000-cccccc', '{}');
    old.close();

    const db = openDatabase(path, migrations.slice(0, 3));
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT seq, cost_usd FROM jobs ORDER BY seq').all()).toEqual([
      { seq: 1000, cost_usd: 0.56 },
      { seq: 2000, cost_usd: null },
      { seq: 3000, cost_usd: null },
    ]);
    expect(tableNames(db)).toContain('jobs_by_cost');
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT sum(j.cost_usd) FROM jobs j INDEXED BY jobs_by_cost WHERE j.status IN (?) AND j.duration = ? AND j.created_at >= ? AND j.cost_usd >= ?',
      )
      .all('completed', 10, 0, 0) as { detail: string }[];
    expect(plan.map((step) => step.detail).join(' ')).toContain('COVERING INDEX jobs_by_cost');
    db.close();
  });

  it('upgrades a version-3 database to 4: each job’s storyboard read from its tag, and the storyboards table', async () => {
    const path = join(await tempDir(), 'library.db');
    const old = openDatabase(path, migrations.slice(0, 3));
    const insert = old.prepare(
      `INSERT INTO jobs (seq, id, created_at, status, prompt, duration, revision, record) VALUES (?, ?, 1, 'completed', 'p', 5, 1, ?)`,
    );
    insert.run(
      1000,
      '20260101-000000-aaaaaa',
      JSON.stringify({ tag: { storyboard: 'sb-20260101-000000-aaaaaa', shot: 'k00000000>k11111111' } }),
    );
    insert.run(2000, '20260101-000000-bbbbbb', '{}');
    old.close();

    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare('SELECT seq, storyboard FROM jobs ORDER BY seq').all()).toEqual([
      { seq: 1000, storyboard: 'sb-20260101-000000-aaaaaa' },
      { seq: 2000, storyboard: null },
    ]);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['jobs_by_storyboard', 'storyboards']));
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT record FROM jobs WHERE storyboard = ? ORDER BY created_at, seq').all('x') as {
      detail: string;
    }[];
    expect(plan.map((step) => step.detail).join(' ')).toContain('jobs_by_storyboard');
    db.close();
  });
});
