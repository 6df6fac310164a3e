/**
 * One cycle of an inbound job: read the source's changes after its
 * watermark, and for each record, in order: import, scope, match
 * (anchor link, then the matching attributes: externalId ↔ employeeId for
 * API2AAD), map with the job's compiled schema, then create, update, enable
 * or disable the directory user. Manager references that name an object
 * not provisioned yet are kept (`inbound_pending_refs`) and resolved in a
 * second pass at the end of this cycle or of a later one. One provisioning
 * log entry per record (and one per reference resolved in the second pass,
 * with the original entry's changeId), shaped as Entra logs API2AAD jobs
 * (inbound-and-console.md §1.6).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import type { DirectoryGroup, DirectoryUser } from '../directory/port.ts';
import { isGraphError } from '../errors/graph-error.ts';
import { EvaluationError } from '../expressions/index.ts';
import type { EvaluationContext } from '../expressions/index.ts';
import type { TargetValue } from '../connectors/ports.ts';
import type { CompiledObjectMapping } from '../engine/mapping-plan.ts';
import { mapAttribute, mapObject } from '../engine/map.ts';
import { ObjectTrace, logValue } from '../engine/log-entry.ts';
import type { LogScope, ProvisioningLogSink, ProvisioningObjectSummary } from '../engine/log-entry.ts';
import { AZURE_AD_DIRECTORY_NAME } from '../sync/templates/azure-ad-directory.ts';
import type { InboundChange, InboundRecord, InboundSource } from './port.ts';
import { comparable, currentAttributes, toGraphPatch } from './directory-target.ts';
import type { CachingTarget } from './directory-target.ts';
import { logAttributeName } from './scim-record.ts';

export interface InboundCycleSettings {
  /** Who asked (provisionOnDemand); default the provisioning service. */
  initiatedBy?: LogScope['initiatedBy'];
  /** A record without `active` leaves the account state unchanged (job setting AbsentActiveMeansUnchanged). */
  absentActiveMeansUnchanged: boolean;
  /** Records read per batch. */
  batchSize: number;
  /** The rule's group mapping (AD2AAD: `group` → `Group`); without it, group records are skipped. */
  groupMapping?: CompiledObjectMapping;
}

export interface InboundCounters {
  imported: number;
  created: number;
  updated: number;
  disabled: number;
  deleted: number;
  skipped: number;
  failed: number;
  referencesResolved: number;
  referencesPending: number;
}

export interface InboundCycleResult {
  cycleId: string;
  counters: InboundCounters;
  timeBegan: Date;
  timeEnded: Date;
  /** Anchors linked to directory users. */
  linked: number;
  /** Anchors linked to directory groups. */
  linkedGroups: number;
}

const TARGET_TYPE = 'User';
const GROUP_TYPE = 'Group';
/** `inbound_pending_refs.attribute` of a group member waiting for its object: `member:<anchor>`. */
const MEMBER_PREFIX = 'member:';

type PendingRow = { user_id: string; attribute: string; ref_anchor: string; source_anchor: string; display_name: string | null; change_id: string };

/** Mapped group attributes → the directory group's properties (booleans as booleans). */
function groupPatch(attrs: Readonly<Record<string, TargetValue>>): { displayName?: string; description?: string; mailNickname?: string; securityEnabled?: boolean; mailEnabled?: boolean } {
  const text = (v: TargetValue | undefined) => (v === undefined || v === null ? undefined : Array.isArray(v) ? String(v[0] ?? '') : String(v));
  const out: ReturnType<typeof groupPatch> = {};
  const d = text(attrs.displayName);
  if (d !== undefined) out.displayName = d;
  const desc = text(attrs.description);
  if (desc !== undefined) out.description = desc;
  const nick = text(attrs.mailNickname);
  if (nick !== undefined) out.mailNickname = nick.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) || undefined;
  if (out.mailNickname === undefined) delete out.mailNickname;
  const sec = text(attrs.securityEnabled);
  if (sec !== undefined) out.securityEnabled = sec.toLowerCase() === 'true';
  const mail = text(attrs.mailEnabled);
  if (mail !== undefined) out.mailEnabled = mail.toLowerCase() === 'true';
  return out;
}

/** `urn:…:User` → `Urn:…:User`: Entra capitalises the type at the start of export descriptions. */
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function flatDetails(attrs: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const s = logValue(v);
    if (s !== null) out[logAttributeName(k)] = s;
  }
  return out;
}

function errorOf(e: unknown): { code: string; message: string } {
  // Entra's documented code for a UPN the directory refuses (inbound-and-console.md §1.8).
  if (isGraphError(e) && e.target === 'userPrincipalName' && e.status === 400) return { code: 'AzureActiveDirectoryInvalidUserPrincipalName', message: e.message };
  if (isGraphError(e)) return { code: e.code, message: e.message };
  if (e instanceof EvaluationError) return { code: 'ExpressionEvaluationError', message: e.message };
  return { code: 'InternalError', message: e instanceof Error ? e.message : String(e) };
}

export interface InboundCycleDeps {
  store: Store;
  target: CachingTarget;
  logs: ProvisioningLogSink;
  clock: Clock;
  logger: Logger;
}

export class InboundCycle {
  private readonly counters: InboundCounters = {
    imported: 0, created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0, referencesResolved: 0, referencesPending: 0,
  };
  private readonly cycleId = randomUUID();
  private readonly entries: ProvisioningObjectSummary[] = [];
  private readonly scope: LogScope;

  constructor(
    private readonly deps: InboundCycleDeps,
    private readonly job: { id: string; tenantId: string; defaultDomain: string; servicePrincipal: { id: string; displayName: string; appId: string } },
    private readonly source: InboundSource,
    private readonly mapping: CompiledObjectMapping,
    private readonly settings: InboundCycleSettings,
  ) {
    this.scope = {
      tenantId: job.tenantId, jobId: job.id, cycleId: this.cycleId, servicePrincipal: job.servicePrincipal,
      sourceSystem: source.systemName, targetSystem: AZURE_AD_DIRECTORY_NAME,
      ...(settings.initiatedBy ? { initiatedBy: settings.initiatedBy } : {}),
    };
  }

