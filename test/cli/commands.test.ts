/**
 * The noun-verb commands against a real server: success and failure paths,
 * exit codes, table and --json output, schema export → edit → import, and
 * where credentials come from. Every command runs at least once as a child
 * process (`cli`, the real binary); further variations of it run through
 * `main()` in-process (`run`), which is the same code without a second of
 * start-up each.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { closedPort, expectCode, expectError, json, runCli, runInProcess, scratch } from './run-cli.ts';
import type { CliResult } from './run-cli.ts';

const SCIM_APP_TEMPLATE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

interface Obj {
  [k: string]: unknown;
}

describe('provisio noun-verb commands against a running server', () => {
  let server: TestServer;
  let files: ReturnType<typeof scratch>;
  let env: Record<string, string>;
  /** The service principal and application made by `gallery instantiate`. */
  let spId: string;
  let appObjectId: string;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, { env });
  const run = (...args: string[]): Promise<CliResult> => runInProcess(args, { env });

  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    files = scratch();
    env = { PROVISIO_URL: server.url, PROVISIO_CLIENT_ID: server.clientId, PROVISIO_CLIENT_SECRET: server.clientSecret };
  });
  after(async () => {
    await server.close();
    files.dispose();
  });

  test('gallery: list (table, --json, --name), show, instantiate', async () => {
    const [table, all, byName, none, shown] = await Promise.all([
      cli('gallery', 'list'),
      run('gallery', 'list', '--json'),
      run('gallery', 'list', '--name', 'SCIM', '--json'),
      run('gallery', 'list', '--name', 'Nothing like this'),
      cli('gallery', 'show', SCIM_APP_TEMPLATE, '--json'),
    ]);
    expectCode(table, 0);
    assert.match(table.stdout, /^ID\s+DISPLAYNAME\s+PUBLISHER\s+PROVISIONING\n/);
    assert.match(table.stdout, new RegExp(`${SCIM_APP_TEMPLATE}\\s+SCIM 2\\.0 application\\s+Provisio\\s+sync`));
    const doc = json<{ '@odata.context': string; value: Obj[] }>(all);
    assert.match(doc['@odata.context'], /\$metadata#applicationTemplates$/);
    assert.ok(doc.value.some((t) => t.id === SCIM_APP_TEMPLATE));
    assert.equal(json<{ value: Obj[] }>(byName).value.length, 1);
    assert.equal(expectCode(none, 0).stdout, 'No application templates found.\n');
    assert.equal(json(shown).displayName, 'SCIM 2.0 application');

    const made = json<{ application: Obj; servicePrincipal: Obj }>(await cli('gallery', 'instantiate', SCIM_APP_TEMPLATE, '--name', 'CLI SCIM app', '--json'));
    spId = made.servicePrincipal.id as string;
    appObjectId = made.application.id as string;
    assert.equal(made.servicePrincipal.appId, made.application.appId);

    const human = expectCode(await run('gallery', 'instantiate', SCIM_APP_TEMPLATE, '--name', 'Second app'), 0);
    assert.match(human.stdout, /^application id:\s+[0-9a-f-]{36}$/m);
    assert.match(human.stdout, /^Next: provisio template list --sp [0-9a-f-]{36}$/m);

    expectError(await run('gallery', 'show', 'no-such-template'), 4, 'Request_ResourceNotFound', { requestId: true });
    expectError(await run('gallery', 'instantiate', SCIM_APP_TEMPLATE), 2, 'UsageError');
  });

  test('app and sp: create, list (paging), show, delete, and 404 after delete', async () => {
    const app = json(await cli('app', 'create', '--name', 'Plain app', '--description', 'made by the CLI test', '--json'));
    assert.equal(app.displayName, 'Plain app');
    assert.equal(app.description, 'made by the CLI test');
    const sp = json(await cli('sp', 'create', '--app-id', app.appId as string, '--json'));
    assert.equal(sp.appId, app.appId);

    const [appTable, appShown, spTable, spShown, firstPage, everything] = await Promise.all([
      cli('app', 'list'),
      cli('app', 'show', app.id as string),
      cli('sp', 'list'),
      cli('sp', 'show', sp.id as string, '--json'),
      run('app', 'list', '--top', '1'),
      run('app', 'list', '--top', '1', '--all', '--json'),
    ]);
    assert.match(expectCode(appTable, 0).stdout, new RegExp(`^${app.id as string}\\s+${app.appId as string}\\s+Plain app\\s`, 'm'));
    assert.match(expectCode(appShown, 0).stdout, /^displayName:\s+Plain app$/m);
    assert.match(expectCode(spTable, 0).stdout, new RegExp(`^${sp.id as string}\\s+${app.appId as string}\\s+Plain app\\s+true$`, 'm'));
    assert.equal(json(spShown).id, sp.id);
    // One row per page; the rest is announced on stderr, never mixed into stdout.
    assert.equal(expectCode(firstPage, 0).stdout.trim().split('\n').length, 2);
    assert.match(firstPage.stderr, /more results are available; use --all/);
    const merged = json<{ value: Obj[]; '@odata.nextLink'?: string }>(everything);
    assert.ok(merged.value.length >= 3, 'three applications exist by now');
    assert.equal(merged['@odata.nextLink'], undefined);

    const deleted = expectCode(await cli('sp', 'delete', sp.id as string), 0);
    assert.equal(deleted.stdout, `Deleted service principal ${sp.id as string}.\n`);
    assert.deepEqual(json(await cli('app', 'delete', app.id as string, '--json')), { value: true });
    expectError(await cli('app', 'show', app.id as string), 4, 'Request_ResourceNotFound', { requestId: true });
    expectError(await run('sp', 'show', sp.id as string), 4, 'Request_ResourceNotFound', { requestId: true });
    expectError(await run('sp', 'create', '--app-id', 'not-an-app'), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('app', 'list', '--top', 'many'), 2, 'UsageError');
  });

  test('template: list and show on both sides, update, schema export → edit → import → reset', async () => {
    const [spSide, appSide, shown] = await Promise.all([
      cli('template', 'list', '--sp', spId),
      run('template', 'list', '--app', appObjectId, '--json'),
      cli('template', 'show', 'scim', '--sp', spId),
    ]);
    assert.match(expectCode(spSide, 0).stdout, /^scim\s+scim\s+true\s+true\s/m);
    assert.deepEqual(json<{ value: Obj[] }>(appSide).value.map((t) => t.id), ['scim']);
    assert.match(expectCode(shown, 0).stdout, /^factoryTag:\s+scim$/m);
    assert.match(shown.stdout, /^Schema\n/m);

    const file = join(files.dir, 'template-schema.json');
    const wrote = expectCode(await cli('template', 'schema', 'get', 'scim', '--app', appObjectId, '--out', file), 0);
    assert.match(wrote.stdout, /^Wrote schema .* to .*template-schema\.json\.$/m);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { '@odata.context'?: string; directories: Obj[]; synchronizationRules: { objectMappings: Obj[] }[] };
    assert.equal(schema['@odata.context'], undefined, 'the file holds the resource, not the response annotations');
    const groups = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === 'Group')!;
    groups.enabled = false;
    writeFileSync(file, JSON.stringify(schema));
    expectCode(await cli('template', 'schema', 'put', 'scim', '--app', appObjectId, '--file', file), 0);
    const edited = json<{ synchronizationRules: { objectMappings: Obj[] }[] }>(await run('template', 'schema', 'get', 'scim', '--sp', spId, '--json'));
    assert.equal(edited.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === 'Group')!.enabled, false);

    expectError(await run('template', 'schema', 'put', 'scim', '--sp', spId, '--file', file), 2, 'UsageError');
    expectCode(await cli('template', 'schema', 'reset', 'scim', '--app', appObjectId), 0);
    const reset = json<{ synchronizationRules: { objectMappings: Obj[] }[] }>(await run('template', 'schema', 'get', 'scim', '--app', appObjectId, '--json'));
    assert.equal(reset.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === 'Group')!.enabled, true);

    const summary = expectCode(await run('template', 'schema', 'get', 'scim', '--sp', spId), 0);
    assert.match(summary.stdout, /^Directories\n/m);
    assert.match(summary.stdout, /Group → urn:ietf:params:scim:schemas:core:2\.0:Group/);

    const template = json(await run('template', 'show', 'scim', '--app', appObjectId, '--json'));
    const tfile = join(files.dir, 'template.json');
    writeFileSync(tfile, JSON.stringify({ ...template, description: 'Edited by the CLI test' }));
    expectCode(await cli('template', 'update', 'scim', '--app', appObjectId, '--file', tfile), 0);
    assert.equal(json(await run('template', 'show', 'scim', '--sp', spId, '--json')).description, 'Edited by the CLI test');
    expectError(await run('template', 'show', 'nope', '--sp', spId), 4, /NotFound/, { requestId: true });
  });

  test('secrets: set from arguments and from a file, list masked, validation error', async () => {
    const saved = expectCode(await cli('secrets', 'set', '--sp', spId, 'BaseAddress=http://127.0.0.1:1/scim', 'SecretToken=token-value-1'), 0);
    assert.equal(saved.stdout, 'Saved 2 secrets: BaseAddress, SecretToken.\n');
    const sfile = join(files.dir, 'secrets.json');
    writeFileSync(sfile, JSON.stringify({ SyncAll: 'false', SyncNotificationSettings: '{"Enabled":false}' }));
    expectCode(await run('secrets', 'set', '--app', appObjectId, '--file', sfile), 0);

    const list = json<{ value: { key: string; value: string }[] }>(await cli('secrets', 'list', '--sp', spId, '--json'));
    const byKey = Object.fromEntries(list.value.map((p) => [p.key, p.value]));
    assert.equal(byKey.BaseAddress, 'http://127.0.0.1:1/scim');
    assert.equal(byKey.SecretToken, '******');
    assert.equal(byKey.SyncAll, 'false');
    const table = expectCode(await run('secrets', 'list', '--app', appObjectId), 0);
    assert.match(table.stdout, /^SecretToken\s+\*{6}$/m);

    expectError(await cli('secrets', 'set', '--sp', spId, 'NotASecretName=1'), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('secrets', 'set', '--sp', spId, 'novalue'), 2, 'UsageError');
    expectError(await run('secrets', 'set', '--sp', spId), 2, 'UsageError');
    writeFileSync(join(files.dir, 'broken.json'), '{"SyncAll": ');
    expectError(await run('secrets', 'set', '--sp', spId, '--file', join(files.dir, 'broken.json')), 2, 'InvalidInputFile');
    expectError(await run('secrets', 'list', '--sp', spId, '--app', appObjectId), 2, 'UsageError');
  });

  test('job: create, list, show, start, pause, restart with scopes, delete; errors', async () => {
    const job = json<Obj & { id: string; schedule: Obj; status: Obj }>(await cli('job', 'create', '--sp', spId, '--template', 'scim', '--interval', 'PT20M', '--setting', 'QuarantineTooManyDeletesThreshold=50', '--json'));
    assert.match(job.id, /^scim\./);
    assert.equal(job.schedule.state, 'Disabled');
    const jobsTable = expectCode(await cli('job', 'list', '--sp', spId), 0);
    assert.match(jobsTable.stdout, /^ID\s+TEMPLATE\s+SCHEDULE\s+INTERVAL\s+STATUS\s+LAST RUN\s+QUARANTINE$/m);
    assert.match(jobsTable.stdout, new RegExp(`^${job.id.replace(/\./g, '\\.')}\\s+scim\\s+Disabled\\s+PT20M\\s+Paused$`, 'm'));

    const started = expectCode(await cli('job', 'start', '--sp', spId, job.id), 0);
    assert.equal(started.stdout, `Started job ${job.id}.\n`);
    const afterStart = expectCode(await cli('job', 'show', '--app', appObjectId, job.id), 0);
    assert.match(afterStart.stdout, /^schedule:\s+Active$/m);
    assert.match(afterStart.stdout, /^interval:\s+PT20M$/m);
    assert.match(afterStart.stdout, /^settings:\s+.*QuarantineTooManyDeletesThreshold=50/m);

    assert.deepEqual(json(await cli('job', 'pause', '--sp', spId, job.id, '--json')), { value: true });
    assert.equal((json<{ status: Obj }>(await run('job', 'show', '--sp', spId, job.id, '--json'))).status.code, 'Paused');

    const scoped = expectCode(await cli('job', 'restart', '--sp', spId, job.id, '--scope', 'Watermark, Escrows'), 0);
    assert.equal(scoped.stdout, `Restarted job ${job.id} (reset: Watermark, Escrows).\n`);
    expectCode(await run('job', 'restart', '--sp', spId, job.id), 0);
    expectError(await cli('job', 'restart', '--sp', spId, job.id, '--scope', 'Everything'), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('job', 'create', '--sp', spId, '--template', 'salesforce'), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('job', 'create', '--sp', spId, '--template', 'scim', '--interval', 'every hour'), 5, 'Request_BadRequest');
    expectError(await run('job', 'show', '--sp', spId, 'no-such-job'), 4, /NotFound/, { requestId: true });
    expectError(await run('job', 'list'), 2, 'UsageError');
    // Checked before any request: what to provision, and whether a job id names the validation.
    expectError(await run('job', 'provision', '--sp', spId, job.id), 2, 'UsageError');
    expectError(await run('job', 'validate-credentials', '--sp', spId), 2, 'UsageError');

    assert.equal(expectCode(await cli('job', 'delete', '--sp', spId, job.id), 0).stdout, `Deleted job ${job.id}.\n`);
    expectError(await run('job', 'show', '--sp', spId, job.id), 4, /NotFound/);
  });

  test('job schema: export → edit → import round trip, invalid schema refused, reset', async () => {
    const job = json<{ id: string }>(await run('job', 'create', '--sp', spId, '--template', 'scim', '--json'));
    const file = join(files.dir, 'job-schema.json');
    expectCode(await cli('job', 'schema', 'get', '--sp', spId, job.id, '--out', file), 0);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { version: string; synchronizationRules: { objectMappings: { sourceObjectName: string; attributeMappings: Obj[] }[] }[] };
    const users = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === 'User')!;
    const before = users.attributeMappings.length;
    users.attributeMappings = users.attributeMappings.filter((m) => m.targetAttributeName !== 'title');
    assert.equal(users.attributeMappings.length, before - 1, 'the SCIM template maps title');
    writeFileSync(file, JSON.stringify(schema, null, 2));
    assert.equal(expectCode(await cli('job', 'schema', 'put', '--sp', spId, job.id, '--file', file), 0).stdout, `Replaced the schema of job ${job.id} from ${file}.\n`);

    const back = json<typeof schema>(await run('job', 'schema', 'get', '--app', appObjectId, job.id, '--json'));
    assert.notEqual(back.version, schema.version, 'the version moves on with every change');
    assert.equal(back.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === 'User')!.attributeMappings.length, before - 1);

    // Stdout export, then a schema whose rule targets a directory that does not exist.
    const piped = JSON.parse(expectCode(await run('job', 'schema', 'get', '--sp', spId, job.id, '--out', '-'), 0).stdout) as Obj & { synchronizationRules: Obj[] };
    piped.synchronizationRules[0]!.targetDirectoryName = 'Nowhere';
    const bad = await runInProcess(['job', 'schema', 'put', '--sp', spId, job.id, '--file', '-'], { env, input: JSON.stringify(piped) });
    const line = expectError(bad, 5, 'Request_BadRequest', { requestId: true });
    assert.match(line, /Nowhere/);

    expectCode(await cli('job', 'schema', 'reset', '--sp', spId, job.id), 0);
    const reset = json<typeof schema>(await run('job', 'schema', 'get', '--sp', spId, job.id, '--json'));
    assert.equal(reset.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === 'User')!.attributeMappings.length, before);
    expectError(await run('job', 'schema', 'put', '--sp', spId, job.id, '--file', join(files.dir, 'missing.json')), 2, 'InvalidInputFile');
  });

  test('sync: get with $expand, export, put, and a refused body', async () => {
    const whole = json<{ id: string; jobs: Obj[]; templates: Obj[]; secrets: Obj[] }>(await cli('sync', 'get', '--sp', spId, '--expand', 'jobs,templates', '--json'));
    assert.equal(whole.id, spId);
    assert.ok(Array.isArray(whole.jobs) && Array.isArray(whole.templates));
    const human = expectCode(await run('sync', 'get', '--sp', spId), 0);
    assert.match(human.stdout, /^secrets:\s+.*BaseAddress/m);

    const file = join(files.dir, 'sync.json');
    writeFileSync(file, JSON.stringify({ secrets: [{ key: 'BaseAddress', value: 'https://put.example.test/scim' }, { key: 'SecretToken', value: 'token-2' }] }));
    expectCode(await cli('sync', 'put', '--app', appObjectId, '--file', file), 0);
    const secrets = json<{ value: { key: string; value: string }[] }>(await run('secrets', 'list', '--sp', spId, '--json'));
    assert.deepEqual(secrets.value.map((p) => p.key).sort(), ['BaseAddress', 'SecretToken']);

    writeFileSync(file, JSON.stringify({ colour: 'red' }));
    expectError(await run('sync', 'put', '--sp', spId, '--file', file), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('sync', 'get', '--sp', spId, '--expand', 'schema'), 5, 'Request_BadRequest');
  });

  test('failures: wrong secret (401), missing permission (403), no credentials, server unreachable, usage', async () => {
    const wrong = expectError(await runCli(['app', 'list'], { env: { ...env, PROVISIO_CLIENT_SECRET: 'wrong' } }), 3, 'invalid_client');
    assert.match(wrong, /Invalid client secret/);

    const reader = await server.services.clients.create({ displayName: 'users only', roles: ['User.Read.All'] });
    const denied = await runInProcess(['job', 'list', '--sp', spId], { env: { PROVISIO_URL: server.url, PROVISIO_CLIENT_ID: reader.clientId, PROVISIO_CLIENT_SECRET: reader.secret } });
    assert.match(expectError(denied, 3, 'Authorization_RequestDenied', { requestId: true }), /Synchronization\.ReadWrite\.All/);

    expectError(await runInProcess(['app', 'list'], { env: { PROVISIO_URL: server.url } }), 3, 'MissingCredentials');
    const port = await closedPort();
    const refused = expectError(await runCli(['app', 'list', '--server', `http://127.0.0.1:${port}`], { env }), 7, 'ServerUnreachable');
    assert.match(refused, /ECONNREFUSED/);
    expectError(await cli('no-such-noun'), 2, 'UsageError');
    expectError(await run('job', 'lst'), 2, 'UsageError');
    expectError(await run('app', 'list', '--server', 'ftp://example.test'), 2, 'InvalidServer');
    // The flag wins over the environment: a right secret on the command line beats a wrong one in env.
    expectCode(await runInProcess(['app', 'list', '--client-secret', server.clientSecret], { env: { ...env, PROVISIO_CLIENT_SECRET: 'wrong' } }), 0);
  });

  test('profile file: login writes it 0600, commands read it, env beats it, loose modes warn, logout removes it', async () => {
    const home = scratch();
    try {
      const bare = { HOME: home.dir };
      const failed = await runInProcess(['login', '--server', server.url, '--client-id', server.clientId, '--client-secret', 'wrong'], { env: bare });
      expectError(failed, 3, 'invalid_client');
      const path = join(home.dir, '.config', 'provisio', 'profile.json');
      assert.equal(existsSync(path), false, 'nothing is saved when the credentials do not work');

      const ok = expectCode(await runCli(['login', '--server', `${server.url}/v1.0/`, '--client-id', server.clientId, '--client-secret', server.clientSecret], { env: bare }), 0);
      assert.match(ok.stdout, /^Saved the profile for test-admin at http:\/\/127\.0\.0\.1:\d+ to .*profile\.json/);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { server: server.url, clientId: server.clientId, clientSecret: server.clientSecret });

      const viaProfile = expectCode(await runCli(['sp', 'list', '--json'], { env: bare }), 0);
      assert.equal(viaProfile.stderr, '');
      assert.ok((JSON.parse(viaProfile.stdout) as { value: Obj[] }).value.some((s) => s.id === spId));
      // The environment wins over the profile file.
      expectError(await runInProcess(['sp', 'list'], { env: { ...bare, PROVISIO_CLIENT_SECRET: 'wrong' } }), 3, 'invalid_client');

      chmodSync(path, 0o644);
      const loose = expectCode(await runInProcess(['sp', 'list'], { env: bare }), 0);
      assert.match(loose.stderr, /^provisio: warning: the profile file .* is readable by other users \(mode 0644\); run: chmod 600 /);

      const other = join(home.dir, 'other-profile.json');
      expectCode(await runInProcess(['login', '--profile', other, '--no-verify'], { env: { ...bare, ...env } }), 0);
      expectCode(await runInProcess(['app', 'list', '--profile', other], { env: bare }), 0);
      expectError(await runInProcess(['app', 'list', '--profile', join(home.dir, 'nope.json')], { env: bare }), 2, 'ProfileNotFound');
      writeFileSync(other, 'not json', { mode: 0o600 });
      expectError(await runInProcess(['app', 'list', '--profile', other], { env: bare }), 2, 'InvalidProfile');

      assert.deepEqual(json(await runCli(['logout', '--json'], { env: bare })), { profile: path, removed: true });
      assert.equal(existsSync(path), false);
      expectError(await runInProcess(['sp', 'list'], { env: bare }), 3, 'MissingCredentials');
    } finally {
      home.dispose();
    }
  });

  test('help and version exit 0 and list the seed cmdlets', async () => {
    const [help, version] = await Promise.all([cli('--help'), run('--version')]);
    assert.match(expectCode(help, 0).stdout, /Start-MgApplicationSynchronizationJob/);
    assert.match(help.stdout, /^\s+job\s/m);
    assert.equal(expectCode(version, 0).stdout.trim(), '0.1.0');
  });
});
