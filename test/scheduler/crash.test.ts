/**
 * Crash safety of the initial cycle: the only worker is killed with SIGKILL
 * at random moments of a job's initial cycle, ten times, and started again
 * each time. Afterwards the application holds every object exactly once,
 * nothing is missing, and every object in it is linked (a create that was
 * cut off before its link was written was repaired by matching, not
 * created again). The kill moments come from a seeded generator (the seed
 * is printed, PROVISIO_CRASH_SEED replays a run) and spread over the
 * cycle's phases (users, managers, groups and memberships), judged by what
 * the application holds, so that they land inside it whatever the
 * machine's speed.
 */
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { postgresSkipReason } from '../helpers/postgres.ts';
import { expectedState } from '../engine/expected-state.ts';
import { assertAppHolds } from '../engine/converged.ts';
import { startCluster, overlaps, fencingLog, allSynced } from './cluster.ts';
import { prng } from '../helpers/prng.ts';

describe('crash safety', () => {
  test('SIGKILL at 10 random moments of an initial cycle, restarting each time: no duplicate, nothing missing', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) {
      t.skip(skip);
      return;
    }
    const seed = Number(process.env.PROVISIO_CRASH_SEED ?? Date.now() % 1_000_000);
    t.diagnostic(`kill moments from seed ${seed} (PROVISIO_CRASH_SEED=${seed} replays them)`);
    const random = prng(seed);
    const USERS = 1500;
    const c = await startCluster({
      jobs: 1, seed: { users: USERS, groups: 90, avgMembers: 10 }, appDelayMs: 10,
      workerEnv: { PROVISIO_LEASE_SECONDS: '1', PROVISIO_HEARTBEAT_SECONDS: '0.3', PROVISIO_POLL_SECONDS: '0.1' },
    });
    try {
      const db = c.services.store.db;
      const job = c.jobs[0]!;
      await c.services.sync.startJob(job.spId, job.jobId);
      const want = await expectedState(c.services.directory, job.spId, () => true, true);
      const totalManagers = [...want.users.values()].filter((u) => u.managerId && want.users.has(u.managerId)).length;
      // The last phase is counted in groups whose members are in (one PATCH each, mostly): member counts
      // jump by whole groups, which would let the last kills overshoot the cycle's end.
      const totalMembers = [...want.members.values()].filter((m) => m.size > 0).length;
      const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
      const progress = () => ({
        users: job.app.users().length,
        managers: job.app.users().filter((u) => (u[ENTERPRISE] as { manager?: unknown } | undefined)?.manager).length,
        groups: job.app.groups().length,
        members: job.app.groups().filter((g) => ((g.members ?? []) as unknown[]).length > 0).length,
      });
      // The kill moments: four while users are created, three while managers are set, three while groups
      // and their members are; each at a random point of what is left of that phase, judged by what the
      // application holds (not by time, so that they land inside the cycle on any machine).
      const plan: ('users' | 'managers' | 'members')[] = ['users', 'users', 'users', 'users', 'managers', 'managers', 'managers', 'members', 'members', 'members'];
      const phases: string[] = [];
      for (let i = 0; i < 10; i++) {
        const now = progress();
        // The members phase is the cycle's last: each kill there takes at most a third of what is left, so
        // that the last kill still finds work to cut short.
        const r = plan[i] === 'members' ? 0.05 + 0.3 * random() : 0.1 + 0.6 * random();
        const reached = plan[i] === 'users'
          ? (p: ReturnType<typeof progress>) => p.users >= Math.min(want.users.size, now.users + Math.max(20, Math.floor(r * (want.users.size - now.users))))
          : plan[i] === 'managers'
            ? (p: ReturnType<typeof progress>) => p.managers >= Math.min(totalManagers, now.managers + Math.max(5, Math.floor(r * (totalManagers - now.managers))))
            : (p: ReturnType<typeof progress>) => p.members >= Math.min(totalMembers, now.members + Math.max(1, Math.floor(r * (totalMembers - now.members))));
        const w = c.spawnWorker(`crash-${i}`);
        // Polled every few milliseconds (what the application holds is in this process): the later phases
        // go fast, and a coarse poll would let the cycle finish before the kill.
        const deadline = Date.now() + 120_000;
        while (!reached(progress())) {
          if (Date.now() > deadline) throw new Error(`worker crash-${i} never got into the ${plan[i]} phase`);
          await delay(2);
        }
        w.child.kill('SIGKILL');
        await w.exited;
        assert.equal(await allSynced(c), false, `kill ${i + 1} landed before the initial cycle ended`);
        const links = await db.selectFrom('sync_links').select('object_type').where('job_id', '=', job.jobId).execute();
        const p = progress();
        phases.push(`${plan[i]}: ${links.filter((l) => l.object_type === 'User').length} user links / ${p.users} users, ` +
          `${p.managers}/${totalManagers} managers, ${p.groups} groups, ${p.members}/${totalMembers} groups with members`);
      }
      t.diagnostic(`at the kills: ${phases.join('; ')}`);
      const last = c.spawnWorker('crash-final');
      await c.until('the initial cycle to complete after the last restart', () => allSynced(c));
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
