/**
 * HR files → SCIM users for bulkUpload: rows of a CSV or JSON export,
 * turned into SCIM core + enterprise users by a mapping (the shape of
 * Microsoft's CSV2SCIM AttributeMapping.psd1, as JSON: SCIM attribute →
 * column, template or rule), and batched into BulkRequests of at most 50
 * operations. A row that cannot become a user (no externalId, an active
 * value that is not a yes/no) is rejected with its line and reason. Pure.
 */
import { parseCsv } from './csv.ts';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** One row of the export: column → value, and where it is in the file (CSV line, or JSON array index + 1). */
export interface HrRow {
  row: number;
  values: Record<string, string | boolean | number | null>;
}

/**
 * How one SCIM attribute is filled: a column name; a template with
 * `{Column}` placeholders; `{ "value": … }` a constant; `{ "column": …,
 * "equals": … }` true when the column equals that text (case-insensitive);
 * `{ "column": …, "type": "boolean" }` a yes/no column.
 */
export type MappingRule =
  | string
  | { column: string; equals?: string | string[]; type?: 'boolean' | 'string'; default?: string }
  | { value: string | boolean };

/** SCIM attribute path → rule. Paths: `userName`, `name.givenName`, `emails[type eq "work"].value`, `<urn>:<attr>`. */
export type HrMapping = Record<string, MappingRule>;

export interface Rejected {
  row: number;
  externalId: string | null;
  reason: string;
}

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

const ENT = (a: string) => `${ENTERPRISE_USER}:${a}`;

/** Default rules by column name (case-insensitive), used when no mapping file is given. */
const ALIASES: [path: string, columns: string[], boolean?: true][] = [
  ['externalId', ['externalId', 'employeeId', 'workerId', 'personId', 'employeeNumber']],
  ['userName', ['userName', 'userPrincipalName', 'upn']],
  ['displayName', ['displayName', 'fullName']],
  ['name.givenName', ['givenName', 'firstName']],
  ['name.familyName', ['familyName', 'lastName', 'surname']],
  ['title', ['title', 'jobTitle']],
  ['emails[type eq "work"].value', ['email', 'mail', 'workEmail']],
  ['phoneNumbers[type eq "work"].value', ['phone', 'telephoneNumber', 'workPhone']],
  ['phoneNumbers[type eq "mobile"].value', ['mobile', 'mobilePhone']],
  ['addresses[type eq "work"].streetAddress', ['streetAddress', 'street']],
  ['addresses[type eq "work"].locality', ['city', 'locality']],
  ['addresses[type eq "work"].region', ['state', 'region']],
  ['addresses[type eq "work"].postalCode', ['postalCode', 'zip']],
  ['addresses[type eq "work"].country', ['country']],
  ['preferredLanguage', ['preferredLanguage', 'language']],
  ['userType', ['userType', 'employeeType', 'workerType']],
  ['active', ['active', 'status', 'workerStatus', 'accountEnabled'], true],
  [ENT('department'), ['department']],
  [ENT('manager'), ['manager', 'managerId', 'managerExternalId']],
  [ENT('costCenter'), ['costCenter']],
  [ENT('division'), ['division']],
  [ENT('organization'), ['organization', 'company', 'companyName']],
];

/** The mapping used without `--map`: each known column name to its SCIM attribute. */
export function defaultMapping(columns: readonly string[]): HrMapping {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const out: HrMapping = {};
  for (const [path, names, boolean] of ALIASES) {
    const column = names.map((n) => byLower.get(n.toLowerCase())).find((c) => c !== undefined);
    if (column && !Object.values(out).some((r) => (typeof r === 'string' ? r : 'column' in r ? r.column : undefined) === column)) {
      out[path] = boolean ? { column, type: 'boolean' } : column;
    }
  }
  return out;
}

