/**
 * The nine application-instance cmdlets by their own names, each run as a
 * subprocess (`node bin/provisio.js <Cmdlet> -Param value …`) against a
 * server started here: the seed's Sync examples and error, and one
 * documented call of every other cmdlet. Independent runs go in parallel
 * to keep the wall time near one second a step.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { AA, AA_CONFIG, BASE, CQ, DOMAIN, EMPTY, MAPPINGS } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run { code: number; stdout: string; stderr: string }

describe('the application-instance cmdlets as subprocesses', () => {
  let s: TestServer;
  let id: string;
  before(async () => {
    process.env.PROVISIO_TENANT_DOMAIN = DOMAIN;
    s = await startTestServer();
  });
  after(async () => { await s.close(); });

  const provisio = (...args: string[]) => new Promise<Run>((resolve) => {
    execFile(process.execPath, ['bin/provisio.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, PROVISIO_URL: s.url, PROVISIO_CLIENT_ID: s.clientId, PROVISIO_CLIENT_SECRET: s.clientSecret },
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
  const json = async (path: string) => (await s.api(path)).json() as Promise<Record<string, unknown>>;

  test('New-CsOnlineApplicationInstance (its example)', async () => {
    const created = await provisio('New-CsOnlineApplicationInstance', '-UserPrincipalName', 'appinstance01@contoso.com', '-ApplicationId', AA, '-DisplayName', 'AppInstance01', '--json');
    assert.equal(created.code, 0, created.stderr);
    const o = JSON.parse(created.stdout) as Record<string, string>;
    assert.deepEqual([o.UserPrincipalName, o.ApplicationId, o.DisplayName, o.PhoneNumber], ['appinstance01@contoso.com', AA, 'AppInstance01', null]);
    id = o.ObjectId!;
    assert.equal((await json(`${BASE}/${id}`)).agentProvisioningState, 'registered');
  });

  // Sync-CsOnlineApplicationInstance by name is the seed-cmdlet framework's (src/cli/cmdlets), over src/cli/commands/appinstance/api.ts.
  test('Sync-CsOnlineApplicationInstance: Example 2 (duplicate key, then the empty GUID), then Example 1', async () => {
    const dup = await provisio('Sync-CsOnlineApplicationInstance', '-ObjectId', id, '-ApplicationId', CQ);
    assert.equal(dup.code, 5);
    assert.match(dup.stderr, /^provisio: DuplicateApsMapping: An item with the same key has already been added\.( \(request-id [^)]+\))?\n$/);
    assert.equal(dup.stdout, '');

    const removed = await provisio('Sync-CsOnlineApplicationInstance', '-ObjectId', id, '-ApplicationId', EMPTY, '--json');
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual((({ action, mapping }) => ({ action, mapping }))(JSON.parse(removed.stdout)), { action: 'removed', mapping: null });
    assert.equal((await s.api(`${MAPPINGS}/${id}`)).status, 404);

    const synced = await provisio('Sync-CsOnlineApplicationInstance', '-ObjectId', id, '-ApplicationId', CQ, '--json');
    assert.equal(synced.code, 0, synced.stderr);
    const body = JSON.parse(synced.stdout) as { id: string; action: string; mapping: { appId: string } };
    assert.deepEqual([body.id, body.action, body.mapping.appId], [id, 'created', CQ]);
    assert.equal((await json(`${MAPPINGS}/${id}`)).appId, CQ);
  });

  test('Sync error: an unknown object id (exit 4), and -WhatIf, which changes nothing', async () => {
    const [unknown, whatIf] = await Promise.all([
      provisio('Sync-CsOnlineApplicationInstance', '-ObjectId', '3fa85f64-5717-4562-b3fc-2c963f66afa6', '-ApplicationId', AA),
      provisio('sync-csonlineapplicationinstance', '-objectid', id, '-applicationid', EMPTY, '-wi'),
    ]);
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /^provisio: InstanceNotFound: Application instance '3fa85f64-5717-4562-b3fc-2c963f66afa6' was not found: no directory user has that object id or userPrincipalName\./);
    assert.equal(whatIf.code, 0, whatIf.stderr);
    assert.ok(whatIf.stdout.startsWith(`What if: Performing the operation "Sync-CsOnlineApplicationInstance" on target "ObjectId: ${id}, ApplicationId: ${EMPTY}".\n`), whatIf.stdout);
    assert.equal((await json(`${MAPPINGS}/${id}`)).appId, CQ, 'still mapped');
  });

  test('Set-, Get- and Find-CsOnlineApplicationInstance, and the documented wrong parameter name', async () => {
    const second = await s.api(BASE, { method: 'POST', json: { userPrincipalName: 'appinstance02@contoso.com', appId: CQ, displayName: 'AppInstance02' } });
    assert.equal(second.status, 201);
    const set = await provisio('Set-CsOnlineApplicationInstance', '-Identity', 'appinstance01@contoso.com', '-ApplicationId', AA, '-DisplayName', 'AppInstance01', '-OnpremPhoneNumber', '+14250000000');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /PhoneNumber {7}: tel:\+14250000000\n/);
    const [get, find, wrong] = await Promise.all([
      provisio('Get-CsOnlineApplicationInstance', '-Identities', 'appinstance01@contoso.com,appinstance02@contoso.com', '--json'),
      provisio('Find-CsOnlineApplicationInstance', '-SearchQuery', 'tel:+1425'),
      provisio('Set-CsOnlineApplicationInstance', '-Identity', 'appinstance01@contoso.com', '-TelephoneNumber', '+14250000000'),
    ]);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(JSON.parse(get.stdout).map((o: { DisplayName: string }) => o.DisplayName).sort(), ['AppInstance01', 'AppInstance02']);
    assert.equal(find.code, 0, find.stderr);
    assert.equal(find.stdout, [
      'Id                                   Name          TelephoneNumber',
      '------------------------------------ ------------- ----------------',
      `${id} AppInstance01 tel:+14250000000`,
      '',
    ].join('\n'));
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr, "provisio: NamedParameterNotFound: Set-CsOnlineApplicationInstance: A parameter cannot be found that matches parameter name 'TelephoneNumber'.\n");
  });

  test('the association cmdlets: New, Get, status, Remove', async () => {
    const created = await provisio('New-CsOnlineApplicationInstanceAssociation', '-Identities', id, '-ConfigurationId', AA_CONFIG, '-ConfigurationType', 'AutoAttendant');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Result {12}: Success\nStatusCode {8}: Created/);
    const [get, status] = await Promise.all([
      provisio('Get-CsOnlineApplicationInstanceAssociation', '-Identity', id, '--json'),
      provisio('Get-CsOnlineApplicationInstanceAssociationStatus', '-Identity', id),
    ]);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(JSON.parse(get.stdout), { Id: id, ConfigurationId: AA_CONFIG, ConfigurationType: 'AutoAttendant', CallPriority: 3 });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Type {12}: Association\nStatus {10}: Completed/);
    assert.match(status.stdout, /Type {12}: AgentProvisioning/);
    const removed = await provisio('Remove-CsOnlineApplicationInstanceAssociation', '-Identities', id);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Result {12}: Success/);
    assert.equal((await s.api(`${BASE}/${id}/association`)).status, 404);
  });
});
