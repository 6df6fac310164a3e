/**
 * The store contract: one suite, run against every adapter. What the rest
 * of Provisio relies on from a Store is written down here as tests.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import { openTestSqliteStore } from '../helpers/sqlite.ts';
import { openTestPostgresStore, postgresSkipReason } from '../helpers/postgres.ts';

type Opened = { store: Store; dispose(): Promise<void> };

const adapters: { name: string; open(): Promise<Opened>; skip(): Promise<string | undefined> }[] = [
  { name: 'sqlite', open: openTestSqliteStore, skip: async () => undefined },
  { name: 'postgres', open: () => openTestPostgresStore('contract'), skip: postgresSkipReason },
];

for (const adapter of adapters) {
  describe(`store contract: ${adapter.name}`, async () => {
    const skip = await adapter.skip();
    let opened: Opened;
    before(async () => {
      if (!skip) opened = await adapter.open();
    });
    after(async () => {
      if (!skip) await opened.dispose();
    });
    const it = (name: string, fn: (s: Store) => Promise<void>): void => {
      void test(name, { skip }, async () => fn(opened.store));
    };

    it('reports its dialect', async (s) => {
      assert.equal(s.dialect, adapter.name);
    });

    it('migrating twice is a no-op', async (s) => {
      await s.migrate();
      await s.migrate();
      const rows = await s.db.selectFrom('settings').selectAll().execute();
      assert.ok(Array.isArray(rows));
    });

    it('round-trips text exactly, including unicode and large JSON', async (s) => {
      const value = JSON.stringify({ name: 'Zoë Ångström-Łukasiewicz 😀', big: 'x'.repeat(200_000), nested: { a: [1, 2, { b: null }] } });
      await s.db.insertInto('settings').values({ key: 'roundtrip', value }).execute();
      const row = await s.db.selectFrom('settings').select('value').where('key', '=', 'roundtrip').executeTakeFirstOrThrow();
      assert.equal(row.value, value);
    });

    it('upserts with onConflict on both dialects', async (s) => {
      const put = (v: string) => s.db.insertInto('settings').values({ key: 'upsert', value: v })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: v })).execute();
      await put('one');
      await put('two');
      const rows = await s.db.selectFrom('settings').selectAll().where('key', '=', 'upsert').execute();
      assert.deepEqual(rows, [{ key: 'upsert', value: 'two' }]);
    });

    it('rolls a transaction back when its function throws', async (s) => {
      await assert.rejects(s.transaction(async (trx) => {
        await trx.insertInto('settings').values({ key: 'rolled-back', value: 'x' }).execute();
        throw new Error('boom');
      }), /boom/);
      const row = await s.db.selectFrom('settings').selectAll().where('key', '=', 'rolled-back').executeTakeFirst();
      assert.equal(row, undefined);
    });

    it('commits a transaction and returns its result', async (s) => {
      const n = await s.transaction(async (trx) => {
        await trx.insertInto('settings').values([{ key: 'tx-a', value: '1' }, { key: 'tx-b', value: '2' }]).execute();
        return 2;
      });
      assert.equal(n, 2);
      const rows = await s.db.selectFrom('settings').select('key').where('key', 'in', ['tx-a', 'tx-b']).orderBy('key').execute();
      assert.deepEqual(rows.map((r) => r.key), ['tx-a', 'tx-b']);
    });

    it('serialises concurrent read-modify-write through row_version', async (s) => {
      const now = new Date().toISOString();
      await s.db.insertInto('sync_jobs').values({
        id: 'job-cc', sp_id: 'sp', template_id: 'scim', schedule: '{}', status: '{}', settings: '[]', schema: '{}',
        pending_reset_scope: null, created_at: now, updated_at: now,
      }).execute();
      // Ten writers race on the same version; exactly one must win.
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        s.db.updateTable('sync_jobs').set({ row_version: 1, status: `{"w":${i}}` }).where('id', '=', 'job-cc').where('row_version', '=', 0).executeTakeFirst()));
      assert.equal(results.reduce((n, r) => n + Number(r.numUpdatedRows), 0), 1);
    });

    it('returns integers as numbers and counts as numbers', async (s) => {
      const row = await s.db.selectFrom('sync_jobs').select(['row_version']).where('id', '=', 'job-cc').executeTakeFirstOrThrow();
      assert.equal(typeof row.row_version, 'number');
      const c = await s.db.selectFrom('sync_jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(c.n), 1);
      assert.equal(typeof c.n, 'number');
    });

    it('orders ISO-8601 instants as time', async (s) => {
      const stamps = ['2026-01-02T00:00:00.000Z', '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z'];
      for (const [i, at] of stamps.entries()) {
        await s.db.insertInto('clients').values({ client_id: `c${i}`, secret_hash: 'h', display_name: 'd', roles: '[]', created_at: at }).execute();
      }
      const rows = await s.db.selectFrom('clients').select('created_at').orderBy('created_at').execute();
      assert.deepEqual(rows.map((r) => r.created_at), [...stamps].sort());
    });

    it('enforces unique keys', async (s) => {
      const now = new Date().toISOString();
      await s.db.insertInto('applications').values({ id: 'a1', app_id: 'x', display_name: 'A', data: '{}', owner_client_id: null, created_at: now }).execute();
      await assert.rejects(s.db.insertInto('applications').values({ id: 'a2', app_id: 'x', display_name: 'B', data: '{}', owner_client_id: null, created_at: now }).execute());
    });
  });
}
