/**
 * Crash safety of the initial cycle: the only worker is killed with SIGKILL
 * at random moments of a job's initial cycle, ten times, and started again
 * each time. Afterwards the application holds every object exactly once,
 * nothing is missing, and every object in it is linked (a create that was
 * cut off before its link was written was repaired by matching, not
 * created again). The kill moments come from a seeded generator (the seed
 * is printed, PROVISIO_CRASH_SEED replays a run) and are counted in
 * requests the application received, so that they land inside the cycle
 * whatever the machine's speed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresSkipReason } from '../helpers/postgres.ts';
import { expectedState } from '../engine/expected-state.ts';
import { assertAppHolds } from '../engine/converged.ts';
import { startCluster, overlaps, fencingLog, allSynced } from './cluster.ts';

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('crash safety', () => {
  test('SIGKILL at 10 random moments of an initial cycle, restarting each time: no duplicate, nothing missing', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) {
      t.skip(skip);
      return;
    }
    const seed = Number(process.env.PROVISIO_CRASH_SEED ?? Date.now() % 1_000_000);
    t.diagnostic(`kill moments from seed ${seed} (PROVISIO_CRASH_SEED=${seed} replays them)`);
    const random = rng(seed);
    const c = await startCluster({
      jobs: 1, seed: { users: 3000, groups: 60, avgMembers: 30 }, appDelayMs: 5,
      workerEnv: { PROVISIO_LEASE_SECONDS: '1', PROVISIO_HEARTBEAT_SECONDS: '0.3', PROVISIO_POLL_SECONDS: '0.1' },
    });
    try {
      const db = c.services.store.db;
      const job = c.jobs[0]!;
      await c.services.sync.startJob(job.spId, job.jobId);
      const phases: string[] = [];
      for (let i = 0; i < 10; i++) {
        // A random moment of the cycle, counted in requests the application received from this worker
        // (not in milliseconds, so that the kills land inside the cycle on a fast machine too).
        const base = job.app.stats().requests;
        const after = 150 + Math.floor(random() * 750);
        const w = c.spawnWorker(`crash-${i}`);
        await c.until(`worker crash-${i} to send ${after} requests`, () => Promise.resolve(job.app.stats().requests >= base + after));
        w.child.kill('SIGKILL');
        await w.exited;
        assert.equal(await allSynced(c), false, `kill ${i + 1} landed before the initial cycle ended`);
        const links = await db.selectFrom('sync_links').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', job.jobId).executeTakeFirstOrThrow();
        phases.push(`${Number(links.n)} links / ${job.app.users().length} users, ${job.app.groups().length} groups in the app`);
      }
      t.diagnostic(`at the kills: ${phases.join('; ')}`);
      const last = c.spawnWorker('crash-final');
      await c.until('the initial cycle to complete after the last restart', () => allSynced(c));
      const want = await expectedState(c.services.directory, job.spId, () => true, true);
      await assertAppHolds(job.app, c, want);
      // Every object in the application is linked, once: none was created twice, none left unmanaged.
      const links = await db.selectFrom('sync_links').select(['object_type', 'target_id']).where('job_id', '=', job.jobId).execute();
      const linked = (type: string) => links.filter((l) => l.object_type === type).map((l) => l.target_id).sort();
      assert.deepEqual(linked('User'), job.app.users().map((u) => String(u.id)).sort(), 'users in the app = linked users');
      assert.deepEqual(linked('Group'), job.app.groups().map((g) => String(g.id)).sort(), 'groups in the app = linked groups');
      assert.deepEqual(overlaps(await fencingLog(c)), []);
      last.child.kill('SIGTERM');
      assert.deepEqual(await last.exited, { code: 0, signal: null });
    } finally {
      await c.close();
    }
  });
});
