/**
 * Reference resolution, after the objects exist: a user's manager and a
 * group's members are target ids of other linked objects (entra-behavior.md
 * §3.6, §6.5). A reference to an object not (yet) linked is left pending
 * and retried by later cycles, instead of Entra's "until you restart".
 */
import type { Db } from '../store/store.ts';
import type { TargetPort } from '../connectors/ports.ts';
import { NotFoundTargetError, StopRunError, isTargetError } from '../connectors/errors.ts';
import type { DirectorySource } from '../directory/port.ts';
import type { LinkRepository, LinkRef } from './links.ts';
import type { CycleCounters } from './counters.ts';
import { ObjectTrace } from './log-entry.ts';

export interface ManagerWant {
  userSourceId: string;
  managerSourceId: string | null;
}

export interface ReferenceResult {
  /** Users whose exported manager changed: to record with LinkRepository.setManagers. */
  managerUpdates: { sourceId: string; managerTargetId: string | null }[];
  traces: ObjectTrace[];
  /** Users whose manager is not linked yet (the manager is set in each). */
  pending: ManagerWant[];
}

/** Sets or clears managers that differ from what was exported. */
export async function resolveManagers(
  db: Db, links: LinkRepository, target: TargetPort, wants: readonly ManagerWant[], counters: CycleCounters, targetSystem: string,
): Promise<ReferenceResult> {
  const out: ReferenceResult = { managerUpdates: [], traces: [], pending: [] };
  if (wants.length === 0) return out;
  const users = await links.getRefs(db, 'User', wants.map((w) => w.userSourceId));
  const managers = await links.getRefs(db, 'User', wants.flatMap((w) => (w.managerSourceId ? [w.managerSourceId] : [])));
  await Promise.all(wants.map(async (w) => {
    const link = users.get(w.userSourceId);
    if (!link || !link.active) return;
    let desired: string | null = null;
    if (w.managerSourceId) {
      const m = managers.get(w.managerSourceId);
      if (!m) {
        out.pending.push(w);
        return;
      }
      desired = m.targetId;
    }
    if (desired === link.managerTargetId) return;
    const trace = new ObjectTrace('User', link.sourceId, link.displayName ?? link.sourceId, 'User');
    trace.targetId = link.targetId;
    counters.importedReferenceDeltas++;
    counters.exports++;
    counters.writes++;
    try {
      await target.setManager(link.targetId, desired, link.managerTargetId ? { previousManagerId: link.managerTargetId } : {});
      counters.exported++;
      trace.action = 'update';
      trace.modified.push({ displayName: 'manager', oldValue: link.managerTargetId, newValue: desired });
      trace.step('referenceResolution', 'EntryExportUpdate', 'success', desired
        ? `The manager of User '${trace.displayName}' was set in ${targetSystem}`
        : `The manager of User '${trace.displayName}' was removed in ${targetSystem}`, { ReportableIdentifier: trace.displayName });
      out.managerUpdates.push({ sourceId: link.sourceId, managerTargetId: desired });
    } catch (e) {
      if (e instanceof StopRunError) throw e;
      // The cycle decides what follows from the cause: retry, escrow (action `manager`) or heal the link.
      trace.fail(isTargetError(e) ? e.code : 'UnableToResolveReferenceAttributeValue', isTargetError(e) ? e.entraReason() : String(e), 'nonServiceFailure', e);
      trace.action = 'update';
      trace.step('referenceResolution', 'EntryExportUpdate', 'failure', `Failed to update the manager of User '${trace.displayName}' in ${targetSystem}`, {});
    }
    out.traces.push(trace);
  }));
  return out;
}

/** What a group's member sync did, for the cycle to record (with the trace) in one transaction. */
export interface MembershipResult {
  trace: ObjectTrace | null;
  /** Exported members the target no longer has (member source ids). */
  removed: string[];
  /** Members the target now has. */
  added: { sourceId: string; targetId: string }[];
}

/**
 * Brings a linked group's members in the target in line with the source:
 * its direct members that are linked (users active in the target, groups
 * provisioned) are added, exported members no longer wanted are removed.
 * The exported-members bookkeeping it returns is what the target accepted:
 * removals once the target removed them, additions once both calls
 * succeeded (as before, an addition whose removal call failed is sent again
 * next cycle).
 */
export async function syncGroupMembers(
  db: Db, directory: DirectorySource, links: LinkRepository, target: TargetPort, group: LinkRef, counters: CycleCounters, targetSystem: string,
): Promise<MembershipResult> {
  const wanted = new Map<string, string>(); // member source id → target id
  for await (const batch of directory.streamGroupMemberIds(group.sourceId, { batchSize: 1000 })) {
    const userIds = batch.filter((m) => m.type === 'user').map((m) => m.id);
    const groupIds = batch.filter((m) => m.type === 'group').map((m) => m.id);
    for (const [id, l] of await links.getRefs(db, 'User', userIds)) if (l.active) wanted.set(id, l.targetId);
    for (const [id, l] of await links.getRefs(db, 'Group', groupIds)) wanted.set(id, l.targetId);
  }
  const exported = await links.members(db, group.sourceId);
  // A member whose target id changed (recreated after a 404) counts as gone and added again.
  const add = [...wanted.keys()].filter((id) => exported.get(id) !== wanted.get(id));
  const gone = [...exported.keys()].filter((id) => !wanted.has(id) || exported.get(id) !== wanted.get(id));
  const result: MembershipResult = { trace: null, removed: [], added: [] };
  if (add.length === 0 && gone.length === 0) return result;
  const removeTargets = gone.map((id) => exported.get(id)!);
  const trace = new ObjectTrace('Group', group.sourceId, group.displayName ?? group.sourceId, 'Group');
  result.trace = trace;
  trace.targetId = group.targetId;
  trace.action = 'update';
  counters.importedReferenceDeltas += add.length + gone.length;
  counters.exports++;
  try {
    if (add.length) {
      counters.writes++;
      await target.addMembers(group.targetId, add.map((id) => wanted.get(id)!));
    }
    if (gone.length) {
      counters.writes++;
      await target.removeMembers(group.targetId, removeTargets);
      result.removed = gone;
    }
    if (add.length) result.added = add.map((id) => ({ sourceId: id, targetId: wanted.get(id)! }));
    counters.exported++;
    trace.modified.push({ displayName: 'members', oldValue: gone.length ? `-${gone.length}` : null, newValue: add.length ? `+${add.length}` : null });
    trace.step('referenceResolution', 'EntryExportUpdate', 'success',
      `Group '${trace.displayName}' was updated in ${targetSystem}: ${add.length} member(s) added, ${gone.length} removed`, { ReportableIdentifier: trace.displayName });
  } catch (e) {
    if (e instanceof StopRunError) throw e;
    if (e instanceof NotFoundTargetError) {
      trace.step('referenceResolution', 'EntryExportUpdate', 'warning', `Group '${trace.displayName}' no longer exists in ${targetSystem}; it is provisioned again.`, {});
    }
    // The cycle decides what follows from the cause: retry, escrow (action `members`) or heal the link.
    trace.fail(isTargetError(e) ? e.code : 'UnableToResolveReferenceAttributeValue',
      `We were unable to assign members to ${trace.displayName}. ${isTargetError(e) ? e.entraReason() : String(e)}`, 'nonServiceFailure', e);
  }
  return result;
}
