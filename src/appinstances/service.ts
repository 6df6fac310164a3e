/**
 * Application instances (Teams resource accounts), the agent provisioning
 * registry behind Sync-CsOnlineApplicationInstance, and the associations of
 * instances with Auto Attendant / Call Queue configurations.
 *
 * An instance *is* a directory user whose `department` is the marker
 * (INSTANCE_DEPARTMENT) and whose sign-in is disabled; users are created and
 * renamed through the DirectoryService (so the change feed sees them), and
 * what the directory has no column for (application id, ACS resource id,
 * phone number) lives in `app_instances`. Reads join the directory's tables
 * directly: one indexed query per page instead of one call per user.
 *
 * Every write takes `whatIf` (validate fully, report, change nothing) and
 * `force` (proceed past soft conflicts, leave warnings out). The choices the
 * reference leaves open are in docs/application-instances.md.
 */
import { sql } from 'kysely';
import type { RawBuilder, SqlBool } from 'kysely';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import { GraphError, errors } from '../errors/graph-error.ts';
import type { FilterLiteral, FilterNode } from '../graph/odata-filter.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import { isUniqueViolation } from '../directory/directory-service.ts';
import { checkUserPrincipalName } from '../directory/model.ts';
import { appInstanceErrors, itemFailures, statusName } from './errors.ts';
import type { ItemFailure } from './errors.ts';
import {
  DEFAULT_CALL_PRIORITY, EMPTY_GUID, FIND_DEFAULT_RESULTS, INSTANCE_DEPARTMENT, INSTANCE_DEPARTMENT_LC, OPERATIONS,
  applicationTypeOf, isGuid, parseApplicationId, parseCallPriority, parseCallbackUri, parseConfigurationId, parseConfigurationType,
  parseGuid, parsePhoneNumber, renderPhoneNumber, whatIfReport,
} from './model.ts';
import type {
  AgentProvisioningMapping, AgentProvisioningState, ApplicationConfiguration, AssociationOperationOutput, AssociationOperationResult,
  ConfigurationType, FindResult, InstanceAssociation, ResourceAccount, StatusRecord, SyncAction, SyncResult, WhatIfReport,
} from './model.ts';

export interface WriteOptions {
  /** -WhatIf: validate everything, change nothing, report what would be done. */
  whatIf?: boolean;
  /** -Force: proceed past soft conflicts and leave warnings out. */
  force?: boolean;
}

/** What a write answers: its result, the warnings (empty under force), and the -WhatIf report when nothing was done. */
export interface Outcome<T> {
  value: T;
  warnings: string[];
  whatIf?: WhatIfReport<T>;
}

export interface CreateInstanceInput {
  userPrincipalName: string;
  appId?: string | null;
  displayName?: string | null;
}

export interface UpdateInstanceInput {
  displayName?: string;
  appId?: string | null;
  acsResourceId?: string | null;
  /** E.164; null or '' unassigns. */
  phoneNumber?: string | null;
}

export interface SyncInput {
  /** Absent: the instance's own application id. The empty GUID removes the mapping. */
  appId?: string;
  acsResourceId?: string;
  callbackUri?: string;
}

export interface AssociateInput {
  identities: readonly string[];
  configurationId: string;
  configurationType: string;
  callPriority?: number;
}

export interface FindQuery {
  searchQuery: string;
  maxResults?: number;
  exactMatchOnly?: boolean;
  associatedOnly?: boolean;
  unassociatedOnly?: boolean;
}

/** A resource account as read: the directory user joined with its instance row and its registry mapping. */
interface AccountRow {
  id: string;
  data: string;
  application_id: string | null;
  acs_resource_id: string | null;
  phone_number: string | null;
  m_app: string | null;
  m_acs: string | null;
}

interface MappingRow {
  object_id: string;
  application_id: string;
  acs_resource_id: string | null;
  callback_uri: string | null;
  user_principal_name: string;
  display_name: string | null;
  phone_number: string | null;
  created_at: string;
  synced_at: string;
}

interface AssociationRow {
  object_id: string;
  configuration_id: string;
  configuration_type: string;
  call_priority: number;
  associated_at: string;
}

type Pred = RawBuilder<SqlBool>;

/** Properties `$filter` understands on resource accounts, and the column each reads. */
const FILTER_COLUMNS: Readonly<Record<string, { column: string; prefix: boolean }>> = {
  id: { column: 'u.id', prefix: false },
  userprincipalname: { column: 'u.upn_lc', prefix: true },
  displayname: { column: 'u.display_name_lc', prefix: true },
  appid: { column: 'i.application_id', prefix: false },
  acsresourceid: { column: 'i.acs_resource_id', prefix: false },
  phonenumber: { column: 'i.phone_number', prefix: true },
};

