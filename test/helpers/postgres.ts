/**
 * PostgreSQL for tests: a fresh schema per store, dropped afterwards.
 * Where PostgreSQL is unreachable the tests that need it are skipped with a
 * loud message — except under CI (CI=true), where that is a failure.
 */
import pg from 'pg';
import type { TestContext } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/store/store.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';

export const TEST_DATABASE_URL = process.env.PROVISIO_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

let probe: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers, else the reason it does not. */
export function postgresUnavailable(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (e) {
      return `PostgreSQL unreachable at ${TEST_DATABASE_URL}: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}

/**
 * Returns a skip message when PostgreSQL tests must be skipped, undefined
 * when they can run; throws under CI so that a missing database fails loudly.
 */
export async function postgresSkipReason(): Promise<string | undefined> {
  const reason = await postgresUnavailable();
  if (!reason) return undefined;
  if (process.env.CI) throw new Error(`${reason} (CI requires PostgreSQL; .ci/run starts it)`);
  console.warn(`\n*** SKIPPED PostgreSQL tests: ${reason} ***\n`);
  return `${reason}: PostgreSQL tests skipped`;
}

export function freshSchemaName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A migrated store in a fresh schema, and a disposer that drops the schema. */
/** Drops a test schema (and everything in it) on the test database. */
export async function dropTestSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

export async function openTestPostgresStore(prefix = 't'): Promise<{ store: Store; dispose(): Promise<void> }> {
  const schema = freshSchemaName(prefix);
  const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 5 });
  await store.migrate();
  return {
    store,
    dispose: async () => {
      await store.close();
      await dropTestSchema(schema);
    },
  };
}

/**
 * Runs `fn` with a migrated PostgreSQL store in a fresh schema, dropped
 * afterwards; skips the test loudly when PostgreSQL is unreachable (fails under CI).
 */
export async function withPostgres(t: TestContext, fn: (store: Store) => Promise<void>, prefix = 'test'): Promise<void> {
  const skip = await postgresSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const { store, dispose } = await openTestPostgresStore(prefix);
  try {
    await fn(store);
  } finally {
    await dispose();
  }
}
