/**
 * provisionOnDemand (graph-sync-api.md §3.3.8, entra-behavior.md §3.8, seed
 * 002): one user, or one group with up to 5 of its members, through the
 * whole pipeline now — connection test, import, scoping, matching, export,
 * references — whatever the job's schedule (a job that was never started
 * works too). The answer is Graph's `stringKeyStringValuePair`: `key` is the
 * JSON text `{"result","details"}` and `value` the JSON text of the
 * step-by-step result, in the shape of the documented example (format A).
 *
 * What it changes is what a cycle would have changed: links, and the
 * object's escrow cleared on success (this is how one object is retried now,
 * docs/failure-handling.md). A failure is answered, logged and not escrowed:
 * the cycle keeps its own view of the object. Rate limit: 5 requests per
 * 10 s per job, as Graph documents; beyond, 429 with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { DirectorySource, DirectoryGroup, DirectoryUser } from '../directory/port.ts';
import type { Clock } from '../util/time.ts';
import type { JobRecord, SyncService } from '../sync/sync-service.ts';
import type { ApplicationService } from '../applications/applications.ts';
import type { TargetPort } from '../connectors/ports.ts';
import { StopRunError, isTargetError } from '../connectors/errors.ts';
import { errors } from '../errors/graph-error.ts';
import { SlidingWindowLimiter } from '../logs/rate-limit.ts';
import type { RateLimit } from '../logs/rate-limit.ts';
import { AZURE_AD_DIRECTORY_NAME } from '../sync/templates/azure-ad-directory.ts';
import type { CompiledJobSchema, CompiledObjectMapping, SourceType } from './mapping-plan.ts';
import { LinkRepository } from './links.ts';
import { EscrowRepository } from './escrows.ts';
import { CycleCounters } from './counters.ts';
import { runObject } from './object-pipeline.ts';
import type { ObjectOutcome, PipelineContext } from './object-pipeline.ts';
import { groupInput, userInput } from './source-input.ts';
import { resolveManagers } from './references.ts';
import { ObjectTrace } from './log-entry.ts';
import type { LogScope, ProvisioningLogSink, ProvisioningObjectSummary } from './log-entry.ts';
import type { TargetFactory } from './target-factory.ts';
import { secretFlag } from './target-factory.ts';
import { TARGET_SYSTEM } from './cycle.ts';

/** Graph documents "one group with up to 5 members" per request. */
export const MAX_ON_DEMAND_MEMBERS = 5;
/** Graph's documented limit: 5 requests per 10 seconds (per job). */
export const ON_DEMAND_RATE_LIMIT: RateLimit = { requests: 5, windowSeconds: 10 };

/** synchronizationJobSubject, as received. */
export interface OnDemandSubject {
  objectId?: string | null;
  objectTypeName?: string | null;
  links?: { members?: OnDemandSubject[] | null; manager?: OnDemandSubject | null; owners?: OnDemandSubject[] | null } | null;
}

/** The action's body: `parameters` of synchronizationJobApplicationParameters. */
export interface OnDemandRequest {
  parameters?: { ruleId?: string | null; subjects?: OnDemandSubject[] | null }[] | null;
}

/** Graph's stringKeyStringValuePair: both members hold JSON text. */
export interface OnDemandResponse {
  key: string;
  value: string;
}

/** Who asked (the provisioning log's `initiatedBy`). */
export interface Initiator {
  id: string;
  displayName: string;
}

export interface OnDemandDeps {
  store: Store;
  directory: DirectorySource;
  logs: ProvisioningLogSink;
  clock: Clock;
  tenant: { id: string; domain: string };
  targetFactory: TargetFactory;
  sync: SyncService;
  applications: ApplicationService;
  compile: (job: JobRecord) => CompiledJobSchema;
}

interface Checked {
  type: SourceType;
  objectId: string;
  members: string[];
}

/** An object being processed. */
export interface Pending {
  trace: ObjectTrace;
  start: string;
}

/** One object's result: its trace and the log entry written for it. */
export interface ObjectResult extends Pending {
  entry: ProvisioningObjectSummary;
  end: string;
}

