/**
 * App role assignments over HTTP: /servicePrincipals/{id}/appRoleAssignedTo
 * (list, grant, revoke) and the principal side (/users|groups/{id}/appRoleAssignments).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, userBody } from '../helpers/app.ts';
import type { Reply, TestApp } from '../helpers/app.ts';

let t: TestApp;
let sp: string;
let spName: string;
before(async () => {
  t = await startTestApp();
  const app = await t.post('/v1.0/applications', { displayName: 'SCIM target' });
  const created = await t.post('/v1.0/servicePrincipals', { appId: app.body.appId });
  sp = created.body.id;
  spName = created.body.displayName;
});
after(async () => { await t.close(); });

const DEFAULT_ROLE = '00000000-0000-0000-0000-000000000000';

function assertGraphError(r: Reply, status: number, code: string, message: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code);
  assert.match(r.body.error.message, message);
}

describe('appRoleAssignedTo', () => {
  test('assigns a user and a group with Graph appRoleAssignment shapes, lists and revokes them', async () => {
    const user = (await t.post('/v1.0/users', userBody(t.services, 'assignee', { displayName: 'Assignee One' }))).body.id;
    const group = (await t.post('/v1.0/groups', { displayName: 'Assigned group', mailEnabled: false, mailNickname: 'ag', securityEnabled: true })).body.id;
    const r = await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { principalId: user, resourceId: sp, appRoleId: DEFAULT_ROLE });
    assert.equal(r.status, 201, r.text);
    const { '@odata.context': ctx, ...a } = r.body;
    assert.match(ctx, /appRoleAssignedTo\/\$entity$/);
    assert.deepEqual(Object.keys(a).sort(), ['appRoleId', 'createdDateTime', 'deletedDateTime', 'id', 'principalDisplayName', 'principalId', 'principalType', 'resourceDisplayName', 'resourceId']);
    assert.equal(a.principalType, 'User');
    assert.equal(a.principalDisplayName, 'Assignee One');
    assert.equal(a.resourceDisplayName, spName);
    assert.equal(a.appRoleId, DEFAULT_ROLE);
    assert.match(a.id, /^[A-Za-z0-9_-]{43}$/);
    const g = await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { principalId: group, resourceId: sp, appRoleId: DEFAULT_ROLE });
    assert.equal(g.body.principalType, 'Group');

    const list = await t.get(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`);
    assert.deepEqual(list.body.value.map((x: { principalId: string }) => x.principalId).sort(), [user, group].sort());
    const paged = await t.get(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo?$top=1`);
    assert.equal(paged.body.value.length, 1);
    assert.ok(paged.body['@odata.nextLink']);
    assert.deepEqual((await t.get(`/v1.0/users/${user}/appRoleAssignments`)).body.value.map((x: { id: string }) => x.id), [a.id]);
    assert.deepEqual((await t.get(`/v1.0/groups/${group}/appRoleAssignments`)).body.value.map((x: { id: string }) => x.id), [g.body.id]);

    assert.equal((await t.del(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo/${a.id}`)).status, 204);
    assertGraphError(await t.del(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo/${a.id}`), 404, 'Request_ResourceNotFound', /does not exist/);
    assert.deepEqual((await t.get(`/v1.0/users/${user}/appRoleAssignments`)).body.value, []);
  });

  test('refuses duplicates, mismatched resources, unknown principals and roles, and bad input', async () => {
    const user = (await t.post('/v1.0/users', userBody(t.services, 'twice'))).body.id;
    const body = { principalId: user, resourceId: sp, appRoleId: DEFAULT_ROLE };
    assert.equal((await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, body)).status, 201);
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, body), 400, 'Request_BadRequest', /^Permission being assigned already exists on the object$/);
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { ...body, resourceId: '11111111-1111-1111-1111-111111111111' }), 400, 'Request_BadRequest', /does not match/);
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { ...body, principalId: '11111111-1111-1111-1111-111111111111' }), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { ...body, appRoleId: '22222222-2222-2222-2222-222222222222' }), 400, 'Request_BadRequest', /Permission being assigned was not found on application/);
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { ...body, appRoleId: 'not-a-guid' }), 400, 'Request_BadRequest', /appRoleId/);
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { principalId: user, resourceId: sp }), 400, 'Request_BadRequest', /appRoleId/);
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { ...body, extra: 1 }), 400, 'Request_BadRequest', /Property 'extra' does not exist on type 'microsoft\.graph\.appRoleAssignment'/);
    const unknownSp = '33333333-3333-3333-3333-333333333333';
    assertGraphError(await t.post(`/v1.0/servicePrincipals/${unknownSp}/appRoleAssignedTo`, { ...body, resourceId: unknownSp }), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.get(`/v1.0/servicePrincipals/${unknownSp}/appRoleAssignedTo`), 404, 'Request_ResourceNotFound', /does not exist/);
  });

  test('hides the assignments of soft-deleted principals and brings them back on restore', async () => {
    const user = (await t.post('/v1.0/users', userBody(t.services, 'sleeper'))).body.id;
    await t.post(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo`, { principalId: user, resourceId: sp, appRoleId: DEFAULT_ROLE });
    const has = async () => (await t.get(`/v1.0/servicePrincipals/${sp}/appRoleAssignedTo?$top=999`)).body.value.some((x: { principalId: string }) => x.principalId === user);
    assert.equal(await has(), true);
    await t.del(`/v1.0/users/${user}`);
    assert.equal(await has(), false);
    await t.post(`/v1.0/directory/deletedItems/${user}/restore`);
    assert.equal(await has(), true);
  });
});
