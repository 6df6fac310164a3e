/**
 * One synchronization cycle of one job, as a pipeline of named stages:
 * import → scope → match → map → plan → export (object-pipeline.ts) →
 * resolve references (references.ts) → record. The initial (full) cycle
 * reads the whole directory; incremental cycles read the change feed from
 * the job's watermark, which is saved only after the work it covers is
 * durable. Users before groups; memberships after both are linked.
 */
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { Db, Store } from '../store/store.ts';
import type { DirectorySource, DirectoryUser, DirectoryGroup, UserEntitlement } from '../directory/port.ts';
import type { TargetPort } from '../connectors/ports.ts';
import type { Clock } from '../util/time.ts';
import { userToSourceAttributes, groupToSourceAttributes } from '../sync/templates/azure-ad-directory.ts';
import type { DirectoryUserInput } from '../sync/templates/azure-ad-directory.ts';
import type { CompiledJobSchema, CompiledObjectMapping, SourceType } from './mapping-plan.ts';
import { LinkRepository } from './links.ts';
import type { LinkRef } from './links.ts';
import { EscrowRepository } from './escrows.ts';
import { CycleCounters } from './counters.ts';
import { decideScope } from './scope.ts';
import { runObject } from './object-pipeline.ts';
import type { ObjectOutcome, PipelineContext } from './object-pipeline.ts';
import { resolveManagers, syncGroupMembers } from './references.ts';
import type { ManagerWant } from './references.ts';
import type { LogScope, ObjectTrace, ProvisioningLogSink, ProvisioningObjectSummary } from './log-entry.ts';
import { loadJobState, saveJobState } from './job-state.ts';
import type { JobState, PendingManager } from './job-state.ts';
import { mapLimit } from './concurrency.ts';

export interface CycleSettings {
  syncAll: boolean;
  skipOutOfScopeDeletions: boolean;
}

export interface CycleDeps {
  store: Store;
  directory: DirectorySource;
  logs: ProvisioningLogSink;
  clock: Clock;
  logger: Logger;
}

export interface CycleInput {
  jobId: string;
  servicePrincipal: { id: string; displayName: string; appId: string };
  tenantId: string;
  defaultDomain: string;
  compiled: CompiledJobSchema;
  target: TargetPort;
  settings: CycleSettings;
  /** Objects per batch read from the directory (default 500). */
  batchSize?: number;
  /** Objects processed at once within a batch (the target bounds its own requests too). */
  concurrency?: number;
  onProgress?: (p: { completed: number; total: number; phase: string }) => void;
}

export interface CycleResult {
  cycleId: string;
  full: boolean;
  counters: CycleCounters;
  timeBegan: Date;
  timeEnded: Date;
  linkCounts: { users: number; groups: number };
  /** Changes still waiting in the feed (a cycle caps how many it drains). */
  backlog: boolean;
}

const TARGET_SYSTEM = 'customappsso';

export class Cycle {
  readonly cycleId = randomUUID();
  readonly counters = new CycleCounters();
  private readonly links: LinkRepository;
  private readonly escrows: EscrowRepository;
  private readonly pctx: PipelineContext;
  private readonly scope: LogScope;
  private assignedGroups: Set<string> | null = null;
  private completed = 0;
  private total = 0;
  private lastProgress = 0;
  private pendingManagers: PendingManager[] = [];
  /** Objects whose presence in the target changed this cycle: their groups' members need a look. */
  private readonly membershipDirty = new Set<string>();

  constructor(private readonly deps: CycleDeps, private readonly input: CycleInput) {
    this.links = new LinkRepository(input.jobId);
    this.escrows = new EscrowRepository(input.jobId);
    this.pctx = {
      target: input.target,
      counters: this.counters,
      targetSystem: TARGET_SYSTEM,
      skipOutOfScopeDeletions: input.settings.skipOutOfScopeDeletions,
      now: () => deps.clock.now(),
      defaultDomain: input.defaultDomain,
    };
    this.scope = {
      tenantId: input.tenantId, jobId: input.jobId, cycleId: this.cycleId, servicePrincipal: input.servicePrincipal,
      sourceSystem: 'Azure Active Directory', targetSystem: TARGET_SYSTEM,
    };
  }

  private get db(): Db {
    return this.deps.store.db;
  }

