/**
 * What the directory routes share: Graph's query-option rules for directory
 * collections (advanced queries, $select, $orderby, paging tokens), the
 * wire shapes of users and groups, request body schemas and `$ref` bodies.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { errors } from '../../../errors/graph-error.ts';
import { GraphObject } from '../../../graph/sync-schemas.ts';
import { decodeSkipToken, encodeSkipToken, nextLink, parseTop } from '../../../graph/odata.ts';
import { parseFilter } from '../../../graph/odata-filter.ts';
import { baseUrl } from '../../http.ts';
import {
  EXTENSION_ATTRIBUTES, GROUP_PROPERTIES, USER_DEFAULT_SELECT, USER_PROPERTIES,
} from '../../../directory/model.ts';
import type { GraphGroup, GraphUser } from '../../../directory/model.ts';
import type { Cursor, DirectoryObject, ListQuery } from '../../../directory/directory-service.ts';

export const MAX_PAGE = 999;
export const DEFAULT_PAGE = 100;
/** Graph returns at most 20 objects for an expanded collection ($expand=members). */
export const EXPAND_LIMIT = 20;

// ---------------------------------------------------------------- bodies

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Opt = <T extends TSchema>(t: T) => Type.Optional(Nullable(t));
const Str = (maxLength: number) => Type.String({ maxLength });

const PasswordProfile = GraphObject({
  password: Opt(Str(256)),
  forceChangePasswordNextSignIn: Type.Optional(Type.Boolean()),
  forceChangePasswordNextSignInWithMfa: Type.Optional(Type.Boolean()),
});

const ExtensionAttributes = GraphObject(Object.fromEntries(EXTENSION_ATTRIBUTES.map((n) => [n, Opt(Str(1024))])));

// Graph's documented maximum lengths; the rest get 1024.
const userOptional = {
  givenName: Opt(Str(64)),
  surname: Opt(Str(64)),
  mail: Opt(Str(254)),
  otherMails: Type.Optional(Nullable(Type.Array(Str(254), { maxItems: 250 }))),
  department: Opt(Str(64)),
  jobTitle: Opt(Str(128)),
  employeeId: Opt(Str(16)),
  employeeType: Opt(Str(64)),
  employeeHireDate: Opt(Type.String({ maxLength: 40 })),
  companyName: Opt(Str(64)),
  officeLocation: Opt(Str(128)),
  streetAddress: Opt(Str(1024)),
  city: Opt(Str(128)),
  state: Opt(Str(128)),
  postalCode: Opt(Str(40)),
  country: Opt(Str(128)),
  usageLocation: Opt(Str(2)),
  preferredLanguage: Opt(Str(32)),
  mobilePhone: Opt(Str(64)),
  // Graph allows exactly one business phone number.
  businessPhones: Type.Optional(Nullable(Type.Array(Str(64), { maxItems: 1 }))),
  faxNumber: Opt(Str(64)),
  userType: Opt(Str(16)),
  // Written by directory synchronization in Entra; writable here because this
  // directory stands in for the on-premises side too (docs/directory.md).
  onPremisesSamAccountName: Opt(Str(64)),
  onPremisesImmutableId: Opt(Str(256)),
  onPremisesDistinguishedName: Opt(Str(1024)),
  onPremisesSecurityIdentifier: Opt(Str(256)),
  onPremisesDomainName: Opt(Str(256)),
  onPremisesUserPrincipalName: Opt(Str(256)),
  onPremisesSyncEnabled: Opt(Type.Boolean()),
  onPremisesExtensionAttributes: Type.Optional(ExtensionAttributes),
};

export const UserCreateBody = GraphObject({
  accountEnabled: Type.Boolean(),
  displayName: Type.String({ minLength: 1, maxLength: 256 }),
  mailNickname: Type.String({ minLength: 1, maxLength: 64 }),
  userPrincipalName: Type.String({ minLength: 1, maxLength: 113 }),
  passwordProfile: PasswordProfile,
  ...userOptional,
});

export const UserUpdateBody = GraphObject({
  accountEnabled: Type.Optional(Type.Boolean()),
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  mailNickname: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  userPrincipalName: Type.Optional(Type.String({ minLength: 1, maxLength: 113 })),
  passwordProfile: Type.Optional(PasswordProfile),
  ...userOptional,
});

const GroupTypes = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 8 });

export const GroupCreateBody = GraphObject({
  displayName: Type.String({ minLength: 1, maxLength: 256 }),
  mailEnabled: Type.Boolean(),
  mailNickname: Type.String({ minLength: 1, maxLength: 64 }),
  securityEnabled: Type.Boolean(),
  description: Opt(Str(1024)),
  groupTypes: Type.Optional(GroupTypes),
  visibility: Opt(Str(32)),
});

export const GroupUpdateBody = GraphObject({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  mailEnabled: Type.Optional(Type.Boolean()),
  mailNickname: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  securityEnabled: Type.Optional(Type.Boolean()),
  description: Opt(Str(1024)),
  groupTypes: Type.Optional(GroupTypes),
  visibility: Opt(Str(32)),
});

export const RefBody = GraphObject({ '@odata.id': Type.String({ minLength: 1, maxLength: 2048 }) });

const Guid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
export const AssignmentBody = GraphObject({ principalId: Guid, resourceId: Guid, appRoleId: Guid });

