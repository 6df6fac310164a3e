/**
 * Joiner–mover–leaver, end to end: HR records uploaded through bulkUpload
 * become directory users with managers (an API2AAD job); an outbound SCIM
 * job provisions them to the scimmy application; a mover (department and
 * manager change) and a leaver (active: false) flow all the way to the
 * application. Real HTTP on loopback throughout.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { NON_GALLERY_APPLICATION_TEMPLATE_ID } from '../../src/sync/templates/catalog.ts';
import { bulkRequest, createInboundApp, processed, scimUser, upload, userByEmployeeId, ENTERPRISE } from './helpers.ts';
import type { InboundApp, Person } from './helpers.ts';

type Rec = Record<string, unknown> & { id: string; userName: string; active?: unknown };
const ext = (u: Rec) => (u[ENTERPRISE] ?? {}) as { department?: string; manager?: { value?: string }; employeeNumber?: string };
const isActive = (u: Rec) => u.active === true || u.active === 'True';

describe('joiner, mover, leaver: HR → bulkUpload → directory → SCIM application', () => {
  let server: TestServer;
  let scim: SampleScimApp;
  let hr: InboundApp;
  let outboundSp: string;
  let outboundJob: string;
  let domain: string;

  const person = (id: string, name: string, department: string, manager: string | undefined, title: string): Person => ({
    externalId: id, userName: `${name.toLowerCase()}@${domain}`, givenName: name, familyName: 'Example', displayName: `${name} Example`,
    title, department, ...(manager ? { manager } : {}), active: true,
  });

  /** The application's user for a directory employeeId (the outbound job writes employeeNumber ← employeeId). */
  const appUser = (employeeId: string) => (scim.users() as Rec[]).find((u) => ext(u).employeeNumber === employeeId);
  // The outbound job is never started: each test runs its cycle itself, when the directory is ready.
  const outboundCycle = () => server.services.engine.runCycle(outboundJob);

  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    domain = server.services.tenant.domain;
    scim = await startSampleScimApp({ entraCompat: true });
    hr = await createInboundApp(server, 'Workday export');
    assert.equal((await server.api(`/v1.0/servicePrincipals/${hr.spId}/synchronization/jobs/${hr.jobId}/start`, { method: 'POST' })).status, 204);
    const made = (await (await server.api(`/v1.0/applicationTemplates/${NON_GALLERY_APPLICATION_TEMPLATE_ID}/instantiate`, { method: 'POST', json: { displayName: 'scimmy' } })).json()) as { servicePrincipal: { id: string } };
    outboundSp = made.servicePrincipal.id;
    const secrets = await server.api(`/v1.0/servicePrincipals/${outboundSp}/synchronization/secrets`, {
      method: 'PUT', json: { value: [{ key: 'BaseAddress', value: scim.url }, { key: 'SecretToken', value: scim.token }, { key: 'SyncAll', value: 'True' }] },
    });
    assert.equal(secrets.status, 204);
    outboundJob = ((await (await server.api(`/v1.0/servicePrincipals/${outboundSp}/synchronization/jobs`, { method: 'POST', json: { templateId: 'scim' } })).json()) as { id: string }).id;
  });
  after(async () => {
    await server.close();
    await scim.close();
  });

  test('joiners: HR records become directory users with managers, then application users with the same managers', async () => {
    // Employees come before their managers in the export; the CEO's report arrives in a second upload.
    const res1 = await upload(server, hr, bulkRequest([
      scimUser(person('1001', 'Ana', 'Sales', '1002', 'Account Executive')),
      scimUser(person('1003', 'Ben', 'Engineering', '1004', 'Engineer')),
      scimUser(person('1002', 'Cleo', 'Sales', '1000', 'Sales Lead')),
      scimUser(person('1004', 'Dev', 'Engineering', '1000', 'Engineering Lead')),
    ]));
    assert.equal(res1.status, 202);
    const res2 = await upload(server, hr, bulkRequest([scimUser(person('1000', 'Eve', 'Management', undefined, 'CEO'))]));
    assert.equal(res2.status, 202);
    await processed(server, hr.jobId);

    const dir = new Map<string, { id: string; managerId: string | null; department: string | null }>();
    for (const id of ['1000', '1001', '1002', '1003', '1004']) {
      const u = await userByEmployeeId(server, id);
      assert.ok(u, `directory user ${id}`);
      dir.set(id, u);
    }
    assert.equal(dir.get('1001')!.managerId, dir.get('1002')!.id);
    assert.equal(dir.get('1002')!.managerId, dir.get('1000')!.id, 'resolved although the CEO arrived in a later upload');
    assert.equal(dir.get('1004')!.managerId, dir.get('1000')!.id);
    assert.equal(dir.get('1000')!.managerId, null);

    await outboundCycle();
    const job = await server.services.sync.getJob(outboundSp, outboundJob);
    assert.equal(job.status.lastExecution?.state, 'Succeeded', JSON.stringify(job.status.lastExecution));
    for (const [id, managerId] of [['1001', '1002'], ['1002', '1000'], ['1003', '1004'], ['1004', '1000']] as const) {
      const u = appUser(id);
      assert.ok(u && isActive(u), `application user ${id}, active`);
      assert.equal(ext(u).manager?.value, appUser(managerId)?.id, `manager of ${id} in the application`);
    }
    assert.equal(appUser('1001')!.userName, `ana@${domain}`);
    assert.equal(ext(appUser('1003')!).department, 'Engineering');
  });

  test('mover: a department and manager change flows from HR to the application', async () => {
    const res = await upload(server, hr, bulkRequest([scimUser({ externalId: '1003', department: 'Sales', manager: '1002', title: 'Sales Engineer', active: true })]));
    assert.equal(res.status, 202);
    await processed(server, hr.jobId);
    const ben = (await userByEmployeeId(server, '1003'))!;
    assert.equal(ben.department, 'Sales');
    assert.equal(ben.jobTitle, 'Sales Engineer');
    assert.equal(ben.managerId, (await userByEmployeeId(server, '1002'))!.id);
    assert.equal(ben.displayName, 'Ben Example', 'what the mover record leaves out is unchanged');

    await outboundCycle();
    const app = appUser('1003')!;
    assert.equal(ext(app).department, 'Sales');
    assert.equal(app.title, 'Sales Engineer');
    assert.equal(ext(app).manager?.value, appUser('1002')!.id, 'the new manager in the application');
    assert.ok(isActive(app));
  });

  test('leaver: active false disables the directory user and then the application user', async () => {
    const res = await upload(server, hr, bulkRequest([scimUser({ externalId: '1001', active: false })]));
    assert.equal(res.status, 202);
    await processed(server, hr.jobId);
    assert.equal((await userByEmployeeId(server, '1001'))!.accountEnabled, false);

    await outboundCycle();
    const ana = appUser('1001')!;
    assert.equal(isActive(ana), false, 'disabled in the application');
    assert.ok(isActive(appUser('1003')!), 'the others stay active');
    assert.ok(isActive(appUser('1002')!));
    const logs = (await (await server.api(`/v1.0/auditLogs/provisioning?$filter=${encodeURIComponent(`jobid eq '${outboundJob}' and provisioningAction eq 'disable'`)}`)).json()) as { value: { sourceIdentity: { id: string } }[] };
    assert.deepEqual(logs.value.map((l) => l.sourceIdentity.id), [(await userByEmployeeId(server, '1001'))!.id]);
  });
});
