/**
 * Application instances (Teams resource accounts): constants, wire shapes
 * and the value rules (pure; no store access). See
 * docs/application-instances.md and shared/reference/teams-app-instance.md.
 */
import { appInstanceErrors } from './errors.ts';

/** The directory `department` that marks a user as an application instance (reference §1.1). */
export const INSTANCE_DEPARTMENT = 'Microsoft Communication Application Instance';
export const INSTANCE_DEPARTMENT_LC = INSTANCE_DEPARTMENT.toLowerCase();

/** Passed to Sync as the application id, it removes the instance's mapping (Sync Example 2). */
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** Microsoft's first-party voice applications (New/Set/Sync `-ApplicationId` text). */
export const AUTO_ATTENDANT_APP_ID = 'ce933385-9390-45d1-9512-c8d228074e07';
export const CALL_QUEUE_APP_ID = '11cd3e2e-fccb-42ad-ad00-878b93575e07';

export const CONFIGURATION_TYPES = ['AutoAttendant', 'CallQueue'] as const;
export type ConfigurationType = (typeof CONFIGURATION_TYPES)[number];

/** What kind of application an ApplicationId names: one of the two first-party ones, or any other (third-party). */
export type ApplicationType = ConfigurationType | 'ThirdParty';

export const KNOWN_APPLICATIONS: Readonly<Record<string, ConfigurationType>> = {
  [AUTO_ATTENDANT_APP_ID]: 'AutoAttendant',
  [CALL_QUEUE_APP_ID]: 'CallQueue',
};

/** The application type of an ApplicationId (null for none). */
export function applicationTypeOf(appId: string | null): ApplicationType | null {
  if (appId === null) return null;
  return KNOWN_APPLICATIONS[appId] ?? 'ThirdParty';
}

/** Call priority of an association: 1 (very high) … 5 (very low); 3 when not given. */
export const DEFAULT_CALL_PRIORITY = 3;

/** Find-CsOnlineApplicationInstance: 10 results unless MaxResults says otherwise, at most 20. */
export const FIND_DEFAULT_RESULTS = 10;
export const FIND_MAX_RESULTS = 20;

/**
 * Whether the registry agrees with the instance: `notRegistered` (no
 * mapping), `registered` (same application and ACS resource), `stale`
 * (a mapping that differs; Sync with the empty GUID, then Sync again).
 */
export type AgentProvisioningState = 'notRegistered' | 'registered' | 'stale';

/**
 * An application instance on the wire: Graph's `admin/teams/resourceAccounts`
 * item (`id`, `userPrincipalName`, `displayName`, `appId`, `phoneNumber`,
 * `acsResourceId`) plus Provisio's read-only `tenantId`, `applicationType`
 * and `agentProvisioningState`.
 */
export interface ResourceAccount {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  appId: string | null;
  /** `tel:+14255550100` as Graph renders it, or null. */
  phoneNumber: string | null;
  acsResourceId: string | null;
  tenantId: string;
  applicationType: ApplicationType | null;
  agentProvisioningState: AgentProvisioningState;
}

/** An entry of the agent provisioning registry. */
export interface AgentProvisioningMapping {
  /** The instance's object id: the registry's key. */
  id: string;
  appId: string;
  acsResourceId: string | null;
  callbackUri: string | null;
  /** The instance as copied from the directory at the last sync. */
  userPrincipalName: string;
  displayName: string | null;
  phoneNumber: string | null;
  createdDateTime: string;
  syncedDateTime: string;
}

/** What Sync did: created or refreshed the mapping, removed it, or nothing (removal of an absent mapping). */
export type SyncAction = 'created' | 'refreshed' | 'removed' | 'none';

export interface SyncResult {
  id: string;
  action: SyncAction;
  /** The mapping after the sync (null once removed). */
  mapping: AgentProvisioningMapping | null;
}

export interface FindResult {
  id: string;
  displayName: string | null;
  userPrincipalName: string;
  phoneNumber: string | null;
  appId: string | null;
  /** Whether the instance is associated with a configuration. */
  associated: boolean;
}

export interface InstanceAssociation {
  /** The instance's object id. */
  id: string;
  configurationId: string;
  configurationType: ConfigurationType;
  callPriority: number;
  associatedDateTime: string;
}

