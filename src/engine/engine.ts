/**
 * The synchronization engine: runs a job's cycle and reports it in the job's
 * status exactly as Graph shows it (lastExecution, lastSuccessfulExecution…,
 * steady state, counts by type, quarantine). It gives restart's resetScope
 * flags their effect at the start of the next cycle, decides after each
 * cycle whether the job goes into (or stays in) quarantine, and serves the
 * on-demand operations: provisionOnDemand, validateCredentials and the
 * escrow listing (docs/failure-handling.md).
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { DirectorySource } from '../directory/port.ts';
import type { Clock } from '../util/time.ts';
import { NEVER } from '../util/time.ts';
import type { SyncService, JobRecord } from '../sync/sync-service.ts';
import type { ApplicationService } from '../applications/applications.ts';
import type { SynchronizationStatusT, TaskExecutionT } from '../graph/sync-schemas.ts';
import { StopRunError, isTargetError } from '../connectors/errors.ts';
import { errors } from '../errors/graph-error.ts';
import { parseResetScope } from '../sync/job-model.ts';
import type { RestartFlag } from '../sync/job-model.ts';
import { compileJobSchema } from './mapping-plan.ts';
import type { CompiledJobSchema } from './mapping-plan.ts';
import { Cycle } from './cycle.ts';
import type { CycleResult, CycleShare, PartitionOutcome, RetryPolicy } from './cycle.ts';
import type { IdRange } from '../directory/port.ts';
import type { ProvisioningLogSink } from './log-entry.ts';
import type { TargetFactory, Secrets } from './target-factory.ts';
import type { TargetPort } from '../connectors/ports.ts';
import type { CycleInput } from './cycle.ts';
import { secretFlag } from './target-factory.ts';
import { LinkRepository } from './links.ts';
import { EscrowRepository } from './escrows.ts';
import { deleteJobState, loadJobState, saveJobState } from './job-state.ts';
import { DeleteGate, ENTRA_ESCROW_THRESHOLDS, escrowThresholdCrossed, imposeQuarantine, resolveDeleteThreshold, tooManyDeletes } from './quarantine.ts';
import type { EscrowThresholds, QuarantineCause } from './quarantine.ts';
import { OnDemand } from './on-demand.ts';
import type { OnDemandRequest, OnDemandResponse, Initiator } from './on-demand.ts';
import { validateCredentials } from './credentials.ts';
import { LeaseLostError, fencedStore } from '../scheduler/leases.ts';
import type { Fence } from '../scheduler/leases.ts';
import type { ValidateCredentialsRequest } from './credentials.ts';
import { listEscrows } from './escrow-listing.ts';
import type { EscrowPage } from './escrow-listing.ts';

export interface EngineDeps {
  store: Store;
  directory: DirectorySource;
  sync: SyncService;
  applications: ApplicationService;
  logs: ProvisioningLogSink;
  clock: Clock;
  logger: Logger;
  tenant: { id: string; domain: string };
  targetFactory: TargetFactory;
  options?: EngineOptions;
  /** Runs the cycles of inbound jobs (API2AAD, AD2AADProvisioning): src/inbound/. */
  inbound?: InboundCycleRunner;
}

/** What the engine hands inbound jobs to. */
export interface InboundCycleRunner {
  handles(job: { templateId: string }): boolean;
  /** One cycle; `fence`: it runs under a scheduler lease, and its writes of the job's state are fenced. */
  runCycle(jobId: string, fence?: Fence): Promise<unknown>;
  /** provisionOnDemand for an inbound job (it refuses what it does not offer). */
  provisionOnDemand?(job: JobRecord, request: OnDemandRequest, initiator: Initiator): Promise<OnDemandResponse>;
}

/** Tuning, mostly for tests: Entra's figures are the defaults. */
export interface EngineOptions {
  /** Escrow thresholds of quarantine (default Entra's 5,000 / 40 % / 40,000 / 60,000). */
  thresholds?: EscrowThresholds;
  /** Objects per directory batch (default 500). */
  batchSize?: number;
  /** Objects processed at once (default 32). */
  concurrency?: number;
  /** In-cycle retries of transient failures. */
  retry?: Partial<RetryPolicy>;
  /** provisionOnDemand requests per job per window (default Graph's 5 per 10 s). */
  onDemandRateLimit?: { requests: number; windowSeconds: number };
}

