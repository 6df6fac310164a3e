/**
 * The application-instance cmdlets on the command line, in-process: the
 * PowerShell-style binder, and the runner (output, warnings, exit codes,
 * -Confirm, non-terminating errors) against a real app through a fetch that
 * injects requests. The subprocess tests (cli.test.ts) cover the process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';
import { APPINSTANCE_CMDLETS, bindParameters, findAppInstanceCmdlet, formatTable, runAppInstanceCmdlet, syntax } from '../../src/cli/commands/appinstance-cmdlets.ts';
import type { CmdletCliError, CmdletIo } from '../../src/cli/commands/appinstance-cmdlets.ts';
import { AA, AA_CONFIG, BASE, CQ, DOMAIN, EMPTY, newInstance, startAppInstanceApp } from './helpers.ts';

const spec = (name: string) => {
  const s = findAppInstanceCmdlet(name);
  assert.ok(s, name);
  return s;
};

function bindError(name: string, argv: string[]): CmdletCliError {
  try {
    bindParameters(spec(name), argv);
  } catch (e) {
    return e as CmdletCliError;
  }
  assert.fail(`expected ${name} ${argv.join(' ')} to fail`);
}

describe('binder', () => {
  test('the nine cmdlets, found by name in any case', () => {
    assert.deepEqual(APPINSTANCE_CMDLETS.map((c) => c.name), [
      'New-CsOnlineApplicationInstance', 'Set-CsOnlineApplicationInstance', 'Get-CsOnlineApplicationInstance', 'Find-CsOnlineApplicationInstance',
      'Sync-CsOnlineApplicationInstance', 'New-CsOnlineApplicationInstanceAssociation', 'Get-CsOnlineApplicationInstanceAssociation',
      'Get-CsOnlineApplicationInstanceAssociationStatus', 'Remove-CsOnlineApplicationInstanceAssociation',
    ]);
    assert.equal(findAppInstanceCmdlet('sync-csonlineapplicationinstance')?.name, 'Sync-CsOnlineApplicationInstance');
    assert.equal(findAppInstanceCmdlet('serve'), undefined);
    assert.equal(syntax(spec('Sync-CsOnlineApplicationInstance')),
      'Sync-CsOnlineApplicationInstance -ObjectId <Guid> [-CallbackUri <String>] [-Force] [-ApplicationId <Guid>] [-AcsResourceId <Guid>] [-WhatIf] [-Confirm] [<CommonParameters>]');
  });

  test('names are case-insensitive, abbreviable, aliased; switches take :$false; GUIDs are normalised', () => {
    const { values, globals } = bindParameters(spec('Sync-CsOnlineApplicationInstance'), [
      '-objectid', '{3FA85F64-5717-4562-B3FC-2C963F66AFA6}', '-APPLICATIONID:ce933385939045d19512c8d228074e07', '-Force:$false', '-wi', '--json', '--server', 'http://x:1',
    ]);
    assert.deepEqual(values, { ObjectId: '3fa85f64-5717-4562-b3fc-2c963f66afa6', ApplicationId: AA, Force: false, WhatIf: true });
    assert.deepEqual(globals, { json: true, help: false, server: 'http://x:1' });
    const short = bindParameters(spec('Sync-CsOnlineApplicationInstance'), ['-Obj', AA, '-Acs', AA, '-cf:$true']).values;
    assert.deepEqual(short, { ObjectId: AA, AcsResourceId: AA, Confirm: true });
  });

  test('arrays, positions, $null, common parameters and the internal -Tenant', () => {
    assert.deepEqual(bindParameters(spec('Get-CsOnlineApplicationInstance'), ['-Identities', 'a@contoso.com,b@contoso.com']).values, { Identities: ['a@contoso.com', 'b@contoso.com'] });
    assert.deepEqual(bindParameters(spec('Remove-CsOnlineApplicationInstanceAssociation'), [`@('${AA}', "${CQ}")`]).values, { Identities: [AA, CQ] });
    assert.deepEqual(bindParameters(spec('Find-CsOnlineApplicationInstance'), ['Test', '5', '-ExactMatchOnly']).values, { SearchQuery: 'Test', MaxResults: 5, ExactMatchOnly: true });
    assert.deepEqual(bindParameters(spec('Set-CsOnlineApplicationInstance'), ['-Identity', 'x@contoso.com', '-OnpremPhoneNumber', '$null']).values, { Identity: 'x@contoso.com', OnpremPhoneNumber: null });
    assert.deepEqual(bindParameters(spec('Get-CsOnlineApplicationInstanceAssociation'), [AA, '-Tenant', CQ, '-ErrorAction', 'Stop', '-Verbose']).values,
      { Identity: AA, ErrorAction: 'Stop', Verbose: true });
  });

  test("errors: the documented 'TelephoneNumber' on Set, ambiguity, missing values and mandatory parameters, bad GUIDs and numbers, repeats, stray words", () => {
    const unknown = bindError('Set-CsOnlineApplicationInstance', ['-Identity', 'x@contoso.com', '-TelephoneNumber', '+14250000000']);
    assert.equal(unknown.code, 'NamedParameterNotFound');
    assert.equal(unknown.message, "Set-CsOnlineApplicationInstance: A parameter cannot be found that matches parameter name 'TelephoneNumber'.");
    assert.equal(unknown.exitCode, 2);
    assert.match(bindError('Get-CsOnlineApplicationInstance', ['-Identit', 'x']).message, /ambiguous. Possible matches include: -Identity -Identities/);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ObjectId']).message, /Missing an argument for parameter 'ObjectId'. Specify a parameter of type 'System.Guid'/);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ApplicationId', AA]).message, /missing mandatory parameters: ObjectId\./);
    assert.match(bindError('New-CsOnlineApplicationInstanceAssociation', ['-Identities', AA]).message, /missing mandatory parameters: ConfigurationId ConfigurationType\./);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ObjectId', 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx']).message, /Cannot convert value "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" to type "System.Guid"/);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ObjectId', `appinstance01@${DOMAIN}`]).message, /System.Guid/);
    assert.match(bindError('Find-CsOnlineApplicationInstance', ['-SearchQuery', 'x', '-MaxResults', 'ten']).message, /System.Int32/);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ObjectId', AA, '-objectid', AA]).message, /'ObjectId' is specified more than once/);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ObjectId', AA, 'extra']).message, /positional parameter cannot be found that accepts argument 'extra'/);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ObjectId', AA, '-Force:maybe']).message, /\$true or \$false/);
    assert.match(bindError('New-CsOnlineApplicationInstance', ['-UserPrincipalName', '$null']).message, /null or empty/);
    assert.match(bindError('Sync-CsOnlineApplicationInstance', ['-ObjectId', AA, '--output', 'x']).message, /unknown option '--output'/);
  });

  test('tables pad columns', () => {
    assert.equal(formatTable([{ Id: 'a', Name: 'Long name' }, { Id: 'bbb', Name: null }]), 'Id  Name\n--- ---------\na   Long name\nbbb\n');
  });
});

describe('runner (in-process, against the app)', () => {
  let t: TestApp;
  type TestIo = CmdletIo & { out: string; err: string; answers: string[] };
  let io: TestIo;
  before(async () => { t = await startAppInstanceApp(); });
  after(async () => { await t.close(); });

  /** fetch over app.inject: the real routes, no socket. */
  const injectFetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const r = await t.app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: init.headers as Record<string, string>,
      ...(init.body !== undefined ? { payload: String(init.body) } : {}),
    });
    return new Response(r.statusCode === 204 || r.body === '' ? null : r.body, { status: r.statusCode, headers: { 'content-type': String(r.headers['content-type'] ?? '') } });
  }) as typeof fetch;

  const fresh = (over: Partial<CmdletIo> = {}): TestIo => {
    const o: TestIo = {
      out: '', err: '', answers: [] as string[],
      stdout(s: string) { o.out += s; },
      stderr(s: string) { o.err += s; },
      env: { PROVISIO_URL: 'http://provisio.test', PROVISIO_CLIENT_ID: t.services.bootstrap.clientId, PROVISIO_CLIENT_SECRET: t.services.bootstrap.clientSecret } as Record<string, string | undefined>,
      interactive: false,
      prompt: async (): Promise<string> => o.answers.shift() ?? '',
      fetch: injectFetch,
      ...over,
    };
    io = o;
    return o;
  };
  const run = (name: string, ...argv: string[]) => runAppInstanceCmdlet(name, argv, io);

  test('New prints the instance as a list; --json prints the PowerShell-shaped object', async () => {
    fresh();
    assert.equal(await run('New-CsOnlineApplicationInstance', '-UserPrincipalName', `appinstance01@${DOMAIN}`, '-ApplicationId', AA, '-DisplayName', 'AppInstance01'), 0, io.err);
    assert.match(io.out, /^ObjectId {10}: [0-9a-f-]{36}\nTenantId {10}: [0-9a-f-]{36}\nUserPrincipalName : appinstance01@contoso\.com\nApplicationId {5}: ce933385-9390-45d1-9512-c8d228074e07\nDisplayName {7}: AppInstance01\nPhoneNumber {7}:\nAcsResourceId {5}:\n$/);
    fresh();
    assert.equal(await run('Get-CsOnlineApplicationInstance', '-Identity', `appinstance01@${DOMAIN}`, '--json'), 0);
    const o = JSON.parse(io.out);
    assert.deepEqual(Object.keys(o), ['ObjectId', 'TenantId', 'UserPrincipalName', 'ApplicationId', 'DisplayName', 'PhoneNumber', 'AcsResourceId']);
    assert.equal(o.ApplicationId, AA);
  });

  test('Get -Identities: found ones are printed, missing ones are non-terminating errors (exit 4); -ResultSize and -Skip cut the list', async () => {
    for (let i = 2; i <= 5; i++) await newInstance(t, `appinstance0${i}`, { appId: CQ });
    fresh();
    const code = await run('Get-CsOnlineApplicationInstance', '-Identities', `appinstance01@${DOMAIN},appinstance02@${DOMAIN},ghost@${DOMAIN}`, '--json');
    assert.equal(code, 4);
    assert.deepEqual(JSON.parse(io.out).map((o: { UserPrincipalName: string }) => o.UserPrincipalName).sort(), [`appinstance01@${DOMAIN}`, `appinstance02@${DOMAIN}`]);
    assert.equal(io.err, `provisio: InstanceNotFound: Application instance 'ghost@${DOMAIN}' was not found.\n`);
    fresh();
    assert.equal(await run('Get-CsOnlineApplicationInstance', '-ResultSize', '2', '-Skip', '1', '--json'), 0);
    const all = (await t.get(BASE)).body.value.map((a: { id: string }) => a.id);
    assert.deepEqual(JSON.parse(io.out).map((o: { ObjectId: string }) => o.ObjectId), all.slice(1, 3));
    fresh();
    assert.equal(await run('Get-CsOnlineApplicationInstance', '-WhatIf'), 0);
    assert.equal(io.out, 'What if: Performing the operation "Get-CsOnlineApplicationInstance" on target "all application instances".\n');
  });

  test('Sync: the duplicate-key error is one line with exit 5; warnings go to stderr unless -WarningAction SilentlyContinue', async () => {
    const id = (await t.get(`${BASE}/appinstance01@${DOMAIN}`)).body.id as string;
    fresh();
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', id, '-ApplicationId', CQ), 5);
    assert.equal(io.err, 'provisio: DuplicateApsMapping: An item with the same key has already been added.\n');
    assert.equal(io.out, '');
    fresh();
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', id, '-ApplicationId', EMPTY), 0);
    assert.match(io.out, /Action {9}: removed/);
    fresh();
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', id, '-ApplicationId', CQ), 0);
    assert.match(io.err, /^WARNING: The registry now maps .* Set-CsOnlineApplicationInstance makes them agree\.\n$/);
    fresh();
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', id, '-ApplicationId', CQ, '-WarningAction', 'SilentlyContinue'), 0);
    assert.equal(io.err, '');
  });

  test('-Confirm: refused without a terminal; asked with one (No does nothing, Yes proceeds); -Force skips the question', async () => {
    const a = await newInstance(t, 'confirm', { appId: AA });
    fresh();
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', a.id!, '-ApplicationId', EMPTY, '-Confirm'), 2);
    assert.match(io.err, /^provisio: ConfirmationRequired: /);
    fresh({ interactive: true });
    io.answers.push('n');
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', a.id!, '-ApplicationId', EMPTY, '-Confirm'), 0);
    assert.equal((await t.get(`/v1.0/admin/teams/agentProvisioningMappings/${a.id}`)).status, 200, 'not removed');
    fresh({ interactive: true });
    io.answers.push('y');
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', a.id!, '-ApplicationId', EMPTY, '-Confirm'), 0);
    assert.equal((await t.get(`/v1.0/admin/teams/agentProvisioningMappings/${a.id}`)).status, 404, 'removed');
    fresh();
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', a.id!, '-Confirm', '-Force'), 0, io.err);
    fresh();
    assert.equal(await run('Sync-CsOnlineApplicationInstance', '-ObjectId', a.id!, '-Confirm:$false'), 0, io.err);
  });

  test('associations: per-identity failures exit non-zero; Get on an unassociated instance gives empty fields, not an error', async () => {
    const a = await newInstance(t, 'cliassoc', { appId: AA });
    fresh();
    assert.equal(await run('Get-CsOnlineApplicationInstanceAssociation', a.id!, '--json'), 0);
    assert.deepEqual(JSON.parse(io.out), { Id: a.id, ConfigurationId: null, ConfigurationType: null, CallPriority: null });
    fresh();
    assert.equal(await run('New-CsOnlineApplicationInstanceAssociation', '-Identities', `${a.id},ghost@${DOMAIN}`, '-ConfigurationId', AA_CONFIG, '-ConfigurationType', 'AutoAttendant'), 4);
    assert.match(io.out, /Result {12}: Success/);
    assert.match(io.err, /^provisio: InstanceNotFound: /);
    fresh();
    assert.equal(await run('Get-CsOnlineApplicationInstanceAssociation', '-Identity', a.id!, '--json'), 0);
    assert.deepEqual(JSON.parse(io.out), { Id: a.id, ConfigurationId: AA_CONFIG, ConfigurationType: 'AutoAttendant', CallPriority: 3 });
    fresh();
    assert.equal(await run('Get-CsOnlineApplicationInstanceAssociation', `ghost@${DOMAIN}`), 4);
  });

  test('connection failures: no credentials (exit 3), wrong secret (exit 3), server unreachable (exit 7)', async () => {
    fresh({ env: { PROVISIO_URL: 'http://provisio.test' } });
    assert.equal(await run('Get-CsOnlineApplicationInstance'), 3);
    assert.match(io.err, /^provisio: CredentialsMissing: /);
    fresh({ env: { PROVISIO_URL: 'http://provisio.test', PROVISIO_CLIENT_ID: t.services.bootstrap.clientId, PROVISIO_CLIENT_SECRET: 'wrong' } });
    assert.equal(await run('Get-CsOnlineApplicationInstance'), 3);
    assert.match(io.err, /^provisio: invalid_client: /);
    fresh({ fetch: (async () => { throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }); }) as typeof fetch });
    assert.equal(await run('Get-CsOnlineApplicationInstance'), 7);
    assert.equal(io.err, 'provisio: ServerUnreachable: Cannot reach http://provisio.test: ECONNREFUSED.\n');
  });

  test('--help prints the syntax', async () => {
    fresh();
    assert.equal(await run('Find-CsOnlineApplicationInstance', '--help'), 0);
    assert.match(io.out, /Find-CsOnlineApplicationInstance \[-SearchQuery\] <String> \[\[-MaxResults\] <Int32>\] \[-ExactMatchOnly\]/);
  });
});
