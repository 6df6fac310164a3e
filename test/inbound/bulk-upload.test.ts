/**
 * API-driven inbound provisioning over real HTTP: the API2AAD template and
 * job, bulkUpload's 202, processing within seconds into the directory
 * (create, update, enable, disable, matching externalId ↔ employeeId),
 * managers resolved in the second pass whether the manager arrives in the
 * same or a later upload, per-record provisioning logs, a paused job, and
 * the "absent active" rule and its setting.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { validateSchemaWithExpressions } from '../../src/sync/expression-checks.ts';
import { api2aadDefaultSchema, ad2aadDefaultSchema } from '../../src/sync/templates/inbound.ts';
import type { ProvisioningObjectSummary } from '../../src/engine/log-entry.ts';
import { openTestPostgresStore, postgresSkipReason } from '../helpers/postgres.ts';
import type { Store } from '../../src/store/store.ts';
import { bulkRequest, createInboundApp, processed, scimUser, upload, userByEmployeeId, waitFor, ENTERPRISE } from './helpers.ts';
import type { InboundApp } from './helpers.ts';

async function logsOf(server: TestServer, filter: string): Promise<ProvisioningObjectSummary[]> {
  const res = await server.api(`/v1.0/auditLogs/provisioning?$filter=${encodeURIComponent(filter)}&$top=500`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return (JSON.parse(text) as { value: ProvisioningObjectSummary[] }).value;
}

/** The server closes its store; the PostgreSQL schema is dropped by the disposer, which closes it too. */
function keepOpen(store: Store): Store {
  return new Proxy(store, { get: (t, p, r) => (p === 'close' ? () => Promise.resolve() : Reflect.get(t, p, r) as unknown) });
}

