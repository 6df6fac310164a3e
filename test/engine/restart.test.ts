/**
 * Restart: every resetScope value takes effect (graph-sync-api.md §3.3.7) —
 * Watermark, Escrows, QuarantineState, ConnectorDataStore, Full, None, no
 * criteria (ForceDeletes: quarantine-engine.test.ts). Pause stops a cycle
 * between batches and Start resumes it where it stopped (seed 004).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import type { MemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { RejectedTargetError, StopRunError, TargetErrorCodes } from '../../src/connectors/errors.ts';
import { EscrowRepository } from '../../src/engine/escrows.ts';
import { LinkRepository } from '../../src/engine/links.ts';
import { loadJobState } from '../../src/engine/job-state.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';

const WRITES = new Set(['createUser', 'createGroup', 'updateUser', 'updateGroup', 'setActive', 'deleteUser', 'deleteGroup', 'addMembers', 'removeMembers', 'setManager']);

describe('restart: every resetScope takes effect', () => {
  let f: EngineFixture;
  let target: MemoryTarget;
  let fail: ((method: string, args: readonly unknown[]) => Error | undefined) | undefined;
  const since = (n: number) => target.calls().slice(n);
  const job = () => f.services.sync.getJob(f.spId, f.jobId);
  const links = async () => {
    const l = new LinkRepository(f.jobId);
    return (await l.count(f.services.store.db, 'User')) + (await l.count(f.services.store.db, 'Group'));
  };
  const escrowCount = () => new EscrowRepository(f.jobId).count(f.services.store.db);
  const quarantine = async () => {
    fail = (m) => (m === 'testConnection' ? new StopRunError(TargetErrorCodes.invalidCredentials, 'refused') : undefined);
    await f.engine.runCycle(f.jobId);
    fail = undefined;
    assert.equal((await job()).status.code, 'Quarantine');
  };
  /** One user's update refused: an escrow, made due at once. */
  const escrowOne = async () => {
    const [u] = target.users();
    const all: { id: string; userPrincipalName: string }[] = [];
    for await (const b of f.services.directory.streamUsers()) all.push(...b);
    const src = all.find((x) => x.userPrincipalName.toLowerCase() === String(u!.userName).toLowerCase())!;
    await f.services.directory.updateUser(src.id, { jobTitle: `Title ${Date.now()}` });
    fail = (m, args) => (m === 'updateUser' && args[0] === u!.id ? new RejectedTargetError(TargetErrorCodes.badRequest, 'refused') : undefined);
    await f.engine.runCycle(f.jobId);
    fail = undefined;
    await f.services.store.db.updateTable('sync_escrows').set({ next_attempt_at: '2000-01-01T00:00:00.000Z' }).where('job_id', '=', f.jobId).execute();
    assert.equal(await escrowCount(), 1);
    return u!.id;
  };

  before(async () => {
    target = createMemoryTarget({ recordCalls: true, failWith: (c) => fail?.(c.method, c.args) });
    f = await engineFixture({ target: () => target });
    await f.services.sync.startJob(f.spId, f.jobId);
    await f.engine.runCycle(f.jobId);
    assert.ok(target.users().length > 5);
  });
  after(async () => f.close());

  test('Watermark: the next cycle is a full one; what is in sync is not written again', async () => {
    await f.services.sync.restartJob(f.spId, f.jobId, 'Watermark');
    assert.equal((await job()).pendingResetScope, 'Watermark');
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.full, true);
    assert.deepEqual(since(n).filter((c) => WRITES.has(c.method)), []);
    assert.equal((await job()).pendingResetScope, null, 'consumed');
  });

  test('Escrows: the escrows are dropped and no longer retried', async () => {
    const targetId = await escrowOne();
    await f.services.sync.restartJob(f.spId, f.jobId, 'Escrows');
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.full, false);
    assert.equal(await escrowCount(), 0);
    assert.equal(r?.counters.escrowRetries, 0);
    assert.ok(!since(n).some((c) => c.method === 'updateUser' && c.args[0] === targetId), 'not retried');
  });

  test('QuarantineState: lifts the quarantine at once, before any cycle', async () => {
    await quarantine();
    await f.services.sync.restartJob(f.spId, f.jobId, 'QuarantineState');
    const j = await job();
    assert.equal(j.status.quarantine, null);
    assert.equal(j.status.code, 'NotRun');
    assert.ok(await f.engine.runCycle(f.jobId));
    assert.equal((await job()).status.code, 'Active');
  });

  test('ConnectorDataStore: the links are dropped and rebuilt by matching; nothing is created twice', async () => {
    const before = await links();
    const objects = target.users().length + target.groups().length;
    await f.services.sync.restartJob(f.spId, f.jobId, 'ConnectorDataStore');
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.full, true, 'without links the cycle reads everything again');
    assert.ok(!since(n).some((c) => c.method === 'createUser' || c.method === 'createGroup'));
    assert.ok(since(n).some((c) => c.method === 'findUser'), 'matched again');
    assert.equal(await links(), before);
    assert.equal(target.users().length + target.groups().length, objects);
  });

  test('Full: all four at once', async () => {
    const targetId = await escrowOne();
    await quarantine();
    await f.services.sync.restartJob(f.spId, f.jobId, 'Full');
    const j = await job();
    assert.equal(j.status.quarantine, null, 'QuarantineState');
    assert.equal(j.pendingResetScope, 'ConnectorDataStore, Escrows, Watermark, QuarantineState');
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.full, true, 'Watermark');
    assert.equal(await escrowCount(), 0, 'Escrows');
    assert.ok(since(n).some((c) => c.method === 'findUser'), 'ConnectorDataStore: matched again');
    assert.ok(!since(n).some((c) => c.method === 'createUser'));
    // The full cycle re-evaluates every object: the change that was escrowed goes out with it.
    assert.ok(since(n).some((c) => c.method === 'updateUser' && c.args[0] === targetId));
    assert.equal((await job()).status.code, 'Active');
  });

  test('None: starts a paused or a quarantined job, as Start does', async () => {
    await f.services.sync.pauseJob(f.spId, f.jobId);
    await f.services.sync.restartJob(f.spId, f.jobId, 'None');
    let j = await job();
    assert.equal(j.schedule.state, 'Active');
    assert.notEqual(j.status.code, 'Paused');
    assert.equal(j.pendingResetScope, null, 'None resets nothing');
    await quarantine();
    await f.services.sync.restartJob(f.spId, f.jobId, 'None');
    j = await job();
    assert.equal(j.status.quarantine, null);
    assert.equal(j.schedule.state, 'Active');
  });

  test('without criteria: the portal\'s "Restart provisioning" (Escrows, Watermark, QuarantineState)', async () => {
    await escrowOne();
    await quarantine();
    await f.services.sync.restartJob(f.spId, f.jobId, undefined);
    const j = await job();
    assert.equal(j.status.quarantine, null);
    assert.equal(j.pendingResetScope, 'Escrows, Watermark, QuarantineState');
    const before = await links();
    const n = target.calls().length;
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.full, true);
    assert.equal(await escrowCount(), 0);
    assert.ok(!since(n).some((c) => c.method === 'findUser'), 'the links are kept: nothing is matched again');
    assert.equal(await links(), before);
  });
});

