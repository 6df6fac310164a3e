/**
 * The target port: what the sync engine calls to read and write users and
 * groups in an application. Two adapters implement it: the SCIM 2.0 connector
 * (`scim/target.ts`, over HTTP, in Entra's or the strict RFC 7644 dialect) and
 * the in-memory no-op target (`fake/memory-target.ts`, the engine's ceiling
 * in benchmarks and an inspectable target in tests).
 *
 * Vocabulary:
 * - Objects are SCIM resources (RFC 7643) keyed by the **target id** (`id`),
 *   which the engine caches in its link after a match or a create, as Entra
 *   does (entra-behavior.md §0.3, §3.4).
 * - Attributes are named the way Entra's attribute mappings name target
 *   attributes: `userName`, `active`, `name.givenName`,
 *   `emails[type eq "work"].value`,
 *   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`,
 *   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`
 *   (see `target-attributes.ts` for the grammar). Mappings produce *flat*
 *   maps of these; `buildScimResource()` turns one into the nested JSON to
 *   create, and `readTargetAttribute()` reads one back.
 *
 * Errors: every method throws only the classes of `errors.ts`, whose class
 * says what the engine does next (retry later, escrow, drop the link, link
 * the existing object, stop the run, record the planned request).
 */
/**
 * Counters of one target, for job status and Prometheus metrics. All counts
 * are since the target was created.
 */
export interface TargetStats {
  /** Requests sent over the network (each retry counts again); port calls for the memory target. */
  requests: number;
  /** Retries made by the client after a transient failure. */
  retries: number;
  /** 429 answers received. */
  throttled: number;
  /** Requests that timed out (headers or body). */
  timeouts: number;
  /** Requests that ended in an error after all retries. */
  failures: number;
  /** Writes refused in dry-run mode. */
  dryRunRefused: number;
  /** Requests in flight right now. */
  inFlight: number;
  /** Highest number of requests in flight at once. */
  maxInFlight: number;
  /** Current concurrency limit (adaptive: lowered after 429s, raised again on success). */
  concurrencyLimit: number;
}

/** A JSON scalar as a target attribute value. */
export type TargetScalar = string | number | boolean | null;

/** A target attribute value: a scalar, a list, or a complex value. */
export type TargetValue = TargetScalar | readonly TargetValue[] | { readonly [key: string]: TargetValue };

/**
 * What an attribute mapping produces for one object: target attribute name →
 * value. `undefined` and `null` values are skipped on create, as Entra skips
 * null source attributes (entra-behavior.md §3.2).
 */
export type FlatTargetAttributes = Readonly<Record<string, TargetValue | undefined>>;

/** A SCIM resource as JSON (RFC 7643 §3): `schemas`, attributes, extension objects keyed by URN. */
export interface ScimResource {
  schemas?: readonly string[];
  id?: string;
  [attribute: string]: unknown;
}

/** A resource that exists in the target, so it has its target `id`. */
export interface TargetObject extends ScimResource {
  id: string;
}

/** The two object types Entra provisions over SCIM. */
export type TargetObjectType = 'User' | 'Group';

/**
 * One attribute change for `updateUser` / `updateGroup`, in target-attribute
 * terms. The dialect turns a list of them into one PATCH request body.
 *
 * - `op`: `add` when the attribute had no value before, `replace` when it
 *   had one (Entra chooses the same way, entra-behavior.md §6.3), `remove` to
 *   clear it.
 * - `value`: the new value (absent for `remove`).
 * - `previous`: the value the engine last exported, when known; the dialect
 *   needs it for some shapes (e.g. removing a manager by value filter).
 */
export interface AttributeChange {
  path: string;
  op: 'add' | 'replace' | 'remove';
  value?: TargetValue;
  previous?: TargetValue;
}

/** Options of {@link TargetPort.testConnection}. */
export interface TestConnectionOptions {
  /**
   * Also probe `/Groups` (default `true`, as Entra does at every start,
   * entra-behavior.md §6.2). Turn off for jobs without a group mapping, so
   * a target without `/Groups` is not quarantined for it.
   */
  groups?: boolean;
}