/** The id an `@odata.id` reference names (…/directoryObjects/{id}, …/users/{id}, …/groups/{id}). */
export function refId(ref: string): string {
  const m = /\/(?:directoryObjects|users|groups)(?:\/([^/?#'()]+)|\('([^/?#'()]+)'\))\/?$/i.exec(ref);
  const id = m?.[1] ?? m?.[2];
  if (!id) {
    throw errors.badRequest(`The @odata.id '${ref}' is not a reference to a directory object: use https://graph.microsoft.com/v1.0/directoryObjects/{id}.`, '@odata.id');
  }
  return decodeURIComponent(id);
}

// ----------------------------------------------------------- query options

const isCursor = (v: unknown): v is { i: string; k?: string | null } =>
  typeof v === 'object' && v !== null && typeof (v as { i?: unknown }).i === 'string';

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  const c = decodeSkipToken(raw, isCursor);
  return c && { id: c.i, key: c.k ?? null };
}

/** The `@odata.nextLink` for a page that has more, keeping every other query option. */
export function nextPageLink(req: FastifyRequest, next: Cursor | string | undefined): Record<string, string> {
  if (next === undefined) return {};
  const c = typeof next === 'string' ? { i: next } : { i: next.id, ...(next.key !== undefined ? { k: next.key } : {}) };
  return { '@odata.nextLink': nextLink(baseUrl(req), req.url, encodeSkipToken(c)) };
}

const isEventual = (req: FastifyRequest) => String(req.headers.consistencylevel ?? '').toLowerCase() === 'eventual';

function parseCount(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (v !== 'true' && v !== 'false') throw errors.badRequest(`Invalid $count '${raw}': expected true or false.`, '$count');
  return v === 'true';
}

/** Checks `$select` names against a type's properties (case-insensitively) and returns their canonical spelling. */
export function parseSelectFor(raw: string | undefined, properties: readonly string[], type: string, extra: readonly string[] = []): string[] | undefined {
  if (raw === undefined) return undefined;
  const known = new Map([...properties, ...extra].map((p) => [p.toLowerCase(), p]));
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw errors.badRequest('Invalid $select: expected a comma-separated list of property names.', '$select');
  return names.map((n) => {
    const p = known.get(n.toLowerCase());
    if (!p) throw errors.badRequest(`Could not find a property named '${n}' on type 'microsoft.graph.${type}'.`, '$select');
    return p;
  });
}

export interface ParsedList {
  query: ListQuery;
  select: string[] | undefined;
  expand: string | undefined;
  /** ConsistencyLevel: eventual and $count=true: report @odata.count. */
  withCount: boolean;
}

/**
 * Parses a directory collection's query options with Graph's rules: `ne`,
 * `not` and `endsWith`, and `$filter` with `$orderby`, need the advanced
 * query parameters (ConsistencyLevel: eventual and $count=true); `$count=true`
 * without the header is ignored, as Graph ignores it.
 */
export function parseListQuery(
  req: FastifyRequest,
  q: Record<string, string | undefined>,
  kind: 'user' | 'group',
  expandable: readonly string[],
): ParsedList {
  const top = parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE);
  const eventual = isEventual(req);
  const count = parseCount(q.$count);
  const advanced = eventual && count;
  // ne, not and endsWith are checked when the filter is translated (DirectoryService.list).
  const filter = q.$filter !== undefined ? parseFilter(q.$filter) : undefined;
  let orderBy: ListQuery['orderBy'];
  if (q.$orderby !== undefined) {
    const m = /^\s*displayName(?:\s+(asc|desc))?\s*$/i.exec(q.$orderby);
    if (!m) throw errors.unsupportedQuery(`Sorting by '${q.$orderby}' is not supported: $orderby accepts displayName [asc|desc].`, '$orderby');
    if (filter && !advanced) throw errors.unsupportedQuery('Sorting not supported for current query: $filter with $orderby needs ConsistencyLevel: eventual and $count=true.', '$orderby');
    orderBy = { property: 'displayName', desc: m[1]?.toLowerCase() === 'desc' };
  }
  const expand = q.$expand?.trim();
  if (expand !== undefined && !expandable.some((e) => e.toLowerCase() === expand.toLowerCase())) {
    throw errors.badRequest(`Cannot $expand '${expand}' on microsoft.graph.${kind}: expandable here: ${expandable.join(', ') || 'none'}.`, '$expand');
  }
  const after = decodeCursor(q.$skiptoken);
  const properties = kind === 'user' ? USER_PROPERTIES : GROUP_PROPERTIES;
  return {
    query: { top, ...(filter ? { filter } : {}), ...(orderBy ? { orderBy } : {}), ...(after ? { after } : {}), advanced },
    select: parseSelectFor(q.$select, properties, kind),
    expand: expand?.toLowerCase(),
    withCount: advanced,
  };
}

/** `/users/$count` and `/groups/$count` need ConsistencyLevel: eventual (Graph's exact error otherwise). */
export function requireEventualForCount(req: FastifyRequest): void {
  if (!isEventual(req)) throw errors.badRequest('$count is not currently supported.', '$count');
}

// ------------------------------------------------------------ wire shapes

function pick(o: object, names: readonly string[]): Record<string, unknown> {
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const n of names) if (n in src) out[n] = src[n];
  return out;
}

/** A user as Graph returns it: the default property set unless `$select` names others. */
export function userWire(u: GraphUser, select?: readonly string[]): Record<string, unknown> {
  // pick() copies Graph properties only, so the engine-only managerId never leaks.
  return pick(u, select ?? USER_DEFAULT_SELECT);
}

export function groupWire(g: GraphGroup, select?: readonly string[]): Record<string, unknown> {
  return pick(g, select ?? GROUP_PROPERTIES);
}

/** A member, owner or deleted item: a directoryObject with its `@odata.type`. */
export function objectWire(o: DirectoryObject, select?: readonly string[]): Record<string, unknown> {
  return o.kind === 'user'
    ? { '@odata.type': '#microsoft.graph.user', ...userWire(o.user, select) }
    : { '@odata.type': '#microsoft.graph.group', ...groupWire(o.group, select) };
}
