import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from '../schema.ts';
import type { Store, Trx } from '../store.ts';
import { migrateToLatest } from '../migrate.ts';

/**
 * The embedded default: one SQLite file. better-sqlite3 is synchronous and
 * kysely serialises access to its one connection, so transactions never
 * interleave; WAL lets readers (other processes, the CLI) look in meanwhile.
 */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes under WAL; only an OS crash
  // can lose the last transactions, never corrupt the file.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    dialect: 'sqlite',
    db,
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => db.transaction().execute(fn),
    migrate: () => migrateToLatest(db as Kysely<unknown>),
    close: () => db.destroy(),
  };
}
