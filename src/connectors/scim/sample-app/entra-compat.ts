/**
 * Optional Entra-compatibility layer of the sample app (`entraCompat: true`).
 *
 * scimmy is strict: it rejects what Entra's default `scim` job sends in
 * several places (entra-behavior.md §6.7). Real SCIM applications that work
 * with Entra carry workarounds for these; this layer applies the same ones
 * to request bodies before scimmy sees them, so a job in the Entra dialect
 * can provision into the sample app:
 *
 * | Entra sends (§6.7 #)                                   | rewritten to                                  |
 * |--------------------------------------------------------|-----------------------------------------------|
 * | `"active": "False"` / `"True"` (#2), also `primary`    | JSON booleans                                 |
 * | `path: "manager"`, value `[{ "$ref", "value" }]` (§6.3) | the enterprise URN path, value `{ value }`    |
 * | `path: "manager[value eq \"id\"]"` remove (#10)         | remove on the enterprise URN path             |
 * | `"$ref": null` in member values (#4)                   | dropped                                       |
 * | `Replace`/`Add` on `emails[type eq "work"].value` when no such element exists (#6, #7) | `add` of a new element `{ type: "work", value }` |
 *
 * Off (the default), the app is scimmy as it is: a strict RFC 7643/7644
 * server that answers 400 to those shapes.
 */
import { SCIM } from '../../target-attributes.ts';

const MANAGER_URN_PATH = `${SCIM.enterpriseUser}:manager`;
const BOOLEAN_KEYS = new Set(['active', 'primary']);

type Json = Record<string, unknown>;

/** Reads the current resource a PATCH targets (for create-on-absent). */
export type RecordLookup = (collection: 'Users' | 'Groups', id: string) => Json | undefined;

function toBool(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const l = v.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : v;
}

/** Coerces string booleans of `active` / `primary`, at any depth. */
function coerceBooleans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(coerceBooleans);
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k === '$ref' && v === null) continue;
    out[k] = BOOLEAN_KEYS.has(k.toLowerCase()) ? toBool(v) : coerceBooleans(v);
  }
  return out;
}

const FILTERED = /^([A-Za-z][\w-]*)\[\s*([A-Za-z][\w-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\]\.([A-Za-z][\w-]*)$/;

function rewriteOperation(op: Json, current: Json | undefined): Json[] {
  const name = typeof op.op === 'string' ? op.op.toLowerCase() : op.op;
  const path = typeof op.path === 'string' ? op.path : undefined;
  let value = op.value;
  const lowerPath = path?.toLowerCase();

  if (lowerPath === 'manager' || lowerPath?.startsWith('manager[')) {
    if (name === 'remove' || value === undefined || value === null || value === '') return [{ op: 'remove', path: MANAGER_URN_PATH }];
    const first = Array.isArray(value) ? value[0] : value;
    const id = first && typeof first === 'object' ? (first as Json).value : first;
    return [{ op: name, path: MANAGER_URN_PATH, value: { value: id } }];
  }

  if (lowerPath !== undefined && BOOLEAN_KEYS.has(lowerPath.split('.').pop() as string)) value = toBool(value);
  else value = coerceBooleans(value);

  const m = path ? FILTERED.exec(path) : null;
  if (m && (name === 'add' || name === 'replace') && current) {
    const [, attr, sub, expected, leaf] = m as unknown as [string, string, string, string, string];
    const list = current[attr];
    const want = JSON.parse(`"${expected}"`) as string;
    const exists = Array.isArray(list) && list.some((e) => e && typeof e === 'object' && String((e as Json)[sub]).toLowerCase() === want.toLowerCase());
    if (!exists) return [{ op: 'add', path: attr, value: [{ [sub]: want, [leaf]: value }] }];
  }
  const out: Json = { ...op, op: name };
  if (value !== undefined) out.value = value;
  return [out];
}

/**
 * Rewrites one request body in place of Entra's non-RFC shapes (see the
 * table above). Returns the body to hand to scimmy.
 * @param method HTTP method
 * @param collection `Users` or `Groups`
 * @param id the resource id for PATCH/PUT
 */
export function applyEntraCompat(method: string, collection: 'Users' | 'Groups', id: string | undefined, body: unknown, lookup: RecordLookup): unknown {
  if (!body || typeof body !== 'object') return body;
  if (method === 'POST' || method === 'PUT') return coerceBooleans(body);
  if (method !== 'PATCH') return body;
  const message = body as Json;
  if (!Array.isArray(message.Operations)) return body;
  const current = id === undefined ? undefined : lookup(collection, id);
  const operations = (message.Operations as unknown[]).flatMap((op) => (op && typeof op === 'object' ? rewriteOperation(op as Json, current) : [op]));
  return { ...message, Operations: operations };
}
