/**
 * /v1.0/directory/deletedItems: the recycle bin. Users and Microsoft 365
 * groups stay here 30 days after a delete (then they are purged); security
 * groups never come here, Graph deletes them at once.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services.ts';
import { Require } from '../../../auth/permissions.ts';
import { parseTop } from '../../../graph/odata.ts';
import { GROUP_PROPERTIES, USER_DEFAULT_SELECT, USER_PROPERTIES } from '../../../directory/model.ts';
import type { GraphGroup, GraphUser } from '../../../directory/model.ts';
import { checkId, checkQueryOptions, noContent, odataContext, sendJson } from '../../http.ts';
import { DEFAULT_PAGE, MAX_PAGE, decodeCursor, groupWire, nextPageLink, objectWire, parseSelectFor, userWire } from './common.ts';

type IdParams = { id: string };

/** Deleted items show deletedDateTime even without $select. */
const withDeleted = (select: string[] | undefined, defaults: readonly string[]) => select ?? [...defaults, 'deletedDateTime'];

export function deletedItemRoutes(app: FastifyInstance, s: Services): void {
  const dir = s.directory;
  const read = { permissions: [...new Set([...Require.userRead, ...Require.groupRead])] };
  const write = { permissions: [...new Set([...Require.userWrite, ...Require.groupWrite])] };

  for (const kind of ['user', 'group'] as const) {
    app.get(`/v1.0/directory/deletedItems/microsoft.graph.${kind}`, { config: read }, async (req, reply) => {
      const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken']);
      const select = parseSelectFor(q.$select, kind === 'user' ? USER_PROPERTIES : GROUP_PROPERTIES, kind);
      const page = await dir.listDeleted(kind, parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE), decodeCursor(q.$skiptoken));
      const value = page.items.map((o) => (kind === 'user'
        ? userWire(o as GraphUser, withDeleted(select, USER_DEFAULT_SELECT))
        : groupWire(o as GraphGroup, select)));
      return sendJson(reply, 200, {
        '@odata.context': odataContext(req, `directory/deletedItems/microsoft.graph.${kind}`),
        ...nextPageLink(req, page.next),
        value,
      });
    });
  }

  app.get<{ Params: IdParams }>('/v1.0/directory/deletedItems/:id', { config: read }, async (req, reply) => {
    checkQueryOptions(req.query, []);
    const o = await dir.getDeleted(checkId(req.params.id, 'directoryObject'));
    const select = o.kind === 'user' ? withDeleted(undefined, USER_PROPERTIES) : undefined;
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'directory/deletedItems/$entity'), ...objectWire(o, select) });
  });

  app.post<{ Params: IdParams }>('/v1.0/directory/deletedItems/:id/restore', { config: write }, async (req, reply) => {
    const o = await dir.restore(checkId(req.params.id, 'directoryObject'));
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'directoryObjects/$entity'), ...objectWire(o) });
  });

  app.delete<{ Params: IdParams }>('/v1.0/directory/deletedItems/:id', { config: write }, async (req, reply) => {
    await dir.purge(checkId(req.params.id, 'directoryObject'));
    return noContent(reply);
  });
}
