/**
 * What people see of each Graph resource: the columns of its table and the
 * lines of its detail view. Scripts never see these (`--json` prints the
 * Graph JSON), so they can change to read better without breaking anyone.
 */
import type { Column, Field } from './output.ts';
import { renderFields, renderTable } from './output.ts';

/** Any Graph object as it came off the wire. */
export type Obj = Record<string, unknown>;

/** Reads a dotted path (`status.quarantine.reason`) from a Graph object. */
export function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[k];
  }
  return cur;
}

const col = (header: string, path: string): Column<Obj> => ({ header, get: (r) => at(r, path) });

/** .NET TimeSpan.MaxValue: what Graph shows as the interval of a job that was never scheduled. */
const NEVER_INTERVAL = 'P10675199DT2H48M5.4775807S';
/** DateTimeOffset.MinValue: Graph's "never" for instants. */
const NEVER_INSTANT = '0001-01-01T00:00:00Z';

function interval(v: unknown): unknown {
  return v === NEVER_INTERVAL ? '(not scheduled)' : v;
}

function instant(v: unknown): unknown {
  return v === NEVER_INSTANT ? '(never)' : v;
}

/** Table columns for applications. */
export const applicationColumns: Column<Obj>[] = [
  col('id', 'id'), col('appId', 'appId'), col('displayName', 'displayName'), col('created', 'createdDateTime'),
];

/** Table columns for service principals. */
export const servicePrincipalColumns: Column<Obj>[] = [
  col('id', 'id'), col('appId', 'appId'), col('displayName', 'displayName'), col('template', 'applicationTemplateId'), col('enabled', 'accountEnabled'),
];

/** Table columns for application templates (gallery). */
export const galleryColumns: Column<Obj>[] = [
  col('id', 'id'), col('displayName', 'displayName'), col('publisher', 'publisher'), col('provisioning', 'supportedProvisioningTypes'),
];

/** Table columns for synchronization templates. */
export const templateColumns: Column<Obj>[] = [
  col('id', 'id'), col('factoryTag', 'factoryTag'), col('default', 'default'), col('discoverable', 'discoverable'), col('description', 'description'),
];

/** Table columns for synchronization jobs. */
export const jobColumns: Column<Obj>[] = [
  col('id', 'id'),
  col('template', 'templateId'),
  col('schedule', 'schedule.state'),
  { header: 'interval', get: (r) => interval(at(r, 'schedule.interval')) },
  col('status', 'status.code'),
  { header: 'last run', get: (r) => instant(at(r, 'status.lastExecution.timeEnded')) },
  col('quarantine', 'status.quarantine.reason'),
];

/** Table columns for synchronization secrets. */
export const secretColumns: Column<Obj>[] = [col('key', 'key'), col('value', 'value')];

/** Table columns for directory users. */
export const userColumns: Column<Obj>[] = [
  col('id', 'id'), col('userPrincipalName', 'userPrincipalName'), col('displayName', 'displayName'), col('enabled', 'accountEnabled'),
];

/**
 * Table columns for a `--select` list: one per property named, in the order
 * given. Graph matches `$select` names ignoring case and answers with the
 * canonical spelling, so cells are looked up the same way.
 */
export function selectedColumns(select: string): Column<Obj>[] {
  const names: string[] = [];
  for (const n of select.split(',').map((s) => s.trim())) {
    if (n && !names.some((x) => x.toLowerCase() === n.toLowerCase())) names.push(n);
  }
  return names.map((name) => ({
    header: name,
    get: (r) => {
      const lower = name.toLowerCase();
      const key = Object.keys(r).find((k) => k.toLowerCase() === lower);
      return key === undefined ? undefined : r[key];
    },
  }));
}

/** Table columns for directory groups. */
export const groupColumns: Column<Obj>[] = [
  col('id', 'id'), col('displayName', 'displayName'), col('mailNickname', 'mailNickname'), col('security', 'securityEnabled'),
];

