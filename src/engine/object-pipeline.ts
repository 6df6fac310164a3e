/**
 * One object through the pipeline: import → scope → match → map → plan →
 * export. Pure decisions, one call to the target per action; what changed
 * comes back as an outcome (a link to write or remove, a log entry, an
 * escrow) that the cycle records in batches. Provision-on-demand runs the
 * same code for a single object.
 */
import type { EvaluationContext } from '../expressions/index.ts';
import { EvaluationError } from '../expressions/index.ts';
import type { AttributeChange, TargetObject, TargetPort, TargetValue } from '../connectors/ports.ts';
import { buildScimResource, readTargetAttribute } from '../connectors/target-attributes.ts';
import { ConflictTargetError, NotFoundTargetError, StopRunError, TransientTargetError, isTargetError } from '../connectors/errors.ts';
import type { CompiledObjectMapping, SourceType } from './mapping-plan.ts';
import type { Link } from './links.ts';
import type { MappedObject, TargetAttributes } from './map.ts';
import { diffAttributes, hashAttributes, mapAttribute, mapObject } from './map.ts';
import type { ScopeDecision } from './scope.ts';
import { ObjectTrace, logValue } from './log-entry.ts';
import type { CycleCounters } from './counters.ts';
import type { EscrowError } from './escrows.ts';

export interface PipelineContext {
  target: TargetPort;
  counters: CycleCounters;
  targetSystem: string;
  skipOutOfScopeDeletions: boolean;
  now: () => Date;
  defaultDomain: string;
  /**
   * Accidental-deletion prevention: asked before each delete or disable is
   * sent; `false` holds it back (staged). Absent: everything goes out.
   */
  deleteGate?: { allow(): boolean; readonly value: number };
}

/** Why an object is processed again: a due escrow, or a transient failure earlier in this cycle. */
export interface RetryNote {
  kind: 'escrow' | 'cycle';
  /** Failed attempts so far. */
  attempts: number;
  firstFailedAt: string;
  nextAttemptAt: string;
  /** What failed: create, update, disable, delete, manager, members. */
  action: string;
  /** Error code of the last failure. */
  code: string;
}

export interface ObjectInput {
  type: SourceType;
  sourceId: string;
  displayName: string;
  bag: Record<string, unknown>;
  scope: ScopeDecision;
  link: Link | undefined;
  /** The source object is gone for good (hard-deleted). */
  hardDeleted?: boolean;
  /** Processed again after a failure: the log shows it as a retry (EntryEscrowRetry). */
  retry?: RetryNote;
  /** Always give a trace, also when nothing is to be done (provision on demand explains every outcome). */
  explain?: boolean;
}

export interface ObjectOutcome {
  trace: ObjectTrace | null;
  upsert?: Link;
  remove?: boolean;
  escrow?: {
    action: string;
    error: EscrowError;
    /** 429, 5xx, timeout, reset: worth retrying within the cycle. */
    transient: boolean;
    /** The target asked to wait this long (Retry-After). */
    retryAfterMs?: number;
  };
  /** A delete or disable held back by the accidental-deletion threshold. */
  staged?: 'disable' | 'delete';
  /** The object succeeded: any escrow it had is cleared. */
  succeeded: boolean;
  /** Source ids of referenced objects, by reference attribute (manager). */
  references?: Record<string, string[]>;
  /** The object became active or inactive in the target (its group memberships need a look). */
  activityChanged?: boolean;
}

function evalContext(ctx: PipelineContext, bag: Record<string, unknown>): EvaluationContext {
  return { source: bag, now: ctx.now, defaultDomain: ctx.defaultDomain };
}

const CREATE_VERB: Record<SourceType, string> = { User: 'User', Group: 'Group' };

/** Runs one object; throws only StopRunError (the whole run must stop). */
export async function runObject(mapping: CompiledObjectMapping, input: ObjectInput, ctx: PipelineContext): Promise<ObjectOutcome> {
  const out = await pipeline(mapping, input, ctx);
  const before = input.link?.active ?? false;
  const after = out.remove ? false : out.upsert ? out.upsert.active : before;
  return before === after && !(out.upsert && input.link && out.upsert.targetId !== input.link.targetId) ? out : { ...out, activityChanged: true };
}