/** Options of {@link TargetPort.setManager}. */
export interface SetManagerOptions {
  /**
   * The manager id the engine last exported for this user, if any: it makes
   * a change a `replace` instead of an `add`, and lets the Entra dialect
   * remove the manager by value filter.
   */
  previousManagerId?: string;
}

/**
 * The operations the sync engine needs from a target. Implementations are
 * safe to call concurrently; a SCIM target bounds its own concurrency.
 */
export interface TargetPort {
  /** Adapter name for logs and status (`scim`, `memory`). */
  readonly kind: string;

  /**
   * Checks that the endpoint and credentials work, as Entra's Test Connection
   * and start-of-run probe do: `GET /Users?filter=userName eq "<random guid>"`
   * and `GET /Groups?excludedAttributes=members&filter=displayName eq "<random guid>"`,
   * each expecting 200 with an empty ListResponse.
   * @throws StopRunError with an Entra-like `code` when they fail.
   */
  testConnection(options?: TestConnectionOptions): Promise<void>;

  /**
   * Matching: one `eq` filter query on `attribute` (a target attribute name,
   * e.g. `userName`, `externalId`).
   * @returns the one matching user, or `undefined` when none matches.
   * @throws DuplicateTargetError (a RejectedTargetError) when more than one matches.
   */
  findUser(attribute: string, value: string | number | boolean): Promise<TargetObject | undefined>;

  /** As {@link findUser}, for groups (Entra matches groups by `displayName`); members are not returned. */
  findGroup(attribute: string, value: string | number | boolean): Promise<TargetObject | undefined>;

  /**
   * Reads a linked user.
   * @throws NotFoundTargetError when the target no longer has it.
   */
  getUser(id: string): Promise<TargetObject>;

  /** Reads a linked group, without its members. @throws NotFoundTargetError */
  getGroup(id: string): Promise<TargetObject>;

  /**
   * Creates a user from a full resource (see `buildScimResource`).
   * @returns the created resource; its `id` is the target id to link.
   * @throws ConflictTargetError when the target says it already exists (409).
   */
  createUser(resource: ScimResource): Promise<TargetObject>;

  /**
   * Creates a group. Entra creates groups with an empty member list and adds
   * members afterwards (entra-behavior.md §6.5): call {@link addMembers}.
   */
  createGroup(resource: ScimResource): Promise<TargetObject>;

  /**
   * Applies attribute changes to a user as one PATCH (nothing is sent for an
   * empty list). Manager changes may be included by their target attribute
   * name, or sent with {@link setManager}.
   * @throws NotFoundTargetError, RejectedTargetError
   */
  updateUser(id: string, changes: readonly AttributeChange[]): Promise<void>;

  /** As {@link updateUser}, for groups; members go through {@link addMembers} / {@link removeMembers}. */
  updateGroup(id: string, changes: readonly AttributeChange[]): Promise<void>;

  /** Disables (`false`) or re-enables (`true`) a user: Entra's soft delete (§6.4). */
  setActive(id: string, active: boolean): Promise<void>;

  /** Deletes a user. @throws NotFoundTargetError when it was already gone (the engine may treat that as done). */
  deleteUser(id: string): Promise<void>;

  /** Deletes a group. @throws NotFoundTargetError */
  deleteGroup(id: string): Promise<void>;

  /**
   * Adds members (target ids of users or groups) to a group, in chunks of
   * the configured size, one PATCH per chunk, in order.
   */
  addMembers(groupId: string, memberIds: readonly string[]): Promise<void>;

  /** Removes members from a group, chunked like {@link addMembers}. */
  removeMembers(groupId: string, memberIds: readonly string[]): Promise<void>;

  /**
   * Sets (`managerId`) or clears (`null`) a user's manager: the separate
   * round trip Entra makes after creating a user (§3.6).
   */
  setManager(userId: string, managerId: string | null, options?: SetManagerOptions): Promise<void>;

  /** Counters for status and metrics. */
  stats(): TargetStats;

  /** Releases connections and timers. Calls after `close()` fail. */
  close(): Promise<void>;
}
