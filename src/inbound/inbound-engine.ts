/**
 * Runs the cycles of inbound jobs (templates API2AAD and
 * AD2AADProvisioning): picks the job's source (the bulkUpload staging store,
 * or a connector from a source factory), compiles the schema's inbound
 * user mapping once per schema version, runs an InboundCycle and records it
 * in the job status as Graph shows it. SyncEngine.runCycle hands inbound
 * jobs here, so the runner schedules them like any job.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import { NEVER } from '../util/time.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import type { SyncService, JobRecord } from '../sync/sync-service.ts';
import type { ApplicationService } from '../applications/applications.ts';
import type { SynchronizationSchemaT, TaskExecutionT } from '../graph/sync-schemas.ts';
import type { ProvisioningLogSink } from '../engine/log-entry.ts';
import { compileObjectMapping } from '../engine/mapping-plan.ts';
import type { CompiledObjectMapping } from '../engine/mapping-plan.ts';
import { parseResetScope } from '../sync/job-model.ts';
import { AZURE_AD_DIRECTORY_NAME, AZURE_AD_USER_OBJECT } from '../sync/templates/azure-ad-directory.ts';
import { ABSENT_ACTIVE_SETTING, API2AAD_FACTORY_TAG, INBOUND_FACTORY_TAGS } from '../sync/templates/inbound.ts';
import type { InboundSource, InboundSourceFactory } from './port.ts';
import { StagedApiSource } from './staging.ts';
import type { StagingStore } from './staging.ts';
import { InboundCycle } from './cycle.ts';
import type { InboundCycleResult } from './cycle.ts';
import { CachingTarget } from './directory-target.ts';

export interface InboundEngineDeps {
  store: Store;
  directory: DirectoryService;
  sync: SyncService;
  applications: ApplicationService;
  logs: ProvisioningLogSink;
  clock: Clock;
  logger: Logger;
  tenant: { id: string; domain: string };
  staging: StagingStore;
  /** Connectors for non-API inbound jobs (the LDAP/AD source plugs in here). */
  sources?: InboundSourceFactory[];
  /** Records read per batch (default 200). */
  batchSize?: number;
}

/** Is this job an inbound one (its template's factory is inbound)? */
export function isInboundJob(job: { templateId: string }): boolean {
  return INBOUND_FACTORY_TAGS.some((t) => t.toLowerCase() === job.templateId.toLowerCase());
}

/** The inbound rule's user mapping: the rule whose target is the directory. */
export function compileInboundMapping(schema: SynchronizationSchemaT): CompiledObjectMapping | undefined {
  const rule = (schema.synchronizationRules ?? []).find((r) => r.targetDirectoryName === AZURE_AD_DIRECTORY_NAME && r.sourceDirectoryName !== AZURE_AD_DIRECTORY_NAME);
  const om = rule?.objectMappings?.find((m) => m.enabled !== false && m.targetObjectName === AZURE_AD_USER_OBJECT);
  if (!rule || !om) return undefined;
  const target = schema.directories?.find((d) => d.name === AZURE_AD_DIRECTORY_NAME)?.objects?.find((o) => o.name === AZURE_AD_USER_OBJECT);
  return compileObjectMapping(om, 'User', target);
}

function setting(job: JobRecord, name: string): string | undefined {
  return job.settings.find((s) => s.name.toLowerCase() === name.toLowerCase())?.value ?? undefined;
}

export class InboundEngine {
  private readonly compiled = new Map<string, { version: string; mapping: CompiledObjectMapping }>();


  constructor(private readonly deps: InboundEngineDeps) {
    deps.sync.events.on('job', (e) => {
      if (e.kind !== 'deleted') return;
      this.compiled.delete(e.jobId);
      void this.forget(e.jobId).catch((err: unknown) => deps.logger.error({ err, jobId: e.jobId }, 'cleaning up a deleted inbound job failed'));
    });
  }

  handles(job: { templateId: string }): boolean {
    return isInboundJob(job);
  }

  private async forget(jobId: string): Promise<void> {
    await this.deps.staging.purge(jobId);
    await this.deps.store.transaction(async (trx) => {
      await trx.deleteFrom('inbound_links').where('job_id', '=', jobId).execute();
      await trx.deleteFrom('inbound_pending_refs').where('job_id', '=', jobId).execute();
      await trx.deleteFrom('inbound_counters').where('job_id', '=', jobId).execute();
    });
  }

  private mappingOf(job: JobRecord): CompiledObjectMapping {
    const hit = this.compiled.get(job.id);
    if (hit && hit.version === (job.schema.version ?? '')) return hit.mapping;
    const mapping = compileInboundMapping(job.schema);
    if (!mapping) throw new Error(`The job's schema has no enabled object mapping into '${AZURE_AD_DIRECTORY_NAME}' '${AZURE_AD_USER_OBJECT}'.`);
    this.compiled.set(job.id, { version: job.schema.version ?? '', mapping });
    return mapping;
  }

  private sourceOf(job: JobRecord, secrets: Record<string, string | undefined>): InboundSource {
    if (job.templateId.toLowerCase() === API2AAD_FACTORY_TAG.toLowerCase()) return new StagedApiSource(this.deps.staging, job.id);
    for (const f of this.deps.sources ?? []) {
      const s = f.create(job, secrets);
      if (s) return s;
    }
    throw new Error(`No source connector serves '${job.templateId}' jobs in this server (configure the LDAP/AD connector).`);
  }