async function pipeline(mapping: CompiledObjectMapping, input: ObjectInput, ctx: PipelineContext): Promise<ObjectOutcome> {
  const kind = CREATE_VERB[input.type];
  const trace = new ObjectTrace(input.type, input.sourceId, input.displayName, mapping.targetObjectName);
  if (input.retry) retryStep(trace, kind, input);
  trace.step('import', 'EntryImport', 'success', `Retrieved ${kind} '${input.displayName}' from Azure Active Directory`, importDetails(input.bag));
  let action = 'update';
  try {
    if (input.hardDeleted) {
      action = 'delete';
      return await hardDelete(mapping, input, ctx, trace);
    }
    trace.step('scoping', 'EntrySynchronizationScoping', 'success', `Determine if ${kind} in scope by evaluating against each scoping filter`, input.scope.details);
    if (input.scope.inScope) {
      ctx.counters.entitled++;
      action = input.link ? 'update' : 'create';
      return await provision(mapping, input, ctx, trace);
    }
    action = 'disable';
    return await deprovision(mapping, input, ctx, trace);
  } catch (e) {
    if (e instanceof StopRunError) throw e;
    return failure(e, action, trace, ctx);
  }
}

function importDetails(bag: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(bag)) {
    const s = logValue(v);
    if (s !== null) out[k] = s.length > 256 ? `${s.slice(0, 256)}…` : s;
  }
  return out;
}

const MODIFICATION: Record<string, string> = { create: 'Add', delete: 'Delete' };

/** Entra's step for an operation tried again (entra-behavior.md §3.1, `EntryEscrowRetry`). */
function retryStep(trace: ObjectTrace, kind: string, input: ObjectInput): void {
  const r = input.retry!;
  trace.step('import', 'EntryEscrowRetry', 'success',
    `We are retrying an operation that previously failed.\r\nIdentifier: ${input.displayName}\r\nObject type: ${kind}\r\nDirectory: Azure Active Directory`, {
      CountProcessed: String(r.attempts),
      CreationTime: r.firstFailedAt,
      Identifier: input.sourceId,
      ModificationType: MODIFICATION[r.action] ?? 'Update',
      NextAttempt: r.nextAttemptAt,
      Origin: 'Source',
      TypeName: r.kind === 'escrow' ? 'EscrowedEntryDefault' : 'TransientFailureRetry',
      PreviousErrorCode: r.code,
    });
}