const ACTION: Record<string, string> = { create: 'Create', update: 'Update', delete: 'Delete', disable: 'Disable', stagedDelete: 'StagedDelete', other: 'Other' };
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class OnDemand {
  private readonly limiter: SlidingWindowLimiter;

  constructor(private readonly deps: OnDemandDeps, rateLimit: RateLimit = ON_DEMAND_RATE_LIMIT) {
    this.limiter = new SlidingWindowLimiter(rateLimit, deps.clock);
  }

  async provision(job: JobRecord, request: OnDemandRequest, initiator: Initiator): Promise<OnDemandResponse> {
    const wait = this.limiter.take(job.id);
    if (wait !== undefined) throw errors.tooManyRequests(wait);
    const checked = checkRequest(job, request);
    const compiled = this.deps.compile(job);
    const mapping = checked.type === 'User' ? compiled.users : compiled.groups;
    if (!mapping) {
      throw errors.requestParameterInvalid(`The job's rule has no enabled object mapping for ${checked.type} objects, so they cannot be provisioned on demand.`, 'parameters[0].subjects[0].objectTypeName');
    }
    if (checked.members.length && !compiled.users) {
      throw errors.requestParameterInvalid('The job\'s rule has no enabled object mapping for User objects, so group members cannot be provisioned.', 'parameters[0].subjects[0].links.members');
    }
    const { directory } = this.deps;
    let group: DirectoryGroup | undefined;
    let user: DirectoryUser | undefined;
    if (checked.type === 'User') {
      user = (await directory.getUsersByIds([checked.objectId]))[0];
      if (!user) throw errors.requestParameterInvalid(`The User '${checked.objectId}' does not exist in ${AZURE_AD_DIRECTORY_NAME}.`, 'parameters[0].subjects[0].objectId');
    } else {
      group = (await directory.getGroupsByIds([checked.objectId]))[0];
      if (!group) throw errors.requestParameterInvalid(`The Group '${checked.objectId}' does not exist in ${AZURE_AD_DIRECTORY_NAME}.`, 'parameters[0].subjects[0].objectId');
    }
    const members = checked.members.length ? await directory.getUsersByIds(checked.members) : [];
    for (const [i, id] of checked.members.entries()) {
      if (!members.some((m) => m.id === id)) {
        throw errors.requestParameterInvalid(`The User '${id}' does not exist in ${AZURE_AD_DIRECTORY_NAME}.`, `parameters[0].subjects[0].links.members[${i}].objectId`);
      }
    }

    const secrets = await this.deps.sync.readSecrets(job.spId);
    const sp = await this.deps.applications.getServicePrincipal(job.spId);
    const scope: LogScope = {
      tenantId: this.deps.tenant.id, jobId: job.id, cycleId: randomUUID(),
      servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId },
      sourceSystem: AZURE_AD_DIRECTORY_NAME, targetSystem: TARGET_SYSTEM,
      initiatedBy: { id: initiator.id, displayName: initiator.displayName, initiatorType: 'application' },
    };
    const run = new OnDemandRun(this.deps, job, scope, secretFlag(secrets, 'SyncAll'), secretFlag(secrets, 'SkipOutOfScopeDeletions'));
    let target: TargetPort | undefined;
    try {
      try {
        target = this.deps.targetFactory(secrets, {});
        await target.testConnection({ groups: compiled.groups !== null });
      } catch (e) {
        if (!isTargetError(e)) throw e;
        const subject = user ?? group!;
        return answer(await run.connectionFailure(checked.type, subject, mapping, e), []);
      }
      if (user) return answer(await run.user(mapping, user, target), []);
      const g = await run.group(mapping, group!, target);
      const memberResults: ObjectResult[] = [];
      for (const m of members) memberResults.push(await run.user(compiled.users!, m, target));
      return answer(await run.memberships(g, memberResults, target), memberResults);
    } finally {
      await target?.close();
    }
  }
}

