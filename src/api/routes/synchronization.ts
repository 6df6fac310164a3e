/**
 * The Graph synchronization API (graph-sync-api.md §3), registered twice:
 * under /servicePrincipals/{id}/synchronization and under
 * /applications/{id}/synchronization. Both address the same state (see
 * docs/adr/0002-application-side-synchronization.md); operations Graph
 * documents on one side only are registered on that side only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../services.ts';
import { Require, Permissions } from '../../auth/permissions.ts';
import {
  AcquireAccessTokenBody, JobCreateBody, ProvisionOnDemandBody, RestartBody, SecretsBody, SynchronizationBody, SynchronizationSchema, TemplateBody,
  ValidateCredentialsBody,
} from '../../graph/sync-schemas.ts';
import type { SynchronizationSchemaT } from '../../graph/sync-schemas.ts';
import { applySelect, nextLink, parseSelect, parseTop } from '../../graph/odata.ts';
import { errors } from '../../errors/graph-error.ts';
import { baseUrl, checkId, checkQueryOptions, noContent, odataContext, sendJson } from '../http.ts';
import { publicJob } from '../../sync/sync-service.ts';
import { ExpressionError, filterOperatorCatalog, functionCatalog, parseExpressionResponse } from '../../expressions/index.ts';
import { acquireAccessToken } from '../../sync/access-token.ts';
import { requestToken } from '../../connectors/oauth/token-client.ts';
import type { ServicePrincipalT } from '../../applications/applications.ts';
import { BodyParseError } from '../../inbound/inbound-service.ts';
import { BulkUploadBody } from '../../graph/bulk-upload-schema.ts';

export interface SynchronizationRoutesOptions {
  services: Services;
  side: 'servicePrincipal' | 'application';
}

type OwnerParams = { ownerId: string };
type JobParams = OwnerParams & { jobId: string };
type TemplateParams = OwnerParams & { templateId: string };
type DirParams = { directoryId: string };

export async function synchronizationRoutes(app: FastifyInstance, opts: SynchronizationRoutesOptions): Promise<void> {
  const { services: s, side } = opts;
  const sideSegment = side === 'servicePrincipal' ? 'servicePrincipals' : 'applications';
  const ctx = (req: FastifyRequest<{ Params: OwnerParams }>, rest: string) =>
    odataContext(req, `${sideSegment}('${req.params.ownerId}')/synchronization${rest}`);

  /** The service principal addressed, after the Application.ReadWrite.OwnedBy ownership check. */
  async function owner(req: FastifyRequest<{ Params: OwnerParams }>): Promise<ServicePrincipalT> {
    const id = checkId(req.params.ownerId, side);
    const sp = side === 'servicePrincipal' ? await s.applications.getServicePrincipal(id) : await s.applications.servicePrincipalForApplication(id);
    const roles = req.caller?.roles ?? [];
    const onlyOwnedBy = roles.includes(Permissions.ApplicationReadWriteOwnedBy)
      && !roles.includes(Permissions.SynchronizationReadWrite) && !roles.includes(Permissions.SynchronizationRead);
    if (onlyOwnedBy) {
      const ownerClient = await s.applications.ownerOf(side, id);
      if (ownerClient !== req.caller?.clientId) throw errors.forbidden([Permissions.SynchronizationReadWrite]);
    }
    return sp;
  }

  const schemaBody = (schema: SynchronizationSchemaT) => ({
    id: schema.id, version: schema.version ?? null, directories: schema.directories ?? [], synchronizationRules: schema.synchronizationRules ?? [],
  });

  // ------------------------------------------------------------ container
  app.get<{ Params: OwnerParams }>('', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select', '$expand']);
    const sp = await owner(req);
    const expand = new Set((q.$expand ?? '').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean));
    for (const e of expand) if (e !== 'jobs' && e !== 'templates') throw errors.badRequest(`Cannot $expand '${e}': use jobs or templates.`, '$expand');
    const body: Record<string, unknown> = { '@odata.context': ctx(req, '/$entity'), id: sp.id, secrets: await s.sync.listSecretsMasked(sp.id) };
    if (expand.has('jobs')) body.jobs = (await s.sync.listJobs(sp.id)).map(publicJob);
    if (expand.has('templates')) body.templates = await s.sync.listTemplates(sp.id);
    return sendJson(reply, 200, applySelect(body, parseSelect(q.$select)));
  });

  app.put<{ Params: OwnerParams; Body: Static<typeof SynchronizationBody> }>('', {
    schema: { body: SynchronizationBody, summary: 'Set synchronization (Set-MgServicePrincipalSynchronization)' },
    config: { permissions: Require.syncWrite, graphType: 'synchronization' },
  }, async (req, reply) => {
    const sp = await owner(req);
    if (!req.body) throw errors.badRequest('The request body must be a synchronization object.');
    await s.sync.putSynchronization(sp.id, sp.appId, req.body);
    return noContent(reply);
  });

  // -------------------------------------------------------------- secrets
  app.put<{ Params: OwnerParams; Body: Static<typeof SecretsBody> }>('/secrets', {
    schema: { body: SecretsBody, summary: 'Add synchronization secrets' },
    config: { permissions: Require.syncWrite, graphType: 'synchronizationSecretKeyStringValuePair' },
  }, async (req, reply) => {
    const sp = await owner(req);
    if (!req.body) throw errors.badRequest("The request body must be { \"value\": [ { \"key\": …, \"value\": … } ] }.");
    await s.sync.putSecrets(sp.id, req.body.value);
    return noContent(reply);
  });

  app.get<{ Params: OwnerParams }>('/secrets', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    checkQueryOptions(req.query, []);
    const sp = await owner(req);
    return sendJson(reply, 200, { '@odata.context': ctx(req, '/secrets'), value: await s.sync.listSecretsMasked(sp.id) });
  });

  app.post<{ Params: OwnerParams; Body: Static<typeof AcquireAccessTokenBody> }>('/acquireAccessToken', {
    schema: { body: AcquireAccessTokenBody, summary: 'Acquire an OAuth access token for the application (Get-MgApplicationSynchronizationAccessToken)' },
    config: { permissions: Require.syncWrite, graphType: 'synchronizationSecretKeyStringValuePair', optionalBody: true },
  }, async (req, reply) => {
    const sp = await owner(req);
    await acquireAccessToken(s.sync, sp.id, req.body.credentials ?? [], requestToken, s.clock);
    return noContent(reply);
  });

  // ------------------------------------------------------------ templates
  app.get<{ Params: OwnerParams }>('/templates', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const sp = await owner(req);
    const select = parseSelect(q.$select);
    return sendJson(reply, 200, { '@odata.context': ctx(req, '/templates'), value: (await s.sync.listTemplates(sp.id)).map((t) => applySelect(t, select)) });
  });

  app.get<{ Params: TemplateParams }>('/templates/:templateId', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const sp = await owner(req);
    const t = await s.sync.getTemplate(sp.id, req.params.templateId);
    return sendJson(reply, 200, { '@odata.context': ctx(req, '/templates/$entity'), ...applySelect(t, parseSelect(q.$select)) });
  });

  app.get<{ Params: TemplateParams }>('/templates/:templateId/schema', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    checkQueryOptions(req.query, []);
    const sp = await owner(req);
    const schema = await s.sync.getTemplateSchema(sp.id, req.params.templateId);
    return sendJson(reply, 200, { '@odata.context': ctx(req, `/templates('${req.params.templateId}')/schema/$entity`), ...schemaBody(schema) });
  });

  directoryRoutes('/templates/:templateId/schema', async (req) => s.sync.getTemplateSchema((await owner(req)).id, (req.params as TemplateParams).templateId));

  if (side === 'application') {
    const updateTemplate = async (req: FastifyRequest<{ Params: TemplateParams; Body: Static<typeof TemplateBody> }>, reply: FastifyReply) => {
      const sp = await owner(req);
      if (!req.body) throw errors.badRequest('The request body must be the complete synchronizationTemplate.');
      await s.sync.replaceTemplate(sp.id, req.params.templateId, req.body);
      return noContent(reply);
    };
    const templateRoute = { schema: { body: TemplateBody, summary: 'Update synchronizationTemplate' }, config: { permissions: Require.syncWrite, graphType: 'synchronizationTemplate' } };
    app.put<{ Params: TemplateParams; Body: Static<typeof TemplateBody> }>('/templates/:templateId', templateRoute, updateTemplate);
    app.patch<{ Params: TemplateParams; Body: Static<typeof TemplateBody> }>('/templates/:templateId', templateRoute, updateTemplate);

    app.put<{ Params: TemplateParams; Body: Static<typeof SynchronizationSchema> }>('/templates/:templateId/schema', {
      schema: { body: SynchronizationSchema, summary: 'Update template schema' },
      config: { permissions: Require.syncWrite, graphType: 'synchronizationSchema' },
    }, async (req, reply) => {
      const sp = await owner(req);
      if (!req.body) throw errors.badRequest('The request body must be the complete synchronizationSchema.');
      await s.sync.putTemplateSchema(sp.id, req.params.templateId, req.body);
      return noContent(reply);
    });

    app.delete<{ Params: TemplateParams }>('/templates/:templateId/schema', { config: { permissions: Require.syncWrite } }, async (req, reply) => {
      const sp = await owner(req);
      await s.sync.resetTemplateSchema(sp.id, req.params.templateId);
      return noContent(reply);
    });
  }

  // ----------------------------------------------------------------- jobs
  app.get<{ Params: OwnerParams }>('/jobs', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const sp = await owner(req);
    const select = parseSelect(q.$select);
    return sendJson(reply, 200, { '@odata.context': ctx(req, '/jobs'), value: (await s.sync.listJobs(sp.id)).map((j) => applySelect(publicJob(j), select)) });
  });

  app.post<{ Params: OwnerParams; Body: Static<typeof JobCreateBody> }>('/jobs', {
    schema: { body: JobCreateBody, summary: 'Create synchronizationJob' },
    config: { permissions: Require.syncWrite, graphType: 'synchronizationJob' },
  }, async (req, reply) => {
    const sp = await owner(req);
    if (!req.body) throw errors.badRequest("The request body must name a templateId, e.g. { \"templateId\": \"scim\" }.", 'templateId');
    const job = await s.sync.createJob(sp.id, req.body);
    return sendJson(reply, 201, { '@odata.context': ctx(req, '/jobs/$entity'), ...publicJob(job) });
  });

  app.get<{ Params: JobParams }>('/jobs/:jobId', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const sp = await owner(req);
    const job = await s.sync.getJob(sp.id, req.params.jobId);
    return sendJson(reply, 200, { '@odata.context': ctx(req, '/jobs/$entity'), ...applySelect(publicJob(job), parseSelect(q.$select)) });
  });

  app.delete<{ Params: JobParams }>('/jobs/:jobId', { config: { permissions: Require.syncWrite } }, async (req, reply) => {
    const sp = await owner(req);
    await s.sync.deleteJob(sp.id, req.params.jobId);
    return noContent(reply);
  });

  app.post<{ Params: JobParams }>('/jobs/:jobId/start', { config: { permissions: Require.syncWrite } }, async (req, reply) => {
    const sp = await owner(req);
    await s.sync.startJob(sp.id, req.params.jobId);
    return noContent(reply);
  });

  app.post<{ Params: JobParams }>('/jobs/:jobId/pause', { config: { permissions: Require.syncWrite } }, async (req, reply) => {
    const sp = await owner(req);
    await s.sync.pauseJob(sp.id, req.params.jobId);
    return noContent(reply);
  });

  app.post<{ Params: JobParams; Body: Static<typeof RestartBody> | undefined }>('/jobs/:jobId/restart', {
    schema: { body: RestartBody, summary: 'Restart synchronizationJob' },
    config: { permissions: Require.syncWrite, graphType: 'synchronizationJobRestartCriteria', optionalBody: true },
  }, async (req, reply) => {
    const sp = await owner(req);
    const criteria = req.body?.criteria;
    // No criteria: the portal's "Restart provisioning". Criteria without resetScope: nothing to reset.
    await s.sync.restartJob(sp.id, req.params.jobId, criteria === undefined || criteria === null ? undefined : (criteria.resetScope ?? ''));
    return noContent(reply);
  });

  // ------------------------------------------------- on-demand operations
  // docs/failure-handling.md: provisionOnDemand, validateCredentials, and the escrow listing.

  app.post<{ Params: JobParams; Body: Static<typeof ProvisionOnDemandBody> }>('/jobs/:jobId/provisionOnDemand', {
    schema: {
      body: ProvisionOnDemandBody,
      summary: 'Provision on demand (New-MgServicePrincipalSynchronizationJobOnDemand): one user, or one group with up to 5 members, now; 5 requests per 10 s per job',
    },
    config: { permissions: Require.syncWrite },
  }, async (req, reply) => {
    const sp = await owner(req);
    const job = await s.sync.getJob(sp.id, req.params.jobId);
    if (!req.body) throw errors.badRequest('The request body must hold "parameters": [ { "ruleId": …, "subjects": [ … ] } ].', 'parameters');
    const caller = req.caller?.clientId ?? '';
    const result = await s.engine.provisionOnDemand(job, req.body, { id: caller, displayName: caller || 'Provisio' });
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'microsoft.graph.stringKeyStringValuePair'), ...result });
  });

  const validateRoute = {
    schema: { body: ValidateCredentialsBody, summary: 'Validate credentials (Test-MgServicePrincipalSynchronizationJobCredential): the connection test with the saved or given credentials' },
    config: { permissions: Require.syncWrite, optionalBody: true },
  };
  app.post<{ Params: JobParams; Body: Static<typeof ValidateCredentialsBody> }>('/jobs/:jobId/validateCredentials', validateRoute, async (req, reply) => {
    const sp = await owner(req);
    const job = await s.sync.getJob(sp.id, req.params.jobId);
    await s.engine.validateCredentials({ spId: sp.id, job, ...req.body });
    return noContent(reply);
  });
  app.post<{ Params: OwnerParams; Body: Static<typeof ValidateCredentialsBody> }>('/jobs/validateCredentials', validateRoute, async (req, reply) => {
    const sp = await owner(req);
    await s.engine.validateCredentials({ spId: sp.id, ...req.body });
    return noContent(reply);
  });

  app.get<{ Params: JobParams }>('/jobs/:jobId/escrows', {
    schema: {
      summary: 'Provisio extension (not Microsoft Graph): the objects a job keeps failing on',
      description: 'Read-only. Each escrow holds the object, the failed action, the error (request, status, the target\'s answer), the attempts, ' +
        'nextAttemptDateTime on the retry ladder (6 h, 12 h, 24 h, then daily, for 28 days) and whether it is a reference failure. ' +
        'Not part of Microsoft Graph: Graph clients and SDKs do not know this path. To retry one object now, call provisionOnDemand for it. ' +
        'Supports $top (1–999, default 100) and $skiptoken.',
      tags: ['Provisio extensions'],
      // An OpenAPI specification extension marking the operation as Provisio's own (FastifySchema does not type x- keys).
      ...({ 'x-provisio-extension': true } as Record<string, unknown>),
    },
    config: { permissions: Require.syncRead },
  }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$top', '$skiptoken']);
    const top = parseTop(q.$top, 999, 100);
    const sp = await owner(req);
    const job = await s.sync.getJob(sp.id, req.params.jobId);
    const page = await s.engine.listEscrows(job.id, { top, ...(q.$skiptoken !== undefined ? { skipToken: q.$skiptoken } : {}) });
    return sendJson(reply, 200, {
      '@odata.context': ctx(req, `/jobs('${job.id}')/escrows`),
      value: page.value,
      ...(page.skipToken ? { '@odata.nextLink': nextLink(baseUrl(req), req.url, page.skipToken) } : {}),
    });
  });

  // ------------------------------------------------------------ bulkUpload
  // API-driven inbound provisioning (docs/inbound.md). Its own child context: the body is
  // SCIM (application/scim+json), read as text whatever the media type, so that a wrong
  // Content-Type or malformed JSON is Entra's 400 "Invalid Data Format", not a 415.
  await app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v)));
      } catch (e) {
        done(null, new BodyParseError((e as Error).message));
      }
    });
    child.post<{ Params: JobParams; Body: unknown }>('/jobs/:jobId/bulkUpload', {
      schema: {
        summary: 'Perform a bulk upload (API-driven inbound provisioning): stage up to 50 SCIM users for the job',
        description: 'Content-Type must be application/scim+json. The body is a SCIM BulkRequest of POST /Users operations (core and enterprise '
          + 'user schemas, custom extension schemas). 202 with an empty body and a Location header pointing at the job\'s provisioning logs; '
          + 'the records are processed by the job within seconds when it is started (a paused job keeps them until Start). '
          + 'A malformed request, a wrong Content-Type or more than the allowed operations is 400 "Invalid Data Format" and stages nothing; '
          + 'a bad record fails alone in the provisioning logs. 429 with Retry-After beyond 40 calls per 5 s per job (configurable).',
        consumes: ['application/scim+json'],
        body: BulkUploadBody,
        response: { 202: { description: 'Staged. Empty body; Location: the provisioning-logs query of the job.', type: 'null' } },
      },
      // The body is checked by validateBulkRequest, which answers as Entra does; the schema only documents it.
      validatorCompiler: () => () => true,
      config: { permissions: Require.upload, optionalBody: true },
    }, async (req, reply) => {
      const sp = await uploadOwner(req);
      const result = await s.inbound.bulkUpload(sp.id, req.params.jobId, req.headers['content-type'], req.body, String(req.id));
      const location = `${baseUrl(req)}/v1.0/auditLogs/provisioning/?$filter=${encodeURIComponent(`jobid eq '${req.params.jobId}'`)}`;
      void reply.header('location', location);
      void reply.header('provisio-upload-id', result.uploadId);
      return reply.code(202).send();
    });
  });

  /** The service principal for bulkUpload: SynchronizationData-User.Upload.OwnedBy alone admits only the owner. */
  async function uploadOwner(req: FastifyRequest<{ Params: OwnerParams }>): Promise<ServicePrincipalT> {
    const id = checkId(req.params.ownerId, side);
    const sp = side === 'servicePrincipal' ? await s.applications.getServicePrincipal(id) : await s.applications.servicePrincipalForApplication(id);
    const roles = req.caller?.roles ?? [];
    if (roles.includes(Permissions.UploadOwnedBy) && !roles.includes(Permissions.Upload)) {
      const ownerClient = await s.applications.ownerOf(side, id);
      if (ownerClient !== req.caller?.clientId) throw errors.forbidden([Permissions.Upload]);
    }
    return sp;
  }

  // ---------------------------------------------------------- job schema
  app.get<{ Params: JobParams }>('/jobs/:jobId/schema', { config: { permissions: Require.syncRead } }, async (req, reply) => {
    checkQueryOptions(req.query, []);
    const sp = await owner(req);
    const job = await s.sync.getJob(sp.id, req.params.jobId);
    return sendJson(reply, 200, { '@odata.context': ctx(req, `/jobs('${job.id}')/schema/$entity`), ...schemaBody(job.schema) });
  });

  app.put<{ Params: JobParams; Body: Static<typeof SynchronizationSchema> }>('/jobs/:jobId/schema', {
    schema: { body: SynchronizationSchema, summary: 'Update synchronizationSchema' },
    config: { permissions: Require.syncWrite, graphType: 'synchronizationSchema' },
  }, async (req, reply) => {
    const sp = await owner(req);
    if (!req.body) throw errors.badRequest('The request body must be the complete synchronizationSchema.');
    await s.sync.putJobSchema(sp.id, req.params.jobId, req.body);
    return noContent(reply);
  });

  app.delete<{ Params: JobParams }>('/jobs/:jobId/schema', { config: { permissions: Require.syncWrite } }, async (req, reply) => {
    const sp = await owner(req);
    await s.sync.resetJobSchema(sp.id, req.params.jobId);
    return noContent(reply);
  });

  directoryRoutes('/jobs/:jobId/schema', async (req) => {
    const sp = await owner(req);
    return (await s.sync.getJob(sp.id, (req.params as JobParams).jobId)).schema;
  });

  app.post<{ Params: JobParams & DirParams }>('/jobs/:jobId/schema/directories/:directoryId/discover', {
    config: { permissions: [...Require.syncWrite, Permissions.DirectoryReadWrite] },
  }, async (req, reply) => {
    const sp = await owner(req);
    const job = await s.sync.getJob(sp.id, req.params.jobId);
    const dir = findDirectory(job.schema, req.params.directoryId);
    const discovered = { ...dir, discoverabilities: dir.discoverabilities ?? 'AttributeNames, AttributeDataTypes', discoveryDateTime: s.clock.now().toISOString(), version: dir.version ?? null };
    return sendJson(reply, 200, { '@odata.context': ctx(req, `/jobs('${job.id}')/schema/directories/$entity`), ...discovered });
  });

  // Expression tooling on every schema (graph-sync-api.md §3.4.5–3.4.7): the catalogs are the same
  // for every job and template, but the owner and the job or template must exist.
  for (const base of ['/jobs/:jobId/schema', '/templates/:templateId/schema'] as const) {
    const exists = async (req: FastifyRequest<{ Params: OwnerParams }>) => {
      const sp = await owner(req);
      const p = req.params as Partial<JobParams & TemplateParams>;
      if (p.jobId) await s.sync.getJob(sp.id, p.jobId);
      else await s.sync.getTemplate(sp.id, p.templateId!);
    };
    app.get<{ Params: OwnerParams }>(`${base}/functions`, { config: { permissions: Require.syncRead } }, async (req, reply) => {
      checkQueryOptions(req.query, []);
      await exists(req);
      return sendJson(reply, 200, { '@odata.context': odataContext(req, 'functions'), value: functionCatalog() });
    });
    app.get<{ Params: OwnerParams }>(`${base}/filterOperators`, { config: { permissions: Require.syncRead } }, async (req, reply) => {
      checkQueryOptions(req.query, []);
      await exists(req);
      return sendJson(reply, 200, { '@odata.context': odataContext(req, 'filterOperators'), value: filterOperatorCatalog() });
    });
    app.post<{ Params: OwnerParams; Body: unknown }>(`${base}/parseExpression`, {
      config: { permissions: Require.syncWrite, graphType: 'parseExpressionResponse' },
    }, async (req, reply) => {
      await exists(req);
      try {
        const result = parseExpressionResponse(req.body, { now: () => s.clock.now(), defaultDomain: s.tenant.domain });
        return sendJson(reply, 200, { '@odata.context': odataContext(req, 'microsoft.graph.parseExpressionResponse'), ...result });
      } catch (e) {
        if (e instanceof ExpressionError) throw errors.badRequest(e.message, e.target ?? 'expression');
        throw e;
      }
    });
  }

  /** GET …/schema/directories and …/schema/directories/{id} (CSDL containment). */
  function directoryRoutes(base: string, load: (req: FastifyRequest<{ Params: OwnerParams }>) => Promise<SynchronizationSchemaT>): void {
    app.get<{ Params: OwnerParams }>(`${base}/directories`, { config: { permissions: Require.syncRead } }, async (req, reply) => {
      checkQueryOptions(req.query, []);
      const schema = await load(req);
      return sendJson(reply, 200, { '@odata.context': ctx(req, '/schema/directories'), value: schema.directories ?? [] });
    });
    app.get<{ Params: OwnerParams & DirParams }>(`${base}/directories/:directoryId`, { config: { permissions: Require.syncRead } }, async (req, reply) => {
      checkQueryOptions(req.query, []);
      const schema = await load(req);
      return sendJson(reply, 200, { '@odata.context': ctx(req, '/schema/directories/$entity'), ...findDirectory(schema, req.params.directoryId) });
    });
  }
}

/** A directory by id, or by name (Graph clients use both). */
function findDirectory(schema: SynchronizationSchemaT, idOrName: string) {
  const dir = (schema.directories ?? []).find((d) => d.id === idOrName) ?? (schema.directories ?? []).find((d) => d.name.toLowerCase() === idOrName.toLowerCase());
  if (!dir) throw errors.itemNotFound(`The schema has no directory '${idOrName}'.`, 'directoryId');
  return dir;
}
