/**
 * Graph's delta query for users and groups (GET /users/delta,
 * GET /groups/delta), over the directory's change feed.
 *
 * A first call (no token) captures the feed's watermark, then pages through
 * every live object (`@odata.nextLink`), and ends with an `@odata.deltaLink`
 * whose token carries that watermark. A deltaLink call reads the feed after
 * the watermark: each object changed appears once per page, at the position
 * of its latest change, in its current state; removed objects appear as
 * `{id, "@removed": {reason}}` (`changed`: in the recycle bin, `deleted`:
 * gone for good), and membership changes of a group as `members@delta`.
 * The cost of a deltaLink call grows with the number of changes, never with
 * the directory's size. Page size: `Prefer: odata.maxpagesize=N` (Graph's
 * way; `$top` is not supported on delta), default 100, at most 999.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../../errors/graph-error.ts';
import { decodeSkipToken, encodeSkipToken } from '../../../graph/odata.ts';
import type { DirectoryService } from '../../../directory/directory-service.ts';
import { GROUP_PROPERTIES, USER_PROPERTIES } from '../../../directory/model.ts';
import type { DirectoryChange, DirectoryUser } from '../../../directory/port.ts';
import { baseUrl, checkQueryOptions, odataContext, sendJson } from '../../http.ts';
import { DEFAULT_PAGE, MAX_PAGE, groupWire, parseSelectFor, userWire } from './common.ts';

type Kind = 'user' | 'group';

interface DeltaState {
  /** Object type: users or groups (a token is valid on its own collection only). */
  k: 'u' | 'g';
  /** Phase: 'i' = initial enumeration, 'c' = changes. */
  p: 'i' | 'c';
  /** Watermark: the feed seq the state is current to. */
  w: number;
  /** Initial phase: last id returned. */
  a?: string;
  /** $select of the first request. */
  s?: string[];
}

const isState = (v: unknown): v is DeltaState => {
  const s = v as DeltaState;
  return typeof s === 'object' && s !== null && (s.k === 'u' || s.k === 'g') && (s.p === 'i' || s.p === 'c')
    && Number.isInteger(s.w) && s.w >= 0 && (s.a === undefined || typeof s.a === 'string')
    && (s.s === undefined || (Array.isArray(s.s) && s.s.every((x) => typeof x === 'string')));
};

const REMOVED_CHANGED = { reason: 'changed' } as const;
const REMOVED_DELETED = { reason: 'deleted' } as const;

function pageSize(req: FastifyRequest): number {
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(String(req.headers.prefer ?? ''));
  return m ? Math.min(Math.max(1, Number(m[1])), MAX_PAGE) : DEFAULT_PAGE;
}

function link(req: FastifyRequest, kind: Kind, param: '$skiptoken' | '$deltatoken', state: DeltaState): string {
  return `${baseUrl(req)}/v1.0/${kind === 'user' ? 'users' : 'groups'}/delta?${param}=${encodeSkipToken(state)}`;
}

const typeRef = (type: 'user' | 'group', id: string) => ({ '@odata.type': `#microsoft.graph.${type}`, id });