/** Checks the body beyond its JSON schema: one rule of the job, one subject, a user or a group with ≤ 5 user members. */
function checkRequest(job: JobRecord, request: OnDemandRequest): Checked {
  const params = request.parameters ?? [];
  if (params.length !== 1) {
    throw errors.badRequest(`provisionOnDemand takes exactly one entry in 'parameters' (got ${params.length}).`, 'parameters');
  }
  const p = params[0]!;
  const rule = (job.schema.synchronizationRules ?? []).find((r) => r.id === p.ruleId);
  if (!rule || !p.ruleId) {
    // The wording of the real service's answer (graph-sync-api.md §2.3).
    throw errors.requestParameterInvalid(
      `The request identified this synchronization job: ${job.id}.  The request also identified this synchronization rule: ${p.ruleId ?? ''}.  However, the job does not include the rule.`,
      'parameters[0].ruleId',
    );
  }
  if (rule.sourceDirectoryName !== AZURE_AD_DIRECTORY_NAME) {
    throw errors.requestParameterInvalid(`The rule '${p.ruleId}' does not provision from ${AZURE_AD_DIRECTORY_NAME}; Provisio provisions on demand only with the outbound rule.`, 'parameters[0].ruleId');
  }
  const subjects = p.subjects ?? [];
  if (subjects.length !== 1) {
    throw errors.badRequest(`provisionOnDemand takes exactly one subject: a user, or a group with up to ${MAX_ON_DEMAND_MEMBERS} members (got ${subjects.length}).`, 'parameters[0].subjects');
  }
  const s = subjects[0]!;
  const type = subjectType(s.objectTypeName, 'parameters[0].subjects[0].objectTypeName');
  const objectId = subjectId(s.objectId, 'parameters[0].subjects[0].objectId');
  const links = s.links ?? {};
  if (links.manager || (links.owners && links.owners.length)) {
    throw errors.badRequest('Only links.members is supported: managers are resolved from the directory.', 'parameters[0].subjects[0].links');
  }
  const list = links.members ?? [];
  if (list.length && type !== 'Group') throw errors.badRequest('links.members is for a Group subject.', 'parameters[0].subjects[0].links.members');
  if (list.length > MAX_ON_DEMAND_MEMBERS) {
    throw errors.badRequest(`A group is provisioned on demand with at most ${MAX_ON_DEMAND_MEMBERS} members (got ${list.length}).`, 'parameters[0].subjects[0].links.members');
  }
  const members = list.map((m, i) => {
    const where = `parameters[0].subjects[0].links.members[${i}]`;
    if (subjectType(m.objectTypeName, `${where}.objectTypeName`) !== 'User') throw errors.badRequest('Group members provisioned on demand must be users (nested groups are not provisioned).', `${where}.objectTypeName`);
    return subjectId(m.objectId, `${where}.objectId`);
  });
  return { type, objectId, members: [...new Set(members)] };
}

function subjectType(name: string | null | undefined, where: string): SourceType {
  if (name && /^user$/i.test(name)) return 'User';
  if (name && /^group$/i.test(name)) return 'Group';
  throw errors.badRequest(`objectTypeName '${name ?? ''}' is not supported; use User or Group.`, where);
}