  /** Runs the cycle. Throws StopRunError (quarantine) or store errors; per-object failures become escrows. */
  async run(): Promise<CycleResult> {
    const timeBegan = this.deps.clock.now();
    const state = await loadJobState(this.db, this.input.jobId);
    const full = state.watermark === null;
    let backlog = false;
    await this.input.target.testConnection({ groups: this.input.compiled.groups !== null });
    if (!this.input.settings.syncAll) await this.loadAssignedGroups();
    if (full) {
      const watermark = await this.deps.directory.currentWatermark();
      const n = await this.deps.directory.countObjects();
      this.total = (this.input.compiled.users ? n.users : 0) + (this.input.compiled.groups ? n.groups : 0);
      await this.fullImport();
      state.watermark = watermark;
      state.pendingManagers = this.pendingManagers;
    } else {
      backlog = await this.incremental(state);
    }
    await this.retryEscrows();
    if (state.pendingManagers.length) state.pendingManagers = await this.retryPendingManagers(state.pendingManagers);
    await saveJobState(this.db, this.input.jobId, state, this.deps.clock.now());
    return {
      cycleId: this.cycleId, full, counters: this.counters, timeBegan, timeEnded: this.deps.clock.now(), backlog,
      linkCounts: { users: await this.links.count(this.db, 'User'), groups: await this.links.count(this.db, 'Group') },
    };
  }

  private async loadAssignedGroups(): Promise<void> {
    const set = new Set<string>();
    for await (const batch of this.deps.directory.streamAssignments(this.input.servicePrincipal.id)) {
      for (const a of batch) if (a.principalType === 'Group') set.add(a.principalId);
    }
    this.assignedGroups = set;
  }

  private progress(phase: string, force = false): void {
    const now = Date.now();
    if (!this.input.onProgress || (!force && now - this.lastProgress < 500)) return;
    this.lastProgress = now;
    this.input.onProgress({ completed: this.completed, total: Math.max(this.total, this.completed), phase });
  }

  // ------------------------------------------------------------- full cycle

  private async fullImport(): Promise<void> {
    const { users, groups } = this.input.compiled;
    const batchSize = this.input.batchSize ?? 500;
    if (users) {
      const seen = new Set<string>();
      const managerWants: ManagerWant[] = [];
      for await (const batch of this.deps.directory.streamUsers({ batchSize })) {
        this.counters.imported += batch.length;
        for (const u of batch) seen.add(u.id);
        managerWants.push(...(await this.processUsers(users, batch)));
      }
      // Linked users the stream did not return are soft- or hard-deleted.
      await this.sweepUnseen('User', users, seen);
      this.pendingManagers = await this.managers(managerWants);
    }
    if (groups) {
      const seen = new Set<string>();
      for await (const batch of this.deps.directory.streamGroups({ batchSize })) {
        this.counters.imported += batch.length;
        for (const g of batch) seen.add(g.id);
        await this.processGroups(groups, batch);
      }
      await this.sweepUnseen('Group', groups, seen);
      await this.allMemberships();
    }
    this.progress('done', true);
  }

  private async sweepUnseen(type: SourceType, mapping: CompiledObjectMapping, seen: Set<string>): Promise<void> {
    for await (const page of this.links.streamRefs(this.db, type)) {
      const unseen = page.filter((l) => !seen.has(l.sourceId)).map((l) => l.sourceId);
      if (unseen.length) await this.processByIds(type, mapping, unseen);
    }
  }

  private async allMemberships(): Promise<void> {
    for await (const page of this.links.streamRefs(this.db, 'Group', 200)) {
      await this.memberships(page);
    }
  }

  // ------------------------------------------------------ incremental cycle

