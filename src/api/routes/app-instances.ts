/**
 * Application instances (Teams resource accounts), the agent provisioning
 * registry and instance associations, under /v1.0/admin/teams — where
 * Graph keeps `resourceAccounts` (beta). Item shape and `$filter` on `appId`
 * / `acsResourceId` follow Graph's list; the cmdlet operations Graph has no
 * endpoint for are Provisio's own paths beside it
 * (docs/application-instances.md, "REST surface").
 *
 * Writes take `?whatIf=true` (-WhatIf: validate, report, change nothing;
 * 200 with a report) and `?force=true` (-Force: proceed past soft conflicts,
 * no warnings). Warnings ride on the response as the instance annotation
 * `@provisio.warnings`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../services.ts';
import { Require } from '../../auth/permissions.ts';
import { GraphObject } from '../../graph/sync-schemas.ts';
import { applySelect, decodeSkipToken, encodeSkipToken, nextLink, parseSelect, parseTop } from '../../graph/odata.ts';
import { parseFilter } from '../../graph/odata-filter.ts';
import { baseUrl, checkQueryOptions, noContent, odataContext, sendJson } from '../http.ts';
import { appInstanceErrors } from '../../appinstances/errors.ts';
import { FIND_MAX_RESULTS } from '../../appinstances/model.ts';
import type { Outcome, WriteOptions } from '../../appinstances/service.ts';

const BASE = '/v1.0/admin/teams/resourceAccounts';
const MAPPINGS = '/v1.0/admin/teams/agentProvisioningMappings';
const CONFIGURATIONS = '/v1.0/admin/teams/applicationConfigurations';
const TAG = 'applicationInstances';
const MAX_PAGE = 999;
const DEFAULT_PAGE = 100;

const Guid = (description: string) => Type.String({ description, maxLength: 64 });
const NullableGuid = (description: string) => Type.Optional(Type.Union([Guid(description), Type.Null()]));

const CreateBody = GraphObject({
  userPrincipalName: Type.String({ minLength: 3, maxLength: 113, description: 'Also the SIP URI; its domain must be an online domain of the tenant.' }),
  appId: NullableGuid('The application that handles the instance (ce933385-9390-45d1-9512-c8d228074e07 Auto Attendant, 11cd3e2e-fccb-42ad-ad00-878b93575e07 Call Queue, or a third-party application id). Given, the registry mapping is written too.'),
  displayName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()])),
});

const UpdateBody = GraphObject({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  appId: NullableGuid('New application binding; null clears it.'),
  acsResourceId: NullableGuid('Azure Communication Services resource id; null clears it.'),
  phoneNumber: Type.Optional(Type.Union([
    Type.String({ maxLength: 40, description: "E.164 (+14255550100, optionally ;ext=…), no 'tel:' prefix; '' or null unassigns (Set-CsOnlineApplicationInstance -OnpremPhoneNumber)." }),
    Type.Null(),
  ])),
});

const SyncBody = GraphObject({
  appId: Type.Optional(Guid('The application to map the instance to; absent: the instance\'s own; 00000000-0000-0000-0000-000000000000 removes the mapping.')),
  acsResourceId: Type.Optional(Guid('ACS resource id to store with the mapping.')),
  callbackUri: Type.Optional(Type.String({ maxLength: 2048, description: 'Reserved (the cmdlet reserves it for Microsoft\'s internal use); stored with the mapping.' })),
});

const AssociateBody = GraphObject({
  identities: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100, description: 'Object ids (or userPrincipalNames) of the instances.' }),
  configurationId: Type.String({ minLength: 1, maxLength: 256, description: 'Identity of the Auto Attendant or Call Queue.' }),
  configurationType: Type.String({ description: 'AutoAttendant or CallQueue (case-insensitive).' }),
  callPriority: Type.Optional(Type.Integer({ description: '1 (very high) … 5 (very low); 3 when absent.' })),
});

const RemoveBody = GraphObject({
  identities: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100 }),
});

const WriteQuery = Type.Object({
  whatIf: Type.Optional(Type.String({ description: "'true': validate and report what would be done (-WhatIf); nothing changes; answers 200 with a report." })),
  force: Type.Optional(Type.String({ description: "'true': proceed past soft conflicts (-Force) and omit warnings." })),
});

const ListQuery = Type.Object({
  $filter: Type.Optional(Type.String({ description: "eq, ne, in, startswith, and, or, not over id, userPrincipalName, displayName, appId, acsResourceId, phoneNumber (e.g. appId eq 'ce933385-9390-45d1-9512-c8d228074e07')." })),
  $top: Type.Optional(Type.String()),
  $skiptoken: Type.Optional(Type.String()),
  $select: Type.Optional(Type.String()),
});

const FindQuery = Type.Object({
  searchQuery: Type.String({ description: 'Display name or phone number (prefix, case-insensitive), or object id.' }),
  maxResults: Type.Optional(Type.String({ description: `1..${FIND_MAX_RESULTS}, default 10.` })),
  exactMatchOnly: Type.Optional(Type.String()),
  associatedOnly: Type.Optional(Type.String()),
  unassociatedOnly: Type.Optional(Type.String()),
});

const IdParams = Type.Object({ id: Type.String({ description: 'Object id or userPrincipalName of the instance.' }) });
const ObjectIdParams = Type.Object({ id: Type.String({ description: 'Object id (GUID) of the instance.' }) });

const isAfter = (v: unknown): v is { a: string } => typeof v === 'object' && v !== null && typeof (v as { a?: unknown }).a === 'string';

/** `true`/`false` query flags, case-insensitive; absent is false. */
function flag(q: Record<string, unknown>, name: string): boolean {
  const key = Object.keys(q).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : q[key];
  if (v === undefined) return false;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw appInstanceErrors.invalidFlag(name, String(v));
}

