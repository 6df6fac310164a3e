/**
 * The store port. Everything that persists goes through a `Store`; the two
 * adapters (SQLite, PostgreSQL) differ only in how they open a kysely
 * dialect and in a few capabilities noted here. Queries are written once,
 * with kysely, against `Database`.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  readonly dialect: DialectName;
  readonly db: Db;
  /** Runs `fn` in one transaction; a thrown error rolls it back. */
  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  /** Applies pending migrations (idempotent; safe to race between processes on PostgreSQL). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
