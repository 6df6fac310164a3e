/**
 * The directory's object model: the Graph shapes of users, groups and app
 * role assignments, which properties are stored where, and the rules Graph
 * applies to their values (pure; no store access).
 */
import { errors } from '../errors/graph-error.ts';

export const EXTENSION_ATTRIBUTES = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);
export type OnPremisesExtensionAttributes = Record<string, string | null>;

/** A user as Graph shows it (every property Provisio keeps; `passwordProfile` is write-only). */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mailNickname: string | null;
  otherMails: string[];
  accountEnabled: boolean;
  department: string | null;
  jobTitle: string | null;
  employeeId: string | null;
  employeeType: string | null;
  employeeHireDate: string | null;
  companyName: string | null;
  officeLocation: string | null;
  streetAddress: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  usageLocation: string | null;
  preferredLanguage: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  faxNumber: string | null;
  userType: string | null;
  onPremisesSamAccountName: string | null;
  onPremisesImmutableId: string | null;
  onPremisesDistinguishedName: string | null;
  onPremisesSecurityIdentifier: string | null;
  onPremisesDomainName: string | null;
  onPremisesUserPrincipalName: string | null;
  onPremisesSyncEnabled: boolean | null;
  onPremisesExtensionAttributes: OnPremisesExtensionAttributes;
  createdDateTime: string;
  deletedDateTime: string | null;
}

/** Graph's passwordProfile. The password itself is checked and then dropped (docs/directory.md). */
export interface PasswordProfile {
  password?: string | null;
  forceChangePasswordNextSignIn?: boolean;
  forceChangePasswordNextSignInWithMfa?: boolean;
}

type Writable<T> = Omit<T, 'id' | 'createdDateTime' | 'deletedDateTime' | 'otherMails' | 'businessPhones' | 'onPremisesExtensionAttributes'> & {
  /** Only the attributes given change; the others keep their value. */
  onPremisesExtensionAttributes?: Record<string, string | null | undefined>;
  /** null clears the collection, as in Graph. */
  otherMails?: string[] | null;
  businessPhones?: string[] | null;
};

/** What a create accepts: Graph's required properties plus any writable one. */
export type CreateUserInput = Partial<Writable<GraphUser>> & {
  accountEnabled: boolean;
  displayName: string;
  mailNickname: string;
  userPrincipalName: string;
  passwordProfile?: PasswordProfile;
  /** Lets the seeder and imports choose ids; Graph assigns them. */
  id?: string;
};

export type UpdateUserInput = Partial<Writable<GraphUser>> & { passwordProfile?: PasswordProfile };

export interface GraphGroup {
  id: string;
  displayName: string | null;
  description: string | null;
  mail: string | null;
  mailNickname: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
  createdDateTime: string;
  deletedDateTime: string | null;
}

export type CreateGroupInput = {
  displayName: string;
  mailEnabled: boolean;
  mailNickname: string;
  securityEnabled: boolean;
  description?: string | null;
  groupTypes?: string[];
  visibility?: string | null;
  id?: string;
};

export type UpdateGroupInput = Partial<Pick<GraphGroup, 'displayName' | 'description' | 'mailNickname' | 'visibility'>> & {
  mailEnabled?: boolean;
  securityEnabled?: boolean;
  groupTypes?: string[];
};

export type PrincipalType = 'User' | 'Group' | 'ServicePrincipal';

/** Graph's appRoleAssignment. */
export interface GraphAppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  deletedDateTime: null;
  principalDisplayName: string | null;
  principalId: string;
  principalType: PrincipalType;
  resourceDisplayName: string | null;
  resourceId: string;
}

/** The "default access" role every application has (Graph: the all-zero GUID). */
export const DEFAULT_APP_ROLE_ID = '00000000-0000-0000-0000-000000000000';

// ---------------------------------------------------------------- storage

export type PropKind = 'string' | 'boolean' | 'dateTime' | 'strings' | 'id';

/** Where a filterable property is kept: a column of the object's table, or rows of dir_values. */
export interface PropSpec {
  name: string;
  kind: PropKind;
  column?: string;
  side?: boolean;
}

const spec = (name: string, kind: PropKind, column?: string): PropSpec => (column ? { name, kind, column } : { name, kind, side: true });

