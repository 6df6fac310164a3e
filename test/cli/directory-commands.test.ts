/**
 * The directory and provisioning-log commands against a live server:
 * `user …`, `group …`, `sp assign|assignments|unassign`, `logs list|show`
 * (with its filters and `--follow`). Every verb runs at least once as a
 * child process (`cli`, the real binary) with its exit code and its table
 * or `--json` output; further variations run in-process (`run`), the same
 * code without a second of start-up each.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import type { ProvisioningObjectSummary } from '../../src/logs/model.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { expectCode, expectError, json, runCli, runInProcess, startCli } from './run-cli.ts';
import type { CliResult, RunningCli } from './run-cli.ts';

const SCIM_APP_TEMPLATE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
/** The tenant's verified domain: user principal names must end in it. */
const DOMAIN = process.env.PROVISIO_TENANT_DOMAIN ?? 'provisio.local';
const MISSING = '00000000-0000-4000-8000-00000000dead';

interface Obj {
  [k: string]: unknown;
}
type Collection = { '@odata.context': string; '@odata.nextLink'?: string; value: Obj[] };

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ids = (doc: { value: Obj[] }) => doc.value.map((o) => o.id);

describe('provisio user, group, sp assign, logs against a running server', () => {
  let server: TestServer;
  let env: Record<string, string>;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, { env });
  const run = (...args: string[]): Promise<CliResult> => runInProcess(args, { env });

  /** Made by the user test, used by the group and assignment tests. */
  let adeleId: string;
  let carolId: string;
  let salesId: string;

  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    env = { PROVISIO_URL: server.url, PROVISIO_CLIENT_ID: server.clientId, PROVISIO_CLIENT_SECRET: server.clientSecret };
  });
  after(async () => {
    await server.close();
  });

  test('user: create (flags, --file -), list (table, --json, --select, paging), show, update, delete; errors', async () => {
    const adele = json<Obj & { id: string }>(await cli('user', 'create', '--upn', `adele@${DOMAIN}`, '--name', 'Adele Vance', '--set', 'department=Sales', '--json'));
    assert.match(adele['@odata.context'] as string, /\$metadata#users\/\$entity$/);
    assert.equal(adele.userPrincipalName, `adele@${DOMAIN}`);
    assert.equal(adele.displayName, 'Adele Vance');
    adeleId = adele.id;

    const [bobMade, carolMade] = await Promise.all([
      cli('user', 'create', '--upn', `bob@${DOMAIN}`, '--name', 'Bob Kelly', '--disabled'),
      runCli(['user', 'create', '--file', '-'], {
        env,
        input: JSON.stringify({ accountEnabled: true, displayName: 'Carol Diaz', mailNickname: 'carol', userPrincipalName: `carol@${DOMAIN}`, passwordProfile: { password: 'Xx1!-not-used-here' }, jobTitle: 'Buyer' }),
      }),
    ]);
    assert.match(expectCode(bobMade, 0).stdout, new RegExp(`^id:\\s+[0-9a-f-]{36}\\nuserPrincipalName:\\s+bob@${esc(DOMAIN)}\\ndisplayName:\\s+Bob Kelly\\n$`));
    const bobId = /^id:\s+(\S+)$/m.exec(bobMade.stdout)![1]!;
    carolId = /^id:\s+(\S+)$/m.exec(expectCode(carolMade, 0).stdout)![1]!;

    const [table, doc, selected, firstPage, shown, shownJson] = await Promise.all([
      cli('user', 'list'),
      cli('user', 'list', '--json'),
      cli('user', 'list', '--filter', "startswith(displayName,'Ad')", '--select', 'id,DisplayName,department'),
      run('user', 'list', '--top', '1'),
      cli('user', 'show', `adele@${DOMAIN}`),
      run('user', 'show', carolId, '--json'),
    ]);
    // The table shows whether each account is enabled, although Graph's default property set leaves it out.
    assert.match(expectCode(table, 0).stdout, /^ID\s+USERPRINCIPALNAME\s+DISPLAYNAME\s+ENABLED\n/);
    assert.match(table.stdout, new RegExp(`^${adeleId}\\s+adele@${esc(DOMAIN)}\\s+Adele Vance\\s+true$`, 'm'));
    assert.match(table.stdout, new RegExp(`^${bobId}\\s+bob@${esc(DOMAIN)}\\s+Bob Kelly\\s+false$`, 'm'));
    assert.equal(table.stdout.trim().split('\n').length, 4);
    assert.equal(table.stderr, '');
    // --json is the document Graph sends for the query as given: the default property set.
    const listed = json<Collection>(doc);
    assert.match(listed['@odata.context'], /\$metadata#users$/);
    assert.deepEqual(new Set(ids(listed)), new Set([adeleId, bobId, carolId]));
    assert.equal(listed.value.find((u) => u.id === adeleId)!.accountEnabled, undefined);
    // --select names the columns (in its order, whatever the case).
    assert.match(expectCode(selected, 0).stdout, /^ID\s+DISPLAYNAME\s+DEPARTMENT\n/);
    assert.match(selected.stdout, new RegExp(`^${adeleId}\\s+Adele Vance\\s+Sales$`, 'm'));
    assert.equal(selected.stdout.trim().split('\n').length, 2);
    // One page; the note about the others goes to stderr only.
    assert.equal(expectCode(firstPage, 0).stdout.trim().split('\n').length, 2);
    assert.match(firstPage.stderr, /^provisio: more results are available; use --all/);
    assert.match(expectCode(shown, 0).stdout, /^displayName:\s+Adele Vance$/m);
    assert.match(shown.stdout, new RegExp(`^id:\\s+${adeleId}$`, 'm'));
    assert.doesNotMatch(shown.stdout, /@odata/);
    const carol = json(shownJson);
    assert.equal(carol.jobTitle, 'Buyer');
    assert.match(carol['@odata.context'] as string, /\$metadata#users\/\$entity$/);

    const merged = json<Collection>(await run('user', 'list', '--top', '1', '--all', '--json'));
    assert.equal(merged.value.length, 3);
    assert.equal(merged['@odata.nextLink'], undefined);
    const none = expectCode(await run('user', 'list', '--filter', "displayName eq 'Nobody'"), 0);
    assert.equal(none.stdout, 'No users found.\n');

    // update: by userPrincipalName, properties as JSON literals or strings.
    const [updated, updatedJson, badValue] = await Promise.all([
      cli('user', 'update', `bob@${DOMAIN}`, '--set', 'department=Marketing', '--set', 'accountEnabled=true'),
      run('user', 'update', carolId, '--set', 'jobTitle=Head buyer', '--json'),
      cli('user', 'update', bobId, '--set', 'accountEnabled=maybe'),
    ]);
    assert.equal(expectCode(updated, 0).stdout, `Updated user bob@${DOMAIN}.\n`);
    assert.deepEqual(json(updatedJson), { value: true });
    assert.match(expectError(badValue, 5, 'Request_BadRequest', { requestId: true }), /accountEnabled/);
    const after = json<Collection>(await run('user', 'list', '--select', 'id,department,accountEnabled,jobTitle', '--json'));
    assert.deepEqual(after.value.find((u) => u.id === bobId), { id: bobId, department: 'Marketing', accountEnabled: true, jobTitle: null });
    assert.equal(after.value.find((u) => u.id === carolId)!.jobTitle, 'Head buyer');

    expectError(await run('user', 'update', bobId), 2, 'UsageError');
    expectError(await run('user', 'update', bobId, '--set', 'colour=red'), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('user', 'create', '--name', 'No UPN'), 2, 'UsageError');
    expectError(await run('user', 'create', '--upn', `adele@${DOMAIN}`, '--name', 'Twin'), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('user', 'create', '--upn', 'eve@elsewhere.test', '--name', 'Eve'), 5, 'Request_BadRequest');
    expectError(await run('user', 'list', '--select', 'nope'), 5, 'Request_BadRequest');

    assert.equal(expectCode(await cli('user', 'delete', bobId), 0).stdout, `Deleted user ${bobId}.\n`);
    expectError(await run('user', 'delete', `bob@${DOMAIN}`, '--json'), 4, 'Request_ResourceNotFound', { requestId: true });
    expectError(await run('user', 'show', bobId), 4, 'Request_ResourceNotFound');
    expectError(await run('user', 'delete'), 2, 'UsageError');
  });

  test('group: create, list, show, members, add-member, remove-member, delete; errors', async () => {
    const made = expectCode(await cli('group', 'create', '--name', 'Sales Team', '--description', 'Everyone who sells'), 0);
    assert.match(made.stdout, /^id:\s+[0-9a-f-]{36}\ndisplayName:\s+Sales Team\nmailNickname:\s+SalesTeam\n$/);
    salesId = /^id:\s+(\S+)$/m.exec(made.stdout)![1]!;
    // A name Graph takes as displayName (up to 256 characters, any script) gives a valid
    // mailNickname: ASCII without accents, at most 64 characters.
    const longName = 'Équipe Ventes Île-de-France et Provence-Alpes-Côte d’Azur — grands comptes 2024';
    const sub = json<Obj & { id: string; mailNickname: string }>(await run('group', 'create', '--name', longName, '--json'));
    assert.equal(sub.displayName, longName);
    assert.match(sub.mailNickname, /^EquipeVentesIle-de-France[A-Za-z0-9._-]*$/);
    assert.ok(sub.mailNickname.length <= 64, sub.mailNickname);
    assert.equal(sub.securityEnabled, true);
    assert.equal(sub.mailEnabled, false);
    assert.match(sub['@odata.context'] as string, /\$metadata#groups\/\$entity$/);

    const [table, shown, shownJson, empty] = await Promise.all([
      cli('group', 'list'),
      cli('group', 'show', salesId),
      run('group', 'show', salesId, '--json'),
      run('group', 'members', salesId),
    ]);
    assert.match(expectCode(table, 0).stdout, /^ID\s+DISPLAYNAME\s+MAILNICKNAME\s+SECURITY\n/);
    assert.match(table.stdout, new RegExp(`^${salesId}\\s+Sales Team\\s+SalesTeam\\s+true$`, 'm'));
    assert.match(expectCode(shown, 0).stdout, /^description:\s+Everyone who sells$/m);
    assert.match(shown.stdout, /^securityEnabled:\s+true$/m);
    assert.equal(json(shownJson).id, salesId);
    assert.equal(expectCode(empty, 0).stdout, 'No members found.\n');
    const filtered = json<Collection>(await run('group', 'list', '--filter', "displayName eq 'Sales Team'", '--json'));
    assert.deepEqual(ids(filtered), [salesId]);

    // A user and a group at once; the server URL given with /v1.0/ still makes valid references.
    const added = expectCode(await runCli(['group', 'add-member', salesId, adeleId, sub.id, '--server', `${server.url}/v1.0/`], { env }), 0);
    assert.equal(added.stdout, `Added 2 members to group ${salesId}.\n`);
    const [members, membersJson] = await Promise.all([cli('group', 'members', salesId), run('group', 'members', salesId, '--json')]);
    assert.match(expectCode(members, 0).stdout, /^TYPE\s+ID\s+DISPLAYNAME\s+USERPRINCIPALNAME\n/);
    assert.match(members.stdout, new RegExp(`^user\\s+${adeleId}\\s+Adele Vance\\s+adele@${esc(DOMAIN)}$`, 'm'));
    assert.match(members.stdout, new RegExp(`^group\\s+${sub.id}\\s+${esc(longName)}$`, 'm'));
    const memberDoc = json<Collection>(membersJson);
    assert.match(memberDoc['@odata.context'], /\$metadata#directoryObjects$/);
    assert.deepEqual(memberDoc.value.map((m) => [m['@odata.type'], m.id]).sort(), [['#microsoft.graph.group', sub.id], ['#microsoft.graph.user', adeleId]].sort());
    const paged = expectCode(await run('group', 'members', salesId, '--top', '1'), 0);
    assert.equal(paged.stdout.trim().split('\n').length, 2);
    assert.match(paged.stderr, /more results are available/);

    // A failure part-way says which members were added before it.
    const partial = await cli('group', 'add-member', salesId, carolId, MISSING, adeleId);
    const line = expectError(partial, 4, 'Request_ResourceNotFound', { requestId: true });
    assert.match(line, new RegExp(`\\(adding ${MISSING}; already added: ${carolId}\\)`));
    const now = json<Collection>(await run('group', 'members', salesId, '--json'));
    assert.deepEqual(new Set(ids(now)), new Set([adeleId, sub.id, carolId]));
    // Nothing added yet: the server's error as it is.
    const twice = expectError(await run('group', 'add-member', salesId, adeleId), 5, 'Request_BadRequest', { requestId: true });
    assert.doesNotMatch(twice, /already added:/);
    expectError(await run('group', 'add-member', salesId), 2, 'UsageError');

    const removed = json(await cli('group', 'remove-member', salesId, carolId, '--json'));
    assert.deepEqual(removed, { value: true });
    assert.equal(expectCode(await run('group', 'remove-member', salesId, sub.id), 0).stdout, `Removed ${sub.id} from group ${salesId}.\n`);
    expectError(await run('group', 'remove-member', salesId, carolId), 4, 'Request_ResourceNotFound', { requestId: true });
    assert.deepEqual(ids(json<Collection>(await run('group', 'members', salesId, '--json'))), [adeleId]);

    assert.equal(expectCode(await cli('group', 'delete', sub.id), 0).stdout, `Deleted group ${sub.id}.\n`);
    const [gone, showGone, membersGone] = await Promise.all([
      run('group', 'delete', sub.id, '--json'),
      run('group', 'show', sub.id),
      run('group', 'members', 'no-such-group'),
    ]);
    expectError(gone, 4, 'Request_ResourceNotFound', { requestId: true });
    expectError(showGone, 4, 'Request_ResourceNotFound');
    expectError(membersGone, 4, 'Request_ResourceNotFound');
    expectError(await run('group', 'create'), 2, 'UsageError');
  });

  test('sp assign, assignments, unassign: a user and a group, duplicates and unknowns refused', async () => {
    const made = json<{ servicePrincipal: Obj & { id: string } }>(await run('gallery', 'instantiate', SCIM_APP_TEMPLATE, '--name', 'Assignments app', '--json'));
    const spId = made.servicePrincipal.id;

    const [none, user, group] = await Promise.all([
      run('sp', 'assignments', spId),
      cli('sp', 'assign', spId, '--principal', adeleId),
      cli('sp', 'assign', spId, '--principal', salesId, '--json'),
    ]);
    assert.equal(expectCode(none, 0).stdout, 'No assignments found.\n');
    assert.match(expectCode(user, 0).stdout, /^id:\s+\S+\nprincipal:\s+User Adele Vance\nappRoleId:\s+00000000-0000-0000-0000-000000000000\n$/);
    const userAssignment = /^id:\s+(\S+)$/m.exec(user.stdout)![1]!;
    const g = json(group);
    assert.match(g['@odata.context'] as string, /servicePrincipals\('[0-9a-f-]{36}'\)\/appRoleAssignedTo\/\$entity$/);
    assert.deepEqual([g.principalId, g.principalType, g.principalDisplayName, g.resourceId], [salesId, 'Group', 'Sales Team', spId]);

    const [table, doc] = await Promise.all([cli('sp', 'assignments', spId), run('sp', 'assignments', spId, '--json')]);
    assert.match(expectCode(table, 0).stdout, /^ID\s+PRINCIPALTYPE\s+PRINCIPALID\s+PRINCIPAL\s+APPROLEID\n/);
    assert.match(table.stdout, new RegExp(`^${esc(userAssignment)}\\s+User\\s+${adeleId}\\s+Adele Vance\\s+0{8}-`, 'm'));
    assert.match(table.stdout, new RegExp(`^${esc(g.id as string)}\\s+Group\\s+${salesId}\\s+Sales Team\\s+0{8}-`, 'm'));
    assert.deepEqual(new Set(ids(json<Collection>(doc))), new Set([userAssignment, g.id]));

    expectError(await run('sp', 'assign', spId, '--principal', adeleId), 5, 'Request_BadRequest', { requestId: true });
    expectError(await run('sp', 'assign', spId, '--principal', 'adele'), 5, 'Request_BadRequest');
    expectError(await run('sp', 'assign', spId, '--principal', carolId, '--role', '11111111-1111-4111-8111-111111111111'), 5, 'Request_BadRequest');
    expectError(await run('sp', 'assign', spId), 2, 'UsageError');
    expectError(await run('sp', 'assign', MISSING, '--principal', adeleId), 4, 'Request_ResourceNotFound', { requestId: true });
    expectError(await run('sp', 'assignments', MISSING), 4, 'Request_ResourceNotFound');

    assert.equal(expectCode(await cli('sp', 'unassign', spId, userAssignment), 0).stdout, `Removed assignment ${userAssignment}.\n`);
    const [again, jsonDone] = await Promise.all([run('sp', 'unassign', spId, userAssignment), run('sp', 'unassign', spId, g.id as string, '--json')]);
    expectError(again, 4, 'Request_ResourceNotFound', { requestId: true });
    assert.deepEqual(json(jsonDone), { value: true });
    assert.equal(expectCode(await run('sp', 'assignments', spId), 0).stdout, 'No assignments found.\n');
    // Graph assignment ids are base64url and may begin with '-': such an id goes after '--', and the usage error says so.
    const dashed = '-bsMy43xbw15xPdUUlp2AxyyCBTmCLTIvwxk9b7Pl_s';
    assert.match(expectError(await run('sp', 'unassign', spId, dashed), 2, 'UsageError'), /goes after '--'/);
    expectError(await run('sp', 'unassign', spId, '--', dashed), 4, 'Request_ResourceNotFound');
  });

  describe('logs', () => {
    const JOB_1 = 'scim.clitest.job-1';
    const JOB_2 = 'scim.clitest.job-2';
    let created: ProvisioningObjectSummary;
    let failed: ProvisioningObjectSummary;
    let skipped: ProvisioningObjectSummary;

    before(async () => {
      const now = Date.now();
      const min = 60_000;
      [created, failed, skipped] = (await server.services.logs.writer.write([
        {
          activityDateTime: new Date(now - 50 * min),
          jobId: JOB_1,
          cycleId: 'cycle-1',
          changeId: 'change-1',
          provisioningAction: 'create',
          durationInMilliseconds: 120,
          provisioningStatusInfo: { status: 'success' },
          servicePrincipal: { id: 'sp-clitest-1', displayName: 'CLI SCIM' },
          sourceSystem: { displayName: 'Azure Active Directory' },
          targetSystem: { displayName: 'CLI SCIM' },
          sourceIdentity: { id: 'src-adele', displayName: 'Adele Vance', identityType: 'User' },
          targetIdentity: { id: 'scim-101', identityType: 'urn:ietf:params:scim:schemas:core:2.0:User' },
          provisioningSteps: [
            { name: 'EntryImportAdd', provisioningStepType: 'import', status: 'success', description: "Received User 'adele'" },
            { name: 'EntryExportAdd', provisioningStepType: 'export', status: 'success', description: 'User created in CLI SCIM' },
          ],
          modifiedProperties: [{ displayName: 'displayName', oldValue: null, newValue: 'Adele Vance' }],
        },
        {
          activityDateTime: new Date(now - 20 * min),
          jobId: JOB_1,
          provisioningAction: 'update',
          provisioningStatusInfo: { status: 'failure', errorInformation: { errorCode: 'SystemForCrossDomainIdentityManagementBadRequest', reason: 'The SCIM endpoint refused the request.' } },
          servicePrincipal: { id: 'sp-clitest-1', displayName: 'CLI SCIM' },
          sourceIdentity: { id: 'src-bob', displayName: 'Bob Kelly', identityType: 'User' },
          targetIdentity: { id: 'scim-102', identityType: 'urn:ietf:params:scim:schemas:core:2.0:User' },
        },
        {
          activityDateTime: new Date(now - 180 * min),
          jobId: JOB_2,
          provisioningAction: 'delete',
          provisioningStatusInfo: { status: 'skipped' },
          servicePrincipal: { id: 'sp-clitest-2', displayName: 'Other SCIM' },
          sourceIdentity: { id: 'src-carol', displayName: 'Carol Diaz', identityType: 'User' },
        },
      ])) as [ProvisioningObjectSummary, ProvisioningObjectSummary, ProvisioningObjectSummary];
    });

    test('logs list: table and --json newest first, each filter, paging; bad options', async () => {
      const [table, doc, narrowed, badStatus, badFilter] = await Promise.all([
        cli('logs', 'list'),
        cli('logs', 'list', '--json'),
        cli('logs', 'list', '--job', JOB_1, '--status', 'Failure', '--action', 'update', '--since', '2h', '--json'),
        run('logs', 'list', '--status', 'nope'),
        cli('logs', 'list', '--filter', 'bad eq'),
      ]);
      const lines = expectCode(table, 0).stdout.trim().split('\n');
      assert.match(lines[0]!, /^TIME\s+ACTION\s+STATUS\s+SOURCE\s+TARGET\s+ERROR\s+ID$/);
      assert.match(lines[1]!, new RegExp(`^${esc(failed.activityDateTime)}\\s+update\\s+failure\\s+Bob Kelly\\s+scim-102\\s+SystemForCrossDomainIdentityManagementBadRequest\\s+${failed.id}$`));
      assert.match(lines[2]!, new RegExp(`^${esc(created.activityDateTime)}\\s+create\\s+success\\s+Adele Vance\\s+scim-101\\s+${created.id}$`));
      assert.match(lines[3]!, new RegExp(`^\\S+\\s+delete\\s+skipped\\s+Carol Diaz\\s+${skipped.id}$`));
      assert.equal(lines.length, 4);
      const all = json<Collection>(doc);
      assert.match(all['@odata.context'], /\$metadata#auditLogs\/provisioning$/);
      assert.deepEqual(ids(all), [failed.id, created.id, skipped.id]);
      assert.deepEqual(ids(json<Collection>(narrowed)), [failed.id]);
      assert.match(expectError(badStatus, 2, 'UsageError'), /--status must be one of success, warning, failure, skipped/);
      assert.match(expectError(badFilter, 5, 'Request_BadRequest', { requestId: true }), /Invalid filter clause/);

      const q = async (...args: string[]) => ids(json<Collection>(await run('logs', 'list', ...args, '--json')));
      assert.deepEqual(await q('--sp', 'sp-clitest-2'), [skipped.id]);
      assert.deepEqual(await q('--identity', 'scim-101'), [created.id], 'a target id');
      assert.deepEqual(await q('--identity', 'src-bob'), [failed.id], 'a source id');
      assert.deepEqual(await q('--action', 'Delete'), [skipped.id]);
      assert.deepEqual(await q('--status', 'success', '--job', JOB_1), [created.id]);
      assert.deepEqual(await q('--until', '1h'), [skipped.id]);
      assert.deepEqual(await q('--until', '30m'), [created.id, skipped.id]);
      assert.deepEqual(await q('--since', new Date(Date.now() - 30 * 60_000).toISOString()), [failed.id]);
      assert.deepEqual(await q('--since', '4h', '--until', '1h'), [skipped.id]);
      assert.deepEqual(await q('--filter', "provisioningAction eq 'create' or provisioningAction eq 'delete'", '--sp', 'sp-clitest-1'), [created.id]);
      assert.deepEqual(await q('--job', 'no-such-job'), []);
      assert.equal(expectCode(await run('logs', 'list', '--job', 'no-such-job'), 0).stdout, 'No provisioning events found.\n');

      const page = expectCode(await run('logs', 'list', '--top', '1'), 0);
      assert.equal(page.stdout.trim().split('\n').length, 2);
      assert.match(page.stderr, /^provisio: more events are available; use --all, --top or narrower filters$/m);
      const merged = json<Collection>(await run('logs', 'list', '--top', '1', '--all', '--json'));
      assert.deepEqual(ids(merged), [failed.id, created.id, skipped.id]);
      assert.equal(merged['@odata.nextLink'], undefined);

      expectError(await run('logs', 'list', '--action', 'rename'), 2, 'UsageError');
      expectError(await run('logs', 'list', '--since', 'yesterday'), 2, 'UsageError');
      expectError(await run('logs', 'list', '--top', '0'), 2, 'UsageError');
    });

    test('logs show: steps and modified properties, --json, unknown id', async () => {
      const [shown, failure, missing] = await Promise.all([
        cli('logs', 'show', created.id),
        cli('logs', 'show', failed.id, '--json'),
        run('logs', 'show', 'no-such-event'),
      ]);
      const out = expectCode(shown, 0).stdout;
      assert.match(out, new RegExp(`^id:\\s+${created.id}$`, 'm'));
      assert.match(out, new RegExp(`^job:\\s+${esc(JOB_1)}$`, 'm'));
      assert.match(out, /^cycle:\s+cycle-1$/m);
      assert.match(out, /^action:\s+create$/m);
      assert.match(out, /^status:\s+success$/m);
      assert.match(out, /^source:\s+Azure Active Directory: User Adele Vance$/m);
      assert.match(out, /^target:\s+CLI SCIM: urn:ietf:params:scim:schemas:core:2\.0:User scim-101$/m);
      assert.match(out, /^service principal:\s+CLI SCIM$/m);
      assert.match(out, /^duration \(ms\):\s+120$/m);
      assert.match(out, /\nSteps\nTYPE\s+STATUS\s+NAME\s+DESCRIPTION\nimport\s+success\s+EntryImportAdd\s+Received User 'adele'\nexport\s+success\s+EntryExportAdd\s+/);
      assert.match(out, /\nModified properties\nPROPERTY\s+OLD\s+NEW\ndisplayName\s+Adele Vance\n$/);
      assert.doesNotMatch(out, /^error:/m);

      const e = json<Obj & { provisioningStatusInfo: { errorInformation: Obj } }>(failure);
      assert.match(e['@odata.context'] as string, /\$metadata#auditLogs\/provisioning\/\$entity$/);
      assert.equal(e.id, failed.id);
      assert.equal(e.provisioningStatusInfo.errorInformation.errorCode, 'SystemForCrossDomainIdentityManagementBadRequest');
      const human = expectCode(await run('logs', 'show', failed.id), 0);
      assert.match(human.stdout, /^error:\s+SystemForCrossDomainIdentityManagementBadRequest: The SCIM endpoint refused the request\.$/m);
      expectError(missing, 4, 'Request_ResourceNotFound', { requestId: true });
      expectError(await run('logs', 'show'), 2, 'UsageError');
    });

    test('logs list --follow: prints the latest, then new events as they are written, until SIGINT (exit 0)', { timeout: 90_000 }, async () => {
      const JOB = 'scim.clitest.follow';
      const entry = (at: Date, source: string) => ({
        activityDateTime: at,
        jobId: JOB,
        provisioningAction: 'update' as const,
        provisioningStatusInfo: { status: 'success' as const },
        sourceIdentity: { id: source, displayName: source, identityType: 'User' },
      });
      const [old] = await server.services.logs.writer.write([entry(new Date(Date.now() - 60_000), 'follow-old')]);
      const args = ['logs', 'list', '--job', JOB, '--follow', '--interval', '1'];
      const children: RunningCli[] = [startCli(args, { env }), startCli([...args, '--json'], { env })];
      try {
        const [table, lines] = children as [RunningCli, RunningCli];
        // The handler for Ctrl-C is in place once the first events are printed.
        await Promise.all([table.waitForStdout(new RegExp(old!.id)), lines.waitForStdout(new RegExp(old!.id))]);
        const [fresh] = await server.services.logs.writer.write([entry(new Date(), 'follow-new')]);
        await Promise.all([table.waitForStdout(new RegExp(fresh!.id)), lines.waitForStdout(new RegExp(fresh!.id))]);
        for (const c of children) assert.ok(process.kill(c.child.pid!, 'SIGINT'));
        const [t, l] = (await Promise.all(children.map((c) => c.exited))) as [CliResult, CliResult];

        assert.equal(expectCode(t, 0).stderr, '');
        const rows = t.stdout.trim().split('\n');
        assert.match(rows[0]!, /^TIME\s+ACTION\s+STATUS\s+SOURCE\s+TARGET\s+ERROR\s+ID$/);
        assert.match(rows[1]!, new RegExp(`\\s+follow-old\\s+${old!.id}$`));
        assert.match(rows[2]!, new RegExp(`\\s+follow-new\\s+${fresh!.id}$`));
        assert.equal(rows.length, 3, 'one header, each event once');

        assert.equal(expectCode(l, 0).stderr, '');
        const events = l.stdout.trim().split('\n').map((s) => JSON.parse(s) as Obj);
        assert.deepEqual(ids({ value: events }), [old!.id, fresh!.id]);
        assert.equal(events[1]!.jobId, JOB);
        assert.equal(events[1]!['@odata.context'], undefined, 'events, not collection documents');
      } finally {
        for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      }
    });

    test('logs list --follow stops as soon as Ctrl-C comes, even during the first request or a poll', { timeout: 60_000 }, async () => {
      // In-process, with a fetch that presses Ctrl-C while a request is on the wire: the
      // command must end when that request is answered, not after a 30-second interval.
      const follow = async (when: 'first' | 'poll') => {
        let interrupt: (() => void) | undefined;
        let stdout = '';
        let stderr = '';
        let polls = 0;
        const io: CliIo = {
          stdout: (t) => (stdout += t),
          stderr: (t) => (stderr += t),
          env: { ...env, HOME: '/nonexistent' },
          interactive: false,
          prompt: () => Promise.resolve(''),
          readStdin: () => '',
          onInterrupt: (h) => {
            interrupt = h;
            return () => (interrupt = undefined);
          },
        };
        const pressingCtrlC: typeof fetch = async (input, init) => {
          const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
          const order = url.searchParams.get('$orderby');
          if (order === 'activityDateTime asc') polls++;
          const res = await fetch(input, init);
          if (url.pathname.endsWith('/auditLogs/provisioning') && (when === 'first' ? order === 'activityDateTime desc' : polls === 1)) {
            // No handler yet: a real Ctrl-C would kill the process (exit 130).
            if (!interrupt) throw new Error('Ctrl-C came before the command listened for it');
            interrupt();
          }
          return res;
        };
        const started = Date.now();
        const code = await main(['logs', 'list', '--job', JOB_1, '--follow', '--interval', '30'], { io, fetch: pressingCtrlC });
        return { code, stdout, stderr, polls, ms: Date.now() - started, handlerLeft: interrupt !== undefined };
      };
      const first = await follow('first');
      assert.deepEqual([first.code, first.stderr, first.polls, first.handlerLeft], [0, '', 0, false]);
      assert.match(first.stdout, new RegExp(`${created.id}\\n.*${failed.id}\\n$`), 'the latest events, oldest first');
      const poll = await follow('poll');
      assert.deepEqual([poll.code, poll.stderr, poll.polls, poll.handlerLeft], [0, '', 1, false]);
      assert.ok(poll.ms < 10_000, `took ${poll.ms} ms`);
    });
  });

  test('permissions and throttling: 403 exits 3, 429 exits 6 with Retry-After', async () => {
    const reader = await server.services.clients.create({ displayName: 'users reader', roles: ['User.Read.All'] });
    const readerEnv = { PROVISIO_URL: server.url, PROVISIO_CLIENT_ID: reader.clientId, PROVISIO_CLIENT_SECRET: reader.secret };
    const [logs, create, list] = await Promise.all([
      runCli(['logs', 'list'], { env: readerEnv }),
      runInProcess(['user', 'create', '--upn', `frank@${DOMAIN}`, '--name', 'Frank'], { env: readerEnv }),
      runInProcess(['user', 'list', '--json'], { env: readerEnv }),
    ]);
    assert.match(expectError(logs, 3, 'Authorization_RequestDenied', { requestId: true }), /AuditLog\.Read\.All/);
    expectError(create, 3, 'Authorization_RequestDenied', { requestId: true });
    assert.ok(json<Collection>(list).value.length >= 2, 'reading users is allowed');
    expectError(await runInProcess(['group', 'add-member', salesId, carolId], { env: readerEnv }), 3, 'Authorization_RequestDenied');

    const throttled = await startTestServer({ logLevel: 'warn', env: { PROVISIO_AUDIT_RATE_LIMIT: '1/60' } });
    try {
      const tEnv = { PROVISIO_URL: throttled.url, PROVISIO_CLIENT_ID: throttled.clientId, PROVISIO_CLIENT_SECRET: throttled.clientSecret };
      assert.equal(expectCode(await runInProcess(['logs', 'list'], { env: tEnv }), 0).stdout, 'No provisioning events found.\n');
      const line = expectError(await runCli(['logs', 'show', MISSING], { env: tEnv }), 6, 'TooManyRequests', { requestId: false });
      assert.match(line, /\(Retry-After: \d+ s\)/);
    } finally {
      await throttled.close();
    }
  });
});
