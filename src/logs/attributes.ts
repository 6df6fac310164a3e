/**
 * The filterable attributes of `/auditLogs/provisioning`: one table that
 * says, for each, its Graph path, the indexed column that holds it, its
 * type, the operators `$filter` accepts on it, and how the writer extracts
 * it from an entry. The writer, the filter translator and the docs all
 * read this table, so a column and its filter cannot drift apart.
 */
import type { ProvisioningObjectSummary } from './model.ts';
import { PROVISIONING_ACTIONS, PROVISIONING_RESULTS } from './model.ts';
import type { LogTables } from '../store/schema.ts';

/** A stored row of `provisioning_logs`. */
export type LogRow = LogTables['provisioning_logs'];
/** Columns that hold one filterable attribute each (everything but the JSON `data`). */
export type AttributeColumn = Exclude<keyof LogRow, 'data'>;

/** How an attribute's values compare: text, an enum's member, an instant (its sort key), an Int32. */
export type AttributeType = 'string' | 'enum' | 'dateTime' | 'int32';
/** OData comparison operators. */
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
/** OData string functions that test text. */
export type MatchFunction = 'contains' | 'startswith' | 'endswith';
/** Whatever an attribute may be filtered with. */
export type FilterOperator = ComparisonOperator | MatchFunction;

/** One filterable attribute and the column that holds it. */
export interface FilterAttribute {
  /** Canonical Graph path, e.g. `provisioningStatusInfo/status`. */
  path: string;
  column: AttributeColumn;
  type: AttributeType;
  /** Operators accepted in `$filter`. */
  operators: readonly FilterOperator[];
  /** Members, for enum attributes; literals are matched to them ignoring case. */
  members?: readonly string[];
  /** Graph compares this attribute ignoring case ("filters are case sensitive except for status"); its column holds lower case. */
  caseInsensitive?: boolean;
  /** The column value for an entry (what the writer stores). */
  extract(e: ProvisioningObjectSummary): string | number | null;
}

// Graph documents eq/contains for strings and eq/gt/lt for the instant and
// the duration (graph-sync-api.md §2.6); Provisio also accepts ne, the other
// inequalities (a real query uses `ge`) and startswith/endswith, all of
// which its indexes or a scan of an already narrowed set serve.
const STRING_OPS = ['eq', 'ne', 'contains', 'startswith', 'endswith'] as const;
const ORDERED_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;

const s = (path: string, column: AttributeColumn, extract: FilterAttribute['extract']): FilterAttribute => ({ path, column, type: 'string', operators: STRING_OPS, extract });

/** Every attribute `$filter` understands, by canonical path. */
export const FILTER_ATTRIBUTES: readonly FilterAttribute[] = [
  s('id', 'id', (e) => e.id),
  { path: 'activityDateTime', column: 'activity_date_time', type: 'dateTime', operators: ORDERED_OPS, extract: () => null /* the writer stores the sort key */ },
  s('tenantId', 'tenant_id', (e) => e.tenantId),
  s('jobId', 'job_id', (e) => e.jobId),
  s('changeId', 'change_id', (e) => e.changeId),
  s('cycleId', 'cycle_id', (e) => e.cycleId),
  { path: 'provisioningAction', column: 'provisioning_action', type: 'enum', members: PROVISIONING_ACTIONS, operators: STRING_OPS, extract: (e) => e.provisioningAction },
  { path: 'durationInMilliseconds', column: 'duration_ms', type: 'int32', operators: ORDERED_OPS, extract: (e) => e.durationInMilliseconds },
  {
    path: 'provisioningStatusInfo/status', column: 'status', type: 'enum', members: PROVISIONING_RESULTS, operators: STRING_OPS, caseInsensitive: true,
    extract: (e) => e.provisioningStatusInfo?.status?.toLowerCase() ?? null,
  },
  s('sourceSystem/displayName', 'source_system_display_name', (e) => e.sourceSystem?.displayName ?? null),
  s('targetSystem/displayName', 'target_system_display_name', (e) => e.targetSystem?.displayName ?? null),
  s('sourceIdentity/identityType', 'source_identity_type', (e) => e.sourceIdentity?.identityType ?? null),
  s('targetIdentity/identityType', 'target_identity_type', (e) => e.targetIdentity?.identityType ?? null),
  s('sourceIdentity/id', 'source_id', (e) => e.sourceIdentity?.id ?? null),
  s('targetIdentity/id', 'target_id', (e) => e.targetIdentity?.id ?? null),
  s('sourceIdentity/displayName', 'source_display_name', (e) => e.sourceIdentity?.displayName ?? null),
  s('targetIdentity/displayName', 'target_display_name', (e) => e.targetIdentity?.displayName ?? null),
  // Graph documents only eq here, but its own example query uses contains(tolower(servicePrincipal/id), …).
  s('servicePrincipal/id', 'sp_id', (e) => e.servicePrincipal?.id ?? null),
  s('servicePrincipal/displayName', 'sp_display_name', (e) => e.servicePrincipal?.displayName ?? null),
  s('initiatedBy/displayName', 'initiated_by_display_name', (e) => e.initiatedBy?.displayName ?? null),
];

/**
 * Beta spellings still seen in scripts and in the Entra docs' sample
 * queries, accepted on input (lower-cased path → canonical path).
 */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  'statusinfo/status': 'provisioningStatusInfo/status',
  action: 'provisioningAction',
};

const byLowerPath = new Map(FILTER_ATTRIBUTES.map((a) => [a.path.toLowerCase(), a]));

/** Finds an attribute by path, ignoring case (`jobid` is `jobId`), aliases included. */
export function findAttribute(path: string): FilterAttribute | undefined {
  const lower = path.toLowerCase();
  return byLowerPath.get(ATTRIBUTE_ALIASES[lower]?.toLowerCase() ?? lower);
}

/** Column names in a fixed order: the filterable attributes, then the entry's JSON text. */
export const LOG_COLUMNS: readonly (keyof LogRow)[] = [...FILTER_ATTRIBUTES.map((a) => a.column), 'data'];

const TIME_INDEX = FILTER_ATTRIBUTES.findIndex((a) => a.column === 'activity_date_time');

/**
 * Column text without NUL characters: PostgreSQL's text cannot hold them,
 * and both databases must index the same text. The entry's JSON keeps them
 * (escaped), and filter literals drop them the same way, so an entry is
 * still found by the value it was written with.
 */
export function columnText(v: string): string {
  return v.includes('\0') ? v.replaceAll('\0', '') : v;
}

/** The values the writer stores for an entry, in LOG_COLUMNS order: the indexed columns and the entry's JSON text. */
export function rowValues(entry: ProvisioningObjectSummary, key: string): (string | number | null)[] {
  const values: (string | number | null)[] = new Array<string | number | null>(LOG_COLUMNS.length);
  for (let i = 0; i < FILTER_ATTRIBUTES.length; i++) {
    const v = FILTER_ATTRIBUTES[i]!.extract(entry);
    values[i] = typeof v === 'string' ? columnText(v) : v;
  }
  values[TIME_INDEX] = key;
  values[FILTER_ATTRIBUTES.length] = JSON.stringify(entry);
  return values;
}
