/**
 * The non-gallery SCIM 2.0 template (job template `scim`): the target
 * directory Entra calls `customappsso`, and the default synchronization rule
 * with Entra's default user and group mappings for a custom SCIM app.
 *
 * Target attribute names are written exactly as Entra writes them, filter
 * paths and URN prefixes included (`emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`); the
 * SCIM client turns them into PATCH paths verbatim (entra-behavior.md §6.3).
 *
 * Sources: entra-behavior.md §3.4–3.6 and §6; use-scim-to-provision-users-and-groups.md
 * (default group mappings, `active` ← IsSoftDeleted); Graph objectMapping and
 * synchronizationRule resource pages (member defaults, metadata keys).
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
import {
  AZURE_AD_DIRECTORY_NAME,
  AZURE_AD_GROUP_OBJECT,
  AZURE_AD_USER_OBJECT,
  azureAdDirectoryDefinition,
} from './azure-ad-directory.ts';

/** The target directory name Entra gives custom (non-gallery) SCIM apps. */
export const SCIM_DIRECTORY_NAME = 'customappsso';

/** Fixed id of the `customappsso` directory definition. */
export const SCIM_DIRECTORY_ID = 'fd61391d-554f-4598-97cf-1914d92caaef';

/** Fixed id of the default rule; provisionOnDemand callers pass it as `ruleId`. */
export const SCIM_RULE_ID = '27125c6e-5896-43a8-9536-8a5613aeaedd';

/**
 * Rule name. Entra names an outbound rule after what it carries;
 * `USERGROUP_OUTBOUND_USERGROUP` is the name it gives SCIM-based apps that
 * provision users and groups (AWS IAM Identity Center template capture).
 */
export const SCIM_RULE_NAME = 'USERGROUP_OUTBOUND_USERGROUP';

/** Target object names in `customappsso`. */
export const SCIM_USER_OBJECT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_GROUP_OBJECT = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** Object mapping names, as Graph returns them (the portal now says "Microsoft Entra ID"). */
export const SCIM_USER_MAPPING_NAME = 'Provision Azure Active Directory Users';
export const SCIM_GROUP_MAPPING_NAME = 'Provision Azure Active Directory Groups';

/** The SCIM enterprise user extension URN; its attributes are addressed as `<urn>:<name>`. */
export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** `addresses[type eq "work"].locality` etc.: a sub-attribute of one typed element of a multi-valued complex attribute. */
function typed(attribute: string, type: string, sub: string): string {
  return `${attribute}[type eq "${type}"].${sub}`;
}

const ADDRESS_PARTS = ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country'] as const;

function scimUserAttributes(): AttributeDefinitionT[] {
  return [
    // The SCIM `id` the service provider assigns is what the service caches
    // and addresses later calls with (/Users/{id}); it is never written.
    attr('id', { anchor: true, caseExact: true, mutability: 'ReadOnly' }),
    attr('userName', { required: true }),
    attr('active', { type: 'Boolean' }),
    attr('displayName'),
    attr('nickName'),
    attr('title'),
    attr('userType'),
    attr('preferredLanguage'),
    attr('locale'),
    attr('timezone'),
    attr('profileUrl'),
    attr('externalId'),
    attr('name.givenName'),
    attr('name.familyName'),
    attr('name.formatted'),
    attr('name.middleName'),
    attr('name.honorificPrefix'),
    attr('name.honorificSuffix'),
    attr(typed('emails', 'work', 'value')),
    attr(typed('emails', 'home', 'value')),
    attr(typed('emails', 'other', 'value')),
    ...ADDRESS_PARTS.map((part) => attr(typed('addresses', 'work', part))),
    ...ADDRESS_PARTS.map((part) => attr(typed('addresses', 'home', part))),
    attr(typed('addresses', 'other', 'formatted')),
    attr(typed('phoneNumbers', 'work', 'value')),
    attr(typed('phoneNumbers', 'mobile', 'value')),
    attr(typed('phoneNumbers', 'fax', 'value')),
    attr(typed('phoneNumbers', 'home', 'value')),
    attr(typed('phoneNumbers', 'other', 'value')),
    attr(typed('phoneNumbers', 'pager', 'value')),
    // SingleAppRoleAssignment targets (customize-application-attributes.md).
    attr('roles[primary eq "True"].display'),
    attr('roles[primary eq "True"].type'),
    attr('roles[primary eq "True"].value'),
    attr(`${ENTERPRISE_USER_URN}:employeeNumber`),
    attr(`${ENTERPRISE_USER_URN}:costCenter`),
    attr(`${ENTERPRISE_USER_URN}:organization`),
    attr(`${ENTERPRISE_USER_URN}:division`),
    attr(`${ENTERPRISE_USER_URN}:department`),
    attr(`${ENTERPRISE_USER_URN}:manager`, { type: 'Reference', references: [SCIM_USER_OBJECT] }),
  ];
}

function scimGroupAttributes(): AttributeDefinitionT[] {
  return [
    attr('id', { anchor: true, caseExact: true, mutability: 'ReadOnly' }),
    // Entra matches groups on displayName, so a SCIM app must keep it unique.
    attr('displayName', { required: true }),
    attr('externalId'),
    attr('members', { type: 'Reference', multivalued: true, references: [SCIM_USER_OBJECT, SCIM_GROUP_OBJECT] }),
  ];
}

