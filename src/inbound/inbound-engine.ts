/**
 * Runs the cycles of inbound jobs (templates API2AAD and
 * AD2AADProvisioning): picks the job's source (the bulkUpload staging store,
 * or a connector from a source factory), compiles the schema's inbound
 * user mapping once per schema version, runs an InboundCycle and records it
 * in the job status as Graph shows it. SyncEngine.runCycle hands inbound
 * jobs here, so the runner schedules them like any job.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isLdapSourceError } from '../connectors/ldap/errors.ts';
import type { Store } from '../store/store.ts';
import { fencedStore, LeaseLostError } from '../scheduler/leases.ts';
import type { Fence } from '../scheduler/leases.ts';
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
import { AZURE_AD_DIRECTORY_NAME, AZURE_AD_GROUP_OBJECT, AZURE_AD_USER_OBJECT } from '../sync/templates/azure-ad-directory.ts';
import { ABSENT_ACTIVE_SETTING, API2AAD_FACTORY_TAG, INBOUND_FACTORY_TAGS } from '../sync/templates/inbound.ts';
import type { InboundSource, InboundSourceFactory } from './port.ts';
import { StagedApiSource } from './staging.ts';
import type { StagingStore } from './staging.ts';
import { InboundCycle } from './cycle.ts';
import type { InboundCycleResult } from './cycle.ts';
import { CachingTarget } from './directory-target.ts';
import { errors } from '../errors/graph-error.ts';
import { SlidingWindowLimiter } from '../logs/rate-limit.ts';
import type { RateLimit } from '../logs/rate-limit.ts';
import { MAX_ON_DEMAND_MEMBERS, ON_DEMAND_RATE_LIMIT, answer, hasControl } from '../engine/on-demand.ts';
import type { ObjectResult } from '../engine/on-demand.ts';
import type { Initiator, OnDemandRequest, OnDemandResponse } from '../engine/on-demand.ts';
import { ObjectTrace } from '../engine/log-entry.ts';

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
  /** provisionOnDemand requests per job per window (default Graph's 5 per 10 s). */
  onDemandRateLimit?: RateLimit;
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

/** The inbound rule's group mapping (AD2AAD `group` → `Group`), if the rule has an enabled one. */
export function compileInboundGroupMapping(schema: SynchronizationSchemaT): CompiledObjectMapping | undefined {
  const rule = (schema.synchronizationRules ?? []).find((r) => r.targetDirectoryName === AZURE_AD_DIRECTORY_NAME && r.sourceDirectoryName !== AZURE_AD_DIRECTORY_NAME);
  const om = rule?.objectMappings?.find((m) => m.enabled !== false && m.targetObjectName === AZURE_AD_GROUP_OBJECT);
  if (!rule || !om) return undefined;
  const target = schema.directories?.find((d) => d.name === AZURE_AD_DIRECTORY_NAME)?.objects?.find((o) => o.name === AZURE_AD_GROUP_OBJECT);
  return compileObjectMapping(om, 'Group', target);
}

/** provisionOnDemand's subject of an inbound job: a user, or a group with up to 5 user members to provision with it. */
interface InboundOnDemandSubject {
  type: 'user' | 'group';
  objectId: string;
  members: string[];
}

