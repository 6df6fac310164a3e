import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createEntraDialect,
  createStrictDialect,
  dialectFromBaseAddress,
  matchQuery,
} from '../../src/connectors/scim/dialects.ts';
import { buildScimResource, SCIM } from '../../src/connectors/target-attributes.ts';

const PATCH = SCIM.patchOp;
const ENT = SCIM.enterpriseUser;
const BASE = 'https://app.example/scim/v2';
const entra = createEntraDialect();
const strict = createStrictDialect();

describe('match queries', () => {
  test('encode spaces as + and quotes as %22, as Entra does (§6.1)', () => {
    assert.equal(matchQuery('userName', 'cf4d78e8-cc4f-4d5d-b8b9-183561c0104a'), 'filter=userName+eq+%22cf4d78e8-cc4f-4d5d-b8b9-183561c0104a%22');
  });
  test('put excludedAttributes=members first on group queries (§6.5)', () => {
    assert.equal(matchQuery('displayName', 'Sales EU', true), 'excludedAttributes=members&filter=displayName+eq+%22Sales+EU%22');
  });
  test('escape quotes and backslashes as JSON (RFC 7644 §3.4.2.2)', () => {
    const q = new URLSearchParams(matchQuery('userName', 'a"b\\c'));
    assert.equal(q.get('filter'), 'userName eq "a\\"b\\\\c"');
  });
  test('print numbers and booleans as literals', () => {
    assert.equal(new URLSearchParams(matchQuery('employeeNumber', 42)).get('filter'), 'employeeNumber eq 42');
    assert.equal(new URLSearchParams(matchQuery('active', true)).get('filter'), 'active eq true');
  });
  test('refuse an attribute that is not a plain name', () => {
    assert.throws(() => matchQuery('userName eq "x" or userName', 'y'), /only a plain attribute name/);
  });
});

describe('dialectFromBaseAddress', () => {
  test('selects the strict dialect for ?aadOptscim062020 and cleans the URL', () => {
    const r = dialectFromBaseAddress('https://host/scim/v2/?aadOptscim062020');
    assert.equal(r.dialect.name, 'strict');
    assert.equal(r.baseUrl, 'https://host/scim/v2');
    assert.deepEqual(r.flags, ['aadOptscim062020']);
  });
  test('keeps the Entra dialect without the flag, and other query parameters', () => {
    const r = dialectFromBaseAddress('https://host/scim/?tenant=7');
    assert.equal(r.dialect.name, 'entra');
    assert.equal(r.baseUrl, 'https://host/scim?tenant=7');
    assert.deepEqual(r.flags, []);
  });
  test('reads the flag among others and case-insensitively', () => {
    const r = dialectFromBaseAddress('http://127.0.0.1:8080/scim?x=1&AADOPTSCIM062020');
    assert.equal(r.dialect.name, 'strict');
    assert.equal(r.baseUrl, 'http://127.0.0.1:8080/scim?x=1');
  });
  test('treats AzureAdScimPatch2017 as the default behaviour', () => {
    const r = dialectFromBaseAddress('https://host/scim?AzureAdScimPatch2017');
    assert.equal(r.dialect.name, 'entra');
    assert.equal(r.baseUrl, 'https://host/scim');
  });
  test('rejects non-http addresses', () => {
    assert.throws(() => dialectFromBaseAddress('ftp://host/scim'), /http\(s\)/);
    assert.throws(() => dialectFromBaseAddress('not a url'));
  });
});

const user = buildScimResource('User', {
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_00aa00aa',
  active: 'True',
  'emails[type eq "work"].value': 'Test_User@testuser.com',
  'name.givenName': 'givenName',
  'name.familyName': 'familyName',
  [`${ENT}:department`]: 'Sales',
});

