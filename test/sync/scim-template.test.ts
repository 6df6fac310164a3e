import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SCIM_USER_OBJECT, SCIM_GROUP_OBJECT,
  ENTERPRISE_USER_URN, SCIM_DIRECTORY_NAME, SCIM_RULE_ID, SCIM_RULE_NAME,
  scimDefaultSchema, scimDirectoryDefinition, scimSynchronizationRule,
} from '../../src/sync/templates/scim.ts';
import { AZURE_AD_DIRECTORY_NAME } from '../../src/sync/templates/azure-ad-directory.ts';
import type { AttributeMappingT, ObjectMappingT, SynchronizationSchemaT } from '../../src/graph/sync-schemas.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mapping(name: string): ObjectMappingT {
  const m = scimSynchronizationRule().objectMappings?.find((x) => x.name === name);
  assert.ok(m, name);
  return m;
}
const users = () => mapping('Provision Azure Active Directory Users');
const groups = () => mapping('Provision Azure Active Directory Groups');

function byTarget(m: ObjectMappingT, target: string): AttributeMappingT {
  const a = m.attributeMappings?.find((x) => x.targetAttributeName === target);
  assert.ok(a, target);
  return a;
}

type Source = NonNullable<AttributeMappingT['source']>;
function attributeNamesIn(source: Source | null | undefined): string[] {
  if (!source) return [];
  if ((source.type ?? 'Attribute') === 'Attribute') return [source.name ?? ''];
  return (source.parameters ?? []).flatMap((p) => attributeNamesIn(p.value));
}

void test('the schema has both directories and one rule from Azure Active Directory to customappsso', () => {
  const s = scimDefaultSchema();
  assert.deepEqual(s.directories?.map((d) => d.name), ['Azure Active Directory', 'customappsso']);
  for (const d of s.directories ?? []) assert.match(d.id ?? '', GUID);
  assert.equal(s.id, undefined, 'the caller sets the schema id');
  assert.equal(s.version, 'v1.0');
  const [rule] = s.synchronizationRules ?? [];
  assert.ok(rule);
  assert.equal(s.synchronizationRules?.length, 1);
  assert.equal(rule.id, SCIM_RULE_ID);
  assert.match(rule.id ?? '', GUID);
  assert.equal(rule.name, SCIM_RULE_NAME);
  assert.equal(rule.sourceDirectoryName, AZURE_AD_DIRECTORY_NAME);
  assert.equal(rule.targetDirectoryName, SCIM_DIRECTORY_NAME);
  assert.equal(rule.editable, true);
  assert.deepEqual(rule.metadata, [{ key: 'supportsProvisionOnDemand', value: 'true' }]);
  assert.deepEqual(rule.objectMappings?.map((m) => m.name), ['Provision Azure Active Directory Users', 'Provision Azure Active Directory Groups']);
});

void test('every source attribute a default mapping reads exists on the source object', () => {
  const s = scimDefaultSchema();
  const aad = s.directories?.find((d) => d.name === AZURE_AD_DIRECTORY_NAME);
  for (const om of s.synchronizationRules?.[0]?.objectMappings ?? []) {
    const attrs = new Set(aad?.objects?.find((o) => o.name === om.sourceObjectName)?.attributes?.map((a) => a.name));
    assert.ok(attrs.size > 0, om.sourceObjectName);
    for (const am of om.attributeMappings ?? []) {
      for (const name of attributeNamesIn(am.source)) assert.ok(attrs.has(name), `${om.name}: ${name}`);
    }
  }
});

void test('every target attribute a default mapping writes exists on the target object', () => {
  const s = scimDefaultSchema();
  const scim = s.directories?.find((d) => d.name === SCIM_DIRECTORY_NAME);
  for (const om of s.synchronizationRules?.[0]?.objectMappings ?? []) {
    const attrs = new Set(scim?.objects?.find((o) => o.name === om.targetObjectName)?.attributes?.map((a) => a.name));
    for (const am of om.attributeMappings ?? []) assert.ok(attrs.has(am.targetAttributeName), `${om.name}: ${am.targetAttributeName}`);
  }
});

void test('the user mappings are Entra\'s non-gallery SCIM defaults', () => {
  const table = Object.fromEntries((users().attributeMappings ?? []).map((a) => [a.targetAttributeName, a.source?.expression]));
  assert.deepEqual(table, {
    userName: '[userPrincipalName]',
    active: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    displayName: '[displayName]',
    title: '[jobTitle]',
    'emails[type eq "work"].value': '[mail]',
    preferredLanguage: '[preferredLanguage]',
    'name.givenName': '[givenName]',
    'name.familyName': '[surname]',
    'name.formatted': 'Join(" ", [givenName], [surname])',
    'addresses[type eq "work"].formatted': '[physicalDeliveryOfficeName]',
    'addresses[type eq "work"].streetAddress': '[streetAddress]',
    'addresses[type eq "work"].locality': '[city]',
    'addresses[type eq "work"].region': '[state]',
    'addresses[type eq "work"].postalCode': '[postalCode]',
    'addresses[type eq "work"].country': '[country]',
    'phoneNumbers[type eq "work"].value': '[telephoneNumber]',
    'phoneNumbers[type eq "mobile"].value': '[mobile]',
    'phoneNumbers[type eq "fax"].value': '[facsimileTelephoneNumber]',
    externalId: '[mailNickname]',
    [`${ENTERPRISE_USER_URN}:employeeNumber`]: '[employeeId]',
    [`${ENTERPRISE_USER_URN}:department`]: '[department]',
    [`${ENTERPRISE_USER_URN}:manager`]: '[manager]',
  });
});

