/**
 * Leases, heartbeats and fencing tokens, once per store adapter (SQLite:
 * one process, an atomic claim; PostgreSQL: FOR UPDATE SKIP LOCKED, many
 * claimers at once), and the engine abandoning a cycle whose lease was
 * taken over: it writes nothing more of the job's state.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { SchedulerStore, LeaseLostError } from '../../src/scheduler/leases.ts';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { openTestSqliteStore } from '../helpers/sqlite.ts';
import { withPostgres } from '../helpers/postgres.ts';
import { engineFixture } from '../engine/helpers.ts';
import { LinkRepository } from '../../src/engine/links.ts';

const T = 1_780_000_000_000;
const LEASE = 30_000;

async function seedJobs(store: Store, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `job-${String(i).padStart(3, '0')}`);
  await store.db.insertInto('sync_job_schedule').values(ids.map((job_id, i) => ({ job_id, due_at: T - 1000 + i, scheduled_at: T - 1000 }))).execute();
  return ids;
}

type Adapter = (t: TestContext, fn: (store: Store) => Promise<void>) => Promise<void>;
const adapters: [string, Adapter][] = [
  ['sqlite', async (_t, fn) => {
    const { store, dispose } = await openTestSqliteStore();
    try {
      await fn(store);
    } finally {
      await dispose();
    }
  }],
  ['postgres', (t, fn) => withPostgres(t, fn, 'sched')],
];

for (const [name, withStore] of adapters) {
  describe(`leases on ${name}`, () => {
    test('a claim takes due jobs once: two workers never hold the same job', (t) => withStore(t, async (store) => {
      const ids = await seedJobs(store, 5);
      const s = new SchedulerStore(store);
      const a = await s.claim('A', T, LEASE, 3);
      const b = await s.claim('B', T, LEASE, 10);
      assert.deepEqual(a.map((l) => l.jobId), ids.slice(0, 3), 'oldest due first');
      assert.deepEqual(b.map((l) => l.jobId), ids.slice(3));
      assert.deepEqual(await s.claim('C', T, LEASE, 10), []);
      assert.ok([...a, ...b].every((l) => l.token === 1));
    }));

    test('an expired lease is taken over with a new token; the old holder can neither heartbeat nor write', (t) => withStore(t, async (store) => {
      const id = (await seedJobs(store, 1))[0]!;
      const s = new SchedulerStore(store);
      const [a] = await s.claim('A', T, LEASE, 1);
      assert.ok(a);
      assert.equal(await s.heartbeat(a, T + 20_000, LEASE), true, 'a heartbeat extends the lease');
      assert.deepEqual(await s.claim('B', T + 40_000, LEASE, 1), [], 'extended: not expired at +40 s');
      const [b] = await s.claim('B', T + 50_001, LEASE, 1);
      assert.ok(b);
      assert.equal(b.jobId, id);
      assert.equal(b.token, a.token + 1, 'every claim increments the fencing token');
      assert.equal(await s.heartbeat(a, T + 50_002, LEASE), false);
      const fa = s.fence(a, () => T + 50_003);
      await assert.rejects(store.transaction((trx) => fa.check(trx)), LeaseLostError);
      assert.equal(fa.lost, true);
      const fb = s.fence(b, () => T + 50_004);
      await store.transaction((trx) => fb.check(trx));
      assert.equal(await s.release(a, T + 50_005, T + 99_000, 'ended'), false, 'the old holder cannot release what it lost');
      assert.equal(await s.release(b, T + 50_006, T + 60_000, 'ended'), true);
      const log = await store.db.selectFrom('sync_fencing_log').selectAll().where('job_id', '=', id).orderBy('token').execute();
      assert.deepEqual(log.map((r) => [r.worker, Number(r.token), Number(r.writes)]), [['A', 1, 0], ['B', 2, 1]]);
      assert.equal(Number(log[1]!.last_write_at), T + 50_004);
      assert.ok(Number(log[0]!.expires_at) < Number(log[1]!.started_at), 'the first lease ended before the second began');
      const row = await store.db.selectFrom('sync_job_schedule').selectAll().where('job_id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.lease_owner, null);
      assert.equal(Number(row.due_at), T + 60_000, 'released with the next due time');
    }));

    test('a deleted job: the holder finds its lease gone', (t) => withStore(t, async (store) => {
      const [id] = await seedJobs(store, 1);
      const s = new SchedulerStore(store);
      const [a] = await s.claim('A', T, LEASE, 1);
      await s.forget(id!);
      await assert.rejects(store.transaction((trx) => s.fence(a!, () => T).check(trx)), /deleted/);
      assert.equal(await s.heartbeat(a!, T + 1, LEASE), false);
    }));
  });
}

describe('leases on postgres under contention', () => {
  test('twenty claimers at once, two jobs each: SKIP LOCKED hands every job to exactly one of them', (t) => withPostgres(t, async (store) => {
    const ids = await seedJobs(store, 30);
    const s = new SchedulerStore(store);
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => s.claim(`W${i}`, T, LEASE, 2)));
    const held = got.flat().map((l) => l.jobId).sort();
    assert.equal(new Set(held).size, held.length, 'no job claimed twice');
    assert.deepEqual(held, [...ids].sort());
  }, 'schedc'));
});

describe('the engine under a lease', () => {
  test('a cycle whose lease is taken over mid-cycle stops with LeaseLostError and writes nothing more', async () => {
    const clock = new ManualClock(T);
    let stolen = false;
    let s!: SchedulerStore;
    const memory = createMemoryTarget({
      failWith: (call) => {
        // The first create: this worker "stalls" past its lease and another takes the job over.
        if (call.method === 'createUser' && !stolen) {
          stolen = true;
          clock.advance(LEASE + 1);
          void s.claim('thief', clock.now().getTime(), LEASE, 1);
        }
        return undefined;
      },
    });
    const f = await engineFixture({ target: () => memory, clock, seed: { users: 20, groups: 2, avgMembers: 3 }, options: { batchSize: 5 } });
    try {
      s = new SchedulerStore(f.services.store);
      await f.services.sync.startJob(f.spId, f.jobId);
      const [lease] = await s.claim('victim', clock.now().getTime(), LEASE, 1);
      assert.ok(lease);
      const fence = s.fence(lease, () => clock.now().getTime());
      await assert.rejects(f.engine.runCycle(f.jobId, { fence }), LeaseLostError);
      assert.equal(stolen, true);
      const job = await f.services.sync.getJob(f.spId, f.jobId);
      assert.equal(job.status.lastExecution, null, 'no status written after the lease was lost');
      assert.equal(await new LinkRepository(f.jobId).count(f.services.store.db, 'User'), 0, 'no link written after the lease was lost');
      const log = await f.services.store.db.selectFrom('sync_fencing_log').selectAll().where('job_id', '=', f.jobId).orderBy('token').execute();
      assert.deepEqual(log.map((r) => r.worker), ['victim', 'thief']);
      assert.equal(Number(log[0]!.writes), 0);
    } finally {
      await f.close();
    }
  });
});