for (const backend of ['sqlite', 'postgres'] as const) {
const skip = backend === 'postgres' ? await postgresSkipReason() : undefined;
describe(`API-driven inbound provisioning (bulkUpload) on ${backend}`, { skip }, () => {
  let server: TestServer;
  let app: InboundApp;
  let domain: string;
  let pg: { store: Store; dispose(): Promise<void> } | undefined;
  const upn = (n: string) => `${n}@${domain}`;

  before(async () => {
    pg = backend === 'postgres' ? await openTestPostgresStore('inbound') : undefined;
    server = await startTestServer({ logLevel: 'warn', ...(pg ? { store: keepOpen(pg.store) } : {}) });
    domain = server.services.tenant.domain;
    app = await createInboundApp(server);
    const start = await server.api(`/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}/start`, { method: 'POST' });
    assert.equal(start.status, 204);
  });
  after(async () => {
    await server.close();
    await pg?.dispose();
  });

  test('the default schemas of API2AAD and AD2AADProvisioning are valid, expressions included', () => {
    assert.deepEqual(validateSchemaWithExpressions(api2aadDefaultSchema()), []);
    assert.deepEqual(validateSchemaWithExpressions(ad2aadDefaultSchema()), []);
  });

  test('the job has Graph\'s API2AAD id form and the inbound schema', async () => {
    assert.match(app.jobId, new RegExp(`^API2AAD\\.${server.services.tenant.id.replace(/-/g, '')}\\.[0-9a-f-]{36}$`));
    const schema = (await (await server.api(`/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}/schema`)).json()) as {
      directories: { name: string }[]; synchronizationRules: { name: string; sourceDirectoryName: string; targetDirectoryName: string; objectMappings: { attributeMappings: { targetAttributeName: string; matchingPriority: number; source: { name: string } }[] }[] }[];
    };
    assert.deepEqual(schema.directories.map((d) => d.name), ['API', 'Azure Active Directory']);
    const rule = schema.synchronizationRules[0]!;
    assert.equal(rule.name, 'USER_INBOUND_USER');
    const matching = rule.objectMappings[0]!.attributeMappings.filter((m) => m.matchingPriority > 0);
    assert.deepEqual(matching.map((m) => [m.source.name, m.targetAttributeName]), [['externalId', 'employeeId']]);
  });

  test('the OpenAPI document lists bulkUpload on both sides, as application/scim+json', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, { post?: { requestBody?: { content: Record<string, unknown> } } }> };
    for (const side of ['servicePrincipals', 'applications']) {
      const op = doc.paths[`/v1.0/${side}/{ownerId}/synchronization/jobs/{jobId}/bulkUpload`]?.post;
      assert.ok(op, side);
      assert.deepEqual(Object.keys(op.requestBody!.content), ['application/scim+json']);
    }
  });

  test('202 with an empty body and a Location at the job\'s logs; the manager named before it arrives is resolved in the second pass', async () => {
    // Kathy comes first and names Barbara, who is created later in the same request (G-BULK example 1, reversed).
    const res = await upload(server, app, bulkRequest([
      scimUser({ externalId: '701985', userName: upn('kjensen'), givenName: 'Kathy', familyName: 'Jensen', displayName: 'Kathy Jensen', title: 'Tour Lead', department: 'Tour Operations', manager: '701984', active: true }),
      scimUser({ externalId: '701984', userName: upn('bjensen'), givenName: 'Barbara', familyName: 'Jensen', displayName: 'Babs Jensen', title: 'Tour Guide', department: 'Tour Operations', active: true, extra: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }] } }),
    ]));
    const text = await res.text();
    assert.equal(res.status, 202, text);
    assert.equal(text, '');
    assert.equal(res.headers.get('location'), `${server.url}/v1.0/auditLogs/provisioning/?$filter=jobid%20eq%20'${app.jobId}'`);
    await processed(server, app.jobId);
    const barbara = await userByEmployeeId(server, '701984');
    const kathy = await userByEmployeeId(server, '701985');
    assert.ok(barbara && kathy, 'both users exist');
    assert.equal(barbara.userPrincipalName, upn('bjensen'));
    assert.equal(barbara.mailNickname, 'bjensen');
    assert.equal(barbara.mail, 'bjensen@example.com');
    assert.equal(barbara.jobTitle, 'Tour Guide');
    assert.equal(barbara.department, 'Tour Operations');
    assert.equal(barbara.accountEnabled, true);
    assert.equal(kathy.managerId, barbara.id, 'Kathy reports to Barbara');

    const logs = await logsOf(server, `jobid eq '${app.jobId}' and sourceIdentity/id eq '701985'`);
    const create = logs.find((e) => e.provisioningAction === 'create')!;
    assert.ok(create, 'a create entry for Kathy');
    assert.equal(create.provisioningStatusInfo.status, 'success');
    assert.equal(create.sourceSystem.displayName, 'API');
    assert.equal(create.sourceIdentity.identityType, ENTERPRISE);
    assert.deepEqual(create.provisioningSteps.map((s) => s.name), ['EntryImportAdd', 'EntrySynchronizationScoping', 'EntrySynchronizationAdd', 'EntrySynchronizationSkip', 'EntryExportAdd']);
    const skip = create.provisioningSteps.find((s) => s.name === 'EntrySynchronizationSkip')!;
    assert.equal(skip.details.SkipReason, 'UnableToResolveReferenceAttributeValue');
    assert.equal(create.provisioningSteps[0]!.details.urnietfparamsscimschemasextensionenterprise20Userdepartment, 'Tour Operations');
    const second = logs.find((e) => e !== create && e.changeId === create.changeId)!;
    assert.ok(second, 'the reference pass logs an entry with the same changeId');
    assert.deepEqual(second.provisioningSteps.map((s) => s.name), ['EntryExportUpdate']);
    assert.deepEqual(second.modifiedProperties, [{ displayName: 'manager', oldValue: null, newValue: barbara.id }]);
    assert.equal(create.cycleId, second.cycleId, 'same cycle');

    // The Location header is a working query (Entra's form: trailing slash, lower-case jobid).
    const located = (await (await server.api(res.headers.get('location')!.slice(server.url.length))).json()) as { value: { jobId: string }[] };
    assert.ok(located.value.length >= 3 && located.value.every((e) => e.jobId === app.jobId));
    const job = (await (await server.api(`/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}`)).json()) as { status: { lastExecution: { countImported: number; state: string } } };
    assert.equal(job.status.lastExecution.state, 'Succeeded');
  });

  test('the application side accepts uploads too; a manager arriving in a later upload is resolved then', async () => {
    const first = await upload(server, app, bulkRequest([
      scimUser({ externalId: 'E-200', userName: upn('carol'), displayName: 'Carol', manager: 'E-100', active: true }),
    ]), { side: 'applications' });
    assert.equal(first.status, 202);
    await processed(server, app.jobId);
    const carol = await userByEmployeeId(server, 'E-200');
    assert.ok(carol);
    assert.equal(carol.managerId, null, 'the manager does not exist yet');
    const pending = await server.services.store.db.selectFrom('inbound_pending_refs').selectAll().where('job_id', '=', app.jobId).execute();
    assert.deepEqual(pending.map((p) => p.ref_anchor), ['E-100'], 'the reference is kept durably');

    assert.equal((await upload(server, app, bulkRequest([scimUser({ externalId: 'E-100', userName: upn('dave'), displayName: 'Dave', active: true })]))).status, 202);
    await processed(server, app.jobId);
    const dave = await userByEmployeeId(server, 'E-100');
    assert.equal((await userByEmployeeId(server, 'E-200'))?.managerId, dave?.id);
    assert.equal((await server.services.store.db.selectFrom('inbound_pending_refs').selectAll().where('job_id', '=', app.jobId).execute()).length, 0);
  });

  test('a manager created outside the job is found through the matching attribute by the next scheduled cycle', async () => {
    await upload(server, app, bulkRequest([scimUser({ externalId: 'E-300', userName: upn('erin'), displayName: 'Erin', manager: 'EXT-1', active: true })]));
    await processed(server, app.jobId);
    assert.equal((await userByEmployeeId(server, 'E-300'))!.managerId, null);
    const boss = await server.services.directory.createUser({ accountEnabled: true, displayName: 'Outside Boss', mailNickname: 'oboss', userPrincipalName: upn('oboss'), employeeId: 'EXT-1' });
    await server.services.runner.runNow(app.jobId);
    assert.equal((await userByEmployeeId(server, 'E-300'))!.managerId, boss.id);
  });

  test('update, disable, enable; a record without active disables (Entra); the same record twice is processed in order', async () => {
    await upload(server, app, bulkRequest([
      scimUser({ externalId: '701984', department: 'Tour Ops', title: 'Head Guide', active: true }),
      scimUser({ externalId: '701985', active: false }),
      scimUser({ externalId: 'E-100', displayName: 'Dave D.' }),
      scimUser({ externalId: 'E-100', displayName: 'David' }),
    ]));
    await processed(server, app.jobId);
    const barbara = (await userByEmployeeId(server, '701984'))!;
    assert.equal(barbara.department, 'Tour Ops');
    assert.equal(barbara.jobTitle, 'Head Guide');
    assert.equal(barbara.displayName, 'Babs Jensen', 'attributes left out of the record are unchanged');
    assert.equal((await userByEmployeeId(server, '701985'))!.accountEnabled, false);
    const dave = (await userByEmployeeId(server, 'E-100'))!;
    assert.equal(dave.displayName, 'David', 'the later record of the same externalId wins');
    assert.equal(dave.accountEnabled, false, 'active left out: disabled, as Entra does');
    const logs = await logsOf(server, `jobid eq '${app.jobId}' and sourceIdentity/id eq '701985'`);
    const disable = logs.find((e) => e.provisioningAction === 'disable')!;
    assert.ok(disable);
    assert.deepEqual(disable.modifiedProperties, [{ displayName: 'accountEnabled', oldValue: 'True', newValue: 'False' }]);
    assert.equal(disable.provisioningSteps[1]!.name, 'EntryImport', 'an existing user is retrieved first');

    await upload(server, app, bulkRequest([scimUser({ externalId: '701985', active: true })]));
    await processed(server, app.jobId);
    assert.equal((await userByEmployeeId(server, '701985'))!.accountEnabled, true, 'enabled again');
  });

  test('with AbsentActiveMeansUnchanged = True a record without active leaves the account as it is', async () => {
    const job = await server.services.sync.getJob(app.spId, app.jobId);
    const settings = job.settings.map((s) => (s.name === 'AbsentActiveMeansUnchanged' ? { ...s, value: 'True' } : s));
    const put = await server.api(`/v1.0/servicePrincipals/${app.spId}/synchronization`, { method: 'PUT', json: { jobs: [{ id: app.jobId, synchronizationJobSettings: settings }] } });
    assert.equal(put.status, 204, await put.text());
    await upload(server, app, bulkRequest([
      scimUser({ externalId: '701985', title: 'Senior Lead' }),
      scimUser({ externalId: 'N-1', userName: upn('newbie'), displayName: 'Newbie' }),
    ]));
    await processed(server, app.jobId);
    const kathy = (await userByEmployeeId(server, '701985'))!;
    assert.equal(kathy.jobTitle, 'Senior Lead');
    assert.equal(kathy.accountEnabled, true, 'still enabled');
    assert.equal((await userByEmployeeId(server, 'N-1'))!.accountEnabled, true, 'a new user without active is created enabled');
  });

  test('a custom extension attribute added to the API schema (as CSV2SCIM does) flows to the directory', async () => {
    const base = `/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}/schema`;
    const schema = (await (await server.api(base)).json()) as {
      directories: { name: string; objects: { attributes: Record<string, unknown>[] }[] }[];
      synchronizationRules: { objectMappings: { attributeMappings: Record<string, unknown>[] }[] }[];
    };
    const name = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:JobCode';
    schema.directories.find((d) => d.name === 'API')!.objects[0]!.attributes.push({
      anchor: false, caseExact: false, flowNullValues: false, multivalued: false, mutability: 'ReadWrite', name, required: false, type: 'String',
      apiExpressions: [], metadata: [], referencedObjects: [],
    });
    schema.synchronizationRules[0]!.objectMappings[0]!.attributeMappings.push({
      defaultValue: null, exportMissingReferences: false, flowBehavior: 'FlowWhenChanged', flowType: 'Always', matchingPriority: 0,
      source: { expression: `[${name}]`, name, parameters: [], type: 'Attribute' }, targetAttributeName: 'extensionAttribute1',
    });
    const put = await server.api(base, { method: 'PUT', json: schema });
    assert.equal(put.status, 204, await put.text());
    const user = scimUser({ externalId: 'C-1', userName: upn('custom'), displayName: 'Custom', active: true });
    user.schemas = [...(user.schemas as string[]), 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'];
    user['urn:ietf:params:scim:schemas:extension:contoso:1.0:User'] = { JobCode: 'AB-1002' };
    assert.equal((await upload(server, app, bulkRequest([user]))).status, 202);
    await processed(server, app.jobId);
    assert.equal((await userByEmployeeId(server, 'C-1'))?.onPremisesExtensionAttributes.extensionAttribute1, 'AB-1002');
  });

  test('records staged by another process (an API-only one) are picked up within seconds by the poller', async () => {
    const user = scimUser({ externalId: 'X-1', userName: upn('elsewhere'), displayName: 'Staged elsewhere', active: true });
    await server.services.inbound.staging.stage(app.jobId, [{ bulkId: 'X-1', externalId: 'X-1', data: user }], null);
    await waitFor('the poller to process the record', async () => (await userByEmployeeId(server, 'X-1')) !== undefined, 8000);
  });

  test('provision on demand is refused for an inbound job', async () => {
    const res = await server.api(`/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}/provisionOnDemand`, {
      method: 'POST', json: { parameters: [{ ruleId: 'x', subjects: [{ objectId: '701984', objectTypeName: 'User' }] }] },
    });
    const body = (await res.json()) as { error: { message: string } };
    assert.equal(res.status, 400);
    assert.match(body.error.message, /Provision on demand is not supported for API-driven provisioning jobs/);
  });

  test('a paused job accepts uploads and processes them when started', async () => {
    const base = `/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}`;
    assert.equal((await server.api(`${base}/pause`, { method: 'POST' })).status, 204);
    const res = await upload(server, app, bulkRequest([scimUser({ externalId: 'P-1', userName: upn('paused'), displayName: 'Paused Joiner', active: true })]));
    assert.equal(res.status, 202);
    await server.services.inbound.idle(app.jobId);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await server.services.inbound.staging.pending(app.jobId)).count, 1, 'staged, not processed');
    assert.equal(await userByEmployeeId(server, 'P-1'), undefined);
    assert.equal((await server.api(`${base}/start`, { method: 'POST' })).status, 204);
    await processed(server, app.jobId);
    assert.ok(await userByEmployeeId(server, 'P-1'), 'processed once started');
  });
  test('a restart purges what was staged before it (Entra, for an idle job)', async () => {
    const base = `/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}`;
    assert.equal((await server.api(`${base}/pause`, { method: 'POST' })).status, 204);
    assert.equal((await upload(server, app, bulkRequest([scimUser({ externalId: 'R-1', userName: upn('restarted'), displayName: 'Before restart', active: true })]))).status, 202);
    assert.equal((await server.api(`${base}/restart`, { method: 'POST' })).status, 204);
    assert.equal((await server.api(`${base}/start`, { method: 'POST' })).status, 204);
    await processed(server, app.jobId);
    assert.equal(await userByEmployeeId(server, 'R-1'), undefined, 'purged, not processed');
    assert.equal((await upload(server, app, bulkRequest([scimUser({ externalId: 'R-2', userName: upn('after'), displayName: 'After restart', active: true })]))).status, 202);
    await processed(server, app.jobId);
    assert.ok(await userByEmployeeId(server, 'R-2'), 'uploads after the restart are processed');
  });
});
}
