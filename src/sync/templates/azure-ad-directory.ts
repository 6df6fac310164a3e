/**
 * The source side of every outbound template: the directory definition Entra
 * calls `Azure Active Directory`, with the `User` and `Group` objects and the
 * attribute names its synchronization schema uses (which are the old Azure AD
 * Graph / AD names — `objectId`, `surname`, `mobile`, `telephoneNumber`,
 * `physicalDeliveryOfficeName` — not the Microsoft Graph property names), and
 * the functions that turn a Graph-shaped directory object into the attribute
 * bag expressions read.
 *
 * Sources: the objectDefinition sample of Graph's v1.0 resource page (the
 * Entra `User` object: attribute names, types, required flags and metadata),
 * shared/reference/graph-sync-api.md §3.4.1, entra-behavior.md §3.2.
 */
import type { AttributeDefinitionT, DirectoryDefinitionT } from '../../graph/sync-schemas.ts';
import { attributeDefinition as attr, objectDefinition } from './builders.ts';

/** The directory name every Entra outbound rule uses as `sourceDirectoryName`. */
export const AZURE_AD_DIRECTORY_NAME = 'Azure Active Directory';

/** Fixed id of the source directory definition (Graph directory ids are GUIDs). */
export const AZURE_AD_DIRECTORY_ID = 'ebbbe856-acc8-4550-b373-741c4f197216';

/** Object names in the source directory. */
export const AZURE_AD_USER_OBJECT = 'User';
export const AZURE_AD_GROUP_OBJECT = 'Group';

/** `extensionAttribute1` … `extensionAttribute15` (Exchange custom attributes, `onPremisesExtensionAttributes`). */
export const EXTENSION_ATTRIBUTE_NAMES: readonly string[] = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

function userAttributes(): AttributeDefinitionT[] {
  // `required` follows Graph's published Entra User objectDefinition sample;
  // it has no effect on a source directory but tools read it back.
  return [
    attr('objectId', { anchor: true }),
    attr('IsSoftDeleted', { type: 'Boolean', required: true }),
    attr('accountEnabled', { type: 'Boolean', required: true }),
    attr('userPrincipalName', { required: true }),
    attr('originalUserPrincipalName'),
    attr('displayName', { required: true }),
    attr('givenName'),
    attr('surname', { required: true }),
    attr('mail'),
    attr('mailNickname'),
    attr('otherMails', { multivalued: true }),
    attr('proxyAddresses', { multivalued: true }),
    attr('department'),
    attr('jobTitle'),
    attr('employeeId'),
    attr('employeeType'),
    attr('employeeHireDate', { type: 'DateTime' }),
    attr('companyName'),
    attr('physicalDeliveryOfficeName'),
    attr('streetAddress'),
    attr('city'),
    attr('state'),
    attr('postalCode'),
    attr('country'),
    attr('usageLocation'),
    attr('preferredLanguage', { required: true }),
    attr('mobile'),
    attr('telephoneNumber'),
    attr('facsimileTelephoneNumber'),
    attr('userType'),
    attr('manager', { type: 'Reference', references: [AZURE_AD_USER_OBJECT] }),
    attr('dirSyncEnabled', { type: 'Boolean' }),
    attr('onPremisesSamAccountName'),
    attr('onPremisesImmutableId'),
    attr('onPremisesDistinguishedName'),
    attr('onPremisesSecurityIdentifier'),
    attr('onPremisesDomainName'),
    attr('onPremisesUserPrincipalName'),
    ...EXTENSION_ATTRIBUTE_NAMES.map((name) => attr(name)),
    // Entra models appRoleAssignments as a Reference carrying a
    // ComplexObjectDefinition; here it is a multi-valued attribute whose
    // values the role functions (SingleAppRoleAssignment, …) interpret.
    attr('appRoleAssignments', { multivalued: true }),
  ];
}

function groupAttributes(): AttributeDefinitionT[] {
  return [
    attr('objectId', { anchor: true }),
    attr('IsSoftDeleted', { type: 'Boolean', required: true }),
    attr('displayName', { required: true }),
    attr('mailNickname'),
    attr('mail'),
    attr('description'),
    attr('securityEnabled', { type: 'Boolean' }),
    attr('mailEnabled', { type: 'Boolean' }),
    attr('groupTypes', { multivalued: true }),
    attr('proxyAddresses', { multivalued: true }),
    attr('members', { type: 'Reference', multivalued: true, references: [AZURE_AD_USER_OBJECT, AZURE_AD_GROUP_OBJECT] }),
    attr('appRoleAssignments', { multivalued: true }),
  ];
}

/**
 * The `Azure Active Directory` directory definition. Returns a new object on
 * every call, so callers may edit it (e.g. add directory extension attributes).
 */
