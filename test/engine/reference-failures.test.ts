/**
 * Failures of references and of vanished target objects: a manager the
 * target refuses is a reference escrow (retried on the ladder, cleared when
 * it goes through, counted apart); a membership update that fails
 * transiently is retried within the cycle; a group or user the target lost
 * is provisioned again (the link healed) instead of failing forever.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import type { MemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { RejectedTargetError, TargetErrorCodes, TransientTargetError } from '../../src/connectors/errors.ts';
import { EscrowRepository } from '../../src/engine/escrows.ts';
import { LinkRepository } from '../../src/engine/links.ts';
import { HOUR_MS } from '../../src/engine/ladder.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';
import { expectedState } from './expected-state.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');

describe('reference failures and vanished target objects', () => {
  const clock = new ManualClock(T0);
  let f: EngineFixture;
  let target: MemoryTarget;
  let fail: ((method: string, args: readonly unknown[]) => Error | undefined) | undefined;
  const escrows = () => new EscrowRepository(f.jobId);
  const db = () => f.services.store.db;
  let refusedManagerOf = '';

  before(async () => {
    target = createMemoryTarget({ recordCalls: true, failWith: (c) => fail?.(c.method, c.args) });
    f = await engineFixture({ target: () => target, clock, secrets: { SyncAll: 'True' }, options: { retry: { baseDelayMs: 1, maxDelayMs: 5 } } });
  });
  after(async () => f.close());

  test('a refused manager is a reference escrow; the user itself is fine; it goes through on the ladder', async () => {
    let first = '';
    fail = (m, args) => {
      if (m !== 'setManager') return undefined;
      first ||= String(args[0]);
      return args[0] === first ? new RejectedTargetError(TargetErrorCodes.badRequest, 'manager refused') : undefined;
    };
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.counters.escrowed, 1);
    const [e] = await escrows().list(db(), { limit: 5 });
    assert.equal(e!.action, 'manager');
    assert.equal(e!.nextAttemptAt, new Date(T0 + 6 * HOUR_MS).toISOString());
    refusedManagerOf = e!.sourceId;
    assert.deepEqual((await f.engine.escrowCounts(f.jobId)).referenceFailed, 1);
    assert.equal((await f.engine.escrowCounts(f.jobId)).failed, 0, 'not an object failure');
    assert.ok((await new LinkRepository(f.jobId).getOne(db(), 'User', refusedManagerOf))?.active, 'the user is provisioned');
    fail = undefined;
    clock.set(T0 + 6 * HOUR_MS);
    const n = target.calls().length;
    const r2 = await f.engine.runCycle(f.jobId);
    assert.equal(r2?.counters.escrowRetries, 1);
    assert.ok(target.calls().slice(n).some((c) => c.method === 'setManager' && c.args[0] === first));
    assert.equal(await escrows().count(db()), 0, 'cleared');
  });

  test('a membership update that fails transiently is retried within the cycle', async () => {
    const want = await expectedState(f.services.directory, f.spId, () => true, true);
    const group = [...want.groups.values()][0]!;
    const outsider = [...want.users.values()].find((u) => !want.members.get(group.id)!.has(u.id))!;
    await f.services.directory.addLink(group.id, 'member', outsider.id);
    let failures = 0;
    fail = (m) => (m === 'addMembers' && failures++ === 0 ? new TransientTargetError('InternalServerError', 'PATCH /Groups/… answered 500', { attempts: 4 }) : undefined);
    const r = await f.engine.runCycle(f.jobId);
    fail = undefined;
    assert.equal(r?.counters.retried, 1);
    assert.equal(r?.counters.escrowed, 0);
    const groupLink = (await new LinkRepository(f.jobId).getOne(db(), 'Group', group.id))!;
    const userLink = (await new LinkRepository(f.jobId).getOne(db(), 'User', outsider.id))!;
    assert.ok(target.members(groupLink.targetId).includes(userLink.targetId));
    const failed = f.logs.entries.filter((e) => e.sourceIdentity.id === group.id && e.provisioningStatusInfo.status === 'failure').at(-1)!;
    assert.match(failed.provisioningStatusInfo.errorInformation!.reason, /retried within this cycle/);
  });

  test('a group the target lost is provisioned again with its members when its members change', async () => {
    const want = await expectedState(f.services.directory, f.spId, () => true, true);
    const group = [...want.groups.values()][1]!;
    const links = new LinkRepository(f.jobId);
    const old = (await links.getOne(db(), 'Group', group.id))!;
    await target.deleteGroup(old.targetId);
    const newcomer = [...want.users.values()].find((u) => !want.members.get(group.id)!.has(u.id))!;
    await f.services.directory.addLink(group.id, 'member', newcomer.id);
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.counters.escrowed, 0);
    const healed = (await links.getOne(db(), 'Group', group.id))!;
    assert.notEqual(healed.targetId, old.targetId, 'created again');
    const after = await expectedState(f.services.directory, f.spId, () => true, true);
    const userTarget = new Map([...(await links.get(db(), 'User', [...after.members.get(group.id)!])).entries()].map(([k, v]) => [k, v.targetId]));
    assert.deepEqual(target.members(healed.targetId).sort(), [...after.members.get(group.id)!].map((id) => userTarget.get(id)!).sort());
  });

  test('disabling a user the target lost drops its link instead of failing', async () => {
    const want = await expectedState(f.services.directory, f.spId, () => true, true);
    const u = [...want.users.values()].find((x) => x.id !== refusedManagerOf)!;
    const links = new LinkRepository(f.jobId);
    const link = (await links.getOne(db(), 'User', u.id))!;
    await target.deleteUser(link.targetId);
    await f.services.directory.updateUser(u.id, { accountEnabled: false });
    const r = await f.engine.runCycle(f.jobId);
    assert.equal(r?.counters.escrowed, 0);
    assert.equal(await links.getOne(db(), 'User', u.id), undefined);
    const entry = f.logs.entries.filter((e) => e.sourceIdentity.id === u.id).at(-1)!;
    assert.equal(entry.provisioningAction, 'disable');
    assert.equal(entry.provisioningSteps.at(-1)!.status, 'warning');
  });
});
