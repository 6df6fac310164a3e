/**
 * buildApp(services): the HTTP application. It never listens; `main` does,
 * and tests inject requests or listen on a free port themselves.
 */
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import formbody from '@fastify/formbody';
import { randomUUID } from 'node:crypto';
import type { Services } from './services.ts';
import { installGraphConventions } from './api/plugins/graph-conventions.ts';
import { installAuth } from './api/plugins/auth.ts';
import { normalizeGraphUrl } from './graph/odata.ts';
import { AttributeMappingSource } from './graph/sync-schemas.ts';
import { tokenRoutes } from './api/routes/token.ts';
import { applicationRoutes } from './api/routes/applications.ts';
import { synchronizationRoutes } from './api/routes/synchronization.ts';
import { userRoutes } from './api/routes/directory/users.ts';
import { groupRoutes } from './api/routes/directory/groups.ts';
import { assignmentRoutes } from './api/routes/directory/assignments.ts';
import { deletedItemRoutes } from './api/routes/directory/deleted-items.ts';
import { auditLogRoutes } from './api/routes/audit-logs.ts';
import { appInstanceRoutes } from './api/routes/app-instances.ts';

export async function buildApp(services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    bodyLimit: services.config.bodyLimit,
    genReqId: () => randomUUID(),
    rewriteUrl: (req) => normalizeGraphUrl(req.url ?? '/'),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false, maxParamLength: 500 },
    // Graph refuses unknown properties and wrong types; nothing is silently dropped or coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Provisio',
        version: '0.1.0',
        description: 'Microsoft Graph v1.0 synchronization API, provisioning logs, directory and application instances, served by Provisio.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(formbody);

  app.addSchema(AttributeMappingSource);
  installGraphConventions(app, services.clock);
  installAuth(app, services.tokens);

  app.get('/healthz', { config: { permissions: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { config: { permissions: 'public' }, schema: { hide: true } }, async () => app.swagger());

  tokenRoutes(app, services);
  applicationRoutes(app, services);
  userRoutes(app, services);
  groupRoutes(app, services);
  assignmentRoutes(app, services);
  deletedItemRoutes(app, services);
  auditLogRoutes(app, services);
  appInstanceRoutes(app, services);
  await app.register(synchronizationRoutes, { prefix: '/v1.0/servicePrincipals/:ownerId/synchronization', services, side: 'servicePrincipal' });
  await app.register(synchronizationRoutes, { prefix: '/v1.0/applications/:ownerId/synchronization', services, side: 'application' });

  await app.ready();
  return app;
}
