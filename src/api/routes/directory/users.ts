/**
 * /v1.0/users: users, their manager, direct reports, group memberships and
 * app role assignments, and the users delta query.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../../services.ts';
import { Require } from '../../../auth/permissions.ts';
import { parseTop } from '../../../graph/odata.ts';
import { parseFilter } from '../../../graph/odata-filter.ts';
import { GROUP_PROPERTIES, USER_PROPERTIES } from '../../../directory/model.ts';
import { errors } from '../../../errors/graph-error.ts';
import { checkId, checkQueryOptions, noContent, odataContext, sendJson } from '../../http.ts';
import {
  DEFAULT_PAGE, MAX_PAGE, RefBody, UserCreateBody, UserUpdateBody, decodeCursor, groupWire, nextPageLink, parseListQuery, parseSelectFor,
  refId, requireEventualForCount, userWire,
} from './common.ts';
import { deltaHandler } from './delta.ts';

type IdParams = { id: string };

export function userRoutes(app: FastifyInstance, s: Services): void {
  const dir = s.directory;
  const userId = (raw: string) => dir.resolveUserId(checkId(raw, 'user'));

  app.post<{ Body: Static<typeof UserCreateBody> }>('/v1.0/users', {
    schema: { body: UserCreateBody, tags: ['users'], summary: 'Create user' },
    config: { permissions: Require.userWrite, graphType: 'user' },
  }, async (req, reply) => {
    const u = await dir.createUser(req.body);
    // Graph answers a create with the default property set.
    return sendJson(reply, 201, { '@odata.context': odataContext(req, 'users/$entity'), ...userWire(u) });
  });

  app.get('/v1.0/users', { config: { permissions: Require.userRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken', '$filter', '$count', '$orderby', '$expand']);
    const p = parseListQuery(req, q, 'user', ['manager']);
    const page = await dir.listUsers(p.query);
    const managers = p.expand === 'manager' ? await dir.managersOf(page.items) : undefined;
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, p.select ? `users(${p.select.join(',')})` : 'users'),
      ...(p.withCount ? { '@odata.count': page.count } : {}),
      ...nextPageLink(req, page.next),
      value: page.items.map((u) => {
        const m = managers?.get(u.id);
        return { ...userWire(u, p.select), ...(managers ? { manager: m ? { '@odata.type': '#microsoft.graph.user', ...userWire(m) } : null } : {}) };
      }),
    });
  });

  app.get('/v1.0/users/$count', { config: { permissions: Require.userRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$filter']);
    requireEventualForCount(req);
    const n = await dir.countUsers(q.$filter !== undefined ? parseFilter(q.$filter) : undefined);
    return reply.code(200).type('text/plain; charset=utf-8').send(String(n));
  });

  const delta = { config: { permissions: Require.userRead } };
  app.get('/v1.0/users/delta', delta, (req, reply) => deltaHandler(dir, 'user', req, reply));
  app.get('/v1.0/users/microsoft.graph.delta', delta, (req, reply) => deltaHandler(dir, 'user', req, reply));

  app.get<{ Params: IdParams }>('/v1.0/users/:id', { config: { permissions: Require.userRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$expand']);
    const select = parseSelectFor(q.$select, USER_PROPERTIES, 'user');
    const expand = q.$expand?.trim().toLowerCase();
    if (expand !== undefined && expand !== 'manager') throw errors.badRequest(`Cannot $expand '${q.$expand}' on microsoft.graph.user: expandable here: manager.`, '$expand');
    const u = await dir.getUser(checkId(req.params.id, 'user'));
    const body: Record<string, unknown> = { '@odata.context': odataContext(req, 'users/$entity'), ...userWire(u, select) };
    if (expand === 'manager') {
      const m = (await dir.managersOf([u])).get(u.id);
      body.manager = m ? { '@odata.type': '#microsoft.graph.user', ...userWire(m) } : null;
    }
    return sendJson(reply, 200, body);
  });

  app.patch<{ Params: IdParams; Body: Static<typeof UserUpdateBody> }>('/v1.0/users/:id', {
    schema: { body: UserUpdateBody, tags: ['users'], summary: 'Update user' },
    config: { permissions: Require.userWrite, graphType: 'user' },
  }, async (req, reply) => {
    await dir.updateUser(await userId(req.params.id), req.body ?? {});
    return noContent(reply);
  });

  app.delete<{ Params: IdParams }>('/v1.0/users/:id', { config: { permissions: Require.userWrite } }, async (req, reply) => {
    await dir.deleteUser(await userId(req.params.id));
    return noContent(reply);
  });

  // ------------------------------------------------------------- manager
  app.get<{ Params: IdParams }>('/v1.0/users/:id/manager', { config: { permissions: Require.userRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const m = await dir.getManager(await userId(req.params.id));
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'directoryObjects/$entity'),
      '@odata.type': '#microsoft.graph.user',
      ...userWire(m, parseSelectFor(q.$select, USER_PROPERTIES, 'user')),
    });
  });

  app.put<{ Params: IdParams; Body: Static<typeof RefBody> }>('/v1.0/users/:id/manager/$ref', {
    schema: { body: RefBody, tags: ['users'], summary: 'Assign manager' },
    config: { permissions: Require.userWrite, graphType: 'user' },
  }, async (req, reply) => {
    await dir.setManager(await userId(req.params.id), refId(req.body['@odata.id']));
    return noContent(reply);
  });

  app.delete<{ Params: IdParams }>('/v1.0/users/:id/manager/$ref', { config: { permissions: Require.userWrite } }, async (req, reply) => {
    await dir.removeManager(await userId(req.params.id));
    return noContent(reply);
  });

  app.get<{ Params: IdParams }>('/v1.0/users/:id/directReports', { config: { permissions: Require.userRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken']);
    const select = parseSelectFor(q.$select, USER_PROPERTIES, 'user');
    const page = await dir.listDirectReports(await userId(req.params.id), parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE), decodeCursor(q.$skiptoken)?.id);
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'directoryObjects'),
      ...nextPageLink(req, page.next),
      value: page.items.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...userWire(u, select) })),
    });
  });

  app.get<{ Params: IdParams }>('/v1.0/users/:id/memberOf', { config: { permissions: Require.userRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken']);
    const page = await dir.listMemberOf(await userId(req.params.id), parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE), decodeCursor(q.$skiptoken)?.id);
    const select = parseSelectFor(q.$select, GROUP_PROPERTIES, 'group');
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'directoryObjects'),
      ...nextPageLink(req, page.next),
      value: page.items.map((g) => ({ '@odata.type': '#microsoft.graph.group', ...groupWire(g, select) })),
    });
  });

  app.get<{ Params: IdParams }>('/v1.0/users/:id/appRoleAssignments', { config: { permissions: Require.userRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$top', '$skiptoken']);
    const id = await userId(req.params.id);
    await dir.getUser(id);
    const page = await dir.listAssignments({ principalId: id }, parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE), decodeCursor(q.$skiptoken)?.id);
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, `users('${id}')/appRoleAssignments`),
      ...nextPageLink(req, page.next),
      value: page.items,
    });
  });
}
