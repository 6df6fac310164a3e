/**
 * The application-instance cmdlets as plain functions: PowerShell-named
 * parameters in, PowerShell-shaped output objects out, over an HTTP call
 * the caller supplies (the command line passes one that talks to a server;
 * another front end can pass its own). Nothing here parses argv or prints.
 *
 * REST paths are those of src/api/routes/app-instances.ts; this file is
 * the one place the command line names them.
 */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the server root, e.g. `/v1.0/admin/teams/resourceAccounts`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

/** Sends one request; answers every status (errors included) rather than throwing for them. */
export type ApiCall = (req: ApiRequest) => Promise<ApiResponse>;

/** A Graph error answer, as the cmdlets surface it. */
export class CmdletApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'CmdletApiError';
  }
}

/** What a cmdlet produced: pipeline objects, warnings, non-terminating errors, or a -WhatIf report. */
export interface CmdletOutput {
  objects: Record<string, unknown>[];
  /** One object (Format-List), as opposed to a collection. */
  single: boolean;
  warnings: string[];
  /** Non-terminating errors: the command went on past them but did not fully succeed. */
  errors: CmdletApiError[];
  /** The -WhatIf line (nothing was changed), and the server's report for --json. */
  whatIf?: { message: string; report: unknown };
}

export const PATHS = {
  resourceAccounts: '/v1.0/admin/teams/resourceAccounts',
  resourceAccount: (identity: string) => `/v1.0/admin/teams/resourceAccounts/${encodeURIComponent(identity)}`,
  find: '/v1.0/admin/teams/resourceAccounts/find',
  sync: (objectId: string) => `/v1.0/admin/teams/resourceAccounts/${encodeURIComponent(objectId)}/sync`,
  associate: '/v1.0/admin/teams/resourceAccounts/associate',
  removeAssociations: '/v1.0/admin/teams/resourceAccounts/removeAssociations',
  association: (identity: string) => `/v1.0/admin/teams/resourceAccounts/${encodeURIComponent(identity)}/association`,
  associationStatus: (identity: string) => `/v1.0/admin/teams/resourceAccounts/${encodeURIComponent(identity)}/association/status`,
} as const;

type Obj = Record<string, unknown>;

