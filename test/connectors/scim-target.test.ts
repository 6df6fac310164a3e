/**
 * The SCIM target against the sample app (scimmy) over real HTTP: every port
 * operation, in both dialects, asserting the exact requests the app received
 * (method, path, raw query, body) and the state they left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { RecordedRequest, SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { createScimTarget } from '../../src/connectors/scim/target.ts';
import type { ScimTarget } from '../../src/connectors/scim/target.ts';
import { buildScimResource, SCIM } from '../../src/connectors/target-attributes.ts';
import {
  ConflictTargetError,
  DryRunRefusedError,
  DuplicateTargetError,
  NotFoundTargetError,
  RejectedTargetError,
} from '../../src/connectors/errors.ts';
import { activeHandles, assertNoLeaks } from '../helpers/leaks.ts';

const ENT = SCIM.enterpriseUser;
const PATCH = SCIM.patchOp;

type Sent = Pick<RecordedRequest, 'method' | 'path' | 'query' | 'body'>;
const take = (app: SampleScimApp): Sent[] => app.requests.splice(0).map(({ method, path, query, body }) => ({ method, path, query, body }));
const filterQuery = (attr: string, value: string, group = false): string =>
  `${group ? 'excludedAttributes=members&' : ''}filter=${attr}+eq+%22${encodeURIComponent(value).replace(/%20/g, '+')}%22`;

function guids(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

const alice = buildScimResource('User', {
  externalId: 'ext-alice',
  userName: 'alice@contoso.test',
  active: 'True',
  displayName: 'Alice Adams',
  'name.givenName': 'Alice',
  'name.familyName': 'Adams',
  'emails[type eq "work"].value': 'alice@contoso.test',
  [`${ENT}:department`]: 'Sales',
});
const bob = buildScimResource('User', { externalId: 'ext-bob', userName: 'bob@contoso.test', active: true, displayName: 'Bob' });

let baseline: Record<string, number>;
let strictApp: SampleScimApp;
let compatApp: SampleScimApp;
const targets: ScimTarget[] = [];
const target = (t: ScimTarget): ScimTarget => {
  targets.push(t);
  return t;
};

before(async () => {
  baseline = activeHandles();
  strictApp = await startSampleScimApp({ logRequests: true });
  compatApp = await startSampleScimApp({ logRequests: true, entraCompat: true });
});

after(async () => {
  for (const t of targets) await t.close();
  await strictApp.close();
  await compatApp.close();
  await assertNoLeaks(baseline);
});

describe('Entra dialect against the sample app with Entra compatibility', () => {
  test('every port operation sends Entra\'s exact requests', async () => {
    const app = compatApp;
    const t = target(createScimTarget({ baseAddress: app.url, secretToken: app.token, randomGuid: guids(), memberChunkSize: 1 }));
    assert.equal(t.dialect.name, 'entra');

    await t.testConnection();
    assert.deepEqual(take(app), [
      { method: 'GET', path: '/Users', query: filterQuery('userName', '00000000-0000-4000-8000-000000000001'), body: undefined },
      { method: 'GET', path: '/Groups', query: filterQuery('displayName', '00000000-0000-4000-8000-000000000002', true), body: undefined },
    ]);

    assert.equal(await t.findUser('userName', 'alice@contoso.test'), undefined);
    const a = await t.createUser(alice);
    const b = await t.createUser(bob);
    assert.equal((await t.findUser('userName', 'ALICE@contoso.test'))?.id, a.id, 'userName matches case-insensitively');
    assert.deepEqual(take(app), [
      { method: 'GET', path: '/Users', query: filterQuery('userName', 'alice@contoso.test'), body: undefined },
      {
        method: 'POST',
        path: '/Users',
        query: '',
        body: {
          schemas: [SCIM.coreUser, ENT],
          externalId: 'ext-alice',
          userName: 'alice@contoso.test',
          active: true,
          displayName: 'Alice Adams',
          name: { givenName: 'Alice', familyName: 'Adams' },
          emails: [{ type: 'work', value: 'alice@contoso.test', primary: true }],
          [ENT]: { department: 'Sales' },
          meta: { resourceType: 'User' },
        },
      },
      {
        method: 'POST',
        path: '/Users',
        query: '',
        body: { schemas: [SCIM.coreUser], externalId: 'ext-bob', userName: 'bob@contoso.test', active: true, displayName: 'Bob', meta: { resourceType: 'User' } },
      },
      { method: 'GET', path: '/Users', query: filterQuery('userName', 'ALICE@contoso.test'), body: undefined },
    ]);

    await t.setManager(a.id, b.id);
    await t.updateUser(a.id, [
      { path: 'name.familyName', op: 'replace', value: 'Smith', previous: 'Adams' },
      { path: 'emails[type eq "work"].value', op: 'replace', value: 'alice.smith@contoso.test', previous: 'alice@contoso.test' },
      { path: `${ENT}:employeeNumber`, op: 'add', value: '42' },
    ]);
    await t.setActive(a.id, false);
    assert.equal((await t.getUser(a.id)).active, false);
    await t.setActive(a.id, true);
    assert.deepEqual(take(app), [
      {
        method: 'PATCH',
        path: `/Users/${a.id}`,
        query: '',
        body: { schemas: [PATCH], Operations: [{ op: 'Add', path: 'manager', value: [{ $ref: `${app.url}/Users/${b.id}`, value: b.id }] }] },
      },
      {
        method: 'PATCH',
        path: `/Users/${a.id}`,
        query: '',
        body: {
          schemas: [PATCH],
          Operations: [
            { op: 'Replace', path: 'name.familyName', value: 'Smith' },
            { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice.smith@contoso.test' },
            { op: 'Add', path: `${ENT}:employeeNumber`, value: '42' },
          ],
        },
      },
      { method: 'PATCH', path: `/Users/${a.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] } },
      { method: 'GET', path: `/Users/${a.id}`, query: '', body: undefined },
      { method: 'PATCH', path: `/Users/${a.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] } },
    ]);
    const stored = app.users().find((u) => u.id === a.id) as Record<string, unknown>;
    assert.equal(stored.active, true);
    assert.deepEqual(stored.name, { givenName: 'Alice', familyName: 'Smith' });
    assert.deepEqual(stored.emails, [{ type: 'work', value: 'alice.smith@contoso.test', primary: true }]);
    assert.deepEqual(stored[ENT], { department: 'Sales', employeeNumber: '42', manager: { value: b.id } });

    const g = await t.createGroup(buildScimResource('Group', { externalId: 'ext-g', displayName: 'Sales EU' }));
    assert.equal((await t.findGroup('displayName', 'Sales EU'))?.id, g.id);
    assert.equal((await t.getGroup(g.id)).displayName, 'Sales EU');
    await t.addMembers(g.id, [a.id, b.id]);
    await t.removeMembers(g.id, [a.id]);
    await t.updateGroup(g.id, [{ path: 'displayName', op: 'replace', value: 'Sales Europe', previous: 'Sales EU' }]);
    assert.deepEqual(take(app), [
      {
        method: 'POST',
        path: '/Groups',
        query: '',
        body: { schemas: [SCIM.coreGroup], externalId: 'ext-g', displayName: 'Sales EU', members: [], meta: { resourceType: 'Group' } },
      },
      { method: 'GET', path: '/Groups', query: filterQuery('displayName', 'Sales EU', true), body: undefined },
      { method: 'GET', path: `/Groups/${g.id}`, query: 'excludedAttributes=members', body: undefined },
      // memberChunkSize 1: one PATCH per member.
      { method: 'PATCH', path: `/Groups/${g.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: a.id }] }] } },
      { method: 'PATCH', path: `/Groups/${g.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: b.id }] }] } },
      { method: 'PATCH', path: `/Groups/${g.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: a.id }] }] } },
      { method: 'PATCH', path: `/Groups/${g.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'displayName', value: 'Sales Europe' }] } },
    ]);
    const group = app.groups().find((x) => x.id === g.id) as Record<string, unknown>;
    assert.equal(group.displayName, 'Sales Europe');
    assert.deepEqual(group.members, [{ value: b.id }]);

    await t.setManager(a.id, null, { previousManagerId: b.id });
    assert.equal(((app.users().find((u) => u.id === a.id) as Record<string, unknown>)[ENT] as Record<string, unknown>).manager, undefined);
    await t.deleteGroup(g.id);
    await t.deleteUser(a.id);
    await t.deleteUser(b.id);
    assert.deepEqual(take(app), [
      { method: 'PATCH', path: `/Users/${a.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'Remove', path: `manager[value eq "${b.id}"]` }] } },
      { method: 'DELETE', path: `/Groups/${g.id}`, query: '', body: undefined },
      { method: 'DELETE', path: `/Users/${a.id}`, query: '', body: undefined },
      { method: 'DELETE', path: `/Users/${b.id}`, query: '', body: undefined },
    ]);
    assert.deepEqual(app.users(), []);
    assert.deepEqual(app.groups(), []);
  });
});

describe('strict dialect (?aadOptscim062020) against strict scimmy', () => {
  test('every port operation sends RFC 7644 requests that scimmy accepts', async () => {
    const app = strictApp;
    const t = target(createScimTarget({ baseAddress: `${app.url}/?aadOptscim062020`, secretToken: app.token, randomGuid: guids() }));
    assert.equal(t.dialect.name, 'strict');
    assert.equal(t.baseUrl, app.url);

    await t.testConnection({ groups: false });
    assert.deepEqual(take(app), [{ method: 'GET', path: '/Users', query: filterQuery('userName', '00000000-0000-4000-8000-000000000001'), body: undefined }]);

    const a = await t.createUser(alice);
    const b = await t.createUser(bob);
    await t.setManager(a.id, b.id);
    await t.updateUser(a.id, [
      { path: 'displayName', op: 'replace', value: 'Alice Smith', previous: 'Alice Adams' },
      { path: 'name.familyName', op: 'replace', value: 'Smith', previous: 'Adams' },
      { path: `${ENT}:department`, op: 'replace', value: 'Retail', previous: 'Sales' },
      { path: 'emails[type eq "work"].value', op: 'replace', value: 'alice.smith@contoso.test', previous: 'alice@contoso.test' },
      { path: 'title', op: 'add', value: 'Lead' },
    ]);
    await t.setActive(a.id, false);
    assert.deepEqual(take(app), [
      {
        method: 'POST',
        path: '/Users',
        query: '',
        body: {
          schemas: [SCIM.coreUser, ENT],
          externalId: 'ext-alice',
          userName: 'alice@contoso.test',
          active: true,
          displayName: 'Alice Adams',
          name: { givenName: 'Alice', familyName: 'Adams' },
          emails: [{ type: 'work', value: 'alice@contoso.test' }],
          [ENT]: { department: 'Sales' },
        },
      },
      { method: 'POST', path: '/Users', query: '', body: { schemas: [SCIM.coreUser], externalId: 'ext-bob', userName: 'bob@contoso.test', active: true, displayName: 'Bob' } },
      { method: 'PATCH', path: `/Users/${a.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'add', path: `${ENT}:manager`, value: { value: b.id } }] } },
      {
        method: 'PATCH',
        path: `/Users/${a.id}`,
        query: '',
        body: {
          schemas: [PATCH],
          Operations: [
            { op: 'replace', value: { displayName: 'Alice Smith', name: { familyName: 'Smith' }, [ENT]: { department: 'Retail' } } },
            { op: 'replace', path: 'emails[type eq "work"].value', value: 'alice.smith@contoso.test' },
            { op: 'add', path: 'title', value: 'Lead' },
          ],
        },
      },
      { method: 'PATCH', path: `/Users/${a.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] } },
    ]);
    const stored = app.users().find((u) => u.id === a.id) as Record<string, unknown>;
    assert.equal(stored.active, false);
    assert.equal(stored.displayName, 'Alice Smith');
    assert.equal(stored.title, 'Lead');
    assert.deepEqual(stored.name, { givenName: 'Alice', familyName: 'Smith' });
    assert.deepEqual(stored.emails, [{ type: 'work', value: 'alice.smith@contoso.test' }]);
    assert.deepEqual(stored[ENT], { department: 'Retail', manager: { value: b.id } });

    const g = await t.createGroup(buildScimResource('Group', { externalId: 'ext-g', displayName: 'Ops' }));
    await t.addMembers(g.id, [a.id, b.id]);
    await t.removeMembers(g.id, [a.id]);
    await t.setManager(a.id, null);
    assert.deepEqual(take(app), [
      { method: 'POST', path: '/Groups', query: '', body: { schemas: [SCIM.coreGroup], externalId: 'ext-g', displayName: 'Ops' } },
      { method: 'PATCH', path: `/Groups/${g.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }] } },
      { method: 'PATCH', path: `/Groups/${g.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }] } },
      { method: 'PATCH', path: `/Users/${a.id}`, query: '', body: { schemas: [PATCH], Operations: [{ op: 'remove', path: `${ENT}:manager` }] } },
    ]);
    assert.deepEqual((app.groups().find((x) => x.id === g.id) as Record<string, unknown>).members, [{ value: b.id }]);
    assert.equal(((app.users().find((u) => u.id === a.id) as Record<string, unknown>)[ENT] as Record<string, unknown>).manager, undefined);

    for (const id of [g.id]) await t.deleteGroup(id);
    for (const id of [a.id, b.id]) await t.deleteUser(id);
    take(app);
    assert.deepEqual(app.users(), []);
  });
});

describe('error classes from real answers', () => {
  test('409 on create is a conflict; 404 on a linked id is not-found; two matches are duplicates', async () => {
    const app = strictApp;
    const t = target(createScimTarget({ baseAddress: app.url, secretToken: app.token, dialect: 'strict' }));
    const a = await t.createUser(buildScimResource('User', { userName: 'dup@x', externalId: 'shared' }));
    const b = await t.createUser(buildScimResource('User', { userName: 'dup2@x', externalId: 'shared' }));
    await assert.rejects(t.createUser(buildScimResource('User', { userName: 'DUP@x' })), (e: unknown) => {
      assert.ok(e instanceof ConflictTargetError);
      assert.equal(e.code, 'EntryConflict');
      assert.equal(e.response?.status, 409);
      assert.equal(e.response?.scimType, 'uniqueness');
      assert.equal(e.request?.method, 'POST');
      assert.match(e.request?.body ?? '', /DUP@x/);
      return true;
    });
    await assert.rejects(t.findUser('externalId', 'shared'), (e: unknown) => {
      assert.ok(e instanceof DuplicateTargetError);
      assert.equal(e.kind, 'rejected');
      assert.equal(e.code, 'DuplicateTargetEntries');
      assert.deepEqual([...e.matches].sort(), [a.id, b.id].sort());
      return true;
    });
    await t.deleteUser(a.id);
    await assert.rejects(t.getUser(a.id), NotFoundTargetError);
    await assert.rejects(t.updateUser(a.id, [{ path: 'title', op: 'add', value: 'x' }]), NotFoundTargetError);
    await assert.rejects(t.deleteUser(a.id), (e: unknown) => e instanceof NotFoundTargetError && e.code === 'InvalidAnchor');
    await assert.rejects(t.getGroup('no-such-group'), NotFoundTargetError);
    await t.deleteUser(b.id);
    take(app);
  });

  test('strict scimmy rejects Entra\'s default disable and manager shapes: the object is escrowed, not the run', async () => {
    const app = strictApp;
    const t = target(createScimTarget({ baseAddress: app.url, secretToken: app.token }));
    assert.equal(t.dialect.name, 'entra');
    const u = await t.createUser(buildScimResource('User', { userName: 'legacy@x', active: true }));
    await assert.rejects(t.setActive(u.id, false), (e: unknown) => {
      assert.ok(e instanceof RejectedTargetError);
      assert.equal(e.code, 'SystemForCrossDomainIdentityManagementBadRequest');
      assert.equal(e.response?.status, 400);
      assert.equal(e.response?.scimType, 'invalidValue');
      assert.match(e.response?.detail ?? '', /active/);
      assert.match(e.entraReason(), /^StatusCode: BadRequest\r\nMessage: Processing of the HTTP request resulted in an exception/);
      return true;
    });
    await assert.rejects(t.setManager(u.id, u.id), (e: unknown) => e instanceof RejectedTargetError && e.response?.scimType === 'invalidPath');
    await t.deleteUser(u.id);
    take(app);
  });

  test('a filter scimmy cannot parse is rejected for that object only', async () => {
    const t = target(createScimTarget({ baseAddress: strictApp.url, secretToken: strictApp.token }));
    // RFC 7644 allows escaped quotes in a filter value; scimmy's parser does not.
    await assert.rejects(t.findUser('userName', 'o"brien'), (e: unknown) => {
      assert.ok(e instanceof RejectedTargetError);
      assert.equal(e.code, 'SystemForCrossDomainIdentityManagementServiceIncompatibleFiltering');
      assert.equal(e.response?.scimType, 'invalidFilter');
      return true;
    });
    take(strictApp);
  });
});

describe('dry run', () => {
  test('reads go out, writes are refused before the network and recorded', async () => {
    const app = strictApp;
    const t = target(createScimTarget({ baseAddress: app.url, secretToken: app.token, dialect: 'strict', dryRun: true }));
    take(app);
    assert.equal(await t.findUser('userName', 'planned@x'), undefined);
    const resource = buildScimResource('User', { userName: 'planned@x' });
    await assert.rejects(t.createUser(resource), (e: unknown) => {
      assert.ok(e instanceof DryRunRefusedError);
      assert.equal(e.kind, 'dryRun');
      assert.equal(e.request?.method, 'POST');
      assert.equal(e.request?.path, '/scim/v2/Users');
      return true;
    });
    await assert.rejects(t.setActive('some-id', false), DryRunRefusedError);
    await assert.rejects(t.deleteUser('some-id'), DryRunRefusedError);
    await assert.rejects(t.addMembers('g', ['a']), DryRunRefusedError);
    assert.deepEqual(take(app).map((r) => r.method), ['GET'], 'only the read reached the app');
    assert.deepEqual(app.users().filter((u) => u.userName === 'planned@x'), []);
    assert.deepEqual(
      t.plannedRequests().map((r) => [r.method, r.path]),
      [
        ['POST', '/scim/v2/Users'],
        ['PATCH', '/scim/v2/Users/some-id'],
        ['DELETE', '/scim/v2/Users/some-id'],
        ['PATCH', '/scim/v2/Groups/g'],
      ],
    );
    assert.deepEqual(t.plannedRequests()[0]?.body, resource);
    assert.equal(t.stats().dryRunRefused, 4);
    assert.equal(t.stats().requests, 1);
  });
});