/** One identity's outcome in an association operation (AssociationOperationOutput.Results). */
export interface AssociationOperationResult {
  /** The identity as given. */
  identity: string;
  /** The instance's object id, when the identity resolved to one. */
  id: string | null;
  configurationId: string | null;
  configurationType: ConfigurationType | null;
  result: 'Success' | 'Failure';
  /** .NET HttpStatusCode name: OK, Created, NotFound, Conflict, UnprocessableEntity, BadRequest. */
  statusCode: string;
  /** Provisio's error code on failure. */
  code: string | null;
  message: string;
}

export interface AssociationOperationOutput {
  results: AssociationOperationResult[];
}

export type ProvisioningStatus = 'Pending' | 'InProgress' | 'Completed' | 'Error';

/** Get-CsOnlineApplicationInstanceAssociationStatus: one record per provisioning stage. */
export interface StatusRecord {
  type: 'Association' | 'AgentProvisioning';
  status: ProvisioningStatus;
  statusCode: string;
  message: string;
  statusTimestamp: string;
}

/** A voice-application configuration as the associations describe it (Provisio does not manage AA/CQ themselves). */
export interface ApplicationConfiguration {
  id: string;
  configurationType: ConfigurationType;
  applicationInstances: string[];
}

// ------------------------------------------------------------------ values

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

/** A GUID in canonical lower case, or a 400 naming the property. */
export function parseGuid(value: string, property: string): string {
  if (!isGuid(value)) throw appInstanceErrors.invalidGuid(property, value);
  return value.toLowerCase();
}

/** An application id to record: a GUID other than the empty one (which is a Sync command, not an application). */
export function parseApplicationId(value: string, property = 'appId'): string {
  const id = parseGuid(value, property);
  if (id === EMPTY_GUID) throw appInstanceErrors.emptyApplicationId(property);
  return id;
}

const E164 = /^\+[1-9]\d{1,14}(;ext=\d{1,10})?$/;

/**
 * A phone number to store: E.164 with an optional `;ext=`. The `tel:`
 * prefix is refused on write, as the cmdlet refuses it (reference §8); reads
 * render `tel:+…`.
 */
export function parsePhoneNumber(value: string): string {
  if (!E164.test(value)) throw appInstanceErrors.invalidPhoneNumber(value);
  return value;
}

export const renderPhoneNumber = (stored: string | null): string | null => (stored === null ? null : `tel:${stored}`);

/** Configuration types compare case-insensitively (`autoattendant` is `AutoAttendant`). */
export function parseConfigurationType(value: string): ConfigurationType {
  const t = CONFIGURATION_TYPES.find((c) => c.toLowerCase() === value.trim().toLowerCase());
  if (!t) throw appInstanceErrors.invalidConfigurationType(value);
  return t;
}

/** A configuration id: documented as a string; GUIDs (what AA/CQ ids are) compare in lower case. */
export function parseConfigurationId(value: string): string {
  const v = value.trim();
  if (v.length === 0 || v.length > 256 || /\s/.test(v) || [...v].some((c) => c.charCodeAt(0) < 0x20)) throw appInstanceErrors.invalidConfigurationId(value);
  return isGuid(v) ? v.toLowerCase() : v;
}

export function parseCallPriority(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw appInstanceErrors.invalidCallPriority(value);
  return value;
}

/** A callback URI (reserved for Microsoft's internal use in the cmdlet): an absolute http(s) URL. */
export function parseCallbackUri(value: string): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || value.length > 2048) throw appInstanceErrors.invalidCallbackUri(value);
  return value;
}

/** The ShouldProcess names of the cmdlets, for -WhatIf reports. */
export const OPERATIONS = {
  new: 'New-CsOnlineApplicationInstance',
  set: 'Set-CsOnlineApplicationInstance',
  sync: 'Sync-CsOnlineApplicationInstance',
  associate: 'New-CsOnlineApplicationInstanceAssociation',
  removeAssociation: 'Remove-CsOnlineApplicationInstanceAssociation',
} as const;

/** A -WhatIf outcome: what would be done and what would be answered, with nothing changed. */
export interface WhatIfReport<T> {
  whatIf: true;
  operation: string;
  target: string;
  message: string;
  result: T;
}

export function whatIfReport<T>(operation: string, target: string, result: T): WhatIfReport<T> {
  return { whatIf: true, operation, target, message: `What if: Performing the operation "${operation}" on target "${target}".`, result };
}
