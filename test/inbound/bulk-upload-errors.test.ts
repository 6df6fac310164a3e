/**
 * bulkUpload's bad inputs, one row each, as docs/bad-inputs.md lists them
 * (a test keeps the two in step): request-level mistakes are Graph errors
 * and stage nothing; a bad record in a good request is staged, fails alone
 * with a clear error in the provisioning logs, and the good records of the
 * same request are provisioned.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import type { ProvisioningObjectSummary } from '../../src/engine/log-entry.ts';
import { BULK, bulkRequest, createInboundApp, processed, scimUser, upload, uploadPath, userByEmployeeId } from './helpers.ts';
import type { InboundApp } from './helpers.ts';

interface RequestCase {
  name: string;
  body: (ctx: { domain: string }) => unknown;
  contentType?: string | null;
  status: number;
  code: string;
  message: RegExp;
}

const ok = (n: number, domain: string) => scimUser({ externalId: `OK-${n}`, userName: `ok${n}@${domain}`, displayName: `OK ${n}`, active: true });

const REQUEST_CASES: RequestCase[] = [
  {
    name: 'bulkUpload with 51 operations', status: 400, code: 'BadRequest', message: /^Invalid Data Format: the request has 51 operations; at most 50/,
    body: ({ domain }) => bulkRequest(Array.from({ length: 51 }, (_, i) => ok(i, domain))),
  },
  {
    name: 'bulkUpload as application/json', contentType: 'application/json', status: 400, code: 'BadRequest',
    message: /^Invalid Data Format: the Content-Type must be application\/scim\+json, not 'application\/json'/, body: ({ domain }) => bulkRequest([ok(1, domain)]),
  },
  {
    name: 'bulkUpload without a Content-Type', contentType: null, status: 400, code: 'BadRequest',
    message: /^Invalid Data Format: the Content-Type must be application\/scim\+json, not missing/, body: ({ domain }) => bulkRequest([ok(1, domain)]),
  },
  {
    name: 'bulkUpload as text/plain', contentType: 'text/plain', status: 400, code: 'BadRequest',
    message: /^Invalid Data Format: the Content-Type/, body: ({ domain }) => bulkRequest([ok(1, domain)]),
  },
  {
    name: 'bulkUpload with malformed JSON', status: 400, code: 'BadRequest', message: /^Invalid Data Format: the body is not valid JSON/,
    body: () => '{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[',
  },
  {
    name: 'bulkUpload over the body size limit', status: 413, code: 'Request_EntityTooLarge', message: /larger than the server accepts/,
    body: ({ domain }) => bulkRequest(Array.from({ length: 50 }, (_, i) => ({ ...ok(i, domain), title: 'x'.repeat(4000) }))),
  },
  {
    // The canonical failure of Microsoft's Postman collection ("Send non-SCIM data").
    name: 'bulkUpload of non-SCIM data', status: 400, code: 'BadRequest', message: /^Invalid Data Format: 'schemas' must be/, body: () => ({ name: 'John Doe' }),
  },
  {
    name: 'bulkUpload with an operation other than POST /Users', status: 400, code: 'BadRequest', message: /Operations\[1\]\.method must be "POST"/,
    body: ({ domain }) => ({ schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', data: ok(1, domain) }, { method: 'PATCH', path: '/Users', data: ok(2, domain) }] }),
  },
];

/** Record-level cases: the request is accepted, the record fails alone in the logs. */
const RECORD_CASES = [
  { name: 'bulkUpload record without externalId', code: 'InvalidSourceIdentifier', message: /^Source identifier of an entry cannot be empty/ },
  { name: 'bulkUpload record with a bad type', code: 'InvalidSourceData', message: /'active' must be a Boolean \(true or false\), not a string 'yes'\. 'name' must be an object/ },
  { name: 'bulkUpload record with an unverified UPN domain', code: 'AzureActiveDirectoryInvalidUserPrincipalName', message: /domain portion of the userPrincipalName property is invalid/ },
];

const OTHER_CASES = [
  'bulkUpload on a job that is not API-driven',
  'bulkUpload beyond its rate limit',
  'bulkUpload without the Upload permission',
];