export interface RunOptions {
  onProgress?: (p: { completed: number; total: number; phase: string }) => void;
  /**
   * The lease this cycle runs under (the scheduler's): every write of the
   * job's state checks it, and the cycle ends with LeaseLostError once the
   * lease is lost.
   */
  fence?: Fence & { readonly lost?: boolean };
  /** True once the process is shutting down: the cycle stops after the batch in flight; the next holder resumes there. */
  draining?: () => boolean;
  /** A full cycle's users may be shared with other workers (the scheduler's partitions). */
  share?: CycleShare;
}

/** One partition of a shared full cycle, as the scheduler runs it. */
export interface PartitionRun {
  jobId: string;
  phase: 'users' | 'managers';
  range: IdRange;
  /** The partition's lease. */
  fence: Fence & { readonly lost?: boolean };
  /** True once the process is shutting down: the partition stops between batches, undone. */
  draining: () => boolean;
  /** Marks the partition done, in the transaction its fence checked. */
  complete: (trx: Store['db'], outcome: PartitionOutcome) => Promise<void>;
}

const EMPTY_EXECUTION = {
  activityIdentifier: null, countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0,
  countExported: 0, countExports: 0, countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0,
} as const;

export class SyncEngine {
  private readonly compiled = new Map<string, { version: string; schema: CompiledJobSchema }>();
  private readonly onDemand: OnDemand;
  /** The fence of each cycle running in this process, by job id. */
  private readonly fences = new Map<string, Fence>();

  constructor(private readonly deps: EngineDeps) {
    this.onDemand = new OnDemand({
      store: deps.store, directory: deps.directory, logs: deps.logs, clock: deps.clock, tenant: deps.tenant, targetFactory: deps.targetFactory,
      sync: deps.sync, applications: deps.applications, compile: (job) => this.compile(job),
    }, deps.options?.onDemandRateLimit);
    // Deleting a job removes everything the engine kept for it (graph-sync-api.md §3.3.4).
    deps.sync.events.on('job', (e) => {
      if (e.kind === 'deleted') {
        this.compiled.delete(e.jobId);
        void this.forget(e.jobId).catch((err: unknown) => deps.logger.error({ err, jobId: e.jobId }, 'cleaning up a deleted job failed'));
      }
      // A changed mapping or scope re-evaluates every object: the next cycle is a full one (entra-behavior.md §2.5).
      if (e.kind === 'schema') {
        void this.clearWatermark(e.jobId).catch((err: unknown) => deps.logger.error({ err, jobId: e.jobId }, 'clearing the watermark failed'));
      }
    });
  }

  private async forget(jobId: string): Promise<void> {
    await this.deps.store.transaction(async (trx) => {
      await new LinkRepository(jobId).clear(trx);
      await new EscrowRepository(jobId).clearAll(trx);
      await deleteJobState(trx, jobId);
      await trx.deleteFrom('sync_cycle_partitions').where('job_id', '=', jobId).execute();
    });
  }

  /** Compiled once per schema version: every PUT moves the version on. */
  compile(job: JobRecord): CompiledJobSchema {
    const hit = this.compiled.get(job.id);
    if (hit && hit.version === (job.schema.version ?? '')) return hit.schema;
    const schema = compileJobSchema(job.schema);
    this.compiled.set(job.id, { version: job.schema.version ?? '', schema });
    return schema;
  }

  private async clearWatermark(jobId: string): Promise<void> {
    const state = await loadJobState(this.deps.store.db, jobId);
    if (state.watermark !== null) await saveJobState(this.deps.store.db, jobId, { ...state, watermark: null }, this.deps.clock.now());
    // A shared full cycle under the old schema is not continued: the next one cuts anew.
    await this.deps.store.db.deleteFrom('sync_cycle_partitions').where('job_id', '=', jobId).execute();
  }

  /**
   * Applies and clears the resetScope flags a restart left for the engine
   * (graph-sync-api.md §3.3.7): `ConnectorDataStore` drops the links (and
   * what depends on them: staged deletes, a paused cycle's resume point, the
   * watermark); `Escrows` drops the escrows; `Watermark` makes this cycle a
   * full one; `QuarantineState` was applied by the restart itself;
   * `ForceDeletes` lets this cycle's deletes through (returned to the caller).
   */
  private async consumeResets(job: JobRecord): Promise<Set<RestartFlag>> {
    if (!job.pendingResetScope) return new Set();
    const flags = parseResetScope(job.pendingResetScope);
    await this.store(job.id).transaction(async (trx) => {
      if (flags.has('ConnectorDataStore')) await new LinkRepository(job.id).clear(trx);
      if (flags.has('Escrows')) await new EscrowRepository(job.id).clearAll(trx);
      if (flags.has('Watermark') || flags.has('ConnectorDataStore')) {
        await trx.deleteFrom('sync_cycle_partitions').where('job_id', '=', job.id).execute();
        const state = await loadJobState(trx, job.id);
        const dropLinks = flags.has('ConnectorDataStore');
        await saveJobState(trx, job.id, {
          ...state, watermark: null, resume: null,
          pendingManagers: dropLinks ? [] : state.pendingManagers,
          stagedDeletes: dropLinks ? [] : (state.stagedDeletes ?? []),
        }, this.deps.clock.now());
      }
    });
    await this.mutate(job, () => ({ pendingResetScope: null }));
    return flags;
  }

