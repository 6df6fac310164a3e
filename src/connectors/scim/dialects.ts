/**
 * SCIM dialects: how the connector words each request. Two are provided,
 * chosen per job:
 *
 * - **Entra-compatible** (`entra`, the default): the request shapes Entra's
 *   `scim` job sends today without compatibility flags
 *   (entra-behavior.md §6.3–§6.7): capitalised ops (`Add`, `Replace`,
 *   `Remove`), booleans in PATCH as the strings `"True"`/`"False"`, one op per
 *   attribute, group members removed with the value in the body and
 *   `"$ref": null` in member values, manager set on the short path `manager`
 *   with a `$ref`, `meta.resourceType` in create bodies.
 * - **Strict RFC 7644** (`strict`): Entra's behaviour with the
 *   `aadOptscim062020` flag (§6.7) where that behaviour is RFC-conformant:
 *   lower-case ops, JSON booleans, several replaced attributes as one
 *   path-less `replace` whose value is a partial resource, members removed by
 *   a `members[value eq "…"]` path, and beyond the flag: the manager on its
 *   fully qualified path with a `{ value }` object, no `$ref: null`, no
 *   read-only `meta` in create bodies. Entra's flagged multi-attribute replace
 *   puts dotted keys (`"name.givenName"`) in the value object, which RFC 7644
 *   does not define and strict servers ignore (§6.7 #9); this dialect nests
 *   them (`{ name: { givenName } }`) unless `replaceValueKeys: 'dotted'` asks
 *   for Entra's exact shape.
 *
 * Queries are the same in both dialects (the flag does not change them).
 */
import type { AttributeChange, ScimResource, TargetValue } from '../ports.ts';
import {
  SCIM,
  coerceBoolean,
  hasValueFilter,
  isManagerPath,
  MANAGER_ATTRIBUTE,
  parseTargetPath,
  setTargetAttribute,
} from '../target-attributes.ts';

/** One operation of a PatchOp request (RFC 7644 §3.5.2). */
export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

/** A PatchOp request body. */
export interface PatchRequest {
  schemas: [typeof SCIM.patchOp];
  Operations: PatchOperation[];
}

export type DialectName = 'entra' | 'strict';

/** Everything that differs between dialects; the target asks it for each body. */
export interface ScimDialect {
  readonly name: DialectName;
  /** Body of `POST /Users` for a resource built by `buildScimResource`. */
  createUserBody(resource: ScimResource): ScimResource;
  /** Body of `POST /Groups`. */
  createGroupBody(resource: ScimResource): ScimResource;
  /**
   * Body of `PATCH /Users/{id}` or `/Groups/{id}` for attribute changes.
   * `baseUrl` is the SCIM base URL (for `$ref`s).
   */
  patchBody(changes: readonly AttributeChange[], baseUrl: string): PatchRequest;
  /** Body of the disable / enable PATCH (§6.4). */
  activeBody(active: boolean): PatchRequest;
  /** Body of the manager PATCH (§6.3 "Manager"). */
  managerBody(managerId: string | null, previousManagerId: string | undefined, baseUrl: string): PatchRequest;
  /** Body of a PATCH adding these members (one chunk). */
  addMembersBody(memberIds: readonly string[]): PatchRequest;
  /** Body of a PATCH removing these members (one chunk). */
  removeMembersBody(memberIds: readonly string[]): PatchRequest;
}

const patch = (Operations: PatchOperation[]): PatchRequest => ({ schemas: [SCIM.patchOp], Operations });

/**
 * The query string of a match query, encoded as Entra encodes it (spaces as
 * `+`, quotes as `%22`, entra-behavior.md §6.1): `filter=userName+eq+%22a%22`.
 * The value is printed as a JSON literal (RFC 7644 §3.4.2.2 compValue), so
 * quotes and backslashes in it are escaped.
 */
