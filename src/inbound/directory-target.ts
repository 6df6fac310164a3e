/**
 * The directory as an inbound target: the job schema's target attributes
 * (Azure AD names: `jobTitle`, `mobile`, `telephoneNumber`,
 * `extensionAttribute3`, `accountEnabled` as "True"/"False") turned into
 * Graph user properties, the user's current values in the same names (for
 * the diff), and lookups by matching attribute.
 */
import { randomBytes } from 'node:crypto';
import type { DirectoryService } from '../directory/directory-service.ts';
import type { DirectoryGroup, DirectoryUser } from '../directory/port.ts';
import type { CreateGroupInput, CreateUserInput, UpdateGroupInput, UpdateUserInput } from '../directory/model.ts';
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
  constructor(protected readonly directory: DirectoryService) {}

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

  // ---------------------------------------------------------------- groups

  async getGroup(id: string): Promise<DirectoryGroup | undefined> {
    const [g] = await this.directory.getGroupsByIds([id]);
    return g && !g.deletedDateTime ? g : undefined;
  }

  createGroup(input: CreateGroupInput): Promise<DirectoryGroup> {
    return this.directory.createGroup(input);
  }

  updateGroup(id: string, patch: UpdateGroupInput): Promise<string[]> {
    return this.directory.updateGroup(id, patch);
  }

  deleteGroup(id: string): Promise<void> {
    return this.directory.deleteGroup(id);
  }

  /** The ids of the group's live direct members (users and groups). */
  async memberIds(groupId: string): Promise<Set<string>> {
    const out = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.directory.listLinks(groupId, 'member', 999, after);
      for (const o of page.items) out.add(o.kind === 'user' ? o.user.id : o.group.id);
      if (!page.next) return out;
      after = page.next;
    }
  }

  addMember(groupId: string, memberId: string): Promise<void> {
    return this.directory.addLink(groupId, 'member', memberId);
  }

  removeMember(groupId: string, memberId: string): Promise<void> {
    return this.directory.removeLink(groupId, 'member', memberId);
  }
}

/**
 * The directory target with a per-batch cache: users by id and users by
 * the value of a matching attribute, filled in bulk before a batch
 * (`prefetch*`), kept right across the batch's own writes (a write drops
 * the user it touched; a create registers the new user's values), and
 * emptied between batches (`reset`), so that nothing outlives the batch.
 */
export class CachingTarget extends DirectoryTarget {
  private readonly users = new Map<string, DirectoryUser | null>();
  private readonly byValue = new Map<string, string | null>();
  private readonly attrs = new Set<string>();


  reset(): void {
    this.users.clear();
    this.byValue.clear();
    this.attrs.clear();
  }

  private key(attribute: string, value: string): string {
    return `${attribute}\u0000${value.toLowerCase()}`;
  }

  /** Loads these users (by id) into the cache. */
  async prefetchIds(ids: readonly string[]): Promise<void> {
    const want = [...new Set(ids)].filter((id) => !this.users.has(id));
    if (!want.length) return;
    const found = await this.directory.getUsersByIds(want);
    for (const id of want) this.users.set(id, null);
    for (const u of found) this.users.set(u.id, u.deletedDateTime ? null : u);
  }

  /** Loads the live users whose `attribute` is one of `values`, in chunks of 100 (an `in` filter on the attribute's index). */
  async prefetchBy(attribute: string, values: readonly string[]): Promise<void> {
    const prop = graphPropertyOf(attribute);
    if (!prop || prop.includes('/') || prop === 'businessPhones' || prop === 'otherMails' || prop === 'accountEnabled' || prop === 'onPremisesSyncEnabled') return;
    this.attrs.add(attribute);
    const want = [...new Set(values.filter((v) => v !== ''))].filter((v) => !this.byValue.has(this.key(attribute, v)));
    for (let i = 0; i < want.length; i += 100) {
      const chunk = want.slice(i, i + 100);
      const filter = { type: 'in' as const, path: prop, values: chunk.map((v) => ({ kind: 'string' as const, value: v })), pos: 0 };
      const res = await this.directory.listUsers({ filter, top: 999 });
      for (const v of chunk) this.byValue.set(this.key(attribute, v), null);
      for (const u of res.items) {
        const v = currentAttributes(u)[attribute];
        if (typeof v !== 'string') continue;
        const k = this.key(attribute, v);
        if (!this.byValue.get(k)) this.byValue.set(k, u.id);
        this.users.set(u.id, u);
      }
    }
  }

  override async get(id: string): Promise<DirectoryUser | undefined> {
    if (this.users.has(id)) return this.users.get(id) ?? undefined;
    const u = await super.get(id);
    this.users.set(id, u ?? null);
    return u;
  }

  override async findBy(attribute: string, value: string): Promise<DirectoryUser | undefined> {
    const k = this.key(attribute, value);
    if (this.byValue.has(k)) {
      const id = this.byValue.get(k);
      return id ? this.get(id) : undefined;
    }
    return super.findBy(attribute, value);
  }

  override async create(patch: UpdateUserInput): Promise<DirectoryUser> {
    const u = await super.create(patch);
    this.users.set(u.id, u);
    const bag = currentAttributes(u);
    for (const a of this.attrs) {
      const v = bag[a];
      if (typeof v === 'string') this.byValue.set(this.key(a, v), u.id);
    }
    return u;
  }

  override async update(id: string, patch: UpdateUserInput): Promise<string[]> {
    this.users.delete(id);
    const touched = Object.keys(patch);
    if ([...this.attrs].some((a) => touched.includes(graphPropertyOf(a) ?? ''))) this.byValue.clear();
    return super.update(id, patch);
  }

  override async setManager(userId: string, managerId: string): Promise<void> {
    this.users.delete(userId);
    return super.setManager(userId, managerId);
  }

  override async softDelete(id: string): Promise<void> {
    this.users.delete(id);
    for (const [k, v] of this.byValue) if (v === id) this.byValue.delete(k);
    return super.softDelete(id);
  }
}
