/**
 * Many workers on one PostgreSQL, as separate processes
 * (`provisio serve --role worker`): 3 workers share 30 jobs; one is killed
 * with SIGKILL while it is in the middle of cycles. Its leases expire and
 * the other workers take its jobs over; no two cycles of one job ever
 * overlap (checked from the fencing log: leases and the writes made under
 * them); every job's application ends up holding exactly what it should;
 * SIGTERM makes the survivors drain, release their leases and exit 0.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresSkipReason } from '../helpers/postgres.ts';
import { expectedState } from '../engine/expected-state.ts';
import { assertAppHolds } from '../engine/converged.ts';
import { startCluster, overlaps, fencingLog, allSynced } from './cluster.ts';

const WORKER_ENV = {
  PROVISIO_LEASE_SECONDS: '2', PROVISIO_HEARTBEAT_SECONDS: '0.5', PROVISIO_POLL_SECONDS: '0.2', PROVISIO_WORKER_CONCURRENCY: '4',
};

describe('many workers on one PostgreSQL', () => {
  test('3 worker processes, 30 jobs, one killed with SIGKILL mid-cycle: its jobs finish on the others, no overlap, every target exact', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) {
      t.skip(skip);
      return;
    }
    const c = await startCluster({ jobs: 30, seed: { users: 60, groups: 3, avgMembers: 10 }, appDelayMs: 15, workerEnv: WORKER_ENV });
    try {
      const db = c.services.store.db;
      const workers = ['w1', 'w2', 'w3'].map((id) => c.spawnWorker(id));
      for (const j of c.jobs) await c.services.sync.startJob(j.spId, j.jobId);
      // w1 is mid-cycle: it holds leases under which it has already written.
      const midCycle = () => db.selectFrom('sync_fencing_log').select('job_id').where('worker', '=', 'w1').where('ended_at', 'is', null).where('writes', '>', 0).execute();
      await c.until('w1 to be in the middle of a cycle', async () => (await midCycle()).length > 0);
      workers[0]!.child.kill('SIGKILL');
      assert.equal((await workers[0]!.exited).signal, 'SIGKILL');
      const orphaned = (await db.selectFrom('sync_fencing_log').select('job_id').where('worker', '=', 'w1').where('ended_at', 'is', null).execute()).map((r) => r.job_id);
      assert.ok(orphaned.length > 0);

      await c.until('every job to complete its initial cycle', () => allSynced(c));

      const log = await fencingLog(c);
      assert.deepEqual(overlaps(log), [], 'no two cycles of one job overlapped');
      for (const jobId of orphaned) {
        const last = log.filter((r) => r.job_id === jobId).sort((a, b) => b.token - a.token)[0]!;
        assert.notEqual(last.worker, 'w1', `${jobId} was taken over`);
        assert.equal(last.outcome, 'ended');
        const dead = log.find((r) => r.job_id === jobId && r.worker === 'w1' && r.ended_at === null)!;
        assert.ok(last.started_at > dead.expires_at, 'taken over only after the dead worker\'s lease expired');
      }
      assert.ok(new Set(log.filter((r) => r.outcome === 'ended').map((r) => r.worker)).size >= 2, 'both survivors ran cycles');

      const want = await expectedState(c.services.directory, c.jobs[0]!.spId, () => true, true);
      for (const j of c.jobs) await assertAppHolds(j.app, c, want);

      for (const w of workers.slice(1)) w.child.kill('SIGTERM');
      for (const w of workers.slice(1)) assert.deepEqual(await w.exited, { code: 0, signal: null }, `${w.id} exits cleanly on SIGTERM:\n${w.output()}`);
      assert.deepEqual(await db.selectFrom('sync_job_schedule').select('job_id').where('lease_owner', 'is not', null).execute(), []);
    } finally {
      await c.close();
    }
  });

  test('a large initial cycle shared as partitions by 3 workers; one (not the coordinator) killed mid-partition: its partitions are redone elsewhere, the target exact', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) {
      t.skip(skip);
      return;
    }
    const c = await startCluster({
      jobs: 1, seed: { users: 1200, groups: 12, avgMembers: 40 }, appDelayMs: 5,
      workerEnv: { ...WORKER_ENV, PROVISIO_WORKER_CONCURRENCY: '2', PROVISIO_PARTITION_THRESHOLD: '300', PROVISIO_PARTITION_SIZE: '150' },
    });
    try {
      const db = c.services.store.db;
      const job = c.jobs[0]!;
      const workers = ['p1', 'p2', 'p3'].map((id) => c.spawnWorker(id));
      await c.services.sync.startJob(job.spId, job.jobId);
      // A worker other than the coordinator (the job's lease holder) is in the middle of a partition:
      // it holds a partition's lease, has written under it, and has not ended it.
      let victim: string | undefined;
      await c.until('a worker to be in the middle of a partition', async () => {
        const coordinator = (await db.selectFrom('sync_job_schedule').select('lease_owner').where('job_id', '=', job.jobId).executeTakeFirst())?.lease_owner;
        const busy = await db.selectFrom('sync_fencing_log').select('worker').where('job_id', 'like', '%#%')
          .where('ended_at', 'is', null).where('writes', '>', 0).execute();
        victim = busy.map((r) => r.worker).find((w) => w !== coordinator);
        return victim !== undefined;
      });
      const w = workers.find((x) => x.id === victim)!;
      w.child.kill('SIGKILL');
      await w.exited;
      const cut = (await db.selectFrom('sync_fencing_log').select('job_id').where('worker', '=', w.id).where('ended_at', 'is', null).execute()).map((r) => r.job_id);
      await c.until('the shared cycle to complete', () => allSynced(c));

      const log = await fencingLog(c);
      assert.deepEqual(overlaps(log), [], 'no two holders of a partition (or of the job) overlapped');
      const parts = log.filter((r) => r.job_id.includes('#'));
      assert.equal(new Set(parts.map((r) => r.job_id)).size, 2 * 8, 'eight ranges of about 150 users, in two phases');
      assert.ok(new Set(parts.filter((r) => r.outcome === 'ended').map((r) => r.worker)).size >= 2, 'the ranges were shared between workers');
      for (const key of cut) {
        const last = log.filter((r) => r.job_id === key).sort((a, b) => b.token - a.token)[0]!;
        assert.notEqual(last.worker, w.id, `${key} was redone by another worker`);
      }
      const status = JSON.parse((await db.selectFrom('sync_jobs').select('status').where('id', '=', job.jobId).executeTakeFirstOrThrow()).status) as {
        lastExecution: { countImported: number; state: string };
      };
      assert.equal(status.lastExecution.state, 'Succeeded');
      assert.ok(status.lastExecution.countImported >= 1200 + 12, 'the status adds up the partitions\' imports (a redone range counts again)');
      const want = await expectedState(c.services.directory, job.spId, () => true, true);
      await assertAppHolds(job.app, c, want);
      assert.equal((await db.selectFrom('sync_cycle_partitions').selectAll().execute()).length, 0);
    } finally {
      await c.close();
    }
  });

  test('SIGTERM mid-cycle: the worker finishes the batch in flight, gives the lease back due at once, exits 0; another worker resumes the cycle', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) {
      t.skip(skip);
      return;
    }
    const c = await startCluster({ jobs: 1, seed: { users: 2000, groups: 10, avgMembers: 20 }, appDelayMs: 5, workerEnv: { ...WORKER_ENV, PROVISIO_LEASE_SECONDS: '60', PROVISIO_HEARTBEAT_SECONDS: '1' } });
    try {
      const db = c.services.store.db;
      const job = c.jobs[0]!;
      const first = c.spawnWorker('term-1');
      await c.services.sync.startJob(job.spId, job.jobId);
      await c.until('term-1 to be mid-cycle', async () => (await db.selectFrom('sync_fencing_log').select('job_id')
        .where('worker', '=', 'term-1').where('writes', '>', 0).execute()).length > 0);
      const sentAt = Date.now();
      first.child.kill('SIGTERM');
      assert.deepEqual(await first.exited, { code: 0, signal: null }, first.output());
      const [row] = await db.selectFrom('sync_fencing_log').selectAll().where('worker', '=', 'term-1').execute();
      assert.equal(row?.outcome, 'drained');
      assert.ok(Number(row.ended_at) >= sentAt, 'ended after the signal: it finished the batch in flight');
      const sched = await db.selectFrom('sync_job_schedule').selectAll().where('job_id', '=', job.jobId).executeTakeFirstOrThrow();
      assert.equal(sched.lease_owner, null, 'the lease was given back');
      assert.ok(Number(sched.due_at) <= Date.now(), 'due at once, not after the 60 s lease');
      assert.equal(await allSynced(c), false, 'stopped mid-cycle');
      const linkedBefore = (await db.selectFrom('sync_links').select('source_id').where('job_id', '=', job.jobId).execute()).length;
      assert.ok(linkedBefore > 0);

      const second = c.spawnWorker('term-2');
      await c.until('term-2 to finish the cycle', () => allSynced(c), 60_000);
      const want = await expectedState(c.services.directory, job.spId, () => true, true);
      await assertAppHolds(job.app, c, want);
      assert.deepEqual(overlaps(await fencingLog(c)), []);
      second.child.kill('SIGTERM');
      assert.deepEqual(await second.exited, { code: 0, signal: null });
    } finally {
      await c.close();
    }
  });
});