/** Table columns for group members (users and groups). */
export const memberColumns: Column<Obj>[] = [
  { header: 'type', get: (r) => String(r['@odata.type'] ?? '').replace(/^#?microsoft\.graph\./, '') },
  col('id', 'id'), col('displayName', 'displayName'), col('userPrincipalName', 'userPrincipalName'),
];

/** Table columns for app role assignments. */
export const assignmentColumns: Column<Obj>[] = [
  col('id', 'id'), col('principalType', 'principalType'), col('principalId', 'principalId'), col('principal', 'principalDisplayName'), col('appRoleId', 'appRoleId'),
];

/** Table columns for provisioning events. */
export const logColumns: Column<Obj>[] = [
  col('time', 'activityDateTime'),
  col('action', 'provisioningAction'),
  col('status', 'provisioningStatusInfo.status'),
  { header: 'source', get: (r) => at(r, 'sourceIdentity.displayName') || at(r, 'sourceIdentity.id') },
  { header: 'target', get: (r) => at(r, 'targetIdentity.id') || at(r, 'targetIdentity.displayName') },
  col('error', 'provisioningStatusInfo.errorInformation.errorCode'),
  col('id', 'id'),
];

/** Table columns for application instances. */
export const appInstanceColumns: Column<Obj>[] = [
  col('id', 'id'), col('userPrincipalName', 'userPrincipalName'), col('displayName', 'displayName'),
  col('appId', 'appId'), col('phoneNumber', 'phoneNumber'), col('acsResourceId', 'acsResourceId'),
];

/** Every non-annotation property of a Graph object, in wire order (for objects without a tailored view). */
export function genericFields(o: Obj): Field[] {
  return Object.entries(o).filter(([k]) => !k.startsWith('@odata.')).map(([k, v]) => [k, v] as const);
}

/** The detail view of a synchronization job: schedule, status, quarantine, last runs, settings. */
export function jobDetails(j: Obj): string {
  const q = at(j, 'status.quarantine') as Obj | null | undefined;
  const last = at(j, 'status.lastExecution') as Obj | null | undefined;
  const counts = last
    ? `imported ${cellNum(last.countImported)}, exported ${cellNum(last.countExported)}, escrowed ${cellNum(last.countEscrowed)}`
    : undefined;
  const settings = (at(j, 'synchronizationJobSettings') as { name?: string; value?: string }[] | undefined) ?? [];
  const byType = (at(j, 'status.synchronizedEntryCountByType') as { key?: string; value?: number }[] | undefined) ?? [];
  const progress = (at(j, 'status.progress') as { completedUnits?: number; totalUnits?: number; units?: string }[] | undefined) ?? [];
  const fields: Field[] = [
    ['id', j.id],
    ['template', j.templateId],
    ['schedule', at(j, 'schedule.state')],
    ['interval', interval(at(j, 'schedule.interval'))],
    ['expiration', at(j, 'schedule.expiration') ?? undefined],
    ['status', at(j, 'status.code')],
    ['quarantine', q ? `${cellNum(q.reason)}${at(q, 'error.code') ? ` (${String(at(q, 'error.code'))}: ${String(at(q, 'error.message') ?? '')})` : ''}, next attempt ${cellNum(q.nextAttempt)}` : undefined],
    ['last run', last ? `${cellNum(last.state)} ${cellNum(instant(last.timeEnded))}` : undefined],
    ['last run counts', counts],
    ['last run error', last && at(last, 'error.code') && at(last, 'error.code') !== 'None' ? `${String(at(last, 'error.code'))}: ${String(at(last, 'error.message') ?? '')}` : undefined],
    ['failures in a row', at(j, 'status.countSuccessiveCompleteFailures')],
    ['steady state', instant(at(j, 'status.steadyStateLastAchievedTime'))],
    ['progress', progress.length ? progress.map((p) => `${cellNum(p.completedUnits)}/${cellNum(p.totalUnits)} ${p.units ?? ''}`.trim()).join(', ') : undefined],
    ['synchronized', byType.length ? byType.map((p) => `${p.key ?? '?'}=${cellNum(p.value)}`).join(', ') : undefined],
    ['settings', settings.length ? settings.map((s) => `${s.name ?? '?'}=${s.value ?? ''}`).join(', ') : undefined],
    ['troubleshooting', at(j, 'status.troubleshootingUrl') || undefined],
  ];
  return renderFields(fields);
}

function cellNum(v: unknown): string {
  return v === undefined || v === null ? '-' : String(v);
}

/** A readable summary of a synchronization schema (the JSON itself is for `--out` and `--json`). */
export function schemaSummary(s: Obj): string {
  const dirs = (s.directories as Obj[] | undefined) ?? [];
  const rules = (s.synchronizationRules as Obj[] | undefined) ?? [];
  let out = renderFields([['id', s.id], ['version', s.version]]);
  out += '\nDirectories\n';
  out += renderTable(dirs, [
    col('name', 'name'),
    col('id', 'id'),
    { header: 'objects', get: (d) => ((d.objects as Obj[] | undefined) ?? []).map((o) => `${String(o.name)} (${((o.attributes as unknown[] | undefined) ?? []).length})`).join(', ') },
  ]);
  out += '\nRules\n';
  const mappings = rules.flatMap((r) => ((r.objectMappings as Obj[] | undefined) ?? []).map((m) => ({ rule: r, m })));
  out += renderTable(mappings, [
    { header: 'rule', get: (x) => x.rule.name },
    { header: 'rule id', get: (x) => x.rule.id },
    { header: 'mapping', get: (x) => `${String(x.m.sourceObjectName)} → ${String(x.m.targetObjectName)}` },
    { header: 'enabled', get: (x) => x.m.enabled },
    { header: 'flow', get: (x) => x.m.flowTypes },
    { header: 'attributes', get: (x) => ((x.m.attributeMappings as unknown[] | undefined) ?? []).length },
  ]);
  return out + "\nExport it with --out <file.json> (or --json), edit it, and import it with 'schema put --file'.\n";
}

/** The detail view of a provisioning event (`logs show`). */
export function logDetails(e: Obj): string {
  let out = renderFields([
    ['id', e.id],
    ['time', e.activityDateTime],
    ['job', e.jobId],
    ['cycle', e.cycleId],
    ['change', e.changeId],
    ['action', e.provisioningAction],
    ['status', at(e, 'provisioningStatusInfo.status')],
    ['error', at(e, 'provisioningStatusInfo.errorInformation.errorCode')
      ? `${String(at(e, 'provisioningStatusInfo.errorInformation.errorCode'))}: ${String(at(e, 'provisioningStatusInfo.errorInformation.reason') ?? '')}`
      : undefined],
    ['source', `${cellNum(at(e, 'sourceSystem.displayName'))}: ${cellNum(at(e, 'sourceIdentity.identityType'))} ${cellNum(at(e, 'sourceIdentity.displayName') || at(e, 'sourceIdentity.id'))}`],
    ['target', `${cellNum(at(e, 'targetSystem.displayName'))}: ${cellNum(at(e, 'targetIdentity.identityType'))} ${cellNum(at(e, 'targetIdentity.id') || at(e, 'targetIdentity.displayName'))}`],
    ['service principal', at(e, 'servicePrincipal.displayName') ?? at(e, 'servicePrincipal.id')],
    ['duration (ms)', e.durationInMilliseconds],
  ]);
  const steps = (e.provisioningSteps as Obj[] | undefined) ?? [];
  if (steps.length) out += '\nSteps\n' + renderTable(steps, [col('type', 'provisioningStepType'), col('status', 'status'), col('name', 'name'), col('description', 'description')]);
  const props = (e.modifiedProperties as Obj[] | undefined) ?? [];
  if (props.length) out += '\nModified properties\n' + renderTable(props, [col('property', 'displayName'), col('old', 'oldValue'), col('new', 'newValue')]);
  return out;
}

/** One status of a provision-on-demand answer (graph-sync-api.md §3.3.8, decoded). */
export interface OnDemandStatus {
  action?: string;
  reportableIdentifier?: string;
  statusInfo?: { status?: string; errorCode?: string | null; reason?: string | null };
  sourceIdentity?: { id?: string | null; type?: string };
  targetIdentity?: { id?: string | null; type?: string };
  provisioningSteps?: { name?: string; type?: string; status?: string; description?: string }[];
  [k: string]: unknown;
}

/** A provision-on-demand answer, whichever of Graph's two formats it came in. */
export interface OnDemandOutcome {
  /** Format A's overall result (`Success`, `Skipped`, `Failure`); format B has none. */
  result?: string;
  error?: { code?: string; message?: string };
  statuses: OnDemandStatus[];
}

function tryJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Decodes Graph's `stringKeyStringValuePair` answer to provisionOnDemand.
 * Format A: `key` is JSON `{result, details}` and `value` one status object.
 * Format B (what Entra sends today): `key` is a .NET type name and `value`
 * a JSON array of statuses, one per subject.
 */
export function decodeOnDemand(body: { key?: unknown; value?: unknown }): OnDemandOutcome {
  const key = tryJson(body.key) as { result?: unknown; details?: { errorCode?: unknown; errorMessage?: unknown } } | undefined;
  const value = tryJson(body.value);
  const statuses = (Array.isArray(value) ? value : value && typeof value === 'object' && Object.keys(value).length ? [value] : []) as OnDemandStatus[];
  const outcome: OnDemandOutcome = { statuses };
  if (key && typeof key === 'object') {
    if (typeof key.result === 'string') outcome.result = key.result;
    const code = key.details?.errorCode;
    const message = key.details?.errorMessage;
    if (typeof code === 'string' || typeof message === 'string') {
      outcome.error = { ...(typeof code === 'string' ? { code } : {}), ...(typeof message === 'string' ? { message } : {}) };
    }
  }
  return outcome;
}

/** The human view of a provision-on-demand answer: one block per subject with its steps. */
export function onDemandDetails(body: Obj): string {
  const o = decodeOnDemand(body);
  let out = '';
  if (o.result) out += renderFields([['result', o.result], ['error', o.error ? `${o.error.code ?? ''}: ${o.error.message ?? ''}` : undefined]]);
  for (const s of o.statuses) {
    out += (out ? '\n' : '') + renderFields([
      ['object', s.reportableIdentifier ?? s.sourceIdentity?.id ?? undefined],
      ['source', s.sourceIdentity ? `${s.sourceIdentity.type ?? ''} ${s.sourceIdentity.id ?? ''}`.trim() : undefined],
      ['target', s.targetIdentity ? `${s.targetIdentity.type ?? ''} ${s.targetIdentity.id ?? ''}`.trim() : undefined],
      ['action', s.action],
      ['status', s.statusInfo?.status],
      ['error', s.statusInfo?.errorCode ? `${s.statusInfo.errorCode}: ${s.statusInfo.reason ?? ''}` : undefined],
    ]);
    const steps = s.provisioningSteps ?? [];
    if (steps.length) {
      out += renderTable(steps as Obj[], [col('type', 'type'), col('status', 'status'), col('step', 'name'), col('description', 'description')]);
    }
  }
  return out || 'The server returned no provisioning details.\n';
}
