/**
 * /v1.0/users over HTTP: create, read, list with OData, update, delete,
 * manager and relationships, and every error with Graph's status and body.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, userBody } from '../helpers/app.ts';
import type { Reply, TestApp } from '../helpers/app.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

const EVENTUAL = { consistencylevel: 'eventual' };

/** Graph's error body: code, message, innerError with request ids. */
function assertGraphError(r: Reply, status: number, code: string, message: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code);
  assert.match(r.body.error.message, message);
  assert.equal(typeof r.body.error.innerError['request-id'], 'string');
  assert.match(r.body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
}

async function createUser(alias: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await t.post('/v1.0/users', userBody(t.services, alias, extra));
  assert.equal(r.status, 201, r.text);
  return r.body.id as string;
}

describe('POST /users', () => {
  test('creates a user and answers 201 with the default property set, never the password', async () => {
    const r = await t.post('/v1.0/users', userBody(t.services, 'grace', { givenName: 'Grace', surname: 'Hopper', department: 'Navy' }));
    assert.equal(r.status, 201);
    assert.match(r.body['@odata.context'], /\$metadata#users\/\$entity$/);
    assert.equal(r.body.userPrincipalName, `grace@${t.services.tenant.domain}`);
    assert.equal(r.body.givenName, 'Grace');
    assert.deepEqual(r.body.businessPhones, []);
    assert.equal(r.body.department, undefined, 'department is not in Graph v1.0 default set');
    assert.doesNotMatch(r.text, /Passw0rd/);
    const all = await t.get(`/v1.0/users/${r.body.id}?$select=department,accountEnabled,createdDateTime`);
    assert.equal(all.body.department, 'Navy');
    assert.equal(all.body.accountEnabled, true);
    assert.match(all.body.createdDateTime, /Z$/);
  });

  test('refuses a duplicate userPrincipalName (case-insensitive) with Graph 400 ObjectConflict', async () => {
    await createUser('dup');
    const r = await t.post('/v1.0/users', userBody(t.services, 'DUP'));
    assertGraphError(r, 400, 'Request_BadRequest', /^Another object with the same value for property userPrincipalName already exists\.$/);
    assert.equal(r.body.error.details[0].code, 'ObjectConflict');
  });

  test('refuses missing required properties, wrong types and unknown properties with 400, never 500', async () => {
    const { passwordProfile: _p, ...noPassword } = userBody(t.services, 'np');
    assertGraphError(await t.post('/v1.0/users', noPassword), 400, 'Request_BadRequest', /passwordProfile/);
    const { displayName: _d, ...noName } = userBody(t.services, 'nn');
    assertGraphError(await t.post('/v1.0/users', noName), 400, 'Request_BadRequest', /displayName/);
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'wt', { accountEnabled: 'yes' })), 400, 'Request_BadRequest', /accountEnabled/);
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'wt2', { otherMails: 'a@b.c' })), 400, 'Request_BadRequest', /otherMails/);
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'uk', { favouriteColour: 'blue' })), 400, 'Request_BadRequest',
      /^Property 'favouriteColour' does not exist on type 'microsoft\.graph\.user'\.$/);
    assertGraphError(await t.post('/v1.0/users', '{"accountEnabled": tru'), 400, 'BadRequest', /Unable to read JSON/);
  });

  test('checks userPrincipalName, mailNickname, password and usageLocation as Graph does', async () => {
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'x', { userPrincipalName: 'no-at-sign' })), 400, 'Request_BadRequest',
      /Invalid value specified for property 'userPrincipalName' of resource 'User'/);
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'x', { userPrincipalName: 'x@not-ours.example' })), 400, 'Request_BadRequest', /verified domain/);
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'x', { mailNickname: 'has space' })), 400, 'Request_BadRequest', /mailNickname/);
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'x', { passwordProfile: { password: 'short' } })), 400, 'Request_BadRequest', /password complexity/);
    assertGraphError(await t.post('/v1.0/users', userBody(t.services, 'x', { usageLocation: 'Z9' })), 400, 'Request_BadRequest', /usageLocation/);
  });
});

