/**
 * The directory as an inbound target: the job schema's target attributes
 * (Azure AD names: `jobTitle`, `mobile`, `telephoneNumber`,
 * `extensionAttribute3`, `accountEnabled` as "True"/"False") turned into
 * Graph user properties, the user's current values in the same names (for
 * the diff), and lookups by matching attribute.
 */
import { randomBytes } from 'node:crypto';
import type { DirectoryService } from '../directory/directory-service.ts';
import type { DirectoryUser } from '../directory/port.ts';
import type { CreateUserInput, UpdateUserInput } from '../directory/model.ts';
import { parseFilter } from '../graph/odata-filter.ts';
import { userToSourceAttributes } from '../sync/templates/azure-ad-directory.ts';
import type { DirectoryUserInput } from '../sync/templates/azure-ad-directory.ts';
import type { TargetValue } from '../connectors/ports.ts';

/** Sync-schema names whose Graph property is named differently. */
const GRAPH_NAMES: Record<string, string> = {
  physicalDeliveryOfficeName: 'officeLocation',
  mobile: 'mobilePhone',
  facsimileTelephoneNumber: 'faxNumber',
  dirSyncEnabled: 'onPremisesSyncEnabled',
};

/** Graph user properties an inbound mapping may write. */
const WRITABLE = new Set([
  'userPrincipalName', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'otherMails', 'accountEnabled', 'department', 'jobTitle',
  'employeeId', 'employeeType', 'employeeHireDate', 'companyName', 'officeLocation', 'streetAddress', 'city', 'state', 'postalCode', 'country',
  'usageLocation', 'preferredLanguage', 'mobilePhone', 'businessPhones', 'faxNumber', 'userType', 'onPremisesSamAccountName', 'onPremisesImmutableId',
  'onPremisesDistinguishedName', 'onPremisesSecurityIdentifier', 'onPremisesDomainName', 'onPremisesUserPrincipalName', 'onPremisesSyncEnabled',
]);

const EXTENSION = /^extensionAttribute([1-9]|1[0-5])$/;

function text(v: TargetValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => text(x as TargetValue)).join(',');
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

function bool(v: TargetValue): boolean {
  return text(v).trim().toLowerCase() === 'true';
}

/** The Graph property written for a sync-schema attribute, or undefined when it cannot be written. */
export function graphPropertyOf(attribute: string): string | undefined {
  if (EXTENSION.test(attribute)) return `onPremisesExtensionAttributes/${attribute}`;
  if (attribute === 'telephoneNumber') return 'businessPhones';
  const name = GRAPH_NAMES[attribute] ?? attribute;
  return WRITABLE.has(name) ? name : undefined;
}

/**
 * Mapped attributes → a Graph user patch. Attributes the directory has no
 * writable property for are returned in `ignored`.
 */
export function toGraphPatch(attrs: Readonly<Record<string, TargetValue>>): { patch: UpdateUserInput; ignored: string[] } {
  const patch: Record<string, unknown> = {};
  const ignored: string[] = [];
  const ext: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(attrs)) {
    const m = EXTENSION.exec(name);
    if (m) {
      ext[name] = text(value);
      continue;
    }
    const prop = graphPropertyOf(name);
    if (!prop) {
      ignored.push(name);
      continue;
    }
    if (prop === 'accountEnabled' || prop === 'onPremisesSyncEnabled') patch[prop] = bool(value);
    else if (prop === 'businessPhones') patch[prop] = [text(value)];
    else if (prop === 'otherMails') patch[prop] = Array.isArray(value) ? value.map((x) => text(x as TargetValue)) : [text(value)];
    else patch[prop] = text(value);
  }
  if (Object.keys(ext).length) patch.onPremisesExtensionAttributes = ext;
  return { patch: patch as UpdateUserInput, ignored };
}

/** A user's current values under the sync schema's names (the same bag an outbound job reads). */
export function currentAttributes(user: DirectoryUser): Record<string, unknown> {
  return userToSourceAttributes({ ...(user as unknown as DirectoryUserInput), managerId: user.managerId, isSoftDeleted: false }) as Record<string, unknown>;
}

/** Comparable text of a value, booleans as True/False (how mappings yield them). */
export function comparable(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return /^(true|false)$/i.test(v) ? (v.toLowerCase() === 'true' ? 'True' : 'False') : v;
  if (Array.isArray(v)) return v.length === 1 ? comparable(v[0]) : JSON.stringify(v);
  return JSON.stringify(v);
}

/** A password for a new user: Entra sets a random one (logged as [Redacted]). */
export function randomPassword(): string {
  return `${randomBytes(18).toString('base64url')}aA1!`;
}

export class DirectoryTarget {
  constructor(private readonly directory: DirectoryService) {}

  /** The live user whose `attribute` (sync-schema name) equals `value`, if exactly one does. */
  async findBy(attribute: string, value: string): Promise<DirectoryUser | undefined> {
    if (attribute === 'objectId') return this.get(value);
    const prop = graphPropertyOf(attribute);
    if (!prop || prop === 'accountEnabled' || prop === 'onPremisesSyncEnabled') return undefined;
    const literal = `'${value.replace(/'/g, "''")}'`;
    const filter = prop === 'businessPhones' || prop === 'otherMails' ? `${prop}/any(x: x eq ${literal})` : `${prop} eq ${literal}`;
    const res = await this.directory.listUsers({ filter: parseFilter(filter), top: 2 });
    return res.items.length === 1 ? res.items[0] : res.items[0];
  }

  async get(id: string): Promise<DirectoryUser | undefined> {
    const [u] = await this.directory.getUsersByIds([id]);
    return u && !u.deletedDateTime ? u : undefined;
  }

  async create(patch: UpdateUserInput): Promise<DirectoryUser> {
    const input = { ...patch, passwordProfile: { password: randomPassword(), forceChangePasswordNextSignIn: true } } as CreateUserInput;
    const u = await this.directory.createUser(input);
    return { ...u, managerId: null };
  }

  update(id: string, patch: UpdateUserInput): Promise<string[]> {
    return this.directory.updateUser(id, patch);
  }

  setManager(userId: string, managerId: string): Promise<void> {
    return this.directory.setManager(userId, managerId);
  }

  softDelete(id: string): Promise<void> {
    return this.directory.deleteUser(id);
  }
}
