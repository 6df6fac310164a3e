/**
 * What the target should hold after a cycle, computed independently of the
 * engine from the directory and the rules of entra-behavior.md §3.3–3.6:
 * assigned (directly or as a direct member of an assigned group) and enabled
 * users, assigned groups, their linked members, and managers in scope.
 */
import type { DirectoryService } from '../../src/directory/directory-service.ts';
import type { DirectoryGroup, DirectoryUser } from '../../src/directory/port.ts';

export interface ExpectedState {
  users: Map<string, DirectoryUser>;
  groups: Map<string, DirectoryGroup>;
  /** group id → ids of expected members (users and groups in scope). */
  members: Map<string, Set<string>>;
}

/** With `syncAll` (the SyncAll secret), every enabled user and every group is in scope, assigned or not. */
export async function expectedState(dir: DirectoryService, spId: string, userFilter: (u: DirectoryUser) => boolean = () => true, syncAll = false): Promise<ExpectedState> {
  const users = new Map<string, DirectoryUser>();
  const all: DirectoryUser[] = [];
  for await (const b of dir.streamUsers()) all.push(...b);
  const ents = await dir.getEntitlements(spId, all.map((u) => u.id));
  all.forEach((u, i) => {
    const e = ents[i]!;
    if (u.accountEnabled && (syncAll || e.direct.length || e.viaGroups.length) && userFilter(u)) users.set(u.id, u);
  });
  const assignedGroups = new Set<string>();
  for await (const b of dir.streamAssignments(spId)) for (const a of b) if (a.principalType === 'Group') assignedGroups.add(a.principalId);
  const groups = new Map<string, DirectoryGroup>();
  for await (const b of dir.streamGroups()) for (const g of b) if (syncAll || assignedGroups.has(g.id)) groups.set(g.id, g);
  const members = new Map<string, Set<string>>();
  for (const g of groups.values()) {
    const set = new Set<string>();
    for await (const b of dir.streamGroupMemberIds(g.id)) {
      for (const m of b) if ((m.type === 'user' && users.has(m.id)) || (m.type === 'group' && groups.has(m.id))) set.add(m.id);
    }
    members.set(g.id, set);
  }
  return { users, groups, members };
}
