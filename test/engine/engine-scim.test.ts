/**
 * The engine over real HTTP against a real, third-party SCIM server (the
 * scimmy-based sample application): an initial cycle of a few thousand
 * users and groups leaves the application holding exactly the mapped
 * objects, memberships and managers; a batch of source changes converges in
 * the next cycle; a cycle without changes sends no write; both dialects.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { scimTargetFactory } from '../../src/engine/target-factory.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';
import { expectedState } from './expected-state.ts';
import type { ExpectedState } from './expected-state.ts';
import { ENTERPRISE_USER_URN } from '../../src/sync/templates/scim.ts';

type Rec = Record<string, unknown> & { id: string };
const ext = (u: Rec) => (u[ENTERPRISE_USER_URN] ?? {}) as { department?: string; manager?: { value?: string } };

/** Compares the application's data with the expected state, object by object. */
function assertConverged(app: SampleScimApp, want: ExpectedState, managers: Map<string, string>): void {
  const users = app.users() as Rec[];
  const byName = new Map(users.map((u) => [String(u.userName).toLowerCase(), u]));
  const active = users.filter((u) => u.active === true || u.active === 'True');
  assert.deepEqual(
    active.map((u) => String(u.userName).toLowerCase()).sort(),
    [...want.users.values()].map((u) => u.userPrincipalName.toLowerCase()).sort(),
    'the active users in the application are exactly the users in scope',
  );
  const targetIdOfUser = new Map([...want.users.values()].map((u) => [u.id, byName.get(u.userPrincipalName.toLowerCase())?.id]));
  for (const u of want.users.values()) {
    const t = byName.get(u.userPrincipalName.toLowerCase())!;
    assert.equal(t.displayName, u.displayName, `displayName of ${u.userPrincipalName}`);
    assert.equal((t.name as { givenName?: string; familyName?: string }).givenName, u.givenName ?? undefined);
    assert.equal((t.name as { familyName?: string }).familyName, u.surname ?? undefined);
    assert.equal(t.externalId, u.mailNickname);
    assert.equal(ext(t).department, u.department ?? undefined, `department of ${u.userPrincipalName}`);
    // The manager is referenced while it exists in the application, enabled or not.
    const mgr = u.managerId ? managers.get(u.managerId) : undefined;
    const manager = mgr ? byName.get(mgr.toLowerCase())?.id : undefined;
    assert.equal(ext(t).manager?.value, manager, `manager of ${u.userPrincipalName}`);
  }
  const groups = app.groups() as Rec[];
  const groupByName = new Map(groups.map((g) => [String(g.displayName), g]));
  assert.deepEqual([...groupByName.keys()].sort(), [...want.groups.values()].map((g) => g.displayName).sort(), 'groups');
  const targetIdOfGroup = new Map([...want.groups.values()].map((g) => [g.id, groupByName.get(g.displayName ?? '')?.id]));
  for (const g of want.groups.values()) {
    const t = groupByName.get(g.displayName ?? '')!;
    assert.equal(t.externalId, g.id);
    const members = ((t.members ?? []) as { value: string }[]).map((m) => m.value).sort();
    const expected = [...want.members.get(g.id)!].map((id) => targetIdOfUser.get(id) ?? targetIdOfGroup.get(id)).sort();
    assert.deepEqual(members, expected, `members of ${g.displayName}`);
  }
}

/** Every directory user's UPN by id, deleted ones included (a manager may be gone). */
async function upnById(f: EngineFixture): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const b of f.services.directory.streamUsers()) for (const u of b) out.set(u.id, u.userPrincipalName);
  return out;
}

const writesIn = (app: SampleScimApp) => app.requests.filter((r) => r.method !== 'GET');

