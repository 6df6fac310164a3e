/**
 * The provisioning-log entry: `microsoft.graph.provisioningObjectSummary`
 * exactly as Graph v1.0 puts it on the wire (graph-sync-api.md §4.1, §4.2,
 * §5), and the one normalisation step every entry passes before it is
 * stored. Pure: imports nothing else from src/.
 */
import { randomUUID } from 'node:crypto';

// ------------------------------------------------------------------ enums
// Members and their case exactly as the CSDL declares them (camelCase for
// the provisioning-log enums, unlike the PascalCase synchronization enums).

/** `provisioningAction`. */
export const PROVISIONING_ACTIONS = ['other', 'create', 'delete', 'disable', 'update', 'stagedDelete', 'unknownFutureValue'] as const;
/** `provisioningResult`: the status of an entry and of each step. */
export const PROVISIONING_RESULTS = ['success', 'failure', 'skipped', 'warning', 'unknownFutureValue'] as const;
/** `provisioningStepType`. */
export const PROVISIONING_STEP_TYPES = ['import', 'scoping', 'matching', 'processing', 'referenceResolution', 'export', 'unknownFutureValue'] as const;
/** `provisioningStatusErrorCategory`. */
export const PROVISIONING_ERROR_CATEGORIES = ['failure', 'nonServiceFailure', 'success', 'unknownFutureValue'] as const;
/** `initiatorType`. */
export const INITIATOR_TYPES = ['user', 'application', 'system', 'unknownFutureValue'] as const;

export type ProvisioningAction = (typeof PROVISIONING_ACTIONS)[number];
export type ProvisioningResult = (typeof PROVISIONING_RESULTS)[number];
export type ProvisioningStepType = (typeof PROVISIONING_STEP_TYPES)[number];
export type ProvisioningStatusErrorCategory = (typeof PROVISIONING_ERROR_CATEGORIES)[number];
export type InitiatorType = (typeof INITIATOR_TYPES)[number];

// ------------------------------------------------------------ complex types

/** `detailsInfo`: an open type; the service puts string values in it ("True", JSON text, attribute values). */
export type DetailsInfo = Record<string, unknown>;

/** `initiator` (base `identity`): who started the action; the engine writes `system`. */
export interface Initiator {
  id: string | null;
  displayName: string | null;
  initiatorType: InitiatorType | null;
}

/** `provisionedIdentity` (base `identity`): the source or target object. */
export interface ProvisionedIdentity {
  id: string | null;
  displayName: string | null;
  identityType: string | null;
  details: DetailsInfo | null;
}

/** `provisioningSystem` (base `identity`): the source or target system. */
export interface ProvisioningSystem {
  id: string | null;
  displayName: string | null;
  details: DetailsInfo | null;
}

/** `provisioningServicePrincipal` (base `identity`): a single object on the wire, although the docs' table says "collection". */
export interface ProvisioningServicePrincipal {
  id: string | null;
  displayName: string | null;
}

/** `provisioningErrorInfo`. */
export interface ProvisioningErrorInfo {
  errorCode: string | null;
  reason: string | null;
  additionalDetails: string | null;
  errorCategory: ProvisioningStatusErrorCategory | null;
  recommendedAction: string | null;
}

/** `provisioningStatusInfo`: the member is `errorInformation` on the wire (the docs' table says `errorInfo`). */
export interface ProvisioningStatusInfo {
  status: ProvisioningResult | null;
  errorInformation: ProvisioningErrorInfo | null;
}

/** `provisioningStep`: one of import, scoping, matching, processing, referenceResolution, export. */
export interface ProvisioningStep {
  name: string | null;
  provisioningStepType: ProvisioningStepType | null;
  status: ProvisioningResult | null;
  description: string | null;
  details: DetailsInfo | null;
}

/** `modifiedProperty`: one target attribute changed by the action (values are strings or null). */
export interface ModifiedProperty {
  displayName: string | null;
  oldValue: string | null;
  newValue: string | null;
}