function subjectId(id: string | null | undefined, where: string): string {
  if (!id || id.length > 256 || /[\s'"\\]/.test(id) || hasControl(id)) throw errors.badRequest(`'${id ?? ''}' is not a valid objectId.`, where);
  return id;
}

/** C0 control characters have no place in an id (and PostgreSQL text cannot hold NUL). */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

/** One on-demand request at work: the objects it processes and the log entries it writes. */
class OnDemandRun {
  private readonly links: LinkRepository;
  private readonly escrows: EscrowRepository;
  private readonly counters = new CycleCounters();

  constructor(
    private readonly deps: OnDemandDeps,
    private readonly job: JobRecord,
    private readonly scope: LogScope,
    private readonly syncAll: boolean,
    private readonly skipOutOfScopeDeletions: boolean,
  ) {
    this.links = new LinkRepository(job.id);
    this.escrows = new EscrowRepository(job.id);
  }

  private ctx(target: TargetPort): PipelineContext {
    // No accidental-deletion gate: one object at a time, asked for by an admin.
    return {
      target, counters: this.counters, targetSystem: TARGET_SYSTEM, skipOutOfScopeDeletions: this.skipOutOfScopeDeletions,
      now: () => this.deps.clock.now(), defaultDomain: this.deps.tenant.domain,
    };
  }

  private get db() {
    return this.deps.store.db;
  }

  async user(mapping: CompiledObjectMapping, u: DirectoryUser, target: TargetPort): Promise<ObjectResult> {
    const start = this.deps.clock.now().toISOString();
    const link = await this.links.getOne(this.db, 'User', u.id);
    const ent = this.syncAll ? undefined : (await this.deps.directory.getEntitlements(this.job.spId, [u.id]))[0];
    const input = { ...userInput(mapping, u, ent, this.syncAll, link), explain: true };
    const outcome = await this.pipeline(mapping, input, target);
    const trace = outcome.trace!;
    await this.persist('User', u.id, outcome);
    if (outcome.succeeded && mapping.managerAttribute && !u.deletedDateTime && (outcome.upsert?.active ?? link?.active)) {
      await this.manager(trace, u.id, outcome.references?.[mapping.managerAttribute]?.[0] ?? null, target);
    }
    return this.finish(trace, start);
  }

  async group(mapping: CompiledObjectMapping, g: DirectoryGroup, target: TargetPort): Promise<Pending> {
    const start = this.deps.clock.now().toISOString();
    const link = await this.links.getOne(this.db, 'Group', g.id);
    let assigned = false;
    for await (const batch of this.deps.directory.streamAssignments(this.job.spId)) {
      if (batch.some((a) => a.principalType === 'Group' && a.principalId === g.id)) assigned = true;
    }
    const input = { ...groupInput(mapping, g, assigned, this.syncAll, link), explain: true };
    const outcome = await this.pipeline(mapping, input, target);
    await this.persist('Group', g.id, outcome);
    return { trace: outcome.trace!, start };
  }

  /** Adds the listed members that are direct members of the group and provisioned; written to the group's log entry. */
  async memberships(g: Pending, members: readonly ObjectResult[], target: TargetPort): Promise<ObjectResult> {
    const trace = g.trace;
    const groupLink = await this.links.getOne(this.db, 'Group', trace.sourceId);
    const ids = members.map((m) => m.trace.sourceId);
    if (ids.length && groupLink && trace.status !== 'failure') {
      const memberOf = await this.deps.directory.getGroupIdsOfMembers(ids);
      const userLinks = await this.links.get(this.db, 'User', ids);
      const exported = await this.links.members(this.db, trace.sourceId);
      const notMembers = ids.filter((id) => !(memberOf.get(id) ?? []).includes(trace.sourceId));
      const notProvisioned = ids.filter((id) => !notMembers.includes(id) && !userLinks.get(id)?.active);
      const add = ids.filter((id) => !notMembers.includes(id) && userLinks.get(id)?.active && exported.get(id) !== userLinks.get(id)!.targetId);
      if (notMembers.length || notProvisioned.length) {
        trace.step('referenceResolution', 'EntryExportUpdate', 'warning',
          `Not added to Group '${trace.displayName}': ${[...notMembers.map((id) => `${id} (not a direct member in ${AZURE_AD_DIRECTORY_NAME})`), ...notProvisioned.map((id) => `${id} (not provisioned)`)].join(', ')}.`,
          { NotMembers: notMembers.join(','), NotProvisioned: notProvisioned.join(',') });
      }
      if (add.length) {
        try {
          await target.addMembers(groupLink.targetId, add.map((id) => userLinks.get(id)!.targetId));
          await this.links.addMembers(this.db, trace.sourceId, add.map((id) => ({ sourceId: id, targetId: userLinks.get(id)!.targetId })));
          trace.modified.push({ displayName: 'members', oldValue: null, newValue: `+${add.length}` });
          if (trace.action === 'other') trace.action = 'update';
          if (trace.status === 'skipped') trace.status = 'success';
          trace.step('referenceResolution', 'EntryExportUpdate', 'success', `Group '${trace.displayName}' was updated in ${TARGET_SYSTEM}: ${add.length} member(s) added`,
            { ReportableIdentifier: trace.displayName, MembersAdded: add.join(',') });
        } catch (e) {
          if (e instanceof StopRunError || !isTargetError(e)) throw e;
          trace.fail(e.code, `We were unable to assign members to ${trace.displayName}. ${e.entraReason()}`, 'nonServiceFailure', e);
          trace.step('referenceResolution', 'EntryExportUpdate', 'failure', `Failed to add member(s) to Group '${trace.displayName}' in ${TARGET_SYSTEM}`, {});
        }
      } else if (ids.length && !notMembers.length && !notProvisioned.length) {
        trace.step('referenceResolution', 'EntryExportUpdate', 'skipped', `The members of Group '${trace.displayName}' in ${TARGET_SYSTEM} already include the given users.`, {});
      }
    }
    return this.finish(trace, g.start);
  }

  /** A target that cannot be used: the answer shows the failed connection test (the step Entra shows only on failure). */
  async connectionFailure(type: SourceType, subject: DirectoryUser | DirectoryGroup, mapping: CompiledObjectMapping, e: { code: string; message: string; entraReason(): string }): Promise<ObjectResult> {
    const start = this.deps.clock.now().toISOString();
    const name = type === 'User' ? (subject as DirectoryUser).userPrincipalName : ((subject as DirectoryGroup).displayName ?? subject.id);
    const trace = new ObjectTrace(type, subject.id, name, mapping.targetObjectName);
    trace.action = 'other';
    trace.fail(e.code, e.entraReason());
    trace.step('processing', 'EntryTestConnection', 'failure', `Provisio could not connect to ${TARGET_SYSTEM}: ${e.message}`, { ErrorCode: e.code });
    return this.finish(trace, start);
  }

  private async pipeline(mapping: CompiledObjectMapping, input: Parameters<typeof runObject>[1], target: TargetPort): Promise<ObjectOutcome> {
    try {
      return await runObject(mapping, input, this.ctx(target));
    } catch (e) {
      // A stop-the-run error in the middle (credentials revoked meanwhile): the answer says so; the job's status is left alone.
      if (!(e instanceof StopRunError)) throw e;
      const trace = new ObjectTrace(input.type, input.sourceId, input.displayName, mapping.targetObjectName);
      trace.fail(e.code, e.entraReason(), 'nonServiceFailure', e);
      trace.step('export', 'EntryExportUpdate', 'failure', `Provisio could not provision ${input.type} '${input.displayName}': ${e.message}`, {});
      return { trace, succeeded: false };
    }
  }

  private async persist(type: SourceType, id: string, o: ObjectOutcome): Promise<void> {
    await this.deps.store.transaction(async (trx) => {
      if (o.upsert) await this.links.upsert(trx, [o.upsert], this.deps.clock.now().toISOString());
      if (o.remove) {
        await this.links.remove(trx, type, [id]);
        await this.escrows.clear(trx, type, [id]);
      }
      if (o.succeeded) await this.escrows.clear(trx, type, [id], 'objects');
    });
  }

  private async manager(trace: ObjectTrace, userId: string, managerSourceId: string | null, target: TargetPort): Promise<void> {
    try {
      const res = await resolveManagers(this.db, this.links, target, [{ userSourceId: userId, managerSourceId }], this.counters, TARGET_SYSTEM);
      if (res.pending.length) {
        trace.step('referenceResolution', 'EntryExportUpdate', 'warning',
          `The manager of User '${trace.displayName}' is not provisioned to ${TARGET_SYSTEM} yet; the next cycle sets it once it is.`, { ManagerId: managerSourceId ?? '' });
      }
      for (const t of res.traces) {
        trace.steps.push(...t.steps);
        trace.modified.push(...t.modified);
        if (t.status === 'failure' && trace.status !== 'failure') trace.status = 'warning';
      }
      await this.deps.store.transaction(async (trx) => {
        await this.links.setManagers(trx, res.managerUpdates, this.deps.clock.now().toISOString());
        if (res.traces.every((t) => t.status !== 'failure') && !res.pending.length) await this.escrows.clear(trx, 'User', [userId], 'references');
      });
    } catch (e) {
      if (!(e instanceof StopRunError)) throw e;
      trace.status = 'warning';
      trace.step('referenceResolution', 'EntryExportUpdate', 'failure', `The manager of User '${trace.displayName}' could not be set: ${e.message}`, {});
    }
  }

  private async finish(trace: ObjectTrace, start: string): Promise<ObjectResult> {
    const now = this.deps.clock.now();
    const entry = trace.toEntry(this.scope, now);
    await this.deps.logs.write([entry]);
    return { trace, entry, start, end: now.toISOString() };
  }
}

/** The source and target system names an answer shows (inbound jobs: `Active Directory` → the directory). */
export interface AnswerSystems {
  source: string;
  target: string;
}

const OUTBOUND_SYSTEMS: AnswerSystems = { source: AZURE_AD_DIRECTORY_NAME, target: TARGET_SYSTEM };

/** The step-by-step result of one object, in the documented shape (entra-behavior.md §3.8). */
function statusObject(r: ObjectResult, systems: AnswerSystems): Record<string, unknown> {
  const { trace, entry } = r;
  const error = trace.error;
  return {
    action: ACTION[trace.action] ?? 'Other',
    changeId: entry.changeId,
    endTime: r.end,
    modifiedProperties: trace.modified.map((m) => ({ displayName: m.displayName, oldValue: m.oldValue, newValue: m.newValue })),
    provisioningSteps: entry.provisioningSteps.map((s) => ({
      name: s.name,
      type: cap(s.provisioningStepType),
      status: cap(s.status),
      description: s.description,
      timestamp: s.timestamp ?? entry.activityDateTime,
      details: s.details,
    })),
    reportableIdentifier: trace.displayName,
    startTime: r.start,
    statusInfo: {
      status: cap(trace.status),
      errorCode: error?.errorCode ?? null,
      reason: error?.reason ?? null,
      additionalDetails: error?.additionalDetails ?? null,
      errorCategory: error?.errorCategory ?? null,
      recommendedAction: error?.recommendedAction ?? null,
    },
    sourceIdentity: { id: trace.sourceId, type: trace.sourceType, displayName: trace.displayName, details: null },
    sourceSystem: { id: null, name: systems.source, details: null },
    targetIdentity: { id: trace.targetId || null, type: trace.targetType, displayName: trace.targetId ? trace.displayName : null, details: null },
    targetSystem: { id: null, name: systems.target, details: null },
  };
}

/** `key`: the overall result; Skipped and Failure say why (the documented `errorCode` / `errorMessage`). */
function resultKey(results: readonly ObjectResult[]): { result: string; details: Record<string, string> } {
  const failed = results.find((r) => r.trace.status === 'failure');
  if (failed) return { result: 'Failure', details: { errorCode: failed.trace.error?.errorCode ?? 'Failure', errorMessage: failed.trace.error?.reason ?? '' } };
  const main = results[0]!;
  if (main.trace.status === 'skipped') {
    const last = [...main.trace.steps].reverse().find((s) => s.status === 'skipped');
    const sentence = (last?.description ?? '').split(/(?<=\.)\s/)[0] ?? '';
    return { result: 'Skipped', details: { errorCode: last?.details.SkipReason ?? 'EntrySynchronizationSkipped', errorMessage: sentence } };
  }
  return { result: 'Success', details: {} };
}

/**
 * Format A of graph-sync-api.md §3.3.8. For a group, `value` is the group's
 * result with its members' results under `members` (Provisio's addition:
 * Entra's documented group answer is an empty object).
 */
export function answer(main: ObjectResult, members: readonly ObjectResult[], systems: AnswerSystems = OUTBOUND_SYSTEMS): OnDemandResponse {
  const value = statusObject(main, systems);
  if (members.length) value.members = members.map((m) => statusObject(m, systems));
  return { key: JSON.stringify(resultKey([main, ...members])), value: JSON.stringify(value) };
}
