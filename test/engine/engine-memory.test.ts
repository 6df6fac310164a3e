/**
 * The engine end to end against the in-memory target: the initial cycle
 * provisions exactly the users and groups in scope, a cycle without changes
 * writes nothing, and each kind of source change is carried over.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import type { MemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';
import type { DirectoryUser } from '../../src/directory/port.ts';

const WRITES = new Set(['createUser', 'createGroup', 'updateUser', 'updateGroup', 'setActive', 'deleteUser', 'deleteGroup', 'addMembers', 'removeMembers', 'setManager']);

async function expectedUsers(f: EngineFixture): Promise<DirectoryUser[]> {
  const all: DirectoryUser[] = [];
  for await (const b of f.services.directory.streamUsers()) all.push(...b);
  const ents = await f.services.directory.getEntitlements(f.spId, all.map((u) => u.id));
  return all.filter((u, i) => u.accountEnabled && (ents[i]!.direct.length > 0 || ents[i]!.viaGroups.length > 0));
}

describe('engine against the memory target', () => {
  let f: EngineFixture;
  let target: MemoryTarget;
  before(async () => {
    target = createMemoryTarget({ recordCalls: true });
    f = await engineFixture({ target: () => target });
  });
  after(async () => f.close());

  const writesSince = (n: number) => target.calls().slice(n).filter((c) => WRITES.has(c.method));

  test('the initial cycle provisions exactly the assigned, enabled users and the assigned groups', async () => {
    const result = await f.engine.runCycle(f.jobId);
    assert.ok(result);
    assert.equal(result.full, true);
    const want = await expectedUsers(f);
    assert.ok(want.length > 5, 'the seed assigns some users');
    const byName = new Map(target.users().map((u) => [String(u.userName).toLowerCase(), u]));
    assert.equal(target.users().length, want.length);
    for (const u of want) {
      const t = byName.get(u.userPrincipalName.toLowerCase());
      assert.ok(t, `missing ${u.userPrincipalName}`);
      assert.equal(t.active, true);
      assert.equal(t.displayName, u.displayName);
      assert.equal((t.name as { givenName?: string }).givenName, u.givenName ?? undefined);
    }
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.lastExecution?.state, 'Succeeded');
    assert.equal(job.status.lastExecution?.countExported, result.counters.exported);
    assert.ok(f.logs.entries.some((e) => e.provisioningAction === 'create' && e.provisioningStatusInfo.status === 'success'));
    // Managers: every provisioned user whose manager is provisioned points at the manager's target id.
    const targetIdByUpn = new Map(target.users().map((u) => [String(u.userName).toLowerCase(), u.id]));
    const upnById = new Map(want.map((u) => [u.id, u.userPrincipalName.toLowerCase()]));
    for (const u of want) {
      const mgr = u.managerId ? upnById.get(u.managerId) : undefined;
      const t = byName.get(u.userPrincipalName.toLowerCase())!;
      const ext = t['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { manager?: { value?: string } } | undefined;
      assert.equal(ext?.manager?.value, mgr ? targetIdByUpn.get(mgr) : undefined, `manager of ${u.userPrincipalName}`);
    }
  });

  test('a cycle with no changes sends no write at all', async () => {
    const n = target.calls().length;
    const result = await f.engine.runCycle(f.jobId);
    assert.equal(result?.full, false);
    assert.deepEqual(writesSince(n), []);
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.notEqual(job.status.steadyStateLastAchievedTime, '0001-01-01T00:00:00Z');
  });

  test('an attribute edit sends one PATCH with just that attribute', async () => {
    const [u] = await expectedUsers(f);
    const n = target.calls().length;
    await f.services.directory.updateUser(u!.id, { department: 'Quantum Research' });
    await f.engine.runCycle(f.jobId);
    const writes = writesSince(n);
    assert.equal(writes.length, 1);
    assert.equal(writes[0]!.method, 'updateUser');
    const changes = writes[0]!.args[1] as { path: string; value: unknown }[];
    assert.deepEqual(changes.map((c) => [c.path, c.value]), [['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', 'Quantum Research']]);
  });

  test('disabling a user in the source disables it in the target; enabling restores it', async () => {
    const [, u] = await expectedUsers(f);
    const targetId = target.users().find((x) => String(x.userName).toLowerCase() === u!.userPrincipalName.toLowerCase())!.id;
    let n = target.calls().length;
    await f.services.directory.updateUser(u!.id, { accountEnabled: false });
    await f.engine.runCycle(f.jobId);
    // Disabled, and taken out of the groups it was exported to (a disabled account is no member).
    const off = writesSince(n);
    assert.deepEqual([off[0]!.method, off[0]!.args[0], off[0]!.args[1]], ['setActive', targetId, false]);
    assert.ok(off.slice(1).every((c) => c.method === 'removeMembers' && (c.args[1] as string[]).includes(targetId)));
    n = target.calls().length;
    await f.services.directory.updateUser(u!.id, { accountEnabled: true });
    await f.engine.runCycle(f.jobId);
    const w = writesSince(n);
    assert.equal(w[0]!.method, 'updateUser');
    assert.deepEqual((w[0]!.args[1] as { path: string; value: unknown }[]).map((c) => [c.path, c.value]), [['active', 'True']]);
    assert.equal(w.length - 1, off.length - 1, 'it is added back to the same groups');
    assert.ok(w.slice(1).every((c) => c.method === 'addMembers'));
    assert.equal(target.users().find((x) => x.id === targetId)!.active, true);
  });

  test('a hard-deleted user is deleted in the target', async () => {
    const [, , u] = await expectedUsers(f);
    const before = target.users().length;
    await f.services.directory.deleteUser(u!.id);
    await f.services.directory.purge(u!.id);
    await f.engine.runCycle(f.jobId);
    assert.equal(target.users().length, before - 1);
    assert.ok(!target.users().some((x) => String(x.userName).toLowerCase() === u!.userPrincipalName.toLowerCase()));
  });
});