  /**
   * Restart's resetScope for an inbound job: `Watermark` (or `Full`) purges
   * what was staged before it, as Entra does for an idle API-driven job;
   * `ConnectorDataStore` drops the anchor links and pending references.
   */
  private async consumeResets(job: JobRecord): Promise<void> {
    if (!job.pendingResetScope) return;
    const flags = parseResetScope(job.pendingResetScope);
    if (flags.has('Watermark') && job.templateId.toLowerCase() === API2AAD_FACTORY_TAG.toLowerCase()) {
      const purged = await this.deps.staging.purge(job.id);
      if (purged) this.deps.logger.info({ jobId: job.id, purged }, 'restart purged staged bulkUpload records');
    }
    if (flags.has('ConnectorDataStore')) {
      await this.deps.store.transaction(async (trx) => {
        await trx.deleteFrom('inbound_links').where('job_id', '=', job.id).execute();
        await trx.deleteFrom('inbound_pending_refs').where('job_id', '=', job.id).execute();
      });
    }
    await this.deps.sync.mutateJob(job.spId, job.id, () => ({ pendingResetScope: null }));
  }

  /** Runs one cycle of an inbound job and records it in the job status. */
  async runCycle(jobId: string): Promise<InboundCycleResult | undefined> {
    const job = await this.deps.sync.findJob(jobId);
    if (!job) return undefined;
    const began = this.deps.clock.now();
    let source: InboundSource | undefined;
    try {
      await this.consumeResets(job);
      const sp = await this.deps.applications.getServicePrincipal(job.spId);
      const secrets = await this.deps.sync.readSecrets(job.spId);
      source = this.sourceOf(job, secrets as Record<string, string | undefined>);
      const cycle = new InboundCycle(
        { store: this.deps.store, target: new CachingTarget(this.deps.directory), logs: this.deps.logs, clock: this.deps.clock, logger: this.deps.logger },
        { id: job.id, tenantId: this.deps.tenant.id, defaultDomain: this.deps.tenant.domain, servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId } },
        source,
        this.mappingOf(job),
        { absentActiveMeansUnchanged: (setting(job, ABSENT_ACTIVE_SETTING) ?? '').toLowerCase() === 'true', batchSize: this.deps.batchSize ?? 200 },
      );
      const result = await cycle.run();
      await this.recordSuccess(job, result);
      this.deps.logger.info({ jobId, cycleId: result.cycleId, counters: result.counters }, `inbound cycle ended: ${result.counters.imported} imported, `
        + `${result.counters.created} created, ${result.counters.updated} updated, ${result.counters.disabled} disabled, ${result.counters.failed} failed`);
      return result;
    } catch (e) {
      await this.recordFailure(job, began, e);
      throw e;
    } finally {
      await source?.close?.();
    }
  }

  private execution(r: InboundCycleResult): TaskExecutionT {
    const c = r.counters;
    const exported = c.created + c.updated + c.disabled + c.deleted + c.referencesResolved;
    return {
      activityIdentifier: r.cycleId,
      countEntitled: c.imported - c.skipped,
      countEntitledForProvisioning: c.imported - c.skipped,
      countEscrowed: c.failed,
      countEscrowedRaw: c.failed,
      countExported: exported,
      countExports: exported + c.failed,
      countImported: c.imported,
      countImportedDeltas: c.imported,
      countImportedReferenceDeltas: c.referencesResolved + c.referencesPending,
      error: null,
      state: c.failed > 0 ? 'EntryLevelErrors' : 'Succeeded',
      timeBegan: r.timeBegan.toISOString(),
      timeEnded: r.timeEnded.toISOString(),
    };
  }

  private async recordSuccess(job: JobRecord, r: InboundCycleResult): Promise<void> {
    const exec = this.execution(r);
    const now = this.deps.clock.now().toISOString();
    const steady = exec.countExports === 0;
    await this.deps.sync.mutateJob(job.spId, job.id, (j) => ({
      status: {
        ...j.status,
        code: j.schedule.state === 'Paused' ? 'Paused' : j.schedule.state === 'Active' ? 'Active' : j.status.code,
        countSuccessiveCompleteFailures: 0,
        escrowsPruned: false,
        lastExecution: exec,
        lastSuccessfulExecution: exec.state === 'Succeeded' ? exec : j.status.lastSuccessfulExecution,
        lastSuccessfulExecutionWithExports: exec.countExported > 0 ? exec : j.status.lastSuccessfulExecutionWithExports,
        quarantine: null,
        progress: [{ completedUnits: r.counters.imported, totalUnits: r.counters.imported, units: 'objects', progressObservationDateTime: now }],
        steadyStateFirstAchievedTime: steady && j.status.steadyStateFirstAchievedTime === NEVER ? now : j.status.steadyStateFirstAchievedTime,
        steadyStateLastAchievedTime: steady ? now : j.status.steadyStateLastAchievedTime,
        synchronizedEntryCountByType: [{ key: 'User to User', value: r.linked }],
      },
    }));
  }

  private async recordFailure(job: JobRecord, began: Date, e: unknown): Promise<void> {
    const now = this.deps.clock.now();
    this.deps.logger.error({ err: e, jobId: job.id }, 'inbound cycle failed');
    await this.deps.sync.mutateJob(job.spId, job.id, (j) => ({
      status: {
        ...j.status,
        countSuccessiveCompleteFailures: j.status.countSuccessiveCompleteFailures + 1,
        lastExecution: {
          activityIdentifier: null, countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0, countExported: 0,
          countExports: 0, countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0,
          error: { code: 'InboundCycleFailed', message: e instanceof Error ? e.message : String(e), tenantActionable: false },
          state: 'Failed', timeBegan: began.toISOString(), timeEnded: now.toISOString(),
        },
      },
    })).catch(() => undefined);
  }
}