describe('Entra dialect (default, §6.3–§6.5)', () => {
  test('create user: boolean active, primary work email, meta.resourceType', () => {
    assert.deepEqual(entra.createUserBody(user), {
      schemas: [SCIM.coreUser, ENT],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_00aa00aa',
      active: true,
      emails: [{ type: 'work', value: 'Test_User@testuser.com', primary: true }],
      name: { givenName: 'givenName', familyName: 'familyName' },
      [ENT]: { department: 'Sales' },
      meta: { resourceType: 'User' },
    });
  });

  test('create group: core schema, empty members, meta.resourceType (observed live shape)', () => {
    assert.deepEqual(entra.createGroupBody(buildScimResource('Group', { externalId: 'e', displayName: 'Org Admin' })), {
      schemas: [SCIM.coreGroup],
      externalId: 'e',
      displayName: 'Org Admin',
      members: [],
      meta: { resourceType: 'Group' },
    });
  });

  test('update: one capitalised op per attribute, Add when new and Replace when changed', () => {
    const body = entra.patchBody(
      [
        { path: 'emails[type eq "work"].value', op: 'replace', value: 'updatedEmail@microsoft.com', previous: 'old@x' },
        { path: 'name.familyName', op: 'replace', value: 'updatedFamilyName', previous: 'f' },
        { path: `${ENT}:department`, op: 'add', value: 'Retail' },
        { path: 'title', op: 'remove', previous: 'Boss' },
      ],
      BASE,
    );
    assert.deepEqual(body, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', path: `${ENT}:department`, value: 'Retail' },
        { op: 'Remove', path: 'title' },
      ],
    });
  });

  test('a replace to null is a Remove in both dialects (RFC 7644 §3.5.2)', () => {
    assert.deepEqual(entra.patchBody([{ path: 'title', op: 'replace', value: null, previous: 'x' }], BASE).Operations, [{ op: 'Remove', path: 'title' }]);
    assert.deepEqual(strict.patchBody([{ path: 'title', op: 'replace', value: null, previous: 'x' }], BASE).Operations, [{ op: 'remove', path: 'title' }]);
  });

  test('update: booleans go out as "True"/"False" strings', () => {
    assert.deepEqual(entra.patchBody([{ path: 'active', op: 'replace', value: false, previous: true }], BASE).Operations, [
      { op: 'Replace', path: 'active', value: 'False' },
    ]);
  });

  test('disable and enable: Replace active "False"/"True" (§6.4, default today)', () => {
    assert.deepEqual(entra.activeBody(false), { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    assert.deepEqual(entra.activeBody(true), { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
  });

  test('manager: Add on path manager with $ref; Replace on change; Remove by value filter', () => {
    assert.deepEqual(entra.managerBody('m1', undefined, BASE), {
      schemas: [PATCH],
      Operations: [{ op: 'Add', path: 'manager', value: [{ $ref: `${BASE}/Users/m1`, value: 'm1' }] }],
    });
    assert.deepEqual(entra.managerBody('m2', 'm1', BASE).Operations, [
      { op: 'Replace', path: 'manager', value: [{ $ref: `${BASE}/Users/m2`, value: 'm2' }] },
    ]);
    assert.deepEqual(entra.managerBody(null, 'm1', BASE).Operations, [{ op: 'Remove', path: 'manager[value eq "m1"]' }]);
    assert.deepEqual(entra.managerBody(null, undefined, BASE).Operations, [{ op: 'Remove', path: 'manager' }]);
  });

  test('manager inside an update list uses the same shapes', () => {
    assert.deepEqual(entra.patchBody([{ path: `${ENT}:manager`, op: 'add', value: 'm1' }], BASE).Operations, [
      { op: 'Add', path: 'manager', value: [{ $ref: `${BASE}/Users/m1`, value: 'm1' }] },
    ]);
  });

  test('members: Add/Remove on path members with $ref null, value in the body', () => {
    assert.deepEqual(entra.addMembersBody(['u1', 'u2']), {
      schemas: [PATCH],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { $ref: null, value: 'u2' }] }],
    });
    assert.deepEqual(entra.removeMembersBody(['u1']), {
      schemas: [PATCH],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] }],
    });
  });
});

