/**
 * /v1.0/groups: groups, their members and owners (with `$ref` to add and
 * remove), app role assignments, and the groups delta query.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../../services.ts';
import { Require } from '../../../auth/permissions.ts';
import { parseTop } from '../../../graph/odata.ts';
import { parseFilter } from '../../../graph/odata-filter.ts';
import { GROUP_PROPERTIES, USER_PROPERTIES } from '../../../directory/model.ts';
import type { LinkRel, ObjectKind } from '../../../directory/directory-service.ts';
import { errors } from '../../../errors/graph-error.ts';
import { checkId, checkQueryOptions, noContent, odataContext, sendJson } from '../../http.ts';
import {
  DEFAULT_PAGE, EXPAND_LIMIT, GroupCreateBody, GroupUpdateBody, MAX_PAGE, RefBody, decodeCursor, groupWire, nextPageLink, objectWire,
  parseListQuery, parseSelectFor, refId, requireEventualForCount,
} from './common.ts';
import { deltaHandler } from './delta.ts';

type IdParams = { id: string };
type LinkParams = { id: string; targetId: string };

/** Members can be users or groups: `$select` may name either's properties. */
const OBJECT_PROPERTIES = [...new Set([...USER_PROPERTIES, ...GROUP_PROPERTIES])];

export function groupRoutes(app: FastifyInstance, s: Services): void {
  const dir = s.directory;

  app.post<{ Body: Static<typeof GroupCreateBody> }>('/v1.0/groups', {
    schema: { body: GroupCreateBody, tags: ['groups'], summary: 'Create group' },
    config: { permissions: Require.groupWrite, graphType: 'group' },
  }, async (req, reply) => {
    const g = await dir.createGroup(req.body);
    return sendJson(reply, 201, { '@odata.context': odataContext(req, 'groups/$entity'), ...groupWire(g) });
  });

  app.get('/v1.0/groups', { config: { permissions: Require.groupRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken', '$filter', '$count', '$orderby', '$expand']);
    const p = parseListQuery(req, q, 'group', ['members']);
    const page = await dir.listGroups(p.query);
    const members = p.expand === 'members' ? await dir.membersPreview(page.items.map((g) => g.id), EXPAND_LIMIT) : undefined;
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, p.select ? `groups(${p.select.join(',')})` : 'groups'),
      ...(p.withCount ? { '@odata.count': page.count } : {}),
      ...nextPageLink(req, page.next),
      value: page.items.map((g) => ({ ...groupWire(g, p.select), ...(members ? { members: (members.get(g.id) ?? []).map((m) => objectWire(m)) } : {}) })),
    });
  });

  app.get('/v1.0/groups/$count', { config: { permissions: Require.groupRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$filter']);
    requireEventualForCount(req);
    const n = await dir.countGroups(q.$filter !== undefined ? parseFilter(q.$filter) : undefined);
    return reply.code(200).type('text/plain; charset=utf-8').send(String(n));
  });

  const delta = { config: { permissions: Require.groupRead } };
  app.get('/v1.0/groups/delta', delta, (req, reply) => deltaHandler(dir, 'group', req, reply));
  app.get('/v1.0/groups/microsoft.graph.delta', delta, (req, reply) => deltaHandler(dir, 'group', req, reply));

  app.get<{ Params: IdParams }>('/v1.0/groups/:id', { config: { permissions: Require.groupRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$expand']);
    const select = parseSelectFor(q.$select, GROUP_PROPERTIES, 'group');
    const expand = q.$expand?.trim().toLowerCase();
    if (expand !== undefined && expand !== 'members') {
      throw errors.badRequest(`Cannot $expand '${q.$expand}' on microsoft.graph.group: expandable here: members.`, '$expand');
    }
    const g = await dir.getGroup(checkId(req.params.id, 'group'));
    const body: Record<string, unknown> = { '@odata.context': odataContext(req, 'groups/$entity'), ...groupWire(g, select) };
    if (expand === 'members') body.members = ((await dir.membersPreview([g.id], EXPAND_LIMIT)).get(g.id) ?? []).map((m) => objectWire(m));
    return sendJson(reply, 200, body);
  });

  app.patch<{ Params: IdParams; Body: Static<typeof GroupUpdateBody> }>('/v1.0/groups/:id', {
    schema: { body: GroupUpdateBody, tags: ['groups'], summary: 'Update group' },
    config: { permissions: Require.groupWrite, graphType: 'group' },
  }, async (req, reply) => {
    await dir.updateGroup(checkId(req.params.id, 'group'), req.body ?? {});
    return noContent(reply);
  });

  app.delete<{ Params: IdParams }>('/v1.0/groups/:id', { config: { permissions: Require.groupWrite } }, async (req, reply) => {
    await dir.deleteGroup(checkId(req.params.id, 'group'));
    return noContent(reply);
  });

  // ---------------------------------------------------- members, owners
  const listLinks = (rel: LinkRel, only?: ObjectKind) => async (req: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken']);
    const select = parseSelectFor(q.$select, only === 'user' ? USER_PROPERTIES : only === 'group' ? GROUP_PROPERTIES : OBJECT_PROPERTIES, only ?? 'directoryObject');
    const page = await dir.listLinks(checkId(req.params.id, 'group'), rel, parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE), decodeCursor(q.$skiptoken)?.id, only);
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, only ? `${only}s` : 'directoryObjects'),
      ...nextPageLink(req, page.next),
      value: page.items.map((o) => objectWire(o, select)),
    });
  };

  for (const rel of ['member', 'owner'] as const) {
    const seg = `${rel}s`;
    const write = { permissions: rel === 'member' ? Require.memberWrite : Require.groupWrite, graphType: 'group' };
    app.get(`/v1.0/groups/:id/${seg}`, { config: { permissions: Require.groupRead } }, listLinks(rel));
    app.get(`/v1.0/groups/:id/${seg}/microsoft.graph.user`, { config: { permissions: Require.groupRead } }, listLinks(rel, 'user'));
    app.get(`/v1.0/groups/:id/${seg}/microsoft.graph.group`, { config: { permissions: Require.groupRead } }, listLinks(rel, 'group'));
    app.post<{ Params: IdParams; Body: Static<typeof RefBody> }>(`/v1.0/groups/:id/${seg}/$ref`, {
      schema: { body: RefBody, tags: ['groups'], summary: `Add ${rel}` },
      config: write,
    }, async (req, reply) => {
      await dir.addLink(checkId(req.params.id, 'group'), rel, refId(req.body['@odata.id']));
      return noContent(reply);
    });
    app.delete<{ Params: LinkParams }>(`/v1.0/groups/:id/${seg}/:targetId/$ref`, { config: write }, async (req, reply) => {
      await dir.removeLink(checkId(req.params.id, 'group'), rel, checkId(req.params.targetId, rel));
      return noContent(reply);
    });
  }

  app.get<{ Params: IdParams }>('/v1.0/groups/:id/appRoleAssignments', { config: { permissions: Require.groupRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$top', '$skiptoken']);
    const id = checkId(req.params.id, 'group');
    await dir.getGroup(id);
    const page = await dir.listAssignments({ principalId: id }, parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE), decodeCursor(q.$skiptoken)?.id);
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, `groups('${id}')/appRoleAssignments`),
      ...nextPageLink(req, page.next),
      value: page.items,
    });
  });
}