const MAX_IN_VALUES = 100;

function filterValue(prop: string, lit: FilterLiteral): string {
  if (lit.kind !== 'string') throw errors.badRequest(`Invalid $filter: '${prop}' compares with a quoted string.`, '$filter');
  const v = lit.value.toLowerCase();
  return prop === 'phonenumber' ? v.replace(/^tel:/, '') : v;
}

/** A `$filter` over resource accounts as one SQL predicate (eq, ne, in, startswith, and, or, not). */
function translate(node: FilterNode): Pred {
  switch (node.type) {
    case 'and':
    case 'or':
      return sql<SqlBool>`(${translate(node.left)} ${sql.raw(node.type)} ${translate(node.right)})`;
    case 'not':
      return sql<SqlBool>`(not ${translate(node.operand)})`;
    case 'compare': {
      const spec = FILTER_COLUMNS[node.path.toLowerCase()];
      if (!spec) throw unknownFilterProperty(node.path);
      const col = sql.ref(spec.column);
      if (node.op !== 'eq' && node.op !== 'ne') throw unsupportedClause(node.path);
      if (node.value.kind === 'null') return node.op === 'eq' ? sql<SqlBool>`${col} is null` : sql<SqlBool>`${col} is not null`;
      const v = filterValue(node.path.toLowerCase(), node.value);
      // Two-valued, as Graph's filters are: a null never equals, so `not (x eq 'v')` keeps it.
      return node.op === 'eq' ? sql<SqlBool>`(${col} is not null and ${col} = ${v})` : sql<SqlBool>`(${col} is null or ${col} <> ${v})`;
    }
    case 'in': {
      const spec = FILTER_COLUMNS[node.path.toLowerCase()];
      if (!spec) throw unknownFilterProperty(node.path);
      if (node.values.length === 0 || node.values.length > MAX_IN_VALUES) {
        throw errors.badRequest(`Invalid $filter: 'in' takes 1 to ${MAX_IN_VALUES} values.`, '$filter');
      }
      const values = node.values.map((v) => filterValue(node.path.toLowerCase(), v));
      return sql<SqlBool>`(${sql.ref(spec.column)} is not null and ${sql.ref(spec.column)} in (${sql.join(values)}))`;
    }
    case 'func': {
      const spec = FILTER_COLUMNS[node.path.toLowerCase()];
      if (!spec) throw unknownFilterProperty(node.path);
      if (node.name !== 'startswith' || !spec.prefix) throw unsupportedClause(node.path);
      const p = filterValue(node.path.toLowerCase(), node.value);
      return sql<SqlBool>`(${sql.ref(spec.column)} is not null and substr(${sql.ref(spec.column)}, 1, ${[...p].length}) = ${p})`;
    }
    case 'any':
      throw unsupportedClause(node.path);
  }
}

const unknownFilterProperty = (p: string) =>
  errors.badRequest(`Could not find a property named '${p}' on type 'microsoft.graph.teamsAdministration.resourceAccount'.`, '$filter');
const unsupportedClause = (p: string) =>
  new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${p}' of resource 'resourceAccount'.`, { target: '$filter' });

/** Graph's message when a userPrincipalName is taken (the directory's own). */
const upnConflict = () =>
  new GraphError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.', {
    target: 'userPrincipalName',
    details: [{ code: 'ObjectConflict', message: 'Another object with the same value for property userPrincipalName already exists.', target: 'userPrincipalName' }],
  });

/** An identity in a path or body: an object id (GUID) or a userPrincipalName (`sip:` accepted, as Set's "URI or ID"). */
function identityKey(identity: string): { by: 'id' | 'upn'; value: string } {
  const v = identity.trim().replace(/^sip:/i, '');
  if (v.includes('@')) return { by: 'upn', value: v.toLowerCase() };
  if (isGuid(v)) return { by: 'id', value: v.toLowerCase() };
  throw appInstanceErrors.invalidIdentity(identity);
}

function stateOf(instanceApp: string | null, instanceAcs: string | null, mappingApp: string | null, mappingAcs: string | null): AgentProvisioningState {
  if (mappingApp === null) return 'notRegistered';
  return mappingApp === instanceApp && (mappingAcs ?? null) === (instanceAcs ?? null) ? 'registered' : 'stale';
}

function mappingFromRow(r: MappingRow): AgentProvisioningMapping {
  return {
    id: r.object_id,
    appId: r.application_id,
    acsResourceId: r.acs_resource_id,
    callbackUri: r.callback_uri,
    userPrincipalName: r.user_principal_name,
    displayName: r.display_name,
    phoneNumber: renderPhoneNumber(r.phone_number),
    createdDateTime: r.created_at,
    syncedDateTime: r.synced_at,
  };
}