function writeOptions(req: FastifyRequest): WriteOptions {
  const q = (req.query ?? {}) as Record<string, unknown>;
  return { whatIf: flag(q, 'whatIf'), force: flag(q, 'force') };
}

const withWarnings = (warnings: string[]) => (warnings.length ? { '@provisio.warnings': warnings } : {});

/** A write's answer: the -WhatIf report (200), or the result with `status`. */
function sendOutcome<T extends object>(reply: FastifyReply, req: FastifyRequest, status: number, o: Outcome<T>, context: string): FastifyReply {
  if (o.whatIf) return sendJson(reply, 200, { '@odata.context': odataContext(req, 'microsoft.graph.whatIfReport'), ...o.whatIf, ...withWarnings(o.warnings) });
  return sendJson(reply, status, { '@odata.context': odataContext(req, context), ...o.value, ...withWarnings(o.warnings) });
}

export function appInstanceRoutes(app: FastifyInstance, s: Services): void {
  const ai = s.appInstances;

  // ------------------------------------------------------ resource accounts
  app.get<{ Querystring: Static<typeof ListQuery> }>(BASE, {
    schema: {
      tags: [TAG], summary: 'List application instances (Get-CsOnlineApplicationInstance)', querystring: ListQuery,
      description: "Graph's admin/teams/resourceAccounts list: directory users marked as application instances. -Identities is `$filter=id in (…) or userPrincipalName in (…)`.",
    },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$filter', '$top', '$skiptoken', '$select']);
    const top = parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE);
    const after = decodeSkipToken(q.$skiptoken, isAfter)?.a;
    const select = parseSelect(q.$select);
    const filter = q.$filter === undefined ? undefined : parseFilter(q.$filter);
    const { items, next } = await ai.list({ filter, top, after });
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'admin/teams/resourceAccounts'),
      ...(next ? { '@odata.nextLink': nextLink(baseUrl(req), req.url, encodeSkipToken({ a: next })) } : {}),
      value: items.map((a) => applySelect(a, select)),
    });
  });

  app.post<{ Body: Static<typeof CreateBody>; Querystring: Static<typeof WriteQuery> }>(BASE, {
    schema: {
      tags: [TAG], summary: 'Create an application instance (New-CsOnlineApplicationInstance)', body: CreateBody, querystring: WriteQuery,
      description: 'Creates a directory user with sign-in disabled and department "Microsoft Communication Application Instance"; with appId, also its agent provisioning mapping. 201 with the instance and a Location header.',
    },
    config: { permissions: Require.appInstanceWrite, graphType: 'teamsAdministration.resourceAccount' },
  }, async (req, reply) => {
    const o = await ai.create(req.body, writeOptions(req));
    if (!o.whatIf) void reply.header('location', `${baseUrl(req)}${BASE}/${o.value.id}`);
    return sendOutcome(reply, req, 201, o, 'admin/teams/resourceAccounts/$entity');
  });

  app.get<{ Querystring: Static<typeof FindQuery> }>(`${BASE}/find`, {
    schema: {
      tags: [TAG], summary: 'Find application instances (Find-CsOnlineApplicationInstance)', querystring: FindQuery,
      description: 'Up to maxResults (default 10, at most 20) instances whose display name or phone number starts with searchQuery (exactMatchOnly: equals it), or whose object id is searchQuery.',
    },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const raw = q.maxResults;
    let maxResults: number | undefined;
    if (raw !== undefined) {
      maxResults = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > FIND_MAX_RESULTS) throw appInstanceErrors.invalidMaxResults(String(raw));
    }
    if (typeof q.searchQuery !== 'string') throw appInstanceErrors.searchQueryRequired();
    const value = await ai.find({
      searchQuery: q.searchQuery, maxResults,
      exactMatchOnly: flag(q, 'exactMatchOnly'), associatedOnly: flag(q, 'associatedOnly'), unassociatedOnly: flag(q, 'unassociatedOnly'),
    });
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'Collection(microsoft.graph.teamsAdministration.findResult)'), value });
  });

  app.post<{ Body: Static<typeof AssociateBody>; Querystring: Static<typeof WriteQuery> }>(`${BASE}/associate`, {
    schema: {
      tags: [TAG], summary: 'Associate instances with a configuration (New-CsOnlineApplicationInstanceAssociation)', body: AssociateBody, querystring: WriteQuery,
      description: "200 with one result per identity ({ results: [...] }); each succeeds or fails on its own. force=true moves an instance from another configuration and accepts an application id of the other type.",
    },
    config: { permissions: Require.appInstanceWrite, graphType: 'teamsAdministration.associationRequest' },
  }, async (req, reply) => {
    const o = await ai.associate(req.body, writeOptions(req));
    return sendOutcome(reply, req, 200, o, 'microsoft.graph.teamsAdministration.associationOperationOutput');
  });

  app.post<{ Body: Static<typeof RemoveBody>; Querystring: Static<typeof WriteQuery> }>(`${BASE}/removeAssociations`, {
    schema: {
      tags: [TAG], summary: 'Remove the associations of instances (Remove-CsOnlineApplicationInstanceAssociation)', body: RemoveBody, querystring: WriteQuery,
      description: '200 with one result per identity; an instance without an association fails with NoAssociation.',
    },
    config: { permissions: Require.appInstanceWrite, graphType: 'teamsAdministration.removeAssociationsRequest' },
  }, async (req, reply) => {
    const o = await ai.removeAssociations(req.body.identities, writeOptions(req));
    return sendOutcome(reply, req, 200, o, 'microsoft.graph.teamsAdministration.associationOperationOutput');
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: { $select?: string } }>(`${BASE}/:id`, {
    schema: { tags: [TAG], summary: 'Get an application instance (Get-CsOnlineApplicationInstance -Identity)', params: IdParams },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$select']);
    const a = await ai.get(req.params.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'admin/teams/resourceAccounts/$entity'), ...applySelect(a, parseSelect(q.$select)) });
  });

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody>; Querystring: Static<typeof WriteQuery> }>(`${BASE}/:id`, {
    schema: {
      tags: [TAG], summary: 'Update an application instance (Set-CsOnlineApplicationInstance)', params: IdParams, body: UpdateBody, querystring: WriteQuery,
      description: 'Answers 200 with the updated instance. Writes the registry only when the instance had no mapping and gains an appId; a mapping that now differs is left alone and reported (agentProvisioningState stale, a warning naming the Sync commands). Soft conflicts (force=true proceeds): PhoneNumberInUse (moves the number), AssociationConflict (appId of the wrong type for the association).',
    },
    config: { permissions: Require.appInstanceWrite, graphType: 'teamsAdministration.resourceAccount', optionalBody: true },
  }, async (req, reply) => {
    const o = await ai.update(req.params.id, req.body, writeOptions(req));
    return sendOutcome(reply, req, 200, o, 'admin/teams/resourceAccounts/$entity');
  });

  app.post<{ Params: Static<typeof ObjectIdParams>; Body: Static<typeof SyncBody>; Querystring: Static<typeof WriteQuery> }>(`${BASE}/:id/sync`, {
    schema: {
      tags: [TAG], summary: 'Sync an instance into the agent provisioning registry (Sync-CsOnlineApplicationInstance)', params: ObjectIdParams, body: SyncBody, querystring: WriteQuery,
      description: 'No mapping: creates one (appId, else the instance\'s own). A mapping to another appId: 409 DuplicateApsMapping "An item with the same key has already been added.". The same appId: refreshes the mapping (ACS resource, callback, copied name and number). appId 00000000-0000-0000-0000-000000000000 removes the mapping. 200 { id, action: created|refreshed|removed|none, mapping }.',
    },
    config: { permissions: Require.appInstanceWrite, graphType: 'teamsAdministration.syncRequest', optionalBody: true },
  }, async (req, reply) => {
    const o = await ai.sync(req.params.id, req.body, writeOptions(req));
    return sendOutcome(reply, req, 200, o, 'microsoft.graph.teamsAdministration.syncResult');
  });

  app.get<{ Params: Static<typeof IdParams> }>(`${BASE}/:id/association`, {
    schema: { tags: [TAG], summary: 'Get the association of an instance (Get-CsOnlineApplicationInstanceAssociation)', params: IdParams, description: '404 NoAssociation when the instance has none.' },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const a = await ai.getAssociation(req.params.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'microsoft.graph.teamsAdministration.applicationInstanceAssociation'), ...a });
  });

  app.delete<{ Params: Static<typeof IdParams>; Querystring: Static<typeof WriteQuery> }>(`${BASE}/:id/association`, {
    schema: { tags: [TAG], summary: 'Remove the association of one instance', params: IdParams, querystring: WriteQuery, description: '204; 404 NoAssociation when there is none.' },
    config: { permissions: Require.appInstanceWrite },
  }, async (req, reply) => {
    // The single-instance form answers with an ordinary Graph error (InstanceNotFound, NoAssociation).
    await ai.getAssociation(req.params.id);
    const o = await ai.removeAssociations([req.params.id], writeOptions(req));
    if (o.whatIf) return sendJson(reply, 200, o.whatIf);
    return noContent(reply);
  });

  app.get<{ Params: Static<typeof IdParams> }>(`${BASE}/:id/association/status`, {
    schema: {
      tags: [TAG], summary: 'Provisioning status of an association (Get-CsOnlineApplicationInstanceAssociationStatus)', params: IdParams,
      description: 'Status records: the association itself, and whether the agent provisioning registry maps the instance to its application.',
    },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const value = await ai.associationStatus(req.params.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'Collection(microsoft.graph.teamsAdministration.statusRecord)'), value });
  });

  // -------------------------------------------------------------- registry
  app.get<{ Querystring: { $top?: string; $skiptoken?: string; $filter?: string } }>(MAPPINGS, {
    schema: {
      tags: [TAG], summary: 'List the agent provisioning registry',
      description: "Every mapping object id → application (+ ACS resource, callback, and the instance as last synced); it can outlive a deleted instance. $filter=appId eq '…' narrows to one application.",
    },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const q = checkQueryOptions(req.query, ['$top', '$skiptoken', '$filter']);
    const top = parseTop(q.$top, MAX_PAGE, DEFAULT_PAGE);
    const after = decodeSkipToken(q.$skiptoken, isAfter)?.a;
    let appId: string | undefined;
    if (q.$filter !== undefined) {
      const m = /^\s*appId\s+eq\s+'([0-9a-fA-F-]{36})'\s*$/i.exec(q.$filter);
      if (!m?.[1]) throw appInstanceErrors.invalidGuid('$filter', q.$filter);
      appId = m[1].toLowerCase();
    }
    const { items, next } = await ai.listMappings({ top, after, appId });
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'admin/teams/agentProvisioningMappings'),
      ...(next ? { '@odata.nextLink': nextLink(baseUrl(req), req.url, encodeSkipToken({ a: next })) } : {}),
      value: items,
    });
  });

  app.get<{ Params: Static<typeof ObjectIdParams> }>(`${MAPPINGS}/:id`, {
    schema: { tags: [TAG], summary: 'Get the registry mapping of an object id', params: ObjectIdParams, description: '404 InstanceNotRegistered when there is none.' },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const m = await ai.getMapping(req.params.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'admin/teams/agentProvisioningMappings/$entity'), ...m });
  });

  // -------------------------------------------------------- configurations
  app.get<{ Params: { id: string } }>(`${CONFIGURATIONS}/:id`, {
    schema: {
      tags: [TAG], summary: 'The instances associated with an Auto Attendant or Call Queue',
      description: "Read-only: a configuration as its associations describe it ({ id, configurationType, applicationInstances }), what Get-CsAutoAttendant shows as ApplicationInstances. 404 ConfigurationNotFound when no instance is associated.",
    },
    config: { permissions: Require.appInstanceRead },
  }, async (req, reply) => {
    const c = await ai.configuration(req.params.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'admin/teams/applicationConfigurations/$entity'), ...c });
  });
}