  /** Drains the change feed from the watermark; true when changes remain for the next cycle. */
  private async incremental(state: JobState): Promise<boolean> {
    const { users, groups } = this.input.compiled;
    let pages = 0;
    for await (const page of this.deps.directory.streamChangesSince(state.watermark ?? 0, { limit: 1000 })) {
      this.counters.importedDeltas += page.length;
      const userIds = new Set<string>();
      const groupIds = new Set<string>();
      const membershipGroups = new Set<string>();
      const managerUsers = new Set<string>();
      for (const c of page) {
        if (c.objectType === 'user') {
          userIds.add(c.objectId);
          if (c.kind === 'managerSet' || c.kind === 'managerRemoved') managerUsers.add(c.objectId);
        } else if (c.objectType === 'group') {
          if (c.kind === 'memberAdded' || c.kind === 'memberRemoved') {
            membershipGroups.add(c.objectId);
            // A member change can move a user in or out of scope (assignment through the group).
            if (c.relatedType === 'user' && c.relatedId && this.assignedGroups?.has(c.objectId)) userIds.add(c.relatedId);
          } else if (c.kind !== 'ownerAdded' && c.kind !== 'ownerRemoved') {
            groupIds.add(c.objectId);
          }
        } else if (c.objectType === 'appRoleAssignment' && c.resourceId === this.input.servicePrincipal.id && c.relatedId) {
          if (c.principalType === 'Group') {
            groupIds.add(c.relatedId);
            if (this.assignedGroups) {
              if (c.kind === 'assignmentAdded') this.assignedGroups.add(c.relatedId);
              else this.assignedGroups.delete(c.relatedId);
            }
            for await (const members of this.deps.directory.streamGroupMemberIds(c.relatedId)) {
              for (const m of members) if (m.type === 'user') userIds.add(m.id);
            }
          } else {
            userIds.add(c.relatedId);
          }
        }
      }
      if (users && userIds.size) {
        const wants = await this.processByIds('User', users, [...userIds]);
        for (const id of managerUsers) if (!wants.some((w) => w.userSourceId === id)) userIds.add(id);
      }
      if (users && managerUsers.size) {
        const list = await this.deps.directory.getUsersByIds([...managerUsers]);
        const stillPending = await this.managers(list.filter((u) => !u.deletedDateTime).map((u) => ({ userSourceId: u.id, managerSourceId: u.managerId })));
        this.updatePending(state, managerUsers, stillPending);
      }
      if (groups && groupIds.size) await this.processByIds('Group', groups, [...groupIds]);
      if (groups) {
        const dirty = [...this.membershipDirty];
        this.membershipDirty.clear();
        const ofDirty = [...(await this.deps.directory.getGroupIdsOfMembers(dirty)).values()].flat();
        const exportedIn = await this.links.groupsOfMembers(this.db, dirty);
        const touched = [...new Set([...membershipGroups, ...groupIds, ...ofDirty, ...exportedIn])];
        const linked = await this.links.getRefs(this.db, 'Group', touched);
        await this.memberships([...linked.values()]);
      }
      // The page's work is durable (every batch committed its links): move the watermark past it.
      state.watermark = page[page.length - 1]!.seq;
      await saveJobState(this.db, this.input.jobId, { watermark: state.watermark, pendingManagers: [] }, this.deps.clock.now());
      if (++pages >= 50) return true; // at most 50,000 changes per cycle; the rest next cycle
    }
    return false;
  }

  /** Processes objects by id: live, soft-deleted, or gone (hard-deleted). Returns manager wants for users. */
  private async processByIds(type: SourceType, mapping: CompiledObjectMapping, ids: string[]): Promise<ManagerWant[]> {
    const wants: ManagerWant[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      if (type === 'User') {
        const found = await this.deps.directory.getUsersByIds(part);
        wants.push(...(await this.processUsers(mapping, found)));
        await this.hardDeleted(type, mapping, part.filter((id) => !found.some((u) => u.id === id)));
      } else {
        const found = await this.deps.directory.getGroupsByIds(part);
        await this.processGroups(mapping, found);
        await this.hardDeleted(type, mapping, part.filter((id) => !found.some((g) => g.id === id)));
      }
    }
    return wants;
  }

  private async hardDeleted(type: SourceType, mapping: CompiledObjectMapping, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const links = await this.links.get(this.db, type, ids);
    if (links.size === 0) return;
    const outcomes = await mapLimit([...links.values()], this.input.concurrency ?? 32, (link) =>
      runObject(mapping, {
        type, sourceId: link.sourceId, displayName: link.displayName ?? link.sourceId, bag: {}, link, hardDeleted: true,
        scope: { processed: true, assigned: false, active: false, filterPassed: false, inScope: false, details: {} },
      }, this.pctx));
    await this.record(type, outcomes.map((o, i) => ({ id: [...links.keys()][i]!, outcome: o })));
  }

  // ---------------------------------------------------------- object batches

  private roleAssignments(ent: UserEntitlement | undefined) {
    if (!ent) return [];
    const ids = [...ent.direct, ...ent.viaGroups.map((v) => v.appRoleId)];
    return [...new Set(ids)].map((id) => ({ id, value: null, displayName: id === '00000000-0000-0000-0000-000000000000' ? 'User' : null }));
  }

