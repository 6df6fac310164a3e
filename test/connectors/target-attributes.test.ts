import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyAttributeChanges,
  buildScimResource,
  hasValueFilter,
  isManagerPath,
  parseTargetPath,
  readTargetAttribute,
  SCIM,
} from '../../src/connectors/target-attributes.ts';

const ENT = SCIM.enterpriseUser;

describe('parseTargetPath', () => {
  test('reads simple, dotted, filtered and URN-qualified names', () => {
    assert.deepEqual(parseTargetPath('userName'), { schema: undefined, segments: [{ name: 'userName' }] });
    assert.deepEqual(parseTargetPath('name.givenName'), { schema: undefined, segments: [{ name: 'name' }, { name: 'givenName' }] });
    assert.deepEqual(parseTargetPath('emails[type eq "work"].value'), {
      schema: undefined,
      segments: [{ name: 'emails', filter: { attribute: 'type', value: 'work' } }, { name: 'value' }],
    });
    // The URN contains dots ("2.0") and colons; the attribute is after the last colon.
    assert.deepEqual(parseTargetPath(`${ENT}:department`), { schema: ENT, segments: [{ name: 'department' }] });
    assert.deepEqual(parseTargetPath(`${ENT}:manager.displayName`), { schema: ENT, segments: [{ name: 'manager' }, { name: 'displayName' }] });
    // A core URN prefix is the same as no prefix (RFC 7644 §3.10).
    assert.deepEqual(parseTargetPath(`${SCIM.coreUser}:userName`), { schema: undefined, segments: [{ name: 'userName' }] });
  });

  test('keeps colons and dots inside filter values', () => {
    assert.deepEqual(parseTargetPath('addresses[type eq "a.b:c"].formatted').segments[0], {
      name: 'addresses',
      filter: { attribute: 'type', value: 'a.b:c' },
    });
  });

  test('accepts JSON literals and Entra\'s unquoted values in filters', () => {
    assert.equal(parseTargetPath('roles[primary eq true].value').segments[0]?.filter?.value, true);
    assert.equal(parseTargetPath('roles[primary eq "True"].value').segments[0]?.filter?.value, 'True');
    assert.equal(parseTargetPath('emails[type eq work].value').segments[0]?.filter?.value, 'work');
  });

  test('rejects what is not an attribute name', () => {
    assert.throws(() => parseTargetPath('emails[type gt "x"].value'), /Invalid target attribute/);
    assert.throws(() => parseTargetPath('a b'), /Invalid target attribute/);
    assert.throws(() => parseTargetPath('urn:x'), /Invalid target attribute/);
  });

  test('classifies filtered and manager paths', () => {
    assert.equal(hasValueFilter('emails[type eq "work"].value'), true);
    assert.equal(hasValueFilter('name.givenName'), false);
    assert.equal(isManagerPath('manager'), true);
    assert.equal(isManagerPath(`${ENT}:manager`), true);
    assert.equal(isManagerPath(`${ENT}:department`), false);
    assert.equal(isManagerPath('urn:example:custom:2.0:User:manager'), false);
  });
});

describe('buildScimResource', () => {
  test('turns a flat mapping result into nested SCIM JSON with schemas', () => {
    const resource = buildScimResource('User', {
      userName: 'a',
      'name.givenName': 'b',
      'name.familyName': 'f',
      'emails[type eq "work"].value': 'c',
      'phoneNumbers[type eq "mobile"].value': '+1',
      'phoneNumbers[type eq "work"].value': '+2',
      [`${ENT}:department`]: 'd',
      [`${ENT}:manager`]: 'm-1',
      active: 'True',
      externalId: 'x',
      title: null,
      displayName: undefined,
    });
    assert.deepEqual(resource, {
      schemas: [SCIM.coreUser, ENT],
      userName: 'a',
      name: { givenName: 'b', familyName: 'f' },
      emails: [{ type: 'work', value: 'c' }],
      phoneNumbers: [
        { type: 'mobile', value: '+1' },
        { type: 'work', value: '+2' },
      ],
      [ENT]: { department: 'd', manager: { value: 'm-1' } },
      // Entra's mapping yields "True"; on create it is a JSON boolean (§6.3).
      active: true,
      externalId: 'x',
    });
  });

  test('builds a group with members as value objects', () => {
    assert.deepEqual(buildScimResource('Group', { displayName: 'G', externalId: 'e', members: ['u1', 'u2'] }), {
      schemas: [SCIM.coreGroup],
      displayName: 'G',
      externalId: 'e',
      members: [{ value: 'u1' }, { value: 'u2' }],
    });
  });

  test('puts custom extension attributes under their URN', () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
    assert.deepEqual(buildScimResource('User', { userName: 'a', [`${urn}:costCenter`]: 'cc' }), {
      schemas: [SCIM.coreUser, urn],
      userName: 'a',
      [urn]: { costCenter: 'cc' },
    });
  });

  test('coerces primary in a filter to a boolean', () => {
    assert.deepEqual(buildScimResource('User', { 'roles[primary eq "True"].value': 'Admin' }).roles, [{ primary: true, value: 'Admin' }]);
  });
});

describe('readTargetAttribute and applyAttributeChanges', () => {
  const user = buildScimResource('User', {
    userName: 'a',
    'name.givenName': 'b',
    'emails[type eq "work"].value': 'c',
    [`${ENT}:department`]: 'd',
    [`${ENT}:manager`]: 'm-1',
  });

  test('reads back what build wrote, case-insensitively', () => {
    assert.equal(readTargetAttribute(user, 'userName'), 'a');
    assert.equal(readTargetAttribute(user, 'USERNAME'), 'a');
    assert.equal(readTargetAttribute(user, 'name.givenName'), 'b');
    assert.equal(readTargetAttribute(user, 'emails[type eq "WORK"].value'), 'c');
    assert.equal(readTargetAttribute(user, `${ENT}:department`), 'd');
    assert.equal(readTargetAttribute(user, `${ENT}:manager`), 'm-1');
    assert.equal(readTargetAttribute(user, 'emails[type eq "home"].value'), undefined);
    assert.equal(readTargetAttribute(user, 'title'), undefined);
    assert.deepEqual(readTargetAttribute(buildScimResource('Group', { members: ['u1'] }), 'members'), ['u1']);
  });

  test('applies add, replace and remove to a copy', () => {
    const next = applyAttributeChanges(user, [
      { path: 'name.givenName', op: 'replace', value: 'B', previous: 'b' },
      { path: 'emails[type eq "home"].value', op: 'add', value: 'h' },
      { path: 'emails[type eq "work"].value', op: 'remove', previous: 'c' },
      { path: `${ENT}:manager`, op: 'remove' },
      { path: 'urn:example:x:2.0:User:badge', op: 'add', value: 7 },
    ]);
    assert.equal(readTargetAttribute(next, 'name.givenName'), 'B');
    assert.deepEqual(next.emails, [{ type: 'home', value: 'h' }]);
    assert.equal(readTargetAttribute(next, `${ENT}:manager`), undefined);
    assert.equal(readTargetAttribute(next, 'urn:example:x:2.0:User:badge'), 7);
    assert.ok((next.schemas as string[]).includes('urn:example:x:2.0:User'));
    // The original is untouched.
    assert.equal(readTargetAttribute(user, 'name.givenName'), 'b');
  });
});