/** Handles one delta request for users or groups. */
export async function deltaHandler(dir: DirectoryService, kind: Kind, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const q = checkQueryOptions(req.query, ['$select', '$skiptoken', '$deltatoken']);
  const size = pageSize(req);
  const nav = kind === 'user' ? 'manager' : 'members';
  const explicitSelect = parseSelectFor(q.$select, kind === 'user' ? USER_PROPERTIES : GROUP_PROPERTIES, kind, [nav]);
  const k = kind === 'user' ? 'u' : 'g';

  let state: DeltaState;
  const token = q.$skiptoken ?? q.$deltatoken;
  if (q.$deltatoken?.toLowerCase() === 'latest') {
    // Graph's "sync from now": no objects, just a deltaLink at the current watermark.
    state = { k, p: 'c', w: await dir.currentWatermark(), ...(explicitSelect ? { s: explicitSelect } : {}) };
    return send(req, reply, kind, state, [], link(req, kind, '$deltatoken', state), undefined, size);
  }
  if (token !== undefined) {
    const decoded = decodeSkipToken(token, isState);
    if (!decoded || decoded.k !== k) throw errors.badRequest(`The delta token was not issued for /${kind}s/delta.`, q.$skiptoken ? '$skiptoken' : '$deltatoken');
    state = explicitSelect ? { ...decoded, s: explicitSelect } : decoded;
  } else {
    state = { k, p: 'i', w: await dir.currentWatermark(), ...(explicitSelect ? { s: explicitSelect } : {}) };
  }
  const select = state.s;
  const withNav = select ? select.includes(nav) : kind === 'group';
  const props = select?.filter((p) => p !== nav);
  // Without $select a delta returns (and tracks) every property; an entry always carries its id.
  const wireProps = props ? ['id', ...props.filter((p) => p !== 'id')] : (kind === 'user' ? USER_PROPERTIES : GROUP_PROPERTIES);

  if (state.p === 'i') {
    const entries: Record<string, unknown>[] = [];
    let last: string | undefined;
    let more = false;
    if (kind === 'user') {
      const page = await dir.listUsers({ top: size, ...(state.a ? { after: { id: state.a } } : {}) });
      for (const u of page.items) {
        entries.push({ ...userWire(u, wireProps), ...(withNav && u.managerId ? { 'manager@delta': [typeRef('user', u.managerId)] } : {}) });
      }
      last = page.items[page.items.length - 1]?.id;
      more = page.next !== undefined;
    } else {
      const page = await dir.listGroups({ top: size, ...(state.a ? { after: { id: state.a } } : {}) });
      for (const g of page.items) {
        const entry: Record<string, unknown> = groupWire(g, wireProps);
        if (withNav) {
          const members: object[] = [];
          for await (const batch of dir.streamGroupMemberIds(g.id, { batchSize: 1000 })) for (const m of batch) members.push(typeRef(m.type, m.id));
          entry['members@delta'] = members;
        }
        entries.push(entry);
      }
      last = page.items[page.items.length - 1]?.id;
      more = page.next !== undefined;
    }
    if (more && last) return send(req, reply, kind, state, entries, undefined, link(req, kind, '$skiptoken', { ...state, a: last }), size);
    const done: DeltaState = { k, p: 'c', w: state.w, ...(select ? { s: select } : {}) };
    return send(req, reply, kind, state, entries, link(req, kind, '$deltatoken', done), undefined, size);
  }

  // ---- changes after the watermark
  const changes = await dir.readChanges(state.w, size, kind);
  const watermark = changes.length ? changes[changes.length - 1]!.seq : state.w;
  const relevant = (c: DirectoryChange): boolean => {
    switch (c.kind) {
      case 'updated': return !props || (c.properties ?? []).some((p) => props.includes(p));
      case 'managerSet': case 'managerRemoved': case 'memberAdded': case 'memberRemoved': return withNav;
      case 'ownerAdded': case 'ownerRemoved': return false;
      default: return true;
    }
  };
  // Latest relevant change per object decides its position; member changes collapse per member.
  const order = new Map<string, number>();
  const memberDelta = new Map<string, Map<string, { type: 'user' | 'group'; removed: boolean }>>();
  const managerRemoved = new Map<string, string>();
  changes.forEach((c, i) => {
    if (!relevant(c)) return;
    order.delete(c.objectId);
    order.set(c.objectId, i);
    if ((c.kind === 'memberAdded' || c.kind === 'memberRemoved') && c.relatedId) {
      const m = memberDelta.get(c.objectId) ?? new Map();
      m.set(c.relatedId, { type: c.relatedType ?? 'user', removed: c.kind === 'memberRemoved' });
      memberDelta.set(c.objectId, m);
    }
    if (c.kind === 'managerRemoved' && c.relatedId) managerRemoved.set(c.objectId, c.relatedId);
    if (c.kind === 'managerSet') managerRemoved.delete(c.objectId);
  });
  const ids = [...order.keys()];
  const entries: Record<string, unknown>[] = [];
  if (kind === 'user') {
    const users = new Map((await dir.getUsersByIds(ids)).map((u) => [u.id, u]));
    for (const id of ids) entries.push(userEntry(id, users.get(id), wireProps, withNav, managerRemoved.get(id)));
  } else {
    const groups = new Map((await dir.getGroupsByIds(ids)).map((g) => [g.id, g]));
    for (const id of ids) {
      const g = groups.get(id);
      if (!g) { entries.push({ id, '@removed': REMOVED_DELETED }); continue; }
      if (g.deletedDateTime) { entries.push({ id, '@removed': REMOVED_CHANGED }); continue; }
      const entry: Record<string, unknown> = groupWire(g, wireProps);
      const md = memberDelta.get(id);
      if (withNav && md) {
        entry['members@delta'] = [...md].map(([mid, m]) => (m.removed ? { ...typeRef(m.type, mid), '@removed': REMOVED_DELETED } : typeRef(m.type, mid)));
      }
      entries.push(entry);
    }
  }
  const nextState: DeltaState = { k, p: 'c', w: watermark, ...(select ? { s: select } : {}) };
  return changes.length === size
    ? send(req, reply, kind, state, entries, undefined, link(req, kind, '$skiptoken', nextState), size)
    : send(req, reply, kind, state, entries, link(req, kind, '$deltatoken', nextState), undefined, size);
}

function userEntry(id: string, u: DirectoryUser | undefined, props: readonly string[], withNav: boolean, removedManager: string | undefined): Record<string, unknown> {
  if (!u) return { id, '@removed': REMOVED_DELETED };
  if (u.deletedDateTime) return { id, '@removed': REMOVED_CHANGED };
  const entry = userWire(u, props);
  if (withNav) {
    if (u.managerId) entry['manager@delta'] = [typeRef('user', u.managerId)];
    else if (removedManager) entry['manager@delta'] = [{ ...typeRef('user', removedManager), '@removed': REMOVED_DELETED }];
  }
  return entry;
}

function send(
  req: FastifyRequest, reply: FastifyReply, kind: Kind, state: DeltaState, value: object[],
  deltaLink: string | undefined, nextLinkUrl: string | undefined, size: number,
): FastifyReply {
  const fragment = `${kind}s${state.s ? `(${state.s.join(',')})` : ''}`;
  if (/odata\.maxpagesize/i.test(String(req.headers.prefer ?? ''))) void reply.header('preference-applied', `odata.maxpagesize=${size}`);
  return sendJson(reply, 200, {
    '@odata.context': odataContext(req, fragment),
    ...(nextLinkUrl ? { '@odata.nextLink': nextLinkUrl } : {}),
    ...(deltaLink ? { '@odata.deltaLink': deltaLink } : {}),
    value,
  });
}
