/**
 * Quarantine as the engine applies it, on an injected clock:
 * - a target that refuses the run quarantines the job at once; each
 *   re-evaluation follows the ladder; after 28 days the job is disabled;
 *   Start clears the quarantine (seed 004);
 * - escrow counts crossing each threshold (5,000 with more than 40 %,
 *   40,000, 60,000 with references) quarantine with the matching reason;
 *   in an initial cycle the escrows are pruned and the job paused instead;
 * - accidental deletions: beyond the threshold deletes and disables are
 *   staged (logged as stagedDelete, not sent) and the job is quarantined
 *   with TooManyDeletes; staged deletes are held until a restart with
 *   ForceDeletes lets them through once.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import type { MemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { StopRunError, TargetErrorCodes } from '../../src/connectors/errors.ts';
import { EscrowRepository } from '../../src/engine/escrows.ts';
import { loadJobState } from '../../src/engine/job-state.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/engine/ladder.ts';
import type { Db } from '../../src/store/store.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');

/** Escrow rows straight into the store: the thresholds are about counts, not about how they came about. */
async function insertEscrows(db: Db, jobId: string, n: number, action: string, now: Date, prefix: string): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({
    job_id: jobId, object_type: 'User', source_id: `${prefix}-${String(i).padStart(6, '0')}`, action,
    error: JSON.stringify({ code: 'SystemForCrossDomainIdentityManagementBadRequest', message: 'refused', status: 400 }), attempts: 1,
    first_failed_at: now.toISOString(), next_attempt_at: new Date(now.getTime() + 6 * HOUR_MS).toISOString(),
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('sync_escrows').values(rows.slice(i, i + 500)).execute();
}

describe('a pause that lands while a failing cycle runs', () => {
  test('wins: the job shows Paused and keeps the quarantine block for the next Start', async () => {
    const memory = createMemoryTarget();
    // The administrator's pause is durable before the target's refusal reaches the engine.
    const target = Object.assign(Object.create(memory) as MemoryTarget, {
      async testConnection(): Promise<never> {
        await f.services.sync.pauseJob(f.spId, f.jobId);
        throw new StopRunError(TargetErrorCodes.invalidCredentials, 'The target refused the credentials.');
      },
    });
    const f: EngineFixture = await engineFixture({ target: () => target, clock: new ManualClock(T0) });
    try {
      await f.services.sync.startJob(f.spId, f.jobId);
      await f.engine.runCycle(f.jobId);
      const job = await f.services.sync.getJob(f.spId, f.jobId);
      assert.equal(job.schedule.state, 'Paused');
      assert.equal(job.status.code, 'Paused');
      assert.equal(job.status.quarantine?.reason, 'EncounteredQuarantineException');
    } finally {
      await f.close();
    }
  });
});

describe('quarantine on a stop-the-run failure: the ladder, disabled after 28 days, cleared by Start', () => {
  const clock = new ManualClock(T0);
  let f: EngineFixture;
  let refuse = true;
  before(async () => {
    const target = createMemoryTarget({
      failWith: (c) => (refuse && c.method === 'testConnection'
        ? new StopRunError(TargetErrorCodes.invalidCredentials, 'The target refused the credentials. GET /Users?filter=… answered 401')
        : undefined),
    });
    f = await engineFixture({ target: () => target, clock });
    await f.services.sync.startJob(f.spId, f.jobId);
  });
  after(async () => f.close());

  test('the first failure quarantines at once: EncounteredQuarantineException, the error, nextAttempt 5 minutes later', async () => {
    assert.equal(await f.engine.runCycle(f.jobId), undefined);
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.code, 'Quarantine');
    const q = job.status.quarantine!;
    assert.equal(q.reason, 'EncounteredQuarantineException');
    assert.deepEqual(q.error, { code: 'SystemForCrossDomainIdentityManagementInvalidCredentials', message: 'The target refused the credentials. GET /Users?filter=… answered 401', tenantActionable: true });
    assert.equal(q.currentBegan, new Date(T0).toISOString());
    assert.equal(q.nextAttempt, new Date(T0 + 5 * MINUTE_MS).toISOString());
    assert.equal(q.seriesCount, 1);
    assert.equal(job.status.lastExecution?.state, 'Failed');
    assert.equal(job.status.countSuccessiveCompleteFailures, 1);
    assert.equal(f.services.runner.dueAt(job), T0 + 5 * MINUTE_MS, 'the runner waits for nextAttempt');
  });

  test('each failing re-evaluation keeps the series on the ladder; after 28 days the job is disabled', async () => {
    const nexts: number[] = [];
    for (let i = 0; i < 40; i++) {
      const job = await f.services.sync.getJob(f.spId, f.jobId);
      if (job.schedule.state === 'Disabled') break;
      clock.set(job.status.quarantine!.nextAttempt);
      await f.engine.runCycle(f.jobId);
      nexts.push(Date.parse((await f.services.sync.getJob(f.spId, f.jobId)).status.quarantine!.nextAttempt) - T0);
    }
    assert.deepEqual(nexts.slice(0, 4), [6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS]);
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.schedule.state, 'Disabled');
    assert.equal(job.status.code, 'Quarantine');
    assert.equal(Date.parse(job.status.quarantine!.currentBegan) - T0, 28 * DAY_MS);
    assert.equal(job.status.quarantine!.seriesBegan, new Date(T0).toISOString());
    assert.equal(f.services.runner.dueAt(job), undefined, 'a disabled job no longer runs');
  });

  test('fixing the cause and Start clear the quarantine; the next cycle succeeds', async () => {
    refuse = false;
    await f.services.sync.startJob(f.spId, f.jobId);
    let job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.quarantine, null);
    assert.equal(job.schedule.state, 'Active');
    assert.notEqual(job.status.code, 'Quarantine');
    assert.ok(await f.engine.runCycle(f.jobId));
    job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.code, 'Active');
    assert.equal(job.status.countSuccessiveCompleteFailures, 0);
  });

  test('a quarantine that lifts by itself: the next re-evaluation succeeds and the series ends', async () => {
    refuse = true;
    clock.advance(HOUR_MS);
    await f.engine.runCycle(f.jobId);
    let job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.quarantine?.seriesCount, 1, 'a new series');
    refuse = false;
    clock.set(job.status.quarantine!.nextAttempt);
    await f.engine.runCycle(f.jobId);
    job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.quarantine, null);
    assert.equal(job.status.code, 'Active');
  });
});