for (const dialect of ['entra', 'strict'] as const) {
  describe(`engine against the scimmy application (${dialect} dialect)`, () => {
    let app: SampleScimApp;
    let f: EngineFixture;
    const users = dialect === 'entra' ? 2000 : 300;
    before(async () => {
      app = await startSampleScimApp({ logRequests: true, entraCompat: dialect === 'entra' });
      const base = dialect === 'entra' ? app.url : `${app.url}?aadOptscim062020`;
      f = await engineFixture({
        target: () => scimTargetFactory({ BaseAddress: base, SecretToken: app.token }, {}),
        seed: { users, groups: Math.round(users / 40), avgMembers: 25, seed: 11 },
      });
    });
    after(async () => {
      await f.close();
      await app.close();
    });

    test('the initial cycle leaves the application holding exactly the mapped users, groups, memberships and managers', async () => {
      const result = await f.engine.runCycle(f.jobId);
      assert.ok(result, 'the cycle ran');
      const want = await expectedState(f.services.directory, f.spId);
      assertConverged(app, want, await upnById(f));
      const job = await f.services.sync.getJob(f.spId, f.jobId);
      const exec = job.status.lastExecution!;
      assert.equal(exec.state, 'Succeeded');
      assert.equal(exec.countEscrowed, 0);
      assert.equal(exec.countImported, users + Math.round(users / 40));
      assert.equal(result.counters.created, want.users.size + want.groups.size);
      assert.deepEqual(job.status.synchronizedEntryCountByType, [
        { key: 'User to User', value: want.users.size }, { key: 'Group to Group', value: want.groups.size },
      ]);
      const creates = f.logs.entries.filter((e) => e.provisioningAction === 'create');
      assert.equal(creates.length, want.users.size + want.groups.size);
      assert.ok(creates.every((e) => e.provisioningStatusInfo.status === 'success' && e.jobId === f.jobId));
    });

    test('the requests have the dialect\'s exact shapes', () => {
      const post = app.requests.find((r) => r.method === 'POST' && r.path === '/Users')!;
      const body = post.body as Record<string, unknown>;
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_URN]);
      assert.equal(typeof body.userName, 'string');
      const match = app.requests.find((r) => r.method === 'GET' && r.path === '/Users' && r.query.includes('userName'))!;
      assert.match(new URLSearchParams(match.query).get('filter') ?? '', /^userName eq "[^"]+"$/);
      const manager = app.requests.find((r) => r.method === 'PATCH' && JSON.stringify(r.body).includes('manager'))!;
      const ops = (manager.body as { Operations: { op: string; path: string; value: unknown }[] }).Operations;
      assert.equal(ops[0]!.op, dialect === 'entra' ? 'Add' : 'add');
      // Entra's own request says just "manager" (entra-behavior.md §6.3); the strict dialect names the extension attribute.
      assert.equal(ops[0]!.path, dialect === 'entra' ? 'manager' : `${ENTERPRISE_USER_URN}:manager`);
      const members = app.requests.find((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/'))!;
      const mops = (members.body as { Operations: { op: string; path: string; value: unknown }[] }).Operations;
      assert.equal(mops[0]!.op, dialect === 'entra' ? 'Add' : 'add');
      assert.equal(mops[0]!.path, 'members');
    });

    test('a cycle with no changes sends no write at all', async () => {
      app.requests.length = 0;
      await f.engine.runCycle(f.jobId);
      assert.deepEqual(writesIn(app).map((r) => `${r.method} ${r.path}`), []);
    });

    test('a batch of changes converges in the next cycle', async () => {
      const dir = f.services.directory;
      const want0 = await expectedState(dir, f.spId);
      const inScope = [...want0.users.values()];
      const [edited, softDeleted, hardDeleted, restored, newManager] = inScope;
      // Attribute edits, soft delete, hard delete, a manager change.
      await dir.updateUser(edited!.id, { department: 'Research & Development', jobTitle: 'Principal Engineer' });
      await dir.deleteUser(softDeleted!.id);
      await dir.deleteUser(hardDeleted!.id);
      await dir.purge(hardDeleted!.id);
      await dir.setManager(edited!.id, newManager!.id);
      // Soft delete then restore in the same window: converges back to active.
      await dir.deleteUser(restored!.id);
      await dir.restore(restored!.id);
      // Unassign a directly assigned user, if any.
      const direct = (await dir.listAssignments({ resourceId: f.spId }, 999)).items.find((a) => a.principalType === 'User' && want0.users.has(a.principalId)
        && ![edited, softDeleted, hardDeleted, restored, newManager].some((u) => u!.id === a.principalId));
      if (direct) await dir.unassign(f.spId, direct.id);
      // Membership add and remove on an assigned group.
      const group = [...want0.groups.values()][0]!;
      const current = [...want0.members.get(group.id)!];
      const outsider = inScope.find((u) => !want0.members.get(group.id)!.has(u.id) && u.id !== hardDeleted!.id && u.id !== softDeleted!.id)!;
      await dir.addLink(group.id, 'member', outsider.id);
      const leaving = current.find((id) => ![edited, softDeleted, hardDeleted, restored, newManager].some((u) => u!.id === id));
      if (leaving) await dir.removeLink(group.id, 'member', leaving);

      app.requests.length = 0;
      const result = await f.engine.runCycle(f.jobId);
      assert.equal(result?.full, false, 'an incremental cycle');
      const want = await expectedState(dir, f.spId);
      assertConverged(app, want, await upnById(f));
      const all = app.users() as Rec[];
      const find = (upn: string) => all.find((u) => String(u.userName).toLowerCase() === upn.toLowerCase());
      assert.ok(find(softDeleted!.userPrincipalName), 'a soft-deleted user is disabled, not deleted');
      assert.ok(!find(hardDeleted!.userPrincipalName), 'a hard-deleted user is deleted');
      if (direct) assert.ok(find(want0.users.get(direct.principalId)!.userPrincipalName), 'an unassigned user is disabled, not deleted');
      // Another cycle: nothing left to do.
      app.requests.length = 0;
      await f.engine.runCycle(f.jobId);
      assert.deepEqual(writesIn(app).map((r) => `${r.method} ${r.path}`), []);
    });

    test('a scoping-filter change re-evaluates everyone and disables who fell out', async () => {
      const schema = (await f.services.sync.getJob(f.spId, f.jobId)).schema;
      const om = schema.synchronizationRules![0]!.objectMappings!.find((m) => m.sourceObjectName === 'User')!;
      om.scope = { groups: [{ name: 'Engineering only', clauses: [{ operatorName: 'EQUALS', sourceOperandName: 'department', targetOperand: { values: ['Engineering'] } }] }] };
      await f.services.sync.putJobSchema(f.spId, f.jobId, schema);
      await new Promise((r) => setTimeout(r, 50)); // the schema event clears the watermark asynchronously
      const result = await f.engine.runCycle(f.jobId);
      assert.equal(result?.full, true, 'a schema change makes the next cycle a full one');
      const want = await expectedState(f.services.directory, f.spId, (u) => u.department === 'Engineering');
      assert.ok(want.users.size > 0);
      assertConverged(app, want, await upnById(f));
    });
  });
}