/** User properties `$filter` understands, and where each is kept. */
export const USER_FILTER_PROPS: readonly PropSpec[] = [
  spec('id', 'id', 'id'),
  spec('userPrincipalName', 'string', 'upn_lc'),
  spec('displayName', 'string', 'display_name_lc'),
  spec('givenName', 'string', 'given_name_lc'),
  spec('surname', 'string', 'surname_lc'),
  spec('mail', 'string', 'mail_lc'),
  spec('mailNickname', 'string', 'mail_nickname_lc'),
  spec('employeeId', 'string', 'employee_id_lc'),
  spec('accountEnabled', 'boolean', 'account_enabled'),
  spec('createdDateTime', 'dateTime', 'created_at'),
  spec('employeeHireDate', 'dateTime', 'employee_hire_date'),
  spec('companyName', 'string', 'company_name_lc'),
  spec('officeLocation', 'string', 'office_location_lc'),
  spec('streetAddress', 'string', 'street_address_lc'),
  spec('city', 'string', 'city_lc'),
  spec('state', 'string', 'state_lc'),
  spec('postalCode', 'string', 'postal_code_lc'),
  spec('country', 'string', 'country_lc'),
  spec('usageLocation', 'string', 'usage_location_lc'),
  spec('preferredLanguage', 'string', 'preferred_language_lc'),
  spec('userType', 'string', 'user_type_lc'),
  spec('employeeType', 'string', 'employee_type_lc'),
  ...[
    'department', 'jobTitle', 'mobilePhone', 'faxNumber', 'onPremisesSamAccountName', 'onPremisesImmutableId', 'onPremisesDistinguishedName', 'onPremisesSecurityIdentifier',
    'onPremisesDomainName', 'onPremisesUserPrincipalName',
  ].map((n) => spec(n, 'string')),
  spec('onPremisesSyncEnabled', 'boolean'),
  spec('otherMails', 'strings'),
  spec('businessPhones', 'strings'),
  ...EXTENSION_ATTRIBUTES.map((n) => spec(`onPremisesExtensionAttributes/${n}`, 'string')),
];

export const GROUP_FILTER_PROPS: readonly PropSpec[] = [
  spec('id', 'id', 'id'),
  spec('displayName', 'string', 'display_name_lc'),
  spec('description', 'string', 'description_lc'),
  spec('mail', 'string', 'mail_lc'),
  spec('mailNickname', 'string', 'mail_nickname_lc'),
  spec('mailEnabled', 'boolean', 'mail_enabled'),
  spec('securityEnabled', 'boolean', 'security_enabled'),
  spec('createdDateTime', 'dateTime', 'created_at'),
  spec('groupTypes', 'strings'),
];

/** Every property of a user, in Graph's order (for `$select` validation). */
export const USER_PROPERTIES: readonly string[] = [
  'id', 'accountEnabled', 'businessPhones', 'city', 'companyName', 'country', 'createdDateTime', 'deletedDateTime', 'department',
  'displayName', 'employeeHireDate', 'employeeId', 'employeeType', 'faxNumber', 'givenName', 'jobTitle', 'mail', 'mailNickname',
  'mobilePhone', 'officeLocation', 'onPremisesDistinguishedName', 'onPremisesDomainName', 'onPremisesExtensionAttributes',
  'onPremisesImmutableId', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled',
  'onPremisesUserPrincipalName', 'otherMails', 'postalCode', 'preferredLanguage', 'state', 'streetAddress', 'surname',
  'usageLocation', 'userPrincipalName', 'userType',
];

/** What Graph v1.0 returns for a user when no `$select` is given. */
export const USER_DEFAULT_SELECT: readonly string[] = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname',
  'userPrincipalName', 'id',
];

export const GROUP_PROPERTIES: readonly string[] = [
  'id', 'createdDateTime', 'deletedDateTime', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname',
  'securityEnabled', 'visibility',
];

const USER_STRING_PROPS = USER_FILTER_PROPS.filter((p) => p.kind === 'string' && !p.name.includes('/')).map((p) => p.name);

export const lc = (s: string | null | undefined): string | null => (s === null || s === undefined ? null : s.toLowerCase());

/** Rows of dir_values for a user: secondary strings, multi-valued ones and extension attributes. */
export function userSideValues(u: GraphUser): { prop: string; value_lc: string }[] {
  const out = new Map<string, { prop: string; value_lc: string }>();
  const add = (prop: string, v: string | null | undefined) => {
    if (v === null || v === undefined) return;
    const value_lc = v.toLowerCase();
    out.set(`${prop}\u0000${value_lc}`, { prop, value_lc });
  };
  for (const p of USER_FILTER_PROPS) {
    if (!p.side) continue;
    if (p.kind === 'string' && !p.name.includes('/')) add(p.name, (u as unknown as Record<string, string | null>)[p.name]);
  }
  if (u.onPremisesSyncEnabled !== null) add('onPremisesSyncEnabled', String(u.onPremisesSyncEnabled));
  for (const m of u.otherMails) add('otherMails', m);
  for (const m of u.businessPhones) add('businessPhones', m);
  for (const n of EXTENSION_ATTRIBUTES) add(`onPremisesExtensionAttributes/${n}`, u.onPremisesExtensionAttributes[n]);
  return [...out.values()];
}

