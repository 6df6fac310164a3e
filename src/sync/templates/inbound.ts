/**
 * The inbound templates: API-driven provisioning to the directory
 * (`API2AAD`) and AD/LDAP to the directory (`AD2AADProvisioning`, Entra
 * Cloud Sync style). Both have the embedded directory ("Azure Active
 * Directory", object `User`) as their target; their source directories are
 * the API's staged SCIM records and an LDAP/AD connector.
 *
 * No Microsoft page lists these templates' mappings; they are reconstructed
 * from shared/reference/inbound-and-console.md §1.5 (API2AAD) and §2.2
 * (AD2AADProvisioning). docs/inbound.md marks which rows are documented,
 * observed or inferred.
 */
import type {
  AttributeDefinitionT,
  DirectoryDefinitionT,
  ObjectMappingT,
  SynchronizationRuleT,
  SynchronizationSchemaT,
} from '../../graph/sync-schemas.ts';
import {
  attributeDefinition as attr,
  attributeMapping as map,
  attributeSource as src,
  constantSource as str,
  functionSource as fn,
  objectDefinition,
} from './builders.ts';
import { AZURE_AD_DIRECTORY_NAME, AZURE_AD_GROUP_OBJECT, AZURE_AD_USER_OBJECT, azureAdDirectoryDefinition } from './azure-ad-directory.ts';

/** Factory tag / template id of API-driven inbound provisioning to the directory. */
export const API2AAD_FACTORY_TAG = 'API2AAD';
/** Factory tag / template id of AD/LDAP → directory provisioning. */
export const AD2AAD_FACTORY_TAG = 'AD2AADProvisioning';
/** The factory tags whose jobs run the inbound pipeline (src/inbound/). */
export const INBOUND_FACTORY_TAGS: readonly string[] = [API2AAD_FACTORY_TAG, AD2AAD_FACTORY_TAG];

/** Entra's source system name for API-driven jobs (log `sourceSystem.displayName`). */
export const API_DIRECTORY_NAME = 'API';
export const API_DIRECTORY_ID = '3e2a1b0c-7a5d-4c2e-9f61-0b7d2c4e8a11';
/**
 * The API source object: the log's `sourceIdentity.identityType` for
 * API-driven jobs is the enterprise user URN (inbound-and-console.md §1.5, observed).
 */
export const API_USER_OBJECT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const API2AAD_RULE_ID = '6b3c3b7e-5d0e-4b53-9d0b-2f1c4a9e7d21';
export const API2AAD_MAPPING_NAME = 'Provision API urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const AD_DIRECTORY_NAME = 'Active Directory';
export const AD_DIRECTORY_ID = '9b1f0f3a-2c4d-4e5f-8a6b-7c8d9e0f1a22';
export const AD_USER_OBJECT = 'user';
export const AD2AAD_RULE_ID = 'c4f5e6d7-8a9b-4c0d-9e1f-2a3b4c5d6e33';
export const AD2AAD_MAPPING_NAME = 'Provision Active Directory users';
export const AD_GROUP_OBJECT = 'group';
export const AD2AAD_GROUP_MAPPING_NAME = 'Provision Active Directory groups';

/** Rule name Graph shows for inbound user rules (graph-sync-api.md §3.4). */
export const INBOUND_RULE_NAME = 'USER_INBOUND_USER';

export const SCIM_CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * Job setting: when `True`, a record without `active` leaves the account
 * state as it is (and a new user is created enabled). Default `False`: a
 * missing `active` disables, as Entra does (INB-16, QA-OMIT).
 */
export const ABSENT_ACTIVE_SETTING = 'AbsentActiveMeansUnchanged';

const typed = (attribute: string, type: string, sub: string) => `${attribute}[type eq "${type}"].${sub}`;
const ent = (name: string) => `${SCIM_ENTERPRISE_USER_URN}:${name}`;

const ADDRESS_PARTS = ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country'] as const;