/** The escrow record of a failure, from the error's class. */
export function escrowOf(e: unknown, action: string): NonNullable<ObjectOutcome['escrow']> {
  if (isTargetError(e)) {
    const transient = e instanceof TransientTargetError;
    return {
      action,
      error: { code: e.code, message: e.message, ...(e.status !== undefined ? { status: e.status } : {}), request: e.request, response: e.response },
      transient,
      ...(transient && e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    };
  }
  if (e instanceof EvaluationError) return { action, error: { code: 'ExpressionEvaluationFailed', message: e.message }, transient: false };
  return { action, error: { code: 'UnexpectedError', message: e instanceof Error ? e.message : String(e) }, transient: false };
}

function failure(e: unknown, action: string, trace: ObjectTrace, ctx: PipelineContext): ObjectOutcome {
  const escrow = escrowOf(e, action);
  if (isTargetError(e)) trace.fail(e.code, e.entraReason(), 'nonServiceFailure', e);
  else trace.fail(escrow.error.code, escrow.error.message, 'failure', e);
  trace.action = action === 'create' ? 'create' : action === 'delete' ? 'delete' : action === 'disable' ? 'disable' : 'update';
  trace.step('export', exportStepName(trace.action), 'failure', `Failed to ${trace.action} ${trace.sourceType} '${trace.displayName}' in ${ctx.targetSystem}`, { ReportableIdentifier: trace.displayName });
  return { trace, escrow, succeeded: false };
}

/** Holds back a delete or disable beyond the accidental-deletion threshold (entra-behavior.md §4.1). */
function stage(trace: ObjectTrace, what: 'disable' | 'delete', ctx: PipelineContext): ObjectOutcome {
  const verb = what === 'delete' ? 'deleted' : 'disabled';
  const threshold = ctx.deleteGate?.value ?? 0;
  trace.action = 'stagedDelete';
  trace.status = 'skipped';
  trace.step('export', exportStepName(what), 'skipped',
    `${trace.sourceType} '${trace.displayName}' was not ${verb} in ${ctx.targetSystem}: this cycle reached the accidental-deletion threshold of ${threshold} ` +
    `(at most ${threshold - 1} deletes and disables per cycle). The ${what} is staged until it is approved (restart with ForceDeletes).`,
    { StagedAction: what === 'delete' ? 'Delete' : 'Disable', DeleteThreshold: String(threshold), ReportableIdentifier: trace.displayName });
  return { trace, succeeded: false, staged: what };
}

function exportStepName(action: string): string {
  switch (action) {
    case 'create': return 'EntryExportAdd';
    case 'delete': return 'EntryExportDelete';
    case 'disable': return 'EntryExportUpdateSoftDelete';
    default: return 'EntryExportUpdate';
  }
}

function recordModified(trace: ObjectTrace, changes: readonly AttributeChange[]): void {
  for (const c of changes) trace.modified.push({ displayName: c.path, oldValue: logValue(c.previous), newValue: logValue(c.value) });
}

function flowAlwaysSet(mapping: CompiledObjectMapping): Set<string> {
  return new Set(mapping.attributes.filter((a) => a.flowAlways).map((a) => a.target));
}

async function find(target: TargetPort, type: SourceType, attribute: string, value: TargetValue): Promise<TargetObject | undefined> {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  return type === 'User' ? target.findUser(attribute, value) : target.findGroup(attribute, value);
}

/** Matching: each matching attribute in priority order until one finds the object (§3.4). */
async function match(mapping: CompiledObjectMapping, input: ObjectInput, ctx: PipelineContext): Promise<{ found: TargetObject; attribute: string } | undefined> {
  const ectx = evalContext(ctx, input.bag);
  for (const m of mapping.matching) {
    const value = mapAttribute(m, ectx);
    if (value === undefined) continue;
    const found = await find(ctx.target, input.type, m.target, value);
    if (found) return { found, attribute: m.target };
  }
  return undefined;
}

async function update(type: SourceType, ctx: PipelineContext, id: string, changes: readonly AttributeChange[]): Promise<void> {
  ctx.counters.writes++;
  if (type === 'User') await ctx.target.updateUser(id, changes);
  else await ctx.target.updateGroup(id, changes);
}

function newLink(input: ObjectInput, targetId: string, exported: TargetAttributes, active: boolean, managerTargetId: string | null): Link {
  return { type: input.type, sourceId: input.sourceId, targetId, displayName: input.displayName, exported, hash: hashAttributes(exported), active, managerTargetId };
}

async function provision(mapping: CompiledObjectMapping, input: ObjectInput, ctx: PipelineContext, trace: ObjectTrace): Promise<ObjectOutcome> {
  const ectx = evalContext(ctx, input.bag);
  const always = flowAlwaysSet(mapping);
  let link = input.link;
  if (link) {
    const mapped = mapObject(mapping, ectx, false);
    const changes = diffAttributes(link.exported, mapped.attributes, always);
    trace.targetId = link.targetId;
    if (changes.length === 0) {
      ctx.counters.redundant++;
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('export', 'EntrySynchronizationSkip', 'skipped',
        `The state of the ${trace.sourceType.toLowerCase()} in both the source and target systems already match. No change to the ${trace.sourceType} '${trace.displayName}' currently needs to be made.`,
        { SkipReason: 'RedundantExport' });
      return { trace, succeeded: true, references: mapped.references };
    }
    if (!mapping.flows.update) return skip(trace, 'Update is not among the object mapping\'s target object actions.', mapped);
    ctx.counters.exports++;
    try {
      await update(input.type, ctx, link.targetId, changes);
      ctx.counters.exported++;
      ctx.counters.updated++;
      trace.action = 'update';
      recordModified(trace, changes);
      trace.step('export', 'EntryExportUpdate', 'success', `${trace.sourceType} '${trace.displayName}' was updated in ${ctx.targetSystem}`, { ReportableIdentifier: trace.displayName });
      const exported = { ...link.exported, ...mapped.attributes };
      return { trace, upsert: { ...link, exported, hash: hashAttributes(exported), active: true, displayName: input.displayName }, succeeded: true, references: mapped.references };
    } catch (e) {
      // The linked object is gone from the target: drop the link and provision again (self-healing link).
      if (!(e instanceof NotFoundTargetError)) throw e;
      ctx.counters.exports--;
      trace.step('export', 'EntryExportUpdate', 'warning', `The ${trace.sourceType} linked to '${trace.displayName}' no longer exists in ${ctx.targetSystem}; provisioning it again.`, { TargetId: link.targetId });
      link = undefined;
    }
  }

  const matched = await match(mapping, input, ctx);
  if (matched) {
    const mapped = mapObject(mapping, ectx, false);
    const current: TargetAttributes = {};
    for (const path of Object.keys(mapped.attributes)) {
      const v = readTargetAttribute(matched.found, path);
      if (v !== undefined && v !== null) current[path] = v;
    }
    const changes = diffAttributes(current, mapped.attributes, always);
    trace.targetId = matched.found.id;
    trace.step('matching', 'EntryImport', 'success', `Retrieved '${trace.displayName}' from ${ctx.targetSystem}`, { id: matched.found.id, MatchedOn: matched.attribute });
    if (changes.length && mapping.flows.update) {
      ctx.counters.exports++;
      await update(input.type, ctx, matched.found.id, changes);
      ctx.counters.exported++;
      ctx.counters.updated++;
      trace.action = 'update';
      recordModified(trace, changes);
      trace.step('export', 'EntryExportUpdate', 'success', `${trace.sourceType} '${trace.displayName}' was updated in ${ctx.targetSystem}`, { ReportableIdentifier: trace.displayName });
    } else {
      trace.action = 'other';
      trace.step('export', 'EntrySynchronizationSkip', 'skipped', `${trace.sourceType} '${trace.displayName}' matched an existing object in ${ctx.targetSystem}; nothing needed to change.`, { SkipReason: 'RedundantExport' });
    }
    const exported = { ...current, ...mapped.attributes };
    return { trace, upsert: newLink(input, matched.found.id, exported, true, null), succeeded: true, references: mapped.references };
  }

  if (!mapping.flows.add) {
    return skip(trace, `${trace.sourceType} '${trace.displayName}' has no match in ${ctx.targetSystem} and Add is not among the object mapping's target object actions.`);
  }
  const mapped = mapObject(mapping, ectx, true);
  trace.step('matching', input.type === 'User' ? 'EntrySynchronizationAdd' : 'EntrySynchronizationAdd', 'success',
    `${trace.sourceType} '${trace.displayName}' will be created in ${ctx.targetSystem} (${trace.sourceType} is active and assigned in Azure Active Directory, but no matching ${trace.sourceType} was found in ${ctx.targetSystem})`);
  ctx.counters.exports++;
  ctx.counters.writes++;
  const resource = buildScimResource(mapping.targetType, mapped.attributes);
  let created: TargetObject;
  try {
    created = input.type === 'User' ? await ctx.target.createUser(resource) : await ctx.target.createGroup(resource);
  } catch (e) {
    if (!(e instanceof ConflictTargetError)) throw e;
    // 409: it exists after all (created by an earlier, interrupted attempt, or matched on another attribute): match and link.
    const again = await match(mapping, input, ctx);
    if (!again) throw e;
    created = again.found;
    trace.step('matching', 'EntryImport', 'success', `Retrieved '${trace.displayName}' from ${ctx.targetSystem} after a conflict on create`, { id: created.id });
  }
  ctx.counters.exported++;
  ctx.counters.created++;
  trace.action = 'create';
  trace.targetId = created.id;
  for (const [path, value] of Object.entries(mapped.attributes)) trace.modified.push({ displayName: path, oldValue: null, newValue: logValue(value) });
  trace.step('export', 'EntryExportAdd', 'success', `${trace.sourceType} '${trace.displayName}' was created in ${ctx.targetSystem}`, { ReportableIdentifier: trace.displayName, id: created.id });
  return { trace, upsert: newLink(input, created.id, mapped.attributes, true, null), succeeded: true, references: mapped.references };
}

function skip(trace: ObjectTrace, why: string, mapped?: MappedObject): ObjectOutcome {
  trace.action = 'other';
  trace.status = 'skipped';
  trace.step('export', 'EntrySynchronizationSkip', 'skipped', why, {});
  return { trace, succeeded: true, ...(mapped ? { references: mapped.references } : {}) };
}

async function deprovision(mapping: CompiledObjectMapping, input: ObjectInput, ctx: PipelineContext, trace: ObjectTrace): Promise<ObjectOutcome> {
  const link = input.link;
  // Never provisioned: nothing to undo, and nothing worth a log line (Entra
  // does not read unassigned objects at all when it syncs assigned only).
  if (!link) {
    return input.explain
      ? skip(trace, `${trace.sourceType} '${trace.displayName}' is not in the provisioning scope and was never provisioned to ${ctx.targetSystem}; nothing to do.`)
      : { trace: null, succeeded: true };
  }
  trace.targetId = link.targetId;
  if (!link.active) {
    return input.explain
      ? skip(trace, `${trace.sourceType} '${trace.displayName}' is not in the provisioning scope and is already disabled in ${ctx.targetSystem}.`)
      : { trace: null, succeeded: true };
  }
  if (ctx.skipOutOfScopeDeletions) {
    return skip(trace, `${trace.sourceType} '${trace.displayName}' left the provisioning scope; SkipOutOfScopeDeletions is on, so it is left as it is in ${ctx.targetSystem}.`);
  }
  if (mapping.softDeleteAttribute) {
    const attr = mapping.softDeleteAttribute;
    const value = mapObject(mapping, evalContext(ctx, input.bag), false).attributes[attr] ?? 'False';
    if (ctx.deleteGate && !ctx.deleteGate.allow()) return stage(trace, 'disable', ctx);
    ctx.counters.exports++;
    ctx.counters.writes++;
    try {
      await ctx.target.setActive(link.targetId, false);
    } catch (e) {
      // The target lost the object: nothing is left to disable; drop the link (a later return into scope creates or matches it again).
      if (!(e instanceof NotFoundTargetError)) throw e;
      ctx.counters.exports--;
      trace.action = 'disable';
      trace.step('export', 'EntryExportUpdateSoftDelete', 'warning', `${trace.sourceType} '${trace.displayName}' no longer exists in ${ctx.targetSystem}; its link is dropped.`, { TargetId: link.targetId });
      return { trace, remove: true, succeeded: true };
    }
    ctx.counters.exported++;
    ctx.counters.disabled++;
    trace.action = 'disable';
    trace.modified.push({ displayName: attr, oldValue: logValue(link.exported[attr]), newValue: logValue(value) });
    trace.step('export', 'EntryExportUpdateSoftDelete', 'success', `${trace.sourceType} '${trace.displayName}' was disabled in ${ctx.targetSystem}`, { ReportableIdentifier: trace.displayName });
    const exported = { ...link.exported, [attr]: value };
    return { trace, upsert: { ...link, exported, hash: hashAttributes(exported), active: false }, succeeded: true };
  }
  if (!mapping.flows.delete) {
    return skip(trace, `${trace.sourceType} '${trace.displayName}' left the provisioning scope; ${ctx.targetSystem} has no soft delete and Delete is not among the target object actions.`);
  }
  return remove(mapping, input, ctx, trace, link);
}

async function hardDelete(mapping: CompiledObjectMapping, input: ObjectInput, ctx: PipelineContext, trace: ObjectTrace): Promise<ObjectOutcome> {
  const link = input.link;
  if (!link) {
    return input.explain ? skip(trace, `${trace.sourceType} '${trace.displayName}' was never provisioned to ${ctx.targetSystem}; nothing to delete.`) : { trace: null, succeeded: true };
  }
  trace.targetId = link.targetId;
  if (!mapping.flows.delete) {
    const out = skip(trace, `${trace.sourceType} '${trace.displayName}' was deleted in Azure Active Directory; Delete is not among the target object actions, so it is left in ${ctx.targetSystem}.`);
    return { ...out, remove: true };
  }
  return remove(mapping, input, ctx, trace, link);
}

async function remove(_mapping: CompiledObjectMapping, input: ObjectInput, ctx: PipelineContext, trace: ObjectTrace, link: Link): Promise<ObjectOutcome> {
  if (ctx.deleteGate && !ctx.deleteGate.allow()) return stage(trace, 'delete', ctx);
  ctx.counters.exports++;
  ctx.counters.writes++;
  try {
    if (input.type === 'User') await ctx.target.deleteUser(link.targetId);
    else await ctx.target.deleteGroup(link.targetId);
  } catch (e) {
    // Already gone: the goal is reached.
    if (!(e instanceof NotFoundTargetError)) throw e;
  }
  ctx.counters.exported++;
  ctx.counters.deleted++;
  trace.action = 'delete';
  trace.step('export', 'EntryExportDelete', 'success', `${trace.sourceType} '${trace.displayName}' was deleted in ${ctx.targetSystem}`, { ReportableIdentifier: trace.displayName });
  return { trace, remove: true, succeeded: true };
}