/** Checks a parsed mapping file. @throws MappingError naming the bad entry. */
export function checkMapping(doc: unknown): HrMapping {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new MappingError('the mapping must be a JSON object of SCIM attribute → column.');
  for (const [path, rule] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof rule === 'string') continue;
    if (typeof rule === 'object' && rule !== null && !Array.isArray(rule)) {
      const r = rule as Record<string, unknown>;
      if ('value' in r && (typeof r.value === 'string' || typeof r.value === 'boolean')) continue;
      if (typeof r.column === 'string') {
        if (r.type !== undefined && r.type !== 'boolean' && r.type !== 'string') throw new MappingError(`'${path}': type must be "boolean" or "string".`);
        continue;
      }
    }
    throw new MappingError(`'${path}': expected a column name, a "{Column}" template, {"column": …} or {"value": …}.`);
  }
  if (!('externalId' in (doc as object))) throw new MappingError("the mapping has no 'externalId': name the column that identifies each person.");
  return doc as HrMapping;
}

/** The columns a mapping reads. */
export function mappedColumns(mapping: HrMapping): string[] {
  const out = new Set<string>();
  for (const rule of Object.values(mapping)) {
    if (typeof rule === 'string') {
      const placeholders = [...rule.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!);
      if (placeholders.length) placeholders.forEach((p) => out.add(p));
      else out.add(rule);
    } else if ('column' in rule) {
      out.add(rule.column);
    }
  }
  return [...out];
}

/** Reads a CSV, JSON array or JSON Lines export into rows. @throws Error with the position of the problem. */
export function readHrFile(text: string, format: 'csv' | 'json'): { columns: string[]; rows: HrRow[] } {
  if (format === 'csv') {
    const t = parseCsv(text);
    const rows = t.rows.map(({ line, cells }) => {
      const values = Object.fromEntries(t.headers.map((h, i) => [h, cells[i] ?? '']));
      if (cells.length !== t.headers.length) return { row: line, values, bad: `line ${line} has ${cells.length} fields; the header has ${t.headers.length}` };
      return { row: line, values };
    });
    return { columns: t.headers, rows: rows as HrRow[] };
  }
  const trimmed = text.trim();
  let items: unknown[];
  if (trimmed.startsWith('[') || trimmed.startsWith('{"value"')) {
    const doc = JSON.parse(trimmed) as unknown;
    items = Array.isArray(doc) ? doc : ((doc as { value?: unknown[] }).value ?? []);
  } else {
    items = trimmed.split(/\r?\n/).filter((l) => l.trim()).map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        throw new Error(`line ${i + 1} is not JSON: ${(e as Error).message}`);
      }
    });
  }
  const columns = new Set<string>();
  const rows = items.map((item, i) => {
    const values: HrRow['values'] = {};
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      for (const [k, v] of Object.entries(item)) {
        columns.add(k);
        values[k] = typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || v === null ? v : JSON.stringify(v);
      }
    }
    return { row: i + 1, values };
  });
  return { columns: [...columns], rows };
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'active', 'enabled']);
const FALSE = new Set(['false', 'no', 'n', '0', 'inactive', 'terminated', 'disabled', 'leave', 'withdrawn']);