describe('pause stops a cycle where it is; Start resumes it there (seed 004)', () => {
  let f: EngineFixture;
  let target: MemoryTarget;
  let creates = 0;
  before(async () => {
    target = createMemoryTarget({
      recordCalls: true,
      failWith: (c) => {
        // The admin pauses the job while the initial cycle is creating users.
        if (c.method === 'createUser' && ++creates === 15) void f.services.sync.pauseJob(f.spId, f.jobId);
        return undefined;
      },
    });
    f = await engineFixture({ target: () => target, seed: { users: 60, groups: 6, avgMembers: 12, seed: 7 }, secrets: { SyncAll: 'True' }, options: { batchSize: 10 } });
    await f.services.sync.startJob(f.spId, f.jobId);
  });
  after(async () => f.close());

  test('the paused cycle stops between batches and keeps where it got to', async () => {
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.interrupted, true);
    const created = target.users().length;
    assert.ok(created >= 15 && created < 50, `stopped early (${created} created)`);
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.code, 'Paused');
    assert.equal(job.schedule.state, 'Paused');
    const state = await loadJobState(f.services.store.db, f.jobId);
    assert.equal(state.watermark, null, 'the full cycle is not done');
    assert.equal(state.resume?.phase, 'users');
    assert.ok(job.status.progress[0]!.completedUnits >= 15, 'the progress shows where it got to');
  });

  test('Start resumes there: every user is created once and looked at once', async () => {
    await f.services.sync.startJob(f.spId, f.jobId);
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.interrupted, false);
    assert.equal(r?.full, true);
    const enabled: string[] = [];
    for await (const b of f.services.directory.streamUsers()) for (const u of b) if (u.accountEnabled) enabled.push(u.userPrincipalName.toLowerCase());
    assert.deepEqual(target.users().map((u) => String(u.userName).toLowerCase()).sort(), enabled.sort());
    const createCalls = target.calls().filter((c) => c.method === 'createUser').map((c) => String((c.args[0] as { userName: string }).userName).toLowerCase());
    assert.equal(new Set(createCalls).size, createCalls.length, 'no user created twice');
    const imports = new Map<string, number>();
    for (const e of f.logs.entries) {
      if (e.sourceIdentity.identityType === 'User' && e.provisioningSteps[0]?.name === 'EntryImport') imports.set(e.sourceIdentity.id, (imports.get(e.sourceIdentity.id) ?? 0) + 1);
    }
    assert.ok([...imports.values()].every((n) => n === 1), 'no user was processed twice');
    const state = await loadJobState(f.services.store.db, f.jobId);
    assert.equal(state.resume, null);
    assert.notEqual(state.watermark, null);
    assert.equal((await f.services.sync.getJob(f.spId, f.jobId)).status.code, 'Active');
    // Managers of users created before the pause were set after it.
    const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    assert.ok(target.users().some((u) => (u[ext] as { manager?: { value?: string } } | undefined)?.manager?.value));
  });
});