/**
 * `microsoft.graph.provisioningObjectSummary`: one provisioning-log entry as
 * Graph v1.0 serialises it. Every member is present; unset nullable members
 * are explicit `null`s and collections are `[]`, as the service emits them.
 */
export interface ProvisioningObjectSummary {
  id: string;
  /** ISO 8601 UTC (`2019-05-04T03:00:54Z`); never null. */
  activityDateTime: string;
  tenantId: string | null;
  jobId: string | null;
  cycleId: string | null;
  changeId: string | null;
  provisioningAction: ProvisioningAction | null;
  durationInMilliseconds: number | null;
  provisioningStatusInfo: ProvisioningStatusInfo | null;
  provisioningSteps: ProvisioningStep[];
  modifiedProperties: ModifiedProperty[];
  servicePrincipal: ProvisioningServicePrincipal | null;
  sourceSystem: ProvisioningSystem | null;
  targetSystem: ProvisioningSystem | null;
  initiatedBy: Initiator | null;
  sourceIdentity: ProvisionedIdentity | null;
  targetIdentity: ProvisionedIdentity | null;
}

/** The members of `provisioningObjectSummary`, in the order Provisio serialises them (the docs' example order). */
export const SUMMARY_PROPERTIES = [
  'id', 'activityDateTime', 'tenantId', 'jobId', 'cycleId', 'changeId', 'provisioningAction', 'durationInMilliseconds',
  'provisioningStatusInfo', 'provisioningSteps', 'modifiedProperties', 'servicePrincipal', 'sourceSystem', 'targetSystem',
  'initiatedBy', 'sourceIdentity', 'targetIdentity',
] as const satisfies readonly (keyof ProvisioningObjectSummary)[];

type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

/**
 * What a writer accepts: an entry whose members may be left out (they
 * become `null`/`[]`); `id` defaults to a new GUID and `tenantId` to the
 * server's tenant. `activityDateTime` is required and may be a Date.
 */
export type ProvisioningLogInput = DeepPartial<Omit<ProvisioningObjectSummary, 'activityDateTime'>> & { activityDateTime: string | Date };

// ------------------------------------------------------------------ instants

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An instant in the two forms Provisio keeps: `wire`, UTC with the
 * fraction the writer gave (at most 7 digits, .NET's precision), and `key`,
 * fixed-width UTC with exactly 7 fractional digits, so that text order is
 * time order in both databases.
 */
export interface Instant {
  wire: string;
  key: string;
}

/** Parses an ISO 8601 instant with a zone; undefined when it is not one (or names an impossible date). */
export function parseInstant(text: string): Instant | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  const probe = new Date(base);
  // Date.UTC rolls 31 April over to 1 May; a date that does not round-trip does not exist.
  if (probe.getUTCDate() !== day || probe.getUTCMonth() !== month - 1) return undefined;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3)), om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const utc = new Date(base - offsetMinutes * 60_000);
  if (Number.isNaN(utc.getTime()) || utc.getUTCFullYear() > 9999 || utc.getUTCFullYear() < 1) return undefined;
  const seconds = utc.toISOString().slice(0, 19);
  const digits = frac.slice(0, 7);
  return { wire: `${seconds}${digits ? `.${digits}` : ''}Z`, key: `${seconds}.${digits.padEnd(7, '0')}Z` };
}

/** A calendar date (`2023-07-30`) as the instant of its midnight, UTC. */
export function parseDate(text: string): Instant | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseInstant(`${text}T00:00:00Z`) : undefined;
}

/** The sort key of a Date (`YYYY-MM-DDTHH:MM:SS.fffffffZ`). */
export function instantKey(d: Date): string {
  return `${d.toISOString().slice(0, 23)}0000Z`;
}

// ------------------------------------------------------------- normalising

/** Thrown for an entry that cannot be a provisioningObjectSummary; a programming error in the writer's caller. */
export class InvalidLogEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLogEntryError';
  }
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

