import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AZURE_AD_DIRECTORY_ID,
  AZURE_AD_DIRECTORY_NAME,
  azureAdDirectoryDefinition,
  groupToSourceAttributes,
  stripGuestUpn,
  userToSourceAttributes,
} from '../../src/sync/templates/azure-ad-directory.ts';
import type { DirectoryGroupInput, DirectoryUserInput } from '../../src/sync/templates/azure-ad-directory.ts';
import type { ObjectDefinitionT } from '../../src/graph/sync-schemas.ts';

function object(name: string): ObjectDefinitionT {
  const obj = azureAdDirectoryDefinition().objects?.find((o) => o.name === name);
  assert.ok(obj, `object ${name}`);
  return obj;
}

function attribute(objectName: string, name: string) {
  const attr = object(objectName).attributes?.find((a) => a.name === name);
  assert.ok(attr, `${objectName}.${name}`);
  return attr;
}

const sampleUser: DirectoryUserInput = {
  id: '5e2b1b7c-31f1-4a70-9f25-3b4a1e2c9d01',
  userPrincipalName: 'adele.vance@contoso.example',
  displayName: 'Adele Vance',
  givenName: 'Adele',
  surname: 'Vance',
  mail: 'adele.vance@contoso.example',
  mailNickname: 'adelev',
  otherMails: ['adele@home.example'],
  proxyAddresses: ['SMTP:adele.vance@contoso.example'],
  accountEnabled: true,
  department: 'Retail',
  jobTitle: 'Retail Manager',
  employeeId: '016277',
  employeeType: 'Employee',
  employeeHireDate: '2021-05-01T00:00:00Z',
  companyName: 'Contoso',
  officeLocation: '18/2111',
  streetAddress: '205 108th Ave NE',
  city: 'Bellevue',
  state: 'WA',
  postalCode: '98004',
  country: 'US',
  usageLocation: 'US',
  preferredLanguage: 'en-US',
  mobilePhone: '+1 425 555 0109',
  businessPhones: ['+1 425 555 0100', '+1 425 555 0199'],
  faxNumber: '+1 425 555 0111',
  userType: 'Member',
  onPremisesSyncEnabled: true,
  onPremisesSamAccountName: 'adelev',
  onPremisesImmutableId: 'aGVsbG8=',
  onPremisesDistinguishedName: 'CN=Adele Vance,OU=Users,DC=contoso,DC=example',
  onPremisesSecurityIdentifier: 'S-1-5-21-1-2-3-1104',
  onPremisesDomainName: 'contoso.example',
  onPremisesUserPrincipalName: 'adele.vance@contoso.example',
  onPremisesExtensionAttributes: Object.fromEntries(
    Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, `ext-${i + 1}`]),
  ),
  isSoftDeleted: false,
  managerId: '9c1e6c2a-0b3f-4a0e-8f41-2f4f3a7d5e10',
  appRoleAssignments: [{ id: '18d14569-c3bd-439b-9a66-3a2aee01d14f', value: 'User', displayName: 'User' }],
};