describe('quarantine on escrow thresholds', () => {
  const clock = new ManualClock(T0);
  let f: EngineFixture;
  let db: Db;
  before(async () => {
    const target = createMemoryTarget();
    f = await engineFixture({ target: () => target, clock });
    db = f.services.store.db;
    await f.engine.runCycle(f.jobId);
  });
  after(async () => f.close());

  const reasonAfterCycle = async () => {
    clock.advance(MINUTE_MS);
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.full, false, 'an incremental cycle');
    return (await f.services.sync.getJob(f.spId, f.jobId)).status.quarantine?.reason;
  };

  test('4,999 failures never quarantine; the 5,000th, at more than 40 % failing, does', async () => {
    const counts0 = await f.engine.escrowCounts(f.jobId);
    assert.ok(counts0.succeeded > 0 && counts0.succeeded < 100);
    await insertEscrows(db, f.jobId, 4_999, 'create', clock.now(), 'a');
    assert.equal(await reasonAfterCycle(), undefined);
    await insertEscrows(db, f.jobId, 1, 'update', clock.now(), 'b');
    assert.equal(await reasonAfterCycle(), 'EncounteredEscrowProportionThreshold');
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.code, 'Quarantine');
    assert.match(job.status.quarantine!.error!.message!, /^5000 of \d+ provisioning events/);
    assert.equal(job.status.lastExecution?.state, 'Succeeded', 'the cycle itself ran');
  });

  test('more than 40,000 object failures: EncounteredBaseEscrowThreshold, in the same series', async () => {
    await insertEscrows(db, f.jobId, 35_000, 'create', clock.now(), 'c');
    assert.equal(await reasonAfterCycle(), 'EncounteredEscrowProportionThreshold', 'exactly 40,000');
    await insertEscrows(db, f.jobId, 1, 'create', clock.now(), 'd');
    assert.equal(await reasonAfterCycle(), 'EncounteredBaseEscrowThreshold');
    assert.equal((await f.services.sync.getJob(f.spId, f.jobId)).status.quarantine?.seriesCount, 3);
  });

  test('reference failures count towards the 60,000 cap only', async () => {
    await db.deleteFrom('sync_escrows').where('source_id', 'like', 'd-%').execute();
    await db.deleteFrom('sync_escrows').where('source_id', 'like', 'c-%').execute();
    await insertEscrows(db, f.jobId, 30_000, 'create', clock.now(), 'e'); // 35,000 object failures
    await insertEscrows(db, f.jobId, 25_000, 'manager', clock.now(), 'm'); // exactly 60,000 in all
    assert.deepEqual({ ...(await f.engine.escrowCounts(f.jobId)), succeeded: 0 }, { failed: 35_000, referenceFailed: 25_000, succeeded: 0 });
    assert.equal(await reasonAfterCycle(), 'EncounteredEscrowProportionThreshold');
    await insertEscrows(db, f.jobId, 1, 'members', clock.now(), 'n');
    assert.equal(await reasonAfterCycle(), 'EncounteredTotalEscrowThreshold');
  });

  test('in an initial (full) cycle the escrows are pruned and the job paused instead', async () => {
    await f.services.sync.restartJob(f.spId, f.jobId, 'Watermark');
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.full, true);
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.escrowsPruned, true);
    assert.equal(job.schedule.state, 'Paused');
    assert.equal(job.status.code, 'Paused');
    assert.equal(job.status.quarantine, null);
    assert.equal(job.status.lastExecution?.error?.code, 'EncounteredTotalEscrowThreshold');
    assert.equal(await new EscrowRepository(f.jobId).count(db), 0);
  });
});

