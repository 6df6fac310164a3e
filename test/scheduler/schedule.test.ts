/**
 * The scheduler on an injected clock (SQLite, one worker): Graph's schedule
 * (interval down to seconds, Entra's 40-minute default, Paused, expiration),
 * "sync now", quarantine slowing the cadence, and a clock that jumps
 * forward (what is due runs once) or backward (nothing runs twice; no job
 * waits longer than the wait it was given). Each `runOnce` claims what is
 * due at the clock's instant and waits for those cycles.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { StopRunError, TargetErrorCodes } from '../../src/connectors/errors.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { engineFixture } from '../engine/helpers.ts';
import type { EngineFixture } from '../engine/helpers.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;

let clock: ManualClock;
let f: EngineFixture;
let sched: Scheduler;
let refuse = false;

async function job(schedule?: { interval: string; expiration?: string | null }): Promise<string> {
  const j = await f.services.sync.createJob(f.spId, { templateId: 'scim', ...(schedule ? { schedule: { expiration: null, ...schedule } } : {}) });
  return j.id;
}

const due = async (jobId: string) => (await f.services.store.db.selectFrom('sync_job_schedule').select('due_at').where('job_id', '=', jobId).executeTakeFirstOrThrow()).due_at;

beforeEach(async () => {
  clock = new ManualClock(T0);
  refuse = false;
  const memory = createMemoryTarget();
  const target = new Proxy(memory, {
    get(t, prop, receiver) {
      if (prop === 'testConnection' && refuse) return () => Promise.reject(new StopRunError(TargetErrorCodes.invalidCredentials, 'The target refused the credentials.'));
      return Reflect.get(t, prop, receiver) as unknown;
    },
  });
  f = await engineFixture({ target: () => target, clock, seed: { users: 8, groups: 2, avgMembers: 3 } });
  sched = new Scheduler(f.services.store, f.services.sync, f.engine, clock, pino({ level: 'silent' }), { leaseMs: 30 * SECOND, heartbeatMs: 10 * SECOND });
});

afterEach(async () => {
  await sched.stop();
  await f.close();
});

describe('schedule on an injected clock', () => {
  test('an interval of seconds: runs at Start, then once per interval after the last cycle ended', async () => {
    const id = await job({ interval: 'PT30S' });
    assert.deepEqual(await sched.runOnce(), [], 'a job that was never started does not run');
    await f.services.sync.startJob(f.spId, id);
    assert.deepEqual(await sched.runOnce(), [id], 'Start runs the initial cycle at once');
    assert.deepEqual(await sched.runOnce(), [], 'not again at the same instant');
    assert.equal(await due(id), T0 + 30 * SECOND);
    clock.advance(29 * SECOND);
    assert.deepEqual(await sched.runOnce(), []);
    clock.advance(1 * SECOND);
    assert.deepEqual(await sched.runOnce(), [id]);
    const j = await f.services.sync.getJob(f.spId, id);
    assert.equal(j.status.lastExecution?.timeEnded, new Date(T0 + 30 * SECOND).toISOString());
    assert.equal(await due(id), T0 + 60 * SECOND);
  });

  test("Entra's 40-minute default when the job has no interval of its own", async () => {
    const id = await job();
    await f.services.sync.startJob(f.spId, id);
    assert.deepEqual(await sched.runOnce(), [id]);
    assert.equal((await f.services.sync.getJob(f.spId, id)).schedule.interval, 'PT40M');
    clock.advance(40 * MINUTE - 1);
    assert.deepEqual(await sched.runOnce(), []);
    clock.advance(1);
    assert.deepEqual(await sched.runOnce(), [id]);
  });

  test('sync now: Start on an Active job runs an incremental cycle at once, without a restart', async () => {
    const id = await job({ interval: 'PT1H' });
    await f.services.sync.startJob(f.spId, id);
    await sched.runOnce();
    clock.advance(5 * MINUTE);
    assert.deepEqual(await sched.runOnce(), []);
    await f.services.sync.startJob(f.spId, id);
    assert.deepEqual(await sched.runOnce(), [id]);
    const j = await f.services.sync.getJob(f.spId, id);
    assert.equal(j.status.lastExecution?.countImported, 0, 'incremental: nothing imported in full');
    assert.equal(await due(id), T0 + 5 * MINUTE + 60 * MINUTE, 'then the interval counts from this cycle');
  });

  test('a sync-now request made while a cycle runs is not lost when that cycle ends', async () => {
    const id = await job({ interval: 'PT1H' });
    await f.services.sync.startJob(f.spId, id);
    const [lease] = await sched.leases.claim('other-worker', clock.now().getTime(), 30 * SECOND, 1);
    assert.equal(lease?.jobId, id);
    await f.services.sync.startJob(f.spId, id); // arrives while "other-worker" holds the job
    await sched.leases.release(lease!, clock.now().getTime(), clock.now().getTime() + 60 * MINUTE, 'ended');
    assert.deepEqual(await sched.runOnce(), [id]);
  });

  test('Pause stops scheduling; Start resumes at once; Disabled never runs', async () => {
    const id = await job({ interval: 'PT30S' });
    await f.services.sync.startJob(f.spId, id);
    await sched.runOnce();
    await f.services.sync.pauseJob(f.spId, id);
    assert.equal(await due(id), null);
    clock.advance(10 * MINUTE);
    assert.deepEqual(await sched.runOnce(), []);
    assert.equal(sched.dueAt(await f.services.sync.getJob(f.spId, id)), undefined);
    await f.services.sync.startJob(f.spId, id);
    assert.deepEqual(await sched.runOnce(), [id]);
  });

  test('expiration: the job stops running once its schedule has expired', async () => {
    const id = await job({ interval: 'PT30S', expiration: new Date(T0 + 45 * SECOND).toISOString() });
    await f.services.sync.startJob(f.spId, id);
    assert.deepEqual(await sched.runOnce(), [id]);
    clock.advance(30 * SECOND);
    assert.deepEqual(await sched.runOnce(), [id], 'still before the expiration');
    clock.advance(30 * SECOND);
    assert.deepEqual(await sched.runOnce(), [], 'due, but expired');
    assert.equal(sched.dueAt(await f.services.sync.getJob(f.spId, id)), undefined, 'and no longer scheduled');
    clock.advance(60 * MINUTE);
    assert.deepEqual(await sched.runOnce(), []);
  });

  test('quarantine slows the cadence: the next attempt waits for the ladder, not the interval', async () => {
    const id = await job({ interval: 'PT30S' });
    await f.services.sync.startJob(f.spId, id);
    refuse = true;
    assert.deepEqual(await sched.runOnce(), [id]);
    const j = await f.services.sync.getJob(f.spId, id);
    assert.equal(j.status.code, 'Quarantine');
    assert.equal(await due(id), Date.parse(j.status.quarantine!.nextAttempt));
    assert.equal(await due(id), T0 + 5 * MINUTE);
    clock.advance(5 * MINUTE - 1);
    assert.deepEqual(await sched.runOnce(), [], 'the 30-second interval does not apply in quarantine');
    clock.advance(1);
    refuse = false;
    assert.deepEqual(await sched.runOnce(), [id]);
    assert.equal((await f.services.sync.getJob(f.spId, id)).status.code, 'Active', 'out of quarantine');
    assert.equal(await due(id), T0 + 5 * MINUTE + 30 * SECOND, 'back to the interval');
  });

  test('a clock that jumps forward: what is due runs once, not once per missed interval', async () => {
    const id = await job({ interval: 'PT30S' });
    await f.services.sync.startJob(f.spId, id);
    await sched.runOnce();
    clock.advance(10 * 60 * MINUTE);
    assert.deepEqual(await sched.runOnce(), [id]);
    assert.deepEqual(await sched.runOnce(), []);
    assert.equal(await due(id), T0 + 10 * 60 * MINUTE + 30 * SECOND);
  });

  test('a clock that jumps backward: nothing runs twice, and the wait is at most the interval', async () => {
    const id = await job({ interval: 'PT30S' });
    await f.services.sync.startJob(f.spId, id);
    clock.advance(10 * MINUTE);
    assert.deepEqual(await sched.runOnce(), [id]);
    clock.advance(-60 * MINUTE);
    assert.deepEqual(await sched.runOnce(), [], 'the cycle that just ran does not run again');
    clock.advance(29 * SECOND);
    assert.deepEqual(await sched.runOnce(), []);
    clock.advance(1 * SECOND);
    assert.deepEqual(await sched.runOnce(), [id], 'not an hour later: the 30 s wait was re-based on the clock as it reads now');
    assert.deepEqual(await sched.runOnce(), []);
  });

  test('a lease that outlasts the lease duration after a backward jump is cut to it', async () => {
    const id = await job({ interval: 'PT30S' });
    await f.services.sync.startJob(f.spId, id);
    const now = clock.now().getTime();
    const [lease] = await sched.leases.claim('dead-worker', now, 30 * SECOND, 1);
    assert.equal(lease?.jobId, id);
    clock.advance(-60 * MINUTE);
    assert.deepEqual(await sched.runOnce(), [], 'the lease still holds');
    clock.advance(30 * SECOND + 1);
    assert.deepEqual(await sched.runOnce(), [id], 'the dead worker\'s lease expired after at most 30 s of this clock');
  });

  test('a deleted job is not scheduled any more', async () => {
    const id = await job({ interval: 'PT30S' });
    await f.services.sync.startJob(f.spId, id);
    await f.services.sync.deleteJob(f.spId, id);
    assert.deepEqual(await sched.runOnce(), []);
  });
});
