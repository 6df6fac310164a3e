/**
 * Target attribute names, the way Entra's attribute mappings write them, and
 * the pure functions that go between a flat map of them and a nested SCIM
 * resource (RFC 7643).
 *
 * Grammar of a target attribute name (what Entra's SCIM template uses,
 * entra-behavior.md §3.7 and §6.3):
 *
 * ```
 * name      = [ urn ":" ] segment *( "." segment )
 * segment   = attr [ "[" sub " eq " value "]" ]      ; one eq filter, RFC 7644 §3.10 valuePath
 * urn       = "urn:" …                               ; schema URN, e.g. urn:ietf:params:scim:schemas:extension:enterprise:2.0:User
 * ```
 *
 * e.g. `userName`, `name.givenName`, `emails[type eq "work"].value`,
 * `roles[primary eq "True"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
 * The URN is split at its last colon outside brackets (RFC 7644 §3.10: "the
 * attribute name is separated from the URN by a colon"), because URNs
 * themselves contain dots (`2.0`).
 */
import type { FlatTargetAttributes, ScimResource, TargetObjectType, TargetScalar, TargetValue, AttributeChange } from './ports.ts';

/** Schema and message URNs of RFC 7643 / RFC 7644. */
export const SCIM = {
  coreUser: 'urn:ietf:params:scim:schemas:core:2.0:User',
  coreGroup: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

/** Full name of the enterprise `manager` attribute (RFC 7643 §4.3). */
export const MANAGER_ATTRIBUTE = `${SCIM.enterpriseUser}:manager`;

/** One `[sub eq value]` filter on a multi-valued attribute. */
export interface ValueFilter {
  attribute: string;
  value: TargetScalar;
}

/** One step of a path: an attribute, optionally narrowed by a value filter. */
export interface PathSegment {
  name: string;
  filter?: ValueFilter;
}

/** A parsed target attribute name. */
export interface TargetPath {
  /** Extension schema URN; `undefined` for core attributes (core URNs are dropped). */
  schema: string | undefined;
  segments: PathSegment[];
}

const CORE_SCHEMAS = new Set([SCIM.coreUser.toLowerCase(), SCIM.coreGroup.toLowerCase()]);
// RFC 7643 §4.1.2 and §4.3: the boolean attributes Entra's templates map.
const BOOLEAN_ATTRIBUTES = new Set(['active', 'primary']);

const parsedCache = new Map<string, TargetPath>();

/**
 * Parses a target attribute name. Results are cached: a job uses a few dozen
 * names millions of times.
 * @throws Error when the name does not follow the grammar above.
 */
export function parseTargetPath(path: string): TargetPath {
  const hit = parsedCache.get(path);
  if (hit) return hit;
  let schema: string | undefined;
  let rest = path;
  if (/^urn:/i.test(path)) {
    const cut = lastColonOutsideBrackets(path);
    if (cut <= 0) throw new Error(`Invalid target attribute '${path}': no attribute after the schema URN`);
    schema = path.slice(0, cut);
    rest = path.slice(cut + 1);
    // RFC 8141: urn:<NID>:<NSS>, so a schema URN has at least two colons.
    if (!/^urn:[^:]+:[^:]/i.test(schema)) throw new Error(`Invalid target attribute '${path}': '${schema}' is not a schema URN`);
    if (CORE_SCHEMAS.has(schema.toLowerCase())) schema = undefined;
  }
  const segments = splitOutsideBrackets(rest).map((part) => parseSegment(part, path));
  if (segments.length === 0) throw new Error(`Invalid target attribute '${path}'`);
  const parsed: TargetPath = { schema, segments };
  if (parsedCache.size < 10_000) parsedCache.set(path, parsed);
  return parsed;
}

/** True when the name narrows a multi-valued attribute with a `[… eq …]` filter. */
export function hasValueFilter(path: string): boolean {
  return parseTargetPath(path).segments.some((s) => s.filter !== undefined);
}

/** True for the enterprise manager, by its full or its short name. */
export function isManagerPath(path: string): boolean {
  const p = parseTargetPath(path);
  const first = p.segments[0];
  return (
    p.segments.length === 1 &&
    first !== undefined &&
    first.name.toLowerCase() === 'manager' &&
    (p.schema === undefined || p.schema.toLowerCase() === SCIM.enterpriseUser.toLowerCase())
  );
}

/**
 * Coerces the values Entra's expressions produce for boolean attributes
 * (`"True"`/`"False"`, entra-behavior.md §3.5) into JSON booleans; other
 * values pass through.
 */
export function coerceBoolean(attribute: string, value: TargetValue): TargetValue {
  if (typeof value === 'string' && BOOLEAN_ATTRIBUTES.has(attribute.toLowerCase())) {
    const v = value.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  return value;
}

/**
 * Builds the nested SCIM resource to create from a flat map of target
 * attributes, with `schemas` listing the core schema and every extension
 * used. `null`/`undefined` values are skipped. Boolean attributes are JSON
 * booleans (Entra sends `active` as a boolean on create even without the
 * `aadOptscim062020` flag, entra-behavior.md §6.3). The manager's and
 * members' ids become `{ value }` objects.
 *
 * ```
 * { userName: 'a', 'name.givenName': 'b', 'emails[type eq "work"].value': 'c',
 *   'urn:…:enterprise:2.0:User:department': 'd', active: 'True' }
 * → { schemas: [core User, enterprise User], userName: 'a', name: { givenName: 'b' },
 *     emails: [{ type: 'work', value: 'c' }], active: true,
 *     'urn:…:enterprise:2.0:User': { department: 'd' } }
 * ```
 */
export function buildScimResource(type: TargetObjectType, attributes: FlatTargetAttributes): ScimResource {
  const core = type === 'User' ? SCIM.coreUser : SCIM.coreGroup;
  const schemas: string[] = [core];
  const resource: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    const path = parseTargetPath(name);
    if (path.schema !== undefined && !schemas.includes(path.schema)) schemas.push(path.schema);
    setParsed(resource, path, value);
  }
  return { schemas, ...resource };
}

/**
 * Sets one attribute in a nested object (mutates `target`). Used to build
 * resources and the value objects of path-less PATCH operations.
 */
export function setTargetAttribute(target: Record<string, unknown>, path: string, value: TargetValue): void {
  setParsed(target, parseTargetPath(path), value);
}

/**
 * Reads one target attribute from a resource; the inverse of
 * {@link buildScimResource} (a manager reads as its id, members as a list
 * of ids). Attribute names match case-insensitively (RFC 7643 §2.1).
 */
export function readTargetAttribute(resource: ScimResource, path: string): TargetValue | undefined {
  const parsed = parseTargetPath(path);
  let node: unknown = parsed.schema === undefined ? resource : getKey(resource, parsed.schema);
  for (const segment of parsed.segments) {
    if (node === undefined || node === null || typeof node !== 'object') return undefined;
    let next = getKey(node as Record<string, unknown>, segment.name);
    if (segment.filter) {
      if (!Array.isArray(next)) return undefined;
      next = next.find((e) => matchesFilter(e, segment.filter as ValueFilter));
    }
    node = next;
  }
  if (isManagerPath(path) && node && typeof node === 'object' && !Array.isArray(node)) {
    return ((node as Record<string, unknown>).value as TargetValue | undefined) ?? undefined;
  }
  const last = parsed.segments[parsed.segments.length - 1];
  if (last?.name === 'members' && Array.isArray(node)) {
    return node.map((m: unknown) => (m && typeof m === 'object' ? ((m as Record<string, unknown>).value as TargetValue) : (m as TargetValue)));
  }
  return node as TargetValue | undefined;
}

/**
 * Applies attribute changes to a copy of a resource, with the meaning a
 * lenient SCIM server gives them: `add`/`replace` set the value (creating a
 * filtered element when none matches), `remove` clears it. Used by the
 * in-memory target.
 */
export function applyAttributeChanges(resource: ScimResource, changes: readonly AttributeChange[]): ScimResource {
  const copy = structuredClone(resource) as Record<string, unknown>;
  for (const change of changes) {
    const parsed = parseTargetPath(change.path);
    if (change.op === 'remove') {
      removeParsed(copy, parsed);
    } else if (change.value !== undefined && change.value !== null) {
      if (parsed.schema !== undefined) {
        const schemas = Array.isArray(copy.schemas) ? (copy.schemas as string[]) : [];
        if (!schemas.includes(parsed.schema)) copy.schemas = [...schemas, parsed.schema];
      }
      setParsed(copy, parsed, change.value);
    } else {
      removeParsed(copy, parsed);
    }
  }
  return copy as ScimResource;
}

// ── internals ────────────────────────────────────────────────────────────

function setParsed(root: Record<string, unknown>, path: TargetPath, value: TargetValue): void {
  let node: Record<string, unknown> = root;
  if (path.schema !== undefined) node = childObject(node, path.schema);
  const { segments } = path;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    const last = i === segments.length - 1;
    if (segment.filter) {
      const element = filteredElement(node, segment);
      // `emails[type eq "work"]` as the whole name: the value is the element's `value`.
      if (last) element.value = value;
      else node = element;
      continue;
    }
    if (!last) {
      node = childObject(node, segment.name);
      continue;
    }
    node[segment.name] = shapeLeaf(path, segment.name, value);
  }
}