// The member's name is passed in two parts and joined only for an error
// message: the engine writes thousands of entries a second, and building
// "provisioningSteps[3].name" for every member of every entry was a
// measurable share of a write.
type Where = string | (() => string);
const named = (where: Where, member: string) => {
  const w = typeof where === 'function' ? where() : where;
  return member ? `${w}.${member}` : w;
};

function str(v: unknown, where: Where, member = ''): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new InvalidLogEntryError(`${named(where, member)} must be a string, got ${typeof v}.`);
}

function enumMember<T extends string>(members: readonly T[], v: unknown, where: Where, member = ''): T | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new InvalidLogEntryError(`${named(where, member)} must be one of ${members.join(', ')}.`);
  if ((members as readonly string[]).includes(v)) return v as T;
  // The docs' own examples write "Import"/"Export" and "stageddelete"; the member is the CSDL spelling.
  const found = members.find((m) => m.toLowerCase() === v.toLowerCase());
  if (!found) throw new InvalidLogEntryError(`${named(where, member)} '${v}' is not one of ${members.join(', ')}.`);
  return found;
}

function details(v: unknown, where: Where, member = ''): DetailsInfo | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new InvalidLogEntryError(`${named(where, member)} must be an object.`);
  return v;
}

function object<T>(v: unknown, where: string, build: (o: Loose) => T): T | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new InvalidLogEntryError(`${where} must be an object.`);
  return build(v);
}

function list<T>(v: unknown, where: string, build: (o: Loose, at: () => string) => T): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InvalidLogEntryError(`${where} must be an array.`);
  const out = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (!isObject(item)) throw new InvalidLogEntryError(`${where}[${i}] must be an object.`);
    out[i] = build(item, () => `${where}[${i}]`);
  }
  return out;
}

const identityOf = (o: Loose, where: string): ProvisionedIdentity => ({
  id: str(o.id, where, 'id'),
  displayName: str(o.displayName, where, 'displayName'),
  identityType: str(o.identityType, where, 'identityType'),
  details: details(o.details, where, 'details'),
});

const systemOf = (o: Loose, where: string): ProvisioningSystem => ({
  id: str(o.id, where, 'id'),
  displayName: str(o.displayName, where, 'displayName'),
  details: details(o.details, where, 'details'),
});

/**
 * Turns writer input (or a log entry read from anywhere, including Graph's
 * own doc samples) into the canonical wire form: every member present in
 * the documented order, enums in their CSDL spelling, `activityDateTime` in
 * UTC. The docs' inconsistencies are accepted on input and normalised
 * (graph-sync-api.md §3.5): `Import` → `import`, `initiatingType` →
 * `initiatorType`, `errorInfo` → `errorInformation`, a `servicePrincipal`
 * array → its single element, and the beta members `action` and
 * `statusInfo` when the v1.0 ones are absent.
 */