export function groupSideValues(g: GraphGroup): { prop: string; value_lc: string }[] {
  return [...new Set(g.groupTypes.map((t) => t.toLowerCase()))].map((value_lc) => ({ prop: 'groupTypes', value_lc }));
}

/**
 * `data` JSON without nulls and empty collections: a seeded user has ~25
 * null properties and 15 null extension attributes, half its JSON.
 * userFromRow puts them back.
 */
function compactJson(o: Record<string, unknown>): string {
  return JSON.stringify(o, (k, v: unknown) => (k !== '' && (v === null || (Array.isArray(v) && v.length === 0)) ? undefined : v));
}

const USER_NULLS: Record<string, unknown> = Object.fromEntries(
  USER_PROPERTIES.filter((p) => !['id', 'createdDateTime', 'deletedDateTime'].includes(p)).map((p) => [p, null]),
);
Object.assign(USER_NULLS, { otherMails: [], businessPhones: [] });

const GROUP_NULLS: Record<string, unknown> = { description: null, displayName: null, mail: null, mailNickname: null, visibility: null, groupTypes: [] };

/** The column values of a user row (everything but `id`, `manager_id` and timestamps). */
export function userColumns(u: GraphUser) {
  const { id: _id, createdDateTime: _c, deletedDateTime: _d, ...data } = u;
  return {
    upn_lc: u.userPrincipalName.toLowerCase(),
    display_name_lc: lc(u.displayName),
    given_name_lc: lc(u.givenName),
    surname_lc: lc(u.surname),
    mail_lc: lc(u.mail),
    mail_nickname_lc: lc(u.mailNickname),
    employee_id_lc: lc(u.employeeId),
    company_name_lc: lc(u.companyName),
    office_location_lc: lc(u.officeLocation),
    street_address_lc: lc(u.streetAddress),
    city_lc: lc(u.city),
    state_lc: lc(u.state),
    postal_code_lc: lc(u.postalCode),
    country_lc: lc(u.country),
    usage_location_lc: lc(u.usageLocation),
    preferred_language_lc: lc(u.preferredLanguage),
    user_type_lc: lc(u.userType),
    employee_type_lc: lc(u.employeeType),
    account_enabled: u.accountEnabled ? 1 : 0,
    employee_hire_date: u.employeeHireDate,
    data: compactJson(data),
  };
}

export function groupColumns(g: GraphGroup) {
  const { id: _id, createdDateTime: _c, deletedDateTime: _d, ...data } = g;
  return {
    display_name_lc: lc(g.displayName),
    description_lc: lc(g.description),
    mail_lc: lc(g.mail),
    mail_nickname_lc: lc(g.mailNickname),
    security_enabled: g.securityEnabled ? 1 : 0,
    mail_enabled: g.mailEnabled ? 1 : 0,
    data: compactJson(data),
  };
}

export function userFromRow(r: { id: string; created_at: string; deleted_at: string | null; data: string }): GraphUser {
  const d = JSON.parse(r.data) as Partial<GraphUser>;
  return {
    id: r.id, ...USER_NULLS, ...d,
    onPremisesExtensionAttributes: { ...emptyExtensionAttributes(), ...d.onPremisesExtensionAttributes },
    createdDateTime: r.created_at, deletedDateTime: r.deleted_at,
  } as GraphUser;
}

export function groupFromRow(r: { id: string; created_at: string; deleted_at: string | null; data: string }): GraphGroup {
  return { id: r.id, ...GROUP_NULLS, ...(JSON.parse(r.data) as object), createdDateTime: r.created_at, deletedDateTime: r.deleted_at } as GraphGroup;
}

function emptyExtensionAttributes(): OnPremisesExtensionAttributes {
  return Object.fromEntries(EXTENSION_ATTRIBUTES.map((n) => [n, null]));
}

// ------------------------------------------------------------- validation

const invalidValue = (prop: string, resource: 'User' | 'Group') =>
  errors.badRequest(`Invalid value specified for property '${prop}' of resource '${resource}'.`, prop);