function shapeLeaf(path: TargetPath, name: string, value: TargetValue): unknown {
  const lower = name.toLowerCase();
  if (lower === 'manager' && path.segments.length === 1 && typeof value === 'string') return { value };
  if (lower === 'members' && path.schema === undefined && path.segments.length === 1) {
    const list = Array.isArray(value) ? value : [value];
    return list.map((m) => (typeof m === 'string' ? { value: m } : m));
  }
  return coerceBoolean(name, value);
}

function removeParsed(root: Record<string, unknown>, path: TargetPath): void {
  let node: Record<string, unknown> | undefined = root;
  if (path.schema !== undefined) node = getKey(root, path.schema) as Record<string, unknown> | undefined;
  const { segments } = path;
  // The filtered element the path went through, to drop it once only its
  // filter attribute is left (removing `emails[type eq "work"].value` removes the work email).
  let element: { parent: Record<string, unknown>; key: string; list: unknown[]; filter: ValueFilter } | undefined;
  for (let i = 0; i < segments.length && node; i++) {
    const segment = segments[i] as PathSegment;
    const last = i === segments.length - 1;
    const key = actualKey(node, segment.name);
    if (segment.filter) {
      const list = node[key];
      if (!Array.isArray(list)) return;
      const index = list.findIndex((e) => matchesFilter(e, segment.filter as ValueFilter));
      if (index < 0) return;
      if (last) {
        list.splice(index, 1);
        if (list.length === 0) delete node[key];
        return;
      }
      element = { parent: node, key, list, filter: segment.filter };
      node = list[index] as Record<string, unknown>;
      continue;
    }
    if (last) {
      delete node[key];
      if (element && Object.keys(node).every((k) => k.toLowerCase() === element?.filter.attribute.toLowerCase() || k === 'primary')) {
        element.list.splice(element.list.indexOf(node), 1);
        if (element.list.length === 0) delete element.parent[element.key];
      }
      return;
    }
    const next = node[key];
    node = next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : undefined;
  }
}

