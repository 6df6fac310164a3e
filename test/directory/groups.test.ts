/**
 * /v1.0/groups over HTTP: groups, members and owners ($ref), casts,
 * $expand=members, soft and hard delete with directory/deletedItems.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, userBody } from '../helpers/app.ts';
import type { Reply, TestApp } from '../helpers/app.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

function assertGraphError(r: Reply, status: number, code: string, message: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code);
  assert.match(r.body.error.message, message);
}

const security = (nick: string) => ({ displayName: `Group ${nick}`, mailEnabled: false, mailNickname: nick, securityEnabled: true });
const m365 = (nick: string) => ({ displayName: `M365 ${nick}`, mailEnabled: true, mailNickname: nick, securityEnabled: false, groupTypes: ['Unified'] });
const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

async function create(path: string, body: unknown): Promise<string> {
  const r = await t.post(path, body);
  assert.equal(r.status, 201, r.text);
  return r.body.id as string;
}

describe('groups', () => {
  test('creates security and Microsoft 365 groups as Graph shapes them', async () => {
    const r = await t.post('/v1.0/groups', { ...security('sec1'), description: 'Security' });
    assert.equal(r.status, 201);
    assert.equal(r.body.mail, null);
    assert.deepEqual(r.body.groupTypes, []);
    assert.match(r.body.createdDateTime, /Z$/);
    const u = await t.post('/v1.0/groups', m365('team1'));
    assert.equal(u.body.mail, `team1@${t.services.tenant.domain}`);
    assert.equal(u.body.mailEnabled, true);
    const got = await t.get(`/v1.0/groups/${r.body.id}?$select=displayName,description`);
    assert.deepEqual(got.body.displayName, 'Group sec1');
    assert.equal(got.body.mail, undefined);
  });

  test('refuses missing required properties, wrong types, unknown properties and unsupported kinds', async () => {
    const { mailNickname: _m, ...noNick } = security('x');
    assertGraphError(await t.post('/v1.0/groups', noNick), 400, 'Request_BadRequest', /mailNickname/);
    assertGraphError(await t.post('/v1.0/groups', { ...security('x'), securityEnabled: 'true' }), 400, 'Request_BadRequest', /securityEnabled/);
    assertGraphError(await t.post('/v1.0/groups', { ...security('x'), colour: 'red' }), 400, 'Request_BadRequest', /Property 'colour' does not exist on type 'microsoft\.graph\.group'/);
    assertGraphError(await t.post('/v1.0/groups', { ...security('x'), mailEnabled: true }), 400, 'Request_BadRequest', /mail-enabled/);
    assertGraphError(await t.post('/v1.0/groups', { ...m365('x'), groupTypes: ['DynamicMembership'] }), 400, 'Request_BadRequest', /Dynamic/);
    assertGraphError(await t.post('/v1.0/groups', m365('team1')), 400, 'Request_BadRequest', /same value for property mailNickname/);
  });

  test('lists with $filter on groupTypes/any, counts, updates and 404s unknown groups', async () => {
    const r = await t.get("/v1.0/groups?$filter=groupTypes/any(c:c eq 'Unified')&$select=id,mail");
    assert.ok(r.body.value.length >= 1);
    assert.ok(r.body.value.every((g: { mail: string | null }) => g.mail !== null));
    const n = await t.get('/v1.0/groups/$count', { consistencylevel: 'eventual' });
    assert.ok(Number(n.text) >= 2);
    const id = await create('/v1.0/groups', security('patchable'));
    assert.equal((await t.patch(`/v1.0/groups/${id}`, { description: 'new' })).status, 204);
    assert.equal((await t.get(`/v1.0/groups/${id}`)).body.description, 'new');
    assertGraphError(await t.patch(`/v1.0/groups/${id}`, { mail: 'x@y' }), 400, 'Request_BadRequest', /Property 'mail' does not exist/);
    assertGraphError(await t.get('/v1.0/groups/5e1c0000-0000-4000-8000-000000000000'), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.get('/v1.0/groups?$filter=startswith(displayName,'), 400, 'Request_BadRequest', /position/);
  });
});

describe('members and owners', () => {
  test('adds, lists, casts and removes members; a second add is Graph 400', async () => {
    const g = await create('/v1.0/groups', security('members1'));
    const u = await create('/v1.0/users', userBody(t.services, 'member1'));
    const nested = await create('/v1.0/groups', security('nested1'));
    assert.equal((await t.post(`/v1.0/groups/${g}/members/$ref`, ref(u))).status, 204);
    assert.equal((await t.post(`/v1.0/groups/${g}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/groups('${nested}')` })).status, 204);
    const twice = await t.post(`/v1.0/groups/${g}/members/$ref`, ref(u));
    assertGraphError(twice, 400, 'Request_BadRequest', /^One or more added object references already exist for the following modified properties: 'members'\.$/);
    const all = await t.get(`/v1.0/groups/${g}/members`);
    assert.deepEqual(all.body.value.map((o: { '@odata.type': string }) => o['@odata.type']).sort(), ['#microsoft.graph.group', '#microsoft.graph.user']);
    const users = await t.get(`/v1.0/groups/${g}/members/microsoft.graph.user?$select=id,userPrincipalName`);
    assert.deepEqual(users.body.value.map((o: { id: string }) => o.id), [u]);
    assert.equal(users.body.value[0].userPrincipalName, `member1@${t.services.tenant.domain}`);
    assertGraphError(await t.post(`/v1.0/groups/${g}/members/$ref`, ref('00000000-0000-4000-8000-00000000beef')), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.post(`/v1.0/groups/${g}/members/$ref`, ref(g)), 400, 'Request_BadRequest', /itself/);
    assertGraphError(await t.post(`/v1.0/groups/${g}/members/$ref`, { '@odata.id': 'https://graph.microsoft.com/v1.0/applications/x' }), 400, 'Request_BadRequest', /@odata\.id/);
    assertGraphError(await t.post(`/v1.0/groups/${g}/members/$ref`, { '@odata.id': 42 }), 400, 'Request_BadRequest', /@odata\.id/);
    assert.equal((await t.del(`/v1.0/groups/${g}/members/${u}/$ref`)).status, 204);
    assertGraphError(await t.del(`/v1.0/groups/${g}/members/${u}/$ref`), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.post('/v1.0/groups/5e1c0000-0000-4000-8000-000000000001/members/$ref', ref(u)), 404, 'Request_ResourceNotFound', /does not exist/);
  });

  test('adds and removes owners; owners must be users', async () => {
    const g = await create('/v1.0/groups', security('owned1'));
    const u = await create('/v1.0/users', userBody(t.services, 'owner1'));
    assert.equal((await t.post(`/v1.0/groups/${g}/owners/$ref`, ref(u))).status, 204);
    assertGraphError(await t.post(`/v1.0/groups/${g}/owners/$ref`, ref(u)), 400, 'Request_BadRequest', /'owners'/);
    assertGraphError(await t.post(`/v1.0/groups/${g}/owners/$ref`, ref(g)), 400, 'Request_BadRequest', /Only users/);
    assert.deepEqual((await t.get(`/v1.0/groups/${g}/owners`)).body.value.map((o: { id: string }) => o.id), [u]);
    assert.equal((await t.del(`/v1.0/groups/${g}/owners/${u}/$ref`)).status, 204);
    assert.deepEqual((await t.get(`/v1.0/groups/${g}/owners`)).body.value, []);
  });

  test('$expand=members shows at most 20 members; member lists page', async () => {
    const g = await create('/v1.0/groups', security('big1'));
    const dir = t.services.directory;
    for (let i = 0; i < 25; i++) {
      const u = await dir.createUser({ accountEnabled: true, displayName: `big${i}`, mailNickname: `big${i}`, userPrincipalName: `big${i}@${t.services.tenant.domain}` });
      await dir.addLink(g, 'member', u.id);
    }
    assert.equal((await t.get(`/v1.0/groups/${g}?$expand=members`)).body.members.length, 20);
    const listed = await t.get(`/v1.0/groups?$expand=members&$filter=id eq '${g}'`);
    assert.equal(listed.body.value[0].members.length, 20);
    const page = await t.get(`/v1.0/groups/${g}/members?$top=10`);
    assert.equal(page.body.value.length, 10);
    const next = new URL(page.body['@odata.nextLink']);
    const page2 = await t.get(next.pathname + next.search);
    assert.equal(page2.body.value.length, 10);
    assert.equal(new Set([...page.body.value, ...page2.body.value].map((o: { id: string }) => o.id)).size, 20);
    assertGraphError(await t.get(`/v1.0/groups/${g}/members?$top=1000`), 400, 'Request_BadRequest', /999/);
  });
});

describe('directory/deletedItems', () => {
  test('security groups are deleted at once; Microsoft 365 groups are soft-deleted, listed, restored and purged', async () => {
    const sec = await create('/v1.0/groups', security('gone1'));
    assert.equal((await t.del(`/v1.0/groups/${sec}`)).status, 204);
    assertGraphError(await t.get(`/v1.0/directory/deletedItems/${sec}`), 404, 'Request_ResourceNotFound', /does not exist/);
    const team = await create('/v1.0/groups', m365('bin1'));
    assert.equal((await t.del(`/v1.0/groups/${team}`)).status, 204);
    assertGraphError(await t.get(`/v1.0/groups/${team}`), 404, 'Request_ResourceNotFound', /does not exist/);
    const list = await t.get('/v1.0/directory/deletedItems/microsoft.graph.group');
    assert.ok(list.body.value.some((g: { id: string; deletedDateTime: string }) => g.id === team && g.deletedDateTime));
    const restored = await t.post(`/v1.0/directory/deletedItems/${team}/restore`);
    assert.equal(restored.status, 200, restored.text);
    assert.equal(restored.body.id, team);
    assert.equal(restored.body.deletedDateTime, null);
    assert.equal((await t.get(`/v1.0/groups/${team}`)).status, 200);
    assertGraphError(await t.post(`/v1.0/directory/deletedItems/${team}/restore`), 404, 'Request_ResourceNotFound', /does not exist/);
    await t.del(`/v1.0/groups/${team}`);
    assert.equal((await t.del(`/v1.0/directory/deletedItems/${team}`)).status, 204);
    assertGraphError(await t.get(`/v1.0/directory/deletedItems/${team}`), 404, 'Request_ResourceNotFound', /does not exist/);
  });

  test('deleted users are listed with deletedDateTime and restored with their memberships', async () => {
    const g = await create('/v1.0/groups', security('keep1'));
    const u = await create('/v1.0/users', userBody(t.services, 'binned'));
    await t.post(`/v1.0/groups/${g}/members/$ref`, ref(u));
    await t.del(`/v1.0/users/${u}`);
    assert.deepEqual((await t.get(`/v1.0/groups/${g}/members`)).body.value, [], 'a deleted user is not listed as a member');
    const list = await t.get('/v1.0/directory/deletedItems/microsoft.graph.user');
    const item = list.body.value.find((x: { id: string }) => x.id === u);
    assert.match(item.deletedDateTime, /Z$/);
    assert.equal((await t.post(`/v1.0/directory/deletedItems/${u}/restore`)).status, 200);
    assert.deepEqual((await t.get(`/v1.0/groups/${g}/members`)).body.value.map((x: { id: string }) => x.id), [u]);
    assertGraphError(await t.del(`/v1.0/directory/deletedItems/${u}`), 404, 'Request_ResourceNotFound', /does not exist/);
  });
});