function text(v: HrRow['values'][string] | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** A rule's value for a row: a string, a boolean, or undefined (empty: left out of the user). */
function evaluate(rule: MappingRule, row: HrRow, path: string): string | boolean | undefined {
  if (typeof rule === 'string') {
    if (/\{[^{}]+\}/.test(rule)) {
      const out = rule.replace(/\{([^{}]+)\}/g, (_, col: string) => text(row.values[col])).trim();
      return out === '' ? undefined : out;
    }
    const v = text(row.values[rule]).trim();
    return v === '' ? undefined : v;
  }
  if ('value' in rule) return rule.value;
  const raw = row.values[rule.column];
  const v = text(raw).trim() || rule.default || '';
  if (rule.equals !== undefined) {
    if (v === '') return undefined;
    const wanted = (Array.isArray(rule.equals) ? rule.equals : [rule.equals]).map((x) => x.toLowerCase());
    return wanted.includes(v.toLowerCase());
  }
  if (rule.type === 'boolean' || path === 'active') {
    if (typeof raw === 'boolean') return raw;
    if (v === '') return undefined;
    if (TRUE.has(v.toLowerCase())) return true;
    if (FALSE.has(v.toLowerCase())) return false;
    throw new MappingError(`'${rule.column}' is '${v}', which is neither yes nor no (true/false, yes/no, 1/0, Active/Inactive)`);
  }
  return v === '' ? undefined : v;
}

/** Puts a value at a SCIM path of the user, creating the containers the path needs. */
function assign(user: Record<string, unknown>, schemas: Set<string>, path: string, value: string | boolean): void {
  const multi = /^(emails|phoneNumbers|addresses|ims|photos)\[type eq "([^"]+)"\]\.(\w+)$/.exec(path);
  if (multi) {
    const [, attr, type, sub] = multi as unknown as [string, string, string, string];
    const list = (user[attr] ??= []) as Record<string, unknown>[];
    let el = list.find((e) => e.type === type);
    if (!el) {
      el = { type };
      if (list.length === 0 && attr === 'emails') el.primary = true;
      list.push(el);
    }
    el[sub] = value;
    return;
  }
  if (path.toLowerCase().startsWith('urn:')) {
    const cut = path.lastIndexOf(':');
    const urn = path.slice(0, cut);
    const attr = path.slice(cut + 1);
    schemas.add(urn);
    const ext = (user[urn] ??= {}) as Record<string, unknown>;
    const dot = attr.indexOf('.');
    if (attr === 'manager' && urn === ENTERPRISE_USER) ext.manager = { value };
    else if (dot > 0) ((ext[attr.slice(0, dot)] ??= {}) as Record<string, unknown>)[attr.slice(dot + 1)] = value;
    else ext[attr] = value;
    return;
  }
  const dot = path.indexOf('.');
  if (dot > 0) {
    ((user[path.slice(0, dot)] ??= {}) as Record<string, unknown>)[path.slice(dot + 1)] = value;
    return;
  }
  user[path] = value;
}

/** One row → a SCIM user, or why it is rejected. */
export function rowToScimUser(row: HrRow & { bad?: string }, mapping: HrMapping): { user: Record<string, unknown>; externalId: string } | Rejected {
  const idRule = mapping.externalId;
  let externalId: string | null = null;
  try {
    const id = idRule === undefined ? undefined : evaluate(idRule, row, 'externalId');
    externalId = typeof id === 'string' ? id : id === undefined ? null : String(id);
  } catch {
    externalId = null;
  }
  if (row.bad) return { row: row.row, externalId, reason: row.bad };
  if (!externalId) {
    const col = typeof idRule === 'string' ? idRule : idRule && 'column' in idRule ? idRule.column : 'externalId';
    return { row: row.row, externalId: null, reason: `no externalId: the column '${col}' is empty` };
  }
  const schemas = new Set<string>([CORE_USER, ENTERPRISE_USER]);
  const user: Record<string, unknown> = {};
  try {
    for (const [path, rule] of Object.entries(mapping)) {
      const v = evaluate(rule, row, path);
      if (v !== undefined) assign(user, schemas, path, v);
    }
  } catch (e) {
    return { row: row.row, externalId, reason: (e as Error).message };
  }
  return { user: { schemas: [...schemas], ...user }, externalId };
}

/** BulkRequests of at most `size` operations. */
export function bulkRequests(users: readonly { user: Record<string, unknown>; externalId: string }[], size = 50): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < users.length; i += size) {
    out.push({
      schemas: [BULK_REQUEST],
      Operations: users.slice(i, i + size).map((u) => ({ method: 'POST', bulkId: u.externalId, path: '/Users', data: u.user })),
      failOnErrors: null,
    });
  }
  return out;
}
