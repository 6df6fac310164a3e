/**
 * Import and scope for one source object: the attribute bag the mappings
 * read and the scope decision, as the pipeline's input. Shared by the cycle
 * and provision-on-demand, so both judge an object the same way.
 */
import type { DirectoryGroup, DirectoryUser, UserEntitlement } from '../directory/port.ts';
import { groupToSourceAttributes, userToSourceAttributes } from '../sync/templates/azure-ad-directory.ts';
import type { DirectoryUserInput } from '../sync/templates/azure-ad-directory.ts';
import type { CompiledObjectMapping } from './mapping-plan.ts';
import type { Link } from './links.ts';
import type { ObjectInput } from './object-pipeline.ts';
import { decideScope } from './scope.ts';

const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';

function roleAssignments(ent: UserEntitlement | undefined) {
  if (!ent) return [];
  const ids = [...ent.direct, ...ent.viaGroups.map((v) => v.appRoleId)];
  return [...new Set(ids)].map((id) => ({ id, value: null, displayName: id === DEFAULT_ACCESS_ROLE ? 'User' : null }));
}

/** A user as the pipeline sees it; out of scope, `IsSoftDeleted` is true (entra-behavior.md §3.2). */
export function userInput(mapping: CompiledObjectMapping, u: DirectoryUser, ent: UserEntitlement | undefined, syncAll: boolean, link: Link | undefined): ObjectInput {
  const active = !u.deletedDateTime && u.accountEnabled;
  const assigned = ent ? ent.direct.length > 0 || ent.viaGroups.length > 0 : false;
  const base: DirectoryUserInput = { ...(u as unknown as DirectoryUserInput), managerId: u.managerId, appRoleAssignments: roleAssignments(ent), isSoftDeleted: false };
  const bag = userToSourceAttributes(base) as Record<string, unknown>;
  const scope = decideScope(mapping, bag, { assigned, active, syncAll });
  return { type: 'User', sourceId: u.id, displayName: u.userPrincipalName, bag: scope.inScope ? bag : { ...bag, IsSoftDeleted: true }, scope, link };
}

/** A group as the pipeline sees it; in scope when assigned (or sync all), live, and passing the scoping filter. */
export function groupInput(mapping: CompiledObjectMapping, g: DirectoryGroup, assigned: boolean, syncAll: boolean, link: Link | undefined): ObjectInput {
  const active = !g.deletedDateTime;
  const bag = groupToSourceAttributes({ ...g, isSoftDeleted: false }) as Record<string, unknown>;
  const scope = decideScope(mapping, bag, { assigned, active, syncAll });
  return { type: 'Group', sourceId: g.id, displayName: g.displayName ?? g.id, bag: scope.inScope ? bag : { ...bag, IsSoftDeleted: true }, scope, link };
}