describe('accidental deletions: staged beyond the threshold, TooManyDeletes, ForceDeletes', () => {
  const clock = new ManualClock(T0);
  let f: EngineFixture;
  let target: MemoryTarget;
  let inScope: { id: string; userPrincipalName: string }[] = [];
  const disables = (from: number) => target.calls().slice(from).filter((c) => c.method === 'setActive' && c.args[1] === false);
  before(async () => {
    target = createMemoryTarget({ recordCalls: true });
    // Threshold 5: at most 4 deletes and disables per cycle. The secret wins over the job setting (500).
    f = await engineFixture({
      target: () => target, clock, seed: { users: 80, groups: 4, avgMembers: 10, seed: 3 },
      secrets: { SyncAll: 'True', SyncNotificationSettings: JSON.stringify({ Enabled: false, DeleteThresholdEnabled: true, DeleteThresholdValue: 5 }) },
    });
    await f.services.sync.startJob(f.spId, f.jobId);
    await f.engine.runCycle(f.jobId);
    const all: { id: string; userPrincipalName: string; accountEnabled: boolean }[] = [];
    for await (const b of f.services.directory.streamUsers()) all.push(...b);
    inScope = all.filter((u) => u.accountEnabled).slice(0, 12);
  });
  after(async () => f.close());

  test('8 disables in one cycle with threshold 5: 4 go out, 4 are staged and logged, the job is quarantined TooManyDeletes', async () => {
    for (const u of inScope.slice(0, 8)) await f.services.directory.updateUser(u.id, { accountEnabled: false });
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(disables(n).length, 4);
    assert.equal(r?.staged, 4);
    const staged = f.logs.entries.filter((e) => e.provisioningAction === 'stagedDelete');
    assert.equal(staged.length, 4);
    for (const e of staged) {
      assert.equal(e.provisioningStatusInfo.status, 'skipped');
      const step = e.provisioningSteps.at(-1)!;
      assert.equal(step.name, 'EntryExportUpdateSoftDelete');
      assert.equal(step.details.StagedAction, 'Disable');
      assert.equal(step.details.DeleteThreshold, '5');
    }
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.code, 'Quarantine');
    assert.equal(job.status.quarantine?.reason, 'TooManyDeletes');
    assert.equal(job.status.quarantine?.error?.code, 'TooManyDeletes');
    assert.equal((await loadJobState(f.services.store.db, f.jobId)).stagedDeletes?.length, 4);
  });

  test('while they wait for approval nothing more is deleted or disabled; an object back in scope leaves the staged set', async () => {
    await f.services.directory.updateUser(inScope[8]!.id, { accountEnabled: false });
    const stagedIds = new Set((await loadJobState(f.services.store.db, f.jobId)).stagedDeletes!.map((s) => s.sourceId));
    const back = inScope.slice(0, 8).find((u) => stagedIds.has(u.id))!;
    await f.services.directory.updateUser(back.id, { accountEnabled: true });
    clock.advance(5 * MINUTE_MS);
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(disables(n).length, 0, 'held');
    assert.equal(r?.staged, 4, 'three still staged and the new one');
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.quarantine?.reason, 'TooManyDeletes');
    assert.equal(job.status.quarantine?.seriesCount, 2);
    assert.ok(!(await loadJobState(f.services.store.db, f.jobId)).stagedDeletes!.some((s) => s.sourceId === back.id));
  });

  test('restart with ForceDeletes lets them through once; the quarantine ends', async () => {
    await f.services.sync.restartJob(f.spId, f.jobId, 'ForceDeletes');
    assert.equal((await f.services.sync.getJob(f.spId, f.jobId)).pendingResetScope, 'ForceDeletes');
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(disables(n).length, 4);
    assert.equal(r?.staged, 0);
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.quarantine, null);
    assert.equal(job.status.code, 'Active');
    assert.equal(job.pendingResetScope, null);
    assert.deepEqual((await loadJobState(f.services.store.db, f.jobId)).stagedDeletes, []);
    // Once: the threshold applies again to the next cycle.
    for (const u of inScope.slice(9, 12)) await f.services.directory.updateUser(u.id, { accountEnabled: false });
    const m = target.calls().length;
    await f.engine.runCycle(f.jobId);
    assert.equal(disables(m).length, 3, 'three are under the threshold');
  });

  test('with DeleteThresholdEnabled false every disable goes out', async () => {
    await f.services.sync.putSecrets(f.spId, [{ key: 'SyncNotificationSettings', value: '{"Enabled":false,"DeleteThresholdEnabled":false}' }]);
    const all: { id: string; accountEnabled: boolean }[] = [];
    for await (const b of f.services.directory.streamUsers()) all.push(...b);
    const more = all.filter((u) => u.accountEnabled).slice(0, 7);
    for (const u of more) await f.services.directory.updateUser(u.id, { accountEnabled: false });
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(disables(n).length, 7);
    assert.equal(r?.staged, 0);
    assert.equal((await f.services.sync.getJob(f.spId, f.jobId)).status.quarantine, null);
  });
});