describe('GET /users', () => {
  test('pages with $top and $skiptoken (keyset) and refuses oversized pages', async () => {
    for (let i = 0; i < 5; i++) await createUser(`page${i}`, { department: 'Paging' });
    const seen: string[] = [];
    let url: string | undefined = "/v1.0/users?$top=2&$filter=department eq 'Paging'&$select=id";
    while (url) {
      const r = await t.get(url);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.value.length <= 2);
      seen.push(...r.body.value.map((u: { id: string }) => u.id));
      url = r.body['@odata.nextLink'] ? new URL(r.body['@odata.nextLink']).pathname + new URL(r.body['@odata.nextLink']).search : undefined;
    }
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
    assertGraphError(await t.get('/v1.0/users?$top=1000'), 400, 'Request_BadRequest', /maximum page size is 999/);
    assertGraphError(await t.get('/v1.0/users?$top=0'), 400, 'Request_BadRequest', /\$top/);
    assertGraphError(await t.get('/v1.0/users?$skiptoken=garbage'), 400, 'Request_BadRequest', /\$skiptoken/);
    assertGraphError(await t.get('/v1.0/users?$search="x"'), 400, 'Request_BadRequest', /\$search/);
  });

  test('filters, and names the problem and position of an invalid $filter', async () => {
    const id = await createUser('filterme', { employeeId: 'F-1', onPremisesExtensionAttributes: { extensionAttribute3: 'Blue' } });
    const r = await t.get("/v1.0/users?$filter=employeeId eq 'f-1'");
    assert.deepEqual(r.body.value.map((u: { id: string }) => u.id), [id]);
    const ext = await t.get("/v1.0/users?$filter=onPremisesExtensionAttributes/extensionAttribute3 eq 'blue'");
    assert.deepEqual(ext.body.value.map((u: { id: string }) => u.id), [id]);
    assertGraphError(await t.get("/v1.0/users?$filter=displayName eq"), 400, 'Request_BadRequest', /literal expected but found end of input at position 14/);
    assertGraphError(await t.get("/v1.0/users?$filter=displayName equals 'x'"), 400, 'Request_BadRequest', /operator .* expected but found 'equals' at position 12/);
    assertGraphError(await t.get("/v1.0/users?$filter=shoeSize eq '42'"), 400, 'Request_BadRequest', /Could not find a property named 'shoeSize' on type 'microsoft\.graph\.user'/);
    assertGraphError(await t.get("/v1.0/users?$filter=accountEnabled eq 'yes'"), 400, 'Request_UnsupportedQuery', /property 'accountEnabled' of resource 'User'/);
  });

  test('ne, not and endsWith need ConsistencyLevel: eventual and $count=true, as in Graph', async () => {
    assertGraphError(await t.get("/v1.0/users?$filter=department ne 'x'"), 400, 'Request_UnsupportedQuery', /Operator 'ne' is not supported because the required parameters might be missing/);
    assertGraphError(await t.get("/v1.0/users?$filter=endswith(mail,'x')&$count=true"), 400, 'Request_UnsupportedQuery', /endsWith/);
    const ok = await t.get("/v1.0/users?$filter=department ne 'Paging'&$count=true&$select=id", EVENTUAL);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(typeof ok.body['@odata.count'], 'number');
    assert.equal(ok.body['@odata.count'], ok.body.value.length);
  });

  test('$count=true is ignored without ConsistencyLevel; /users/$count needs it', async () => {
    const silent = await t.get('/v1.0/users?$count=true');
    assert.equal(silent.status, 200);
    assert.equal(silent.body['@odata.count'], undefined);
    assertGraphError(await t.get('/v1.0/users/$count'), 400, 'Request_BadRequest', /^\$count is not currently supported\.$/);
    const n = await t.get("/v1.0/users/$count?$filter=department eq 'Paging'", EVENTUAL);
    assert.equal(n.status, 200);
    assert.match(String(n.headers['content-type']), /text\/plain/);
    assert.equal(n.text, '5');
  });

  test('orders by displayName, refusing $filter with $orderby unless advanced', async () => {
    const r = await t.get("/v1.0/users?$orderby=displayName desc&$select=displayName&$top=999");
    const names = r.body.value.map((u: { displayName: string }) => u.displayName.toLowerCase());
    assert.deepEqual(names, [...names].sort().reverse());
    assertGraphError(await t.get("/v1.0/users?$orderby=displayName&$filter=department eq 'x'"), 400, 'Request_UnsupportedQuery', /Sorting not supported/);
    assertGraphError(await t.get('/v1.0/users?$orderby=jobTitle'), 400, 'Request_UnsupportedQuery', /jobTitle/);
  });

  test('GET /users/{id} answers Graph 404 for an unknown id and accepts a userPrincipalName', async () => {
    const r = await t.get('/v1.0/users/8a7f5e2c-0000-4000-8000-000000000000');
    assertGraphError(r, 404, 'Request_ResourceNotFound', /^Resource '8a7f5e2c-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present\.$/);
    const id = await createUser('byupn');
    assert.equal((await t.get(`/v1.0/users/byupn@${t.services.tenant.domain}`)).body.id, id);
    assertGraphError(await t.get(`/v1.0/users/${id}?$select=nope`), 400, 'Request_BadRequest', /Could not find a property named 'nope'/);
  });
});

