/**
 * /v1.0/applications, /v1.0/servicePrincipals and /v1.0/applicationTemplates:
 * enough of Graph's application model to own a synchronization.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../services.ts';
import { Require } from '../../auth/permissions.ts';
import { GraphObject } from '../../graph/sync-schemas.ts';
import { applySelect, decodeSkipToken, encodeSkipToken, nextLink, parseSelect, parseTop } from '../../graph/odata.ts';
import { errors } from '../../errors/graph-error.ts';
import { baseUrl, checkId, checkQueryOptions, noContent, odataContext, sendJson } from '../http.ts';
import type { GalleryApplicationTemplate } from '../../sync/templates/port.ts';

const FreeObject = Type.Object({}, { additionalProperties: true });
const Opt = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));

const ApplicationCreate = GraphObject({
  displayName: Type.String({ minLength: 1, maxLength: 256 }),
  description: Opt(Type.String({ maxLength: 1024 })),
  notes: Opt(Type.String({ maxLength: 1024 })),
  signInAudience: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  identifierUris: Type.Optional(Type.Array(Type.String())),
  web: Type.Optional(FreeObject),
  spa: Type.Optional(FreeObject),
  api: Type.Optional(FreeObject),
  info: Type.Optional(FreeObject),
  appRoles: Type.Optional(Type.Array(FreeObject)),
  requiredResourceAccess: Type.Optional(Type.Array(FreeObject)),
  optionalClaims: Type.Optional(FreeObject),
  groupMembershipClaims: Opt(Type.String()),
});

const ServicePrincipalCreate = GraphObject({
  appId: Type.String({ minLength: 1 }),
  accountEnabled: Type.Optional(Type.Boolean()),
  appRoleAssignmentRequired: Type.Optional(Type.Boolean()),
  description: Opt(Type.String({ maxLength: 1024 })),
  notes: Opt(Type.String({ maxLength: 1024 })),
  tags: Type.Optional(Type.Array(Type.String())),
  preferredSingleSignOnMode: Opt(Type.String()),
});

const InstantiateBody = GraphObject({ displayName: Type.String({ minLength: 1, maxLength: 256 }) });

const MAX_PAGE = 999;
const isAfterToken = (v: unknown): v is { a: string } => typeof v === 'object' && v !== null && typeof (v as { a?: unknown }).a === 'string';

function publicGalleryTemplate(t: GalleryApplicationTemplate) {
  const { factoryTags: _f, ...rest } = t;
  return rest;
}

export function applicationRoutes(app: FastifyInstance, s: Services): void {
  const ownerOf = (req: FastifyRequest) => req.caller?.clientId ?? null;

  // ----------------------------------------------------------- applications
  app.post<{ Body: Static<typeof ApplicationCreate> }>('/v1.0/applications', {
    schema: { body: ApplicationCreate, tags: ['applications'], summary: 'Create application' },
    config: { permissions: Require.appWrite, graphType: 'application' },
  }, async (req, reply) => {
    const { displayName, description, notes, tags, identifierUris, signInAudience, ...extra } = req.body;
    const created = await s.applications.createApplication({ displayName, description, notes, tags, identifierUris, signInAudience }, ownerOf(req), undefined, extra);
    return sendJson(reply, 201, { '@odata.context': odataContext(req, 'applications/$entity'), ...created });
  });

  app.get('/v1.0/applications', { config: { permissions: Require.appRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken']);
    const top = parseTop(q.$top, MAX_PAGE, 100);
    const after = decodeSkipToken(q.$skiptoken, isAfterToken)?.a;
    const select = parseSelect(q.$select);
    const { items, last } = await s.applications.listApplications({ top, after });
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'applications'),
      ...(last ? { '@odata.nextLink': nextLink(baseUrl(req), req.url, encodeSkipToken({ a: last })) } : {}),
      value: items.map((a) => applySelect(a, select)),
    });
  });

  app.get<{ Params: { id: string } }>('/v1.0/applications/:id', { config: { permissions: Require.appRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const a = await s.applications.getApplication(checkId(req.params.id, 'application'));
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'applications/$entity'), ...applySelect(a, parseSelect(q.$select)) });
  });

  app.delete<{ Params: { id: string } }>('/v1.0/applications/:id', { config: { permissions: Require.appWrite } }, async (req, reply) => {
    await s.applications.deleteApplication(checkId(req.params.id, 'application'));
    return noContent(reply);
  });

  // ------------------------------------------------------- servicePrincipals
  app.post<{ Body: Static<typeof ServicePrincipalCreate> }>('/v1.0/servicePrincipals', {
    schema: { body: ServicePrincipalCreate, tags: ['servicePrincipals'], summary: 'Create servicePrincipal' },
    config: { permissions: Require.appWrite, graphType: 'servicePrincipal' },
  }, async (req, reply) => {
    const sp = await s.store.transaction(async (trx) => {
      const created = await s.applications.createServicePrincipal(req.body, ownerOf(req), trx);
      // Every service principal can be provisioned over SCIM: it gets the generic SCIM template.
      await s.sync.seedTemplates(created.id, created.appId, ['scim'], trx);
      return created;
    });
    return sendJson(reply, 201, { '@odata.context': odataContext(req, 'servicePrincipals/$entity'), ...sp });
  });

  app.get('/v1.0/servicePrincipals', { config: { permissions: Require.appRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$skiptoken']);
    const top = parseTop(q.$top, MAX_PAGE, 100);
    const after = decodeSkipToken(q.$skiptoken, isAfterToken)?.a;
    const select = parseSelect(q.$select);
    const { items, last } = await s.applications.listServicePrincipals({ top, after });
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'servicePrincipals'),
      ...(last ? { '@odata.nextLink': nextLink(baseUrl(req), req.url, encodeSkipToken({ a: last })) } : {}),
      value: items.map((a) => applySelect(a, select)),
    });
  });

  app.get<{ Params: { id: string } }>('/v1.0/servicePrincipals/:id', { config: { permissions: Require.appRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const sp = await s.applications.getServicePrincipal(checkId(req.params.id, 'servicePrincipal'));
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'servicePrincipals/$entity'), ...applySelect(sp, parseSelect(q.$select)) });
  });

  app.delete<{ Params: { id: string } }>('/v1.0/servicePrincipals/:id', { config: { permissions: Require.appWrite } }, async (req, reply) => {
    await s.applications.deleteServicePrincipal(checkId(req.params.id, 'servicePrincipal'));
    return noContent(reply);
  });

  // --------------------------------------------------- applicationTemplates
  app.get('/v1.0/applicationTemplates', { config: { permissions: Require.appRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$top', '$filter']);
    const select = parseSelect(q.$select);
    let items = s.catalog.gallery();
    if (q.$filter !== undefined) {
      // Graph documents displayName filters on this collection; eq and startswith are what scripts use.
      const m = /^\s*(?:displayName\s+eq\s+'((?:[^']|'')*)'|startswith\(\s*displayName\s*,\s*'((?:[^']|'')*)'\s*\))\s*$/i.exec(q.$filter);
      if (!m) throw errors.badRequest(`Unsupported $filter '${q.$filter}': use displayName eq '…' or startswith(displayName,'…').`, '$filter');
      const eq = m[1]?.replace(/''/g, "'");
      const sw = m[2]?.replace(/''/g, "'").toLowerCase();
      items = items.filter((t) => (eq !== undefined ? t.displayName.toLowerCase() === eq.toLowerCase() : t.displayName.toLowerCase().startsWith(sw ?? '')));
    }
    const top = parseTop(q.$top, MAX_PAGE, MAX_PAGE);
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'applicationTemplates'),
      value: items.slice(0, top).map((t) => applySelect(publicGalleryTemplate(t), select)),
    });
  });

  app.get<{ Params: { id: string } }>('/v1.0/applicationTemplates/:id', { config: { permissions: Require.appRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const t = s.catalog.galleryTemplate(req.params.id);
    if (!t) throw errors.resourceNotFound('applicationTemplate', req.params.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'applicationTemplates/$entity'), ...applySelect(publicGalleryTemplate(t), parseSelect(q.$select)) });
  });

  app.post<{ Params: { id: string }; Body: Static<typeof InstantiateBody> }>('/v1.0/applicationTemplates/:id/instantiate', {
    schema: { body: InstantiateBody, tags: ['applicationTemplates'], summary: 'Instantiate an application template' },
    config: { permissions: Require.appWrite, graphType: 'applicationTemplate' },
  }, async (req, reply) => {
    const t = s.catalog.galleryTemplate(req.params.id);
    if (!t) throw errors.resourceNotFound('applicationTemplate', req.params.id);
    const owner = ownerOf(req);
    const result = await s.store.transaction(async (trx) => {
      const application = await s.applications.createApplication({ displayName: req.body.displayName }, owner, trx, { applicationTemplateId: t.id });
      const servicePrincipal = await s.applications.createServicePrincipal({
        appId: application.appId,
        tags: ['WindowsAzureActiveDirectoryCustomSingleSignOnApplication', 'WindowsAzureActiveDirectoryIntegratedApp'],
      }, owner, trx, { applicationTemplateId: t.id });
      await s.sync.seedTemplates(servicePrincipal.id, application.appId, t.factoryTags, trx);
      return { application, servicePrincipal };
    });
    return sendJson(reply, 201, { '@odata.context': odataContext(req, 'microsoft.graph.applicationServicePrincipal'), ...result });
  });
}
