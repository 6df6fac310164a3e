/**
 * The sample SCIM application itself: SCIM error answers with the right
 * statuses, indexed eq filters and scanned others, absolute locations,
 * several isolated apps in one process, the Entra-compatibility layer, and
 * run.ts as a process of its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { activeHandles, assertNoLeaks } from '../helpers/leaks.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(app: { url: string; token: string }, method: string, path: string, body?: unknown, token = app.token): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', connection: 'close' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const q = (filter: string): string => `?${new URLSearchParams({ filter }).toString()}`;

let baseline: Record<string, number>;
let app: SampleScimApp;
let other: SampleScimApp;
let compat: SampleScimApp;

before(async () => {
  baseline = activeHandles();
  app = await startSampleScimApp({ token: 'one' });
  other = await startSampleScimApp({ token: 'two' });
  compat = await startSampleScimApp({ entraCompat: true, logRequests: true });
});

after(async () => {
  await app.close();
  await other.close();
  await compat.close();
  await assertNoLeaks(baseline);
});

describe('SCIM errors', () => {
  test('401 without the right bearer token, with WWW-Authenticate', async () => {
    const r = await call(app, 'GET', '/Users', undefined, 'wrong');
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="sample-scim-app"');
    assert.deepEqual(r.body.schemas, [ERROR]);
    assert.equal(r.body.status, '401');
    const none = await fetch(`${app.url}/Users`, { headers: { connection: 'close' } });
    await none.text();
    assert.equal(none.status, 401);
  });

  test('404 for an unknown id, on GET, PATCH and DELETE, as a SCIM error with status as a string', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const r = await call(app, method, '/Users/does-not-exist', method === 'PATCH' ? { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } : undefined);
      assert.equal(r.status, 404, method);
      assert.deepEqual(r.body.schemas, [ERROR]);
      assert.equal(r.body.status, '404');
    }
    assert.equal((await call(app, 'GET', '/Groups/nope')).status, 404);
    assert.equal((await call(app, 'GET', '/NoSuchEndpoint')).status, 404);
  });

  test('409 uniqueness on userName (case-insensitive), on rename, and on group displayName', async () => {
    const a = await call(app, 'POST', '/Users', { schemas: [USER], userName: 'unique@x' });
    assert.equal(a.status, 201);
    const dup = await call(app, 'POST', '/Users', { schemas: [USER], userName: 'UNIQUE@x' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.scimType, 'uniqueness');
    assert.equal(dup.body.status, '409');
    const b = await call(app, 'POST', '/Users', { schemas: [USER], userName: 'other@x' });
    const rename = await call(app, 'PATCH', `/Users/${String(b.body.id)}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 'unique@x' }] });
    assert.equal(rename.status, 409);
    assert.equal((await call(app, 'POST', '/Groups', { schemas: [GROUP], displayName: 'Team' })).status, 201);
    assert.equal((await call(app, 'POST', '/Groups', { schemas: [GROUP], displayName: 'team' })).status, 409);
  });

  test('400 invalidFilter for a filter that does not parse', async () => {
    for (const filter of ['bogus', '(userName eq "x"', 'userName eq "a\\"b"']) {
      const r = await call(app, 'GET', `/Users${q(filter)}`);
      assert.equal(r.status, 400, filter);
      assert.equal(r.body.scimType, 'invalidFilter');
      assert.equal(r.body.status, '400');
    }
  });

  test('400 invalidValue for a string where scimmy wants a boolean (strict mode)', async () => {
    const r = await call(app, 'POST', '/Users', { schemas: [USER], userName: 'strict@x', active: 'True' });
    assert.equal(r.status, 400);
    assert.equal(r.body.scimType, 'invalidValue');
  });
});

describe('queries and data', () => {
  test('eq on id, userName, externalId and displayName; other filters scan', async () => {
    const u = await call(app, 'POST', '/Users', { schemas: [USER], userName: 'Query@x', externalId: 'q-ext', name: { givenName: 'Quinn' } });
    const id = String(u.body.id);
    for (const filter of [`id eq "${id}"`, 'userName eq "query@X"', 'externalId eq "q-ext"', 'name.givenName eq "Quinn"', 'userName sw "Query"']) {
      const r = await call(app, 'GET', `/Users${q(filter)}`);
      assert.equal(r.status, 200, filter);
      assert.equal(r.body.totalResults, 1, filter);
      assert.equal((r.body.Resources as Array<{ id: string }>)[0]?.id, id, filter);
    }
    assert.equal((await call(app, 'GET', `/Users${q('externalId eq "Q-EXT"')}`)).body.totalResults, 0, 'externalId is case-exact');
    const none = await call(app, 'GET', `/Users${q('userName eq "nobody"')}`);
    assert.deepEqual(none.body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], Resources: [], startIndex: 1, itemsPerPage: 20, totalResults: 0 });
  });

  test('meta.location is absolute and belongs to the app that answered', async () => {
    const [a, b] = await Promise.all([
      call(app, 'POST', '/Users', { schemas: [USER], userName: 'loc@x' }),
      call(other, 'POST', '/Users', { schemas: [USER], userName: 'loc@x' }),
    ]);
    assert.equal((a.body.meta as Record<string, unknown>).location, `${app.url}/Users/${String(a.body.id)}`);
    assert.equal((b.body.meta as Record<string, unknown>).location, `${other.url}/Users/${String(b.body.id)}`);
  });

  test('two apps in one process keep their own data and tokens', async () => {
    await call(app, 'POST', '/Users', { schemas: [USER], userName: 'only-in-one@x' });
    assert.equal((await call(other, 'GET', `/Users${q('userName eq "only-in-one@x"')}`)).body.totalResults, 0);
    assert.equal((await call({ url: other.url, token: 'one' }, 'GET', '/Users')).status, 401);
    assert.ok(app.users().some((u) => u.userName === 'only-in-one@x'));
    assert.ok(!other.users().some((u) => u.userName === 'only-in-one@x'));
  });

  test('members are a set, leave with deleted users, and are left out on request', async () => {
    const u = await call(app, 'POST', '/Users', { schemas: [USER], userName: 'member@x' });
    const g = await call(app, 'POST', '/Groups', { schemas: [GROUP], displayName: 'Members' });
    const uid = String(u.body.id);
    const gid = String(g.body.id);
    await call(app, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: uid }] }] });
    await call(app, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: uid }] }] });
    assert.deepEqual((await call(app, 'GET', `/Groups/${gid}`)).body.members, [{ value: uid }]);
    assert.equal((await call(app, 'GET', `/Groups/${gid}?excludedAttributes=members`)).body.members, undefined);
    assert.equal((await call(app, 'DELETE', `/Users/${uid}`)).status, 204);
    assert.equal((await call(app, 'GET', `/Groups/${gid}`)).body.members, undefined);
  });

  test('enterprise extension with manager', async () => {
    const m = await call(app, 'POST', '/Users', { schemas: [USER], userName: 'boss@x' });
    const e = await call(app, 'POST', '/Users', {
      schemas: [USER, ENT],
      userName: 'employee@x',
      [ENT]: { department: 'Ops', manager: { value: m.body.id } },
    });
    assert.equal(e.status, 201);
    assert.deepEqual(e.body[ENT], { department: 'Ops', manager: { value: m.body.id } });
  });
});

describe('Entra compatibility layer', () => {
  test('accepts Entra\'s default shapes and logs them as received', async () => {
    const u = await call(compat, 'POST', '/Users', { schemas: [USER], userName: 'legacy@x', active: 'True', meta: { resourceType: 'User' } });
    assert.equal(u.status, 201);
    assert.equal(u.body.active, true);
    const m = await call(compat, 'POST', '/Users', { schemas: [USER], userName: 'mgr@x' });
    const id = String(u.body.id);
    const p = await call(compat, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'manager', value: [{ $ref: `${compat.url}/Users/${String(m.body.id)}`, value: m.body.id }] },
        // No work email yet: Entra expects Replace on a filtered path to create it (§6.7 #6).
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'legacy@contoso.test' },
      ],
    });
    assert.equal(p.status, 200);
    assert.equal(p.body.active, false);
    assert.deepEqual(p.body.emails, [{ type: 'work', value: 'legacy@contoso.test' }]);
    assert.deepEqual(p.body[ENT], { manager: { value: m.body.id } });
    const r = await call(compat, 'PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: `manager[value eq "${String(m.body.id)}"]` }] });
    assert.equal(r.status, 200);
    assert.equal(r.body[ENT], undefined);
    const logged = compat.requests.find((x) => x.method === 'PATCH');
    assert.deepEqual((logged?.body as { Operations: Array<{ value?: unknown }> }).Operations[0], { op: 'Replace', path: 'active', value: 'False' });
    assert.equal(logged?.status, 200);
  });
});

describe('run.ts', () => {
  test('runs as its own process, prints its URL as one JSON line, stops on SIGTERM', async () => {
    const script = fileURLToPath(new URL('../../src/connectors/scim/sample-app/run.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--token', 'proc-token'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve) => lines.once('line', resolve));
    lines.close();
    const info = JSON.parse(first) as { url: string; token: string; pid: number };
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    assert.equal(info.token, 'proc-token');
    assert.equal(info.pid, child.pid);
    const r = await call(info, 'GET', `/Users${q('userName eq "x"')}`);
    assert.equal(r.status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