// Entra's userPrincipalName alias: letters, digits and ' . - _ ! # ^ ~, at
// most 64 characters, no leading, trailing or doubled period.
const UPN_ALIAS = /^[A-Za-z0-9'._\-!#^~]{1,64}$/;
// Entra's mailNickname refuses spaces, @, ( ) \ [ ] " ; : < > , and non-ASCII.
const MAIL_NICKNAME = /^[\x21-\x7e]{1,64}$/;
const MAIL_NICKNAME_FORBIDDEN = /[@()\\[\]";:<>,]/;

/** Checks a userPrincipalName's form and domain (Graph accepts only the tenant's verified domains). */
export function checkUserPrincipalName(upn: string, domains: readonly string[]): void {
  const at = upn.lastIndexOf('@');
  const alias = upn.slice(0, at);
  if (at <= 0 || !UPN_ALIAS.test(alias) || alias.startsWith('.') || alias.endsWith('.') || alias.includes('..') || upn.length > 113) {
    throw invalidValue('userPrincipalName', 'User');
  }
  const domain = upn.slice(at + 1).toLowerCase();
  if (!domains.some((d) => d.toLowerCase() === domain)) {
    throw errors.badRequest(
      `The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization: ${domains.join(', ')}.`,
      'userPrincipalName',
    );
  }
}

export function checkMailNickname(nick: string, resource: 'User' | 'Group'): void {
  if (!MAIL_NICKNAME.test(nick) || MAIL_NICKNAME_FORBIDDEN.test(nick)) throw invalidValue('mailNickname', resource);
}

/** Entra's password rule: 8–256 characters with three of lower case, upper case, digits and symbols. */
export function checkPassword(password: string): void {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (password.length < 8 || password.length > 256 || classes < 3) {
    throw errors.badRequest('The specified password does not comply with password complexity requirements. Please provide a different password.', 'passwordProfile');
  }
}

function checkUserValues(u: GraphUser): void {
  if (u.usageLocation !== null && !/^[A-Za-z]{2}$/.test(u.usageLocation)) throw invalidValue('usageLocation', 'User');
  if (u.employeeHireDate !== null && Number.isNaN(Date.parse(u.employeeHireDate))) throw invalidValue('employeeHireDate', 'User');
  if (u.mail !== null && !/^[^@\s]+@[^@\s]+$/.test(u.mail)) throw invalidValue('mail', 'User');
  for (const m of u.otherMails) if (!/^[^@\s]+@[^@\s]+$/.test(m)) throw invalidValue('otherMails', 'User');
  if (u.userType !== null && u.userType !== 'Member' && u.userType !== 'Guest') throw invalidValue('userType', 'User');
}

const normalizeDate = (d: string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** Builds a new user from a create request, applying Graph's defaults and rules. */
export function newUser(input: CreateUserInput, id: string, now: string, domains: readonly string[]): GraphUser {
  checkUserPrincipalName(input.userPrincipalName, domains);
  checkMailNickname(input.mailNickname, 'User');
  if (input.passwordProfile?.password) checkPassword(input.passwordProfile.password);
  if (input.employeeHireDate && Number.isNaN(Date.parse(input.employeeHireDate))) throw invalidValue('employeeHireDate', 'User');
  const strings = Object.fromEntries(USER_STRING_PROPS.map((n) => [n, (input as Record<string, unknown>)[n] ?? null]));
  const u: GraphUser = {
    ...(strings as object),
    id,
    userPrincipalName: input.userPrincipalName,
    displayName: input.displayName,
    mailNickname: input.mailNickname,
    accountEnabled: input.accountEnabled,
    otherMails: input.otherMails ?? [],
    businessPhones: input.businessPhones ?? [],
    employeeHireDate: normalizeDate(input.employeeHireDate),
    userType: input.userType ?? 'Member',
    onPremisesSyncEnabled: input.onPremisesSyncEnabled ?? null,
    onPremisesExtensionAttributes: { ...emptyExtensionAttributes(), ...(input.onPremisesExtensionAttributes ?? {}) },
    createdDateTime: now,
    deletedDateTime: null,
  } as GraphUser;
  checkUserValues(u);
  return u;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Applies a PATCH; returns the new user and the names of the properties whose value changed. */
export function patchUser(current: GraphUser, patch: UpdateUserInput, domains: readonly string[]): { user: GraphUser; changed: string[] } {
  const next: GraphUser = { ...current, onPremisesExtensionAttributes: { ...current.onPremisesExtensionAttributes } };
  const changed: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'passwordProfile') {
      const pw = (v as PasswordProfile | null)?.password;
      if (pw) checkPassword(pw);
      continue;
    }
    let value: unknown = v;
    if (k === 'onPremisesExtensionAttributes') value = { ...next.onPremisesExtensionAttributes, ...(v as object) };
    if (k === 'employeeHireDate') {
      if (v !== null && Number.isNaN(Date.parse(String(v)))) throw invalidValue('employeeHireDate', 'User');
      value = normalizeDate(v as string | null);
    }
    if ((k === 'otherMails' || k === 'businessPhones') && v === null) value = [];
    if (!sameValue((next as unknown as Record<string, unknown>)[k], value)) {
      (next as unknown as Record<string, unknown>)[k] = value;
      changed.push(k);
    }
  }
  if (changed.includes('userPrincipalName')) checkUserPrincipalName(next.userPrincipalName, domains);
  if (changed.includes('mailNickname')) {
    if (next.mailNickname === null) throw invalidValue('mailNickname', 'User');
    checkMailNickname(next.mailNickname, 'User');
  }
  if (changed.includes('displayName') && !next.displayName) throw invalidValue('displayName', 'User');
  checkUserValues(next);
  return { user: next, changed };
}

function checkGroupShape(g: GraphGroup): void {
  for (const t of g.groupTypes) {
    if (t === 'DynamicMembership') throw errors.badRequest("Dynamic membership groups ('DynamicMembership') are not supported by Provisio's directory.", 'groupTypes');
    if (t !== 'Unified') throw invalidValue('groupTypes', 'Group');
  }
  const unified = g.groupTypes.includes('Unified');
  // Graph creates Microsoft 365 groups (mail-enabled, Unified) and security
  // groups (not mail-enabled); mail-enabled security and distribution groups
  // belong to Exchange and are refused.
  if (g.mailEnabled && !unified) {
    throw errors.badRequest('Only Microsoft 365 groups (groupTypes [\'Unified\']) can be mail-enabled; mail-enabled security and distribution groups cannot be created through this API.', 'mailEnabled');
  }
  if (unified && !g.mailEnabled) throw errors.badRequest("A Microsoft 365 group (groupTypes ['Unified']) must have mailEnabled true.", 'mailEnabled');
  if (!unified && !g.securityEnabled) throw errors.badRequest('A group that is not a Microsoft 365 group must be securityEnabled.', 'securityEnabled');
  if (g.visibility !== null && !['Public', 'Private', 'HiddenMembership'].includes(g.visibility)) throw invalidValue('visibility', 'Group');
}

/** Builds a new group; a mail-enabled group's `mail` is `mailNickname@<tenant domain>`, as Graph assigns it. */
export function newGroup(input: CreateGroupInput, id: string, now: string, domain: string): GraphGroup {
  checkMailNickname(input.mailNickname, 'Group');
  const g: GraphGroup = {
    id,
    displayName: input.displayName,
    description: input.description ?? null,
    mail: input.mailEnabled ? `${input.mailNickname}@${domain}` : null,
    mailNickname: input.mailNickname,
    mailEnabled: input.mailEnabled,
    securityEnabled: input.securityEnabled,
    groupTypes: input.groupTypes ?? [],
    visibility: input.visibility ?? null,
    createdDateTime: now,
    deletedDateTime: null,
  };
  checkGroupShape(g);
  return g;
}

export function patchGroup(current: GraphGroup, patch: UpdateGroupInput, domain: string): { group: GraphGroup; changed: string[] } {
  const next: GraphGroup = { ...current };
  const changed: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (!sameValue((next as unknown as Record<string, unknown>)[k], v)) {
      (next as unknown as Record<string, unknown>)[k] = v;
      changed.push(k);
    }
  }
  if (changed.includes('displayName') && !next.displayName) throw invalidValue('displayName', 'Group');
  if (changed.includes('mailNickname')) {
    if (next.mailNickname === null) throw invalidValue('mailNickname', 'Group');
    checkMailNickname(next.mailNickname, 'Group');
  }
  const mail = next.mailEnabled ? `${next.mailNickname}@${domain}` : null;
  if (mail !== next.mail) {
    next.mail = mail;
    changed.push('mail');
  }
  checkGroupShape(next);
  return { group: next, changed };
}

/** Microsoft 365 groups go to the recycle bin; security groups are deleted at once (Graph's rule). */
export const isSoftDeletable = (g: GraphGroup): boolean => g.groupTypes.includes('Unified');