/** provisionOnDemand's body for an inbound job: one parameter naming a rule of the job, one subject. */
function checkSubject(job: JobRecord, request: OnDemandRequest): InboundOnDemandSubject {
  const params = request.parameters ?? [];
  if (params.length !== 1) throw errors.badRequest(`provisionOnDemand takes exactly one entry in 'parameters' (got ${params.length}).`, 'parameters');
  const p = params[0]!;
  if (!p.ruleId || !(job.schema.synchronizationRules ?? []).some((r) => r.id === p.ruleId)) {
    // The wording of the real service's answer (graph-sync-api.md §2.3).
    throw errors.requestParameterInvalid(
      `The request identified this synchronization job: ${job.id}.  The request also identified this synchronization rule: ${p.ruleId ?? ''}.  However, the job does not include the rule.`,
      'parameters[0].ruleId',
    );
  }
  const subjects = p.subjects ?? [];
  if (subjects.length !== 1) throw errors.badRequest(`provisionOnDemand takes exactly one subject (got ${subjects.length}).`, 'parameters[0].subjects');
  const s = subjects[0]!;
  const type = /^user$/i.test(s.objectTypeName ?? '') ? 'user' : /^group$/i.test(s.objectTypeName ?? '') ? 'group' : undefined;
  if (!type) {
    throw errors.badRequest(`objectTypeName '${s.objectTypeName ?? ''}' is not supported for this job; use user or group (the subject's objectId is its distinguished name).`,
      'parameters[0].subjects[0].objectTypeName');
  }
  const idOf = (x: { objectId?: string | null }, where: string) => {
    const id = x.objectId?.trim();
    if (!id || id.length > 2048 || hasControl(id)) throw errors.badRequest(`'${x.objectId ?? ''}' is not a valid objectId: give the object's distinguished name (or its anchor).`, where);
    return id;
  };
  const objectId = idOf(s, 'parameters[0].subjects[0].objectId');
  if (s.links?.manager || s.links?.owners?.length) {
    throw errors.badRequest('Only links.members is supported (for a group): a manager is read from the source.', 'parameters[0].subjects[0].links');
  }
  const list = s.links?.members ?? [];
  if (list.length && type !== 'group') throw errors.badRequest('links.members is for a group subject.', 'parameters[0].subjects[0].links.members');
  if (list.length > MAX_ON_DEMAND_MEMBERS) {
    throw errors.badRequest(`A group is provisioned on demand with at most ${MAX_ON_DEMAND_MEMBERS} members (got ${list.length}).`, 'parameters[0].subjects[0].links.members');
  }
  const members = list.map((m, i) => {
    const where = `parameters[0].subjects[0].links.members[${i}]`;
    if (!/^user$/i.test(m.objectTypeName ?? '')) throw errors.badRequest('Group members provisioned on demand must be users.', `${where}.objectTypeName`);
    return idOf(m, `${where}.objectId`);
  });
  return { type, objectId, members: [...new Set(members)] };
}

function setting(job: JobRecord, name: string): string | undefined {
  return job.settings.find((s) => s.name.toLowerCase() === name.toLowerCase())?.value ?? undefined;
}

export class InboundEngine {
  private readonly compiled = new Map<string, { version: string; mapping: CompiledObjectMapping; groups: CompiledObjectMapping | undefined }>();
  private readonly onDemandLimiter: SlidingWindowLimiter;

  constructor(private readonly deps: InboundEngineDeps) {
    this.onDemandLimiter = new SlidingWindowLimiter(deps.onDemandRateLimit ?? ON_DEMAND_RATE_LIMIT, deps.clock);
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
    return this.mappingsOf(job).mapping;
  }

