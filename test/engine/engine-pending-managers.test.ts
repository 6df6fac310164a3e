/**
 * Manager references that cannot resolve yet (the manager is not in the
 * target) wait in the job state and resolve in the cycle in which the
 * manager gets linked; a change of a waiting user's manager is followed;
 * state written in the earlier form (user ids only) still resolves.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import type { MemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { loadJobState } from '../../src/engine/job-state.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';
import type { DirectoryUser } from '../../src/directory/port.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('pending manager references', () => {
  let f: EngineFixture;
  let target: MemoryTarget;
  let users: DirectoryUser[];
  let manager: DirectoryUser;
  let reports: DirectoryUser[];
  /** Another user never provisioned (disabled before the first cycle). */
  let other: DirectoryUser;

  const targetUser = (u: DirectoryUser) => target.users().find((t) => String(t.userName).toLowerCase() === u.userPrincipalName.toLowerCase());
  const managerOf = (u: DirectoryUser) => (targetUser(u)?.[ENTERPRISE] as { manager?: { value?: string } } | undefined)?.manager?.value;
  const pending = async () => (await loadJobState(f.services.store.db, f.jobId)).pendingManagers;

  before(async () => {
    target = createMemoryTarget();
    f = await engineFixture({ target: () => target, secrets: { SyncAll: 'true' } });
    users = [];
    for await (const b of f.services.directory.streamUsers()) users.push(...b);
    // A manager with enabled reports, disabled before the first cycle: out of scope, never provisioned.
    manager = users.find((m) => m.accountEnabled && users.filter((u) => u.managerId === m.id && u.accountEnabled).length >= 2)!;
    reports = users.filter((u) => u.managerId === manager.id && u.accountEnabled);
    other = users.find((u) => u.accountEnabled && u.id !== manager.id && u.managerId !== manager.id && !users.some((r) => r.managerId === u.id))!;
    await f.services.directory.updateUser(manager.id, { accountEnabled: false });
    await f.services.directory.updateUser(other.id, { accountEnabled: false });
  });
  after(async () => f.close());

  test('reports of a manager not in the target wait, with their manager', async () => {
    await f.engine.runCycle(f.jobId);
    assert.equal(targetUser(manager), undefined);
    for (const r of reports) assert.equal(managerOf(r), undefined);
    const waiting = await pending();
    for (const r of reports) assert.ok(waiting.some((p) => p.userSourceId === r.id && p.managerSourceId === manager.id), `${r.userPrincipalName} waits`);
  });

  test('a cycle without changes leaves them waiting and sets nothing', async () => {
    const before = (await pending()).length;
    await f.engine.runCycle(f.jobId);
    assert.equal((await pending()).length, before);
    for (const r of reports) assert.equal(managerOf(r), undefined);
  });

  test('a waiting user whose manager changes follows the new manager', async () => {
    const [moved] = reports;
    const away = users.find((u) => u.accountEnabled && u.id !== other.id && u.id !== moved!.id && u.id !== manager.id && targetUser(u))!;
    // First to another unprovisioned manager: still waiting, for that one.
    await f.services.directory.setManager(moved!.id, other.id);
    await f.engine.runCycle(f.jobId);
    assert.ok((await pending()).some((p) => p.userSourceId === moved!.id && p.managerSourceId === other.id));
    // Then to a provisioned one: resolved at once, no longer waiting.
    await f.services.directory.setManager(moved!.id, away.id);
    await f.engine.runCycle(f.jobId);
    assert.equal(managerOf(moved!), targetUser(away)!.id);
    assert.ok(!(await pending()).some((p) => p.userSourceId === moved!.id));
    reports = reports.slice(1);
  });

  test('once the manager is provisioned, the waiting reports get it in the same cycle', async () => {
    await f.services.directory.updateUser(manager.id, { accountEnabled: true });
    await f.engine.runCycle(f.jobId);
    const managerTargetId = targetUser(manager)?.id;
    assert.ok(managerTargetId, 'the manager is provisioned');
    for (const r of reports) assert.equal(managerOf(r), managerTargetId, `manager of ${r.userPrincipalName}`);
    assert.ok(!(await pending()).some((p) => p.managerSourceId === manager.id));
  });

  test('state in the earlier form (user ids only) is looked up again', async () => {
    const r = reports[0]!;
    // Unset the manager in the target and in the link, and leave the user pending the old way.
    await target.setManager(targetUser(r)!.id, null);
    await f.services.store.db.updateTable('sync_links').set({ manager_target_id: null }).where('job_id', '=', f.jobId).where('source_id', '=', r.id).execute();
    await f.services.store.db.updateTable('sync_job_state').set({ cycle: JSON.stringify({ pendingManagers: [r.id] }) }).where('job_id', '=', f.jobId).execute();
    assert.deepEqual(await pending(), [{ userSourceId: r.id, managerSourceId: null }]);
    await f.engine.runCycle(f.jobId);
    assert.equal(managerOf(r), targetUser(manager)!.id);
    assert.deepEqual(await pending(), []);
  });
});