export function normalizeEntry(input: unknown, defaults: { tenantId?: string | null } = {}): { entry: ProvisioningObjectSummary; key: string } {
  if (!isObject(input)) throw new InvalidLogEntryError('A provisioning log entry must be an object.');
  const raw = input;
  const when = raw.activityDateTime instanceof Date ? raw.activityDateTime.toISOString() : raw.activityDateTime;
  if (typeof when !== 'string') throw new InvalidLogEntryError('activityDateTime is required (an ISO 8601 instant or a Date).');
  const instant = parseInstant(when);
  if (!instant) throw new InvalidLogEntryError(`activityDateTime '${when}' is not an ISO 8601 instant with a zone.`);

  const id = raw.id === undefined || raw.id === null ? randomUUID() : str(raw.id, 'id');
  if (!id) throw new InvalidLogEntryError('id must not be empty.');
  // The id is the key column; a NUL (which PostgreSQL text cannot hold) would make it differ from the entry's own id.
  if (id.includes('\0')) throw new InvalidLogEntryError('id must not contain NUL characters.');

  const duration = raw.durationInMilliseconds;
  if (duration !== undefined && duration !== null && !(typeof duration === 'number' && Number.isInteger(duration) && Math.abs(duration) <= 2 ** 31 - 1)) {
    throw new InvalidLogEntryError('durationInMilliseconds must be an Int32.');
  }

  const statusInfo = raw.provisioningStatusInfo ?? raw.statusInfo;
  let sp = raw.servicePrincipal;
  if (Array.isArray(sp)) sp = sp[0];

  const entry: ProvisioningObjectSummary = {
    id,
    activityDateTime: instant.wire,
    tenantId: raw.tenantId === undefined ? (defaults.tenantId ?? null) : str(raw.tenantId, 'tenantId'),
    jobId: str(raw.jobId, 'jobId'),
    cycleId: str(raw.cycleId, 'cycleId'),
    changeId: str(raw.changeId, 'changeId'),
    provisioningAction: enumMember(PROVISIONING_ACTIONS, raw.provisioningAction ?? raw.action, 'provisioningAction'),
    durationInMilliseconds: (duration as number | null | undefined) ?? null,
    provisioningStatusInfo: object(statusInfo, 'provisioningStatusInfo', (o) => ({
      status: enumMember(PROVISIONING_RESULTS, o.status, 'provisioningStatusInfo', 'status'),
      errorInformation: object(o.errorInformation ?? o.errorInfo, 'provisioningStatusInfo.errorInformation', (e) => ({
        errorCode: str(e.errorCode, 'errorInformation', 'errorCode'),
        reason: str(e.reason, 'errorInformation', 'reason'),
        additionalDetails: str(e.additionalDetails, 'errorInformation', 'additionalDetails'),
        errorCategory: enumMember(PROVISIONING_ERROR_CATEGORIES, e.errorCategory, 'errorInformation', 'errorCategory'),
        recommendedAction: str(e.recommendedAction, 'errorInformation', 'recommendedAction'),
      })),
    })),
    provisioningSteps: list(raw.provisioningSteps, 'provisioningSteps', (s, at) => ({
      name: str(s.name, at, 'name'),
      provisioningStepType: enumMember(PROVISIONING_STEP_TYPES, s.provisioningStepType, at, 'provisioningStepType'),
      status: enumMember(PROVISIONING_RESULTS, s.status, at, 'status'),
      description: str(s.description, at, 'description'),
      details: details(s.details, at, 'details'),
    })),
    modifiedProperties: list(raw.modifiedProperties, 'modifiedProperties', (p, at) => ({
      displayName: str(p.displayName, at, 'displayName'),
      oldValue: str(p.oldValue, at, 'oldValue'),
      newValue: str(p.newValue, at, 'newValue'),
    })),
    servicePrincipal: object(sp, 'servicePrincipal', (o) => ({ id: str(o.id, 'servicePrincipal', 'id'), displayName: str(o.displayName, 'servicePrincipal', 'displayName') })),
    sourceSystem: object(raw.sourceSystem, 'sourceSystem', (o) => systemOf(o, 'sourceSystem')),
    targetSystem: object(raw.targetSystem, 'targetSystem', (o) => systemOf(o, 'targetSystem')),
    initiatedBy: object(raw.initiatedBy, 'initiatedBy', (o) => ({
      id: str(o.id, 'initiatedBy', 'id'),
      displayName: str(o.displayName, 'initiatedBy', 'displayName'),
      initiatorType: enumMember(INITIATOR_TYPES, o.initiatorType ?? o.initiatingType, 'initiatedBy', 'initiatorType'),
    })),
    sourceIdentity: object(raw.sourceIdentity, 'sourceIdentity', (o) => identityOf(o, 'sourceIdentity')),
    targetIdentity: object(raw.targetIdentity, 'targetIdentity', (o) => identityOf(o, 'targetIdentity')),
  };
  return { entry, key: instant.key };
}
