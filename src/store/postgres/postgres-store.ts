import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import type { Store, Trx } from '../store.ts';
import { migrateToLatest } from '../migrate.ts';

// int8 (COUNT, bigserial) arrives as text by default; our values stay far
// below 2^53, so numbers are safe and keep the two adapters' results alike.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresOptions {
  connectionString: string;
  /** A schema to live in (created when missing); tests use a fresh one each. */
  schema?: string;
  poolSize?: number;
}

/** PostgreSQL: shared by many Provisio processes (API and workers). */
export async function openPostgresStore(opts: PostgresOptions): Promise<Store> {
  const schema = opts.schema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name '${schema}'.`);
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  return {
    dialect: 'postgres',
    db,
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => db.transaction().execute(fn),
    migrate: () => migrateToLatest(db as Kysely<unknown>, schema),
    close: () => db.destroy(),
  };
}