  /**
   * provisionOnDemand: one record through the same path as a cycle's
   * (match, scope, map, create or update, manager), then the reference pass
   * (references waiting for this object are set). `outOfScope` (the source's
   * OU/group scoping says no) skips it, saying why. Returns the record's
   * trace and log entry; nothing is committed to the source's watermark.
   */
  async provisionOne(record: InboundRecord, outOfScope?: string): Promise<{ trace: ObjectTrace; entry: ProvisioningObjectSummary }> {
    this.counters.imported++;
    if (outOfScope) {
      const type = record.objectType ?? this.source.objectType;
      const trace = new ObjectTrace(type, record.anchor, record.displayName ?? '', type === 'group' ? GROUP_TYPE : TARGET_TYPE);
      trace.step('import', 'EntryImportAdd', 'success', `Received ${type} '${record.anchor}' change of type (Add) from ${this.source.systemName}`, flatDetails(record.attributes));
      trace.step('scoping', 'EntrySynchronizationScoping', 'skipped', `Determine if ${type} in scope by evaluating against each scoping filter`,
        { 'Scoping filter evaluation passed': 'False', ScopeEvaluationResult: JSON.stringify({ reason: outOfScope }) });
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('processing', 'EntrySynchronizationSkip', 'skipped',
        `${type} '${record.displayName ?? record.anchor}' was skipped because it is out of the job's scope: ${outOfScope}.`, { SkipReason: 'NotEffectivelyEntitled' });
      this.counters.skipped++;
      this.record(trace);
    } else {
      const change: InboundChange = { kind: 'upsert', record };
      await this.prefetch([change]);
      this.counters.imported--;
      await this.processChange(change);
    }
    const last = this.last!;
    await this.flushLogs();
    this.anchors.clear();
    this.deps.target.reset();
    await this.resolvePending(false);
    await this.flushLogs();
    return last;
  }

  /** The last entry recorded (provisionOnDemand's answer). */
  private last: { trace: ObjectTrace; entry: ProvisioningObjectSummary } | undefined;

  async run(): Promise<InboundCycleResult> {
    const timeBegan = this.deps.clock.now();
    let watermark = await this.source.currentWatermark();
    for (;;) {
      const batch = await this.source.read(watermark, this.settings.batchSize);
      await this.prefetch(batch.changes);
      for (const change of batch.changes) await this.processChange(change);
      await this.flushLogs();
      if (batch.watermark !== null && batch.watermark !== watermark) await this.source.commit(batch.watermark);
      watermark = batch.watermark;
      if (!batch.hasMore || batch.changes.length === 0) break;
    }
    this.anchors.clear();
    this.deps.target.reset();
    // A cycle that found nothing staged (the schedule's) also retries references through the matching attribute.
    await this.resolvePending(this.counters.imported === 0);
    await this.flushLogs();
    const linked = await this.linkCount('User');
    const linkedGroups = await this.linkCount('Group');
    return { cycleId: this.cycleId, counters: { ...this.counters }, timeBegan, timeEnded: this.deps.clock.now(), linked, linkedGroups };
  }

  private async flushLogs(): Promise<void> {
    if (this.entries.length === 0) return;
    const entries = this.entries.splice(0);
    await this.deps.logs.write(entries);
  }

  private record(trace: ObjectTrace, changeId?: string): ProvisioningObjectSummary {
    const entry = trace.toEntry(this.scope, this.deps.clock.now());
    entry.sourceSystem.id = randomUUID();
    entry.targetSystem.id = randomUUID();
    if (changeId) entry.changeId = changeId;
    this.entries.push(entry);
    this.last = { trace, entry };
    if (trace.status === 'failure') this.counters.failed++;
    return entry;
  }

  // ------------------------------------------------------------------ links

  /** anchor → linked user id (null: known not to be linked), for the batch in hand. */
  private readonly anchors = new Map<string, string | null>();