describe('strict dialect (aadOptscim062020, RFC 7644)', () => {
  test('create user: no read-only meta, boolean active', () => {
    const body = strict.createUserBody(user);
    assert.equal(body.meta, undefined);
    assert.equal(body.active, true);
    assert.deepEqual(body.emails, [{ type: 'work', value: 'Test_User@testuser.com' }]);
  });

  test('create group: as built, no meta, no empty member list', () => {
    assert.deepEqual(strict.createGroupBody(buildScimResource('Group', { displayName: 'G' })), { schemas: [SCIM.coreGroup], displayName: 'G' });
  });

  test('several replaced attributes become one path-less replace with a nested value (§6.7)', () => {
    const body = strict.patchBody(
      [
        { path: 'emails[type eq "work"].value', op: 'replace', value: 'TestMhvaes@test.microsoft.com', previous: 'x' },
        { path: 'displayName', op: 'replace', value: 'Bjfe', previous: 'x' },
        { path: 'name.givenName', op: 'replace', value: 'Kkom', previous: 'x' },
        { path: 'name.familyName', op: 'replace', value: 'Unua', previous: 'x' },
        { path: `${ENT}:employeeNumber`, op: 'replace', value: 'Aklq', previous: 'x' },
      ],
      BASE,
    );
    assert.deepEqual(body, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: { displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua' }, [ENT]: { employeeNumber: 'Aklq' } },
        },
      ],
    });
  });

  test('replaceValueKeys: dotted reproduces Entra\'s flagged value object exactly', () => {
    const dotted = createStrictDialect({ replaceValueKeys: 'dotted' });
    const body = dotted.patchBody(
      [
        { path: 'displayName', op: 'replace', value: 'Bjfe' },
        { path: 'name.givenName', op: 'replace', value: 'Kkom' },
        { path: `${ENT}:employeeNumber`, op: 'replace', value: 'Aklq' },
      ],
      BASE,
    );
    assert.deepEqual(body.Operations, [
      { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', [`${ENT}:employeeNumber`]: 'Aklq' } },
    ]);
  });

  test('a single change keeps its path; add and remove stay separate, lower-case', () => {
    assert.deepEqual(
      strict.patchBody(
        [
          { path: 'userName', op: 'replace', value: 'n', previous: 'o' },
          { path: `${ENT}:department`, op: 'add', value: 'Retail' },
          { path: 'title', op: 'remove' },
          { path: 'active', op: 'replace', value: 'False' },
        ],
        BASE,
      ).Operations,
      [
        { op: 'replace', value: { userName: 'n', active: false } },
        { op: 'add', path: `${ENT}:department`, value: 'Retail' },
        { op: 'remove', path: 'title' },
      ],
    );
    assert.deepEqual(strict.patchBody([{ path: 'userName', op: 'replace', value: 'n' }], BASE).Operations, [
      { op: 'replace', path: 'userName', value: 'n' },
    ]);
  });

  test('disable and enable: replace active with a JSON boolean (§6.4)', () => {
    assert.deepEqual(strict.activeBody(false), { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    assert.deepEqual(strict.activeBody(true), { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
  });

  test('manager on its fully qualified path with a { value } object', () => {
    assert.deepEqual(strict.managerBody('m1', undefined, BASE).Operations, [{ op: 'add', path: `${ENT}:manager`, value: { value: 'm1' } }]);
    assert.deepEqual(strict.managerBody('m2', 'm1', BASE).Operations, [{ op: 'replace', path: `${ENT}:manager`, value: { value: 'm2' } }]);
    assert.deepEqual(strict.managerBody(null, 'm1', BASE).Operations, [{ op: 'remove', path: `${ENT}:manager` }]);
  });

  test('members: add without $ref; remove by path filter, one op per member (§6.5)', () => {
    assert.deepEqual(strict.addMembersBody(['u1', 'u2']), {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }],
    });
    assert.deepEqual(strict.removeMembersBody(['7f4bc1a3', 'a"b']), {
      schemas: [PATCH],
      Operations: [
        { op: 'remove', path: 'members[value eq "7f4bc1a3"]' },
        { op: 'remove', path: 'members[value eq "a\\"b"]' },
      ],
    });
  });
});
