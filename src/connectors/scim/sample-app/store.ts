/**
 * Storage of one sample SCIM application: users and groups in memory, with
 * the indexes a SCIM service provider needs so that Entra's queries cost
 * O(1) instead of a scan (ARCHITECTURE.md: "index userName / externalId /
 * displayName, or every filtered GET scans everything and the target, not
 * the engine, sets the benchmark"):
 *
 * - users by `id`, by `userName` (unique, case-insensitive: RFC 7643 §4.1.1
 *   gives userName `caseExact: false` and `uniqueness: server`) and by
 *   `externalId` (case-sensitive, §3.1);
 * - groups by `id`, by `displayName` (unique and case-insensitive: Entra
 *   matches groups on it and requires it to be unique, entra-behavior.md
 *   §6.5) and by `externalId`.
 *
 * Group members are a set (adding a member twice keeps one). Deleting a user
 * removes it from every group. The store knows nothing about scimmy; it
 * throws {@link SampleStoreError} with a SCIM status and `scimType`.
 */
import { randomUUID } from 'node:crypto';

/** A stored resource: SCIM JSON with its `id`. */
export interface SampleRecord {
  id: string;
  [attribute: string]: unknown;
}

/** A failure with the SCIM status and scimType (RFC 7644 §3.12) to answer. */
export class SampleStoreError extends Error {
  constructor(
    readonly status: 404 | 409 | 400,
    readonly scimType: 'uniqueness' | 'invalidValue' | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'SampleStoreError';
  }
}

type Kind = 'User' | 'Group';

class Collection {
  readonly byId = new Map<string, SampleRecord>();
  /** Unique attribute (userName / displayName), lower-cased → id. */
  readonly byUnique = new Map<string, string>();
  readonly byExternalId = new Map<string, Set<string>>();

  constructor(
    readonly kind: Kind,
    readonly uniqueAttribute: 'userName' | 'displayName',
  ) {}

  uniqueKey(record: Record<string, unknown>): string | undefined {
    const v = record[this.uniqueAttribute];
    return typeof v === 'string' ? v.toLowerCase() : undefined;
  }

  put(id: string | undefined, data: Record<string, unknown>, now: string): SampleRecord {
    const existing = id === undefined ? undefined : this.byId.get(id);
    if (id !== undefined && !existing) throw new SampleStoreError(404, undefined, `${this.kind} ${id} not found`);
    const key = this.uniqueKey(data);
    if (key === undefined) throw new SampleStoreError(400, 'invalidValue', `${this.kind} requires ${this.uniqueAttribute}`);
    const holder = this.byUnique.get(key);
    if (holder !== undefined && holder !== id) {
      throw new SampleStoreError(409, 'uniqueness', `${this.uniqueAttribute} '${String(data[this.uniqueAttribute])}' is already in use`);
    }
    const newId = existing?.id ?? randomUUID();
    const created = (existing?.meta as { created?: string } | undefined)?.created ?? now;
    const { id: _ignoredId, meta: _ignoredMeta, ...rest } = data;
    const record: SampleRecord = { ...rest, id: newId, meta: { created, lastModified: now } };
    if (existing) this.unindex(existing);
    this.byId.set(newId, record);
    this.index(record);
    return record;
  }

  delete(id: string): SampleRecord {
    const existing = this.byId.get(id);
    if (!existing) throw new SampleStoreError(404, undefined, `${this.kind} ${id} not found`);
    this.unindex(existing);
    this.byId.delete(id);
    return existing;
  }

  get(id: string): SampleRecord {
    const r = this.byId.get(id);
    if (!r) throw new SampleStoreError(404, undefined, `${this.kind} ${id} not found`);
    return r;
  }

  /** Indexed lookup; `undefined` when the attribute is not indexed. */
  lookup(attribute: string, value: unknown): SampleRecord[] | undefined {
    const attr = attribute.toLowerCase();
    if (attr === 'id') {
      const r = typeof value === 'string' ? this.byId.get(value) : undefined;
      return r ? [r] : [];
    }
    if (attr === this.uniqueAttribute.toLowerCase()) {
      const id = typeof value === 'string' ? this.byUnique.get(value.toLowerCase()) : undefined;
      const r = id === undefined ? undefined : this.byId.get(id);
      return r ? [r] : [];
    }
    if (attr === 'externalid') {
      const ids = typeof value === 'string' ? this.byExternalId.get(value) : undefined;
      return ids ? [...ids].map((i) => this.byId.get(i) as SampleRecord) : [];
    }
    return undefined;
  }

  private index(r: SampleRecord): void {
    const key = this.uniqueKey(r);
    if (key !== undefined) this.byUnique.set(key, r.id);
    if (typeof r.externalId === 'string') {
      let set = this.byExternalId.get(r.externalId);
      if (!set) this.byExternalId.set(r.externalId, (set = new Set()));
      set.add(r.id);
    }
  }

  private unindex(r: SampleRecord): void {
    const key = this.uniqueKey(r);
    if (key !== undefined && this.byUnique.get(key) === r.id) this.byUnique.delete(key);
    if (typeof r.externalId === 'string') {
      const set = this.byExternalId.get(r.externalId);
      set?.delete(r.id);
      if (set && set.size === 0) this.byExternalId.delete(r.externalId);
    }
  }
}

/** The data of one sample application. */
export class SampleStore {
  readonly users = new Collection('User', 'userName');
  readonly groups = new Collection('Group', 'displayName');

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Creates (`id` undefined) or replaces a user. */
  putUser(id: string | undefined, data: Record<string, unknown>): SampleRecord {
    return this.users.put(id, data, this.now().toISOString());
  }

  /** Creates or replaces a group; members are de-duplicated by `value`. */
  putGroup(id: string | undefined, data: Record<string, unknown>): SampleRecord {
    const members = Array.isArray(data.members) ? dedupeMembers(data.members as unknown[]) : undefined;
    const next = { ...data };
    if (members === undefined || members.length === 0) delete next.members;
    else next.members = members;
    return this.groups.put(id, next, this.now().toISOString());
  }

  /** Deletes a user and takes it out of every group. */
  deleteUser(id: string): void {
    this.users.delete(id);
    for (const g of this.groups.byId.values()) {
      if (Array.isArray(g.members)) {
        const kept = (g.members as { value?: unknown }[]).filter((m) => m.value !== id);
        if (kept.length !== g.members.length) {
          if (kept.length === 0) delete g.members;
          else g.members = kept;
        }
      }
    }
  }

  deleteGroup(id: string): void {
    this.groups.delete(id);
  }
}

function dedupeMembers(members: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const m of members) {
    const key = m && typeof m === 'object' ? (m as { value?: unknown }).value : m;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}