  private async processUsers(mapping: CompiledObjectMapping, users: readonly DirectoryUser[]): Promise<ManagerWant[]> {
    if (users.length === 0) return [];
    const ids = users.map((u) => u.id);
    const links = await this.links.get(this.db, 'User', ids);
    const ents = this.input.settings.syncAll ? [] : await this.deps.directory.getEntitlements(this.input.servicePrincipal.id, ids);
    const entById = new Map(ents.map((e) => [e.userId, e]));
    const outcomes = await mapLimit(users, this.input.concurrency ?? 32, (u) => {
      const ent = entById.get(u.id);
      const active = !u.deletedDateTime && u.accountEnabled;
      const assigned = ent ? ent.direct.length > 0 || ent.viaGroups.length > 0 : false;
      const base: DirectoryUserInput = { ...(u as unknown as DirectoryUserInput), managerId: u.managerId, appRoleAssignments: this.roleAssignments(ent), isSoftDeleted: false };
      const bag = userToSourceAttributes(base) as Record<string, unknown>;
      const scope = decideScope(mapping, bag, { assigned, active, syncAll: this.input.settings.syncAll });
      const finalBag = scope.inScope ? bag : { ...bag, IsSoftDeleted: true };
      return runObject(mapping, {
        type: 'User', sourceId: u.id, displayName: u.userPrincipalName, bag: finalBag, scope, link: links.get(u.id),
      }, this.pctx);
    });
    await this.record('User', outcomes.map((o, i) => ({ id: users[i]!.id, outcome: o })));
    const wants: ManagerWant[] = [];
    for (const [i, o] of outcomes.entries()) {
      const u = users[i]!;
      if (o.succeeded && (o.upsert || links.get(u.id)?.active) && mapping.managerAttribute && !u.deletedDateTime) {
        wants.push({ userSourceId: u.id, managerSourceId: o.references?.[mapping.managerAttribute]?.[0] ?? null });
      }
    }
    return wants;
  }

  private async processGroups(mapping: CompiledObjectMapping, groups: readonly DirectoryGroup[]): Promise<void> {
    if (groups.length === 0) return;
    const links = await this.links.get(this.db, 'Group', groups.map((g) => g.id));
    const outcomes = await mapLimit(groups, this.input.concurrency ?? 32, (g) => {
      const active = !g.deletedDateTime;
      const assigned = this.assignedGroups?.has(g.id) ?? false;
      const bag = groupToSourceAttributes({ ...g, isSoftDeleted: false }) as Record<string, unknown>;
      const scope = decideScope(mapping, bag, { assigned, active, syncAll: this.input.settings.syncAll });
      return runObject(mapping, {
        type: 'Group', sourceId: g.id, displayName: g.displayName ?? g.id, bag: scope.inScope ? bag : { ...bag, IsSoftDeleted: true }, scope, link: links.get(g.id),
      }, this.pctx);
    });
    await this.record('Group', outcomes.map((o, i) => ({ id: groups[i]!.id, outcome: o })));
  }

  /**
   * Retries users whose manager was not linked: those whose manager has a
   * link now (or whose manager is not known), looked up again in the
   * directory for their current manager, exactly as if every pending user
   * were looked up again; the others cannot resolve yet and wait, at the
   * cost of one indexed read per distinct manager instead of a directory
   * and a link read per pending user every cycle. (A user's manager only
   * changes with a managerSet/managerRemoved change, which updates its
   * entry: see updatePending.) Returns who is still pending.
   */
  private async retryPendingManagers(pending: readonly PendingManager[]): Promise<PendingManager[]> {
    const managerIds = [...new Set(pending.flatMap((p) => (p.managerSourceId === null ? [] : [p.managerSourceId])))];
    const linked = await this.links.getRefs(this.db, 'User', managerIds);
    const ready = pending.filter((p) => p.managerSourceId === null || linked.has(p.managerSourceId));
    if (ready.length === 0) return [...pending];
    const waiting = pending.filter((p) => p.managerSourceId !== null && !linked.has(p.managerSourceId));
    const users = await this.deps.directory.getUsersByIds(ready.map((p) => p.userSourceId));
    const still = await this.managers(users.filter((u) => !u.deletedDateTime).map((u) => ({ userSourceId: u.id, managerSourceId: u.managerId })));
    return [...waiting, ...still];
  }

