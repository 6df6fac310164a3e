/**
 * acquireAccessToken (seed 003) against a real OAuth token endpoint on
 * loopback: Provisio's own client-credentials endpoint plays the
 * application's authorization server.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';

describe('acquireAccessToken', () => {
  let server: TestServer;
  let appObjectId: string;
  let spId: string;
  before(async () => {
    server = await startTestServer();
    const res = await server.api('/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate', { method: 'POST', json: { displayName: 'OAuth app' } });
    const body = (await res.json()) as { application: { id: string }; servicePrincipal: { id: string } };
    appObjectId = body.application.id;
    spId = body.servicePrincipal.id;
  });
  after(async () => server.close());

  test('client credentials: the token is obtained and kept, masked, with the secrets', async () => {
    const { clientId, secret } = await server.services.clients.create({ displayName: 'the app itself', roles: [] });
    const res = await server.api(`/v1.0/applications/${appObjectId}/synchronization/acquireAccessToken`, {
      method: 'POST',
      json: { credentials: [
        { key: 'Oauth2TokenExchangeUri', value: `${server.url}/oauth2/v2.0/token` },
        { key: 'Oauth2ClientId', value: clientId },
        { key: 'Oauth2ClientSecret', value: secret },
      ] },
    });
    assert.equal(res.status, 204, await res.text());
    const stored = await server.services.sync.readSecrets(spId);
    assert.match(stored.Oauth2AccessToken ?? '', /^ey/);
    assert.ok(Date.parse(stored.TokenExpiration ?? '') > Date.now());
    assert.equal(stored.Oauth2ClientId, clientId);
    const listed = await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/secrets`)).json() as { value: { key: string; value: string }[] };
    assert.equal(listed.value.find((s) => s.key === 'Oauth2AccessToken')?.value, '******');
    assert.equal(listed.value.find((s) => s.key === 'Oauth2ClientSecret')?.value, '******');
  });

  test('a refused grant is a Graph 400 naming the endpoint error; nothing is stored', async () => {
    const before = await server.services.sync.readSecrets(spId);
    const res = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/acquireAccessToken`, {
      method: 'POST',
      json: { credentials: [
        { key: 'Oauth2TokenExchangeUri', value: `${server.url}/oauth2/v2.0/token` },
        { key: 'Oauth2ClientId', value: 'nobody' },
        { key: 'Oauth2ClientSecret', value: 'wrong' },
      ] },
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'AccessTokenAcquisitionFailed');
    assert.match(body.error.message, /invalid_client/);
    assert.ok(!body.error.message.includes('wrong'), 'the client secret must not be echoed');
    assert.deepEqual(await server.services.sync.readSecrets(spId), before);
  });

  test('an unreachable endpoint and missing credentials are clear 400s', async () => {
    const unreachable = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/acquireAccessToken`, {
      method: 'POST',
      json: { credentials: [
        { key: 'Oauth2TokenExchangeUri', value: 'http://127.0.0.1:9/token' },
        { key: 'Oauth2ClientId', value: 'a' },
        { key: 'Oauth2ClientSecret', value: 'b' },
      ] },
    });
    assert.equal(unreachable.status, 400);
    assert.match(((await unreachable.json()) as { error: { message: string } }).error.message, /unreachable/);

    const fresh = await server.api('/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate', { method: 'POST', json: { displayName: 'Bare app' } });
    const bareSp = ((await fresh.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
    const missing = await server.api(`/v1.0/servicePrincipals/${bareSp}/synchronization/acquireAccessToken`, { method: 'POST', json: { credentials: [] } });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error: { message: string } }).error.message, /Oauth2TokenExchangeUri, Oauth2ClientId, Oauth2ClientSecret/);
  });
});
