/**
 * /v1.0/servicePrincipals/{id}/appRoleAssignedTo: assigning users and groups
 * to an application, which "sync only assigned users and groups" reads.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../../services.ts';
import { Require } from '../../../auth/permissions.ts';
import { parseTop } from '../../../graph/odata.ts';
import { checkId, checkQueryOptions, noContent, odataContext, sendJson } from '../../http.ts';
import { AssignmentBody, DEFAULT_PAGE, MAX_PAGE, decodeCursor, nextPageLink } from './common.ts';

type IdParams = { id: string };

export function assignmentRoutes(app: FastifyInstance, s: Services): void {
  const dir = s.directory;
  const ctx = (id: string) => `servicePrincipals('${id}')/appRoleAssignedTo`;

  app.get<{ Params: IdParams }>('/v1.0/servicePrincipals/:id/appRoleAssignedTo', { config: { permissions: Require.appRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$top', '$skiptoken']);
    const id = checkId(req.params.id, 'servicePrincipal');
    const page = await dir.listAssignments({ resourceId: id }, parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE), decodeCursor(q.$skiptoken)?.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, ctx(id)), ...nextPageLink(req, page.next), value: page.items });
  });

  app.post<{ Params: IdParams; Body: Static<typeof AssignmentBody> }>('/v1.0/servicePrincipals/:id/appRoleAssignedTo', {
    schema: { body: AssignmentBody, tags: ['servicePrincipals'], summary: 'Grant an appRoleAssignment for a service principal' },
    config: { permissions: Require.assignmentWrite, graphType: 'appRoleAssignment' },
  }, async (req, reply) => {
    const id = checkId(req.params.id, 'servicePrincipal');
    const a = await dir.assign(id, req.body);
    return sendJson(reply, 201, { '@odata.context': odataContext(req, `${ctx(id)}/$entity`), ...a });
  });

  app.delete<{ Params: IdParams & { assignmentId: string } }>('/v1.0/servicePrincipals/:id/appRoleAssignedTo/:assignmentId', {
    config: { permissions: Require.assignmentWrite },
  }, async (req, reply) => {
    await dir.unassign(checkId(req.params.id, 'servicePrincipal'), checkId(req.params.assignmentId, 'appRoleAssignment'));
    return noContent(reply);
  });
}