describe('bulkUpload bad inputs', () => {
  let server: TestServer;
  let app: InboundApp;
  let domain: string;

  before(async () => {
    server = await startTestServer({ logLevel: 'warn', env: { PROVISIO_BULK_UPLOAD_RATE_LIMIT: '30/60', PROVISIO_BODY_LIMIT: '131072' } });
    domain = server.services.tenant.domain;
    app = await createInboundApp(server, 'Bad inputs HR');
  });
  after(async () => server.close());

  for (const c of REQUEST_CASES) {
    test(`${c.name}: ${c.status} ${c.code}, nothing staged`, async () => {
      const res = await upload(server, app, c.body({ domain }), { contentType: c.contentType });
      const body = (await res.json()) as { error: { code: string; message: string; innerError: { 'request-id': string } } };
      assert.equal(res.status, c.status, JSON.stringify(body));
      assert.equal(body.error.code, c.code);
      assert.match(body.error.message, c.message);
      assert.ok(body.error.innerError['request-id']);
      assert.equal((await server.services.inbound.staging.pending(app.jobId)).count, 0, 'nothing staged');
      const uploads = await server.services.store.db.selectFrom('inbound_uploads').select('id').where('job_id', '=', app.jobId).execute();
      assert.equal(uploads.length, 0);
    });
  }

  test('bad records fail alone, each with a clear error; the good records of the same request are provisioned', async () => {
    assert.equal((await server.api(`/v1.0/servicePrincipals/${app.spId}/synchronization/jobs/${app.jobId}/start`, { method: 'POST' })).status, 204);
    const res = await upload(server, app, bulkRequest([
      ok(1, domain),
      scimUser({ userName: `noid@${domain}`, displayName: 'No externalId', active: true }),
      { ...scimUser({ externalId: 'BAD-TYPE', userName: `badtype@${domain}`, displayName: 'Bad type' }), active: 'yes', name: 'Bad Type' },
      scimUser({ externalId: 'BAD-UPN', userName: 'someone@example.com', displayName: 'Elsewhere', active: true }),
      ok(2, domain),
    ]));
    assert.equal(res.status, 202);
    await processed(server, app.jobId);
    assert.ok(await userByEmployeeId(server, 'OK-1'));
    assert.ok(await userByEmployeeId(server, 'OK-2'));
    assert.equal(await userByEmployeeId(server, 'BAD-TYPE'), undefined);
    assert.equal(await userByEmployeeId(server, 'BAD-UPN'), undefined);
    const filter = encodeURIComponent(`jobid eq '${app.jobId}' and statusInfo/status eq 'failure'`);
    const logs = ((await (await server.api(`/v1.0/auditLogs/provisioning?$filter=${filter}`)).json()) as { value: ProvisioningObjectSummary[] }).value;
    assert.equal(logs.length, RECORD_CASES.length, JSON.stringify(logs.map((l) => l.provisioningStatusInfo)));
    for (const c of RECORD_CASES) {
      const entry = logs.find((l) => l.provisioningStatusInfo.errorInformation?.errorCode === c.code);
      assert.ok(entry, `${c.name}: a failure entry with ${c.code}`);
      assert.match(entry.provisioningStatusInfo.errorInformation!.reason, c.message, c.name);
    }
    const job = await server.services.sync.getJob(app.spId, app.jobId);
    assert.equal(job.status.lastExecution?.state, 'EntryLevelErrors');
  });

  test('bulkUpload on a job that is not API-driven: 400 naming the template', async () => {
    const made = (await (await server.api('/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate', { method: 'POST', json: { displayName: 'SCIM app' } })).json()) as { servicePrincipal: { id: string } };
    const job = (await (await server.api(`/v1.0/servicePrincipals/${made.servicePrincipal.id}/synchronization/jobs`, { method: 'POST', json: { templateId: 'scim' } })).json()) as { id: string };
    const res = await upload(server, { spId: made.servicePrincipal.id, appObjectId: '', jobId: job.id }, bulkRequest([ok(9, domain)]));
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, 400);
    assert.equal(body.error.code, 'Request_BadRequest');
    assert.match(body.error.message, /only on API-driven provisioning jobs \(template API2AAD\); the job '.+' uses the template 'scim'/);
  });

  test('bulkUpload without the Upload permission: 403', async () => {
    const { clientId, secret } = await server.services.clients.create({ displayName: 'reader', roles: ['Synchronization.Read.All'] });
    const tok = await fetch(`${server.url}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }),
    });
    const { access_token } = (await tok.json()) as { access_token: string };
    const res = await fetch(`${server.url}${uploadPath(app)}`, {
      method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(bulkRequest([ok(3, domain)])),
    });
    const body = (await res.json()) as { error: { code: string; details?: { message: string }[] } };
    assert.equal(res.status, 403);
    assert.equal(body.error.code, 'Authorization_RequestDenied');
    assert.match(JSON.stringify(body.error), /SynchronizationData-User\.Upload/);
  });

  test('bulkUpload beyond its rate limit: 429 with Retry-After (limit configured to 30 per 60 s here)', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 40 && last?.status !== 429; i++) {
      last = await upload(server, app, bulkRequest([ok(100 + i, domain)]));
      if (last.status !== 429) assert.equal(last.status, 202);
    }
    assert.equal(last?.status, 429);
    const body = (await last.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'TooManyRequests');
    assert.match(body.error.message, /More than 30 bulkUpload calls in 60 seconds for this job/);
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
    await processed(server, app.jobId);
  });

  test('docs/bad-inputs.md lists every bulkUpload case', () => {
    const doc = readFileSync(new URL('../../docs/bad-inputs.md', import.meta.url), 'utf8');
    for (const name of [...REQUEST_CASES.map((c) => c.name), ...RECORD_CASES.map((c) => c.name), ...OTHER_CASES]) {
      assert.ok(doc.includes(`| ${name} |`), `docs/bad-inputs.md lacks a row for '${name}'`);
    }
  });
});
