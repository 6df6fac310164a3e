/**
 * The CLI's building blocks, in-process: exit codes and the error line,
 * the Graph client (token cache, retries, paging, error bodies) over a fake
 * fetch, credentials resolution and the profile file, tables, detail
 * views, the logs filter, and the request builders of the commands whose
 * endpoints are still being built.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, ExitCode, exitCodeForStatus, formatError } from '../../src/cli/errors.ts';
import { GraphClient, errorFromResponse, unwrapGraphMessage } from '../../src/cli/http-client.ts';
import { DEFAULT_SERVER, defaultProfilePath, normalizeServer, readProfile, resolveConnection, writeProfile } from '../../src/cli/credentials.ts';
import { Output, renderFields, renderTable, cell } from '../../src/cli/output.ts';
import { decodeOnDemand, jobDetails, logDetails, onDemandDetails } from '../../src/cli/views.ts';
import { logFilter, parseInstant } from '../../src/cli/commands/logs/filter.ts';
import { pairsFromJson, parseAssignments, syncBase } from '../../src/cli/context.ts';
import { appInstanceRequest } from '../../src/cli/commands/appinstance/api.ts';
import { provisionBody } from '../../src/cli/commands/job/provision.ts';
import { formatList } from '../../src/cli/cmdlets/cmdlet.ts';
import { scratch } from './run-cli.ts';

const dir = scratch();
after(() => dir.dispose());

function thrown(fn: () => unknown): CliError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CliError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

async function rejected(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CliError, String(e));
    return e;
  }
  assert.fail('expected a rejection');
}

describe('exit codes and the error line', () => {
  test('HTTP statuses map to the documented exit codes', () => {
    const table: [number, number][] = [[400, 5], [401, 3], [403, 3], [404, 4], [405, 5], [409, 5], [412, 5], [413, 5], [415, 5], [422, 5], [429, 6], [500, 7], [503, 7], [504, 7]];
    for (const [status, code] of table) assert.equal(exitCodeForStatus(status), code, String(status));
  });

  test('one line: provisio: <code>: <message> (request-id …), whatever the message holds', () => {
    const e = new CliError(ExitCode.NotFound, 'itemNotFound', 'The job\n  does not exist.', { status: 404, requestId: 'r-1' });
    assert.equal(formatError(e), 'provisio: itemNotFound: The job does not exist. (request-id r-1)');
    assert.equal(formatError(new Error('boom')), 'provisio: UnexpectedError: boom');
  });
});

describe('Graph and OAuth error bodies', () => {
  const headers = new Headers({ 'request-id': 'hdr-id', 'retry-after': '7' });

  test('Graph error: code, message, request id from innerError, first details', () => {
    const e = errorFromResponse(400, 'Bad Request', headers, {
      error: {
        code: 'Request_BadRequest', message: 'Schema invalid.',
        details: [{ code: 'a', message: 'one' }, { code: 'b', message: 'two' }, { code: 'c', message: 'three' }, { code: 'd', message: 'four' }],
        innerError: { 'request-id': 'inner-id' },
      },
    });
    assert.equal(e.exitCode, ExitCode.Rejected);
    assert.equal(e.code, 'Request_BadRequest');
    assert.equal(e.requestId, 'inner-id');
    assert.equal(e.message, 'Schema invalid. [one; two; three; +1 more]');
  });

  test("the sync backend's JSON-in-a-string messages are unwrapped", () => {
    assert.equal(unwrapGraphMessage('{"Message":"No HTTP resource was found that matches the request URI \'x\'."}'), "No HTTP resource was found that matches the request URI 'x'.");
    assert.equal(unwrapGraphMessage('{\r\n "error":{"code":"InvalidNotificationSettings","message":null}}'), 'InvalidNotificationSettings');
    assert.equal(unwrapGraphMessage('{not json'), '{not json');
  });

  test('429 carries Retry-After; OAuth errors drop the trace suffix; anything else is HTTP<status>', () => {
    const t = errorFromResponse(429, 'Too Many Requests', headers, { error: { code: 'TooManyRequests', message: 'Please retry again later.' } });
    assert.equal(t.exitCode, ExitCode.Throttled);
    assert.match(t.message, /\(Retry-After: 7 s\)$/);
    const o = errorFromResponse(401, 'Unauthorized', headers, { error: 'invalid_client', error_description: "AADSTS7000215: Invalid client secret provided for client 'x'. Trace ID: abc Timestamp: 2024", trace_id: 'trace-1' });
    assert.deepEqual([o.code, o.message, o.requestId, o.exitCode], ['invalid_client', "AADSTS7000215: Invalid client secret provided for client 'x'.", 'trace-1', ExitCode.Auth]);
    const p = errorFromResponse(502, 'Bad Gateway', new Headers(), undefined);
    assert.deepEqual([p.code, p.exitCode], ['HTTP502', ExitCode.Unavailable]);
  });
});

describe('GraphClient over a fake fetch', () => {
  interface Call { url: string; init: RequestInit }
  function fakeServer(handler: (call: Call, n: number) => Response) {
    const calls: Call[] = [];
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      const call = { url: String(url), init: init ?? {} };
      calls.push(call);
      return handler(call, calls.length);
    }) as typeof fetch;
    return { calls, fetchImpl };
  }
  const token = (expiresIn = 3600) => Response.json({ token_type: 'Bearer', access_token: `tok-${Math.random()}`, expires_in: expiresIn });

  test('one token for many requests; a new one when it is about to expire', async () => {
    let now = 1_000_000;
    const { calls, fetchImpl } = fakeServer((c) => (c.url.endsWith('/oauth2/v2.0/token') ? token(120) : Response.json({ value: [] })));
    const client = new GraphClient({ server: 'http://h', clientId: 'id', clientSecret: 's', fetch: fetchImpl, now: () => now });
    await client.get('/v1.0/applications');
    await client.get('/v1.0/applications');
    assert.equal(client.tokenRequests, 1);
    const form = new URLSearchParams(String(calls[0]!.init.body));
    assert.deepEqual(Object.fromEntries(form), { grant_type: 'client_credentials', client_id: 'id', client_secret: 's', scope: 'https://graph.microsoft.com/.default' });
    assert.match(String((calls[1]!.init.headers as Record<string, string>).authorization), /^Bearer tok-/);
    now += 61_000; // past lifetime minus the 60 s margin
    await client.get('/v1.0/applications');
    assert.equal(client.tokenRequests, 2);
  });

  test('a 401 with a cached token is retried once with a fresh token', async () => {
    let apiCalls = 0;
    const { fetchImpl } = fakeServer((c) => {
      if (c.url.endsWith('/token')) return token();
      apiCalls++;
      return apiCalls === 1 ? Response.json({ error: { code: 'InvalidAuthenticationToken', message: 'expired' } }, { status: 401 }) : Response.json({ ok: true });
    });
    const client = new GraphClient({ server: 'http://h', clientId: 'id', clientSecret: 's', fetch: fetchImpl });
    assert.deepEqual(await client.get('/v1.0/x'), { ok: true });
    assert.equal(client.tokenRequests, 2);
  });

  test('--all follows nextLinks, rebased onto the configured server', async () => {
    const { calls, fetchImpl } = fakeServer((c) => {
      if (c.url.endsWith('/token')) return token();
      if (c.url.includes('skiptoken')) return Response.json({ value: [{ id: 2 }] });
      return Response.json({ '@odata.context': 'ctx', '@odata.nextLink': 'https://elsewhere.example/v1.0/applications?$top=1&$skiptoken=abc', value: [{ id: 1 }] });
    });
    const client = new GraphClient({ server: 'http://h:8', clientId: 'id', clientSecret: 's', fetch: fetchImpl });
    assert.deepEqual(await client.list('/v1.0/applications', { $top: 1 }, true), { '@odata.context': 'ctx', value: [{ id: 1 }, { id: 2 }] });
    assert.equal(calls[1]!.url, 'http://h:8/v1.0/applications?$top=1');
    assert.equal(calls[2]!.url, 'http://h:8/v1.0/applications?$top=1&$skiptoken=abc', 'the token never goes to another host');
  });

  test('no credentials, timeouts and network failures', async () => {
    const none = new GraphClient({ server: 'http://h', clientId: undefined, clientSecret: 's' });
    const missing = await rejected(none.get('/v1.0/x'));
    assert.deepEqual([missing.code, missing.exitCode], ['MissingCredentials', ExitCode.Auth]);
    assert.match(missing.message, /No client id: pass --client-id/);
    const slow = new GraphClient({ server: 'http://h', clientId: 'i', clientSecret: 's', fetch: (async () => { throw new DOMException('timed out', 'TimeoutError'); }) as typeof fetch });
    const timeout = await rejected(slow.token());
    assert.deepEqual([timeout.code, timeout.exitCode], ['Timeout', ExitCode.Unavailable]);
    const down = new GraphClient({
      server: 'http://h', clientId: 'i', clientSecret: 's',
      fetch: (async () => { throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }); }) as typeof fetch,
    });
    const refused = await rejected(down.token());
    assert.deepEqual([refused.code, refused.exitCode], ['ServerUnreachable', ExitCode.Unavailable]);
    assert.match(refused.message, /\(ECONNREFUSED\)/);
  });
});

describe('credentials', () => {
  const profile = join(dir.dir, 'p', 'profile.json');

  test('each value from the flag, else the environment, else the profile file', () => {
    writeProfile(profile, { server: 'http://profile:1', clientId: 'pid', clientSecret: 'psecret' });
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    assert.deepEqual(resolveConnection({ profile }, {}, warn), { server: 'http://profile:1', clientId: 'pid', clientSecret: 'psecret', profilePath: profile });
    assert.deepEqual(resolveConnection({ profile, clientId: 'flag' }, { PROVISIO_CLIENT_ID: 'env', PROVISIO_URL: 'http://env:2/' }, warn),
      { server: 'http://env:2', clientId: 'flag', clientSecret: 'psecret', profilePath: profile });
    // Everything given without --profile: the profile file is not even read.
    assert.equal(resolveConnection({}, { PROVISIO_URL: 'http://e', PROVISIO_CLIENT_ID: 'a', PROVISIO_CLIENT_SECRET: 'b', PROVISIO_PROFILE: profile }, warn).profilePath, undefined);
    assert.equal(resolveConnection({}, { HOME: dir.dir }, warn).server, DEFAULT_SERVER);
    assert.deepEqual(warnings, []);
  });

  test('the profile file is written 0600 (even over a looser file) and read with a warning when loose', () => {
    chmodSync(profile, 0o644);
    writeProfile(profile, { server: 'http://x' });
    assert.equal(statSync(profile).mode & 0o777, 0o600);
    chmodSync(profile, 0o640);
    const warnings: string[] = [];
    readProfile(profile, { required: true, warn: (m) => warnings.push(m) });
    assert.match(warnings[0] ?? '', /readable by other users \(mode 0640\); run: chmod 600 /);
    writeFileSync(profile, '{"clientId": 5}');
    assert.equal(thrown(() => readProfile(profile, { required: true, warn: () => undefined })).code, 'InvalidProfile');
    assert.equal(readProfile(join(dir.dir, 'none.json'), { required: false, warn: () => undefined }), undefined);
  });

  test('default profile path and server normalization', () => {
    assert.equal(defaultProfilePath({ HOME: '/home/u' }), '/home/u/.config/provisio/profile.json');
    assert.equal(defaultProfilePath({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }), '/cfg/provisio/profile.json');
    assert.equal(defaultProfilePath({ PROVISIO_PROFILE: '/p.json' }), '/p.json');
    assert.equal(normalizeServer('http://h:8080/'), 'http://h:8080');
    assert.equal(normalizeServer('https://h/prefix/v1.0/'), 'https://h/prefix');
    assert.equal(thrown(() => normalizeServer('h:8080')).code, 'InvalidServer');
    assert.equal(thrown(() => normalizeServer('http://h?x=1')).code, 'InvalidServer');
  });
});

describe('tables and detail views', () => {
  test('aligned columns, upper-case headers, no trailing spaces, cells on one line', () => {
    const text = renderTable([{ a: 'x', b: null, c: ['p', 'q'] }, { a: 'longer', b: true, c: 'multi\nline' }], [
      { header: 'a', get: (r) => r.a }, { header: 'bee', get: (r) => r.b }, { header: 'c', get: (r) => r.c },
    ]);
    assert.equal(text, 'A       BEE   C\nx             p, q\nlonger  true  multi line\n');
    assert.equal(renderFields([['id', 'x'], ['skipped', undefined], ['longer name', { k: 1 }]]), 'id:          x\nlonger name: {"k":1}\n');
    assert.equal(cell([{ a: 1 }, 2]), '{"a":1}, 2');
  });

  test('Output: JSON documents for scripts, sentences for people; 204 results are {"value": true}', () => {
    let out = '';
    new Output(true, (t) => (out += t)).done('Started.');
    assert.deepEqual(JSON.parse(out), { value: true });
    out = '';
    new Output(false, (t) => (out += t)).collection({ value: [] }, [], 'jobs');
    assert.equal(out, 'No jobs found.\n');
  });

  test('job details: never-scheduled interval and never-reached instants read as words', () => {
    const text = jobDetails({
      id: 'j', templateId: 'scim', schedule: { state: 'Disabled', interval: 'P10675199DT2H48M5.4775807S', expiration: null },
      status: { code: 'Quarantine', steadyStateLastAchievedTime: '0001-01-01T00:00:00Z', quarantine: { reason: 'EncounteredQuarantineException', nextAttempt: '2024-01-01T00:00:00Z', error: { code: 'SCIMBadCredentials', message: 'nope' } } },
    });
    assert.match(text, /^interval: +\(not scheduled\)$/m);
    assert.match(text, /^steady state: +\(never\)$/m);
    assert.match(text, /^quarantine: +EncounteredQuarantineException \(SCIMBadCredentials: nope\), next attempt 2024-01-01T00:00:00Z$/m);
    assert.doesNotMatch(text, /expiration/);
  });

  test('provision on demand: both of Graph\'s answer formats decode to the same view', () => {
    const status = {
      action: 'Create', reportableIdentifier: 'adele@contoso.com', statusInfo: { status: 'Success' },
      sourceIdentity: { id: 'u1', type: 'User' }, targetIdentity: { id: 't1', type: 'urn:ietf:params:scim:schemas:core:2.0:User' },
      provisioningSteps: [{ name: 'EntryImport', type: 'Import', status: 'Success', description: 'Retrieved User' }, { name: 'EntryExportAdd', type: 'Export', status: 'Success', description: 'Created' }],
    };
    const a = decodeOnDemand({ key: JSON.stringify({ result: 'Success', details: {} }), value: JSON.stringify(status) });
    const b = decodeOnDemand({ key: 'Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo', value: JSON.stringify([status]) });
    assert.equal(a.result, 'Success');
    assert.deepEqual(a.statuses, b.statuses);
    const skipped = decodeOnDemand({ key: JSON.stringify({ result: 'Skipped', details: { errorCode: 'RedundantExport', errorMessage: 'already match' } }), value: '{}' });
    assert.deepEqual(skipped, { result: 'Skipped', error: { code: 'RedundantExport', message: 'already match' }, statuses: [] });
    const text = onDemandDetails({ key: 'x', value: JSON.stringify([status]) });
    assert.match(text, /^object: +adele@contoso\.com$/m);
    assert.match(text, /^Export +Success +EntryExportAdd +Created$/m);
  });

  test('a provisioning event with steps and modified properties', () => {
    const text = logDetails({
      id: 'e1', activityDateTime: '2024-05-04T03:00:54Z', jobId: 'j', provisioningAction: 'create',
      provisioningStatusInfo: { status: 'failure', errorInformation: { errorCode: 'SCIMConflict', reason: 'exists' } },
      sourceSystem: { displayName: 'Azure Active Directory' }, sourceIdentity: { identityType: 'User', displayName: 'Adele' },
      targetSystem: { displayName: 'SCIM' }, targetIdentity: { identityType: 'User', id: '' },
      provisioningSteps: [{ name: 'EntryExportAdd', provisioningStepType: 'export', status: 'failure', description: 'Failed to create' }],
      modifiedProperties: [{ displayName: 'displayName', oldValue: null, newValue: 'Adele' }],
    });
    assert.match(text, /^error: +SCIMConflict: exists$/m);
    assert.match(text, /^source: +Azure Active Directory: User Adele$/m);
    assert.match(text, /^export +failure +EntryExportAdd +Failed to create$/m);
    assert.match(text, /^displayName +Adele$/m);
  });

  test('Format-List for the cmdlets: PowerShell property names, padded', () => {
    assert.equal(formatList({ '@odata.context': 'c', key: 'k', value: 'v', longerName: 1 }), 'Key        : k\nValue      : v\nLongerName : 1\n');
  });
});

describe('request builders of the commands waiting for endpoints', () => {
  test('logs list: $filter from options, quoting, ages', () => {
    const now = new Date('2024-05-10T12:00:00Z');
    assert.equal(logFilter({}, now), undefined);
    assert.equal(
      logFilter({ job: "j'1", sp: 's', status: 'FAILURE', action: 'stageddelete', identity: 'u', since: '2h', until: '2024-05-10T11:30:00Z', filter: "cycleId eq 'c'" }, now),
      "jobId eq 'j''1' and servicePrincipal/id eq 's' and provisioningStatusInfo/status eq 'failure' and provisioningAction eq 'stagedDelete'"
      + " and (sourceIdentity/id eq 'u' or targetIdentity/id eq 'u') and activityDateTime gt 2024-05-10T10:00:00.000Z and activityDateTime lt 2024-05-10T11:30:00.000Z and (cycleId eq 'c')",
    );
    assert.equal(parseInstant('30m', '--since', now), '2024-05-10T11:30:00.000Z');
    assert.equal(thrown(() => logFilter({ status: 'ok' }, now)).exitCode, ExitCode.Usage);
    assert.equal(thrown(() => parseInstant('yesterday', '--since', now)).exitCode, ExitCode.Usage);
  });

  test('job provision: users, a group with members, and what is refused', () => {
    assert.deepEqual(provisionBody('r', { user: ['u1', 'u2'] }), {
      parameters: [{ ruleId: 'r', subjects: [{ objectId: 'u1', objectTypeName: 'User' }, { objectId: 'u2', objectTypeName: 'User' }] }],
    });
    assert.deepEqual(provisionBody('r', { group: ['g'], member: ['m'] }), {
      parameters: [{ ruleId: 'r', subjects: [{ objectId: 'g', objectTypeName: 'Group', links: { members: [{ objectId: 'm', objectTypeName: 'User' }] } }] }],
    });
    assert.equal(thrown(() => provisionBody('r', {})).exitCode, ExitCode.Usage);
    assert.equal(thrown(() => provisionBody('r', { user: ['u'], member: ['m'] })).exitCode, ExitCode.Usage);
  });

  test('application instances: one function names every path', () => {
    assert.deepEqual(appInstanceRequest({ op: 'list', top: 5 }), { method: 'GET', path: '/v1.0/admin/teams/resourceAccounts', query: { $top: 5 } });
    assert.deepEqual(appInstanceRequest({ op: 'get', identity: 'a@b.c' }), { method: 'GET', path: '/v1.0/admin/teams/resourceAccounts/a%40b.c' });
    assert.deepEqual(appInstanceRequest({ op: 'create', userPrincipalName: 'a@b.c', applicationId: 'x' }), { method: 'POST', path: '/v1.0/admin/teams/resourceAccounts', body: { userPrincipalName: 'a@b.c', appId: 'x' } });
    assert.deepEqual(appInstanceRequest({ op: 'set', identity: 'i', displayName: 'D' }), { method: 'PATCH', path: '/v1.0/admin/teams/resourceAccounts/i', body: { displayName: 'D' } });
    assert.deepEqual(appInstanceRequest({ op: 'sync', objectId: 'o', applicationId: 'a' }), { method: 'POST', path: '/v1.0/admin/teams/resourceAccounts/o/sync', query: { force: undefined }, body: { appId: 'a' } });
  });

  test('secrets and credentials files in every shape; --set values; owner selection', () => {
    const want = [{ key: 'BaseAddress', value: 'https://x' }];
    assert.deepEqual(pairsFromJson({ value: want }, 'f'), want);
    assert.deepEqual(pairsFromJson({ credentials: want }, 'f'), want);
    assert.deepEqual(pairsFromJson(want, 'f'), want);
    assert.deepEqual(pairsFromJson({ BaseAddress: 'https://x' }, 'f'), want);
    assert.equal(thrown(() => pairsFromJson({ SyncAll: false }, 'f')).code, 'InvalidInputFile');
    assert.deepEqual(parseAssignments(['accountEnabled=false', 'department=Sales', 'employeeId=007', 'n=42', 'tags=["a"]', 'empty=']), {
      accountEnabled: false, department: 'Sales', employeeId: '007', n: 42, tags: ['a'], empty: '',
    });
    assert.equal(syncBase({ sp: 'a b' }), '/v1.0/servicePrincipals/a%20b/synchronization');
    assert.equal(syncBase({ app: 'x' }, 'Template update'), '/v1.0/applications/x/synchronization');
    assert.match(thrown(() => syncBase({ sp: 's' }, 'Template update')).message, /application side only/);
    assert.equal(thrown(() => syncBase({})).exitCode, ExitCode.Usage);
  });
});