  /** The store as this job's running cycle may write it: fenced when the cycle runs under a lease. */
  private store(jobId: string): Store {
    const fence = this.fences.get(jobId);
    return fence ? fencedStore(this.deps.store, fence) : this.deps.store;
  }

  private mutate(job: JobRecord, change: Parameters<SyncService['mutateJob']>[2]): Promise<JobRecord> {
    const fence = this.fences.get(job.id);
    return this.deps.sync.mutateJob(job.spId, job.id, change, fence ? { fence } : {});
  }

  /**
   * Runs one cycle of a job now and records its outcome in the job status.
   * A target that cannot be used (credentials, URL, compliance) quarantines
   * the job at once; per-object failures become escrows, which quarantine
   * the job when they cross Entra's thresholds; deletes beyond the
   * accidental-deletion threshold are staged and quarantine it
   * (`TooManyDeletes`). A cycle stopped by Pause records where it got to.
   */
  async runCycle(jobId: string, opts: RunOptions = {}): Promise<CycleResult | undefined> {
    if (opts.fence) this.fences.set(jobId, opts.fence);
    try {
      return await this.runFencedCycle(jobId, opts);
    } catch (e) {
      if (e instanceof LeaseLostError) this.deps.logger.warn({ jobId, token: e.token }, `cycle abandoned: ${e.message}`);
      throw e;
    } finally {
      if (opts.fence) this.fences.delete(jobId);
    }
  }

  private async runFencedCycle(jobId: string, opts: RunOptions): Promise<CycleResult | undefined> {
    const job = await this.deps.sync.findJob(jobId);
    if (!job) return undefined;
    if (this.deps.inbound?.handles(job)) {
      // Inbound jobs have a source connector and the directory as their target: their own cycle.
      await this.deps.inbound.runCycle(jobId, opts.fence);
      return undefined;
    }
    const pausedAtStart = job.schedule.state === 'Paused';
    const flags = await this.consumeResets(job);
    const sp = await this.deps.applications.getServicePrincipal(job.spId);
    const secrets = await this.deps.sync.readSecrets(job.spId);
    const threshold = resolveDeleteThreshold(job.settings, secrets.SyncNotificationSettings);
    const began = this.deps.clock.now();
    let drained = false;
    let target;
    try {
      target = this.deps.targetFactory(secrets, {});
      const cycle = this.newCycle(job, sp, secrets, target, this.store(job.id), new DeleteGate(threshold, flags.has('ForceDeletes')), {
        onProgress: (p) => {
          opts.onProgress?.(p);
          this.reportProgress(job, p);
        },
        ...(opts.share ? { share: opts.share } : {}),
        // Pause stops the cycle between batches; a cycle run on a job that was already paused runs to its end.
        // A lost lease ends the cycle at once; a shutdown stops it like a pause (the next holder resumes there).
        shouldStop: async () => {
          if (opts.fence?.lost) throw new LeaseLostError(job.id, opts.fence.token);
          if (opts.draining?.()) {
            drained = true;
            return true;
          }
          const now = await this.deps.sync.findJob(job.id);
          return !now || (!pausedAtStart && now.schedule.state === 'Paused');
        },
      });
      const result = await cycle.run();
      this.deps.logger.info({
        jobId: job.id, cycleId: result.cycleId, full: result.full, interrupted: result.interrupted, counters: { ...result.counters },
        staged: result.staged, target: result.targetStats,
      }, `cycle ended: ${result.counters.exported} exported, ${result.counters.retried} retried within the cycle, ${result.counters.escrowRetries} escrows retried, ` +
        `${result.counters.escrowed} escrowed, ${result.staged} staged; target: ${result.targetStats.requests} requests, ${result.targetStats.retries} retried, ` +
        `${result.targetStats.throttled} throttled, ${result.targetStats.timeouts} timed out`);
      if (result.interrupted) await this.recordInterrupted(job, result, drained);
      else await this.afterCycle(job, result, threshold.value);
      return result;
    } catch (e) {
      if (e instanceof StopRunError) {
        const now = this.deps.clock.now();
        const error = { code: e.code, message: e.message, tenantActionable: e.tenantActionable };
        await this.quarantine(job, { reason: e.quarantineReason, error }, {
          ...EMPTY_EXECUTION, error, state: 'Failed', timeBegan: began.toISOString(), timeEnded: now.toISOString(),
        }, true);
        return undefined;
      }
      if (!(e instanceof LeaseLostError)) await this.recordFailure(job, began, e);
      throw e;
    } finally {
      await target?.close();
    }
  }

