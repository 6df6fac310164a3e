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
});
