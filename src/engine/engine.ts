/**
 * The synchronization engine: runs a job's cycle and reports it in the job's
 * status exactly as Graph shows it (lastExecution, lastSuccessfulExecution…,
 * steady state, counts by type, quarantine). It gives restart's resetScope
 * flags their effect at the start of the next cycle.
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
import { parseResetScope } from '../sync/job-model.ts';
import { compileJobSchema } from './mapping-plan.ts';
import type { CompiledJobSchema } from './mapping-plan.ts';
import { Cycle } from './cycle.ts';
import type { CycleResult } from './cycle.ts';
import type { ProvisioningLogSink } from './log-entry.ts';
import type { TargetFactory } from './target-factory.ts';
import { secretFlag } from './target-factory.ts';
import { LinkRepository } from './links.ts';
import { EscrowRepository } from './escrows.ts';
import { deleteJobState, loadJobState, saveJobState } from './job-state.ts';

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
}

export interface RunOptions {
  onProgress?: (p: { completed: number; total: number; phase: string }) => void;
}

/** First re-evaluation 5 minutes after a quarantine begins (entra-behavior.md §2.8). */
const QUARANTINE_FIRST_RETRY_MS = 5 * 60_000;

export class SyncEngine {
  private readonly compiled = new Map<string, { version: string; schema: CompiledJobSchema }>();

  constructor(private readonly deps: EngineDeps) {
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
    });
  }

  /** Compiled once per schema version: every PUT moves the version on. */
  private compile(job: JobRecord): CompiledJobSchema {
    const hit = this.compiled.get(job.id);
    if (hit && hit.version === (job.schema.version ?? '')) return hit.schema;
    const schema = compileJobSchema(job.schema);
    this.compiled.set(job.id, { version: job.schema.version ?? '', schema });
    return schema;
  }

  private async clearWatermark(jobId: string): Promise<void> {
    const state = await loadJobState(this.deps.store.db, jobId);
    if (state.watermark !== null) await saveJobState(this.deps.store.db, jobId, { ...state, watermark: null }, this.deps.clock.now());
  }

  /** Applies and clears the resetScope flags a restart left for the engine. */
  private async consumeResets(job: JobRecord): Promise<void> {
    if (!job.pendingResetScope) return;
    const flags = parseResetScope(job.pendingResetScope);
    await this.deps.store.transaction(async (trx) => {
      if (flags.has('ConnectorDataStore')) await new LinkRepository(job.id).clear(trx);
      if (flags.has('Escrows')) await new EscrowRepository(job.id).clearAll(trx);
      if (flags.has('Watermark') || flags.has('ConnectorDataStore')) {
        const state = await loadJobState(trx, job.id);
        await saveJobState(trx, job.id, { ...state, watermark: null }, this.deps.clock.now());
      }
    });
    await this.deps.sync.mutateJob(job.spId, job.id, () => ({ pendingResetScope: null }));
  }

  /**
   * Runs one cycle of a job now and records its outcome in the job status.
   * A target that cannot be used (credentials, URL, compliance) quarantines
   * the job; per-object failures become escrows.
   */
  async runCycle(jobId: string, opts: RunOptions = {}): Promise<CycleResult | undefined> {
    const job = await this.deps.sync.findJob(jobId);
    if (!job) return undefined;
    await this.consumeResets(job);
    const sp = await this.deps.applications.getServicePrincipal(job.spId);
    const secrets = await this.deps.sync.readSecrets(job.spId);
    const began = this.deps.clock.now();
    let target;
    try {
      target = this.deps.targetFactory(secrets, {});
      const cycle = new Cycle(
        { store: this.deps.store, directory: this.deps.directory, logs: this.deps.logs, clock: this.deps.clock, logger: this.deps.logger },
        {
          jobId: job.id,
          servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId },
          tenantId: this.deps.tenant.id,
          defaultDomain: this.deps.tenant.domain,
          compiled: this.compile(job),
          target,
          settings: { syncAll: secretFlag(secrets, 'SyncAll'), skipOutOfScopeDeletions: secretFlag(secrets, 'SkipOutOfScopeDeletions') },
          onProgress: (p) => {
            opts.onProgress?.(p);
            this.reportProgress(job, p);
          },
        },
      );
      const result = await cycle.run();
      await this.recordSuccess(job, result);
      return result;
    } catch (e) {
      if (e instanceof StopRunError) {
        await this.quarantine(job, began, e);
        return undefined;
      }
      await this.recordFailure(job, began, e);
      throw e;
    } finally {
      await target?.close();
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
    void this.deps.sync.mutateJob(job.spId, job.id, (j) => ({ status: { ...j.status, progress } }))
      .catch((err: unknown) => this.deps.logger.debug({ err, jobId: job.id }, 'progress update skipped'));
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
    await this.deps.sync.mutateJob(job.spId, job.id, (j) => {
      const s: SynchronizationStatusT = {
        ...j.status,
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

  private async quarantine(job: JobRecord, began: Date, e: StopRunError): Promise<void> {
    const now = this.deps.clock.now();
    const error = { code: e.code, message: e.message, tenantActionable: e.tenantActionable };
    await this.deps.sync.mutateJob(job.spId, job.id, (j) => {
      const prev = j.status.quarantine;
      const exec: TaskExecutionT = {
        activityIdentifier: null, countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0,
        countExported: 0, countExports: 0, countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0,
        error, state: 'Failed', timeBegan: began.toISOString(), timeEnded: now.toISOString(),
      };
      return {
        status: {
          ...j.status,
          code: 'Quarantine',
          countSuccessiveCompleteFailures: j.status.countSuccessiveCompleteFailures + 1,
          lastExecution: exec,
          quarantine: {
            currentBegan: now.toISOString(),
            nextAttempt: new Date(now.getTime() + QUARANTINE_FIRST_RETRY_MS).toISOString(),
            reason: e.quarantineReason,
            seriesBegan: prev?.seriesBegan ?? now.toISOString(),
            seriesCount: (prev?.seriesCount ?? 0) + 1,
            error,
          },
        },
      };
    });
    this.deps.logger.warn({ jobId: job.id, code: e.code }, `job quarantined: ${e.message}`);
  }

  private async recordFailure(job: JobRecord, began: Date, e: unknown): Promise<void> {
    const now = this.deps.clock.now();
    const code = isTargetError(e) ? e.code : 'InternalError';
    this.deps.logger.error({ err: e, jobId: job.id }, 'cycle failed');
    await this.deps.sync.mutateJob(job.spId, job.id, (j) => ({
      status: {
        ...j.status,
        countSuccessiveCompleteFailures: j.status.countSuccessiveCompleteFailures + 1,
        lastExecution: {
          activityIdentifier: null, countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0,
          countExported: 0, countExports: 0, countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0,
          error: { code, message: 'The cycle failed; it will be retried.', tenantActionable: false },
          state: 'Failed', timeBegan: began.toISOString(), timeEnded: now.toISOString(),
        },
      },
    })).catch(() => undefined);
  }
}