  /** The user mapping and (AD2AAD) the group mapping, compiled once per schema version. */
  private mappingsOf(job: JobRecord): { mapping: CompiledObjectMapping; groups: CompiledObjectMapping | undefined } {
    const hit = this.compiled.get(job.id);
    if (hit && hit.version === (job.schema.version ?? '')) return hit;
    const mapping = compileInboundMapping(job.schema);
    if (!mapping) throw new Error(`The job's schema has no enabled object mapping into '${AZURE_AD_DIRECTORY_NAME}' '${AZURE_AD_USER_OBJECT}'.`);
    const entry = { version: job.schema.version ?? '', mapping, groups: compileInboundGroupMapping(job.schema) };
    this.compiled.set(job.id, entry);
    return entry;
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

  /**
   * Runs one cycle of an inbound job and records it in the job status.
   * Under a scheduler lease (`fence`) the cycle's own writes — links,
   * pending references, the job's status — check the fencing token, so a
   * worker that lost its lease stops writing them (docs/scheduler.md).
   */
  async runCycle(jobId: string, fence?: Fence): Promise<InboundCycleResult | undefined> {
    const job = await this.deps.sync.findJob(jobId);
    if (!job) return undefined;
    const began = this.deps.clock.now();
    let source: InboundSource | undefined;
    try {
      await this.consumeResets(job);
      const sp = await this.deps.applications.getServicePrincipal(job.spId);
      const secrets = await this.deps.sync.readSecrets(job.spId);
      source = this.sourceOf(job, secrets as Record<string, string | undefined>);
      const store = fence ? fencedStore(this.deps.store, fence) : this.deps.store;
      const cycle = new InboundCycle(
        { store, target: new CachingTarget(this.deps.directory), logs: this.deps.logs, clock: this.deps.clock, logger: this.deps.logger },
        { id: job.id, tenantId: this.deps.tenant.id, defaultDomain: this.deps.tenant.domain, servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId } },
        source,
        this.mappingOf(job),
        {
          absentActiveMeansUnchanged: (setting(job, ABSENT_ACTIVE_SETTING) ?? '').toLowerCase() === 'true', batchSize: this.deps.batchSize ?? 200,
          ...(this.mappingsOf(job).groups ? { groupMapping: this.mappingsOf(job).groups } : {}),
        },
      );
      const result = await cycle.run();
      await this.recordSuccess(job, result, fence);
      this.deps.logger.info({ jobId, cycleId: result.cycleId, counters: result.counters }, `inbound cycle ended: ${result.counters.imported} imported, `
        + `${result.counters.created} created, ${result.counters.updated} updated, ${result.counters.disabled} disabled, ${result.counters.failed} failed`);
      return result;
    } catch (e) {
      // A worker that lost its lease leaves the status to the one that holds it now.
      if (!(e instanceof LeaseLostError)) await this.recordFailure(job, began, e, fence);
      throw e;
    } finally {
      await source?.close?.();
    }
  }

