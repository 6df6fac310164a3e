/**
 * The CLI's operations that act on a live target, run as child processes
 * against a running server and the scimmy sample application on loopback:
 * `job provision` and `job validate-credentials` (noun-verb), and the seed
 * cmdlets New-MgApplicationSynchronizationJobOnDemand and
 * Get-MgApplicationSynchronizationAccessToken making their real calls (the
 * parameter sets themselves are covered with -WhatIf in cmdlets.test.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { SCIM_RULE_ID } from '../../src/sync/templates/scim.ts';
import { expectCode, expectError, json, runCli, runInProcess } from './run-cli.ts';
import type { CliResult } from './run-cli.ts';

const SCIM_APP_TEMPLATE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
const ON_DEMAND = 'New-MgApplicationSynchronizationJobOnDemand';
const TOKEN = 'Get-MgApplicationSynchronizationAccessToken';

interface Obj {
  [k: string]: unknown;
}

describe('CLI operations against a live SCIM application', () => {
  let server: TestServer;
  let scim: SampleScimApp;
  let env: Record<string, string>;
  let appId: string;
  let spId: string;
  let jobId: string;
  const users: Record<string, string> = {};
  let groupId: string;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, { env });
  const run = (...args: string[]): Promise<CliResult> => runInProcess(args, { env });
  const post = async (path: string, body: unknown): Promise<Obj> => {
    const res = await server.api(path, { method: 'POST', json: body });
    const text = await res.text();
    assert.ok(res.status < 300, `${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Obj) : {};
  };
  let cmdletApp: { appId: string; spId: string; jobId: string };
  const newApp = async (displayName: string): Promise<{ appId: string; spId: string; jobId: string }> => {
    const made = (await post(`/v1.0/applicationTemplates/${SCIM_APP_TEMPLATE}/instantiate`, { displayName })) as { application: { id: string }; servicePrincipal: { id: string } };
    const sp = made.servicePrincipal.id;
    const job = ((await post(`/v1.0/servicePrincipals/${sp}/synchronization/jobs`, { templateId: 'scim' })) as { id: string }).id;
    const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/secrets`, {
      method: 'PUT', json: { value: [{ key: 'BaseAddress', value: scim.url }, { key: 'SecretToken', value: scim.token }] },
    });
    assert.equal(res.status, 204);
    return { appId: made.application.id, spId: sp, jobId: job };
  };
  const userNames = () => scim.users().map((u) => u.userName as string).sort();

  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    scim = await startSampleScimApp({ entraCompat: true });
    env = { PROVISIO_URL: server.url, PROVISIO_CLIENT_ID: server.clientId, PROVISIO_CLIENT_SECRET: server.clientSecret };
    ({ appId, spId, jobId } = await newApp('Operations app'));
    // provisionOnDemand is rate-limited per job (5 per 10 s): the cmdlet calls use a job of their own.
    cmdletApp = await newApp('Cmdlet operations app');
    for (const nick of ['adele', 'bianca', 'carol', 'dmitri']) {
      const u = await post('/v1.0/users', {
        accountEnabled: true, displayName: nick[0]!.toUpperCase() + nick.slice(1), mailNickname: nick, userPrincipalName: `${nick}@provisio.local`,
        passwordProfile: { password: 'Pa55w.rd-123456' },
      });
      users[nick] = u.id as string;
    }
    const g = await post('/v1.0/groups', { displayName: 'Field Team', mailNickname: 'field', mailEnabled: false, securityEnabled: true });
    groupId = g.id as string;
    await post(`/v1.0/groups/${groupId}/members/$ref`, { '@odata.id': `${server.url}/v1.0/directoryObjects/${users.dmitri}` });
    for (const sp of [spId, cmdletApp.spId]) {
      for (const id of [users.adele, users.bianca, users.carol, groupId]) {
        await post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { principalId: id, resourceId: sp, appRoleId: '00000000-0000-0000-0000-000000000000' });
      }
    }
  });
  after(async () => {
    await server.close();
    await scim.close();
  });

  test('job validate-credentials: saved secrets, given credentials, before a job exists; refused credentials', async () => {
    assert.equal(expectCode(await cli('job', 'validate-credentials', '--sp', spId, jobId, '--use-saved'), 0).stdout, 'The credentials are valid.\n');
    assert.deepEqual(json(await run('job', 'validate-credentials', '--app', appId, jobId, '--credential', `BaseAddress=${scim.url}`, '--credential', `SecretToken=${scim.token}`, '--json')), { value: true });
    expectCode(await run('job', 'validate-credentials', '--sp', spId, '--template', 'scim', '--credential', `BaseAddress=${scim.url}`, '--credential', `SecretToken=${scim.token}`), 0);
    const refused = expectError(await cli('job', 'validate-credentials', '--sp', spId, jobId, '--credential', `BaseAddress=${scim.url}`, '--credential', 'SecretToken=not-the-token'), 5, /./, { requestId: true });
    assert.ok(!refused.includes('not-the-token'), 'the secret is not echoed');
    expectError(await run('job', 'validate-credentials', '--sp', spId, jobId, '--use-saved', '--credential', 'SecretToken=x'), 2, 'UsageError');
  });

  test('job provision: a user (table), a group with a member (--json); the application holds them', async () => {
    const shown = expectCode(await cli('job', 'provision', '--sp', spId, jobId, '--user', users.adele!), 0);
    assert.match(shown.stdout, /^action:\s+Create$/m);
    assert.match(shown.stdout, /^status:\s+success$/im);
    assert.deepEqual(userNames(), ['adele@provisio.local']);

    const body = json<{ key: string; value: string }>(await cli('job', 'provision', '--app', appId, jobId, '--group', groupId, '--member', users.dmitri!, '--json'));
    assert.equal(typeof body.key, 'string');
    assert.equal(typeof body.value, 'string');
    const group = scim.groups().find((g) => g.displayName === 'Field Team');
    assert.ok(group, 'the group was created in the application');
    assert.deepEqual(userNames(), ['adele@provisio.local', 'dmitri@provisio.local']);
    const dmitri = scim.users().find((u) => u.userName === 'dmitri@provisio.local')!;
    assert.deepEqual(((group.members ?? []) as { value: string }[]).map((m) => m.value), [dmitri.id]);

    expectError(await run('job', 'provision', '--sp', spId, jobId, '--user', users.bianca!, '--rule', 'no-such-rule'), 5, /./, { requestId: true });
    expectError(await run('job', 'provision', '--sp', spId, 'no-such-job', '--user', users.bianca!), 4, /NotFound/);
  });

  test(`${ON_DEMAND}: a real call provisions the user and shows the Key/Value result`, async () => {
    const r = expectCode(await cli(ON_DEMAND, '-ApplicationId', cmdletApp.appId, '-SynchronizationJobId', cmdletApp.jobId,
      '-Parameters', `@{RuleId='${SCIM_RULE_ID}'; Subjects=@(@{ObjectId='${users.bianca}'; ObjectTypeName='User'})}`), 0);
    assert.match(r.stdout, /^Key\s*:/m);
    assert.match(r.stdout, /^Value\s*:/m);
    assert.ok(userNames().includes('bianca@provisio.local'));

    const viaIdentity = json<{ key: string; value: string }>(await cli(ON_DEMAND, '-InputObject', JSON.stringify({ ApplicationId: cmdletApp.appId, SynchronizationJobId: cmdletApp.jobId }),
      '-BodyParameter', JSON.stringify({ Parameters: [{ RuleId: SCIM_RULE_ID, Subjects: [{ ObjectId: users.carol, ObjectTypeName: 'User' }] }] }), '--json'));
    assert.ok(JSON.stringify(viaIdentity.value).includes(users.carol!));
    assert.ok(userNames().includes('carol@provisio.local'));

    expectError(await cli(ON_DEMAND, '-ApplicationId', cmdletApp.appId, '-SynchronizationJobId', cmdletApp.jobId,
      '-Parameters', `@{RuleId='not-a-rule'; Subjects=@(@{ObjectId='${users.carol}'; ObjectTypeName='User'})}`), 5, /./, { requestId: true });
  });

  test(`${TOKEN}: a real call obtains a token from the application's token endpoint and keeps it masked`, async () => {
    const { clientId, secret } = await server.services.clients.create({ displayName: 'the application itself', roles: [] });
    const creds = `@{Key='Oauth2TokenExchangeUri'; Value='${server.url}/oauth2/v2.0/token'}, @{Key='Oauth2ClientId'; Value='${clientId}'}, @{Key='Oauth2ClientSecret'; Value='${secret}'}`;
    assert.equal(expectCode(await cli(TOKEN, '-ApplicationId', appId, '-Credentials', creds), 0).stdout, '');
    assert.equal(expectCode(await cli(TOKEN, '-ApplicationId', appId, '-Credentials', creds, '-PassThru'), 0).stdout, 'True\n');
    const listed = json<{ value: { key: string; value: string }[] }>(await run('secrets', 'list', '--sp', spId, '--json'));
    assert.equal(listed.value.find((s) => s.key === 'Oauth2AccessToken')?.value, '******');
    assert.match((await server.services.sync.readSecrets(spId)).Oauth2AccessToken ?? '', /^ey/);

    const refused = expectError(await cli(TOKEN, '-ApplicationId', appId, '-Credentials',
      `@{Key='Oauth2TokenExchangeUri'; Value='${server.url}/oauth2/v2.0/token'}, @{Key='Oauth2ClientId'; Value='${clientId}'}, @{Key='Oauth2ClientSecret'; Value='wrong-secret'}`), 5, 'AccessTokenAcquisitionFailed', { requestId: true });
    assert.ok(!refused.includes('wrong-secret'));
  });
});