function errorOf(res: ApiResponse): CmdletApiError {
  const e = (res.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return new CmdletApiError(res.status, typeof e?.code === 'string' ? e.code : `Http${res.status}`, typeof e?.message === 'string' ? e.message : `The server answered ${res.status}.`);
}

/** The body of a 2xx answer; a Graph error becomes a CmdletApiError. */
async function call(api: ApiCall, req: ApiRequest): Promise<Obj> {
  const res = await api(req);
  if (res.status >= 400) throw errorOf(res);
  return (res.body ?? {}) as Obj;
}

const writeQuery = (p: { WhatIf?: boolean; Force?: boolean }) => ({
  ...(p.WhatIf ? { whatIf: 'true' } : {}),
  ...(p.Force ? { force: 'true' } : {}),
});

const warningsOf = (body: Obj): string[] => (Array.isArray(body['@provisio.warnings']) ? (body['@provisio.warnings'] as string[]) : []);

const output = (objects: Obj[], single: boolean, warnings: string[] = [], errors: CmdletApiError[] = []): CmdletOutput => ({ objects, single, warnings, errors });

function whatIfOutput(body: Obj): CmdletOutput {
  return { objects: [], single: true, warnings: warningsOf(body), errors: [], whatIf: { message: String(body.message), report: body } };
}

/** The instance as the cmdlets print it (New/Set/Get-CsOnlineApplicationInstance output). */
export function instanceObject(a: Obj): Obj {
  return {
    ObjectId: a.id,
    TenantId: a.tenantId ?? null,
    UserPrincipalName: a.userPrincipalName,
    ApplicationId: a.appId ?? null,
    DisplayName: a.displayName ?? null,
    PhoneNumber: a.phoneNumber ?? null,
    AcsResourceId: a.acsResourceId ?? null,
  };
}

// ----------------------------------------------------------- instances

export interface NewParams { UserPrincipalName: string; ApplicationId?: string; DisplayName?: string; Force?: boolean; WhatIf?: boolean }

/** New-CsOnlineApplicationInstance. */
export async function newCsOnlineApplicationInstance(api: ApiCall, p: NewParams): Promise<CmdletOutput> {
  const body = await call(api, {
    method: 'POST', path: PATHS.resourceAccounts, query: writeQuery(p),
    body: { userPrincipalName: p.UserPrincipalName, ...(p.ApplicationId !== undefined ? { appId: p.ApplicationId } : {}), ...(p.DisplayName !== undefined ? { displayName: p.DisplayName } : {}) },
  });
  return p.WhatIf ? whatIfOutput(body) : output([instanceObject(body)], true, warningsOf(body));
}

export interface SetParams {
  Identity: string;
  /** null or '' unassigns. */
  OnpremPhoneNumber?: string | null;
  ApplicationId?: string;
  AcsResourceId?: string;
  DisplayName?: string;
  Force?: boolean;
  WhatIf?: boolean;
}

/** Set-CsOnlineApplicationInstance. */
export async function setCsOnlineApplicationInstance(api: ApiCall, p: SetParams): Promise<CmdletOutput> {
  const patch: Obj = {};
  if (p.DisplayName !== undefined) patch.displayName = p.DisplayName;
  if (p.ApplicationId !== undefined) patch.appId = p.ApplicationId;
  if (p.AcsResourceId !== undefined) patch.acsResourceId = p.AcsResourceId;
  if (p.OnpremPhoneNumber !== undefined) patch.phoneNumber = p.OnpremPhoneNumber === '' ? null : p.OnpremPhoneNumber;
  const body = await call(api, { method: 'PATCH', path: PATHS.resourceAccount(p.Identity), query: writeQuery(p), body: patch });
  return p.WhatIf ? whatIfOutput(body) : output([instanceObject(body)], true, warningsOf(body));
}

export interface GetParams { Identity?: string; Identities?: string[]; ResultSize?: number; Skip?: number; WhatIf?: boolean }

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Get-CsOnlineApplicationInstance: one (-Identity), several (-Identities:
 * those not found are reported as non-terminating errors) or all, every
 * page followed; -Skip and -ResultSize cut the result (they work here,
 * unlike in the module, where they are documented as not working).
 */
export async function getCsOnlineApplicationInstance(api: ApiCall, p: GetParams): Promise<CmdletOutput> {
  if (p.WhatIf) {
    const target = p.Identity ?? p.Identities?.join(',') ?? 'all application instances';
    const message = `What if: Performing the operation "Get-CsOnlineApplicationInstance" on target "${target}".`;
    return { objects: [], single: true, warnings: [], errors: [], whatIf: { message, report: { whatIf: true, operation: 'Get-CsOnlineApplicationInstance', target, message } } };
  }
  if (p.Identity !== undefined && p.Identities === undefined) {
    return output([instanceObject(await call(api, { method: 'GET', path: PATHS.resourceAccount(p.Identity) }))], true);
  }
  const wanted = [...(p.Identity !== undefined ? [p.Identity] : []), ...(p.Identities ?? [])].map((s) => s.trim()).filter((s) => s !== '');
  let filter: string | undefined;
  if (wanted.length) {
    const ids = wanted.filter((w) => GUID.test(w));
    const upns = wanted.filter((w) => !GUID.test(w));
    filter = [ids.length ? `id in (${ids.map(quote).join(',')})` : '', upns.length ? `userPrincipalName in (${upns.map(quote).join(',')})` : '']
      .filter(Boolean).join(' or ');
  }
  const skip = p.Skip ?? 0;
  const limit = p.ResultSize === undefined ? Infinity : skip + p.ResultSize;
  const found: Obj[] = [];
  let skiptoken: string | undefined;
  do {
    const top = String(Math.min(999, Number.isFinite(limit) ? Math.max(1, limit - found.length) : 999));
    const page = await call(api, { method: 'GET', path: PATHS.resourceAccounts, query: { $top: top, ...(filter ? { $filter: filter } : {}), ...(skiptoken ? { $skiptoken: skiptoken } : {}) } });
    found.push(...((page.value as Obj[] | undefined) ?? []));
    const next = typeof page['@odata.nextLink'] === 'string' ? new URL(page['@odata.nextLink']).searchParams.get('$skiptoken') : null;
    skiptoken = next ?? undefined;
  } while (skiptoken && found.length < limit);
  const errors = wanted
    .filter((w) => !found.some((a) => String(a.id).toLowerCase() === w.toLowerCase() || String(a.userPrincipalName).toLowerCase() === w.toLowerCase()))
    .map((w) => new CmdletApiError(404, 'InstanceNotFound', `Application instance '${w}' was not found.`));
  const objects = found.slice(skip, Number.isFinite(limit) ? limit : undefined).map(instanceObject);
  return output(objects, false, [], errors);
}

export interface FindParams { SearchQuery: string; MaxResults?: number; ExactMatchOnly?: boolean; AssociatedOnly?: boolean; UnAssociatedOnly?: boolean; Force?: boolean }

/** Find-CsOnlineApplicationInstance: `Id`, `Name`, `TelephoneNumber` per match. */
export async function findCsOnlineApplicationInstance(api: ApiCall, p: FindParams): Promise<CmdletOutput> {
  const body = await call(api, {
    method: 'GET', path: PATHS.find,
    query: {
      searchQuery: p.SearchQuery,
      ...(p.MaxResults !== undefined ? { maxResults: String(p.MaxResults) } : {}),
      ...(p.ExactMatchOnly ? { exactMatchOnly: 'true' } : {}),
      ...(p.AssociatedOnly ? { associatedOnly: 'true' } : {}),
      ...(p.UnAssociatedOnly ? { unassociatedOnly: 'true' } : {}),
    },
  });
  const value = (body.value as Obj[] | undefined) ?? [];
  return output(value.map((r) => ({ Id: r.id, Name: r.displayName ?? null, TelephoneNumber: r.phoneNumber ?? null })), false);
}

export interface SyncParams { ObjectId: string; ApplicationId?: string; AcsResourceId?: string; CallbackUri?: string; Force?: boolean; WhatIf?: boolean }

/**
 * Sync-CsOnlineApplicationInstance. The module prints nothing on success;
 * the command line shows what the registry now holds for the instance.
 */
export async function syncCsOnlineApplicationInstance(api: ApiCall, p: SyncParams): Promise<CmdletOutput> {
  const body = await call(api, {
    method: 'POST', path: PATHS.sync(p.ObjectId), query: writeQuery(p),
    body: {
      ...(p.ApplicationId !== undefined ? { appId: p.ApplicationId } : {}),
      ...(p.AcsResourceId !== undefined ? { acsResourceId: p.AcsResourceId } : {}),
      ...(p.CallbackUri !== undefined ? { callbackUri: p.CallbackUri } : {}),
    },
  });
  if (p.WhatIf) return whatIfOutput(body);
  const m = (body.mapping ?? null) as Obj | null;
  return output([{
    ObjectId: body.id,
    Action: body.action,
    ApplicationId: m?.appId ?? null,
    AcsResourceId: m?.acsResourceId ?? null,
    SyncedDateTime: m?.syncedDateTime ?? null,
  }], true, warningsOf(body));
}

// -------------------------------------------------------- associations

/** The per-identity results of an association operation; failures are non-terminating errors. */
function operationOutput(body: Obj): CmdletOutput {
  const results = (body.results as Obj[] | undefined) ?? [];
  const objects = results.map((r) => ({
    Id: r.id ?? r.identity, ConfigurationId: r.configurationId ?? null, ConfigurationType: r.configurationType ?? null,
    Result: r.result, StatusCode: r.statusCode, Message: r.message,
  }));
  const statusOf = (s: unknown) => ({ NotFound: 404, Conflict: 409, UnprocessableEntity: 422, BadRequest: 400 } as Record<string, number>)[String(s)] ?? 400;
  const errors = results.filter((r) => r.result === 'Failure').map((r) => new CmdletApiError(statusOf(r.statusCode), String(r.code ?? 'Failure'), String(r.message)));
  return output(objects, false, [], errors);
}

export interface NewAssociationParams { Identities: string[]; ConfigurationId: string; ConfigurationType: string; CallPriority?: number }

/** New-CsOnlineApplicationInstanceAssociation. */
export async function newCsOnlineApplicationInstanceAssociation(api: ApiCall, p: NewAssociationParams): Promise<CmdletOutput> {
  const body = await call(api, {
    method: 'POST', path: PATHS.associate,
    body: { identities: p.Identities, configurationId: p.ConfigurationId, configurationType: p.ConfigurationType, ...(p.CallPriority !== undefined ? { callPriority: p.CallPriority } : {}) },
  });
  return operationOutput(body);
}

export interface IdentityParams { Identity: string }

/**
 * Get-CsOnlineApplicationInstanceAssociation. An instance without an
 * association gives an object with empty configuration fields, not an
 * error (scripts test `$null -eq $a.ConfigurationId`); an unknown instance
 * is an error.
 */
export async function getCsOnlineApplicationInstanceAssociation(api: ApiCall, p: IdentityParams): Promise<CmdletOutput> {
  const res = await api({ method: 'GET', path: PATHS.association(p.Identity) });
  if (res.status === 404 && errorOf(res).code === 'NoAssociation') {
    const a = await call(api, { method: 'GET', path: PATHS.resourceAccount(p.Identity) });
    return output([{ Id: a.id, ConfigurationId: null, ConfigurationType: null, CallPriority: null }], true);
  }
  if (res.status >= 400) throw errorOf(res);
  const a = (res.body ?? {}) as Obj;
  return output([{ Id: a.id, ConfigurationId: a.configurationId, ConfigurationType: a.configurationType, CallPriority: a.callPriority }], true);
}

/** Get-CsOnlineApplicationInstanceAssociationStatus: one StatusRecord per stage. */
export async function getCsOnlineApplicationInstanceAssociationStatus(api: ApiCall, p: IdentityParams): Promise<CmdletOutput> {
  const body = await call(api, { method: 'GET', path: PATHS.associationStatus(p.Identity) });
  const value = (body.value as Obj[] | undefined) ?? [];
  return output(value.map((r) => ({ Type: r.type, Status: r.status, StatusCode: r.statusCode, Message: r.message, StatusTimestamp: r.statusTimestamp })), false);
}

export interface RemoveAssociationParams { Identities: string[] }

/** Remove-CsOnlineApplicationInstanceAssociation. */
export async function removeCsOnlineApplicationInstanceAssociation(api: ApiCall, p: RemoveAssociationParams): Promise<CmdletOutput> {
  return operationOutput(await call(api, { method: 'POST', path: PATHS.removeAssociations, body: { identities: p.Identities } }));
}