void test('the source directory is "Azure Active Directory" with a fixed GUID id and User and Group objects', () => {
  const dir = azureAdDirectoryDefinition();
  assert.equal(dir.name, AZURE_AD_DIRECTORY_NAME);
  assert.equal(dir.name, 'Azure Active Directory');
  assert.equal(dir.id, AZURE_AD_DIRECTORY_ID);
  assert.match(dir.id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(dir.objects?.map((o) => o.name), ['User', 'Group']);
});

void test('User exposes the attributes provisioning mappings use, with objectId as the only anchor', () => {
  const names = new Set(object('User').attributes?.map((a) => a.name));
  const expected = [
    'objectId', 'userPrincipalName', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'otherMails',
    'accountEnabled', 'IsSoftDeleted', 'department', 'jobTitle', 'employeeId', 'employeeType', 'employeeHireDate',
    'companyName', 'physicalDeliveryOfficeName', 'streetAddress', 'city', 'state', 'postalCode', 'country',
    'usageLocation', 'preferredLanguage', 'mobile', 'telephoneNumber', 'facsimileTelephoneNumber', 'userType',
    'manager', 'onPremisesSamAccountName', 'onPremisesImmutableId', 'onPremisesDistinguishedName',
    'onPremisesSecurityIdentifier', 'onPremisesDomainName', 'appRoleAssignments',
    ...Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`),
  ];
  for (const name of expected) assert.ok(names.has(name), `missing ${name}`);
  assert.deepEqual(object('User').attributes?.filter((a) => a.anchor).map((a) => a.name), ['objectId']);
  assert.equal(attribute('User', 'accountEnabled').type, 'Boolean');
  assert.equal(attribute('User', 'IsSoftDeleted').type, 'Boolean');
  assert.equal(attribute('User', 'employeeHireDate').type, 'DateTime');
  assert.equal(attribute('User', 'otherMails').multivalued, true);
  assert.equal(attribute('User', 'appRoleAssignments').multivalued, true);
  const manager = attribute('User', 'manager');
  assert.equal(manager.type, 'Reference');
  assert.deepEqual(manager.referencedObjects, [{ referencedObjectName: 'User', referencedProperty: null }]);
});

void test('Group exposes its attributes, with members referencing users and groups', () => {
  const names = object('Group').attributes?.map((a) => a.name) ?? [];
  for (const name of ['objectId', 'displayName', 'mailNickname', 'mail', 'description', 'securityEnabled',
    'mailEnabled', 'groupTypes', 'members', 'IsSoftDeleted', 'appRoleAssignments']) {
    assert.ok(names.includes(name), `missing ${name}`);
  }
  assert.deepEqual(object('Group').attributes?.filter((a) => a.anchor).map((a) => a.name), ['objectId']);
  const members = attribute('Group', 'members');
  assert.equal(members.type, 'Reference');
  assert.equal(members.multivalued, true);
  assert.deepEqual(members.referencedObjects?.map((r) => r.referencedObjectName), ['User', 'Group']);
});

void test('object metadata carries the documented keys and string values', () => {
  const meta = Object.fromEntries(object('User').metadata?.map((m) => [m.key, m.value]) ?? []);
  assert.deepEqual(meta, {
    IsSoftDeletionSupported: 'true',
    ConnectorDataStorageRequired: 'true',
    IsSynchronizeAllSupported: 'true',
    PropertyNameAccountEnabled: 'accountEnabled',
    PropertyNameSoftDeleted: 'IsSoftDeleted',
  });
  const groupMeta = Object.fromEntries(object('Group').metadata?.map((m) => [m.key, m.value]) ?? []);
  assert.equal(groupMeta['PropertyNameSoftDeleted'], 'IsSoftDeleted');
  assert.equal(groupMeta['PropertyNameAccountEnabled'], undefined);
});

void test('every call returns an independent copy of the definition', () => {
  const a = azureAdDirectoryDefinition();
  a.objects?.[0]?.attributes?.push({ name: 'extension_abc_costCenter' });
  a.name = 'changed';
  const b = azureAdDirectoryDefinition();
  assert.equal(b.name, 'Azure Active Directory');
  assert.equal(b.objects?.[0]?.attributes?.some((x) => x.name === 'extension_abc_costCenter'), false);
});

void test('userToSourceAttributes maps Graph property names to sync-schema attribute names', () => {
  const bag = userToSourceAttributes(sampleUser);
  assert.equal(bag['objectId'], sampleUser.id);
  assert.equal(bag['userPrincipalName'], 'adele.vance@contoso.example');
  assert.equal(bag['originalUserPrincipalName'], 'adele.vance@contoso.example');
  assert.equal(bag['surname'], 'Vance');
  assert.equal(bag['physicalDeliveryOfficeName'], '18/2111');
  assert.equal(bag['mobile'], '+1 425 555 0109');
  assert.equal(bag['telephoneNumber'], '+1 425 555 0100', 'first business phone only');
  assert.equal(bag['facsimileTelephoneNumber'], '+1 425 555 0111');
  assert.equal(bag['employeeHireDate'], '2021-05-01T00:00:00Z');
  assert.equal(bag['dirSyncEnabled'], true);
  assert.equal(bag['manager'], sampleUser.managerId);
  assert.equal(bag['accountEnabled'], true);
  assert.equal(bag['IsSoftDeleted'], false);
  assert.deepEqual(bag['otherMails'], ['adele@home.example']);
  assert.equal(bag['extensionAttribute1'], 'ext-1');
  assert.equal(bag['extensionAttribute15'], 'ext-15');
  assert.deepEqual(bag['appRoleAssignments'], sampleUser.appRoleAssignments);
});

void test('a fully populated user fills exactly the attributes the User object defines', () => {
  const bag = userToSourceAttributes(sampleUser);
  const defined = new Set(object('User').attributes?.map((a) => a.name));
  for (const key of Object.keys(bag)) assert.ok(defined.has(key), `bag key ${key} is not a User attribute`);
  for (const name of defined) assert.ok(name in bag, `User attribute ${name} is never filled`);
});

void test('null, missing and empty values are absent from the bag, not null', () => {
  const bag = userToSourceAttributes({ id: 'u1', displayName: 'Only Name', mail: null, otherMails: [], businessPhones: [] });
  assert.deepEqual(bag, { objectId: 'u1', IsSoftDeleted: false, displayName: 'Only Name' });
});

void test('IsSoftDeleted is true when the engine says so or when sign-in is blocked', () => {
  assert.equal(userToSourceAttributes({ id: 'u', isSoftDeleted: true, accountEnabled: true })['IsSoftDeleted'], true);
  assert.equal(userToSourceAttributes({ id: 'u', accountEnabled: false })['IsSoftDeleted'], true);
  assert.equal(userToSourceAttributes({ id: 'u', accountEnabled: true })['IsSoftDeleted'], false);
});

void test('a B2B guest UPN is read without #EXT# and the inviting domain; the raw one stays available', () => {
  const bag = userToSourceAttributes({ id: 'g', userPrincipalName: 'alias_fabrikam.example#EXT#@contoso.onmicrosoft.com' });
  assert.equal(bag['userPrincipalName'], 'alias@fabrikam.example');
  assert.equal(bag['originalUserPrincipalName'], 'alias_fabrikam.example#EXT#@contoso.onmicrosoft.com');
  assert.equal(stripGuestUpn('first_last_fabrikam.example#EXT#@contoso.example'), 'first_last@fabrikam.example');
  assert.equal(stripGuestUpn('plain@contoso.example'), 'plain@contoso.example');
});

void test('the bag does not share arrays or objects with the input', () => {
  const otherMails = ['a@x.example'];
  const assignment = { id: 'r', value: 'v', displayName: 'd' };
  const bag = userToSourceAttributes({ id: 'u', otherMails, appRoleAssignments: [assignment] });
  otherMails.push('b@x.example');
  assignment.value = 'changed';
  assert.deepEqual(bag['otherMails'], ['a@x.example']);
  assert.deepEqual(bag['appRoleAssignments'], [{ id: 'r', value: 'v', displayName: 'd' }]);
});

void test('groupToSourceAttributes maps a group and its engine-supplied members', () => {
  const group: DirectoryGroupInput = {
    id: 'a7a2f1a0-3c1e-4a6b-9d7b-1c2d3e4f5a6b',
    displayName: 'Retail',
    mailNickname: 'retail',
    mail: 'retail@contoso.example',
    description: 'Retail staff',
    securityEnabled: true,
    mailEnabled: false,
    groupTypes: ['Unified'],
    proxyAddresses: ['SMTP:retail@contoso.example'],
    isSoftDeleted: false,
    memberIds: ['u1', 'u2', 'g9'],
    appRoleAssignments: [{ id: 'r1', value: null, displayName: 'Default Access' }],
  };
  const bag = groupToSourceAttributes(group);
  assert.deepEqual(bag, {
    objectId: group.id,
    IsSoftDeleted: false,
    displayName: 'Retail',
    mailNickname: 'retail',
    mail: 'retail@contoso.example',
    description: 'Retail staff',
    securityEnabled: true,
    mailEnabled: false,
    groupTypes: ['Unified'],
    proxyAddresses: ['SMTP:retail@contoso.example'],
    members: ['u1', 'u2', 'g9'],
    appRoleAssignments: [{ id: 'r1', value: null, displayName: 'Default Access' }],
  });
  const defined = new Set(object('Group').attributes?.map((a) => a.name));
  for (const name of defined) assert.ok(name in bag, `Group attribute ${name} is never filled`);
  assert.deepEqual(groupToSourceAttributes({ id: 'g', memberIds: [] }), { objectId: 'g', IsSoftDeleted: false });
});
