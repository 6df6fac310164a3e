/**
 * The on-demand operations over HTTP against the scimmy application:
 * provisionOnDemand for a user and for a group with members, on both sides
 * (seed 002), for a job that was never started; its response shape; its
 * rate limit; its bad inputs. validateCredentials, job-bound and
 * collection-bound. And through the job runner: a bad token quarantines
 * the job with the right reason; fixing the secret and Start clear it.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { assertGraphShape } from '../helpers/graph-openapi.ts';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { seedTenant } from '../../src/directory/seed.ts';
import { SCIM_RULE_ID } from '../../src/sync/templates/scim.ts';

const CUSTOM_APP = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

interface Step { name: string; type: string; status: string; description: string; timestamp: string; details: Record<string, string> }
interface Status {
  action: string; changeId: string; startTime: string; endTime: string; reportableIdentifier: string;
  provisioningSteps: Step[]; modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[];
  statusInfo: { status: string; errorCode: string | null; reason: string | null };
  sourceIdentity: { id: string; type: string }; targetIdentity: { id: string | null; type: string };
  sourceSystem: { name: string }; targetSystem: { name: string };
  members?: Status[];
}

async function newApp(server: TestServer, name: string): Promise<{ appObjectId: string; spId: string }> {
  const res = await server.api(`/v1.0/applicationTemplates/${CUSTOM_APP}/instantiate`, { method: 'POST', json: { displayName: name } });
  const body = (await res.json()) as { application: { id: string }; servicePrincipal: { id: string } };
  return { appObjectId: body.application.id, spId: body.servicePrincipal.id };
}

async function newJob(server: TestServer, spId: string): Promise<string> {
  const res = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`, { method: 'POST', json: { templateId: 'scim' } });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

async function putSecrets(server: TestServer, spId: string, secrets: Record<string, string>): Promise<void> {
  const res = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/secrets`, {
    method: 'PUT', json: { value: Object.entries(secrets).map(([key, value]) => ({ key, value })) },
  });
  assert.equal(res.status, 204);
}

const pod = (ruleId: string, subject: Record<string, unknown>) => ({ parameters: [{ ruleId, subjects: [subject] }] });

describe('provisionOnDemand and validateCredentials', () => {
  let server: TestServer;
  let scim: SampleScimApp;
  let appObjectId: string;
  let spId: string;
  let jobId: string;
  let user: { id: string; upn: string };
  let group: { id: string; name: string; members: string[] };
  const podUrl = (job = jobId) => `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${job}/provisionOnDemand`;

  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    scim = await startSampleScimApp({ entraCompat: true });
    ({ appObjectId, spId } = await newApp(server, 'On-demand app'));
    const dir = server.services.directory;
    await seedTenant(dir, { users: 40, groups: 6, avgMembers: 6, seed: 12, assignTo: spId });
    jobId = await newJob(server, spId);
    await putSecrets(server, spId, { BaseAddress: scim.url, SecretToken: scim.token });
    // An assigned group with at least three members, and a directly assigned user outside it.
    const assigned: string[] = [];
    for await (const b of dir.streamAssignments(spId)) for (const a of b) if (a.principalType === 'Group') assigned.push(a.principalId);
    const groups = await dir.getGroupsByIds(assigned);
    for (const g of groups) {
      const members: string[] = [];
      for await (const b of dir.streamGroupMemberIds(g.id)) for (const m of b) if (m.type === 'user') members.push(m.id);
      const enabled = (await dir.getUsersByIds(members)).filter((u) => u.accountEnabled).map((u) => u.id);
      if (enabled.length >= 3) {
        group = { id: g.id, name: g.displayName ?? g.id, members: enabled.slice(0, 3) };
        break;
      }
    }
    assert.ok(group, 'the seed has an assigned group with three enabled members');
    const all: { id: string; userPrincipalName: string; accountEnabled: boolean }[] = [];
    for await (const b of dir.streamUsers()) all.push(...b);
    const ents = await dir.getEntitlements(spId, all.map((u) => u.id));
    const direct = all.find((u, i) => u.accountEnabled && ents[i]!.direct.length > 0 && !group.members.includes(u.id))!;
    user = { id: direct.id, upn: direct.userPrincipalName };
  });
  after(async () => {
    await server.close();
    await scim.close();
  });

  test('a user, for a job never started: created now, answered step by step in Graph\'s stringKeyStringValuePair', async () => {
    const res = await server.api(podUrl(), { method: 'POST', json: pod(SCIM_RULE_ID, { objectId: user.id, objectTypeName: 'User' }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { '@odata.context': string; key: string; value: string };
    assert.match(body['@odata.context'], /\/v1\.0\/\$metadata#microsoft\.graph\.stringKeyStringValuePair$/);
    assertGraphShape('microsoft.graph.stringKeyStringValuePair', body);
    assert.deepEqual(JSON.parse(body.key), { result: 'Success', details: {} });
    const v = JSON.parse(body.value) as Status;
    assert.equal(v.action, 'Create');
    assert.equal(v.statusInfo.status, 'Success');
    assert.equal(v.statusInfo.errorCode, null);
    assert.equal(v.reportableIdentifier, user.upn);
    assert.deepEqual(v.sourceIdentity, { id: user.id, type: 'User', displayName: user.upn, details: null });
    assert.deepEqual(v.sourceSystem, { id: null, name: 'Azure Active Directory', details: null });
    assert.deepEqual(v.targetSystem, { id: null, name: 'customappsso', details: null });
    assert.equal(v.targetIdentity.type, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    const created = scim.users().find((u) => String(u.userName).toLowerCase() === user.upn.toLowerCase())!;
    assert.equal(v.targetIdentity.id, created.id);
    assert.deepEqual(v.provisioningSteps.slice(0, 4).map((s) => [s.name, s.type, s.status]), [
      ['EntryImport', 'Import', 'Success'],
      ['EntrySynchronizationScoping', 'Scoping', 'Success'],
      ['EntrySynchronizationAdd', 'Matching', 'Success'],
      ['EntryExportAdd', 'Export', 'Success'],
    ]);
    // Then the manager: set when it is provisioned, else a warning that the next cycle sets it.
    for (const s of v.provisioningSteps.slice(4)) assert.equal(s.type, 'ReferenceResolution');
    assert.equal(v.provisioningSteps[1]!.details['Assigned to the application'], 'True');
    assert.ok(v.modifiedProperties.some((m) => m.displayName === 'userName' && m.newValue?.toLowerCase() === user.upn.toLowerCase()));
    assert.ok(Date.parse(v.startTime) <= Date.parse(v.endTime));
    const job = (await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).json()) as { schedule: { state: string } };
    assert.equal(job.schedule.state, 'Disabled', 'the job stays as it was');
    // The same request again: nothing to do, as Entra answers it.
    const again = await server.api(podUrl(), { method: 'POST', json: pod(SCIM_RULE_ID, { objectId: user.id, objectTypeName: 'user' }) });
    const a = (await again.json()) as { key: string; value: string };
    assert.deepEqual(JSON.parse(a.key), { result: 'Skipped', details: { errorCode: 'RedundantExport', errorMessage: 'The state of the user in both the source and target systems already match.' } });
    assert.equal((JSON.parse(a.value) as Status).action, 'Other');
    assert.equal((JSON.parse(a.value) as Status).statusInfo.status, 'Skipped');
    // Logged like a cycle's work, initiated by the caller.
    const logs = await server.api(`/v1.0/auditLogs/provisioning?$filter=${encodeURIComponent(`jobId eq '${jobId}'`)}`);
    assert.equal(logs.status, 200);
    const entries = ((await logs.json()) as { value: { provisioningAction: string; sourceIdentity: { id: string }; initiatedBy: { id: string; initiatorType: string } }[] }).value;
    const mine = entries.filter((e) => e.sourceIdentity.id === user.id);
    assert.deepEqual(mine.map((e) => e.provisioningAction).sort(), ['create', 'other']);
    assert.ok(mine.every((e) => e.initiatedBy.initiatorType === 'application' && e.initiatedBy.id === server.clientId));
  });

  test('a group with members, on the application side: the group, its members and the memberships', async () => {
    const res = await server.api(`/v1.0/applications/${appObjectId}/synchronization/jobs/${jobId}/provisionOnDemand`, {
      method: 'POST',
      json: pod(SCIM_RULE_ID, { objectId: group.id, objectTypeName: 'Group', links: { members: group.members.map((id) => ({ objectId: id, objectTypeName: 'User' })) } }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { key: string; value: string };
    assert.deepEqual(JSON.parse(body.key), { result: 'Success', details: {} });
    const v = JSON.parse(body.value) as Status;
    assert.equal(v.action, 'Create');
    assert.equal(v.sourceIdentity.type, 'Group');
    assert.equal(v.members?.length, 3);
    assert.ok(v.members!.every((m) => m.action === 'Create' && m.statusInfo.status === 'Success'));
    const step = v.provisioningSteps.find((s) => s.type === 'ReferenceResolution')!;
    assert.equal(step.status, 'Success');
    assert.match(step.description, /3 member\(s\) added/);
    const g = scim.groups().find((x) => x.displayName === group.name)!;
    const userIds = v.members!.map((m) => m.targetIdentity.id).sort();
    assert.deepEqual(((g.members ?? []) as { value: string }[]).map((m) => m.value).sort(), userIds);
  });

  test('bad inputs are Graph 400s naming the parameter', async () => {
    const job = await newJob(server, spId);
    const cases: [unknown, string, RegExp][] = [
      [pod('not-a-rule', { objectId: user.id, objectTypeName: 'User' }), 'RequestParameterInvalid',
        new RegExp(`^The request identified this synchronization job: ${job.replace(/\./g, '\\.')}\\.  The request also identified this synchronization rule: not-a-rule\\.  However, the job does not include the rule\\.$`)],
      [pod(SCIM_RULE_ID, { objectId: group.id, objectTypeName: 'Group', links: { members: Array.from({ length: 6 }, () => ({ objectId: user.id, objectTypeName: 'User' })) } }), 'Request_BadRequest', /at most 5 members/],
      [pod(SCIM_RULE_ID, { objectId: '5f0c1e52-0000-4000-8000-000000000000', objectTypeName: 'User' }), 'RequestParameterInvalid', /does not exist/],
      [pod(SCIM_RULE_ID, { objectId: user.id, objectTypeName: 'Worker' }), 'Request_BadRequest', /objectTypeName 'Worker'/],
      [pod(SCIM_RULE_ID, { objectId: 'a\u0000b', objectTypeName: 'User' }), 'Request_BadRequest', /not a valid objectId/],
      [{ parameters: [{ ruleId: SCIM_RULE_ID, subjects: [{ objectId: user.id, objectTypeName: 'User', colour: 'red' }] }] }, 'Request_BadRequest', /colour/],
      [{}, 'Request_BadRequest', /parameters/],
    ];
    for (const [body, code, message] of cases) {
      const res = await server.api(podUrl(job), { method: 'POST', json: body });
      const err = (await res.json()) as { error: { code: string; message: string; innerError: { 'request-id': string } } };
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(err.error.code, code);
      assert.match(err.error.message, message);
      assert.ok(err.error.innerError['request-id']);
    }
    const readOnly = await server.services.tokens.issue('reader', ['Synchronization.Read.All']);
    const denied = await server.api(podUrl(job), { method: 'POST', headers: { authorization: `Bearer ${readOnly.token}` }, json: pod(SCIM_RULE_ID, { objectId: user.id, objectTypeName: 'User' }) });
    assert.equal(denied.status, 403);
  });

  test('5 requests per 10 s per job; the 6th is a 429 with Retry-After', async () => {
    const job = await newJob(server, spId);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await server.api(podUrl(job), { method: 'POST', json: pod(SCIM_RULE_ID, { objectId: user.id, objectTypeName: 'User' }) });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    const sixth = await server.api(podUrl(job), { method: 'POST', json: pod(SCIM_RULE_ID, { objectId: user.id, objectTypeName: 'User' }) });
    assert.equal(sixth.status, 429);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);
    assert.equal(((await sixth.json()) as { error: { code: string } }).error.code, 'TooManyRequests');
    // The limit is per job: another job is not held back.
    const other = await server.api(podUrl(jobId), { method: 'POST', json: pod(SCIM_RULE_ID, { objectId: user.id, objectTypeName: 'User' }) });
    assert.equal(other.status, 200);
  });

  test('validateCredentials, job-bound: saved credentials, given ones, a wrong token', async () => {
    const url = `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/validateCredentials`;
    assert.equal((await server.api(url, { method: 'POST', json: { useSavedCredentials: true } })).status, 204);
    assert.equal((await server.api(url, { method: 'POST' })).status, 204, 'no body: the saved credentials');
    assert.equal((await server.api(url, { method: 'POST', json: { credentials: [{ key: 'SecretToken', value: '******' }] } })).status, 204, 'a masked value means the saved one');
    const wrong = await server.api(url, { method: 'POST', json: { credentials: [{ key: 'BaseAddress', value: scim.url }, { key: 'SecretToken', value: 'wrong' }] } });
    assert.equal(wrong.status, 400);
    const err = (await wrong.json()) as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'SystemForCrossDomainIdentityManagementInvalidCredentials');
    assert.ok(!err.error.message.includes(scim.token), 'no secret in the answer');
    assert.equal((await server.api(url, { method: 'POST', json: { useSavedCredentials: true, credentials: [{ key: 'SecretToken', value: 'wrong' }] } })).status, 204,
      'useSavedCredentials ignores the given ones');
    const unknown = await server.api(url, { method: 'POST', json: { credentials: [{ key: 'Passphrase', value: 'x' }] } });
    assert.equal(unknown.status, 400);
  });

  test('validateCredentials, collection-bound (before a job exists): by template', async () => {
    const url = `/v1.0/applications/${appObjectId}/synchronization/jobs/validateCredentials`;
    const ok = await server.api(url, { method: 'POST', json: { templateId: 'scim', useSavedCredentials: false, credentials: [{ key: 'BaseAddress', value: scim.url }, { key: 'SecretToken', value: scim.token }] } });
    assert.equal(ok.status, 204, await ok.text());
    const unknownTemplate = await server.api(url, { method: 'POST', json: { templateId: 'salesforce' } });
    assert.equal(unknownTemplate.status, 400);
    assert.match(((await unknownTemplate.json()) as { error: { message: string } }).error.message, /salesforce/);
    const noTemplate = await server.api(url, { method: 'POST', json: { credentials: [] } });
    assert.equal(noTemplate.status, 400);
    const nowhere = await server.api(url, { method: 'POST', json: { templateId: 'scim', credentials: [{ key: 'BaseAddress', value: '' }] } });
    assert.equal(nowhere.status, 400);
    assert.match(((await nowhere.json()) as { error: { message: string } }).error.message, /tenant URL/);
  });
});

describe('a bad token quarantines the job; fixing the secret and Start clear it', () => {
  let server: TestServer;
  let scim: SampleScimApp;
  let spId: string;
  let jobId: string;
  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    scim = await startSampleScimApp({ entraCompat: true });
    ({ spId } = await newApp(server, 'Quarantined app'));
    await seedTenant(server.services.directory, { users: 20, groups: 2, avgMembers: 5, seed: 21, assignTo: spId });
    jobId = await newJob(server, spId);
    await putSecrets(server, spId, { BaseAddress: scim.url, SecretToken: 'not-the-token' });
  });
  after(async () => {
    await server.close();
    await scim.close();
  });

  type Job = { schedule: { state: string }; status: { code: string; quarantine: null | { reason: string; currentBegan: string; nextAttempt: string; seriesCount: number; error: { code: string; tenantActionable: boolean } }; lastExecution: null | { state: string } } };
  const get = async () => (await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).json()) as Job;
  const until = async (what: (j: Job) => boolean): Promise<Job> => {
    for (let i = 0; i < 200; i++) {
      const j = await get();
      if (what(j)) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out: ${JSON.stringify(await get())}`);
  };

  test('Start with a wrong SecretToken: the runner\'s first cycle quarantines it (EncounteredQuarantineException)', async () => {
    assert.equal((await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/start`, { method: 'POST' })).status, 204);
    const j = await until((x) => x.status.code === 'Quarantine');
    const q = j.status.quarantine!;
    assert.equal(q.reason, 'EncounteredQuarantineException');
    assert.equal(q.error.code, 'SystemForCrossDomainIdentityManagementInvalidCredentials');
    assert.equal(q.error.tenantActionable, true);
    assert.equal(q.seriesCount, 1);
    assert.equal(Date.parse(q.nextAttempt) - Date.parse(q.currentBegan), 5 * 60_000);
    assert.equal(j.status.lastExecution?.state, 'Failed');
    assert.equal(j.schedule.state, 'Active');
    assertGraphShape('microsoft.graph.synchronizationJob', j);
    assert.equal(scim.users().length, 0);
  });

  test('the right secret and Start: the quarantine is cleared and the next cycle provisions', async () => {
    await putSecrets(server, spId, { SecretToken: scim.token });
    assert.equal((await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/start`, { method: 'POST' })).status, 204);
    const cleared = await get();
    assert.equal(cleared.status.quarantine, null, 'Start clears it at once');
    const j = await until((x) => x.status.code === 'Active' && x.status.lastExecution?.state === 'Succeeded');
    assert.equal(j.status.quarantine, null);
    assert.ok(scim.users().length > 0, 'users provisioned');
  });
});