/** The API source object's attributes: SCIM core and enterprise user, flattened as the log shows them. */
function apiUserAttributes(): AttributeDefinitionT[] {
  return [
    // The source anchor: the record's externalId (the log's sourceIdentity.id).
    attr('externalId', { anchor: true }),
    attr('userName'),
    attr('active', { type: 'Boolean' }),
    attr('displayName'),
    attr('nickName'),
    attr('title'),
    attr('userType'),
    attr('preferredLanguage'),
    attr('locale'),
    attr('timezone'),
    attr('profileUrl'),
    attr('name.givenName'),
    attr('name.familyName'),
    attr('name.formatted'),
    attr('name.middleName'),
    attr('name.honorificPrefix'),
    attr('name.honorificSuffix'),
    attr(typed('emails', 'work', 'value')),
    attr(typed('emails', 'home', 'value')),
    attr(typed('emails', 'other', 'value')),
    ...ADDRESS_PARTS.map((p) => attr(typed('addresses', 'work', p))),
    ...ADDRESS_PARTS.map((p) => attr(typed('addresses', 'home', p))),
    attr(typed('phoneNumbers', 'work', 'value')),
    attr(typed('phoneNumbers', 'mobile', 'value')),
    attr(typed('phoneNumbers', 'fax', 'value')),
    attr(typed('phoneNumbers', 'home', 'value')),
    attr(ent('employeeNumber')),
    attr(ent('costCenter')),
    attr(ent('organization')),
    attr(ent('division')),
    attr(ent('department')),
    // manager.value: the manager's externalId (G-BULK), resolved through the matching pair.
    attr(ent('manager'), { type: 'Reference', references: [API_USER_OBJECT] }),
  ];
}

export function apiDirectoryDefinition(): DirectoryDefinitionT {
  return {
    id: API_DIRECTORY_ID,
    discoverabilities: 'None',
    discoveryDateTime: null,
    name: API_DIRECTORY_NAME,
    objects: [objectDefinition(API_USER_OBJECT, apiUserAttributes(), { IsSoftDeletionSupported: 'false', ConnectorDataStorageRequired: 'true' })],
    readOnly: false,
    version: null,
  };
}

function inboundMappingMetadata(joiningProperty: string): NonNullable<ObjectMappingT['metadata']> {
  return [
    { key: 'IsCustomerDefined', value: 'false' },
    { key: 'DisableMonitoringForChanges', value: 'false' },
    { key: 'Disposition', value: JSON.stringify('Normal') },
    { key: 'ExcludeFromReporting', value: 'false' },
    { key: 'EscrowBehavior', value: JSON.stringify('Default') },
    { key: 'Unsynchronized', value: 'false' },
    { key: 'OriginalJoiningProperty', value: joiningProperty },
  ];
}

/**
 * `mailNickname` ← the `userName` without its `@domain` (the expression the
 * API docs give for UPN suffix stripping).
 */
function withoutDomain(attribute: string) {
  return fn('Replace', [
    ['source', src(attribute)],
    null,
    ['RegularExpression', str('(?<Suffix>@(.)*)')],
    ['RegularExpressionGroupName', str('Suffix')],
    ['Replacement', str('')],
    null,
    null,
  ]);
}

function api2aadUserMapping(): ObjectMappingT {
  const work = (part: string) => typed('addresses', 'work', part);
  return {
    attributeMappings: [
      map('employeeId', src('externalId'), { matchingPriority: 1 }),
      map('userPrincipalName', src('userName')),
      map('mailNickname', withoutDomain('userName')),
      map('displayName', src('displayName')),
      map('givenName', src('name.givenName')),
      map('surname', src('name.familyName')),
      map('jobTitle', src('title')),
      map('mail', src(typed('emails', 'work', 'value'))),
      map('telephoneNumber', src(typed('phoneNumbers', 'work', 'value'))),
      map('mobile', src(typed('phoneNumbers', 'mobile', 'value'))),
      map('streetAddress', src(work('streetAddress'))),
      map('city', src(work('locality'))),
      map('state', src(work('region'))),
      map('postalCode', src(work('postalCode'))),
      map('country', src(work('country'))),
      map('preferredLanguage', src('preferredLanguage')),
      map('department', src(ent('department'))),
      map('companyName', src(ent('organization'))),
      map('employeeType', src('userType')),
      map('manager', src(ent('manager'))),
      // A missing `active` counts as false (INB-16): the default value is what flows then.
      map('accountEnabled', src('active'), { defaultValue: 'False' }),
    ],
    enabled: true,
    flowTypes: 'Add, Update',
    metadata: inboundMappingMetadata('externalId'),
    name: API2AAD_MAPPING_NAME,
    scope: null,
    sourceObjectName: API_USER_OBJECT,
    targetObjectName: AZURE_AD_USER_OBJECT,
  };
}

