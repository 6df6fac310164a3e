/**
 * Compares what a SCIM application holds with the expected state of the
 * directory: the active users (and their display names and managers), the
 * groups and their members, object by object.
 */
import assert from 'node:assert/strict';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { ENTERPRISE_USER_URN } from '../../src/sync/templates/scim.ts';
import type { EngineFixture } from './helpers.ts';
import type { ExpectedState } from './expected-state.ts';

type Rec = Record<string, unknown> & { id: string };

export async function assertAppHolds(app: SampleScimApp, f: Pick<EngineFixture, 'services'>, want: ExpectedState): Promise<void> {
  const upn = new Map<string, string>();
  for await (const b of f.services.directory.streamUsers()) for (const u of b) upn.set(u.id, u.userPrincipalName.toLowerCase());
  const users = app.users() as Rec[];
  const byName = new Map(users.map((u) => [String(u.userName).toLowerCase(), u]));
  assert.equal(byName.size, users.length, 'no user was created twice');
  const active = users.filter((u) => u.active === true || u.active === 'True').map((u) => String(u.userName).toLowerCase()).sort();
  assert.deepEqual(active, [...want.users.values()].map((u) => u.userPrincipalName.toLowerCase()).sort(), 'the active users are exactly those in scope');
  for (const u of want.users.values()) {
    const t = byName.get(u.userPrincipalName.toLowerCase())!;
    assert.equal(t.displayName, u.displayName, `displayName of ${u.userPrincipalName}`);
    const mgr = u.managerId ? upn.get(u.managerId) : undefined;
    const ext = (t[ENTERPRISE_USER_URN] ?? {}) as { manager?: { value?: string } };
    assert.equal(ext.manager?.value, mgr ? byName.get(mgr)?.id : undefined, `manager of ${u.userPrincipalName}`);
  }
  const groups = app.groups() as Rec[];
  const groupByName = new Map(groups.map((g) => [String(g.displayName), g]));
  assert.equal(groupByName.size, groups.length, 'no group was created twice');
  assert.deepEqual([...groupByName.keys()].sort(), [...want.groups.values()].map((g) => g.displayName).sort(), 'groups');
  const targetIdOf = (id: string) => byName.get(upn.get(id) ?? '')?.id ?? groupByName.get(want.groups.get(id)?.displayName ?? '')?.id;
  for (const g of want.groups.values()) {
    const t = groupByName.get(g.displayName ?? '')!;
    const members = ((t.members ?? []) as { value: string }[]).map((m) => m.value).sort();
    assert.deepEqual(members, [...want.members.get(g.id)!].map(targetIdOf).sort(), `members of ${g.displayName}`);
  }
}