  /**
   * provisionOnDemand for AD2AADProvisioning jobs: the subject's objectId is
   * a DN (Entra's form) or the anchor; the entry is read now with the
   * connector, its scope evaluated (out of scope: a skipped result saying
   * why), and it goes through the cycle's record path (match, map, create or
   * update, manager, reference pass) with its log entry. The answer has the
   * outbound provisionOnDemand's shape. API-driven jobs refuse it, as Entra
   * does (API-CONFIG: "Provision on demand is not supported").
   */
  async provisionOnDemand(job: JobRecord, request: OnDemandRequest, initiator: Initiator): Promise<OnDemandResponse> {
    if (job.templateId.toLowerCase() === API2AAD_FACTORY_TAG.toLowerCase()) {
      throw errors.badRequest(`Provision on demand is not supported for API-driven provisioning jobs ('${job.templateId}'), as in Microsoft Entra: `
        + 'send the record with bulkUpload instead; uploads are processed within seconds.', 'jobId');
    }
    const wait = this.onDemandLimiter.take(job.id);
    if (wait !== undefined) throw errors.tooManyRequests(wait);
    const subjectIn = checkSubject(job, request);
    const objectId = subjectIn.objectId;
    const sp = await this.deps.applications.getServicePrincipal(job.spId);
    const secrets = await this.deps.sync.readSecrets(job.spId);
    const source = this.sourceOf(job, secrets as Record<string, string | undefined>);
    const systems = { source: source.systemName, target: AZURE_AD_DIRECTORY_NAME };
    const start = this.deps.clock.now().toISOString();
    try {
      if (!source.readSubject) throw errors.badRequest(`The source connector of '${job.templateId}' jobs cannot read a single object: provision on demand is not available.`, 'jobId');
      const { mapping, groups } = this.mappingsOf(job);
      if (subjectIn.type === 'group' && !groups) {
        throw errors.requestParameterInvalid('The job\'s rule has no enabled object mapping for groups, so they cannot be provisioned on demand.', 'parameters[0].subjects[0].objectTypeName');
      }
      const cycle = new InboundCycle(
        { store: this.deps.store, target: new CachingTarget(this.deps.directory), logs: this.deps.logs, clock: this.deps.clock, logger: this.deps.logger },
        { id: job.id, tenantId: this.deps.tenant.id, defaultDomain: this.deps.tenant.domain, servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId } },
        source,
        mapping,
        {
          absentActiveMeansUnchanged: (setting(job, ABSENT_ACTIVE_SETTING) ?? '').toLowerCase() === 'true', batchSize: 1,
          ...(groups ? { groupMapping: groups } : {}),
          initiatedBy: { id: initiator.id, displayName: initiator.displayName, initiatorType: 'application' },
        },
      );
      let subject;
      const memberSubjects = [];
      try {
        subject = await source.readSubject(objectId);
        for (const [i, m] of subjectIn.members.entries()) {
          const found = await source.readSubject(m);
          if (found?.objectType !== 'user') {
            throw errors.requestParameterInvalid(`The user '${m}' does not exist in ${source.systemName}: no user entry has that ${m.includes('=') ? 'distinguished name' : 'anchor'}.`,
              `parameters[0].subjects[0].links.members[${i}].objectId`);
          }
          memberSubjects.push(found);
        }
      } catch (e) {
        if (!isLdapSourceError(e)) throw e;
        // The source cannot be read (server down, credentials refused): the answer says so, as the outbound connection test does.
        const trace = new ObjectTrace(source.objectType, objectId, objectId, 'User');
        trace.fail(e.code, e.message);
        trace.step('import', 'EntryImportAdd', 'failure', `Provisio could not read '${objectId}' from ${source.systemName}: ${e.message}`, { ErrorCode: e.code });
        const entry = trace.toEntry({
          tenantId: this.deps.tenant.id, jobId: job.id, cycleId: randomUUID(), servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId },
          sourceSystem: source.systemName, targetSystem: AZURE_AD_DIRECTORY_NAME, initiatedBy: { id: initiator.id, displayName: initiator.displayName, initiatorType: 'application' },
        }, this.deps.clock.now());
        await this.deps.logs.write([entry]);
        return answer({ trace, entry, start, end: this.deps.clock.now().toISOString() }, [], systems);
      }
      if (subject?.objectType !== subjectIn.type) {
        throw errors.requestParameterInvalid(`The ${subjectIn.type} '${objectId}' does not exist in ${source.systemName}: no ${subjectIn.type} entry has that ${objectId.includes('=') ? 'distinguished name' : 'anchor'}.`,
          'parameters[0].subjects[0].objectId');
      }
      // A group's listed members first (so that the group finds them linked), then the subject.
      const memberResults: ObjectResult[] = [];
      for (const m of memberSubjects) {
        const began = this.deps.clock.now().toISOString();
        memberResults.push({ ...(await cycle.provisionOne(m.record, m.outOfScope)), start: began, end: this.deps.clock.now().toISOString() });
      }
      const began = this.deps.clock.now().toISOString();
      const r = await cycle.provisionOne(subject.record, subject.outOfScope);
      this.deps.logger.info({ jobId: job.id, subject: subject.name, status: r.trace.status }, 'inbound provisionOnDemand');
      return answer({ ...r, start: subjectIn.members.length ? began : start, end: this.deps.clock.now().toISOString() }, memberResults, systems);
    } finally {
      await source.close?.();
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

  private async recordSuccess(job: JobRecord, r: InboundCycleResult, fence?: Fence): Promise<void> {
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
        synchronizedEntryCountByType: [
          { key: 'User to User', value: r.linked },
          ...(r.linkedGroups > 0 || this.compiled.get(job.id)?.groups ? [{ key: 'Group to Group', value: r.linkedGroups }] : []),
        ],
      },
    }), fence ? { fence } : {});
  }

  private async recordFailure(job: JobRecord, began: Date, e: unknown, fence?: Fence): Promise<void> {
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
    }), fence ? { fence } : {}).catch(() => undefined);
  }
}
