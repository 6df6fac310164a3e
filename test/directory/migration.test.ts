/**
 * 0005_directory_storage upgrades a directory written under 0002 in place,
 * on SQLite and PostgreSQL: moved properties are filled from the JSON and
 * their dir_values rows dropped; links and the feed survive the SQLite rebuild.
 */
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { DirectoryService } from '../../src/directory/directory-service.ts';
import { parseFilter } from '../../src/graph/odata-filter.ts';
import { systemClock } from '../../src/util/time.ts';
import { TEST_DATABASE_URL, freshSchemaName, postgresSkipReason } from '../helpers/postgres.ts';

const USER = '00000000-0000-4000-8000-000000000001';
const GROUP = '00000000-0000-4000-8000-0000000000aa';

async function upgrade(store: Store, schema?: string): Promise<void> {
  const migrator = new Migrator({ db: store.db as Kysely<unknown>, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const to4 = await migrator.migrateTo('0004_engine');
  assert.equal(to4.error, undefined);
  // A user, a membership and a change as 0002's code wrote them.
  await sql`insert into dir_users (id, upn_lc, display_name_lc, account_enabled, created_at, data)
    values (${USER}, 'old@contoso.test', 'old', 1, '2026-01-01T00:00:00.000Z',
    ${JSON.stringify({ userPrincipalName: 'old@contoso.test', displayName: 'Old', mailNickname: 'old', accountEnabled: true, companyName: 'Contoso', country: 'Sweden', otherMails: [], businessPhones: [] })})`.execute(store.db);
  await sql`insert into dir_values (object_id, prop, value_lc) values (${USER}, 'companyName', 'contoso'), (${USER}, 'department', 'sales')`.execute(store.db);
  await sql`insert into dir_groups (id, display_name_lc, security_enabled, mail_enabled, created_at, data)
    values (${GROUP}, 'g', 1, 0, '2026-01-01T00:00:00.000Z', ${JSON.stringify({ displayName: 'G', mailNickname: 'g', mailEnabled: false, securityEnabled: true, groupTypes: [] })})`.execute(store.db);
  await sql`insert into dir_group_links (group_id, rel, target_id, target_type) values (${GROUP}, 'member', ${USER}, 'user')`.execute(store.db);
  await sql`insert into dir_changes (seq, at, object_type, object_id, kind) values (1, '2026-01-01T00:00:00.000Z', 'user', ${USER}, 'created')`.execute(store.db);
  await sql`update dir_counters set value = 1 where name = 'changes'`.execute(store.db);
  const rest = await migrator.migrateToLatest();
  assert.equal(rest.error, undefined, String(rest.error));

  const dir = new DirectoryService(store, systemClock, 'contoso.test');
  const names = async (f: string) => (await dir.listUsers({ top: 10, filter: parseFilter(f) })).items.map((u) => u.id);
  assert.deepEqual(await names("companyName eq 'CONTOSO'"), [USER]);
  assert.deepEqual(await names("country eq 'sweden'"), [USER]);
  assert.deepEqual(await names("department eq 'Sales'"), [USER]);
  const moved = await sql<{ n: number | string }>`select count(*) as n from dir_values where prop = 'companyName'`.execute(store.db);
  assert.equal(Number(moved.rows[0]!.n), 0);
  assert.equal((await dir.getUser(USER)).companyName, 'Contoso');
  const members = [];
  for await (const b of dir.streamGroupMemberIds(GROUP)) members.push(...b);
  assert.deepEqual(members, [{ id: USER, type: 'user' }]);
  await dir.updateUser(USER, { jobTitle: 'Kept' });
  assert.deepEqual((await dir.changesSince(0)).changes.map((c) => [c.seq, c.kind]), [[1, 'created'], [2, 'updated']]);
}

describe('migration 0005_directory_storage', () => {
  test('upgrades a SQLite directory in place', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'provisio-mig-'));
    const store = openSqliteStore(join(folder, 'p.db'));
    try {
      await upgrade(store);
    } finally {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('upgrades a PostgreSQL directory in place', async (t: TestContext) => {
    const skip = await postgresSkipReason();
    if (skip) {
      t.skip(skip);
      return;
    }
    const schema = freshSchemaName('mig');
    const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
    try {
      await upgrade(store, schema);
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
      await store.close();
    }
  });
});
