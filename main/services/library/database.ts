/**
 * Opens the library's SQLite index (better-sqlite3, WAL) and brings its schema up to date with
 * the numbered migrations, each in its own transaction with `user_version` recording where it is.
 * Anything that makes the file unusable (not a database, integrity check failed, a migration that
 * fails, a schema from a newer Keyframe) surfaces as one error, `DatabaseUnusable`, whose `reason`
 * the library shows the user before rebuilding from the job folders.
 */
import Database from 'better-sqlite3';
import { migrations as allMigrations } from './migrations';
import type { Migration } from './migrations';

export type Db = Database.Database;

export class DatabaseUnusable extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`library database unusable: ${reason}`, options);
    this.name = 'DatabaseUnusable';
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) throw new DatabaseUnusable(`it was made by a newer Keyframe (schema ${current}; this version knows ${latest})`);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      })();
    } catch (error) {
      throw new DatabaseUnusable(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/** Opens (creating if missing) and migrates; throws `DatabaseUnusable` for a file it cannot use. */
export function openDatabase(path: string, migrations: readonly Migration[] = allMigrations): Db {
  let db: Db | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a killed process loses nothing committed; a power cut may lose the last commits, never consistency.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -32768'); // 32 MB: a 100,000-job index stays in memory while it is searched
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new DatabaseUnusable(`the integrity check failed (${String(check).slice(0, 200)})`);
    migrate(db, migrations);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof DatabaseUnusable) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw new DatabaseUnusable('the file is not a database', { cause: error });
    if (code === 'SQLITE_CORRUPT') throw new DatabaseUnusable('the file is corrupt', { cause: error });
    if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_IOERR' || code === 'SQLITE_FULL') throw error;
    throw new DatabaseUnusable((error as Error).message, { cause: error });
  }
}

const prepared = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per database connection. */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = prepared.get(db);
  if (!cache) prepared.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}