  /**
   * Reads in bulk what the batch's records will look up one by one: the
   * links of their anchors and of the anchors they reference, those users,
   * and the users whose first matching attribute equals the records' (or
   * the references') values. Saves several queries per record.
   */
  private async prefetch(changes: readonly InboundChange[]): Promise<void> {
    this.anchors.clear();
    this.deps.target.reset();
    const anchors = new Set<string>();
    const values = new Set<string>();
    const first = this.mapping.matching[0];
    const manager = this.mapping.attributes.find((a) => a.target === this.mapping.managerAttribute);
    for (const c of changes) {
      if (c.kind === 'delete') {
        anchors.add(c.anchor);
        continue;
      }
      if (c.record.objectType === 'group') continue;
      if (c.record.anchor) anchors.add(c.record.anchor);
      if (c.record.problems?.length) continue;
      const ctx = this.context(c.record.attributes as Record<string, unknown>);
      try {
        const v = first ? mapAttribute(first, ctx) : undefined;
        if (typeof v === 'string') values.add(v);
        const ref = manager?.expression ? mapAttribute(manager, ctx) : undefined;
        if (typeof ref === 'string') {
          anchors.add(ref);
          values.add(ref);
        }
      } catch {
        // The record's own processing reports the expression error.
      }
    }
    const list = [...anchors];
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500);
      const rows = await this.deps.store.db.selectFrom('inbound_links').select(['anchor', 'user_id']).where('job_id', '=', this.job.id).where('anchor', 'in', chunk).execute();
      for (const a of chunk) this.anchors.set(a, null);
      for (const r of rows) this.anchors.set(r.anchor, r.user_id);
    }
    await this.deps.target.prefetchIds([...this.anchors.values()].filter((x): x is string => x !== null));
    if (first && values.size) await this.deps.target.prefetchBy(first.target, [...values]);
  }

  private async linkedUser(anchor: string): Promise<DirectoryUser | undefined> {
    if (this.anchors.has(anchor)) {
      const id = this.anchors.get(anchor);
      return id ? this.deps.target.get(id) : undefined;
    }
    const row = await this.deps.store.db.selectFrom('inbound_links').select('user_id').where('job_id', '=', this.job.id).where('anchor', '=', anchor).executeTakeFirst();
    return row ? this.deps.target.get(row.user_id) : undefined;
  }

  /**
   * One write of the job's own state (links, pending references), in a
   * transaction of its own: under a scheduler lease the store is fenced
   * (src/scheduler/leases.ts), so the write fails once the lease is lost.
   */
  private write(fn: (db: Db) => Promise<unknown>): Promise<unknown> {
    return this.deps.store.transaction((trx) => fn(trx));
  }

  private async link(anchor: string, userId: string): Promise<void> {
    if (this.anchors.get(anchor) === userId) return;
    this.anchors.set(anchor, userId);
    const now = this.deps.clock.now().toISOString();
    await this.write((db) => db.insertInto('inbound_links').values({ job_id: this.job.id, anchor, user_id: userId, updated_at: now })
      .onConflict((oc) => oc.columns(['job_id', 'anchor']).doUpdateSet({ user_id: userId, updated_at: now })).execute());
  }

  private async unlink(anchor: string): Promise<void> {
    this.anchors.set(anchor, null);
    await this.write((db) => db.deleteFrom('inbound_links').where('job_id', '=', this.job.id).where('anchor', '=', anchor).execute());
  }

  private async linkCount(type: 'User' | 'Group'): Promise<number> {
    const r = await this.deps.store.db.selectFrom('inbound_links').select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('job_id', '=', this.job.id).where('object_type', '=', type).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** The directory user a source anchor stands for: its link, else the matching attributes evaluated on `bag`. */
  private async match(anchor: string, bag: Readonly<Record<string, unknown>> | undefined): Promise<{ user: DirectoryUser; by: string } | undefined> {
    const linked = anchor ? await this.linkedUser(anchor) : undefined;
    if (linked) return { user: linked, by: 'link' };
    if (!bag) return undefined;
    for (const m of this.mapping.matching) {
      const v = mapAttribute(m, this.context(bag));
      if (v === undefined || typeof v === 'object') continue;
      const user = await this.deps.target.findBy(m.target, String(v));
      if (user) return { user, by: m.target };
    }
    return undefined;
  }

  /**
   * A reference value → the directory user it names: the user linked to
   * that source anchor, else the user whose first matching attribute equals
   * it (the manager's externalId ↔ employeeId for API2AAD).
   */
  private async resolveReference(value: string): Promise<DirectoryUser | undefined> {
    const linked = await this.linkedUser(value);
    if (linked) return linked;
    const first = this.mapping.matching[0];
    return first ? this.deps.target.findBy(first.target, value) : undefined;
  }

  private context(bag: Readonly<Record<string, unknown>>): EvaluationContext {
    return { source: bag, now: () => this.deps.clock.now(), defaultDomain: this.job.defaultDomain };
  }

  // --------------------------------------------------------------- records

  private async processChange(change: InboundChange): Promise<void> {
    this.counters.imported++;
    if (change.kind === 'delete') {
      const group = await this.groupLink(change.anchor);
      if (group) return this.processGroupDelete(change.anchor, change.displayName ?? change.anchor, group);
      return this.processDelete(change.anchor, change.displayName ?? change.anchor);
    }
    if (change.record.objectType === 'group') return this.processGroup(change.record);
    return this.processRecord(change.record);
  }

  private async processDelete(anchor: string, displayName: string): Promise<void> {
    const type = this.source.objectType;
    const trace = new ObjectTrace(type, anchor, displayName, TARGET_TYPE);
    trace.step('import', 'EntryImportDelete', 'success', `Received ${type} '${anchor}' change of type (Delete) from ${this.source.systemName}`);
    const found = await this.linkedUser(anchor);
    if (!found) {
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('processing', 'EntrySynchronizationSkip', 'skipped', `${type} '${anchor}' was deleted in ${this.source.systemName}, and no user provisioned from it exists in ${AZURE_AD_DIRECTORY_NAME}.`, { SkipReason: 'TargetEntryNotFound' });
      this.counters.skipped++;
      this.record(trace);
      return;
    }
    trace.targetId = found.id;
    try {
      if (this.mapping.flows.delete) {
        await this.deps.target.softDelete(found.id);
        trace.action = 'delete';
        trace.step('export', 'EntryExportDelete', 'success', `${capital(TARGET_TYPE)} '${found.userPrincipalName}' was deleted in ${AZURE_AD_DIRECTORY_NAME}`);
        this.counters.deleted++;
        await this.unlink(anchor);
      } else {
        trace.action = 'disable';
        if (found.accountEnabled) await this.deps.target.update(found.id, { accountEnabled: false });
        trace.modified.push({ displayName: 'accountEnabled', oldValue: logValue(found.accountEnabled), newValue: 'False' });
        trace.step('export', 'EntryExportUpdateSoftDelete', 'success', `${capital(TARGET_TYPE)} '${found.userPrincipalName}' was disabled in ${AZURE_AD_DIRECTORY_NAME}`);
        this.counters.disabled++;
      }
    } catch (e) {
      const err = errorOf(e);
      trace.step('export', 'EntryExportDelete', 'failure', `Failed to remove '${found.userPrincipalName}' in ${AZURE_AD_DIRECTORY_NAME}: ${err.message}`);
      trace.fail(err.code, err.message);
    }
    this.record(trace);
  }

  private async processRecord(r: InboundRecord): Promise<void> {
    const type = this.source.objectType;
    const sys = this.source.systemName;
    const trace = new ObjectTrace(type, r.anchor, r.displayName ?? '', TARGET_TYPE);
    const bag = r.attributes as Record<string, unknown>;
    trace.step('import', 'EntryImportAdd', 'success', `Received ${type} '${r.anchor}' change of type (Add) from ${sys}`, flatDetails(bag));
    if (r.problems?.length) {
      trace.steps[0]!.status = 'failure';
      trace.fail('InvalidSourceData', `The record from ${sys} is not valid and was not processed: ${r.problems.join(' ')}`);
      this.record(trace);
      return;
    }
    if (!r.anchor) {
      const reason = 'Source identifier of an entry cannot be empty';
      trace.steps[0]!.status = 'failure';
      trace.fail('InvalidSourceIdentifier', `${reason}: the record has no externalId (anchor), so it cannot be matched or provisioned.`);
      this.record(trace);
      return;
    }
    // Scope. "Active in the source system" is `active`; a missing value reads as False (inbound-and-console.md §1.4).
    const active = bag.active === true || (bag.active === undefined && this.settings.absentActiveMeansUnchanged);
    const filterPassed = !this.mapping.hasScope || this.mapping.scope.matches(bag);
    const scopeDetails: Record<string, string> = {
      'Active in the source system': active ? 'True' : 'False',
      'Scoping filter evaluation passed': filterPassed ? 'True' : 'False',
      ScopeEvaluationResult: this.mapping.hasScope ? JSON.stringify(this.mapping.scope.explain(bag)) : '{}',
    };
    let matched: { user: DirectoryUser; by: string } | undefined;
    try {
      matched = await this.match(r.anchor, bag);
    } catch (e) {
      const err = errorOf(e);
      trace.fail(err.code, `Matching '${r.anchor}' failed: ${err.message}`);
      this.record(trace);
      return;
    }
    if (matched) {
      trace.targetId = matched.user.id;
      trace.step('matching', 'EntryImport', 'success', `Retrieved '${matched.user.userPrincipalName}' from ${AZURE_AD_DIRECTORY_NAME}`,
        { ...flatDetails(currentAttributes(matched.user)), IsSoftDeleted: 'False' });
    }
    trace.step('scoping', 'EntrySynchronizationScoping', 'success', `Determine if ${type} in scope by evaluating against each scoping filter`, scopeDetails);
    if (!filterPassed) return this.outOfScope(r, trace, matched?.user);
    if (matched) return this.update(r, trace, matched.user);
    return this.create(r, trace);
  }

  private mapped(r: InboundRecord, creating: boolean): { attrs: Record<string, TargetValue>; references: Record<string, string[]> } {
    const out = mapObject(this.mapping, this.context(r.attributes as Record<string, unknown>), creating);
    const attrs = { ...out.attributes };
    if (r.attributes.active === undefined && this.settings.absentActiveMeansUnchanged) {
      if (creating) attrs.accountEnabled = 'True';
      else delete attrs.accountEnabled;
    }
    return { attrs, references: out.references };
  }

  private async outOfScope(r: InboundRecord, trace: ObjectTrace, user: DirectoryUser | undefined): Promise<void> {
    const type = this.source.objectType;
    if (!user || !user.accountEnabled) {
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('processing', 'EntrySynchronizationSkip', 'skipped', `${type} '${r.anchor}' will be skipped: it is not in scope (it does not pass the scoping filter).`, { SkipReason: 'NotEffectivelyEntitled' });
      this.counters.skipped++;
      this.record(trace);
      return;
    }
    trace.action = 'disable';
    try {
      await this.deps.target.update(user.id, { accountEnabled: false });
      trace.modified.push({ displayName: 'accountEnabled', oldValue: 'True', newValue: 'False' });
      trace.step('export', 'EntryExportUpdateSoftDelete', 'success', `${capital(type)} '${user.userPrincipalName}' was disabled in ${AZURE_AD_DIRECTORY_NAME} (it left the scope)`);
      this.counters.disabled++;
    } catch (e) {
      const err = errorOf(e);
      trace.fail(err.code, err.message);
    }
    this.record(trace);
  }

  private async create(r: InboundRecord, trace: ObjectTrace): Promise<void> {
    const type = this.source.objectType;
    const sys = this.source.systemName;
    if (!this.mapping.flows.add) {
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('matching', 'EntrySynchronizationSkip', 'skipped', `${type} '${r.anchor}' has no matching user in ${AZURE_AD_DIRECTORY_NAME}, and the job does not create users (target object actions).`, { SkipReason: 'ActionNotEnabled' });
      this.counters.skipped++;
      this.record(trace);
      return;
    }
    trace.action = 'create';
    trace.step('matching', 'EntrySynchronizationAdd', 'success',
      `${type} '${r.anchor}' will be created in ${AZURE_AD_DIRECTORY_NAME} (${type} is active and assigned in ${sys}, but no matching ${type} was found in ${AZURE_AD_DIRECTORY_NAME})`);
    let mapped;
    try {
      mapped = this.mapped(r, true);
    } catch (e) {
      const err = errorOf(e);
      trace.fail(err.code, `Mapping '${r.anchor}' failed: ${err.message}`);
      this.record(trace);
      return;
    }
    const { patch, ignored } = toGraphPatch(mapped.attrs);
    let user: DirectoryUser;
    try {
      const missing = (['userPrincipalName', 'displayName', 'mailNickname'] as const).filter((p) => !patch[p]);
      if (missing.length) {
        throw Object.assign(new Error(`The user cannot be created without ${missing.join(', ')}: map a value to ${missing.length > 1 ? 'them' : 'it'} (for API2AAD: userName and displayName).`), { code: 'MissingRequiredAttribute' });
      }
      user = await this.deps.target.create(patch);
    } catch (e) {
      const err = isGraphError(e) || e instanceof EvaluationError ? errorOf(e) : { code: (e as { code?: string }).code ?? 'InternalError', message: (e as Error).message };
      trace.step('export', 'EntryExportAdd', 'failure', `Failed to create ${type} '${r.anchor}' in ${AZURE_AD_DIRECTORY_NAME}: ${err.message}`);
      trace.fail(err.code, err.message);
      this.record(trace);
      return;
    }
    trace.targetId = user.id;
    await this.link(r.anchor, user.id);
    for (const [name, value] of Object.entries(mapped.attrs)) trace.modified.push({ displayName: name, oldValue: null, newValue: logValue(value) });
    trace.modified.push({ displayName: 'passwordProfile.password', oldValue: null, newValue: '[Redacted]' });
    this.counters.created++;
    const changeId = randomUUID();
    await this.references(r, trace, user, mapped.references, changeId);
    trace.step('export', 'EntryExportAdd', 'success', `${capital(type)} '${user.userPrincipalName}' was created in ${AZURE_AD_DIRECTORY_NAME}`, {
      ...flatDetails(mapped.attrs), IsSoftDeleted: 'False', passwordProfilepassword: '[Redacted]', ReportableIdentifier: r.anchor,
      ...(ignored.length ? { IgnoredAttributes: ignored.join(', ') } : {}),
    });
    this.record(trace, changeId);
  }

  private async update(r: InboundRecord, trace: ObjectTrace, user: DirectoryUser): Promise<void> {
    const type = this.source.objectType;
    if (!this.mapping.flows.update) {
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('processing', 'EntrySynchronizationSkip', 'skipped', `'${user.userPrincipalName}' exists in ${AZURE_AD_DIRECTORY_NAME}, and the job does not update users (target object actions).`, { SkipReason: 'ActionNotEnabled' });
      this.counters.skipped++;
      this.record(trace);
      return;
    }
    await this.link(r.anchor, user.id);
    let mapped;
    try {
      mapped = this.mapped(r, false);
    } catch (e) {
      const err = errorOf(e);
      trace.fail(err.code, `Mapping '${r.anchor}' failed: ${err.message}`);
      this.record(trace);
      return;
    }
    const current = currentAttributes(user);
    const changed: Record<string, TargetValue> = {};
    for (const [name, value] of Object.entries(mapped.attrs)) {
      const before = comparable(current[name]);
      const after = comparable(value);
      if (before === after) continue;
      changed[name] = value;
      trace.modified.push({ displayName: name, oldValue: before, newValue: after });
    }
    const disabling = comparable(changed.accountEnabled) === 'False';
    const changeId = randomUUID();
    try {
      if (Object.keys(changed).length) {
        const { patch } = toGraphPatch(changed);
        await this.deps.target.update(user.id, patch);
      }
    } catch (e) {
      const err = errorOf(e);
      trace.action = disabling ? 'disable' : 'update';
      trace.step('export', 'EntryExportUpdate', 'failure', `Failed to update '${user.userPrincipalName}' in ${AZURE_AD_DIRECTORY_NAME}: ${err.message}`);
      trace.fail(err.code, err.message);
      this.record(trace);
      return;
    }
    const refChanged = await this.references(r, trace, user, mapped.references, changeId);
    if (Object.keys(changed).length === 0 && !refChanged) {
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('export', 'EntrySynchronizationSkip', 'skipped', `'${user.userPrincipalName}' in ${AZURE_AD_DIRECTORY_NAME} already holds these values; nothing was changed.`, { SkipReason: 'RedundantExport', ReportableIdentifier: r.anchor });
      this.counters.skipped++;
      this.record(trace, changeId);
      return;
    }
    trace.action = disabling ? 'disable' : 'update';
    if (disabling) this.counters.disabled++;
    else this.counters.updated++;
    trace.step('export', disabling ? 'EntryExportUpdateSoftDelete' : 'EntryExportUpdate', 'success',
      `${capital(type)} '${user.userPrincipalName}' was ${disabling ? 'disabled' : 'updated'} in ${AZURE_AD_DIRECTORY_NAME}`, { ReportableIdentifier: r.anchor });
    this.record(trace, changeId);
  }

  /**
   * The manager reference of a record: set at once when the manager is
   * there, else kept for the second pass (logged as Entra logs it:
   * EntrySynchronizationSkip, UnableToResolveReferenceAttributeValue).
   * Returns whether the manager changed. An absent reference changes nothing.
   */
  private async references(r: InboundRecord, trace: ObjectTrace, user: DirectoryUser, refs: Record<string, string[]>, changeId: string): Promise<boolean> {
    const attr = this.mapping.managerAttribute;
    const value = attr ? refs[attr]?.[0] : undefined;
    if (!attr || !value) return false;
    const manager = await this.resolveReference(value).catch(() => undefined);
    if (manager?.id === user.id) {
      await this.dropPending(user.id, attr);
      trace.step('referenceResolution', 'EntrySynchronizationSkip', 'warning', `${value} names ${user.userPrincipalName} itself as its manager; the manager was not set.`,
        { PropertyName: 'manager', SkipReason: 'SelfReference' });
      trace.status = 'warning';
      return false;
    }
    if (!manager) {
      await this.keepPending(user.id, attr, value, r.anchor, user.userPrincipalName, changeId);
      trace.step('processing', 'EntrySynchronizationSkip', 'success',
        `We were unable to assign ${value} as the manager of ${user.userPrincipalName}. It is assigned as soon as ${value} is provisioned: in the reference pass of this cycle, or of the cycle that processes it.`,
        { [value]: 'manager Add', PropertyName: 'manager', SkipReason: 'UnableToResolveReferenceAttributeValue' });
      return false;
    }
    await this.dropPending(user.id, attr);
    if (user.managerId === manager.id) return false;
    try {
      await this.deps.target.setManager(user.id, manager.id);
      trace.modified.push({ displayName: 'manager', oldValue: user.managerId, newValue: manager.id });
      this.counters.referencesResolved++;
      return true;
    } catch (e) {
      const err = errorOf(e);
      trace.step('referenceResolution', 'EntryExportUpdate', 'failure', `Setting the manager of '${user.userPrincipalName}' to ${value} failed: ${err.message}`);
      trace.status = 'warning';
      return false;
    }
  }

  // ---------------------------------------------------------------- groups

  /** The directory group a source anchor became, if this job linked one. */
  private async groupLink(anchor: string): Promise<string | undefined> {
    const row = await this.deps.store.db.selectFrom('inbound_links').select('user_id')
      .where('job_id', '=', this.job.id).where('anchor', '=', anchor).where('object_type', '=', 'Group').executeTakeFirst();
    return row?.user_id;
  }

  private async linkGroup(anchor: string, groupId: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await this.write((db) => db.insertInto('inbound_links').values({ job_id: this.job.id, anchor, user_id: groupId, object_type: 'Group', updated_at: now })
      .onConflict((oc) => oc.columns(['job_id', 'anchor']).doUpdateSet({ user_id: groupId, object_type: 'Group', updated_at: now })).execute());
  }

  /** Forgets a group: its link and the members waiting for it. */
  private async unlinkGroup(anchor: string, groupId: string): Promise<void> {
    await this.deps.store.transaction(async (trx) => {
      await trx.deleteFrom('inbound_links').where('job_id', '=', this.job.id).where('anchor', '=', anchor).execute();
      await trx.deleteFrom('inbound_pending_refs').where('job_id', '=', this.job.id).where('user_id', '=', groupId).execute();
    });
  }

  /**
   * A group record: match (its anchor's link), scope, map (displayName,
   * description, mailNickname, securityEnabled, mailEnabled), create or
   * update, then its members: the `members` reference holds the members'
   * anchors, resolved through this job's links to users and groups; members
   * not provisioned yet wait in `inbound_pending_refs` for the reference
   * pass; directory members no longer listed are removed.
   */
  private async processGroup(r: InboundRecord): Promise<void> {
    const type = r.objectType ?? 'group';
    const sys = this.source.systemName;
    const gm = this.settings.groupMapping;
    const trace = new ObjectTrace(type, r.anchor, r.displayName ?? '', GROUP_TYPE);
    const bag = r.attributes as Record<string, unknown>;
    trace.step('import', 'EntryImportAdd', 'success', `Received ${type} '${r.anchor}' change of type (Add) from ${sys}`, flatDetails(bag));
    if (!gm) {
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('processing', 'EntrySynchronizationSkip', 'skipped', `${type} '${r.displayName ?? r.anchor}' was skipped: the job's rule has no enabled object mapping for groups.`, { SkipReason: 'ActionNotEnabled' });
      this.counters.skipped++;
      this.record(trace);
      return;
    }
    if (!r.anchor) {
      trace.steps[0]!.status = 'failure';
      trace.fail('InvalidSourceIdentifier', 'Source identifier of an entry cannot be empty: the group has no anchor, so it cannot be matched or provisioned.');
      this.record(trace);
      return;
    }
    const linkedId = await this.groupLink(r.anchor);
    const current = linkedId ? await this.deps.target.getGroup(linkedId) : undefined;
    if (current) {
      trace.targetId = current.id;
      trace.step('matching', 'EntryImport', 'success', `Retrieved '${current.displayName ?? current.id}' from ${AZURE_AD_DIRECTORY_NAME}`,
        { displayName: current.displayName ?? '', mailNickname: current.mailNickname ?? '', objectId: current.id });
    }
    const filterPassed = !gm.hasScope || gm.scope.matches(bag);
    trace.step('scoping', 'EntrySynchronizationScoping', 'success', `Determine if ${type} in scope by evaluating against each scoping filter`, {
      'Scoping filter evaluation passed': filterPassed ? 'True' : 'False', ScopeEvaluationResult: gm.hasScope ? JSON.stringify(gm.scope.explain(bag)) : '{}',
    });
    if (!filterPassed) {
      if (current && gm.flows.delete) return this.removeGroup(trace, r.anchor, current, 'it left the scope');
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('processing', 'EntrySynchronizationSkip', 'skipped', `${type} '${r.anchor}' will be skipped: it is not in scope (it does not pass the scoping filter).`, { SkipReason: 'NotEffectivelyEntitled' });
      this.counters.skipped++;
      this.record(trace);
      return;
    }
    let mapped;
    try {
      mapped = mapObject(gm, this.context(bag), !current);
    } catch (e) {
      const err = errorOf(e);
      trace.fail(err.code, `Mapping '${r.anchor}' failed: ${err.message}`);
      this.record(trace);
      return;
    }
    const wanted = groupPatch(mapped.attributes);
    const changeId = randomUUID();
    let group = current;
    try {
      if (!group) {
        if (!gm.flows.add) {
          trace.action = 'other';
          trace.status = 'skipped';
          trace.step('matching', 'EntrySynchronizationSkip', 'skipped', `${type} '${r.anchor}' has no group in ${AZURE_AD_DIRECTORY_NAME}, and the job does not create groups (target object actions).`, { SkipReason: 'ActionNotEnabled' });
          this.counters.skipped++;
          this.record(trace);
          return;
        }
        if (!wanted.displayName || !wanted.mailNickname) {
          throw Object.assign(new Error(`The group cannot be created without ${[!wanted.displayName && 'displayName', !wanted.mailNickname && 'mailNickname'].filter(Boolean).join(', ')}: map a value to it.`), { code: 'MissingRequiredAttribute' });
        }
        trace.step('matching', 'EntrySynchronizationAdd', 'success', `${type} '${r.anchor}' will be created in ${AZURE_AD_DIRECTORY_NAME} (no group provisioned from it was found)`);
        group = await this.deps.target.createGroup({
          displayName: wanted.displayName, mailNickname: wanted.mailNickname, mailEnabled: wanted.mailEnabled ?? false, securityEnabled: wanted.securityEnabled ?? true,
          ...(wanted.description !== undefined ? { description: wanted.description } : {}),
        });
        trace.targetId = group.id;
        trace.action = 'create';
        await this.linkGroup(r.anchor, group.id);
        for (const [name, value] of Object.entries(wanted)) trace.modified.push({ displayName: name, oldValue: null, newValue: logValue(value) });
        this.counters.created++;
      } else if (gm.flows.update) {
        const patch: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(wanted)) {
          const before = (group as unknown as Record<string, unknown>)[name] ?? null;
          if (comparable(before) === comparable(value)) continue;
          patch[name] = value;
          trace.modified.push({ displayName: name, oldValue: comparable(before), newValue: comparable(value) });
        }
        if (Object.keys(patch).length) {
          await this.deps.target.updateGroup(group.id, patch);
          trace.action = 'update';
        }
      }
    } catch (e) {
      const err = isGraphError(e) || e instanceof EvaluationError ? errorOf(e) : { code: (e as { code?: string }).code ?? 'InternalError', message: (e as Error).message };
      trace.step('export', current ? 'EntryExportUpdate' : 'EntryExportAdd', 'failure', `Failed to ${current ? 'update' : 'create'} ${type} '${r.displayName ?? r.anchor}' in ${AZURE_AD_DIRECTORY_NAME}: ${err.message}`);
      trace.fail(err.code, err.message);
      this.record(trace);
      return;
    }
    const membersChanged = gm.membersAttribute ? await this.syncMembers(group, r, mapped.references[gm.membersAttribute] ?? [], trace, changeId) : false;
    if (trace.status === 'failure') {
      this.record(trace, changeId);
      return;
    }
    if (trace.action === 'other' && !membersChanged) {
      trace.status = 'skipped';
      trace.step('export', 'EntrySynchronizationSkip', 'skipped', `'${group.displayName ?? group.id}' in ${AZURE_AD_DIRECTORY_NAME} already holds these values and members; nothing was changed.`, { SkipReason: 'RedundantExport', ReportableIdentifier: r.anchor });
      this.counters.skipped++;
      this.record(trace, changeId);
      return;
    }
    if (trace.action === 'other') trace.action = 'update';
    if (trace.action === 'update') this.counters.updated++;
    trace.step('export', trace.action === 'create' ? 'EntryExportAdd' : 'EntryExportUpdate', 'success',
      `Group '${group.displayName ?? group.id}' was ${trace.action === 'create' ? 'created' : 'updated'} in ${AZURE_AD_DIRECTORY_NAME}`, { ReportableIdentifier: r.anchor });
    this.record(trace, changeId);
  }

  /**
   * Makes the group's direct members those the record lists: anchors linked
   * by this job become members; the others wait (pending references); members
   * not listed are removed. Returns whether the membership changed.
   */
  private async syncMembers(group: DirectoryGroup, r: InboundRecord, anchors: readonly string[], trace: ObjectTrace, changeId: string): Promise<boolean> {
    const db = this.deps.store.db;
    const resolved = new Map<string, string>();
    const list = [...new Set(anchors.filter((a) => a !== ''))];
    for (let i = 0; i < list.length; i += 500) {
      const rows = await db.selectFrom('inbound_links').select(['anchor', 'user_id']).where('job_id', '=', this.job.id).where('anchor', 'in', list.slice(i, i + 500)).execute();
      for (const row of rows) if (row.user_id !== group.id) resolved.set(row.anchor, row.user_id);
    }
    const unresolved = list.filter((a) => !resolved.has(a) && a !== r.anchor);
    const desired = new Set(resolved.values());
    const current = await this.deps.target.memberIds(group.id);
    const add = [...desired].filter((id) => !current.has(id));
    const remove = [...current].filter((id) => !desired.has(id));
    const now = this.deps.clock.now().toISOString();
    await this.deps.store.transaction(async (trx) => {
      await trx.deleteFrom('inbound_pending_refs').where('job_id', '=', this.job.id).where('user_id', '=', group.id).where('attribute', 'like', `${MEMBER_PREFIX}%`).execute();
      for (let i = 0; i < unresolved.length; i += 100) {
        await trx.insertInto('inbound_pending_refs').values(unresolved.slice(i, i + 100).map((a) => ({
          job_id: this.job.id, user_id: group.id, attribute: `${MEMBER_PREFIX}${a}`, ref_anchor: a, source_anchor: r.anchor,
          display_name: group.displayName, change_id: changeId, created_at: now,
        }))).execute();
      }
    });
    if (unresolved.length) {
      trace.step('referenceResolution', 'EntrySynchronizationSkip', 'success',
        `${unresolved.length} member(s) of '${group.displayName ?? group.id}' are not provisioned yet; they are added as soon as they are, in the reference pass of this cycle or of the cycle that provisions them.`,
        { PropertyName: 'members', SkipReason: 'UnableToResolveReferenceAttributeValue', MembersPending: String(unresolved.length) });
    }
    try {
      for (const id of add) await this.deps.target.addMember(group.id, id);
      for (const id of remove) await this.deps.target.removeMember(group.id, id);
    } catch (e) {
      const err = errorOf(e);
      trace.step('referenceResolution', 'EntryExportUpdate', 'failure', `Updating the members of '${group.displayName ?? group.id}' failed: ${err.message}`);
      trace.fail(err.code, err.message);
      return true;
    }
    if (!add.length && !remove.length) return false;
    trace.modified.push({ displayName: 'members', oldValue: null, newValue: `+${add.length} -${remove.length}` });
    this.counters.referencesResolved += add.length + remove.length;
    return true;
  }

  /** Deletes a linked group (a source delete, or it left the scope). */
  private async removeGroup(trace: ObjectTrace, anchor: string, group: DirectoryGroup, why: string): Promise<void> {
    trace.targetId = group.id;
    try {
      await this.deps.target.deleteGroup(group.id);
      await this.unlinkGroup(anchor, group.id);
      trace.action = 'delete';
      trace.step('export', 'EntryExportDelete', 'success', `Group '${group.displayName ?? group.id}' was deleted in ${AZURE_AD_DIRECTORY_NAME} (${why})`);
      this.counters.deleted++;
    } catch (e) {
      const err = errorOf(e);
      trace.step('export', 'EntryExportDelete', 'failure', `Failed to remove group '${group.displayName ?? group.id}' in ${AZURE_AD_DIRECTORY_NAME}: ${err.message}`);
      trace.fail(err.code, err.message);
    }
    this.record(trace);
  }

  private async processGroupDelete(anchor: string, displayName: string, groupId: string): Promise<void> {
    const trace = new ObjectTrace('group', anchor, displayName, GROUP_TYPE);
    trace.step('import', 'EntryImportDelete', 'success', `Received group '${anchor}' change of type (Delete) from ${this.source.systemName}`);
    const group = await this.deps.target.getGroup(groupId);
    if (!group || !this.settings.groupMapping?.flows.delete) {
      if (!group) await this.unlinkGroup(anchor, groupId);
      trace.action = 'other';
      trace.status = 'skipped';
      trace.step('processing', 'EntrySynchronizationSkip', 'skipped', group
        ? `group '${anchor}' was deleted in ${this.source.systemName}; the job does not delete groups (target object actions).`
        : `group '${anchor}' was deleted in ${this.source.systemName}, and its group is no longer in ${AZURE_AD_DIRECTORY_NAME}.`,
      { SkipReason: group ? 'ActionNotEnabled' : 'TargetEntryNotFound' });
      this.counters.skipped++;
      this.record(trace);
      return;
    }
    return this.removeGroup(trace, anchor, group, `deleted in ${this.source.systemName}`);
  }

  /** The reference pass for group members that were waiting: added together, one log entry per group. */
  private async resolveMembers(groupId: string, rows: readonly PendingRow[], ids: readonly string[]): Promise<void> {
    const group = await this.deps.target.getGroup(groupId);
    if (!group) {
      await this.write((db) => db.deleteFrom('inbound_pending_refs').where('job_id', '=', this.job.id).where('user_id', '=', groupId).execute());
      return;
    }
    const current = await this.deps.target.memberIds(groupId);
    const first = rows[0]!;
    const trace = new ObjectTrace('group', first.source_anchor, first.display_name ?? '', GROUP_TYPE);
    trace.targetId = groupId;
    trace.action = 'update';
    let added = 0;
    try {
      for (const id of new Set(ids)) {
        if (id === groupId || current.has(id)) continue;
        await this.deps.target.addMember(groupId, id);
        added++;
      }
    } catch (e) {
      const err = errorOf(e);
      trace.step('export', 'EntryExportUpdate', 'failure', `Adding members to '${group.displayName ?? groupId}' failed: ${err.message}`);
      trace.fail(err.code, err.message);
    }
    await this.deps.store.transaction(async (trx) => {
      for (const p of rows) await trx.deleteFrom('inbound_pending_refs').where('job_id', '=', this.job.id).where('user_id', '=', groupId).where('attribute', '=', p.attribute).execute();
    });
    if (trace.status !== 'failure') {
      if (!added) return;
      trace.modified.push({ displayName: 'members', oldValue: null, newValue: `+${added}` });
      trace.step('export', 'EntryExportUpdate', 'success', `Group '${group.displayName ?? groupId}' was updated in ${AZURE_AD_DIRECTORY_NAME}: ${added} member(s) added`, { ReportableIdentifier: first.source_anchor });
      this.counters.referencesResolved += added;
    }
    this.record(trace, first.change_id);
  }

  private async keepPending(userId: string, attribute: string, ref: string, sourceAnchor: string, displayName: string, changeId: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await this.write((db) => db.insertInto('inbound_pending_refs').values({
      job_id: this.job.id, user_id: userId, attribute, ref_anchor: ref, source_anchor: sourceAnchor, display_name: displayName, change_id: changeId, created_at: now,
    }).onConflict((oc) => oc.columns(['job_id', 'user_id', 'attribute']).doUpdateSet({ ref_anchor: ref, source_anchor: sourceAnchor, display_name: displayName, change_id: changeId, created_at: now })).execute());
  }

  private async dropPending(userId: string, attribute: string): Promise<void> {
    await this.write((db) => db.deleteFrom('inbound_pending_refs').where('job_id', '=', this.job.id).where('user_id', '=', userId).where('attribute', '=', attribute).execute());
  }

  /**
   * The second pass: every pending reference of the job whose target is
   * now linked (created or matched by this job, in this cycle or an earlier
   * one) is set, each logged as an entry with only an EntryExportUpdate step
   * and the changeId of the record that named it. One join finds them, so a
   * cycle costs nothing for references that still wait. With `full` (a
   * scheduled cycle with no uploads), references are also looked up through
   * the matching attribute, for managers created outside this job.
   */
  private async resolvePending(full: boolean): Promise<void> {
    const db = this.deps.store.db;
    const members = new Map<string, { rows: PendingRow[]; ids: string[] }>();
    let after = { user: '', attribute: '' };
    for (;;) {
      const a = after;
      const rows = await db.selectFrom('inbound_pending_refs as p')
        .innerJoin('inbound_links as l', (j) => j.onRef('l.job_id', '=', 'p.job_id').onRef('l.anchor', '=', 'p.ref_anchor'))
        .select(['p.user_id', 'p.attribute', 'p.ref_anchor', 'p.source_anchor', 'p.display_name', 'p.change_id', 'l.user_id as manager_id'])
        .where('p.job_id', '=', this.job.id)
        .where((eb) => eb.or([eb('p.user_id', '>', a.user), eb.and([eb('p.user_id', '=', a.user), eb('p.attribute', '>', a.attribute)])]))
        .orderBy('p.user_id').orderBy('p.attribute').limit(500).execute();
      for (const p of rows) {
        if (p.attribute.startsWith(MEMBER_PREFIX)) {
          // Group members: gathered per group, added together, one log entry per group.
          const m = members.get(p.user_id) ?? { rows: [], ids: [] };
          m.rows.push(p);
          m.ids.push(p.manager_id);
          members.set(p.user_id, m);
        } else {
          await this.resolveOne(p, p.manager_id);
        }
      }
      if (rows.length < 500) break;
      const last = rows[rows.length - 1]!;
      after = { user: last.user_id, attribute: last.attribute };
    }
    for (const [groupId, m] of members) await this.resolveMembers(groupId, m.rows, m.ids);
    if (full) {
      const rows = await db.selectFrom('inbound_pending_refs').selectAll().where('job_id', '=', this.job.id)
        .where('attribute', 'not like', `${MEMBER_PREFIX}%`).orderBy('user_id').limit(5000).execute();
      for (const p of rows) {
        const manager = await this.resolveReference(p.ref_anchor).catch(() => undefined);
        if (manager) await this.resolveOne(p, manager.id);
      }
    }
    const left = await db.selectFrom('inbound_pending_refs').select((eb) => eb.fn.countAll<number | string>().as('n')).where('job_id', '=', this.job.id).executeTakeFirst();
    this.counters.referencesPending = Number(left?.n ?? 0);
  }

  private async resolveOne(p: { user_id: string; attribute: string; ref_anchor: string; source_anchor: string; display_name: string | null; change_id: string }, managerId: string): Promise<void> {
    const type = this.source.objectType;
    const user = await this.deps.target.get(p.user_id);
    const manager = user && managerId !== user.id ? await this.deps.target.get(managerId) : undefined;
    if (!user) {
      await this.dropPending(p.user_id, p.attribute);
      return;
    }
    if (!manager) return;
    const trace = new ObjectTrace(type, p.source_anchor, p.display_name ?? '', TARGET_TYPE);
    trace.targetId = user.id;
    trace.action = 'update';
    try {
      if (user.managerId !== manager.id) await this.deps.target.setManager(user.id, manager.id);
      await this.dropPending(p.user_id, p.attribute);
      trace.modified.push({ displayName: 'manager', oldValue: user.managerId, newValue: manager.id });
      trace.step('export', 'EntryExportUpdate', 'success', `${capital(type)} '${user.userPrincipalName}' was updated in ${AZURE_AD_DIRECTORY_NAME}`, { ReportableIdentifier: p.source_anchor });
      this.counters.referencesResolved++;
    } catch (e) {
      const err = errorOf(e);
      trace.step('export', 'EntryExportUpdate', 'failure', `Setting the manager of '${user.userPrincipalName}' to ${p.ref_anchor} failed: ${err.message}`);
      trace.fail(err.code, err.message);
      await this.dropPending(p.user_id, p.attribute);
    }
    this.record(trace, p.change_id);
  }
}