/** The `customappsso` directory definition; a new object on every call. */
export function scimDirectoryDefinition(): DirectoryDefinitionT {
  return {
    id: SCIM_DIRECTORY_ID,
    // The non-gallery SCIM app does not discover the target schema
    // (entra-behavior.md §6.7 #15); admins edit the attribute list.
    discoverabilities: 'None',
    discoveryDateTime: null,
    name: SCIM_DIRECTORY_NAME,
    objects: [
      // User: soft delete is `active` = False, so a disable is a PATCH, not a DELETE.
      objectDefinition(SCIM_USER_OBJECT, scimUserAttributes(), {
        IsSoftDeletionSupported: 'true',
        ConnectorDataStorageRequired: 'true',
        IsSynchronizeAllSupported: 'true',
        PropertyNameAccountEnabled: 'active',
      }),
      // Group: no `active`; an out-of-scope group is deleted.
      objectDefinition(SCIM_GROUP_OBJECT, scimGroupAttributes(), {
        IsSoftDeletionSupported: 'false',
        ConnectorDataStorageRequired: 'true',
        IsSynchronizeAllSupported: 'true',
      }),
    ],
    readOnly: false,
    version: null,
  };
}

/**
 * Object-mapping metadata as Graph serialises it: values are strings, and
 * enum-valued ones are JSON strings (`"\"Normal\""`). `OriginalJoiningProperty`
 * names the source attribute of the first matching mapping.
 */
function objectMappingMetadata(joiningProperty: string): NonNullable<ObjectMappingT['metadata']> {
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
 * `active` ← `Switch([IsSoftDeleted], , "False", "True", "True", "False")`:
 * Entra's default, which yields the strings "True"/"False" (hence the
 * string-valued PATCH of `active`, entra-behavior.md §3.5, §6.4).
 */
function activeFromSoftDeleted() {
  return fn('Switch', [
    ['source', src('IsSoftDeleted')],
    null, // defaultValue omitted
    ['switchValue', str('False')],
    ['switchValue', str('True')],
    ['switchValue', str('True')],
    ['switchValue', str('False')],
  ]);
}

function userMapping(): ObjectMappingT {
  const work = (part: string) => typed('addresses', 'work', part);
  return {
    attributeMappings: [
      map('userName', src('userPrincipalName'), { matchingPriority: 1 }),
      map('active', activeFromSoftDeleted()),
      map('displayName', src('displayName')),
      map('title', src('jobTitle')),
      map(typed('emails', 'work', 'value'), src('mail')),
      map('preferredLanguage', src('preferredLanguage')),
      map('name.givenName', src('givenName')),
      map('name.familyName', src('surname')),
      map('name.formatted', fn('Join', [['separator', str(' ')], ['source', src('givenName')], ['source', src('surname')]])),
      map(work('formatted'), src('physicalDeliveryOfficeName')),
      map(work('streetAddress'), src('streetAddress')),
      map(work('locality'), src('city')),
      map(work('region'), src('state')),
      map(work('postalCode'), src('postalCode')),
      map(work('country'), src('country')),
      map(typed('phoneNumbers', 'work', 'value'), src('telephoneNumber')),
      map(typed('phoneNumbers', 'mobile', 'value'), src('mobile')),
      map(typed('phoneNumbers', 'fax', 'value'), src('facsimileTelephoneNumber')),
      map('externalId', src('mailNickname')),
      map(`${ENTERPRISE_USER_URN}:employeeNumber`, src('employeeId')),
      map(`${ENTERPRISE_USER_URN}:department`, src('department')),
      map(`${ENTERPRISE_USER_URN}:manager`, src('manager')),
    ],
    enabled: true,
    flowTypes: 'Add, Update, Delete',
    metadata: objectMappingMetadata('userPrincipalName'),
    name: SCIM_USER_MAPPING_NAME,
    scope: null,
    sourceObjectName: AZURE_AD_USER_OBJECT,
    targetObjectName: SCIM_USER_OBJECT,
  };
}

function groupMapping(): ObjectMappingT {
  return {
    attributeMappings: [
      map('displayName', src('displayName'), { matchingPriority: 1 }),
      map('externalId', src('objectId')),
      map('members', src('members')),
    ],
    enabled: true,
    flowTypes: 'Add, Update, Delete',
    metadata: objectMappingMetadata('displayName'),
    name: SCIM_GROUP_MAPPING_NAME,
    scope: null,
    sourceObjectName: AZURE_AD_GROUP_OBJECT,
    targetObjectName: SCIM_GROUP_OBJECT,
  };
}

/** The default rule `Azure Active Directory` → `customappsso`; a new object on every call. */
export function scimSynchronizationRule(): SynchronizationRuleT {
  return {
    containerFilter: null,
    editable: true,
    groupFilter: null,
    id: SCIM_RULE_ID,
    metadata: [{ key: 'supportsProvisionOnDemand', value: 'true' }],
    name: SCIM_RULE_NAME,
    objectMappings: [userMapping(), groupMapping()],
    priority: 1,
    sourceDirectoryName: AZURE_AD_DIRECTORY_NAME,
    targetDirectoryName: SCIM_DIRECTORY_NAME,
  };
}

/** Schema version a fresh template schema starts at; the store bumps it on every change. */
export const SCIM_SCHEMA_VERSION = 'v1.0';

/**
 * The default schema of the `scim` template: both directories and the rule.
 * `id` is left unset: it is the template or job id, which the caller knows.
 */
export function scimDefaultSchema(): SynchronizationSchemaT {
  return {
    version: SCIM_SCHEMA_VERSION,
    directories: [azureAdDirectoryDefinition(), scimDirectoryDefinition()],
    synchronizationRules: [scimSynchronizationRule()],
  };
}
