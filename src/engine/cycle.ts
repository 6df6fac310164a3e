/**
 * One synchronization cycle of one job, as a pipeline of named stages:
 * import → scope → match → map → plan → export (object-pipeline.ts) →
 * resolve references (references.ts) → record. The initial (full) cycle
 * reads the whole directory; incremental cycles read the change feed from
 * the job's watermark, which is saved only after the work it covers is
 * durable. Users before groups; memberships after both are linked.
 *
 * Failure handling (docs/failure-handling.md): an object that fails with a
 * transient error (429, 5xx, timeout, reset — after the client's own
 * retries) is tried again within the cycle, in passes with back-off; what
 * still fails, and what the target rejected, becomes an escrow retried on
 * the ladder by later cycles. A link whose target object vanished is healed
 * (provisioned again). Deletes and disables beyond the accidental-deletion
 * threshold are staged, not sent. A paused job's cycle stops between batches
 * and the next one resumes where it stopped.
 */
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { Db, Store } from '../store/store.ts';
import { setTimeout as delay } from 'node:timers/promises';
import type { DirectorySource, DirectoryUser, DirectoryGroup, IdRange } from '../directory/port.ts';
import type { TargetPort, TargetStats } from '../connectors/ports.ts';
import { NotFoundTargetError, TransientTargetError } from '../connectors/errors.ts';
import type { Clock } from '../util/time.ts';
import type { CompiledJobSchema, CompiledObjectMapping, SourceType } from './mapping-plan.ts';
import { LinkRepository } from './links.ts';
import type { Link } from './links.ts';
import { EscrowRepository } from './escrows.ts';
import type { Escrow, EscrowFailure } from './escrows.ts';
import { CycleCounters } from './counters.ts';
import { escrowOf, runObject } from './object-pipeline.ts';
import type { ObjectOutcome, PipelineContext, RetryNote } from './object-pipeline.ts';
import { groupInput, userInput } from './source-input.ts';
import { resolveManagers, syncGroupMembers } from './references.ts';
import type { ManagerWant } from './references.ts';
import type { LogScope, ObjectTrace, ProvisioningLogSink, ProvisioningObjectSummary } from './log-entry.ts';
import { loadJobState, saveJobState } from './job-state.ts';
import type { JobState, ResumePoint, StagedDelete } from './job-state.ts';
import { mapLimit } from './concurrency.ts';
import type { DeleteGate } from './quarantine.ts';

/** What a done partition hands the coordinator (src/scheduler/partitions.ts). */
export interface PartitionOutcome {
  counters: Record<string, number>;
  pendingManagers: string[];
}

/**
 * How a full cycle's users are shared between workers (implemented by the
 * scheduler, src/scheduler/partitions.ts): the cycle only says when and
 * what; where the partitions run is the scheduler's business.
 */
export interface CycleShare {
  /** Users per partition, about. */
  readonly partitionSize: number;
  /** The partitions a coordinator that died left behind (the cycle resumes them, with their watermark), or null. */
  existing(): Promise<{ watermark: number } | null>;
  /** Whether a full cycle over this many users is worth sharing. */
  wants(users: number): boolean;
  /**
   * Runs one phase over the partitions (cutting them with `cut` when the
   * phase has none yet), this worker taking its share; resolves with every
   * partition's outcome once all are done; 'stopped' when `stop` said so
   * (the job was paused, the process is stopping): the partitions stay for
   * the cycle that resumes.
   */
  runPhase(phase: 'users' | 'managers', cycleId: string, watermark: number, cut: () => Promise<string[]>,
    onProgress: (doneUsers: number) => void, stop: () => Promise<boolean>): Promise<PartitionOutcome[] | 'stopped'>;
  /** Drops the partitions once the cycle has recorded its end. */
  clear(trx: Db): Promise<void>;
}

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
  /** Accidental-deletion gate of this cycle; absent: deletes and disables are not limited. */
  deleteGate?: DeleteGate;
  /** In-cycle retries of transient failures (default {@link DEFAULT_RETRY_POLICY}). */
  retry?: Partial<RetryPolicy>;
  /** Asked between batches: true stops the cycle where it is (the job was paused); the next cycle resumes there. */
  shouldStop?: () => Promise<boolean>;
  /** A full cycle's users may be shared with other workers (partitions). */
  share?: CycleShare;
}