function filteredElement(node: Record<string, unknown>, segment: PathSegment): Record<string, unknown> {
  const filter = segment.filter as ValueFilter;
  const key = actualKey(node, segment.name);
  let list = node[key];
  if (!Array.isArray(list)) {
    list = [];
    node[key] = list;
  }
  const arr = list as Record<string, unknown>[];
  let element = arr.find((e) => matchesFilter(e, filter));
  if (!element) {
    element = { [filter.attribute]: coerceBoolean(filter.attribute, filter.value) };
    arr.push(element);
  }
  return element;
}

function childObject(node: Record<string, unknown>, name: string): Record<string, unknown> {
  const key = actualKey(node, name);
  const existing = node[key];
  if (existing && typeof existing === 'object' && !Array.isArray(existing)) return existing as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  node[key] = created;
  return created;
}

function matchesFilter(element: unknown, filter: ValueFilter): boolean {
  if (!element || typeof element !== 'object') return false;
  const actual = getKey(element as Record<string, unknown>, filter.attribute);
  const expected = coerceBoolean(filter.attribute, filter.value);
  if (typeof actual === 'string' && typeof expected === 'string') return actual.toLowerCase() === expected.toLowerCase();
  return coerceBoolean(filter.attribute, actual as TargetValue) === expected;
}

/** The key as present in the object, matched case-insensitively (RFC 7643 §2.1); `name` when absent. */
function actualKey(node: Record<string, unknown>, name: string): string {
  if (name in node) return name;
  const lower = name.toLowerCase();
  for (const k of Object.keys(node)) if (k.toLowerCase() === lower) return k;
  return name;
}

function getKey(node: Record<string, unknown>, name: string): unknown {
  return node[actualKey(node, name)];
}

function lastColonOutsideBrackets(s: string): number {
  let depth = 0;
  let quoted = false;
  let found = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ':' && depth === 0) found = i;
  }
  return found;
}

function splitOutsideBrackets(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '.' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

const SEGMENT = /^([A-Za-z$][\w$-]*)(?:\[\s*([A-Za-z$][\w$-]*)\s+eq\s+(.+?)\s*\])?$/i;

function parseSegment(part: string, whole: string): PathSegment {
  const m = SEGMENT.exec(part.trim());
  if (!m) throw new Error(`Invalid target attribute '${whole}': cannot read '${part}'`);
  const name = m[1] as string;
  if (m[2] === undefined) return { name };
  return { name, filter: { attribute: m[2], value: parseFilterValue(m[3] as string, whole) } };
}

function parseFilterValue(raw: string, whole: string): TargetScalar {
  // RFC 7644 §3.4.2.2: compValue is a JSON literal (string, number, true, false, null).
  if (/^(".*"|true|false|null|-?\d+(\.\d+)?)$/i.test(raw)) {
    try {
      return JSON.parse(/^(true|false|null)$/i.test(raw) ? raw.toLowerCase() : raw) as TargetScalar;
    } catch {
      throw new Error(`Invalid target attribute '${whole}': bad filter value ${raw}`);
    }
  }
  // Entra's documentation shows unquoted values (entra-behavior.md §6.7 #13); accept them.
  return raw;
}