void test('users match on userName ← userPrincipalName, groups on displayName, and nothing else matches', () => {
  const matching = (m: ObjectMappingT) => (m.attributeMappings ?? []).filter((a) => (a.matchingPriority ?? 0) > 0)
    .map((a) => [a.targetAttributeName, a.source?.name, a.matchingPriority]);
  assert.deepEqual(matching(users()), [['userName', 'userPrincipalName', 1]]);
  assert.deepEqual(matching(groups()), [['displayName', 'displayName', 1]]);
});

void test('the group mappings are displayName, externalId ← objectId and members', () => {
  assert.deepEqual((groups().attributeMappings ?? []).map((a) => [a.targetAttributeName, a.source?.expression]), [
    ['displayName', '[displayName]'],
    ['externalId', '[objectId]'],
    ['members', '[members]'],
  ]);
});

void test('active is a Switch on IsSoftDeleted with parameter keys source and switchValue, defaultValue omitted', () => {
  assert.deepEqual(byTarget(users(), 'active').source, {
    expression: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    name: 'Switch',
    type: 'Function',
    parameters: [
      { key: 'source', value: { expression: '[IsSoftDeleted]', name: 'IsSoftDeleted', parameters: [], type: 'Attribute' } },
      { key: 'switchValue', value: { expression: '"False"', name: 'False', parameters: [], type: 'Constant' } },
      { key: 'switchValue', value: { expression: '"True"', name: 'True', parameters: [], type: 'Constant' } },
      { key: 'switchValue', value: { expression: '"True"', name: 'True', parameters: [], type: 'Constant' } },
      { key: 'switchValue', value: { expression: '"False"', name: 'False', parameters: [], type: 'Constant' } },
    ],
  });
});

void test('name.formatted is Join with a separator and repeated source parameters', () => {
  const src = byTarget(users(), 'name.formatted').source;
  assert.equal(src?.name, 'Join');
  assert.deepEqual(src?.parameters?.map((p) => [p.key, p.value?.type, p.value?.name]), [
    ['separator', 'Constant', ' '],
    ['source', 'Attribute', 'givenName'],
    ['source', 'Attribute', 'surname'],
  ]);
});

void test('every attribute mapping carries Graph\'s members with their defaults', () => {
  for (const om of [users(), groups()]) {
    for (const am of om.attributeMappings ?? []) {
      assert.equal(am.flowType, 'Always', am.targetAttributeName);
      assert.equal(am.flowBehavior, 'FlowWhenChanged');
      assert.equal(am.defaultValue, null);
      assert.equal(am.exportMissingReferences, false);
      assert.equal(typeof am.matchingPriority, 'number');
    }
  }
});

void test('object mappings are enabled for Add, Update, Delete with Entra\'s metadata', () => {
  for (const [om, joining] of [[users(), 'userPrincipalName'], [groups(), 'displayName']] as const) {
    assert.equal(om.enabled, true);
    assert.equal(om.flowTypes, 'Add, Update, Delete');
    assert.equal(om.scope, null);
    const meta = Object.fromEntries(om.metadata?.map((m) => [m.key, m.value]) ?? []);
    assert.equal(meta['EscrowBehavior'], '"Default"');
    assert.equal(meta['Disposition'], '"Normal"');
    assert.equal(meta['IsCustomerDefined'], 'false');
    assert.equal(meta['Unsynchronized'], 'false');
    assert.equal(meta['OriginalJoiningProperty'], joining);
  }
  assert.equal(users().sourceObjectName, 'User');
  assert.equal(users().targetObjectName, SCIM_USER_OBJECT);
  assert.equal(groups().sourceObjectName, 'Group');
  assert.equal(groups().targetObjectName, SCIM_GROUP_OBJECT);
});

void test('customappsso defines id as the read-only anchor, manager and members as references', () => {
  const dir = scimDirectoryDefinition();
  assert.equal(dir.name, 'customappsso');
  const obj = (n: string) => dir.objects?.find((o) => o.name === n);
  for (const name of [SCIM_USER_OBJECT, SCIM_GROUP_OBJECT]) {
    const anchors = obj(name)?.attributes?.filter((a) => a.anchor) ?? [];
    assert.deepEqual(anchors.map((a) => [a.name, a.mutability]), [['id', 'ReadOnly']], name);
  }
  const manager = obj(SCIM_USER_OBJECT)?.attributes?.find((a) => a.name === `${ENTERPRISE_USER_URN}:manager`);
  assert.equal(manager?.type, 'Reference');
  assert.deepEqual(manager?.referencedObjects?.map((r) => r.referencedObjectName), [SCIM_USER_OBJECT]);
  const members = obj(SCIM_GROUP_OBJECT)?.attributes?.find((a) => a.name === 'members');
  assert.equal(members?.type, 'Reference');
  assert.equal(members?.multivalued, true);
  assert.deepEqual(members?.referencedObjects?.map((r) => r.referencedObjectName), [SCIM_USER_OBJECT, SCIM_GROUP_OBJECT]);
  assert.equal(obj(SCIM_USER_OBJECT)?.attributes?.find((a) => a.name === 'active')?.type, 'Boolean');
});

void test('each call builds an independent schema', () => {
  const a: SynchronizationSchemaT = scimDefaultSchema();
  const b: SynchronizationSchemaT = scimDefaultSchema();
  assert.notEqual(a, b);
  assert.deepEqual(a, b);
  a.synchronizationRules![0]!.objectMappings![0]!.attributeMappings![0]!.targetAttributeName = 'changed';
  a.directories![1]!.objects![0]!.attributes!.length = 0;
  const c = scimDefaultSchema();
  assert.equal(c.synchronizationRules![0]!.objectMappings![0]!.attributeMappings![0]!.targetAttributeName, 'userName');
  assert.ok(c.directories![1]!.objects![0]!.attributes!.length > 0);
});