export function azureAdDirectoryDefinition(): DirectoryDefinitionT {
  return {
    id: AZURE_AD_DIRECTORY_ID,
    // Provisio's own directory is not discovered: its schema is fixed here.
    discoverabilities: 'None',
    discoveryDateTime: null,
    name: AZURE_AD_DIRECTORY_NAME,
    objects: [
      objectDefinition(AZURE_AD_USER_OBJECT, userAttributes(), {
        IsSoftDeletionSupported: 'true',
        ConnectorDataStorageRequired: 'true',
        IsSynchronizeAllSupported: 'true',
        PropertyNameAccountEnabled: 'accountEnabled',
        PropertyNameSoftDeleted: 'IsSoftDeleted',
      }),
      // Groups have no accountEnabled, so no PropertyNameAccountEnabled.
      objectDefinition(AZURE_AD_GROUP_OBJECT, groupAttributes(), {
        IsSoftDeletionSupported: 'true',
        ConnectorDataStorageRequired: 'true',
        IsSynchronizeAllSupported: 'true',
        PropertyNameSoftDeleted: 'IsSoftDeleted',
      }),
    ],
    // Admins add directory extension attributes to this definition through
    // PUT …/schema, so it is not read-only.
    readOnly: false,
    version: null,
  };
}

// ---------------------------------------------------------------------------
// Graph object → attribute bag

/** One app role assignment of a user or group to the job's service principal, as the engine supplies it. */
export interface AppRoleAssignmentValue {
  /** The app role's id (Graph `appRoleAssignment.appRoleId`). */
  id: string;
  /** The app role's `value` (what SCIM `roles[…].value` carries). */
  value: string | null;
  /** The app role's `displayName`. */
  displayName: string | null;
}

/** The Graph `onPremisesExtensionAttributes` complex type. */
export type OnPremisesExtensionAttributes = Partial<Record<`extensionAttribute${number}`, string | null>>;

/**
 * A directory user as Microsoft Graph shapes it (the properties provisioning
 * reads), plus what the engine computes: soft-delete state, the manager's id
 * and the user's app role assignments to this application.
 */
export interface DirectoryUserInput {
  id: string;
  userPrincipalName?: string | null;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  mailNickname?: string | null;
  otherMails?: readonly string[] | null;
  proxyAddresses?: readonly string[] | null;
  accountEnabled?: boolean | null;
  department?: string | null;
  jobTitle?: string | null;
  employeeId?: string | null;
  employeeType?: string | null;
  /** ISO 8601 (Graph `DateTimeOffset`). */
  employeeHireDate?: string | null;
  companyName?: string | null;
  officeLocation?: string | null;
  streetAddress?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  country?: string | null;
  usageLocation?: string | null;
  preferredLanguage?: string | null;
  mobilePhone?: string | null;
  businessPhones?: readonly string[] | null;
  faxNumber?: string | null;
  userType?: string | null;
  onPremisesSyncEnabled?: boolean | null;
  onPremisesSamAccountName?: string | null;
  onPremisesImmutableId?: string | null;
  onPremisesDistinguishedName?: string | null;
  onPremisesSecurityIdentifier?: string | null;
  onPremisesDomainName?: string | null;
  onPremisesUserPrincipalName?: string | null;
  onPremisesExtensionAttributes?: OnPremisesExtensionAttributes | null;
  /** Engine: unassigned, out of scope or deleted (see {@link userToSourceAttributes}). */
  isSoftDeleted?: boolean;
  /** Engine: the manager's object id. */
  managerId?: string | null;
  /** Engine: the user's assignments to the job's application. */
  appRoleAssignments?: readonly AppRoleAssignmentValue[] | null;
}

/** A directory group as Microsoft Graph shapes it, plus engine-computed members and assignments. */
export interface DirectoryGroupInput {
  id: string;
  displayName?: string | null;
  mailNickname?: string | null;
  mail?: string | null;
  description?: string | null;
  securityEnabled?: boolean | null;
  mailEnabled?: boolean | null;
  groupTypes?: readonly string[] | null;
  proxyAddresses?: readonly string[] | null;
  /** Engine: deleted or out of scope. */
  isSoftDeleted?: boolean;
  /** Engine: object ids of direct members (users and groups). */
  memberIds?: readonly string[] | null;
  /** Engine: the group's assignments to the job's application. */
  appRoleAssignments?: readonly AppRoleAssignmentValue[] | null;
}

/** A value in the attribute bag: strings, JSON booleans for Boolean attributes, arrays for multi-valued ones. */
export type SourceAttributeValue = string | boolean | readonly string[] | readonly AppRoleAssignmentValue[];

/**
 * Attribute name (as in the sync schema) → value. An absent key means the
 * attribute is null: Entra skips null attributes (entra-behavior.md §3.2),
 * and the expression vectors use the same convention.
 */
export type SourceAttributeBag = Record<string, SourceAttributeValue>;

function put(bag: SourceAttributeBag, name: string, value: string | boolean | null | undefined): void {
  if (value !== null && value !== undefined) bag[name] = value;
}

// An empty multi-valued attribute is null too. Copies keep the bag
// independent of the input object.
function putStrings(bag: SourceAttributeBag, name: string, values: readonly string[] | null | undefined): void {
  if (values && values.length > 0) bag[name] = [...values];
}

function putAssignments(bag: SourceAttributeBag, values: readonly AppRoleAssignmentValue[] | null | undefined): void {
  if (values && values.length > 0) bag['appRoleAssignments'] = values.map((a) => ({ ...a }));
}