  /**
   * After the managers of `users` were resolved again (their manager
   * changed in the directory): the entries of those among them that were
   * pending follow their new manager, or leave when it resolved.
   */
  private updatePending(state: JobState, users: ReadonlySet<string>, stillPending: readonly PendingManager[]): void {
    if (state.pendingManagers.length === 0) return;
    const wasPending = new Set(state.pendingManagers.filter((p) => users.has(p.userSourceId)).map((p) => p.userSourceId));
    if (wasPending.size === 0) return;
    state.pendingManagers = [
      ...state.pendingManagers.filter((p) => !wasPending.has(p.userSourceId)),
      ...stillPending.filter((p) => wasPending.has(p.userSourceId)),
    ];
  }

  private async managers(wants: readonly ManagerWant[]): Promise<PendingManager[]> {
    const pending: PendingManager[] = [];
    for (let i = 0; i < wants.length; i += 500) {
      const res = await resolveManagers(this.db, this.links, this.input.target, wants.slice(i, i + 500), this.counters, TARGET_SYSTEM);
      pending.push(...res.pending);
      await this.deps.store.transaction(async (trx) => {
        await this.links.setManagers(trx, res.managerUpdates, this.deps.clock.now().toISOString());
        await this.writeLogs(res.traces, trx);
      });
    }
    return pending;
  }

  /** Syncs these groups' members, then records what the target accepted and the log entries in one transaction. */
  private async memberships(groups: readonly LinkRef[]): Promise<void> {
    const results = await mapLimit(groups, 4, (g) => syncGroupMembers(this.db, this.deps.directory, this.links, this.input.target, g, this.counters, TARGET_SYSTEM));
    const traces = results.flatMap((r) => (r.trace ? [r.trace] : []));
    if (traces.length === 0) return;
    await this.deps.store.transaction(async (trx) => {
      for (const [i, r] of results.entries()) {
        if (r.removed.length) await this.links.removeMembers(trx, groups[i]!.sourceId, r.removed);
        if (r.added.length) await this.links.addMembers(trx, groups[i]!.sourceId, r.added);
      }
      await this.writeLogs(traces, trx);
    });
  }

  private async retryEscrows(): Promise<void> {
    const due = await this.escrows.due(this.db, this.deps.clock.now());
    if (due.length === 0) return;
    const users = due.filter((e) => e.type === 'User').map((e) => e.sourceId);
    const groups = due.filter((e) => e.type === 'Group').map((e) => e.sourceId);
    if (users.length && this.input.compiled.users) await this.processByIds('User', this.input.compiled.users, users);
    if (groups.length && this.input.compiled.groups) await this.processByIds('Group', this.input.compiled.groups, groups);
  }

  // ------------------------------------------------------------------ record

  /**
   * Writes a batch's outcomes in one transaction: links, escrows and log
   * entries, so that an entry exists exactly when the change it describes
   * is recorded.
   */
  private async record(type: SourceType, items: { id: string; outcome: ObjectOutcome }[]): Promise<void> {
    const now = this.deps.clock.now();
    const upserts = items.flatMap((x) => (x.outcome.upsert ? [x.outcome.upsert] : []));
    const removals = items.filter((x) => x.outcome.remove).map((x) => x.id);
    const succeeded = items.filter((x) => x.outcome.succeeded).map((x) => x.id);
    const failed = items.filter((x) => x.outcome.escrow);
    const traces = items.flatMap((x) => (x.outcome.trace ? [x.outcome.trace] : []));
    for (const x of items) if (x.outcome.activityChanged) this.membershipDirty.add(x.id);
    await this.deps.store.transaction(async (trx) => {
      await this.links.upsert(trx, upserts, now.toISOString());
      if (removals.length) await this.links.remove(trx, type, removals);
      if (succeeded.length) await this.escrows.clear(trx, type, succeeded);
      for (const f of failed) await this.escrows.record(trx, { type, sourceId: f.id, action: f.outcome.escrow!.action, error: f.outcome.escrow!.error }, now);
      await this.writeLogs(traces, trx);
    });
    this.completed += items.length;
    this.progress(type);
  }

  /** Writes log entries; inside a transaction, pass it (`db`): the store's one SQLite connection is the transaction's until it ends. */
  private async writeLogs(traces: readonly ObjectTrace[], db?: Db): Promise<void> {
    if (traces.length === 0) return;
    const at = this.deps.clock.now();
    const entries: ProvisioningObjectSummary[] = traces.map((t) => t.toEntry(this.scope, at));
    await this.deps.logs.write(entries, db);
  }

}
