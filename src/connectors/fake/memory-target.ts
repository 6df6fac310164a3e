/**
 * The in-memory target: the {@link TargetPort} with no network. It behaves
 * like a lenient SCIM service provider (unique `userName` and group
 * `displayName`, 404 on unknown ids, members as a set) so that the engine's
 * paths can be exercised, and it does as little work as it can, because the
 * engine benchmark uses it as "the engine's ceiling". Tests can inspect what
 * it holds and, with `recordCalls`, every call made to it; `failWith` injects
 * errors.
 */
import type {
  AttributeChange,
  ScimResource,
  SetManagerOptions,
  TargetObject,
  TargetPort,
  TargetStats,
  TestConnectionOptions,
} from '../ports.ts';
import { ConflictTargetError, DryRunRefusedError, DuplicateTargetError, NotFoundTargetError, RejectedTargetError, TargetErrorCodes } from '../errors.ts';
import { applyAttributeChanges, readTargetAttribute, SCIM } from '../target-attributes.ts';

/** One call to the memory target, as recorded with `recordCalls`. */
export interface MemoryTargetCall {
  /** The port method. */
  method: Exclude<keyof TargetPort, 'kind' | 'stats' | 'close'>;
  /** Its arguments, as passed. */
  args: readonly unknown[];
}

/** Options of {@link createMemoryTarget}. */
export interface MemoryTargetOptions {
  /** Keep every call in `calls()` (default false, so the benchmark ceiling stays cheap). */
  recordCalls?: boolean;
  /** Refuse writes with `DryRunRefusedError`, as the SCIM client does in plan mode. */
  dryRun?: boolean;
  /** Fault injection: an error to throw for this call instead of running it, or `undefined`. */
  failWith?: (call: MemoryTargetCall) => Error | undefined;
}

interface Stored {
  resource: TargetObject;
}

type Kind = 'User' | 'Group';

// Indexed attributes, as a SCIM server should index them (ARCHITECTURE.md):
// userName and displayName compare case-insensitively (RFC 7643 §4.1.1,
// caseExact false), externalId exactly (caseExact true).
const INDEXED: Record<Kind, Record<string, boolean>> = {
  User: { username: false, externalid: true },
  Group: { displayname: false, externalid: true },
};
const UNIQUE: Record<Kind, string> = { User: 'username', Group: 'displayname' };

class Collection {
  readonly items = new Map<string, Stored>();
  readonly indexes = new Map<string, Map<string, Set<string>>>();
  constructor(readonly kind: Kind) {
    for (const attr of Object.keys(INDEXED[kind])) this.indexes.set(attr, new Map());
  }

  key(attr: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    const s = String(value);
    return INDEXED[this.kind][attr] ? s : s.toLowerCase();
  }

  index(id: string, resource: ScimResource, add: boolean): void {
    for (const [attr, map] of this.indexes) {
      const k = this.key(attr, readTargetAttribute(resource, attr));
      if (k === undefined) continue;
      let set = map.get(k);
      if (add) {
        if (!set) map.set(k, (set = new Set()));
        set.add(id);
      } else if (set) {
        set.delete(id);
        if (set.size === 0) map.delete(k);
      }
    }
  }

  holderOf(attr: string, value: unknown, except?: string): string | undefined {
    const k = this.key(attr, value);
    if (k === undefined) return undefined;
    for (const id of this.indexes.get(attr)?.get(k) ?? []) if (id !== except) return id;
    return undefined;
  }

  find(attr: string, value: string | number | boolean): string[] {
    const lower = attr.toLowerCase();
    if (lower === 'id') return this.items.has(String(value)) ? [String(value)] : [];
    const index = this.indexes.get(lower);
    if (index) return [...(index.get(this.key(lower, value) as string) ?? [])];
    const out: string[] = [];
    for (const [id, s] of this.items) {
      const v = readTargetAttribute(s.resource, attr);
      if (v === value || (typeof v === 'string' && typeof value === 'string' && v.toLowerCase() === value.toLowerCase())) out.push(id);
    }
    return out;
  }
}

