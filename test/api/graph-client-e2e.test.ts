/**
 * Drives the server with the official Microsoft Graph JavaScript client,
 * the way scripts written for Entra do, and checks every response body
 * against the Graph OpenAPI subset.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { graphClient } from '../helpers/graph-client.ts';
import { assertGraphShape } from '../helpers/graph-openapi.ts';

const SCIM_APP_TEMPLATE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

describe('Graph client end to end', () => {
  let server: TestServer;
  let graph: Client;
  before(async () => {
    server = await startTestServer();
    graph = graphClient(server.url, () => server.token());
  });
  after(async () => server.close());

  test('instantiate, secrets, job lifecycle, schema round trip, delete → 404', async () => {
    const created = await graph.api(`/applicationTemplates/${SCIM_APP_TEMPLATE}/instantiate`).post({ displayName: 'Contoso SCIM app' });
    const spId = created.servicePrincipal.id as string;
    assert.equal(created.servicePrincipal.applicationTemplateId, SCIM_APP_TEMPLATE);
    assert.equal(created.application.appId, created.servicePrincipal.appId);

    const templates = await graph.api(`/servicePrincipals/${spId}/synchronization/templates`).get();
    assertGraphShape('microsoft.graph.synchronizationTemplateCollectionResponse', templates);
    assert.ok(templates.value.some((t: { id: string; factoryTag: string }) => t.id === 'scim' && t.factoryTag === 'scim'));

    await graph.api(`/servicePrincipals/${spId}/synchronization/secrets`).put({
      value: [
        { key: 'BaseAddress', value: 'https://scim.example.test/scim' },
        { key: 'SecretToken', value: 'super-secret-token-value' },
        { key: 'SyncNotificationSettings', value: '{"Enabled":false,"DeleteThresholdEnabled":false}' },
        { key: 'SyncAll', value: 'false' },
      ],
    });

    const job = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs`).post({ templateId: 'scim' });
    assertGraphShape('microsoft.graph.synchronizationJob', job);
    assert.match(job.id, /^scim\.[0-9a-f]{32}\.[0-9a-f-]{36}$/);
    assert.equal(job.schedule.state, 'Disabled');
    assert.equal(job.schedule.interval, 'P10675199DT2H48M5.4775807S');
    assert.equal(job.status.code, 'Paused');
    assert.equal(job.status.steadyStateFirstAchievedTime, '0001-01-01T00:00:00Z');

    const read = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}`).get();
    assertGraphShape('microsoft.graph.synchronizationJob', read);
    assert.equal(read.id, job.id);

    const list = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs`).get();
    assertGraphShape('microsoft.graph.synchronizationJobCollectionResponse', list);
    assert.equal(list.value.length, 1);

    const schema = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}/schema`).get();
    assertGraphShape('microsoft.graph.synchronizationSchema', schema);
    assert.equal(schema.id, job.id);
    assert.ok(schema.directories.length >= 2);

    // Change the schema the documented way: GET, edit, PUT the whole of it back.
    const mapping = schema.synchronizationRules[0].objectMappings[0];
    mapping.name = 'Provision users (edited)';
    await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}/schema`).put(schema);
    const changed = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}/schema`).get();
    assertGraphShape('microsoft.graph.synchronizationSchema', changed);
    assert.equal(changed.synchronizationRules[0].objectMappings[0].name, 'Provision users (edited)');
    assert.notEqual(changed.version, schema.version);

    await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}/start`).post(null);
    const started = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}`).get();
    assert.equal(started.schedule.state, 'Active');
    assert.equal(started.schedule.interval, 'PT40M');
    assert.equal(started.status.code, 'NotRun');

    await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}/pause`).post(null);
    const paused = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}`).get();
    assert.equal(paused.schedule.state, 'Paused');
    assert.equal(paused.status.code, 'Paused');

    await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}/restart`).post({ criteria: { resetScope: 'Watermark, Escrows, QuarantineState' } });
    const record = await server.services.sync.getJob(spId, job.id);
    assert.equal(record.pendingResetScope, 'Escrows, Watermark, QuarantineState');

    await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}`).delete();
    await assert.rejects(graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}`).get(), (e: { statusCode: number; code: string }) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, 'itemNotFound');
      return true;
    });

    // The secret never comes back in clear, and never reaches the logs.
    const secrets = await graph.api(`/servicePrincipals/${spId}/synchronization/secrets`).get();
    assert.deepEqual(secrets.value.find((s: { key: string }) => s.key === 'SecretToken'), { key: 'SecretToken', value: '******' });
    assert.equal(secrets.value.find((s: { key: string }) => s.key === 'BaseAddress').value, 'https://scim.example.test/scim');
    assert.ok(!server.logLines.join('\n').includes('super-secret-token-value'), 'secret value found in the logs');
  });

  test('PUT synchronization sets jobs, secrets and templates in one call (seed 001), read back', async () => {
    const created = await graph.api(`/applicationTemplates/${SCIM_APP_TEMPLATE}/instantiate`).post({ displayName: 'Seed 001 app' });
    const spId = created.servicePrincipal.id as string;
    const appObjectId = created.application.id as string;
    const templateSchema = await graph.api(`/applications/${appObjectId}/synchronization/templates/scim/schema`).get();
    const jobId = `scim.${'0'.repeat(32)}.6f1c8a52-3f0e-4d8c-9b1a-2c3d4e5f6a7b`;
    await graph.api(`/servicePrincipals/${spId}/synchronization`).put({
      secrets: [
        { key: 'BaseAddress', value: 'https://scim.example.test/v2' },
        { key: 'SecretToken', value: 'seed-001-token' },
      ],
      templates: [{ id: 'scim', factoryTag: 'scim', description: 'Customised SCIM template', discoverable: true, default: true, schema: templateSchema }],
      jobs: [{ id: jobId, templateId: 'scim', schedule: { interval: 'PT20M' }, synchronizationJobSettings: [{ name: 'QuarantineTooManyDeletesThreshold', value: '100' }] }],
    });

    const sync = await graph.api(`/servicePrincipals/${spId}/synchronization`).expand('jobs,templates').get();
    assertGraphShape('microsoft.graph.synchronization', sync);
    assert.deepEqual(sync.secrets.map((s: { key: string }) => s.key).sort(), ['BaseAddress', 'SecretToken']);
    assert.equal(sync.jobs.length, 1);
    assert.equal(sync.jobs[0].id, jobId);
    assert.equal(sync.jobs[0].schedule.interval, 'PT20M');
    assert.deepEqual(sync.jobs[0].synchronizationJobSettings.find((s: { name: string }) => s.name === 'QuarantineTooManyDeletesThreshold'), { name: 'QuarantineTooManyDeletesThreshold', value: '100' });
    const t = sync.templates.find((x: { id: string }) => x.id === 'scim');
    assert.equal(t.description, 'Customised SCIM template');

    // The application side addresses the same synchronization (the seed cmdlets use it).
    const viaApp = await graph.api(`/applications/${appObjectId}/synchronization/jobs/${jobId}`).get();
    assertGraphShape('microsoft.graph.synchronizationJob', viaApp);
    assert.equal(viaApp.schedule.interval, 'PT20M');
    await graph.api(`/applications/${appObjectId}/synchronization/jobs/${jobId}/start`).post(null);
    const started = await graph.api(`/servicePrincipals/${spId}/synchronization/jobs/${jobId}`).get();
    assert.equal(started.schedule.state, 'Active');
    assert.equal(started.schedule.interval, 'PT20M');
  });
});