  private newCycle(
    job: JobRecord, sp: { id: string; displayName: string; appId: string }, secrets: Secrets, target: TargetPort, store: Store, deleteGate: DeleteGate,
    extra: Pick<CycleInput, 'onProgress' | 'shouldStop' | 'share'>,
  ): Cycle {
    const o = this.deps.options ?? {};
    return new Cycle(
      { store, directory: this.deps.directory, logs: this.deps.logs, clock: this.deps.clock, logger: this.deps.logger },
      {
        jobId: job.id,
        servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId },
        tenantId: this.deps.tenant.id,
        defaultDomain: this.deps.tenant.domain,
        compiled: this.compile(job),
        target,
        settings: { syncAll: secretFlag(secrets, 'SyncAll'), skipOutOfScopeDeletions: secretFlag(secrets, 'SkipOutOfScopeDeletions') },
        deleteGate,
        ...(o.batchSize ? { batchSize: o.batchSize } : {}),
        ...(o.concurrency ? { concurrency: o.concurrency } : {}),
        ...(o.retry ? { retry: o.retry } : {}),
        ...extra,
      },
    );
  }

  /**
   * Runs one partition of a shared full cycle (src/scheduler/partitions.ts)
   * under the partition's lease; resolves true when it is done (and marked
   * so), false when the process stopping cut it short.
   */
  async runPartition(run: PartitionRun): Promise<boolean> {
    const job = await this.deps.sync.findJob(run.jobId);
    if (!job) throw new LeaseLostError(run.jobId, run.fence.token, 'the job was deleted');
    const sp = await this.deps.applications.getServicePrincipal(job.spId);
    const secrets = await this.deps.sync.readSecrets(job.spId);
    const threshold = resolveDeleteThreshold(job.settings, secrets.SyncNotificationSettings);
    const store = fencedStore(this.deps.store, run.fence);
    const target = this.deps.targetFactory(secrets, {});
    try {
      const cycle = this.newCycle(job, sp, secrets, target, store, new DeleteGate(threshold, false), {});
      const outcome = await cycle.runPartition(run.phase, run.range, () => {
        if (run.fence.lost) throw new LeaseLostError(run.jobId, run.fence.token);
        return run.draining();
      });
      if (outcome === 'stopped') return false;
      await store.transaction((trx) => run.complete(trx, outcome));
      return true;
    } finally {
      await target.close();
    }
  }

  private lastProgressWrite = new Map<string, number>();

  /**
   * Shows a running cycle's progress in the job status (Graph's
   * `status.progress`), at most once a second: what the portal's progress
   * bar and `provisio demo` read.
   */
  private reportProgress(job: JobRecord, p: { completed: number; total: number }): void {
    const now = this.deps.clock.now();
    if (now.getTime() - (this.lastProgressWrite.get(job.id) ?? 0) < 1000) return;
    this.lastProgressWrite.set(job.id, now.getTime());
    const progress = [{ completedUnits: p.completed, totalUnits: Math.max(p.total, p.completed), units: 'objects', progressObservationDateTime: now.toISOString() }];
    void this.mutate(job, (j) => ({ status: { ...j.status, progress } }))
      .catch((err: unknown) => this.deps.logger.debug({ err, jobId: job.id }, 'progress update skipped'));
  }

  /** The counts that decide escrow quarantine: object and reference failures, and the objects that are fine. */
  async escrowCounts(jobId: string): Promise<{ failed: number; referenceFailed: number; succeeded: number }> {
    const db = this.deps.store.db;
    const stats = await new EscrowRepository(jobId).stats(db);
    const links = new LinkRepository(jobId);
    const linked = (await links.count(db, 'User')) + (await links.count(db, 'Group'));
    // Failed updates, disables and deletes are of linked objects; failed creates have no link.
    const linkedFailing = stats.objects - stats.creates;
    return { failed: stats.objects, referenceFailed: stats.references, succeeded: Math.max(0, linked - linkedFailing) };
  }

  /** After a complete cycle: too many deletes, too many failures, or a success. */
  private async afterCycle(job: JobRecord, result: CycleResult, deleteThreshold: number): Promise<void> {
    const exec = this.execution(result);
    if (result.staged > 0) {
      await this.quarantine(job, tooManyDeletes(result.staged, deleteThreshold), exec, false, result);
      return;
    }
    const crossed = escrowThresholdCrossed(await this.escrowCounts(job.id), this.deps.options?.thresholds ?? ENTRA_ESCROW_THRESHOLDS);
    if (crossed && result.full) {
      await this.pruneEscrows(job, result, crossed);
      return;
    }
    if (crossed) {
      await this.quarantine(job, crossed, exec, false, result);
      return;
    }
    await this.recordSuccess(job, result);
  }

  /**
   * The initial (full) cycle reached an escrow threshold: Entra clears the
   * escrows instead of quarantining, completes the initial cycle, then pauses
   * the job until the errors are dealt with (`escrowsPruned`, entra-behavior.md §1.1).
   */
  private async pruneEscrows(job: JobRecord, result: CycleResult, c: QuarantineCause): Promise<void> {
    await this.store(job.id).transaction((trx) => new EscrowRepository(job.id).clearAll(trx));
    const exec = this.execution(result);
    await this.mutate(job, (j) => ({
      schedule: { ...j.schedule, state: 'Paused' },
      status: {
        ...j.status, code: 'Paused', escrowsPruned: true, lastExecution: { ...exec, error: c.error },
        countSuccessiveCompleteFailures: 0, quarantine: null,
      },
    }));
    this.deps.logger.warn({ jobId: job.id, reason: c.reason }, `initial cycle crossed an escrow threshold: escrows pruned, job paused: ${c.error.message}`);
  }

  /**
   * A paused cycle: its partial execution and progress; the job stays paused
   * and resumes there on Start. A cycle stopped by a shutdown (`drained`)
   * resumes there on whichever worker takes the job next.
   */
  private async recordInterrupted(job: JobRecord, result: CycleResult, drained = false): Promise<void> {
    const exec = this.execution(result);
    const now = this.deps.clock.now().toISOString();
    await this.mutate(job, (j) => ({
      status: {
        ...j.status,
        lastExecution: exec,
        progress: [{ completedUnits: result.counters.imported + result.counters.importedDeltas, totalUnits: 0, units: drained ? 'objects (worker stopped; resumes on the next worker)' : 'objects (paused; resumes on Start)', progressObservationDateTime: now }],
      },
    }));
  }

  private execution(result: CycleResult): TaskExecutionT {
    const c = result.counters;
    return {
      activityIdentifier: result.cycleId,
      countEntitled: c.entitled,
      countEntitledForProvisioning: c.entitled,
      countEscrowed: c.escrowed,
      countEscrowedRaw: c.escrowed,
      countExported: c.exported,
      countExports: c.exports,
      countImported: c.imported,
      countImportedDeltas: c.importedDeltas,
      countImportedReferenceDeltas: c.importedReferenceDeltas,
      error: null,
      state: c.escrowed > 0 ? 'EntryLevelErrors' : 'Succeeded',
      timeBegan: result.timeBegan.toISOString(),
      timeEnded: result.timeEnded.toISOString(),
    };
  }

  private async recordSuccess(job: JobRecord, result: CycleResult): Promise<void> {
    const exec = this.execution(result);
    const now = this.deps.clock.now().toISOString();
    const steady = !result.backlog && result.counters.exports === 0 && result.counters.escrowed === 0;
    await this.mutate(job, (j) => {
      const s: SynchronizationStatusT = {
        ...j.status,
        escrowsPruned: false,
        code: j.schedule.state === 'Paused' ? 'Paused' : j.status.code === 'Quarantine' ? 'Active' : j.schedule.state === 'Active' ? 'Active' : j.status.code,
        countSuccessiveCompleteFailures: 0,
        lastExecution: exec,
        lastSuccessfulExecution: exec.state === 'Succeeded' ? exec : j.status.lastSuccessfulExecution,
        lastSuccessfulExecutionWithExports: result.counters.exported > 0 ? exec : j.status.lastSuccessfulExecutionWithExports,
        quarantine: null,
        progress: [{ completedUnits: result.counters.imported + result.counters.importedDeltas, totalUnits: result.counters.imported + result.counters.importedDeltas, units: 'objects', progressObservationDateTime: now }],
        steadyStateFirstAchievedTime: steady && j.status.steadyStateFirstAchievedTime === NEVER ? now : j.status.steadyStateFirstAchievedTime,
        steadyStateLastAchievedTime: steady ? now : j.status.steadyStateLastAchievedTime,
        synchronizedEntryCountByType: [
          { key: 'User to User', value: result.linkCounts.users },
          { key: 'Group to Group', value: result.linkCounts.groups },
        ],
      };
      return { status: s };
    });
  }

  /**
   * Puts the job into quarantine, or keeps it there with one more
   * re-evaluation in the series (quarantine.ts: the ladder, and the job
   * disabled after 28 days).
   */
  private async quarantine(job: JobRecord, c: QuarantineCause, exec: TaskExecutionT, completeFailure: boolean, result?: CycleResult): Promise<void> {
    const now = this.deps.clock.now();
    let disabled = false;
    await this.mutate(job, (j) => {
      const imposed = imposeQuarantine(j.status.quarantine, c, now);
      disabled = imposed.disable;
      const status: SynchronizationStatusT = {
        ...j.status,
        // A pause that landed while this cycle ran wins: the job shows Paused
        // and keeps its quarantine block for when it is started again.
        code: j.schedule.state === 'Paused' ? 'Paused' : 'Quarantine',
        countSuccessiveCompleteFailures: completeFailure ? j.status.countSuccessiveCompleteFailures + 1 : 0,
        lastExecution: exec,
        quarantine: imposed.quarantine,
      };
      if (result) {
        status.synchronizedEntryCountByType = [
          { key: 'User to User', value: result.linkCounts.users },
          { key: 'Group to Group', value: result.linkCounts.groups },
        ];
      }
      return { status, ...(imposed.disable ? { schedule: { ...j.schedule, state: 'Disabled' as const } } : {}) };
    });
    this.deps.logger.warn({ jobId: job.id, reason: c.reason, code: c.error.code, disabled }, `job quarantined: ${c.error.message ?? c.reason}`);
  }

  private async recordFailure(job: JobRecord, began: Date, e: unknown): Promise<void> {
    const now = this.deps.clock.now();
    const code = isTargetError(e) ? e.code : 'InternalError';
    this.deps.logger.error({ err: e, jobId: job.id }, 'cycle failed');
    await this.mutate(job, (j) => ({
      status: {
        ...j.status,
        countSuccessiveCompleteFailures: j.status.countSuccessiveCompleteFailures + 1,
        lastExecution: {
          ...EMPTY_EXECUTION,
          error: { code, message: 'The cycle failed; it will be retried.', tenantActionable: false },
          state: 'Failed', timeBegan: began.toISOString(), timeEnded: now.toISOString(),
        },
      },
    })).catch(() => undefined);
  }

  // ------------------------------------------------------ on-demand operations

  /** provisionOnDemand (graph-sync-api.md §3.3.8): one user, or one group with up to 5 members, now. */
  provisionOnDemand(job: JobRecord, request: OnDemandRequest, initiator: Initiator): Promise<OnDemandResponse> {
    if (this.deps.inbound?.handles(job)) {
      // AD2AADProvisioning: a DN subject (src/inbound/inbound-engine.ts); API2AAD refuses it, as Entra does (API-CONFIG).
      if (this.deps.inbound.provisionOnDemand) return this.deps.inbound.provisionOnDemand(job, request, initiator);
      return Promise.reject(errors.badRequest(`Provision on demand is not supported for inbound jobs ('${job.templateId}'): upload the record with bulkUpload, or run the job.`, 'jobId'));
    }
    return this.onDemand.provision(job, request, initiator);
  }

  /** validateCredentials (graph-sync-api.md §3.3.9–3.3.10): resolves when the target accepts them, else a Graph 400. */
  validateCredentials(request: ValidateCredentialsRequest): Promise<void> {
    return validateCredentials({ sync: this.deps.sync, targetFactory: this.deps.targetFactory, compile: (job) => this.compile(job) }, request);
  }

  /** A page of a job's escrows (Provisio extension, read-only). */
  listEscrows(jobId: string, opts: { top: number; skipToken?: string }): Promise<EscrowPage> {
    return listEscrows({ store: this.deps.store, directory: this.deps.directory }, jobId, opts);
  }
}