/** The in-memory target. Create with {@link createMemoryTarget}. */
export class MemoryTarget implements TargetPort {
  readonly kind = 'memory';
  private readonly userStore = new Collection('User');
  private readonly groupStore = new Collection('Group');
  private readonly memberSets = new Map<string, Set<string>>();
  private readonly recorded: MemoryTargetCall[] = [];
  private readonly counters = { requests: 0, failures: 0, dryRunRefused: 0 };
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: MemoryTargetOptions = {}) {}

  // ── inspection (tests) ─────────────────────────────────────────────────

  /** Copies of every user, in creation order. */
  users(): TargetObject[] {
    return [...this.userStore.items.values()].map((s) => structuredClone(s.resource));
  }
  /** Copies of every group (without members), in creation order. */
  groups(): TargetObject[] {
    return [...this.groupStore.items.values()].map((s) => structuredClone(s.resource));
  }
  /** Member ids of a group, in the order they were added. */
  members(groupId: string): string[] {
    return [...(this.memberSets.get(groupId) ?? [])];
  }
  /** Every call so far, when `recordCalls` is on. */
  calls(): readonly MemoryTargetCall[] {
    return this.recorded;
  }

  // ── the port ───────────────────────────────────────────────────────────

  async testConnection(options?: TestConnectionOptions): Promise<void> {
    this.enter('testConnection', [options], false);
  }

  async findUser(attribute: string, value: string | number | boolean): Promise<TargetObject | undefined> {
    this.enter('findUser', [attribute, value], false);
    return this.findIn(this.userStore, attribute, value);
  }

  async findGroup(attribute: string, value: string | number | boolean): Promise<TargetObject | undefined> {
    this.enter('findGroup', [attribute, value], false);
    return this.findIn(this.groupStore, attribute, value);
  }

  async getUser(id: string): Promise<TargetObject> {
    this.enter('getUser', [id], false);
    return structuredClone(this.get(this.userStore, id).resource);
  }

  async getGroup(id: string): Promise<TargetObject> {
    this.enter('getGroup', [id], false);
    return structuredClone(this.get(this.groupStore, id).resource);
  }

  async createUser(resource: ScimResource): Promise<TargetObject> {
    this.enter('createUser', [resource], true);
    return this.create(this.userStore, resource, SCIM.coreUser);
  }

  async createGroup(resource: ScimResource): Promise<TargetObject> {
    this.enter('createGroup', [resource], true);
    const { members, ...rest } = resource;
    const created = this.create(this.groupStore, rest, SCIM.coreGroup);
    const set = new Set<string>();
    if (Array.isArray(members)) for (const m of members) set.add(typeof m === 'string' ? m : String((m as { value?: unknown }).value));
    this.memberSets.set(created.id, set);
    return created;
  }

  async updateUser(id: string, changes: readonly AttributeChange[]): Promise<void> {
    this.enter('updateUser', [id, changes], true);
    this.update(this.userStore, id, changes);
  }

  async updateGroup(id: string, changes: readonly AttributeChange[]): Promise<void> {
    this.enter('updateGroup', [id, changes], true);
    this.update(this.groupStore, id, changes);
  }

  async setActive(id: string, active: boolean): Promise<void> {
    this.enter('setActive', [id, active], true);
    this.get(this.userStore, id).resource.active = active;
  }

  async deleteUser(id: string): Promise<void> {
    this.enter('deleteUser', [id], true);
    this.remove(this.userStore, id);
  }

  async deleteGroup(id: string): Promise<void> {
    this.enter('deleteGroup', [id], true);
    this.remove(this.groupStore, id);
    this.memberSets.delete(id);
  }

  async addMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    this.enter('addMembers', [groupId, memberIds], true);
    this.get(this.groupStore, groupId);
    const set = this.memberSets.get(groupId) as Set<string>;
    for (const m of memberIds) set.add(m);
  }

  async removeMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    this.enter('removeMembers', [groupId, memberIds], true);
    this.get(this.groupStore, groupId);
    const set = this.memberSets.get(groupId) as Set<string>;
    for (const m of memberIds) set.delete(m);
  }

  async setManager(userId: string, managerId: string | null, options?: SetManagerOptions): Promise<void> {
    this.enter('setManager', [userId, managerId, options], true);
    const { resource } = this.get(this.userStore, userId);
    const ext = (resource[SCIM.enterpriseUser] ?? {}) as Record<string, unknown>;
    if (managerId === null) delete ext.manager;
    else ext.manager = { value: managerId };
    resource[SCIM.enterpriseUser] = ext;
    const schemas = (resource.schemas ?? []) as string[];
    if (!schemas.includes(SCIM.enterpriseUser)) resource.schemas = [...schemas, SCIM.enterpriseUser];
  }

  stats(): TargetStats {
    return {
      requests: this.counters.requests,
      retries: 0,
      throttled: 0,
      timeouts: 0,
      failures: this.counters.failures,
      dryRunRefused: this.counters.dryRunRefused,
      inFlight: 0,
      maxInFlight: 0,
      concurrencyLimit: Number.POSITIVE_INFINITY,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ── internals ──────────────────────────────────────────────────────────

  private enter(method: MemoryTargetCall['method'], args: readonly unknown[], write: boolean): void {
    if (this.closed) throw new Error('memory target is closed');
    this.counters.requests++;
    const call = { method, args };
    if (this.options.recordCalls) this.recorded.push(call);
    if (write && this.options.dryRun) {
      this.counters.dryRunRefused++;
      throw new DryRunRefusedError({ method: 'MEMORY', path: method, body: JSON.stringify(args) });
    }
    const injected = this.options.failWith?.(call);
    if (injected) {
      this.counters.failures++;
      throw injected;
    }
  }

  private findIn(store: Collection, attribute: string, value: string | number | boolean): TargetObject | undefined {
    const ids = store.find(attribute, value);
    if (ids.length > 1) throw new DuplicateTargetError(`${ids.length} ${store.kind}s have ${attribute} = ${String(value)}`, ids);
    const id = ids[0];
    return id === undefined ? undefined : structuredClone((store.items.get(id) as Stored).resource);
  }

  private get(store: Collection, id: string): Stored {
    const stored = store.items.get(id);
    if (!stored) {
      this.counters.failures++;
      throw new NotFoundTargetError(`${store.kind} ${id} not found`, { response: { status: 404 } });
    }
    return stored;
  }

  private create(store: Collection, resource: ScimResource, core: string): TargetObject {
    const unique = UNIQUE[store.kind];
    const holder = store.holderOf(unique, readTargetAttribute(resource, unique));
    if (holder !== undefined) {
      this.counters.failures++;
      throw new ConflictTargetError(`${store.kind} with that ${unique} exists (${holder})`, { response: { status: 409, scimType: 'uniqueness' } });
    }
    const id = `${store.kind === 'User' ? 'u' : 'g'}${this.nextId++}`;
    const { meta: _meta, id: _ignored, ...rest } = structuredClone(resource) as Record<string, unknown>;
    const stored = { schemas: [core], ...rest, id } as TargetObject;
    store.items.set(id, { resource: stored });
    store.index(id, stored, true);
    return structuredClone(stored);
  }

  private update(store: Collection, id: string, changes: readonly AttributeChange[]): void {
    const stored = this.get(store, id);
    const next = applyAttributeChanges(stored.resource, changes) as TargetObject;
    const unique = UNIQUE[store.kind];
    const holder = store.holderOf(unique, readTargetAttribute(next, unique), id);
    if (holder !== undefined) {
      this.counters.failures++;
      throw new RejectedTargetError(TargetErrorCodes.entryConflict, `${store.kind} with that ${unique} exists (${holder})`, {
        response: { status: 409, scimType: 'uniqueness' },
      });
    }
    store.index(id, stored.resource, false);
    stored.resource = next;
    store.index(id, next, true);
  }

  private remove(store: Collection, id: string): void {
    const stored = this.get(store, id);
    store.index(id, stored.resource, false);
    store.items.delete(id);
    if (store.kind === 'User') for (const set of this.memberSets.values()) set.delete(id);
  }
}

/** Creates an empty in-memory target. */
export function createMemoryTarget(options: MemoryTargetOptions = {}): MemoryTarget {
  return new MemoryTarget(options);
}
