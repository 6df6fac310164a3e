/**
 * Bad input, one row each: what was sent and what Provisio answers. The same
 * rows are listed in docs/bad-inputs.md (a test below keeps the two in step).
 * Never a 500; always Graph's error body with a message that says what and where.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { TokenService } from '../../src/auth/tokens.ts';

interface Case {
  name: string;
  method: string;
  path: (ctx: Ctx) => string;
  body?: string | ((ctx: Ctx) => string);
  headers?: Record<string, string>;
  auth?: (ctx: Ctx) => Promise<string | undefined>;
  status: number;
  code: string;
  message?: RegExp;
}

interface Ctx {
  spId: string;
  jobId: string;
  server: TestServer;
  secretKey: string;
}

const sp = (c: Ctx) => `/v1.0/servicePrincipals/${c.spId}/synchronization`;
const json = { 'content-type': 'application/json' };

export const CASES: Case[] = [
  { name: 'malformed JSON', method: 'POST', path: (c) => `${sp(c)}/jobs`, body: '{"templateId": "scim",', headers: json, status: 400, code: 'BadRequest', message: /valid JSON/ },
  { name: 'wrong type', method: 'POST', path: (c) => `${sp(c)}/jobs`, body: '{"templateId": 42}', headers: json, status: 400, code: 'Request_BadRequest', message: /templateId/ },
  { name: 'unknown property', method: 'POST', path: (c) => `${sp(c)}/jobs`, body: '{"templateId": "scim", "colour": "red"}', headers: json, status: 400, code: 'Request_BadRequest', message: /Property 'colour' does not exist on type 'microsoft\.graph\.synchronizationJob'/ },
  { name: 'missing templateId', method: 'POST', path: (c) => `${sp(c)}/jobs`, body: '{}', headers: json, status: 400, code: 'Request_BadRequest', message: /templateId/ },
  { name: 'empty body on job create', method: 'POST', path: (c) => `${sp(c)}/jobs`, headers: json, status: 400, code: 'Request_BadRequest', message: /body is missing; send a microsoft\.graph\.synchronizationJob/ },
  { name: 'unknown template', method: 'POST', path: (c) => `${sp(c)}/jobs`, body: '{"templateId": "salesforce"}', headers: json, status: 400, code: 'Request_BadRequest', message: /'salesforce' does not match any template.*available: scim/ },
  { name: 'bad schedule interval', method: 'POST', path: (c) => `${sp(c)}/jobs`, body: '{"templateId": "scim", "schedule": {"interval": "every hour"}}', headers: json, status: 400, code: 'Request_BadRequest', message: /schedule\.interval/ },
  { name: 'schema naming an unknown directory', method: 'PUT', path: (c) => `${sp(c)}/jobs/${c.jobId}/schema`, body: JSON.stringify({ directories: [{ name: 'Azure Active Directory', objects: [] }], synchronizationRules: [{ name: 'R', sourceDirectoryName: 'Azure Active Directory', targetDirectoryName: 'Nowhere', objectMappings: [] }] }), headers: json, status: 400, code: 'Request_BadRequest', message: /Nowhere/ },
  { name: 'schema with a bad enum value', method: 'PUT', path: (c) => `${sp(c)}/jobs/${c.jobId}/schema`, body: JSON.stringify({ directories: [{ name: 'D', objects: [{ name: 'User', attributes: [{ name: 'a', type: 'Text' }] }] }] }), headers: json, status: 400, code: 'Request_BadRequest', message: /directories\.0\.objects\.0\.attributes\.0\.type/ },
  { name: 'oversized body', method: 'PUT', path: (c) => `${sp(c)}/jobs/${c.jobId}/schema`, body: JSON.stringify({ directories: [{ name: 'x'.repeat(5 * 1024 * 1024) }] }), headers: json, status: 413, code: 'Request_EntityTooLarge' },
  { name: 'unsupported content type', method: 'POST', path: (c) => `${sp(c)}/jobs`, body: 'templateId=scim', headers: { 'content-type': 'text/plain' }, status: 415, code: 'Request_UnsupportedMediaType' },
  { name: 'unknown secret key', method: 'PUT', path: (c) => `${sp(c)}/secrets`, body: '{"value":[{"key":"Passphrase","value":"x"}]}', headers: json, status: 400, code: 'Request_BadRequest', message: /value\[0\]\.key: 'Passphrase' is not a synchronizationSecret/ },
  { name: 'empty JSON-valued secret', method: 'PUT', path: (c) => `${sp(c)}/secrets`, body: '{"value":[{"key":"SyncNotificationSettings","value":""}]}', headers: json, status: 400, code: 'UnknownError', message: /InvalidNotificationSettings/ },
  { name: 'unknown resetScope flag', method: 'POST', path: (c) => `${sp(c)}/jobs/${c.jobId}/restart`, body: '{"criteria":{"resetScope":"Watermark, Everything"}}', headers: json, status: 400, code: 'Request_BadRequest', message: /'Everything' is not a member of synchronizationJobRestartScope/ },
  { name: 'provisionOnDemand with a rule the job lacks', method: 'POST', path: (c) => `${sp(c)}/jobs/${c.jobId}/provisionOnDemand`, body: '{"parameters":[{"ruleId":"nope","subjects":[{"objectId":"x","objectTypeName":"User"}]}]}', headers: json, status: 400, code: 'RequestParameterInvalid', message: /However, the job does not include the rule\./ },
  { name: 'provisionOnDemand with more than 5 members', method: 'POST', path: (c) => `${sp(c)}/jobs/${c.jobId}/provisionOnDemand`, body: JSON.stringify({ parameters: [{ ruleId: '27125c6e-5896-43a8-9536-8a5613aeaedd', subjects: [{ objectId: 'g', objectTypeName: 'Group', links: { members: Array.from({ length: 6 }, (_, i) => ({ objectId: `u${i}`, objectTypeName: 'User' })) } }] }] }), headers: json, status: 400, code: 'Request_BadRequest', message: /at most 5 members/ },
  { name: 'validateCredentials for an unknown template', method: 'POST', path: (c) => `${sp(c)}/jobs/validateCredentials`, body: '{"templateId":"salesforce"}', headers: json, status: 400, code: 'Request_BadRequest', message: /'salesforce'/ },
  { name: 'escrows with a bad $top', method: 'GET', path: (c) => `${sp(c)}/jobs/${c.jobId}/escrows?$top=0`, status: 400, code: 'Request_BadRequest', message: /\$top/ },
  { name: 'unknown job id', method: 'GET', path: (c) => `${sp(c)}/jobs/scim.nope.0000`, status: 404, code: 'itemNotFound', message: /scim\.nope\.0000/ },
  { name: 'control character in an id', method: 'GET', path: (c) => `${sp(c)}/jobs/scim%00x`, status: 400, code: 'Request_BadRequest', message: /control character/ },
  { name: 'unknown service principal', method: 'GET', path: () => `/v1.0/servicePrincipals/7d3c1a34-0000-4000-8000-000000000000/synchronization/jobs`, status: 404, code: 'Request_ResourceNotFound' },
  { name: 'PATCH on a job schema (Graph answers 404)', method: 'PATCH', path: (c) => `${sp(c)}/jobs/${c.jobId}/schema`, body: '{}', headers: json, status: 404, code: 'UnknownError', message: /No HTTP resource was found/ },
  { name: 'unknown query option', method: 'GET', path: (c) => `${sp(c)}/jobs?$orderby=id`, status: 400, code: 'Request_BadRequest', message: /\$orderby/ },
  { name: 'bad $top', method: 'GET', path: () => `/v1.0/servicePrincipals?$top=zero`, status: 400, code: 'Request_BadRequest', message: /\$top/ },
  { name: 'forged $skiptoken', method: 'GET', path: () => `/v1.0/servicePrincipals?$skiptoken=bm9wZQ`, status: 400, code: 'Request_BadRequest', message: /\$skiptoken/ },
  { name: 'unknown application template', method: 'POST', path: () => `/v1.0/applicationTemplates/00000000-1111-2222-3333-444444444444/instantiate`, body: '{"displayName":"x"}', headers: json, status: 404, code: 'Request_ResourceNotFound' },
  { name: 'missing token', method: 'GET', path: (c) => `${sp(c)}/jobs`, auth: async () => undefined, status: 401, code: 'InvalidAuthenticationToken', message: /empty/ },
  { name: 'forged token', method: 'GET', path: (c) => `${sp(c)}/jobs`, auth: async () => forged(), status: 401, code: 'InvalidAuthenticationToken' },
  { name: 'expired token', method: 'GET', path: (c) => `${sp(c)}/jobs`, auth: async (c) => expired(c), status: 401, code: 'InvalidAuthenticationToken', message: /expired/ },
  { name: 'not a bearer token', method: 'GET', path: (c) => `${sp(c)}/jobs`, auth: async () => 'Basic dXNlcjpwYXNz', status: 401, code: 'InvalidAuthenticationToken' },
  { name: 'token without the permission', method: 'POST', path: (c) => `${sp(c)}/jobs/${c.jobId}/start`, auth: async (c) => readOnly(c), status: 403, code: 'Authorization_RequestDenied', message: /Insufficient privileges/ },
];

async function forged(): Promise<string> {
  const key = randomBytes(32);
  const jwt = await new SignJWT({ roles: ['Synchronization.ReadWrite.All'] }).setProtectedHeader({ alg: 'HS256' })
    .setAudience('https://graph.microsoft.com').setIssuedAt().setExpirationTime('1h').sign(key);
  return `Bearer ${jwt}`;
}

async function expired(c: Ctx): Promise<string> {
  const past = { now: () => new Date(Date.now() - 3 * 3600_000) };
  const t = new TokenService(c.secretKey, c.server.services.tenant.id, 3600, past);
  return `Bearer ${(await t.issue(c.server.clientId, ['Synchronization.ReadWrite.All'])).token}`;
}

async function readOnly(c: Ctx): Promise<string> {
  const { clientId, secret } = await c.server.services.clients.create({ displayName: 'reader', roles: ['Synchronization.Read.All'] });
  const res = await fetch(`${c.server.url}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }),
  });
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
}

describe('bad input', () => {
  const secretKey = randomBytes(32).toString('base64url');
  const ctx = {} as Ctx;
  before(async () => {
    ctx.secretKey = secretKey;
    ctx.server = await startTestServer({ env: { PROVISIO_SECRET_KEY: secretKey } });
    const res = await ctx.server.api('/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate', { method: 'POST', json: { displayName: 'Bad input app' } });
    ctx.spId = ((await res.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
    const job = await ctx.server.api(`/v1.0/servicePrincipals/${ctx.spId}/synchronization/jobs`, { method: 'POST', json: { templateId: 'scim' } });
    ctx.jobId = ((await job.json()) as { id: string }).id;
  });
  after(async () => ctx.server.close());

  for (const c of CASES) {
    test(c.name, async () => {
      const headers: Record<string, string> = { ...c.headers };
      const auth = c.auth ? await c.auth(ctx) : `Bearer ${await ctx.server.token()}`;
      if (auth) headers.authorization = auth;
      const body = typeof c.body === 'function' ? c.body(ctx) : c.body;
      const res = await fetch(`${ctx.server.url}${c.path(ctx)}`, { method: c.method, headers, body });
      const text = await res.text();
      assert.equal(res.status, c.status, `status for ${c.name}: ${text.slice(0, 400)}`);
      const parsed = JSON.parse(text) as { error: { code: string; message: string; innerError: Record<string, string> } };
      assert.equal(parsed.error.code, c.code, text.slice(0, 400));
      if (c.message) assert.match(parsed.error.message, c.message);
      assert.match(parsed.error.innerError['request-id'] ?? '', /^[0-9a-f-]{36}$/);
      assert.match(parsed.error.innerError.date ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.equal(res.headers.get('request-id'), parsed.error.innerError['request-id']);
    });
  }

  test('token endpoint: wrong secret, unknown grant, bad scope, missing client', async () => {
    const post = (form: Record<string, string>) => fetch(`${ctx.server.url}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
    const wrong = await post({ grant_type: 'client_credentials', client_id: ctx.server.clientId, client_secret: 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_client');
    const grant = await post({ grant_type: 'password', client_id: ctx.server.clientId, client_secret: ctx.server.clientSecret });
    assert.equal(grant.status, 400);
    assert.equal(((await grant.json()) as { error: string }).error, 'unsupported_grant_type');
    const scope = await post({ grant_type: 'client_credentials', client_id: ctx.server.clientId, client_secret: ctx.server.clientSecret, scope: 'User.Read' });
    assert.equal(scope.status, 400);
    assert.equal(((await scope.json()) as { error: string }).error, 'invalid_scope');
    const missing = await post({ grant_type: 'client_credentials' });
    assert.equal(missing.status, 400);
    const tenant = await fetch(`${ctx.server.url}/not-my-tenant/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    assert.equal(tenant.status, 400);
  });

  test('no secret value in any log line', () => {
    const logs = ctx.server.logLines.join('\n');
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(ctx.server.clientSecret), 'client secret logged');
    assert.ok(!/Bearer ey/.test(logs), 'bearer token logged');
  });

  test('docs/bad-inputs.md lists every case', () => {
    const doc = readFileSync(new URL('../../docs/bad-inputs.md', import.meta.url), 'utf8');
    for (const c of CASES) assert.ok(doc.includes(`| ${c.name} |`), `docs/bad-inputs.md lacks a row for '${c.name}'`);
  });
});
