/**
 * PostgreSQL for tests: each test gets a store in a fresh schema, dropped
 * afterwards. The server is PROVISIO_TEST_DATABASE_URL, else
 * postgres://root@127.0.0.1:5432/test. When it cannot be reached the test is
 * skipped with a loud message, except under CI (CI set), where that fails.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { sql } from 'kysely';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';

export const PG_URL = process.env.PROVISIO_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

let probe: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why not. Probed once per process. */
export function pgUnavailable(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}

/**
 * Runs `fn` with a migrated PostgreSQL store in a fresh schema
 * (`<prefix>_<random>`), dropping the schema afterwards.
 */
export async function withPostgres(t: TestContext, fn: (store: Store) => Promise<void>, prefix = 'test'): Promise<void> {
  const why = await pgUnavailable();
  if (why !== undefined) {
    if (process.env.CI) throw new Error(`PostgreSQL unreachable at ${PG_URL} (${why}); CI requires it.`);
    const message = `PostgreSQL unreachable at ${PG_URL}: skipped`;
    process.stderr.write(`\n*** ${message} (${why}) ***\n`);
    t.skip(message);
    return;
  }
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
    await store.close();
  }
}
