/**
 * A large initial cycle shared as partitions (src/scheduler/partitions.ts),
 * in one process on SQLite: the users are cut into ranges, each range is
 * run under its own lease (logged in the fencing log), the manager phase
 * follows, and the job's status adds every range's counts to the
 * coordinator's. The target ends up exactly as an unshared cycle leaves it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { partitionKey } from '../../src/scheduler/partitions.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { engineFixture } from '../engine/helpers.ts';
import { LinkRepository } from '../../src/engine/links.ts';

describe('partitions of an initial cycle (one process)', () => {
  test('users cut into ranges run under their own leases; status aggregates them; the target is exact', async () => {
    const clock = new ManualClock();
    const shared = createMemoryTarget();
    const plain = createMemoryTarget();
    const f = await engineFixture({ target: () => shared, clock, seed: { users: 230, groups: 6, avgMembers: 20 }, secrets: { SyncAll: 'true' } });
    try {
      const sched = new Scheduler(f.services.store, f.services.sync, f.engine, clock, pino({ level: process.env.DEBUG_SCHED ? 'debug' : 'silent' }), { leaseMs: 30_000, heartbeatMs: 10_000 });
      sched.enableSharing(f.engine, { threshold: 100, partitionSize: 50, waitMs: 10 });
      await f.services.sync.startJob(f.spId, f.jobId);
      assert.deepEqual(await sched.runOnce(), [f.jobId]);
      const job = await f.services.sync.getJob(f.spId, f.jobId);
      assert.equal(job.status.lastExecution?.state, 'Succeeded');
      assert.equal(job.status.lastExecution?.countImported, 230 + 6, 'every range\'s imports are counted once');
      const log = await f.services.store.db.selectFrom('sync_fencing_log').selectAll().execute();
      const parts = log.filter((r) => r.job_id.includes('#'));
      const cycleId = job.status.lastExecution!.activityIdentifier!;
      assert.deepEqual(parts.map((r) => r.job_id).sort(), [0, 1, 2, 3, 4].flatMap((part) => [
        partitionKey({ jobId: f.jobId, cycleId, phase: 'users', part }), partitionKey({ jobId: f.jobId, cycleId, phase: 'managers', part }),
      ]).sort(), 'five ranges of about 50 users, each phase under its own lease, keyed by the cycle');
      assert.ok(parts.every((r) => r.outcome === 'ended' && Number(r.writes) > 0));
      assert.equal((await f.services.store.db.selectFrom('sync_cycle_partitions').selectAll().execute()).length, 0, 'cleared when the cycle ended');
      // A restart from scratch (resetScope Full) runs a whole shared initial cycle again.
      await f.services.sync.restartJob(f.spId, f.jobId, 'Full');
      assert.deepEqual(await sched.runOnce(), [f.jobId]);
      const again = await f.services.sync.getJob(f.spId, f.jobId);
      assert.equal(again.status.lastExecution?.state, 'Succeeded', JSON.stringify(again.status.lastExecution?.error));
      assert.equal(again.status.lastExecution?.countImported, 230 + 6);

      // The same directory, unshared, into another target: the same result object by object.
      const g = await engineFixture({ target: () => plain, seed: { users: 230, groups: 6, avgMembers: 20 }, secrets: { SyncAll: 'true' } });
      try {
        await g.engine.runCycle(g.jobId);
        const links = async (x: typeof f) => [await new LinkRepository(x.jobId).count(x.services.store.db, 'User'), await new LinkRepository(x.jobId).count(x.services.store.db, 'Group')];
        assert.deepEqual(await links(f), await links(g));
        assert.equal(job.status.lastExecution?.countExported, (await g.services.sync.getJob(g.spId, g.jobId)).status.lastExecution?.countExported, 'as many exports counted');
        const byId = (t: typeof shared) => new Map(t.users().map((u) => [u.id, (u as Record<string, unknown>).userName]));
        const norm = (t: typeof shared) => {
          const names = byId(t);
          return JSON.stringify({
            users: t.users().map((x) => {
              const u = x as Record<string, unknown>;
              return [u.userName, u.displayName, u.active, names.get(managerOf(u) as string) ?? null];
            }).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
            groups: t.groups().map((x) => {
              const g = x as Record<string, unknown>;
              return [g.displayName, ((g.members ?? []) as { value: string }[]).map((m) => names.get(m.value) ?? m.value).sort()];
            }).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
          });
        };
        assert.equal(norm(shared), norm(plain));
      } finally {
        await g.close();
      }
    } finally {
      await f.close();
    }
  });

  test('Pause during a shared cycle stops it; Start resumes it on the partitions already done', async () => {
    const clock = new ManualClock();
    let creates = 0;
    let pause: (() => Promise<void>) | undefined;
    const target = createMemoryTarget({
      failWith: (call) => {
        if (call.method === 'createUser' && ++creates === 60) void pause?.();
        return undefined;
      },
    });
    const f = await engineFixture({ target: () => target, clock, seed: { users: 230, groups: 6, avgMembers: 20 }, secrets: { SyncAll: 'true' } });
    try {
      pause = () => f.services.sync.pauseJob(f.spId, f.jobId);
      const sched = new Scheduler(f.services.store, f.services.sync, f.engine, clock, pino({ level: 'silent' }), { leaseMs: 30_000, heartbeatMs: 10_000 });
      sched.enableSharing(f.engine, { threshold: 100, partitionSize: 50, waitMs: 10 });
      await f.services.sync.startJob(f.spId, f.jobId);
      assert.deepEqual(await sched.runOnce(), [f.jobId]);
      const paused = await f.services.sync.getJob(f.spId, f.jobId);
      assert.equal(paused.status.code, 'Paused');
      const rows = await f.services.store.db.selectFrom('sync_cycle_partitions').selectAll().execute();
      const done = rows.filter((r) => r.state === 'done').length;
      assert.ok(done >= 1 && done < rows.length, `some partitions done (${done} of ${rows.length}), the rest kept for the resume`);
      const createsAtPause = creates;

      await f.services.sync.startJob(f.spId, f.jobId);
      assert.deepEqual(await sched.runOnce(), [f.jobId]);
      const job = await f.services.sync.getJob(f.spId, f.jobId);
      assert.equal(job.status.lastExecution?.state, 'Succeeded');
      assert.equal((await f.services.store.db.selectFrom('sync_cycle_partitions').selectAll().execute()).length, 0);
      const users = target.users().map((u) => String((u as Record<string, unknown>).userName));
      assert.equal(new Set(users).size, users.length, 'nobody created twice');
      assert.equal(users.length, await new LinkRepository(f.jobId).count(f.services.store.db, 'User'));
      assert.ok(creates - createsAtPause < 230 - 50, 'the done partitions were not redone');
    } finally {
      await f.close();
    }
  });
});

function managerOf(u: Record<string, unknown>): unknown {
  const ext = u['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { manager?: { value?: string } } | undefined;
  return ext?.manager?.value;
}