function api2aadRule(): SynchronizationRuleT {
  return {
    containerFilter: null,
    editable: true,
    groupFilter: null,
    id: API2AAD_RULE_ID,
    // Provision on demand is not supported for API-driven apps (API-CONFIG).
    metadata: [{ key: 'supportsProvisionOnDemand', value: 'false' }],
    name: INBOUND_RULE_NAME,
    objectMappings: [api2aadUserMapping()],
    priority: 1,
    sourceDirectoryName: API_DIRECTORY_NAME,
    targetDirectoryName: AZURE_AD_DIRECTORY_NAME,
  };
}

export function api2aadDefaultSchema(): SynchronizationSchemaT {
  return { version: 'v1.0', directories: [apiDirectoryDefinition(), azureAdDirectoryDefinition()], synchronizationRules: [api2aadRule()] };
}

// ---------------------------------------------------------------------------
// AD2AADProvisioning

/** AD `user` / OpenLDAP `inetOrgPerson` attributes the default mapping reads (multi-valued LDAP values arrive as arrays). */
function adUserAttributes(): AttributeDefinitionT[] {
  return [
    attr('objectGUID', { anchor: true }),
    attr('distinguishedName'),
    attr('cn'),
    attr('countryCode'),
    attr('displayName'),
    attr('givenName'),
    attr('sn'),
    attr('userPrincipalName'),
    attr('sAMAccountName'),
    attr('mail'),
    attr('mailNickname'),
    attr('proxyAddresses', { multivalued: true }),
    attr('title'),
    attr('department'),
    attr('company'),
    attr('physicalDeliveryOfficeName'),
    attr('telephoneNumber'),
    attr('mobile'),
    attr('streetAddress'),
    attr('l'),
    attr('st'),
    attr('postalCode'),
    attr('c'),
    attr('employeeID'),
    attr('employeeType'),
    attr('objectSid'),
    attr('domain'),
    attr('accountDisabled', { type: 'Boolean' }),
    attr('manager', { type: 'Reference', references: [AD_USER_OBJECT] }),
    ...Array.from({ length: 15 }, (_, i) => attr(`extensionAttribute${i + 1}`)),
  ];
}

/**
 * AD `group` / OpenLDAP `groupOfNames`/`groupOfUniqueNames` attributes. `member`
 * holds the members' **anchors** (the connector turns member DNs into them).
 */
function adGroupAttributes(): AttributeDefinitionT[] {
  return [
    attr('objectGUID', { anchor: true }),
    attr('distinguishedName'),
    attr('cn'),
    attr('displayName'),
    attr('description'),
    attr('sAMAccountName'),
    attr('mail'),
    attr('mailNickname'),
    attr('domain'),
    attr('member', { type: 'Reference', multivalued: true, references: [AD_USER_OBJECT, AD_GROUP_OBJECT] }),
  ];
}

export function adDirectoryDefinition(): DirectoryDefinitionT {
  return {
    id: AD_DIRECTORY_ID,
    discoverabilities: 'AttributeNames, AttributeDataTypes',
    discoveryDateTime: null,
    name: AD_DIRECTORY_NAME,
    objects: [
      objectDefinition(AD_USER_OBJECT, adUserAttributes(), { IsSoftDeletionSupported: 'false', ConnectorDataStorageRequired: 'true' }),
      objectDefinition(AD_GROUP_OBJECT, adGroupAttributes(), { IsSoftDeletionSupported: 'false', ConnectorDataStorageRequired: 'true' }),
    ],
    readOnly: false,
    version: null,
  };
}

