/**
 * New-, Set-, Get- and Find-CsOnlineApplicationInstance through the REST
 * API: every documented example and error (teams-app-instance.md §4.1–4.4).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';
import { ALL_PERMISSIONS, Permissions } from '../../src/auth/permissions.ts';
import { AA, AA_CONFIG, ACS, BASE, BOT, CQ, DOMAIN, EMPTY, MAPPINGS, PASSWORD, assertError, newInstance, startAppInstanceApp, warningsOf } from './helpers.ts';

describe('New-CsOnlineApplicationInstance', () => {
  let t: TestApp;
  before(async () => { t = await startAppInstanceApp(); });
  after(async () => { await t.close(); });

  test('Example 1: an Auto Attendant instance appinstance01@contoso.com, "AppInstance01"', async () => {
    const r = await t.post(BASE, { userPrincipalName: 'appinstance01@contoso.com', appId: AA, displayName: 'AppInstance01' });
    assert.equal(r.status, 201, r.text);
    const a = r.body;
    assert.match(a.id, /^[0-9a-f-]{36}$/);
    assert.equal(a.userPrincipalName, 'appinstance01@contoso.com');
    assert.equal(a.appId, AA);
    assert.equal(a.displayName, 'AppInstance01');
    assert.equal(a.phoneNumber, null);
    assert.equal(a.acsResourceId, null);
    assert.equal(a.tenantId, t.services.tenant.id);
    assert.equal(a.applicationType, 'AutoAttendant');
    assert.equal(r.headers.location, `http://localhost:80${BASE}/${a.id}`);
    assert.deepEqual(warningsOf(r), []);

    // The instance is a directory user, disabled for sign-in, carrying the marker department.
    const u = await t.get(`/v1.0/users/${a.id}?$select=accountEnabled,department,displayName,userPrincipalName`);
    assert.equal(u.status, 200);
    assert.equal(u.body.accountEnabled, false);
    assert.equal(u.body.department, 'Microsoft Communication Application Instance');
    assert.equal(u.body.displayName, 'AppInstance01');

    // "If an application ID was provided at the creation … you need not run [Sync]": the mapping exists.
    assert.equal(a.agentProvisioningState, 'registered');
    const m = await t.get(`${MAPPINGS}/${a.id}`);
    assert.equal(m.status, 200);
    assert.equal(m.body.appId, AA);
    assert.equal(m.body.userPrincipalName, 'appinstance01@contoso.com');
  });

  test('the compliance-recording transcript: a third-party bot instance has ObjectId, TenantId, UPN, ApplicationId, DisplayName and an empty PhoneNumber', async () => {
    const a = await newInstance(t, 'cr.instance', { appId: BOT, displayName: 'ComplianceRecordingBotInstance' });
    assert.deepEqual(
      { upn: a.userPrincipalName, appId: a.appId, displayName: a.displayName, phone: a.phoneNumber, tenant: a.tenantId, type: a.applicationType },
      { upn: `cr.instance@${DOMAIN}`, appId: BOT, displayName: 'ComplianceRecordingBotInstance', phone: null, tenant: t.services.tenant.id, type: 'ThirdParty' },
    );
  });

  test('without an application id: no mapping, a warning (the instance handles no calls yet); -Force leaves the warning out', async () => {
    const r = await t.post(BASE, { userPrincipalName: `noapp@${DOMAIN}` });
    assert.equal(r.status, 201);
    assert.equal(r.body.appId, null);
    assert.equal(r.body.agentProvisioningState, 'notRegistered');
    assert.match(warningsOf(r)[0] ?? '', /has no application id/);
    assertError(await t.get(`${MAPPINGS}/${r.body.id}`), 404, 'InstanceNotRegistered', `Application with instance id ${r.body.id} is not registered in the agent provisioning registry.`);
    const forced = await t.post(`${BASE}?force=true`, { userPrincipalName: `noapp2@${DOMAIN}` });
    assert.equal(forced.status, 201);
    assert.deepEqual(warningsOf(forced), []);
  });

  test('the display name defaults to the userPrincipalName alias', async () => {
    const a = await newInstance(t, 'defaultname', { appId: CQ });
    assert.equal(a.displayName, 'defaultname');
  });

  test('error: a userPrincipalName outside the online domains ("for online domain only")', async () => {
    assertError(await t.post(BASE, { userPrincipalName: 'ra@onprem.contoso.local', appId: AA }), 400, 'OnlineDomainRequired', /online domain .*contoso\.com/);
  });

  test('error: Access Denied without an application-instance write permission', async () => {
    const { token } = await t.services.tokens.issue('reader', [Permissions.AppInstanceRead, Permissions.UserReadWrite]);
    const r = await t.request('POST', BASE, { body: { userPrincipalName: `denied@${DOMAIN}` }, token });
    assertError(r, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    assert.match(r.body.error.details[0].message, /Organization\.ReadWrite\.All/);
  });

  test('error: the userPrincipalName is taken', async () => {
    await newInstance(t, 'taken', { appId: AA });
    assertError(await t.post(BASE, { userPrincipalName: `TAKEN@${DOMAIN}`, appId: AA }), 400, 'Request_BadRequest', /same value for property userPrincipalName/);
  });

  test('error: malformed application id, the empty GUID, a malformed userPrincipalName, an unknown property', async () => {
    assertError(await t.post(BASE, { userPrincipalName: `x1@${DOMAIN}`, appId: 'yyyyyyyy-yyyy' }), 400, 'Request_BadRequest', /expected a GUID/);
    assertError(await t.post(BASE, { userPrincipalName: `x2@${DOMAIN}`, appId: EMPTY }), 400, 'Request_BadRequest', /not an application/);
    assertError(await t.post(BASE, { userPrincipalName: `bad alias@${DOMAIN}` }), 400, 'Request_BadRequest', /userPrincipalName/);
    assertError(await t.post(BASE, { userPrincipalName: `x3@${DOMAIN}`, tenant: 'x' }), 400, 'Request_BadRequest', /Property 'tenant' does not exist/);
  });

  test('-WhatIf reports the creation and creates nothing', async () => {
    const r = await t.post(`${BASE}?whatIf=true`, { userPrincipalName: `whatif@${DOMAIN}`, appId: AA, displayName: 'What If' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.whatIf, true);
    assert.equal(r.body.operation, 'New-CsOnlineApplicationInstance');
    assert.equal(r.body.message, `What if: Performing the operation "New-CsOnlineApplicationInstance" on target "whatif@${DOMAIN}".`);
    assert.equal(r.body.result.appId, AA);
    assertError(await t.get(`${BASE}/whatif@${DOMAIN}`), 404, 'InstanceNotFound');
    assert.equal((await t.get(`/v1.0/users?$filter=userPrincipalName eq 'whatif@${DOMAIN}'`)).body.value.length, 0);
    // -WhatIf validates fully: a failing request fails the same way.
    assertError(await t.post(`${BASE}?whatIf=true`, { userPrincipalName: 'x@elsewhere.example' }), 400, 'OnlineDomainRequired');
    assertError(await t.post(`${BASE}?whatIf=maybe`, { userPrincipalName: `y@${DOMAIN}` }), 400, 'Request_BadRequest', /expected true or false/);
  });
});

describe('Set-CsOnlineApplicationInstance', () => {
  let t: TestApp;
  before(async () => { t = await startAppInstanceApp(); });
  after(async () => { await t.close(); });

  test('Example: updated ApplicationId and DisplayName of an Auto Attendant instance, addressed by userPrincipalName', async () => {
    const a = await newInstance(t, 'appinstance01', { appId: AA, displayName: 'Old name' });
    const r = await t.patch(`${BASE}/appinstance01@contoso.com`, { appId: AA, displayName: 'AppInstance01' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, a.id);
    assert.equal(r.body.appId, AA);
    assert.equal(r.body.displayName, 'AppInstance01');
    assert.equal((await t.get(`/v1.0/users/${a.id}?$select=displayName`)).body.displayName, 'AppInstance01');
    // The directory change feed saw the rename.
    const feed = await t.services.directory.changesSince(0);
    assert.ok(feed.changes.some((c) => c.objectId === a.id && c.kind === 'updated'));
  });

  test('Teams Phone extensibility: Set -ApplicationId -AcsResourceId, then Sync with both (the Dynamics 365 onboarding order)', async () => {
    const app = 'aa123456-1234-1234-1234-aaa123456789';
    const a = await newInstance(t, 'myteamsphoneresourceaccount', { appId: app });
    const set = await t.patch(`${BASE}/${a.id}`, { appId: app, acsResourceId: ACS });
    assert.equal(set.status, 200);
    assert.equal(set.body.acsResourceId, ACS);
    // The registry still holds no ACS resource: the instance says so, and a warning names the Sync to run.
    assert.equal(set.body.agentProvisioningState, 'stale');
    assert.match(warningsOf(set)[0] ?? '', new RegExp(`Sync-CsOnlineApplicationInstance -ObjectId ${a.id} -ApplicationId ${app} -AcsResourceId ${ACS}`));
    const sync = await t.post(`${BASE}/${a.id}/sync`, { appId: app, acsResourceId: ACS });
    assert.equal(sync.status, 200, sync.text);
    assert.equal(sync.body.action, 'refreshed');
    assert.equal(sync.body.mapping.acsResourceId, ACS);
    assert.equal((await t.get(`${BASE}/${a.id}`)).body.agentProvisioningState, 'registered');
    // Graph's resourceAccounts list, filtered on the ACS resource (the quickstart's query).
    const list = await t.get(`${BASE}?$filter=acsResourceId eq '${ACS}'`);
    assert.deepEqual(list.body.value.map((x: { id: string }) => x.id), [a.id]);
  });

  test('historical example: -OnpremPhoneNumber +14250000000; the number reads back as tel:+14250000000; "" unassigns', async () => {
    const a = await newInstance(t, 'phone', { appId: CQ });
    const r = await t.patch(`${BASE}/${a.id}`, { phoneNumber: '+14250000000' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.phoneNumber, 'tel:+14250000000');
    const ext = await t.patch(`${BASE}/${a.id}`, { phoneNumber: '+14250000000;ext=123' });
    assert.equal(ext.body.phoneNumber, 'tel:+14250000000;ext=123');
    const cleared = await t.patch(`${BASE}/${a.id}`, { phoneNumber: '' });
    assert.equal(cleared.body.phoneNumber, null);
  });

  test('error: the tel: prefix on a phone number (the documented format error)', async () => {
    const a = await newInstance(t, 'telprefix', { appId: AA });
    assertError(await t.patch(`${BASE}/${a.id}`, { phoneNumber: 'tel:+31851324567' }), 400, 'InvalidPhoneNumber', /'tel:\+31851324567' is not in a valid format.*no 'tel:' prefix/);
    assertError(await t.patch(`${BASE}/${a.id}`, { phoneNumber: '0851324567' }), 400, 'InvalidPhoneNumber');
  });

  test('a number on another instance is a soft conflict: refused, then moved with -Force', async () => {
    const a = await newInstance(t, 'holder', { appId: AA });
    const b = await newInstance(t, 'taker', { appId: AA });
    await t.patch(`${BASE}/${a.id}`, { phoneNumber: '+14255550100' });
    assertError(await t.patch(`${BASE}/${b.id}`, { phoneNumber: '+14255550100' }), 409, 'PhoneNumberInUse', new RegExp(`assigned to application instance ${a.id}.*force=true`));
    const moved = await t.patch(`${BASE}/${b.id}?force=true`, { phoneNumber: '+14255550100' });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.phoneNumber, 'tel:+14255550100');
    assert.equal((await t.get(`${BASE}/${a.id}`)).body.phoneNumber, null);
  });

  test('changing the application id of an associated instance to the other type is a soft conflict', async () => {
    const a = await newInstance(t, 'assoc-set', { appId: AA });
    const assoc = await t.post(`${BASE}/associate`, { identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    assert.equal(assoc.body.results[0].result, 'Success');
    assertError(await t.patch(`${BASE}/${a.id}`, { appId: CQ }), 409, 'AssociationConflict', /associated with AutoAttendant/);
    assert.equal((await t.get(`${BASE}/${a.id}`)).body.appId, AA);
    const forced = await t.patch(`${BASE}/${a.id}?force=true`, { appId: CQ });
    assert.equal(forced.status, 200);
    assert.equal(forced.body.appId, CQ);
  });

  test('re-pointing an instance: Set leaves an existing mapping alone and names the Sync commands; the documented procedure then maps the new id', async () => {
    const a = await newInstance(t, 'repoint', { appId: AA });
    const set = await t.patch(`${BASE}/${a.id}`, { appId: BOT });
    assert.equal(set.body.appId, BOT);
    assert.equal(set.body.agentProvisioningState, 'stale');
    assert.match(warningsOf(set)[0] ?? '', new RegExp(`-ApplicationId ${EMPTY}, then Sync-CsOnlineApplicationInstance -ObjectId ${a.id} -ApplicationId ${BOT}`));
    assert.equal((await t.get(`${MAPPINGS}/${a.id}`)).body.appId, AA);
    assertError(await t.post(`${BASE}/${a.id}/sync`, { appId: BOT }), 409, 'DuplicateApsMapping', 'An item with the same key has already been added.');
    assert.equal((await t.post(`${BASE}/${a.id}/sync`, { appId: EMPTY })).body.action, 'removed');
    assert.equal((await t.post(`${BASE}/${a.id}/sync`, { appId: BOT })).body.action, 'created');
    assert.equal((await t.get(`${BASE}/${a.id}`)).body.agentProvisioningState, 'registered');
  });

  test('repair of an instance without an application id (module 4.0.0 bug): Set -ApplicationId registers it', async () => {
    // An instance made directly in the directory (as a hybrid account gets the marker department) has no application id.
    const u = await t.post('/v1.0/users', {
      accountEnabled: false, displayName: 'Hybrid RA', mailNickname: 'hybrid-ra', userPrincipalName: `hybrid-ra@${DOMAIN}`,
      department: 'Microsoft Communication Application Instance', passwordProfile: PASSWORD,
    });
    assert.equal(u.status, 201, u.text);
    const before = await t.get(`${BASE}/${u.body.id}`);
    assert.equal(before.status, 200);
    assert.equal(before.body.appId, null);
    const r = await t.patch(`${BASE}/hybrid-ra@${DOMAIN}`, { appId: CQ });
    assert.equal(r.body.appId, CQ);
    assert.equal(r.body.agentProvisioningState, 'registered');
    assert.equal((await t.get(`${MAPPINGS}/${u.body.id}`)).body.appId, CQ);
  });

  test('-WhatIf reports the change and changes nothing', async () => {
    const a = await newInstance(t, 'setwhatif', { appId: AA, displayName: 'Before' });
    const r = await t.patch(`${BASE}/${a.id}?whatIf=true`, { displayName: 'After', phoneNumber: '+14255550199' });
    assert.equal(r.status, 200);
    assert.equal(r.body.message, `What if: Performing the operation "Set-CsOnlineApplicationInstance" on target "${a.id}".`);
    assert.equal(r.body.result.displayName, 'After');
    const now = await t.get(`${BASE}/${a.id}`);
    assert.equal(now.body.displayName, 'Before');
    assert.equal(now.body.phoneNumber, null);
  });

  test('errors: an unknown instance; a user that is not an instance; the empty GUID as application id', async () => {
    assertError(await t.patch(`${BASE}/nobody@${DOMAIN}`, { displayName: 'x' }), 404, 'InstanceNotFound', /'nobody@contoso\.com' was not found/);
    const plain = await t.post('/v1.0/users', { accountEnabled: true, displayName: 'Plain', mailNickname: 'plain', userPrincipalName: `plain@${DOMAIN}`, passwordProfile: PASSWORD });
    assertError(await t.patch(`${BASE}/${plain.body.id}`, { displayName: 'x' }), 404, 'InstanceNotFound', /not an application instance/);
    const a = await newInstance(t, 'emptyguid', { appId: AA });
    assertError(await t.patch(`${BASE}/${a.id}`, { appId: EMPTY }), 400, 'Request_BadRequest', /not an application/);
  });
});

describe('Get-CsOnlineApplicationInstance', () => {
  let t: TestApp;
  const ids: string[] = [];
  before(async () => {
    t = await startAppInstanceApp();
    for (let i = 1; i <= 12; i++) ids.push((await newInstance(t, `appinstance${String(i).padStart(2, '0')}`, { appId: i % 2 ? AA : CQ })).id!);
    // An ordinary user is not an application instance.
    await t.post('/v1.0/users', { accountEnabled: true, displayName: 'Person', mailNickname: 'person', userPrincipalName: `person@${DOMAIN}`, passwordProfile: PASSWORD });
  });
  after(async () => { await t.close(); });

  test('Example 1: -Identity appinstance01@contoso.com (and the same by object id)', async () => {
    const r = await t.get(`${BASE}/appinstance01@contoso.com`);
    assert.equal(r.status, 200);
    assert.equal(r.body.id, ids[0]);
    assert.equal(r.body.appId, AA);
    assert.deepEqual(Object.keys(r.body).filter((k) => !k.startsWith('@')).sort(),
      ['acsResourceId', 'agentProvisioningState', 'appId', 'applicationType', 'displayName', 'id', 'phoneNumber', 'tenantId', 'userPrincipalName']);
    assert.equal((await t.get(`${BASE}/${ids[0]!.toUpperCase()}`)).body.userPrincipalName, 'appinstance01@contoso.com');
  });

  test('Example 2: -Identities appinstance01@contoso.com,appinstance02@contoso.com (as a $filter)', async () => {
    const r = await t.get(`${BASE}?$filter=userPrincipalName in ('appinstance01@contoso.com','appinstance02@contoso.com')`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.value.map((a: { userPrincipalName: string }) => a.userPrincipalName).sort(), ['appinstance01@contoso.com', 'appinstance02@contoso.com']);
    const mixed = await t.get(`${BASE}?$filter=id in ('${ids[2]}') or userPrincipalName eq 'appinstance04@contoso.com'`);
    assert.deepEqual(mixed.body.value.map((a: { id: string }) => a.id).sort(), [ids[2], ids[3]].sort());
  });

  test('Example 3: -ResultSize 10 gives the first 10, with a link to the rest', async () => {
    const r = await t.get(`${BASE}?$top=10`);
    assert.equal(r.body.value.length, 10);
    assert.ok(r.body['@odata.nextLink']);
    const rest = await t.get(new URL(r.body['@odata.nextLink']).pathname + new URL(r.body['@odata.nextLink']).search);
    assert.equal(rest.body.value.length, 2);
    assert.equal(rest.body['@odata.nextLink'], undefined);
  });

  test('Example 4: every application instance, and no ordinary user', async () => {
    const r = await t.get(BASE);
    assert.deepEqual(r.body.value.map((a: { id: string }) => a.id).sort(), [...ids].sort());
    assert.ok(!r.body.value.some((a: { userPrincipalName: string }) => a.userPrincipalName.startsWith('person@')));
  });

  test("Graph's resourceAccounts filter on appId (the quickstart's query), and $select", async () => {
    const r = await t.get(`${BASE}?$filter=appid eq '${CQ}'&$select=id,appId`);
    assert.equal(r.body.value.length, 6);
    assert.ok(r.body.value.every((a: Record<string, unknown>) => a.appId === CQ && Object.keys(a).length === 2));
  });

  test('errors: not found; an ordinary user; a bad $filter property; an unsupported clause', async () => {
    assertError(await t.get(`${BASE}/missing@${DOMAIN}`), 404, 'InstanceNotFound');
    assertError(await t.get(`${BASE}/person@${DOMAIN}`), 404, 'InstanceNotFound', /not an application instance: its department is not 'Microsoft Communication Application Instance'/);
    assertError(await t.get(`${BASE}/not-an-identity`), 400, 'Request_BadRequest', /object id \(a GUID\) or its userPrincipalName/);
    assertError(await t.get(`${BASE}?$filter=department eq 'x'`), 400, 'Request_BadRequest', /Could not find a property named 'department'/);
    assertError(await t.get(`${BASE}?$filter=appId gt 'x'`), 400, 'Request_UnsupportedQuery');
  });

  test('a deleted instance is gone from the list; restored, it is back', async () => {
    const a = await newInstance(t, 'deleted', { appId: AA });
    assert.equal((await t.del(`/v1.0/users/${a.id}`)).status, 204);
    assertError(await t.get(`${BASE}/${a.id}`), 404, 'InstanceNotFound');
    assert.equal((await t.post(`/v1.0/directory/deletedItems/${a.id}/restore`)).status, 200);
    assert.equal((await t.get(`${BASE}/${a.id}`)).body.appId, AA);
  });
});

describe('Find-CsOnlineApplicationInstance', () => {
  let t: TestApp;
  const byName = new Map<string, string>();
  before(async () => {
    t = await startAppInstanceApp();
    const names = [
      ...Array.from({ length: 11 }, (_, i) => `Test Queue ${String(i + 1).padStart(2, '0')}`),
      'Test Auto Attendant', 'Test Auto Attendant 2', 'Other Test', 'Main Auto Attendant',
    ];
    let n = 0;
    for (const name of names) {
      const a = await newInstance(t, `find${n++}`, { appId: name.includes('Attendant') ? AA : CQ, displayName: name });
      byName.set(name, a.id!);
    }
    await t.patch(`${BASE}/${byName.get('Test Queue 01')}`, { phoneNumber: '+12065550101' });
    await t.patch(`${BASE}/${byName.get('Test Queue 02')}`, { phoneNumber: '+12065550102' });
    await t.patch(`${BASE}/${byName.get('Other Test')}`, { phoneNumber: '+14255550100' });
    const assoc = await t.post(`${BASE}/associate`, { identities: [byName.get('Test Auto Attendant 2')], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    assert.equal(assoc.body.results[0].result, 'Success');
  });
  after(async () => { await t.close(); });

  const find = async (query: string) => {
    const r = await t.get(`${BASE}/find?${query}`);
    assert.equal(r.status, 200, r.text);
    return r.body.value as { id: string; displayName: string; associated: boolean }[];
  };

  test('Example 1: -SearchQuery "Test" gives up to 10 instances whose name starts with "Test"', async () => {
    const v = await find('searchQuery=Test');
    assert.equal(v.length, 10);
    assert.ok(v.every((x) => x.displayName.startsWith('Test')));
  });

  test('Example 2: -SearchQuery "Test" -MaxResults 5 gives up to 5', async () => {
    const v = await find('searchQuery=Test&maxResults=5');
    assert.equal(v.length, 5);
    assert.ok(v.every((x) => x.displayName.startsWith('Test')));
  });

  test('Example 3: -SearchQuery "Test Auto Attendant" -ExactMatchOnly gives that name only', async () => {
    const v = await find(`searchQuery=${encodeURIComponent('Test Auto Attendant')}&exactMatchOnly=true`);
    assert.deepEqual(v.map((x) => x.displayName), ['Test Auto Attendant']);
    assert.deepEqual(Object.keys(v[0]!).sort(), ['appId', 'associated', 'displayName', 'id', 'phoneNumber', 'userPrincipalName']);
  });

  test('Example 4: -SearchQuery "Test Auto Attendant" -AssociatedOnly gives the associated ones', async () => {
    const v = await find(`searchQuery=${encodeURIComponent('Test Auto Attendant')}&associatedOnly=true`);
    assert.deepEqual(v.map((x) => [x.displayName, x.associated]), [['Test Auto Attendant 2', true]]);
    const un = await find(`searchQuery=${encodeURIComponent('Test Auto Attendant')}&unassociatedOnly=true`);
    assert.deepEqual(un.map((x) => x.displayName), ['Test Auto Attendant']);
  });

  test('a phone prefix ("tel:+1206"), case-insensitive names, and an object id', async () => {
    assert.deepEqual((await find(`searchQuery=${encodeURIComponent('tel:+1206')}`)).map((x) => x.displayName), ['Test Queue 01', 'Test Queue 02']);
    assert.deepEqual((await find(`searchQuery=${encodeURIComponent('+1425')}`)).map((x) => x.displayName), ['Other Test']);
    assert.deepEqual((await find(`searchQuery=${encodeURIComponent('MAIN auto')}`)).map((x) => x.displayName), ['Main Auto Attendant']);
    // New-CsAutoAttendantCallableEntity's use: Find "Main Auto Attendant" -MaxResults 1, then its Id.
    const one = await find(`searchQuery=${encodeURIComponent('Main Auto Attendant')}&maxResults=1`);
    assert.deepEqual(one.map((x) => x.id), [byName.get('Main Auto Attendant')]);
    assert.deepEqual((await find(`searchQuery=${byName.get('Other Test')}`)).map((x) => x.displayName), ['Other Test']);
  });

  test('errors: MaxResults above 20 or below 1; both AssociatedOnly and UnAssociatedOnly; no SearchQuery', async () => {
    assertError(await t.get(`${BASE}/find?searchQuery=Test&maxResults=21`), 400, 'Request_BadRequest', /from 1 to 20/);
    assertError(await t.get(`${BASE}/find?searchQuery=Test&maxResults=0`), 400, 'Request_BadRequest', /from 1 to 20/);
    assertError(await t.get(`${BASE}/find?searchQuery=Test&associatedOnly=true&unassociatedOnly=true`), 400, 'Request_BadRequest', /exclude each other/);
    assert.equal((await t.get(`${BASE}/find`)).status, 400);
    assertError(await t.get(`${BASE}/find?searchQuery=%20`), 400, 'Request_BadRequest', /searchQuery/);
  });
});

describe('permissions', () => {
  let t: TestApp;
  before(async () => { t = await startAppInstanceApp(); });
  after(async () => { await t.close(); });

  test('read permissions read, write permissions write, no token is 401', async () => {
    const a = await newInstance(t, 'perm', { appId: AA });
    const { token: reader } = await t.services.tokens.issue('reader', [Permissions.AppInstanceRead]);
    assert.equal((await t.request('GET', `${BASE}/${a.id}`, { token: reader })).status, 200);
    assert.equal((await t.request('GET', `${BASE}/${a.id}/association`, { token: reader })).status, 404);
    for (const [method, path, body] of [
      ['PATCH', `${BASE}/${a.id}`, { displayName: 'x' }],
      ['POST', `${BASE}/${a.id}/sync`, { appId: EMPTY }],
      ['POST', `${BASE}/associate`, { identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' }],
      ['POST', `${BASE}/removeAssociations`, { identities: [a.id] }],
      ['DELETE', `${BASE}/${a.id}/association`, undefined],
    ] as const) {
      assertError(await t.request(method, path, { ...(body ? { body } : {}), token: reader }), 403, 'Authorization_RequestDenied');
    }
    const { token: userOnly } = await t.services.tokens.issue('users', [Permissions.UserRead]);
    assertError(await t.request('GET', BASE, { token: userOnly }), 403, 'Authorization_RequestDenied');
    assertError(await t.request('GET', BASE, { token: null }), 401, 'InvalidAuthenticationToken');
    const { token: directory } = await t.services.tokens.issue('dir', [Permissions.DirectoryReadWrite]);
    assert.equal((await t.request('POST', `${BASE}/${a.id}/sync`, { body: {}, token: directory })).status, 200);
    assert.ok(ALL_PERMISSIONS.includes(Permissions.AppInstanceReadWrite));
  });

  test('the OpenAPI document describes every application-instance path with its cmdlet', async () => {
    const doc = (await t.get('/openapi.json')).body as { paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> };
    const expected: Record<string, string[]> = {
      [BASE]: ['get', 'post'],
      [`${BASE}/find`]: ['get'],
      [`${BASE}/associate`]: ['post'],
      [`${BASE}/removeAssociations`]: ['post'],
      [`${BASE}/{id}`]: ['get', 'patch'],
      [`${BASE}/{id}/sync`]: ['post'],
      [`${BASE}/{id}/association`]: ['get', 'delete'],
      [`${BASE}/{id}/association/status`]: ['get'],
      [MAPPINGS]: ['get'],
      [`${MAPPINGS}/{id}`]: ['get'],
      ['/v1.0/admin/teams/applicationConfigurations/{id}']: ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const m of methods) {
        const op = doc.paths[path]?.[m];
        assert.ok(op, `${m.toUpperCase()} ${path} is documented`);
        assert.deepEqual(op.tags, ['applicationInstances']);
        assert.ok(op.summary && op.summary.length > 10, `${m} ${path} has a summary`);
      }
    }
    assert.match(doc.paths[`${BASE}/{id}/sync`]!.post!.summary!, /Sync-CsOnlineApplicationInstance/);
  });
});