/** How a cycle retries objects that failed transiently, before escrowing them. */
export interface RetryPolicy {
  /** Passes over the objects that failed transiently (0: escrow at once). */
  passes: number;
  /** Wait before the first pass, doubled per pass up to `maxDelayMs`; a longer Retry-After wins. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The wait (tests inject one). */
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  passes: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  sleep: (ms) => delay(ms),
};

/** One object (or one of its references) to try again within this cycle. */
interface PendingRetry {
  type: SourceType;
  sourceId: string;
  /** `object`: the object's own export; `manager`, `members`: its reference. */
  kind: 'object' | 'manager' | 'members';
  action: string;
  code: string;
  attempts: number;
  firstFailedAt: string;
  retryAfterMs?: number;
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
  /** The job was paused: the cycle stopped between batches and the next one resumes there. */
  interrupted: boolean;
  /** Deletes and disables held back by the accidental-deletion threshold (all staged, this cycle's and earlier ones'). */
  staged: number;
  /** The target's request counters for this cycle (requests, client retries, 429s, timeouts). */
  targetStats: TargetStats;
}

export const TARGET_SYSTEM = 'customappsso';

/** Objects recorded per transaction at most (see Cycle.recordChunk). */
export const RECORD_CHUNK = 128;

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
  private pendingManagers: string[] = [];
  /**
   * Users whose manager was not linked when this cycle last looked (every
   * managers() call, retries included): resolved once more at the end of the
   * cycle, after the retries, and kept for the next cycle if still pending.
   */
  private readonly unresolvedManagers = new Set<string>();
  /** Objects whose presence in the target changed this cycle: their groups' members need a look. */
  private readonly membershipDirty = new Set<string>();
  private readonly policy: RetryPolicy;
  /** Transient failures waiting for the next in-cycle pass, by `type:id:kind`. */
  private readonly retryQueue = new Map<string, PendingRetry>();
  /** Failed attempts within this cycle, by `type:id:kind`. */
  private readonly attemptsInCycle = new Map<string, { attempts: number; first: string }>();
  private retryPass = 0;
  /** Deletes and disables held back this cycle. */
  private readonly staged = new Map<string, StagedDelete>();
  /** Whether any reference escrow exists (so that successes need to clear them). */
  private referenceEscrows = false;
  private stopAt: ResumePoint | null = null;
  /** Links healed after the last pass: provisioned again by the next cycle. */
  private readonly lateHeals: EscrowFailure[] = [];

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
      ...(input.deleteGate ? { deleteGate: input.deleteGate } : {}),
    };
    this.policy = { ...DEFAULT_RETRY_POLICY, ...input.retry };
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
    const previouslyStaged = state.stagedDeletes ?? [];
    // Staged deletes wait for approval: until then nothing more is deleted or disabled.
    if (previouslyStaged.length) this.input.deleteGate?.hold();
    let backlog = false;
    this.referenceEscrows = (await this.escrows.stats(this.db)).references > 0;
    await this.testConnection();
    if (!this.input.settings.syncAll) await this.loadAssignedGroups();
    if (full) {
      const resume = state.resume ?? null;
      const share = !resume && this.input.compiled.users ? this.input.share : undefined;
      const adopted = share ? await share.existing() : null;
      const watermark = resume?.watermark ?? adopted?.watermark ?? (await this.deps.directory.currentWatermark());
      const n = await this.deps.directory.countObjects();
      this.total = (this.input.compiled.users ? n.users : 0) + (this.input.compiled.groups ? n.groups : 0);
      const shared = share && (adopted || share.wants(n.users)) ? share : undefined;
      if (await this.fullImport(resume, watermark, shared)) return this.interrupted(state, full, timeBegan, previouslyStaged);
      state.watermark = watermark;
      state.resume = null;
      state.pendingManagers = [...new Set([...state.pendingManagers, ...this.pendingManagers])];
    } else {
      const r = await this.incremental(state);
      if (r === 'stopped') return this.interrupted(state, full, timeBegan, previouslyStaged);
      backlog = r;
    }
    await this.drainRetries();
    await this.retryEscrows();
    // Deletes staged by earlier cycles are looked at again (a full cycle already looked at every linked object).
    if (!full) await this.restaged(previouslyStaged);
    await this.drainRetries();
    const pending = [...new Set([...state.pendingManagers, ...this.unresolvedManagers])];
    this.unresolvedManagers.clear();
    if (pending.length) {
      const users = await this.deps.directory.getUsersByIds(pending);
      await this.managers(users.filter((u) => !u.deletedDateTime).map((u) => ({ userSourceId: u.id, managerSourceId: u.managerId })));
      await this.drainRetries();
    }
    state.pendingManagers = [...this.unresolvedManagers];
    await this.flushRetries();
    state.stagedDeletes = [...this.staged.values()];
    await this.deps.store.transaction(async (trx) => {
      await saveJobState(trx, this.input.jobId, state, this.deps.clock.now());
      if (full) await this.input.share?.clear(trx);
    });
    return this.result(full, timeBegan, backlog, false);
  }

  private async result(full: boolean, timeBegan: Date, backlog: boolean, interrupted: boolean): Promise<CycleResult> {
    return {
      cycleId: this.cycleId, full, counters: this.counters, timeBegan, timeEnded: this.deps.clock.now(), backlog, interrupted,
      staged: this.staged.size,
      targetStats: this.input.target.stats(),
      linkCounts: { users: await this.links.count(this.db, 'User'), groups: await this.links.count(this.db, 'Group') },
    };
  }

  /** The job was paused mid-cycle: keep where it stopped, escrow what waits for a retry, keep what is staged. */
  private async interrupted(state: JobState, full: boolean, timeBegan: Date, previouslyStaged: readonly StagedDelete[]): Promise<CycleResult> {
    await this.flushRetries();
    if (full) {
      state.resume = this.stopAt;
      state.pendingManagers = [...new Set([...state.pendingManagers, ...this.pendingManagers, ...this.unresolvedManagers])];
    }
    const staged = new Map(previouslyStaged.map((x) => [`${x.type}:${x.sourceId}`, x]));
    for (const [k, v] of this.staged) staged.set(k, v);
    state.stagedDeletes = [...staged.values()];
    await this.deps.store.transaction((trx) => saveJobState(trx, this.input.jobId, state, this.deps.clock.now()));
    return this.result(full, timeBegan, true, true);
  }

  private async stopRequested(): Promise<boolean> {
    return this.input.shouldStop ? this.input.shouldStop() : false;
  }

  /** The connection test, retried like an object when the target answers with a transient failure. */
  private async testConnection(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.input.target.testConnection({ groups: this.input.compiled.groups !== null });
        return;
      } catch (e) {
        if (!(e instanceof TransientTargetError) || attempt > this.policy.passes) throw e;
        await this.policy.sleep(this.backoff(attempt, e.retryAfterMs));
      }
    }
  }

  private backoff(pass: number, retryAfterMs = 0): number {
    return Math.max(retryAfterMs, Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (pass - 1)));
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

  /**
   * Reads the whole directory. With a resume point (the job was paused in
   * an earlier full cycle) the objects up to it are only counted as seen.
   * Returns true when the job was paused meanwhile (`stopAt` says where).
   */
  private async fullImport(resume: ResumePoint | null, watermark: number, share?: CycleShare): Promise<boolean> {
    const { users, groups } = this.input.compiled;
    const batchSize = this.input.batchSize ?? 500;
    if (users && share) {
      if (await this.sharedUsers(share, users, watermark)) return true;
    } else if (users && (!resume || resume.phase === 'users')) {
      const seen = new Set<string>();
      const managerWants: ManagerWant[] = [];
      for await (const batch of this.deps.directory.streamUsers({ batchSize })) {
        for (const u of batch) seen.add(u.id);
        const todo = resume ? batch.filter((u) => u.id > resume.after) : batch;
        this.counters.imported += todo.length;
        managerWants.push(...(await this.processUsers(users, todo)));
        if (todo.length && (await this.stopRequested())) {
          this.stopAt = { watermark, phase: 'users', after: batch[batch.length - 1]!.id };
          this.pendingManagers = managerWants.map((w) => w.userSourceId);
          return true;
        }
      }
      // Linked users the stream did not return are soft- or hard-deleted.
      await this.sweepUnseen('User', users, seen);
      this.pendingManagers = await this.managers(managerWants);
    }
    if (groups) {
      const seen = new Set<string>();
      const after = resume?.phase === 'groups' ? resume.after : undefined;
      for await (const batch of this.deps.directory.streamGroups({ batchSize })) {
        for (const g of batch) seen.add(g.id);
        const todo = after === undefined ? batch : batch.filter((g) => g.id > after);
        this.counters.imported += todo.length;
        await this.processGroups(groups, todo);
        if (todo.length && (await this.stopRequested())) {
          this.stopAt = { watermark, phase: 'groups', after: batch[batch.length - 1]!.id };
          return true;
        }
      }
      await this.sweepUnseen('Group', groups, seen);
      await this.allMemberships();
    }
    // Every group's members were just brought in line: nothing is left dirty.
    this.membershipDirty.clear();
    this.progress('done', true);
    return false;
  }

  /**
   * The users of a full cycle, shared: phase `users` (create, update) then
   * phase `managers` over partitions that any worker may run; then, here,
   * the linked users the directory no longer has. Their counts join this
   * cycle's.
   */
  private async sharedUsers(share: CycleShare, mapping: CompiledObjectMapping, watermark: number): Promise<boolean> {
    const progress = (done: number) => {
      this.completed = done;
      this.progress('User');
    };
    const cut = () => this.deps.directory.userIdBoundaries(share.partitionSize);
    const stop = () => this.stopRequested();
    const first = await share.runPhase('users', this.cycleId, watermark, cut, progress, stop);
    if (first === 'stopped') return true;
    const second = await share.runPhase('managers', this.cycleId, watermark, cut, progress, stop);
    if (second === 'stopped') return true;
    for (const r of [...first, ...second]) this.counters.add(r.counters);
    this.pendingManagers = second.flatMap((r) => r.pendingManagers);
    const seen = new Set<string>();
    for await (const batch of this.deps.directory.streamUsers({ batchSize: 5000 })) for (const u of batch) seen.add(u.id);
    await this.sweepUnseen('User', mapping, seen);
    this.completed = seen.size;
    return false;
  }

  /** Set when this cycle object runs one partition: group memberships are the coordinator's. */
  private partitionMode = false;

  /**
   * One partition of a shared full cycle: the users in `range`, created and
   * updated (`users`) or given their manager references (`managers`), with
   * the in-cycle retries; 'stopped' when `stop()` said so between batches
   * (the partition is redone by whoever takes it next).
   */
  async runPartition(phase: 'users' | 'managers', range: IdRange, stop: () => boolean): Promise<PartitionOutcome | 'stopped'> {
    const mapping = this.input.compiled.users;
    if (!mapping) return { counters: {}, pendingManagers: [] };
    this.partitionMode = true;
    const batchSize = this.input.batchSize ?? 500;
    for await (const batch of this.deps.directory.streamUsers({ batchSize, range })) {
      if (phase === 'users') {
        this.counters.imported += batch.length;
        await this.processUsers(mapping, batch);
      } else if (mapping.managerAttribute) {
        const links = await this.links.get(this.db, 'User', batch.map((u) => u.id));
        await this.managers(batch.filter((u) => links.get(u.id)?.active).map((u) => ({ userSourceId: u.id, managerSourceId: u.managerId })));
      }
      if (stop()) return 'stopped';
    }
    await this.drainRetries();
    await this.flushRetries();
    return { counters: this.counters.toJSON(), pendingManagers: [...this.unresolvedManagers] };
  }

  private async sweepUnseen(type: SourceType, mapping: CompiledObjectMapping, seen: Set<string>): Promise<void> {
    for await (const page of this.links.stream(this.db, type)) {
      const unseen = page.filter((l) => !seen.has(l.sourceId)).map((l) => l.sourceId);
      if (unseen.length) await this.processByIds(type, mapping, unseen);
    }
  }

  private async allMemberships(): Promise<void> {
    for await (const page of this.links.stream(this.db, 'Group', 200)) {
      await this.memberships(page);
    }
  }

  // ------------------------------------------------------ incremental cycle

  /** Drains the change feed from the watermark; true when changes remain for the next cycle, `stopped` when the job was paused. */
  private async incremental(state: JobState): Promise<boolean | 'stopped'> {
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
        await this.managers(list.filter((u) => !u.deletedDateTime).map((u) => ({ userSourceId: u.id, managerSourceId: u.managerId })));
      }
      if (groups && groupIds.size) await this.processByIds('Group', groups, [...groupIds]);
      if (groups) await this.dirtyMemberships([...membershipGroups, ...groupIds]);
      // The page's work is durable (every batch committed its links): move the watermark past it.
      state.watermark = page[page.length - 1]!.seq;
      await this.deps.store.transaction((trx) => saveJobState(trx, this.input.jobId, state, this.deps.clock.now()));
      if (await this.stopRequested()) return 'stopped';
      if (++pages >= 50) return true; // at most 50,000 changes per cycle; the rest next cycle
    }
    return false;
  }

  /**
   * Processes objects by id: live, soft-deleted, or gone (hard-deleted).
   * Returns manager wants for users. `notes` mark retries (logged as such).
   */
  private async processByIds(type: SourceType, mapping: CompiledObjectMapping, ids: string[], notes?: ReadonlyMap<string, RetryNote>): Promise<ManagerWant[]> {
    const wants: ManagerWant[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      if (type === 'User') {
        const found = await this.deps.directory.getUsersByIds(part);
        wants.push(...(await this.processUsers(mapping, found, notes)));
        await this.hardDeleted(type, mapping, part.filter((id) => !found.some((u) => u.id === id)), notes);
      } else {
        const found = await this.deps.directory.getGroupsByIds(part);
        await this.processGroups(mapping, found, notes);
        await this.hardDeleted(type, mapping, part.filter((id) => !found.some((g) => g.id === id)), notes);
      }
    }
    return wants;
  }

  private async hardDeleted(type: SourceType, mapping: CompiledObjectMapping, ids: string[], notes?: ReadonlyMap<string, RetryNote>): Promise<void> {
    if (ids.length === 0) return;
    const links = await this.links.get(this.db, type, ids);
    if (links.size === 0) {
      // Gone from the source and never linked: nothing will ever be done for them; drop their escrows.
      if (notes) await this.deps.store.transaction((trx) => this.escrows.clear(trx, type, ids));
      return;
    }
    const outcomes = await mapLimit([...links.values()], this.input.concurrency ?? 32, (link) => {
      const retry = notes?.get(`${type}:${link.sourceId}`);
      return runObject(mapping, {
        type, sourceId: link.sourceId, displayName: link.displayName ?? link.sourceId, bag: {}, link, hardDeleted: true,
        scope: { processed: true, assigned: false, active: false, filterPassed: false, inScope: false, details: {} },
        ...(retry ? { retry } : {}),
      }, this.pctx);
    });
    await this.record(type, outcomes.map((o, i) => ({ id: [...links.keys()][i]!, outcome: o })));
  }

  // ---------------------------------------------------------- object batches

  /**
   * Objects whose outcomes are recorded together. Smaller than a directory
   * batch so that a process killed mid-batch loses little: what the target
   * accepted but was not linked yet is matched (not created again) by the
   * next cycle, but each such object costs a query there.
   */
  private get recordChunk(): number {
    return Math.max(this.input.concurrency ?? 32, RECORD_CHUNK);
  }

  private async processUsers(mapping: CompiledObjectMapping, users: readonly DirectoryUser[], notes?: ReadonlyMap<string, RetryNote>): Promise<ManagerWant[]> {
    if (users.length === 0) return [];
    if (users.length > this.recordChunk) {
      const wants: ManagerWant[] = [];
      for (let i = 0; i < users.length; i += this.recordChunk) wants.push(...(await this.processUsers(mapping, users.slice(i, i + this.recordChunk), notes)));
      return wants;
    }
    const ids = users.map((u) => u.id);
    const links = await this.links.get(this.db, 'User', ids);
    const ents = this.input.settings.syncAll ? [] : await this.deps.directory.getEntitlements(this.input.servicePrincipal.id, ids);
    const entById = new Map(ents.map((e) => [e.userId, e]));
    const outcomes = await mapLimit(users, this.input.concurrency ?? 32, (u) => {
      const input = userInput(mapping, u, entById.get(u.id), this.input.settings.syncAll, links.get(u.id));
      const retry = notes?.get(`User:${u.id}`);
      return runObject(mapping, retry ? { ...input, retry } : input, this.pctx);
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

  private async processGroups(mapping: CompiledObjectMapping, groups: readonly DirectoryGroup[], notes?: ReadonlyMap<string, RetryNote>): Promise<void> {
    if (groups.length === 0) return;
    if (groups.length > this.recordChunk) {
      for (let i = 0; i < groups.length; i += this.recordChunk) await this.processGroups(mapping, groups.slice(i, i + this.recordChunk), notes);
      return;
    }
    const links = await this.links.get(this.db, 'Group', groups.map((g) => g.id));
    const outcomes = await mapLimit(groups, this.input.concurrency ?? 32, (g) => {
      const input = groupInput(mapping, g, this.assignedGroups?.has(g.id) ?? false, this.input.settings.syncAll, links.get(g.id));
      const retry = notes?.get(`Group:${g.id}`);
      return runObject(mapping, retry ? { ...input, retry } : input, this.pctx);
    });
    await this.record('Group', outcomes.map((o, i) => ({ id: groups[i]!.id, outcome: o })));
  }

  /** Sets managers; returns the users whose manager is not linked yet. Failures are retried, escrowed or healed. */
  private async managers(wants: readonly ManagerWant[]): Promise<string[]> {
    const pending: string[] = [];
    for (let i = 0; i < wants.length; i += 500) {
      const chunk = wants.slice(i, i + 500);
      const res = await resolveManagers(this.db, this.links, this.input.target, chunk, this.counters, TARGET_SYSTEM);
      const waiting = res.pending.map((w) => w.userSourceId);
      pending.push(...waiting);
      for (const w of chunk) this.unresolvedManagers.delete(w.userSourceId);
      for (const id of waiting) this.unresolvedManagers.add(id);
      const failed = res.traces.filter((t) => t.status === 'failure');
      await this.deps.store.transaction(async (trx) => {
        await this.links.setManagers(trx, res.managerUpdates, this.deps.clock.now().toISOString());
        if (this.referenceEscrows) {
          const notOk = new Set([...waiting, ...failed.map((t) => t.sourceId)]);
          await this.escrows.clear(trx, 'User', chunk.map((w) => w.userSourceId).filter((id) => !notOk.has(id)), 'references');
        }
        await this.referenceFailures(trx, 'User', 'manager', failed);
      });
      await this.writeLogs(res.traces);
    }
    return pending;
  }

  private async memberships(groups: readonly Link[]): Promise<void> {
    const results = await mapLimit(groups, 4, (g) => syncGroupMembers(this.db, this.deps.directory, this.links, this.input.target, g, this.counters, TARGET_SYSTEM));
    const traces = results.flatMap((r) => (r.trace ? [r.trace] : []));
    const failed = traces.filter((t) => t.status === 'failure');
    await this.deps.store.transaction(async (trx) => {
      // What the target accepted becomes the exported membership.
      for (const [i, r] of results.entries()) {
        if (r.removed.length) await this.links.removeMembers(trx, groups[i]!.sourceId, r.removed);
        if (r.added.length) await this.links.addMembers(trx, groups[i]!.sourceId, r.added);
      }
      if (this.referenceEscrows) {
        const notOk = new Set(failed.map((t) => t.sourceId));
        await this.escrows.clear(trx, 'Group', groups.map((g) => g.sourceId).filter((id) => !notOk.has(id)), 'references');
      }
      await this.referenceFailures(trx, 'Group', 'members', failed);
    });
    await this.writeLogs(traces);
  }


  /** The groups whose members need a look because objects entered or left the target (and `extra` ones). */
  private async dirtyMemberships(extra: readonly string[] = []): Promise<void> {
    if (!this.input.compiled.groups) return;
    if (this.partitionMode) {
      this.membershipDirty.clear();
      return;
    }
    const dirty = [...this.membershipDirty];
    this.membershipDirty.clear();
    if (dirty.length === 0 && extra.length === 0) return;
    const ofDirty = dirty.length ? [...(await this.deps.directory.getGroupIdsOfMembers(dirty)).values()].flat() : [];
    const exportedIn = dirty.length ? await this.links.groupsOfMembers(this.db, dirty) : [];
    const touched = [...new Set([...extra, ...ofDirty, ...exportedIn])];
    const linked = await this.links.get(this.db, 'Group', touched);
    await this.memberships([...linked.values()]);
  }

  /**
   * A manager or members update failed: a vanished object is provisioned
   * again (its link dropped), a transient failure waits for the next pass,
   * anything else is escrowed as a reference failure.
   */
  private async referenceFailures(trx: Db, type: SourceType, kind: 'manager' | 'members', traces: readonly ObjectTrace[]): Promise<void> {
    for (const t of traces) {
      const cause = t.cause;
      if (cause instanceof NotFoundTargetError) {
        await this.links.remove(trx, type, [t.sourceId]);
        this.heal(type, t.sourceId, t);
        continue;
      }
      const escrow = escrowOf(cause ?? new Error(t.error?.reason ?? 'reference failure'), kind);
      if (escrow.transient && this.canRetry) {
        this.queueRetry(type, t.sourceId, kind, escrow, t);
      } else {
        await this.escrowFailure(trx, { type, sourceId: t.sourceId, ...escrow }, t);
      }
    }
  }

  /** The target lost a linked object: provision it again, now or (after the last pass) next cycle. */
  private heal(type: SourceType, sourceId: string, trace: ObjectTrace): void {
    const escrow = { action: 'create', error: { code: 'InvalidAnchor', message: 'The object no longer exists in the target; it is provisioned again.' }, transient: true };
    if (this.canRetry) this.queueRetry(type, sourceId, 'object', escrow, trace);
    else this.lateHeals.push({ type, sourceId, ...escrow });
  }

  private get canRetry(): boolean {
    return this.retryPass < this.policy.passes;
  }

  private queueRetry(type: SourceType, sourceId: string, kind: PendingRetry['kind'], escrow: NonNullable<ObjectOutcome['escrow']>, trace: ObjectTrace | null): void {
    const key = `${type}:${sourceId}:${kind}`;
    const prev = this.attemptsInCycle.get(key);
    const attempts = (prev?.attempts ?? 0) + 1;
    const first = prev?.first ?? this.deps.clock.now().toISOString();
    this.attemptsInCycle.set(key, { attempts, first });
    this.retryQueue.set(key, {
      type, sourceId, kind, action: escrow.action, code: escrow.error.code, attempts, firstFailedAt: first,
      ...(escrow.retryAfterMs !== undefined ? { retryAfterMs: escrow.retryAfterMs } : {}),
    });
    if (trace?.error) trace.error.reason += `\r\nThis operation will be retried within this cycle (attempt ${attempts + 1}).`;
  }

  /** Records an escrow and says in the log entry when it is tried again (Entra's wording, entra-behavior.md §5.1). */
  private async escrowFailure(trx: Db, f: EscrowFailure, trace: ObjectTrace | null): Promise<Escrow | undefined> {
    const prior = this.attemptsInCycle.get(`${f.type}:${f.sourceId}:${f.action === 'manager' || f.action === 'members' ? f.action : 'object'}`)?.attempts ?? 0;
    const esc = await this.escrows.record(trx, f, this.deps.clock.now());
    this.counters.escrowed++;
    if (f.action === 'manager' || f.action === 'members') this.referenceEscrows = true;
    if (trace?.error) {
      trace.error.reason += esc
        ? ` This operation was retried ${esc.attempts - 1 + prior} times. It will be retried again after this date: ${esc.nextAttemptAt} UTC`
        : ' This operation failed for 28 days; it will not be retried again until the object changes.';
    }
    return esc;
  }

  /** Passes over the transient failures, with back-off; the last pass escrows what still fails. */
  private async drainRetries(): Promise<void> {
    const { users, groups } = this.input.compiled;
    while (this.retryQueue.size > 0 && this.retryPass < this.policy.passes) {
      this.retryPass++;
      const batch = [...this.retryQueue.values()];
      this.retryQueue.clear();
      await this.policy.sleep(this.backoff(this.retryPass, Math.max(0, ...batch.map((b) => b.retryAfterMs ?? 0))));
      this.counters.retried += batch.length;
      const now = this.deps.clock.now().toISOString();
      const notes = new Map<string, RetryNote>(batch.filter((b) => b.kind === 'object').map((b) => [`${b.type}:${b.sourceId}`, {
        kind: 'cycle', attempts: b.attempts, firstFailedAt: b.firstFailedAt, nextAttemptAt: now, action: b.action, code: b.code,
      }]));
      const ids = (type: SourceType, kind: PendingRetry['kind']) => batch.filter((b) => b.type === type && b.kind === kind).map((b) => b.sourceId);
      const userIds = ids('User', 'object');
      const groupIds = ids('Group', 'object');
      if (users && userIds.length) await this.managers(await this.processByIds('User', users, userIds, notes));
      if (groups && groupIds.length) await this.processByIds('Group', groups, groupIds, notes);
      const managerIds = ids('User', 'manager');
      if (users && managerIds.length) {
        const list = await this.deps.directory.getUsersByIds(managerIds);
        await this.managers(list.filter((u) => !u.deletedDateTime).map((u) => ({ userSourceId: u.id, managerSourceId: u.managerId })));
      }
      await this.dirtyMemberships([...groupIds, ...ids('Group', 'members')]);
    }
  }

  /** After the last pass (or when the job is paused): what still waits for a retry is escrowed, due at the next cycle. */
  private async flushRetries(): Promise<void> {
    const left = [...this.retryQueue.values()];
    this.retryQueue.clear();
    if (left.length === 0 && this.lateHeals.length === 0) return;
    await this.deps.store.transaction(async (trx) => {
      for (const r of left) {
        await this.escrowFailure(trx, {
          type: r.type, sourceId: r.sourceId, action: r.action, transient: true,
          error: { code: r.code, message: 'A transient failure outlasted the retries of the cycle.' },
          ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}),
        }, null);
      }
      for (const h of this.lateHeals.splice(0)) await this.escrowFailure(trx, h, null);
    });
  }

  /** Escrows whose next attempt is due, processed again and logged as retries. */
  private async retryEscrows(): Promise<void> {
    const due = await this.escrows.due(this.db, this.deps.clock.now());
    if (due.length === 0) return;
    this.counters.escrowRetries += due.length;
    const notes = new Map<string, RetryNote>(due.map((e) => [`${e.type}:${e.sourceId}`, {
      kind: 'escrow', attempts: e.attempts, firstFailedAt: e.firstFailedAt, nextAttemptAt: e.nextAttemptAt, action: e.action, code: e.error.code,
    }]));
    const users = due.filter((e) => e.type === 'User').map((e) => e.sourceId);
    const groups = due.filter((e) => e.type === 'Group').map((e) => e.sourceId);
    if (users.length && this.input.compiled.users) {
      const wants = await this.processByIds('User', this.input.compiled.users, users, notes);
      // A manager escrow is retried through the user's manager, also when the user itself needed no change.
      const managerOnly = due.filter((e) => e.type === 'User' && e.action === 'manager' && !wants.some((w) => w.userSourceId === e.sourceId)).map((e) => e.sourceId);
      const extra = managerOnly.length ? await this.deps.directory.getUsersByIds(managerOnly) : [];
      await this.managers([...wants, ...extra.filter((u) => !u.deletedDateTime).map((u) => ({ userSourceId: u.id, managerSourceId: u.managerId }))]);
    }
    if (groups.length && this.input.compiled.groups) {
      await this.processByIds('Group', this.input.compiled.groups, groups, notes);
      await this.dirtyMemberships(groups);
    }
    await this.dirtyMemberships();
  }

  /** Deletes and disables staged by an earlier cycle, looked at again (held back again unless approved or no longer wanted). */
  private async restaged(previous: readonly StagedDelete[]): Promise<void> {
    const todo = previous.filter((x) => !this.staged.has(`${x.type}:${x.sourceId}`));
    const users = todo.filter((x) => x.type === 'User').map((x) => x.sourceId);
    const groups = todo.filter((x) => x.type === 'Group').map((x) => x.sourceId);
    if (users.length && this.input.compiled.users) await this.processByIds('User', this.input.compiled.users, users);
    if (groups.length && this.input.compiled.groups) await this.processByIds('Group', this.input.compiled.groups, groups);
    await this.dirtyMemberships();
  }

  // ------------------------------------------------------------------ record

  /** Writes a batch's outcomes in one transaction: links, escrows, logs. */
  private async record(type: SourceType, items: { id: string; outcome: ObjectOutcome }[]): Promise<void> {
    const now = this.deps.clock.now();
    const upserts = items.flatMap((x) => (x.outcome.upsert ? [x.outcome.upsert] : []));
    const removals = items.filter((x) => x.outcome.remove).map((x) => x.id);
    const succeeded = items.filter((x) => x.outcome.succeeded).map((x) => x.id);
    const toEscrow: { id: string; outcome: ObjectOutcome }[] = [];
    for (const x of items) {
      const escrow = x.outcome.escrow;
      if (escrow) {
        if (escrow.transient && this.canRetry) this.queueRetry(type, x.id, 'object', escrow, x.outcome.trace);
        else toEscrow.push(x);
      }
      if (x.outcome.staged) this.staged.set(`${type}:${x.id}`, { type, sourceId: x.id });
      else if (x.outcome.succeeded) this.staged.delete(`${type}:${x.id}`);
    }
    const traces = items.flatMap((x) => (x.outcome.trace ? [x.outcome.trace] : []));
    for (const x of items) if (x.outcome.activityChanged) this.membershipDirty.add(x.id);
    await this.deps.store.transaction(async (trx) => {
      await this.links.upsert(trx, upserts, now.toISOString());
      if (removals.length) {
        await this.links.remove(trx, type, removals);
        await this.escrows.clear(trx, type, removals);
      }
      if (succeeded.length) await this.escrows.clear(trx, type, succeeded, 'objects');
      for (const f of toEscrow) {
        const e = f.outcome.escrow!;
        await this.escrowFailure(trx, {
          type, sourceId: f.id, action: e.action, error: e.error, transient: e.transient,
          ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
        }, f.outcome.trace);
      }
    });
    await this.writeLogs(traces);
    this.completed += items.length;
    this.progress(type);
  }

  private async writeLogs(traces: readonly ObjectTrace[]): Promise<void> {
    if (traces.length === 0) return;
    const at = this.deps.clock.now();
    const entries: ProvisioningObjectSummary[] = traces.map((t) => t.toEntry(this.scope, at));
    await this.deps.logs.write(entries);
  }

}
