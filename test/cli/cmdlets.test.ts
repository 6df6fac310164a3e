/**
 * The seed cmdlets by their own names: every parameter set of each, run as
 * a child process (`cli`) — real calls for Start-MgApplicationSynchronizationJob
 * and Set-MgServicePrincipalSynchronization; -WhatIf to show the request each
 * parameter set of the others builds (their real calls, against a live SCIM
 * application, are in operations.test.ts; Sync-CsOnlineApplicationInstance's
 * in test/appinstances/cli.test.ts) — plus the binder's errors, -Confirm and
 * -PassThru. Variations run in-process (`run`, through main()).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { closedPort, expectCode, expectError, json, runCli, runInProcess, scratch } from './run-cli.ts';
import type { CliResult } from './run-cli.ts';

const SCIM_APP_TEMPLATE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
const START = 'Start-MgApplicationSynchronizationJob';
const SET = 'Set-MgServicePrincipalSynchronization';
const ON_DEMAND = 'New-MgApplicationSynchronizationJobOnDemand';
const TOKEN = 'Get-MgApplicationSynchronizationAccessToken';
const SYNC_INSTANCE = 'Sync-CsOnlineApplicationInstance';

interface WhatIf {
  whatIf: true;
  cmdlet: string;
  parameterSet: string;
  operation: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

describe('seed cmdlets by their own names', () => {
  let server: TestServer;
  let files: ReturnType<typeof scratch>;
  let env: Record<string, string>;
  let appId: string;
  let spId: string;
  let jobId: string;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, { env });
  const run = (...args: string[]): Promise<CliResult> => runInProcess(args, { env });

  const job = async () => (await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).json()) as { schedule: { state: string }; status: { code: string } };
  const pause = async () => assert.equal((await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/pause`, { method: 'POST' })).status, 204);
  const secrets = async () => {
    const body = (await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/secrets`)).json()) as { value: { key: string; value: string }[] };
    return Object.fromEntries(body.value.map((p) => [p.key, p.value]));
  };

  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    files = scratch();
    env = { PROVISIO_URL: server.url, PROVISIO_CLIENT_ID: server.clientId, PROVISIO_CLIENT_SECRET: server.clientSecret };
    const made = (await (await server.api(`/v1.0/applicationTemplates/${SCIM_APP_TEMPLATE}/instantiate`, { method: 'POST', json: { displayName: 'Cmdlet app' } })).json()) as {
      application: { id: string };
      servicePrincipal: { id: string };
    };
    appId = made.application.id;
    spId = made.servicePrincipal.id;
    await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/secrets`, { method: 'PUT', json: { value: [{ key: 'BaseAddress', value: 'http://127.0.0.1:1/scim' }] } });
    jobId = ((await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`, { method: 'POST', json: { templateId: 'scim' } })).json()) as { id: string }).id;
  });
  after(async () => {
    await server.close();
    files.dispose();
  });

  describe(START, () => {
    test('Start: starts the job; prints nothing without -PassThru', async () => {
      const r = expectCode(await cli(START, '-ApplicationId', appId, '-SynchronizationJobId', jobId), 0);
      assert.equal(r.stdout, '');
      assert.equal((await job()).schedule.state, 'Active');
    });

    test('StartViaIdentity: -InputObject as JSON and as a hashtable literal, -PassThru prints True', async () => {
      await pause();
      const r = expectCode(await cli(START.toLowerCase(), '-inputobject', JSON.stringify({ applicationId: appId, synchronizationJobId: jobId }), '-PassThru'), 0);
      assert.equal(r.stdout, 'True\n');
      assert.equal((await job()).schedule.state, 'Active');
      await pause();
      const literal = `@{ApplicationId='${appId}'; SynchronizationJobId="${jobId}"}`;
      assert.deepEqual(json(await run(START, '-InputObject', literal, '-PassThru', '--json')), { value: true });
      assert.equal((await job()).schedule.state, 'Active');
    });

    test('abbreviated, case-insensitive names and --json -PassThru', async () => {
      await pause();
      assert.deepEqual(json(await cli('--json', START, '-app', appId, '-sync', jobId, '-passthru')), { value: true });
      assert.equal((await job()).schedule.state, 'Active');
    });

    test('-WhatIf in both sets prints the request and changes nothing', async () => {
      await pause();
      const human = expectCode(await cli(START, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-WhatIf'), 0);
      assert.equal(human.stdout,
        `What if: Performing the operation "${START}_Start" on target "ApplicationId: ${appId}, SynchronizationJobId: ${jobId}".\n` +
        `POST ${server.url}/v1.0/applications/${appId}/synchronization/jobs/${jobId}/start\n`);
      const viaIdentity = json<WhatIf>(await run(START, '-InputObject', JSON.stringify({ ApplicationId: appId, SynchronizationJobId: jobId }), '-wi', '--json'));
      assert.deepEqual(
        { set: viaIdentity.parameterSet, method: viaIdentity.method, url: viaIdentity.url, body: viaIdentity.body },
        { set: 'StartViaIdentity', method: 'POST', url: `${server.url}/v1.0/applications/${appId}/synchronization/jobs/${jobId}/start`, body: undefined },
      );
      // -WhatIf needs no credentials: nothing is sent.
      expectCode(await runInProcess([START, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-WhatIf'], { env: { PROVISIO_URL: server.url } }), 0);
      assert.equal((await job()).schedule.state, 'Paused');
    });

    test('-Confirm: refused without a terminal; asks on one (no → nothing, yes → runs); -Confirm:$false runs', async () => {
      await pause();
      const refused = expectError(await cli(START, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-Confirm'), 2, 'ConfirmationRequired');
      assert.match(refused, /-Confirm:\$false/);
      assert.equal((await job()).schedule.state, 'Paused');

      const no = expectCode(await runInProcess([START, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-cf', '-PassThru'], { env, interactive: true, answers: [''] }), 0);
      assert.match(no.stderr, /Are you sure you want to perform this action\?\nPerforming the operation "Start-MgApplicationSynchronizationJob_Start"/);
      assert.match(no.stderr, /not confirmed; nothing was done/);
      assert.equal(no.stdout, '');
      assert.equal((await job()).schedule.state, 'Paused');
      const yes = expectCode(await runInProcess([START, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-Confirm', '-PassThru'], { env, interactive: true, answers: ['y'] }), 0);
      assert.equal(yes.stdout, 'True\n');
      assert.equal((await job()).schedule.state, 'Active');

      await pause();
      assert.equal(expectCode(await cli(START, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-Confirm:$false', '-PassThru'), 0).stdout, 'True\n');
      assert.equal((await job()).schedule.state, 'Active');
    });

    test('errors: 404, unreachable server, and the binder', async () => {
      expectError(await cli(START, '-ApplicationId', appId, '-SynchronizationJobId', 'no-such-job'), 4, 'itemNotFound', { requestId: true });
      const port = await closedPort();
      expectError(await cli(START, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '--server', `http://127.0.0.1:${port}`), 7, 'ServerUnreachable');
      const cases: [string[], string, RegExp][] = [
        [['-ApplicationId', appId, '-InputObject', '{}'], 'AmbiguousParameterSet', /Parameter set cannot be resolved/],
        [['-PassThru'], 'MissingMandatoryParameter', /missing mandatory parameters: ApplicationId SynchronizationJobId\.$/],
        [['-ApplicationId', appId], 'MissingMandatoryParameter', /: SynchronizationJobId\.$/],
        [['-ApplicationId', appId, '-SynchronizationJobId', jobId, '-Colour', 'red'], 'NamedParameterNotFound', /parameter name 'Colour'/],
        [['-ApplicationId', appId, '-SynchronizationJobId', jobId, 'extra'], 'PositionalParameterNotFound', /argument 'extra'/],
        [['-ApplicationId', appId, '-applicationid', appId, '-SynchronizationJobId', jobId], 'ParameterAlreadyBound', /'ApplicationId' is specified more than once/],
        [['-SynchronizationJobId', jobId, '-ApplicationId'], 'MissingArgument', /Missing an argument for parameter 'ApplicationId'/],
        [['-InputObject', JSON.stringify({ applicationId: appId })], 'InvalidInputObject', /InputObject\.SynchronizationJobId/],
        [['-InputObject', '[1,2]'], 'ParameterArgumentTransformationError', /IApplicationsIdentity/],
        [['-ApplicationId', appId, '-SynchronizationJobId', jobId, '-PassThru:maybe'], 'ParameterArgumentTransformationError', /SwitchParameter/],
        [['-ApplicationId', appId, '-SynchronizationJobId', jobId, '--colour'], 'UnknownOption', /'--colour'/],
      ];
      for (const [args, code, message] of cases) {
        const line = expectError(await run(START, ...args), 2, code);
        assert.match(line, message, line);
      }
      // One of them as a child process, for the exit code of the real binary.
      expectError(await cli(START, '-ApplicationId', appId, '-InputObject', '{}'), 2, 'AmbiguousParameterSet');
    });

    test('-? and --help print the parameter sets', async () => {
      const r = expectCode(await cli(START, '-?'), 0);
      assert.match(r.stdout, /^Start \(Default\)\n {2}Start-MgApplicationSynchronizationJob -ApplicationId <String> -SynchronizationJobId <String> \[-PassThru\] \[-WhatIf\] \[-Confirm\]/m);
      assert.match(r.stdout, /^StartViaIdentity\n {2}Start-MgApplicationSynchronizationJob -InputObject <IApplicationsIdentity> \[-PassThru\]/m);
    });
  });

  describe(SET, () => {
    test('UpdateExpanded: -ServicePrincipalId with -Secrets as a PowerShell array of hashtables', async () => {
      const r = expectCode(await cli(SET, '-ServicePrincipalId', spId,
        '-Secrets', "@(@{Key='BaseAddress'; Value='https://expanded.example.test/scim'}, @{Key='SecretToken'; Value='token-1'})"), 0);
      assert.equal(r.stdout, '');
      assert.deepEqual(await secrets(), { BaseAddress: 'https://expanded.example.test/scim', SecretToken: '******' });
    });

    test('Update: -ServicePrincipalId with -BodyParameter @file.json in PowerShell casing', async () => {
      const file = join(files.dir, 'sync-body.json');
      writeFileSync(file, JSON.stringify({ Secrets: [{ Key: 'BaseAddress', Value: 'https://update.example.test/scim' }, { Key: 'SyncAll', Value: 'false' }] }));
      expectCode(await cli(SET, '-ServicePrincipalId', spId, '-BodyParameter', `@${file}`), 0);
      assert.deepEqual(await secrets(), { BaseAddress: 'https://update.example.test/scim', SyncAll: 'false' });
    });

    test('UpdateViaIdentityExpanded: -InputObject with -Jobs creates a job', async () => {
      const before = ((await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`)).json()) as { value: { id: string }[] }).value.length;
      const newJob = `scim.cmdlet.${Date.now()}`;
      expectCode(await cli(SET, '-InputObject', `@{ServicePrincipalId='${spId}'}`, '-Jobs', JSON.stringify([{ id: newJob, templateId: 'scim', schedule: { interval: 'PT30M' } }])), 0);
      const jobs = ((await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`)).json()) as { value: { id: string; schedule: { interval: string } }[] }).value;
      assert.equal(jobs.length, before + 1);
      assert.equal(jobs.find((j) => j.id === newJob)?.schedule.interval, 'PT30M');
    });

    test('UpdateViaIdentity: -InputObject with -BodyParameter JSON; --json prints nothing for a 204', async () => {
      const r = expectCode(await cli(SET, '-InputObject', JSON.stringify({ servicePrincipalId: spId }), '-BodyParameter', JSON.stringify({ secrets: [{ key: 'BaseAddress', value: 'https://identity.example.test/scim' }] }), '--json'), 0);
      assert.equal(r.stdout, '');
      assert.deepEqual(await secrets(), { BaseAddress: 'https://identity.example.test/scim' });
    });

    test('-WhatIf for every set shows PUT …/synchronization with the body, and changes nothing', async () => {
      const identity = JSON.stringify({ ServicePrincipalId: spId });
      const body = JSON.stringify({ secrets: [{ key: 'SyncAll', value: 'true' }] });
      const sets: [string, string[], unknown][] = [
        ['UpdateExpanded', ['-ServicePrincipalId', spId, '-Id', 'sync-id', '-Secrets', '[{"Key":"SyncAll","Value":"true"}]', '-AdditionalProperties', '{"extra":1}'], { extra: 1, id: 'sync-id', secrets: [{ key: 'SyncAll', value: 'true' }] }],
        ['Update', ['-ServicePrincipalId', spId, '-BodyParameter', body], { secrets: [{ key: 'SyncAll', value: 'true' }] }],
        ['UpdateViaIdentityExpanded', ['-InputObject', identity, '-Templates', '{"Id":"scim","FactoryTag":"scim"}'], { templates: [{ id: 'scim', factoryTag: 'scim' }] }],
        ['UpdateViaIdentity', ['-InputObject', identity, '-BodyParameter', body, '-Headers', '{"x-test":"1"}'], { secrets: [{ key: 'SyncAll', value: 'true' }] }],
      ];
      for (const [set, args, expected] of sets) {
        const w = json<WhatIf>(await run(SET, ...args, '-WhatIf', '--json'));
        assert.equal(w.parameterSet, set);
        assert.equal(w.method, 'PUT');
        assert.equal(w.url, `${server.url}/v1.0/servicePrincipals/${spId}/synchronization`);
        assert.deepEqual(w.body, expected, set);
      }
      const human = expectCode(await cli(SET, '-ServicePrincipalId', spId, '-BodyParameter', body, '-WhatIf'), 0);
      assert.match(human.stdout, /^What if: Performing the operation "Set-MgServicePrincipalSynchronization_Update" on target "ServicePrincipalId: .*"\.\nPUT http.*\/synchronization\nContent-Type: application\/json\n\n\{\n {2}"secrets"/);
      assert.deepEqual(await secrets(), { BaseAddress: 'https://identity.example.test/scim' });
    });

    test('errors: a body the server refuses (400), -PassThru is not a parameter of this cmdlet, mixed sets', async () => {
      expectError(await cli(SET, '-ServicePrincipalId', spId, '-BodyParameter', '{"colour":"red"}'), 5, 'Request_BadRequest', { requestId: true });
      expectError(await run(SET, '-ServicePrincipalId', spId, '-PassThru'), 2, 'NamedParameterNotFound');
      expectError(await run(SET, '-ServicePrincipalId', spId, '-BodyParameter', '{}', '-Secrets', '[]'), 2, 'AmbiguousParameterSet');
      expectError(await run(SET, '-ServicePrincipalId', 'not-a-service-principal', '-Secrets', '[]'), 4, 'Request_ResourceNotFound');
      expectError(await run(SET, '-ServicePrincipalId', spId, '-BodyParameter', '@/nonexistent/body.json'), 2, 'ParameterArgumentTransformationError');
      expectError(await run(SET, '-InputObject', JSON.stringify({ applicationId: appId }), '-Secrets', '[]'), 2, 'InvalidInputObject');
    });
  });

  describe(`${ON_DEMAND} (every parameter set, with -WhatIf; real calls in operations.test.ts)`, () => {
    const url = () => `${server.url}/v1.0/applications/${appId}/synchronization/jobs/${jobId}/provisionOnDemand`;
    const parameters = [{ ruleId: 'rule-1', subjects: [{ objectId: 'user-1', objectTypeName: 'User' }] }];

    test('ProvisionExpanded: -Parameters as a PowerShell literal in PascalCase', async () => {
      const w = json<WhatIf>(await cli(ON_DEMAND, '-ApplicationId', appId, '-SynchronizationJobId', jobId,
        '-Parameters', "@{RuleId='rule-1'; Subjects=@(@{ObjectId='user-1'; ObjectTypeName='User'})}", '-WhatIf', '--json'));
      assert.deepEqual({ set: w.parameterSet, method: w.method, url: w.url, body: w.body }, { set: 'ProvisionExpanded', method: 'POST', url: url(), body: { parameters } });
    });

    test('Provision: -BodyParameter @file.json, human -WhatIf', async () => {
      const file = join(files.dir, 'on-demand.json');
      writeFileSync(file, JSON.stringify({ parameters: [{ ruleId: 'rule-1', subjects: [{ objectId: 'group-1', objectTypeName: 'Group', links: { members: [{ objectId: 'user-1', objectTypeName: 'User' }] } }] }] }));
      const r = expectCode(await cli(ON_DEMAND, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-BodyParameter', `@${file}`, '-WhatIf'), 0);
      assert.match(r.stdout, new RegExp(`^What if: Performing the operation "${ON_DEMAND}_Provision" on target "ApplicationId: ${appId}, SynchronizationJobId: ${jobId.replace(/\./g, '\\.')}"\\.$`, 'm'));
      assert.ok(r.stdout.includes(`POST ${url()}\n`));
      assert.match(r.stdout, /"objectTypeName": "Group",\n\s+"links": \{\n\s+"members"/);
    });

    test('ProvisionViaIdentityExpanded: -InputObject, -Parameters, -AdditionalProperties, -Headers, -ProgressAction', async () => {
      const w = json<WhatIf>(await cli(ON_DEMAND, '-InputObject', JSON.stringify({ applicationId: appId, synchronizationJobId: jobId }),
        '-Parameters', JSON.stringify(parameters), '-AdditionalProperties', '{"note":"kept as given"}', '-Headers', "@{'client-request-id'='abc'}", '-proga', 'SilentlyContinue', '-WhatIf', '--json'));
      assert.equal(w.parameterSet, 'ProvisionViaIdentityExpanded');
      assert.equal(w.url, url());
      assert.deepEqual(w.headers, { 'client-request-id': 'abc' });
      assert.deepEqual(w.body, { note: 'kept as given', parameters });
    });

    test('ProvisionViaIdentity: -InputObject with -BodyParameter from stdin (@-)', async () => {
      const r = await runCli([ON_DEMAND, '-InputObject', `@{ApplicationId='${appId}'; SynchronizationJobId='${jobId}'}`, '-BodyParameter', '@-', '-WhatIf', '--json'], { env, input: JSON.stringify({ parameters }) });
      const w = json<WhatIf>(r);
      assert.equal(w.parameterSet, 'ProvisionViaIdentity');
      assert.deepEqual(w.body, { parameters });
    });

    test('binder errors', async () => {
      expectError(await run(ON_DEMAND, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-Parameters', '[]', '-BodyParameter', '{}'), 2, 'AmbiguousParameterSet');
      expectError(await run(ON_DEMAND, '-ApplicationId', appId, '-Parameters', '[]'), 2, 'MissingMandatoryParameter');
      expectError(await run(ON_DEMAND, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-Parameters', '{not json'), 2, 'ParameterArgumentTransformationError');
      expectError(await run(ON_DEMAND, '-ApplicationId', appId, '-SynchronizationJobId', jobId, '-Parameters', '[1]'), 2, 'ParameterArgumentTransformationError');
      expectError(await run(ON_DEMAND, '-InputObject', '{}', '-Parameters', '[]', '-WhatIf'), 2, 'InvalidInputObject');
    });
  });

  describe(`${TOKEN} (every parameter set, with -WhatIf; real calls in operations.test.ts)`, () => {
    const url = () => `${server.url}/v1.0/applications/${appId}/synchronization/acquireAccessToken`;
    const credentials = [{ key: 'Oauth2ClientId', value: 'client' }, { key: 'Oauth2ClientSecret', value: 'secret' }];

    test('every parameter set builds POST …/acquireAccessToken with the credentials', async () => {
      const identity = JSON.stringify({ ApplicationId: appId });
      const sets: [string, string[], unknown][] = [
        ['AcquireExpanded', ['-ApplicationId', appId, '-Credentials', "@{Key='Oauth2ClientId'; Value='client'}, @{Key='Oauth2ClientSecret'; Value='secret'}"], { credentials }],
        ['Acquire', ['-ApplicationId', appId, '-BodyParameter', JSON.stringify({ credentials })], { credentials }],
        ['AcquireViaIdentity', ['-InputObject', identity, '-BodyParameter', JSON.stringify({ Credentials: [{ Key: 'Oauth2ClientId', Value: 'client' }, { Key: 'Oauth2ClientSecret', Value: 'secret' }] })], { credentials }],
        ['AcquireViaIdentityExpanded', ['-InputObject', identity, '-Credentials', JSON.stringify(credentials), '-AdditionalProperties', '{"extra":true}', '-RHV', 'headers', '-PassThru'], { extra: true, credentials }],
      ];
      const results = await Promise.all(sets.map(([, args]) => cli(TOKEN, ...args, '-WhatIf', '--json')));
      sets.forEach(([set, , body], i) => {
        const w = json<WhatIf>(results[i]!);
        assert.deepEqual({ set: w.parameterSet, method: w.method, url: w.url, body: w.body }, { set, method: 'POST', url: url(), body }, set);
      });
    });

    test('binder errors', async () => {
      expectError(await run(TOKEN, '-ApplicationId', appId, '-InputObject', '{}'), 2, 'AmbiguousParameterSet');
      expectError(await run(TOKEN, '-Credentials', '[]'), 2, 'MissingMandatoryParameter');
      expectError(await run(TOKEN, '-InputObject', JSON.stringify({ servicePrincipalId: spId }), '-Credentials', '[]', '-WhatIf'), 2, 'InvalidInputObject');
      expectError(await run(TOKEN, '-ApplicationId', appId, '-Credentials', '[]', '-BodyParameter', '{}'), 2, 'AmbiguousParameterSet');
    });
  });

  describe(`${SYNC_INSTANCE} (every parameter set, with -WhatIf; real calls in operations.test.ts)`, () => {
    test('all parameters; GUIDs normalised; -Force travels as ?force=true', async () => {
      const w = json<WhatIf>(await cli(SYNC_INSTANCE, '-ObjectId', '{5B2F3A4C-1111-2222-3333-444455556666}', '-ApplicationId', 'CE933385-9390-45D1-9512-C8D228074E07',
        '-AcsResourceId', '0f0e0d0c0b0a09080706050403020100', '-CallbackUri', 'https://callback.example.test', '-Force', '-WhatIf', '--json'));
      assert.equal(w.parameterSet, '__AllParameterSets');
      assert.equal(w.method, 'POST');
      assert.equal(w.url, `${server.url}/v1.0/admin/teams/resourceAccounts/5b2f3a4c-1111-2222-3333-444455556666/sync?force=true`);
      assert.deepEqual(w.body, {
        appId: 'ce933385-9390-45d1-9512-c8d228074e07',
        acsResourceId: '0f0e0d0c-0b0a-0908-0706-050403020100',
        callbackUri: 'https://callback.example.test',
      });
    });

    test('the all-zero GUID removes the mapping: human -WhatIf', async () => {
      const r = expectCode(await cli(SYNC_INSTANCE, '-ObjectId', '5b2f3a4c-1111-2222-3333-444455556666', '-ApplicationId', '00000000-0000-0000-0000-000000000000', '-WhatIf'), 0);
      assert.equal(r.stdout,
        'What if: Performing the operation "Sync-CsOnlineApplicationInstance" on target "ObjectId: 5b2f3a4c-1111-2222-3333-444455556666, ApplicationId: 00000000-0000-0000-0000-000000000000".\n' +
        `POST ${server.url}/v1.0/admin/teams/resourceAccounts/5b2f3a4c-1111-2222-3333-444455556666/sync\nContent-Type: application/json\n\n` +
        '{\n  "appId": "00000000-0000-0000-0000-000000000000"\n}\n');
    });

    test('binder errors and help', async () => {
      const guid = expectError(await cli(SYNC_INSTANCE, '-ObjectId', 'appinstance01@contoso.com', '-WhatIf'), 2, 'ParameterArgumentTransformationError');
      assert.match(guid, /Cannot convert value "appinstance01@contoso\.com" to type "System\.Guid"/);
      expectError(await run(SYNC_INSTANCE, '-ApplicationId', '00000000-0000-0000-0000-000000000000'), 2, 'MissingMandatoryParameter');
      expectError(await run(SYNC_INSTANCE, '-ObjectId', '5b2f3a4c-1111-2222-3333-444455556666', '-Objectid', '5b2f3a4c-1111-2222-3333-444455556666'), 2, 'ParameterAlreadyBound');
      expectError(await run(SYNC_INSTANCE, '-ObjectId', '5b2f3a4c-1111-2222-3333-444455556666', '-Force:$nope'), 2, 'ParameterArgumentTransformationError');
      const help = expectCode(await run(SYNC_INSTANCE, '--help'), 0);
      assert.match(help.stdout, /Sync-CsOnlineApplicationInstance -ObjectId <Guid> \[-ApplicationId <Guid>\] \[-AcsResourceId <Guid>\] \[-CallbackUri <String>\] \[-Force\] \[-WhatIf\] \[-Confirm\]/);
    });
  });
});
