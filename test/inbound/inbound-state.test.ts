/**
 * The durable state of AD2AAD jobs (src/inbound/inbound-state.ts) on SQLite
 * and PostgreSQL: the LDAP watermark and anchor set round-trip through the
 * job's sync_job_state row, other members of its `cycle` JSON are kept, and
 * the outbound engine's reader still reads the row. LdapJobState holds the
 * anchor set the connector saves until the watermark is committed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import { openTestSqliteStore } from '../helpers/sqlite.ts';
import { withPostgres } from '../helpers/postgres.ts';
import { jobStateInboundStore } from '../../src/inbound/inbound-state.ts';
import { LdapJobState, memoryInboundStateStore } from '../../src/inbound/ldap-source.ts';
import { loadJobState } from '../../src/engine/job-state.ts';

const clock = { now: () => new Date('2026-11-25T12:00:00Z') };

async function roundTrip(store: Store): Promise<void> {
  const states = jobStateInboundStore(store, clock);
  const empty = { watermark: null, anchors: null, schemaVersion: null };
  assert.deepEqual(await states.load('job-1'), empty, 'nothing saved yet');
  // A row the outbound code wrote first: its members are kept.
  await store.db.insertInto('sync_job_state').values({ job_id: 'job-1', watermark: null, cycle: JSON.stringify({ pendingManagers: ['u1'] }), updated_at: clock.now().toISOString() }).execute();
  const anchors = new Map([['a1', 'uid=a,dc=x'], ['b2', 'uid=b,dc=x']]);
  await states.save('job-1', { watermark: '{"v":1,"method":"openldap-sweep"}', anchors, schemaVersion: 'v3' });
  const back = await states.load('job-1');
  assert.equal(back.watermark, '{"v":1,"method":"openldap-sweep"}');
  assert.equal(back.schemaVersion, 'v3');
  assert.deepEqual([...back.anchors!], [...anchors]);
  assert.deepEqual((await loadJobState(store.db, 'job-1')).pendingManagers, ['u1'], "the row's other members survive");
  await states.save('job-1', { watermark: null, anchors: null });
  assert.deepEqual(await states.load('job-1'), empty);
  assert.deepEqual(await states.load('job-2'), empty, 'per job');
}

describe('durable inbound (LDAP) job state', () => {
  test('round trip on SQLite', async () => {
    const { store, dispose } = await openTestSqliteStore();
    try {
      await roundTrip(store);
    } finally {
      await dispose();
    }
  });

  test('round trip on PostgreSQL', async (t) => {
    await withPostgres(t, roundTrip, 'inbound_state');
  });

  test('the anchor set saved during an import is persisted only with the committed watermark; a reset clears both', async () => {
    const states = memoryInboundStateStore();
    await states.save('j', { watermark: 'w1', anchors: new Map([['old', 'uid=old']]) });
    const s = new LdapJobState(states, 'j');
    assert.equal(await s.currentWatermark(), 'w1');
    await s.anchorStore.save(new Map([['new', 'uid=new']]));
    assert.deepEqual([...(await states.load('j')).anchors!], [['old', 'uid=old']], 'not yet: the batch is not processed');
    assert.deepEqual([...(await s.anchorStore.load())!], [['old', 'uid=old']], 'the connector still compares with the committed set');
    await s.commit('w2');
    assert.deepEqual(await states.load('j'), { watermark: 'w2', anchors: new Map([['new', 'uid=new']]), schemaVersion: null });
    // A restart with resetScope Watermark: cleared durably before the cycle reads anything.
    const reset = new LdapJobState(states, 'j', true);
    assert.equal(await reset.currentWatermark(), null);
    assert.deepEqual(await states.load('j'), { watermark: null, anchors: null, schemaVersion: null });
  });

  test('a watermark made under another schema version is not continued (a full import), until the next commit', async () => {
    const states = memoryInboundStateStore();
    const v1 = new LdapJobState(states, 'j', false, 'v1');
    await v1.commit('w1');
    assert.equal(await new LdapJobState(states, 'j', false, 'v1').currentWatermark(), 'w1');
    const v2 = new LdapJobState(states, 'j', false, 'v2');
    assert.equal(await v2.currentWatermark(), null, 'the schema changed: start over');
    assert.equal((await states.load('j')).watermark, 'w1', 'nothing written before the full import commits');
    await v2.commit('w2');
    assert.equal(await new LdapJobState(states, 'j', false, 'v2').currentWatermark(), 'w2');
  });
});