export function matchQuery(attribute: string, value: string | number | boolean, excludeMembers = false): string {
  if (!/^(urn:[^\s"]+:)?[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$/.test(attribute)) {
    throw new Error(`Cannot match on '${attribute}': only a plain attribute name can be filtered with eq`);
  }
  const params = new URLSearchParams();
  // Entra puts excludedAttributes first on group queries (§6.5).
  if (excludeMembers) params.set('excludedAttributes', 'members');
  params.set('filter', `${attribute} eq ${JSON.stringify(value)}`);
  return params.toString();
}

/** `Add`/`Replace`/`Remove`: Entra's op casing (§6.7 #1). */
const entraOp = (op: AttributeChange['op']): string => op.charAt(0).toUpperCase() + op.slice(1);

/** Booleans as `"True"`/`"False"`, as Entra's default mapping sends them in PATCH (§3.5, §6.7 #2). */
function entraValue(value: TargetValue | undefined): unknown {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return value;
}

function lastSegmentName(path: string): string {
  const p = parseTargetPath(path);
  const last = p.segments[p.segments.length - 1];
  return last?.filter ? 'value' : (last?.name ?? path);
}

function managerId(value: TargetValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = (value as Record<string, TargetValue>).value;
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** Creates the Entra-compatible dialect (the default). */
export function createEntraDialect(): ScimDialect {
  function managerOps(managerIdValue: string | null, previous: string | undefined, baseUrl: string): PatchOperation[] {
    if (managerIdValue === null) {
      // Observed removal shape: a value filter on the single-valued manager
      // (§6.3, §6.7 #10); without a known previous value, the plain path.
      return previous !== undefined
        ? [{ op: 'Remove', path: `manager[value eq ${JSON.stringify(previous)}]` }]
        : [{ op: 'Remove', path: 'manager' }];
    }
    // Documented set shape (§6.3 "Manager", SCIM doc example 5): short path,
    // value as a one-element list with a $ref.
    return [
      {
        op: previous === undefined ? 'Add' : 'Replace',
        path: 'manager',
        value: [{ $ref: `${baseUrl}/Users/${managerIdValue}`, value: managerIdValue }],
      },
    ];
  }

  return {
    name: 'entra',
    createUserBody(resource) {
      const body: Record<string, unknown> = { ...resource };
      // Entra marks the work email primary on create (§6.3 "Create").
      if (Array.isArray(body.emails)) {
        const emails = (body.emails as Record<string, unknown>[]).map((e) => ({ ...e }));
        if (!emails.some((e) => e.primary === true)) {
          const work = emails.find((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work');
          if (work) work.primary = true;
        }
        body.emails = emails;
      }
      body.meta = { resourceType: 'User' };
      return body as ScimResource;
    },
    createGroupBody(resource) {
      // Observed live shape (§6.5): core schema only, an empty member list, meta.resourceType.
      return { ...resource, members: resource.members ?? [], meta: { resourceType: 'Group' } } as ScimResource;
    },
    patchBody(changes, baseUrl) {
      const ops: PatchOperation[] = [];
      for (const c of changes) {
        if (isManagerPath(c.path)) {
          const next = c.op === 'remove' ? null : (managerId(c.value) ?? null);
          ops.push(...managerOps(next, managerId(c.previous), baseUrl));
        } else if (c.op === 'remove' || c.value === null || c.value === undefined) {
          // RFC 7644 §3.5.2: clearing a value is a remove, never a null.
          ops.push({ op: 'Remove', path: c.path });
        } else {
          ops.push({ op: entraOp(c.op), path: c.path, value: entraValue(c.value) });
        }
      }
      return patch(ops);
    },
    activeBody(active) {
      // §6.4: "Disable without flag (default today)".
      return patch([{ op: 'Replace', path: 'active', value: active ? 'True' : 'False' }]);
    },
    managerBody(id, previous, baseUrl) {
      return patch(managerOps(id, previous, baseUrl));
    },
    addMembersBody(ids) {
      return patch([{ op: 'Add', path: 'members', value: ids.map((value) => ({ $ref: null, value })) }]);
    },
    removeMembersBody(ids) {
      // §6.5 default: value in the body (a strict server would remove all members).
      return patch([{ op: 'Remove', path: 'members', value: ids.map((value) => ({ $ref: null, value })) }]);
    },
  };
}

/** Options of the strict dialect. */
export interface StrictDialectOptions {
  /**
   * Keys of the value object of a path-less multi-attribute `replace`:
   * `nested` (default; RFC 7644 §3.5.2.3, a partial resource) or `dotted`
   * (Entra's exact `aadOptscim062020` shape, `"name.givenName": …`).
   */
  replaceValueKeys?: 'nested' | 'dotted';
}

/** Creates the strict RFC 7644 dialect (Entra's `aadOptscim062020` behaviour, RFC-conformant). */
export function createStrictDialect(options: StrictDialectOptions = {}): ScimDialect {
  const dotted = options.replaceValueKeys === 'dotted';

  function managerOps(id: string | null, previous: string | undefined): PatchOperation[] {
    if (id === null) return [{ op: 'remove', path: MANAGER_ATTRIBUTE }];
    return [{ op: previous === undefined ? 'add' : 'replace', path: MANAGER_ATTRIBUTE, value: { value: id } }];
  }

  const strictValue = (path: string, value: TargetValue | undefined): unknown =>
    value === undefined ? undefined : coerceBoolean(lastSegmentName(path), value);

  return {
    name: 'strict',
    createUserBody(resource) {
      const { meta: _meta, ...rest } = resource;
      return rest as ScimResource;
    },
    createGroupBody(resource) {
      const { meta: _meta, ...rest } = resource;
      return rest as ScimResource;
    },
    patchBody(changes) {
      // §6.7: with the flag, several replaced attributes become one `replace`
      // without a path; filtered paths (emails[type eq "work"].value) cannot
      // be keys of a value object and stay separate ops, as in Entra's example.
      const mergeable = changes.filter(
        (c) => c.op === 'replace' && !hasValueFilter(c.path) && !isManagerPath(c.path) && c.value !== undefined && c.value !== null,
      );
      const merge = mergeable.length >= 2 ? new Set(mergeable) : new Set<AttributeChange>();
      const ops: PatchOperation[] = [];
      let merged: Record<string, unknown> | undefined;
      for (const c of changes) {
        if (merge.has(c)) {
          if (!merged) {
            merged = {};
            ops.push({ op: 'replace', value: merged });
          }
          const v = strictValue(c.path, c.value) as TargetValue;
          if (dotted) merged[c.path] = v;
          else setTargetAttribute(merged, c.path, v);
        } else if (isManagerPath(c.path)) {
          const next = c.op === 'remove' ? null : (managerId(c.value) ?? null);
          ops.push(...managerOps(next, managerId(c.previous)));
        } else if (c.op === 'remove' || c.value === null || c.value === undefined) {
          ops.push({ op: 'remove', path: c.path });
        } else {
          ops.push({ op: c.op, path: c.path, value: strictValue(c.path, c.value) });
        }
      }
      return patch(ops);
    },
    activeBody(active) {
      // §6.4 "With aadOptscim062020".
      return patch([{ op: 'replace', path: 'active', value: active }]);
    },
    managerBody(id, previous) {
      return patch(managerOps(id, previous));
    },
    addMembersBody(ids) {
      return patch([{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]);
    },
    removeMembersBody(ids) {
      // §6.5 "With aadOptscim062020": one remove per member, by path filter (RFC 7644 §3.5.2.2).
      return patch(ids.map((id) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` })));
    },
  };
}

/** Returns the dialect of that name. */
export function dialectByName(name: DialectName, strictOptions?: StrictDialectOptions): ScimDialect {
  return name === 'strict' ? createStrictDialect(strictOptions) : createEntraDialect();
}

/** Result of {@link dialectFromBaseAddress}. */
export interface BaseAddressDialect {
  dialect: ScimDialect;
  /** The SCIM base URL without the flag and without a trailing slash. */
  baseUrl: string;
  /** The flags found in the query string. */
  flags: string[];
}

const STRICT_FLAG = 'aadoptscim062020';
// A future downgrade flag (§6.7): keeps today's default behaviour.
const DOWNGRADE_FLAG = 'azureadscimpatch2017';

/**
 * Reads Entra's compatibility flags from a tenant URL (`BaseAddress`): they
 * travel as query parameters, e.g. `https://host/scim/v2/?aadOptscim062020`
 * (entra-behavior.md §6.1, §6.7). `aadOptscim062020` selects the strict
 * dialect; anything else keeps the Entra-compatible default. The returned
 * base URL has the flags and the trailing slash removed; other query
 * parameters are kept.
 * @throws Error when the address is not an absolute http(s) URL.
 */
export function dialectFromBaseAddress(baseAddress: string, strictOptions?: StrictDialectOptions): BaseAddressDialect {
  const url = new URL(baseAddress);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`BaseAddress must be an http(s) URL, got '${url.protocol}'`);
  const flags: string[] = [];
  for (const key of [...url.searchParams.keys()]) {
    const lower = key.toLowerCase();
    if (lower === STRICT_FLAG || lower === DOWNGRADE_FLAG) {
      flags.push(key);
      url.searchParams.delete(key);
    }
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.hash = '';
  const baseUrl = url.toString().replace(/\/+(\?|$)/, '$1');
  const strict = flags.some((f) => f.toLowerCase() === STRICT_FLAG);
  return { dialect: strict ? createStrictDialect(strictOptions) : createEntraDialect(), baseUrl, flags };
}