function associationFromRow(r: AssociationRow): InstanceAssociation {
  return {
    id: r.object_id,
    configurationId: r.configuration_id,
    configurationType: r.configuration_type as ConfigurationType,
    callPriority: r.call_priority,
    associatedDateTime: r.associated_at,
  };
}

/** The directory side of an account row: its name and display name as Graph keeps them. */
function userOf(r: { data: string }): { userPrincipalName: string; displayName: string | null } {
  const d = JSON.parse(r.data) as { userPrincipalName: string; displayName?: string | null };
  return { userPrincipalName: d.userPrincipalName, displayName: d.displayName ?? null };
}

export class AppInstanceService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly directory: DirectoryService,
    private readonly tenantId: string,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  // ================================================================ reads

  /** Live directory users carrying the marker, with their instance row and registry mapping. */
  private accounts(db: Db) {
    return db.selectFrom('dir_users as u')
      .innerJoin('dir_values as v', (j) => j.onRef('v.object_id', '=', 'u.id').on('v.prop', '=', 'department').on('v.value_lc', '=', INSTANCE_DEPARTMENT_LC))
      .leftJoin('app_instances as i', 'i.object_id', 'u.id')
      .leftJoin('aps_mappings as m', 'm.object_id', 'u.id')
      .select(['u.id', 'u.data', 'i.application_id', 'i.acs_resource_id', 'i.phone_number', 'm.application_id as m_app', 'm.acs_resource_id as m_acs'])
      .where('u.deleted_at', 'is', null);
  }

  private toAccount(r: AccountRow): ResourceAccount {
    const u = userOf(r);
    return {
      id: r.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      appId: r.application_id,
      phoneNumber: renderPhoneNumber(r.phone_number),
      acsResourceId: r.acs_resource_id,
      tenantId: this.tenantId,
      applicationType: applicationTypeOf(r.application_id),
      agentProvisioningState: stateOf(r.application_id, r.acs_resource_id, r.m_app, r.m_acs),
    };
  }

  /** The instance an identity names; 404 InstanceNotFound (saying whether the user exists but lacks the marker) otherwise. */
  private async resolve(db: Db, identity: string): Promise<AccountRow> {
    const key = identityKey(identity);
    let q = this.accounts(db);
    q = key.by === 'id' ? q.where('u.id', '=', key.value) : q.where('u.upn_lc', '=', key.value);
    const row = await q.executeTakeFirst();
    if (row) return row;
    let u = db.selectFrom('dir_users').select('id').where('deleted_at', 'is', null);
    u = key.by === 'id' ? u.where('id', '=', key.value) : u.where('upn_lc', '=', key.value);
    throw (await u.executeTakeFirst()) ? appInstanceErrors.notAnInstance(identity) : appInstanceErrors.instanceNotFound(identity);
  }

  /** Get-CsOnlineApplicationInstance -Identity. */
  async get(identity: string): Promise<ResourceAccount> {
    return this.toAccount(await this.resolve(this.store.db, identity));
  }

  /** Get-CsOnlineApplicationInstance (all, or -Identities as a `$filter`): keyset pages ordered by object id. */
  async list(q: { filter?: FilterNode; top: number; after?: string }): Promise<{ items: ResourceAccount[]; next?: string }> {
    let query = this.accounts(this.store.db);
    if (q.filter) query = query.where(translate(q.filter));
    if (q.after) query = query.where('u.id', '>', q.after);
    const rows = await query.orderBy('u.id').limit(q.top + 1).execute();
    const items = rows.slice(0, q.top).map((r) => this.toAccount(r));
    return rows.length > q.top && items.length ? { items, next: items[items.length - 1]!.id } : { items };
  }

  /**
   * Find-CsOnlineApplicationInstance: a GUID matches the object id; text
   * starting with `tel:`, `+` or a digit matches phone numbers by prefix;
   * anything else matches display names by prefix, ignoring case.
   * ExactMatchOnly turns prefixes into whole-value equality.
   */
  async find(q: FindQuery): Promise<FindResult[]> {
    const text = q.searchQuery.trim();
    if (text === '') throw appInstanceErrors.searchQueryRequired();
    if (q.associatedOnly && q.unassociatedOnly) throw appInstanceErrors.associatedAndUnassociated();
    const max = q.maxResults ?? FIND_DEFAULT_RESULTS;
    let query = this.accounts(this.store.db)
      .leftJoin('app_instance_associations as a', 'a.object_id', 'u.id')
      .select('a.configuration_id');
    if (isGuid(text)) {
      query = query.where('u.id', '=', text.toLowerCase());
    } else if (/^(tel:)?\+?\d/i.test(text)) {
      let p = text.replace(/^tel:/i, '');
      if (!p.startsWith('+')) p = `+${p}`;
      query = q.exactMatchOnly ? query.where('i.phone_number', '=', p) : query.where(sql<SqlBool>`substr(${sql.ref('i.phone_number')}, 1, ${[...p].length}) = ${p}`);
    } else {
      const p = text.toLowerCase();
      query = q.exactMatchOnly ? query.where('u.display_name_lc', '=', p) : query.where(sql<SqlBool>`substr(${sql.ref('u.display_name_lc')}, 1, ${[...p].length}) = ${p}`);
    }
    if (q.associatedOnly) query = query.where('a.object_id', 'is not', null);
    if (q.unassociatedOnly) query = query.where('a.object_id', 'is', null);
    const rows = await query.orderBy('u.display_name_lc').orderBy('u.id').limit(max).execute();
    return rows.map((r) => {
      const u = userOf(r);
      return {
        id: r.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, phoneNumber: renderPhoneNumber(r.phone_number),
        appId: r.application_id, associated: r.configuration_id !== null,
      };
    });
  }

  // =============================================================== writes

  /**
   * New-CsOnlineApplicationInstance: a disabled directory user with the
   * marker department, its instance row, and (with an application id) its
   * registry mapping, so that Sync is not needed afterwards.
   */
  async create(input: CreateInstanceInput, opts: WriteOptions = {}): Promise<Outcome<ResourceAccount>> {
    const upn = input.userPrincipalName.trim();
    const at = upn.lastIndexOf('@');
    const domains = this.directory.domains;
    if (at > 0 && !domains.some((d) => d.toLowerCase() === upn.slice(at + 1).toLowerCase())) {
      throw appInstanceErrors.onlineDomainRequired(upn, domains);
    }
    checkUserPrincipalName(upn, domains);
    const appId = input.appId === undefined || input.appId === null ? null : parseApplicationId(input.appId);
    const alias = upn.slice(0, at);
    const displayName = input.displayName ?? alias;
    if (displayName.trim() === '') throw errors.badRequest("Invalid value specified for property 'displayName'.", 'displayName');
    if (await this.upnTaken(upn)) throw upnConflict();
    const warnings = opts.force || appId !== null ? [] : [
      `Application instance ${upn} has no application id: it handles no calls until one is set (Set-CsOnlineApplicationInstance -ApplicationId), which also registers it.`,
    ];
    if (opts.whatIf) {
      const planned: ResourceAccount = {
        id: '', userPrincipalName: upn, displayName, appId, phoneNumber: null, acsResourceId: null, tenantId: this.tenantId,
        applicationType: applicationTypeOf(appId), agentProvisioningState: appId ? 'registered' : 'notRegistered',
      };
      return { value: planned, warnings, whatIf: whatIfReport(OPERATIONS.new, upn, planned) };
    }
    const user = await this.directory.createUser({
      accountEnabled: false, displayName, mailNickname: alias, userPrincipalName: upn, department: INSTANCE_DEPARTMENT,
    });
    try {
      await this.store.transaction(async (trx) => {
        const now = this.now();
        await trx.insertInto('app_instances').values({
          object_id: user.id, application_id: appId, acs_resource_id: null, phone_number: null, created_at: now, updated_at: now,
        }).execute();
        if (appId) {
          await trx.insertInto('aps_mappings').values({
            object_id: user.id, application_id: appId, acs_resource_id: null, callback_uri: null, user_principal_name: upn,
            display_name: displayName, phone_number: null, created_at: now, synced_at: now,
          }).execute();
        }
      });
    } catch (e) {
      // Leave no half-made instance behind: the user goes, for good.
      await this.directory.deleteUser(user.id).then(() => this.directory.purge(user.id)).catch(() => undefined);
      throw e;
    }
    return { value: await this.get(user.id), warnings };
  }

  private async upnTaken(upn: string): Promise<boolean> {
    const r = await this.store.db.selectFrom('dir_users').select('id').where('upn_lc', '=', upn.toLowerCase()).where('deleted_at', 'is', null).executeTakeFirst();
    return r !== undefined;
  }

  /**
   * Set-CsOnlineApplicationInstance. The display name changes on the
   * directory user; application id, ACS resource id and phone number on the
   * instance. The registry is written only when the instance has no mapping
   * yet and gains an application id (as New does); an existing mapping is
   * never rewritten here: the instance then reports `stale` and a warning
   * names the Sync commands that bring the registry along.
   */
  async update(identity: string, patch: UpdateInstanceInput, opts: WriteOptions = {}): Promise<Outcome<ResourceAccount>> {
    const row = await this.resolve(this.store.db, identity);
    const id = row.id;
    const current = this.toAccount(row);
    let displayName = current.displayName;
    if (patch.displayName !== undefined) {
      if (patch.displayName.trim() === '') throw errors.badRequest("Invalid value specified for property 'displayName'.", 'displayName');
      displayName = patch.displayName;
    }
    const appId = patch.appId === undefined ? row.application_id : patch.appId === null ? null : parseApplicationId(patch.appId);
    const acs = patch.acsResourceId === undefined ? row.acs_resource_id : patch.acsResourceId === null ? null : parseGuid(patch.acsResourceId, 'acsResourceId');
    const phone = patch.phoneNumber === undefined ? row.phone_number : patch.phoneNumber === null || patch.phoneNumber === '' ? null : parsePhoneNumber(patch.phoneNumber);
    const warnings: string[] = [];

    const association = await this.associationRow(this.store.db, id);
    if (appId !== row.application_id && association && applicationTypeOf(appId) !== association.configuration_type && !opts.force) {
      throw appInstanceErrors.associationConflict(id, association.configuration_type, association.configuration_id, appId);
    }
    let holder: string | undefined;
    if (phone !== null && phone !== row.phone_number) {
      holder = (await this.store.db.selectFrom('app_instances').select('object_id').where('phone_number', '=', phone).where('object_id', '!=', id).executeTakeFirst())?.object_id;
      if (holder && !opts.force) throw appInstanceErrors.phoneNumberInUse(phone, holder);
    }
    const createMapping = row.m_app === null && appId !== null && appId !== row.application_id;
    const mappingApp = createMapping ? appId : row.m_app;
    const mappingAcs = createMapping ? acs : row.m_acs;
    if (!opts.force && row.m_app !== null && stateOf(appId, acs, row.m_app, row.m_acs) === 'stale') {
      warnings.push(row.m_app !== appId
        ? `The agent provisioning registry still maps ${id} to application ${row.m_app}. To map it to ${appId ?? '(none)'}, run Sync-CsOnlineApplicationInstance -ObjectId ${id} -ApplicationId ${EMPTY_GUID}, then Sync-CsOnlineApplicationInstance -ObjectId ${id}${appId ? ` -ApplicationId ${appId}` : ''}.`
        : `The agent provisioning registry holds ACS resource ${row.m_acs ?? '(none)'} for ${id}; run Sync-CsOnlineApplicationInstance -ObjectId ${id} -ApplicationId ${appId}${acs ? ` -AcsResourceId ${acs}` : ''} to copy ${acs ?? '(none)'} into it.`);
    }
    const after: ResourceAccount = {
      ...current, displayName, appId, acsResourceId: acs, phoneNumber: renderPhoneNumber(phone),
      applicationType: applicationTypeOf(appId), agentProvisioningState: stateOf(appId, acs, mappingApp, mappingAcs),
    };
    if (opts.whatIf) return { value: after, warnings, whatIf: whatIfReport(OPERATIONS.set, identity, after) };

    if (displayName !== current.displayName && displayName !== null) await this.directory.updateUser(id, { displayName });
    await this.store.transaction(async (trx) => {
      const now = this.now();
      if (holder) await trx.updateTable('app_instances').set({ phone_number: null, updated_at: now }).where('object_id', '=', holder).execute();
      await trx.insertInto('app_instances')
        .values({ object_id: id, application_id: appId, acs_resource_id: acs, phone_number: phone, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('object_id').doUpdateSet({ application_id: appId, acs_resource_id: acs, phone_number: phone, updated_at: now }))
        .execute();
      if (createMapping) {
        await trx.insertInto('aps_mappings').values({
          object_id: id, application_id: appId, acs_resource_id: acs, callback_uri: null, user_principal_name: current.userPrincipalName,
          display_name: displayName, phone_number: phone, created_at: now, synced_at: now,
        }).onConflict((oc) => oc.column('object_id').doNothing()).execute();
      }
    }).catch((e: unknown) => {
      // Another request gave the number to another instance since the check above.
      if (isUniqueViolation(e) && phone !== null) throw appInstanceErrors.phoneNumberInUse(phone, 'another application instance');
      throw e;
    });
    return { value: await this.get(id), warnings };
  }

  // ================================================= registry (Sync, APS)

  /**
   * Sync-CsOnlineApplicationInstance: copies the instance from the
   * directory into the agent provisioning registry.
   *
   * - the empty GUID removes the mapping (no mapping: nothing to do);
   * - no mapping: one is created with the given application id, else the instance's own;
   * - a mapping with another application id: 409 "An item with the same key has already been added.";
   * - a mapping with the same application id: refreshed (ACS resource, callback, and the
   *   copy of the instance's name and number) — the documented re-sync choice.
   */
  async sync(objectId: string, input: SyncInput, opts: WriteOptions = {}): Promise<Outcome<SyncResult>> {
    const id = parseGuid(objectId, 'objectId');
    const requested = input.appId === undefined ? undefined : parseGuid(input.appId, 'appId');
    const acsGiven = input.acsResourceId === undefined ? undefined : parseGuid(input.acsResourceId, 'acsResourceId');
    const callbackGiven = input.callbackUri === undefined ? undefined : parseCallbackUri(input.callbackUri);
    const run = () => this.store.transaction((trx) => this.syncIn(trx, id, requested, acsGiven, callbackGiven, opts));
    try {
      return await run();
    } catch (e) {
      // Two syncs creating the same mapping at once: the loser runs again and sees the winner's row.
      if (isUniqueViolation(e)) return run();
      throw e;
    }
  }

  private async syncIn(
    trx: Db, id: string, requested: string | undefined, acsGiven: string | undefined, callbackGiven: string | undefined, opts: WriteOptions,
  ): Promise<Outcome<SyncResult>> {
    const target = requested === undefined ? `ObjectId: ${id}` : `ObjectId: ${id}, ApplicationId: ${requested}`;
    const done = (action: SyncAction, mapping: AgentProvisioningMapping | null, warnings: string[] = []): Outcome<SyncResult> => {
      const value: SyncResult = { id, action, mapping };
      return opts.whatIf ? { value, warnings, whatIf: whatIfReport(OPERATIONS.sync, target, value) } : { value, warnings };
    };
    const existing = await trx.selectFrom('aps_mappings').selectAll().where('object_id', '=', id).executeTakeFirst();

    if (requested === EMPTY_GUID) {
      if (!existing) {
        await this.resolve(trx, id); // an unknown object id is an error, not a silent no-op
        return done('none', null);
      }
      // A mapping outlives a deleted user: removing it needs no live instance.
      if (!opts.whatIf) await trx.deleteFrom('aps_mappings').where('object_id', '=', id).execute();
      return done('removed', null);
    }

    const row = await this.resolve(trx, id);
    const appId = requested ?? row.application_id;
    if (appId === null) throw appInstanceErrors.applicationIdRequired(id);
    if (existing && existing.application_id !== appId) throw appInstanceErrors.duplicateMapping();

    const u = userOf(row);
    const now = this.now();
    const next: MappingRow = {
      object_id: id,
      application_id: appId,
      acs_resource_id: acsGiven ?? row.acs_resource_id ?? existing?.acs_resource_id ?? null,
      callback_uri: callbackGiven ?? existing?.callback_uri ?? null,
      user_principal_name: u.userPrincipalName,
      display_name: u.displayName,
      phone_number: row.phone_number,
      created_at: existing?.created_at ?? now,
      synced_at: now,
    };
    const warnings: string[] = [];
    if (!opts.force && stateOf(row.application_id, row.acs_resource_id, next.application_id, next.acs_resource_id) === 'stale') {
      warnings.push(
        `The registry now maps ${id} to application ${appId}${next.acs_resource_id ? ` and ACS resource ${next.acs_resource_id}` : ''}, ` +
        `but the instance has application ${row.application_id ?? '(none)'}${row.acs_resource_id ? ` and ACS resource ${row.acs_resource_id}` : ''}; ` +
        'Set-CsOnlineApplicationInstance makes them agree.',
      );
    }
    if (!opts.whatIf) {
      if (existing) {
        const { object_id: _k, created_at: _c, ...changes } = next;
        await trx.updateTable('aps_mappings').set(changes).where('object_id', '=', id).execute();
      } else {
        await trx.insertInto('aps_mappings').values(next).execute();
      }
    }
    return done(existing ? 'refreshed' : 'created', mappingFromRow(next), warnings);
  }

  /** The registry entry of an object id (it may outlive the instance); 404 InstanceNotRegistered. */
  async getMapping(objectId: string): Promise<AgentProvisioningMapping> {
    const id = parseGuid(objectId, 'objectId');
    const r = await this.store.db.selectFrom('aps_mappings').selectAll().where('object_id', '=', id).executeTakeFirst();
    if (!r) throw appInstanceErrors.notRegistered(id);
    return mappingFromRow(r);
  }

  /** The registry, keyset pages by object id; optionally only the mappings to one application. */
  async listMappings(q: { top: number; after?: string; appId?: string }): Promise<{ items: AgentProvisioningMapping[]; next?: string }> {
    let query = this.store.db.selectFrom('aps_mappings').selectAll();
    if (q.appId) query = query.where('application_id', '=', q.appId);
    if (q.after) query = query.where('object_id', '>', q.after);
    const rows = await query.orderBy('object_id').limit(q.top + 1).execute();
    const items = rows.slice(0, q.top).map(mappingFromRow);
    return rows.length > q.top && items.length ? { items, next: items[items.length - 1]!.id } : { items };
  }

  // ========================================================= associations

  private associationRow(db: Db, objectId: string): Promise<AssociationRow | undefined> {
    return db.selectFrom('app_instance_associations').selectAll().where('object_id', '=', objectId).executeTakeFirst();
  }

  /**
   * New-CsOnlineApplicationInstanceAssociation: each identity succeeds or
   * fails on its own (AssociationOperationOutput). An instance serves one
   * configuration; its application must be the configuration's type (the
   * Auto Attendant or Call Queue application id). `force` moves an
   * association and accepts a type mismatch.
   */
  async associate(input: AssociateInput, opts: WriteOptions = {}): Promise<Outcome<AssociationOperationOutput>> {
    const type = parseConfigurationType(input.configurationType);
    const configurationId = parseConfigurationId(input.configurationId);
    const priority = input.callPriority === undefined ? undefined : parseCallPriority(input.callPriority);
    const run = () => this.store.transaction(async (trx) => {
      const other = await trx.selectFrom('app_instance_associations').select('configuration_type')
        .where('configuration_id', '=', configurationId).where('configuration_type', '!=', type).executeTakeFirst();
      if (other) throw appInstanceErrors.configurationTypeConflict(configurationId, other.configuration_type, type);
      const results: AssociationOperationResult[] = [];
      const seen = new Set<string>();
      for (const identity of input.identities) {
        const base = { identity, configurationId, configurationType: type };
        const fail = (id: string | null, f: ItemFailure) =>
          results.push({ ...base, id, result: 'Failure', statusCode: statusName(f.status), code: f.code, message: f.message });
        let row: AccountRow;
        try {
          row = await this.resolve(trx, identity);
        } catch (e) {
          if (e instanceof GraphError && e.status < 500) { fail(null, { status: e.status, code: e.code, message: e.message }); continue; }
          throw e;
        }
        const id = row.id;
        if (seen.has(id)) continue;
        seen.add(id);
        const current = await this.associationRow(trx, id);
        if (current && current.configuration_id === configurationId) {
          const p = priority ?? current.call_priority;
          if (!opts.whatIf && p !== current.call_priority) {
            await trx.updateTable('app_instance_associations').set({ call_priority: p }).where('object_id', '=', id).execute();
          }
          results.push({ ...base, id, result: 'Success', statusCode: 'OK', code: null, message: `Application instance ${id} is associated with ${type} ${configurationId} (call priority ${p}).` });
          continue;
        }
        if (current && !opts.force) { fail(id, itemFailures.alreadyAssociated(id, current.configuration_type, current.configuration_id)); continue; }
        if (applicationTypeOf(row.application_id) !== type && !opts.force) { fail(id, itemFailures.configurationTypeMismatch(id, row.application_id, type)); continue; }
        const p = priority ?? DEFAULT_CALL_PRIORITY;
        if (!opts.whatIf) {
          const values = { configuration_id: configurationId, configuration_type: type, call_priority: p, associated_at: this.now() };
          await trx.insertInto('app_instance_associations').values({ object_id: id, ...values })
            .onConflict((oc) => oc.column('object_id').doUpdateSet(values)).execute();
        }
        results.push({ ...base, id, result: 'Success', statusCode: 'Created', code: null, message: `Associated application instance ${id} with ${type} ${configurationId} (call priority ${p}).` });
      }
      const value: AssociationOperationOutput = { results };
      return opts.whatIf ? { value, warnings: [], whatIf: whatIfReport(OPERATIONS.associate, input.identities.join(', '), value) } : { value, warnings: [] };
    });
    try {
      return await run();
    } catch (e) {
      if (isUniqueViolation(e)) return run();
      throw e;
    }
  }

  /** Remove-CsOnlineApplicationInstanceAssociation: per identity, NoAssociation when there is none to remove. */
  async removeAssociations(identities: readonly string[], opts: WriteOptions = {}): Promise<Outcome<AssociationOperationOutput>> {
    return this.store.transaction(async (trx) => {
      const results: AssociationOperationResult[] = [];
      for (const identity of identities) {
        let row: AccountRow;
        try {
          row = await this.resolve(trx, identity);
        } catch (e) {
          if (e instanceof GraphError && e.status < 500) {
            results.push({ identity, id: null, configurationId: null, configurationType: null, result: 'Failure', statusCode: statusName(e.status), code: e.code, message: e.message });
            continue;
          }
          throw e;
        }
        const current = await this.associationRow(trx, row.id);
        if (!current) {
          const f = appInstanceErrors.noAssociation(identity);
          results.push({ identity, id: row.id, configurationId: null, configurationType: null, result: 'Failure', statusCode: statusName(f.status), code: f.code, message: f.message });
          continue;
        }
        if (!opts.whatIf) await trx.deleteFrom('app_instance_associations').where('object_id', '=', row.id).execute();
        results.push({
          identity, id: row.id, configurationId: current.configuration_id, configurationType: current.configuration_type as ConfigurationType,
          result: 'Success', statusCode: 'OK', code: null,
          message: `Removed the association of application instance ${row.id} with ${current.configuration_type} ${current.configuration_id}.`,
        });
      }
      const value: AssociationOperationOutput = { results };
      return opts.whatIf ? { value, warnings: [], whatIf: whatIfReport(OPERATIONS.removeAssociation, identities.join(', '), value) } : { value, warnings: [] };
    });
  }

  /** Get-CsOnlineApplicationInstanceAssociation; 404 NoAssociation for an instance without one. */
  async getAssociation(identity: string): Promise<InstanceAssociation> {
    const row = await this.resolve(this.store.db, identity);
    const a = await this.associationRow(this.store.db, row.id);
    if (!a) throw appInstanceErrors.noAssociation(identity);
    return associationFromRow(a);
  }

  /**
   * Get-CsOnlineApplicationInstanceAssociationStatus: the association's own
   * record (complete as soon as it exists: nothing here is asynchronous)
   * and whether calls can reach the application, i.e. the registry's state.
   */
  async associationStatus(identity: string): Promise<StatusRecord[]> {
    const row = await this.resolve(this.store.db, identity);
    const a = await this.associationRow(this.store.db, row.id);
    if (!a) throw appInstanceErrors.noAssociation(identity);
    const records: StatusRecord[] = [{
      type: 'Association', status: 'Completed', statusCode: 'OK', statusTimestamp: a.associated_at,
      message: `Associated with ${a.configuration_type} ${a.configuration_id} (call priority ${a.call_priority}).`,
    }];
    const m = await this.store.db.selectFrom('aps_mappings').select(['application_id', 'acs_resource_id', 'synced_at']).where('object_id', '=', row.id).executeTakeFirst();
    const state = stateOf(row.application_id, row.acs_resource_id, m?.application_id ?? null, m?.acs_resource_id ?? null);
    if (state === 'notRegistered' || !m) {
      records.push({
        type: 'AgentProvisioning', status: 'Error', statusCode: 'NotFound', statusTimestamp: this.now(),
        message: `Application with instance id ${row.id} is not registered in the agent provisioning registry; run Sync-CsOnlineApplicationInstance -ObjectId ${row.id}.`,
      });
    } else if (state === 'stale') {
      records.push({
        type: 'AgentProvisioning', status: 'Error', statusCode: 'Conflict', statusTimestamp: m.synced_at,
        message: `The registry maps ${row.id} to application ${m.application_id} but the instance has ${row.application_id ?? '(none)'}; ` +
          `run Sync-CsOnlineApplicationInstance with ApplicationId ${EMPTY_GUID}, then again with the instance's application id.`,
      });
    } else {
      records.push({
        type: 'AgentProvisioning', status: 'Completed', statusCode: 'OK', statusTimestamp: m.synced_at,
        message: `Mapped to application ${m.application_id} in the agent provisioning registry.`,
      });
    }
    return records;
  }

  /** A configuration as its associations describe it: its type and the live instances associated with it. */
  async configuration(configurationId: string): Promise<ApplicationConfiguration> {
    const id = parseConfigurationId(configurationId);
    const rows = await this.store.db.selectFrom('app_instance_associations as a')
      .innerJoin('dir_users as u', 'u.id', 'a.object_id')
      .select(['a.object_id', 'a.configuration_type'])
      .where('a.configuration_id', '=', id).where('u.deleted_at', 'is', null)
      .orderBy('a.associated_at').orderBy('a.object_id')
      .execute();
    const first = rows[0];
    if (!first) throw appInstanceErrors.configurationNotFound(configurationId);
    return { id, configurationType: first.configuration_type as ConfigurationType, applicationInstances: rows.map((r) => r.object_id) };
  }
}