const B2B_MARKER = '#EXT#@';

/**
 * Entra strips `#EXT#` and the inviting tenant's domain from a B2B guest's
 * UPN when `userPrincipalName` is read for provisioning
 * (`alias_theirdomain#EXT#@yourdomain` → `alias@theirdomain`,
 * how-provisioning-works.md). The last `_` before the marker stands for `@`.
 */
export function stripGuestUpn(upn: string): string {
  const at = upn.indexOf(B2B_MARKER);
  if (at < 0) return upn;
  const local = upn.slice(0, at);
  const underscore = local.lastIndexOf('_');
  if (underscore < 0) return local;
  return `${local.slice(0, underscore)}@${local.slice(underscore + 1)}`;
}

/**
 * The source attribute bag of a user: Graph property names → sync-schema
 * names (`surname`, `mobile` ← mobilePhone, `telephoneNumber` ←
 * businessPhones[0], `physicalDeliveryOfficeName` ← officeLocation, …).
 *
 * `IsSoftDeleted` is true when the engine says so or when sign-in is blocked:
 * Entra counts `accountEnabled = false` as soft-deleted for provisioning
 * (customize-application-attributes.md).
 */
export function userToSourceAttributes(user: DirectoryUserInput): SourceAttributeBag {
  const bag: SourceAttributeBag = {};
  put(bag, 'objectId', user.id);
  put(bag, 'IsSoftDeleted', user.isSoftDeleted === true || user.accountEnabled === false);
  put(bag, 'accountEnabled', user.accountEnabled);
  if (user.userPrincipalName !== null && user.userPrincipalName !== undefined) {
    put(bag, 'userPrincipalName', stripGuestUpn(user.userPrincipalName));
    put(bag, 'originalUserPrincipalName', user.userPrincipalName);
  }
  put(bag, 'displayName', user.displayName);
  put(bag, 'givenName', user.givenName);
  put(bag, 'surname', user.surname);
  put(bag, 'mail', user.mail);
  put(bag, 'mailNickname', user.mailNickname);
  putStrings(bag, 'otherMails', user.otherMails);
  putStrings(bag, 'proxyAddresses', user.proxyAddresses);
  put(bag, 'department', user.department);
  put(bag, 'jobTitle', user.jobTitle);
  put(bag, 'employeeId', user.employeeId);
  put(bag, 'employeeType', user.employeeType);
  put(bag, 'employeeHireDate', user.employeeHireDate);
  put(bag, 'companyName', user.companyName);
  put(bag, 'physicalDeliveryOfficeName', user.officeLocation);
  put(bag, 'streetAddress', user.streetAddress);
  put(bag, 'city', user.city);
  put(bag, 'state', user.state);
  put(bag, 'postalCode', user.postalCode);
  put(bag, 'country', user.country);
  put(bag, 'usageLocation', user.usageLocation);
  put(bag, 'preferredLanguage', user.preferredLanguage);
  put(bag, 'mobile', user.mobilePhone);
  // Graph's businessPhones is a collection but "only one number can be set".
  put(bag, 'telephoneNumber', user.businessPhones?.[0]);
  put(bag, 'facsimileTelephoneNumber', user.faxNumber);
  put(bag, 'userType', user.userType);
  put(bag, 'manager', user.managerId);
  put(bag, 'dirSyncEnabled', user.onPremisesSyncEnabled);
  put(bag, 'onPremisesSamAccountName', user.onPremisesSamAccountName);
  put(bag, 'onPremisesImmutableId', user.onPremisesImmutableId);
  put(bag, 'onPremisesDistinguishedName', user.onPremisesDistinguishedName);
  put(bag, 'onPremisesSecurityIdentifier', user.onPremisesSecurityIdentifier);
  put(bag, 'onPremisesDomainName', user.onPremisesDomainName);
  put(bag, 'onPremisesUserPrincipalName', user.onPremisesUserPrincipalName);
  const ext = user.onPremisesExtensionAttributes;
  if (ext) for (const name of EXTENSION_ATTRIBUTE_NAMES) put(bag, name, ext[name as keyof OnPremisesExtensionAttributes]);
  putAssignments(bag, user.appRoleAssignments);
  return bag;
}

/** The source attribute bag of a group (`objectId` ← id, `members` ← the engine's member ids). */
export function groupToSourceAttributes(group: DirectoryGroupInput): SourceAttributeBag {
  const bag: SourceAttributeBag = {};
  put(bag, 'objectId', group.id);
  put(bag, 'IsSoftDeleted', group.isSoftDeleted === true);
  put(bag, 'displayName', group.displayName);
  put(bag, 'mailNickname', group.mailNickname);
  put(bag, 'mail', group.mail);
  put(bag, 'description', group.description);
  put(bag, 'securityEnabled', group.securityEnabled);
  put(bag, 'mailEnabled', group.mailEnabled);
  putStrings(bag, 'groupTypes', group.groupTypes);
  putStrings(bag, 'proxyAddresses', group.proxyAddresses);
  putStrings(bag, 'members', group.memberIds);
  putAssignments(bag, group.appRoleAssignments);
  return bag;
}
