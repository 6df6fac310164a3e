/**
 * The application-instance service over each store: the same scenario —
 * every query shape it uses (filters, prefixes, upserts, the registry's
 * insert-only key, associations) — run against SQLite and PostgreSQL.
 */
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import { DirectoryService } from '../../src/directory/directory-service.ts';
import { AppInstanceService } from '../../src/appinstances/service.ts';
import { GraphError } from '../../src/errors/graph-error.ts';
import { parseFilter } from '../../src/graph/odata-filter.ts';
import { withPostgres } from '../helpers/postgres.ts';
import { openTestSqliteStore } from '../helpers/sqlite.ts';
import { AA, BOT, CQ, EMPTY } from './helpers.ts';

const TENANT = '5b943d7c-5e14-474b-8237-5022eb8e0dc9';

class TestClock {
  t = Date.parse('2026-03-01T00:00:00Z');
  now = () => new Date(this.t);
  advance(ms: number) { this.t += ms; }
}

async function rejectsWith(p: Promise<unknown>, status: number, code: string, message?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof GraphError, String(e));
    assert.deepEqual([e.status, e.code], [status, code]);
    if (message) assert.equal(e.message, message);
    return true;
  });
}

async function scenario(store: Store): Promise<void> {
  const clock = new TestClock();
  const directory = new DirectoryService(store, clock, 'contoso.com');
  const ai = new AppInstanceService(store, clock, directory, TENANT);

  // Instances and a plain user.
  const aa = (await ai.create({ userPrincipalName: 'Main.AA@contoso.com', appId: AA, displayName: 'Main Auto Attendant' })).value;
  const cq = (await ai.create({ userPrincipalName: 'sales.cq@contoso.com', appId: CQ, displayName: 'Sales Queue' })).value;
  const bare = (await ai.create({ userPrincipalName: 'bare@contoso.com' })).value;
  await directory.createUser({ accountEnabled: true, displayName: 'Main Person', mailNickname: 'person', userPrincipalName: 'person@contoso.com' });
  assert.equal(aa.agentProvisioningState, 'registered');
  assert.equal(bare.agentProvisioningState, 'notRegistered');

  // Reads: list, filters (in, eq null, startswith, or), find by prefix, number and id.
  const ids = async (filter?: string) => (await ai.list({ top: 10, ...(filter ? { filter: parseFilter(filter) } : {}) })).items.map((a) => a.userPrincipalName).sort();
  assert.deepEqual(await ids(), ['Main.AA@contoso.com', 'bare@contoso.com', 'sales.cq@contoso.com']);
  assert.deepEqual(await ids(`userPrincipalName in ('MAIN.aa@contoso.com','bare@contoso.com')`), ['Main.AA@contoso.com', 'bare@contoso.com']);
  assert.deepEqual(await ids('appId eq null'), ['bare@contoso.com']);
  assert.deepEqual(await ids(`startswith(displayName,'sales') or appId eq '${AA}'`), ['Main.AA@contoso.com', 'sales.cq@contoso.com']);
  assert.deepEqual(await ids(`not (appId eq '${AA}')`), ['bare@contoso.com', 'sales.cq@contoso.com']);
  const page1 = await ai.list({ top: 2 });
  const page2 = await ai.list({ top: 2, after: page1.next });
  assert.equal(page1.items.length + page2.items.length, 3);
  assert.equal(page2.next, undefined);

  await ai.update(cq.id, { phoneNumber: '+12065550100' });
  assert.deepEqual((await ai.find({ searchQuery: 'main' })).map((f) => f.displayName), ['Main Auto Attendant']);
  assert.deepEqual((await ai.find({ searchQuery: 'Main Auto Attendant', exactMatchOnly: true })).map((f) => f.id), [aa.id]);
  assert.deepEqual((await ai.find({ searchQuery: 'tel:+1206' })).map((f) => f.id), [cq.id]);
  assert.deepEqual((await ai.find({ searchQuery: cq.id.toUpperCase() })).map((f) => f.id), [cq.id]);

  // Set: upsert of the instance row, a mapping written when there was none, a number moved with force.
  const set = await ai.update(bare.id, { appId: BOT, acsResourceId: '0f0f0f0f-0000-4000-8000-000000000001' });
  assert.equal(set.value.agentProvisioningState, 'registered');
  await rejectsWith(ai.update(aa.id, { phoneNumber: '+12065550100' }), 409, 'PhoneNumberInUse');
  await ai.update(aa.id, { phoneNumber: '+12065550100' }, { force: true });
  assert.equal((await ai.get(cq.id)).phoneNumber, null);
  assert.equal((await ai.get(aa.id)).phoneNumber, 'tel:+12065550100');

  // Sync: insert-only key, removal, re-creation, refresh.
  await rejectsWith(ai.sync(aa.id, { appId: CQ }), 409, 'DuplicateApsMapping', 'An item with the same key has already been added.');
  assert.equal((await ai.sync(aa.id, { appId: EMPTY })).value.action, 'removed');
  assert.equal((await ai.sync(aa.id, { appId: EMPTY })).value.action, 'none');
  assert.equal((await ai.sync(aa.id, {})).value.action, 'created');
  clock.advance(60_000);
  const refreshed = await ai.sync(aa.id, { appId: AA, callbackUri: 'https://example.test/cb' });
  assert.equal(refreshed.value.action, 'refreshed');
  assert.equal(refreshed.value.mapping?.syncedDateTime, '2026-03-01T00:01:00.000Z');
  assert.equal(refreshed.value.mapping?.createdDateTime, '2026-03-01T00:00:00.000Z');
  assert.equal(refreshed.value.mapping?.phoneNumber, 'tel:+12065550100');
  assert.deepEqual((await ai.listMappings({ top: 10, appId: AA })).items.map((m) => m.id), [aa.id]);
  await rejectsWith(ai.sync('3fa85f64-5717-4562-b3fc-2c963f66afa6', { appId: AA }), 404, 'InstanceNotFound');

  // Associations: per-identity results, upserts, the configuration view, status, removal.
  const out = await ai.associate({ identities: [aa.id, cq.id, 'ghost@contoso.com'], configurationId: 'CFG-1', configurationType: 'AutoAttendant' });
  assert.deepEqual(out.value.results.map((r) => [r.result, r.code]), [['Success', null], ['Failure', 'ConfigurationTypeMismatch'], ['Failure', 'InstanceNotFound']]);
  await ai.associate({ identities: [cq.id], configurationId: 'CFG-2', configurationType: 'CallQueue', callPriority: 4 });
  await ai.associate({ identities: [cq.id], configurationId: 'CFG-1', configurationType: 'AutoAttendant' }, { force: true });
  assert.deepEqual((await ai.configuration('CFG-1')).applicationInstances.sort(), [aa.id, cq.id].sort());
  await rejectsWith(ai.configuration('CFG-2'), 404, 'ConfigurationNotFound');
  assert.deepEqual((await ai.associationStatus(aa.id)).map((s) => s.status), ['Completed', 'Completed']);
  assert.deepEqual((await ai.find({ searchQuery: 'sales', associatedOnly: true })).map((f) => f.id), [cq.id]);
  const removed = await ai.removeAssociations([cq.id, cq.id]);
  assert.deepEqual(removed.value.results.map((r) => r.code), [null, 'NoAssociation']);
  await rejectsWith(ai.getAssociation(cq.id), 404, 'NoAssociation');
}

async function withSqlite(_t: TestContext, fn: (store: Store) => Promise<void>): Promise<void> {
  const { store, dispose } = await openTestSqliteStore();
  try {
    await fn(store);
  } finally {
    await dispose();
  }
}

describe('application-instance service contract', () => {
  test('SQLite', (t) => withSqlite(t, scenario));
  test('PostgreSQL', (t) => withPostgres(t, scenario, 'appi'));
});