describe('PATCH and DELETE /users/{id}', () => {
  test('updates with 204, validates, and 404s an unknown user', async () => {
    const id = await createUser('patchme');
    const r = await t.patch(`/v1.0/users/${id}`, { jobTitle: 'Engineer', otherMails: ['p@x.test'], accountEnabled: false });
    assert.equal(r.status, 204, r.text);
    const got = await t.get(`/v1.0/users/${id}?$select=jobTitle,otherMails,accountEnabled`);
    assert.deepEqual([got.body.jobTitle, got.body.otherMails, got.body.accountEnabled], ['Engineer', ['p@x.test'], false]);
    assertGraphError(await t.patch(`/v1.0/users/${id}`, { id: 'x' }), 400, 'Request_BadRequest', /Property 'id' does not exist/);
    assertGraphError(await t.patch(`/v1.0/users/${id}`, { accountEnabled: 1 }), 400, 'Request_BadRequest', /accountEnabled/);
    assertGraphError(await t.patch(`/v1.0/users/${id}`, { userPrincipalName: `dup@${t.services.tenant.domain}` }), 400, 'Request_BadRequest', /userPrincipalName already exists/);
    assertGraphError(await t.patch('/v1.0/users/8a7f5e2c-0000-4000-8000-000000000001', { jobTitle: 'x' }), 404, 'Request_ResourceNotFound', /does not exist/);
  });

  test('deletes with 204 (soft: into directory/deletedItems) and then 404s', async () => {
    const id = await createUser('deleteme');
    assert.equal((await t.del(`/v1.0/users/${id}`)).status, 204);
    assertGraphError(await t.get(`/v1.0/users/${id}`), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.del(`/v1.0/users/${id}`), 404, 'Request_ResourceNotFound', /does not exist/);
    const bin = await t.get(`/v1.0/directory/deletedItems/${id}`);
    assert.equal(bin.status, 200);
    assert.equal(bin.body['@odata.type'], '#microsoft.graph.user');
    assert.match(bin.body.deletedDateTime, /Z$/);
  });
});

describe('manager, directReports, memberOf', () => {
  test('sets, reads and removes a manager; refuses cycles and unknown references', async () => {
    const boss = await createUser('boss');
    const mid = await createUser('mid');
    const low = await createUser('low');
    const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/users/${id}` });
    assert.equal((await t.put(`/v1.0/users/${mid}/manager/$ref`, ref(boss))).status, 204);
    assert.equal((await t.put(`/v1.0/users/${low}/manager/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${mid}` })).status, 204);
    const m = await t.get(`/v1.0/users/${low}/manager`);
    assert.equal(m.status, 200);
    assert.equal(m.body.id, mid);
    assert.equal(m.body['@odata.type'], '#microsoft.graph.user');
    assertGraphError(await t.put(`/v1.0/users/${boss}/manager/$ref`, ref(low)), 400, 'Request_BadRequest', /would create a cycle/);
    assertGraphError(await t.put(`/v1.0/users/${boss}/manager/$ref`, ref(boss)), 400, 'Request_BadRequest', /own manager/);
    assertGraphError(await t.put(`/v1.0/users/${boss}/manager/$ref`, ref('8a7f5e2c-0000-4000-8000-000000000002')), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.put(`/v1.0/users/${boss}/manager/$ref`, { '@odata.id': 'not a url' }), 400, 'Request_BadRequest', /@odata\.id/);
    assertGraphError(await t.put(`/v1.0/users/${boss}/manager/$ref`, {}), 400, 'Request_BadRequest', /@odata\.id/);
    const reports = await t.get(`/v1.0/users/${boss}/directReports`);
    assert.deepEqual(reports.body.value.map((u: { id: string }) => u.id), [mid]);
    const expanded = await t.get(`/v1.0/users?$expand=manager&$filter=id eq '${low}'`);
    assert.equal(expanded.body.value[0].manager.id, mid);
    assert.equal((await t.get(`/v1.0/users/${low}?$expand=manager`)).body.manager.id, mid);
    assert.equal((await t.del(`/v1.0/users/${low}/manager/$ref`)).status, 204);
    assertGraphError(await t.get(`/v1.0/users/${low}/manager`), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.del(`/v1.0/users/${low}/manager/$ref`), 404, 'Request_ResourceNotFound', /does not exist/);
    assertGraphError(await t.get('/v1.0/users?$expand=memberOf'), 400, 'Request_BadRequest', /Cannot \$expand/);
  });

  test('lists the groups a user is a direct member of', async () => {
    const u = await createUser('joiner');
    const g = await t.post('/v1.0/groups', { displayName: 'Joined', mailEnabled: false, mailNickname: 'joined', securityEnabled: true });
    await t.post(`/v1.0/groups/${g.body.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${u}` });
    const r = await t.get(`/v1.0/users/${u}/memberOf`);
    assert.deepEqual(r.body.value.map((x: { id: string; '@odata.type': string }) => [x.id, x['@odata.type']]), [[g.body.id, '#microsoft.graph.group']]);
  });
});

describe('authorization', () => {
  test('answers 401 without a token and 403 without a directory permission', async () => {
    assertGraphError(await t.request('GET', '/v1.0/users', { token: null }), 401, 'InvalidAuthenticationToken', /empty/);
    const { token } = await t.services.tokens.issue('weak', ['Synchronization.Read.All']);
    assertGraphError(await t.request('GET', '/v1.0/users', { token }), 403, 'Authorization_RequestDenied', /Insufficient privileges/);
    const { token: reader } = await t.services.tokens.issue('reader', ['User.Read.All']);
    assert.equal((await t.request('GET', '/v1.0/users', { token: reader })).status, 200);
    assertGraphError(await t.request('POST', '/v1.0/users', { token: reader, body: userBody(t.services, 'nope') }), 403, 'Authorization_RequestDenied', /Insufficient/);
  });
});