function ad2aadUserMapping(): ObjectMappingT {
  const direct = (target: string, source: string) => map(target, src(source));
  return {
    attributeMappings: [
      // Documented defaults (CS-ATTR): objectGUID is the anchor, surfaced as onPremisesImmutableId.
      map('onPremisesImmutableId', src('objectGUID'), { matchingPriority: 1 }),
      direct('userPrincipalName', 'userPrincipalName'),
      direct('displayName', 'displayName'),
      direct('givenName', 'givenName'),
      direct('proxyAddresses', 'proxyAddresses'),
      // Inferred, modelled on Connect's attribute list (§2.2).
      direct('surname', 'sn'),
      direct('mail', 'mail'),
      map('mailNickname', fn('Coalesce', [['source', src('mailNickname')], ['source', src('sAMAccountName')]])),
      direct('jobTitle', 'title'),
      direct('department', 'department'),
      direct('companyName', 'company'),
      direct('physicalDeliveryOfficeName', 'physicalDeliveryOfficeName'),
      direct('telephoneNumber', 'telephoneNumber'),
      direct('mobile', 'mobile'),
      direct('streetAddress', 'streetAddress'),
      direct('city', 'l'),
      direct('state', 'st'),
      direct('postalCode', 'postalCode'),
      direct('country', 'c'),
      direct('employeeId', 'employeeID'),
      direct('employeeType', 'employeeType'),
      direct('onPremisesSamAccountName', 'sAMAccountName'),
      direct('onPremisesDistinguishedName', 'distinguishedName'),
      direct('onPremisesSecurityIdentifier', 'objectSid'),
      direct('onPremisesDomainName', 'domain'),
      direct('manager', 'manager'),
      map('accountEnabled', fn('Not', [['source', src('accountDisabled')]]), { defaultValue: 'True' }),
      ...Array.from({ length: 15 }, (_, i) => direct(`extensionAttribute${i + 1}`, `extensionAttribute${i + 1}`)),
    ],
    enabled: true,
    flowTypes: 'Add, Update, Delete',
    metadata: inboundMappingMetadata('objectGUID'),
    name: AD2AAD_MAPPING_NAME,
    scope: null,
    sourceObjectName: AD_USER_OBJECT,
    targetObjectName: AZURE_AD_USER_OBJECT,
  };
}

/**
 * Groups and their memberships. Cloud Sync provisions AD groups (CS-GRAPH:
 * users, groups, contacts), but no Microsoft page lists the group mapping:
 * every row here is inferred, modelled on Connect's group attributes. Groups
 * are matched by their anchor link only (there is no immutable id on a
 * directory group to match on).
 */
function ad2aadGroupMapping(): ObjectMappingT {
  return {
    attributeMappings: [
      map('displayName', fn('Coalesce', [['source', src('displayName')], ['source', src('cn')]])),
      map('description', src('description')),
      map('mailNickname', fn('Coalesce', [['source', src('mailNickname')], ['source', src('sAMAccountName')], ['source', src('cn')]])),
      map('securityEnabled', str('True')),
      map('mailEnabled', str('False')),
      map('members', src('member')),
    ],
    enabled: true,
    flowTypes: 'Add, Update, Delete',
    metadata: inboundMappingMetadata('objectGUID'),
    name: AD2AAD_GROUP_MAPPING_NAME,
    scope: null,
    sourceObjectName: AD_GROUP_OBJECT,
    targetObjectName: AZURE_AD_GROUP_OBJECT,
  };
}

function ad2aadRule(): SynchronizationRuleT {
  return {
    // OU scoping (containerFilter) or group scoping (groupFilter); mutually exclusive (G-RULE).
    containerFilter: null,
    editable: true,
    groupFilter: null,
    id: AD2AAD_RULE_ID,
    metadata: [{ key: 'supportsProvisionOnDemand', value: 'true' }],
    name: INBOUND_RULE_NAME,
    objectMappings: [ad2aadUserMapping(), ad2aadGroupMapping()],
    priority: 1,
    sourceDirectoryName: AD_DIRECTORY_NAME,
    targetDirectoryName: AZURE_AD_DIRECTORY_NAME,
  };
}

export function ad2aadDefaultSchema(): SynchronizationSchemaT {
  return { version: 'v1.0', directories: [adDirectoryDefinition(), azureAdDirectoryDefinition()], synchronizationRules: [ad2aadRule()] };
}
