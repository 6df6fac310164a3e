/**
 * The directory as the synchronization engine sees it: a source of users,
 * groups, memberships, managers and assignments, and a change feed to read
 * only what changed since a watermark.
 *
 * Every method reads in bounded batches (keyset paging on the store's
 * indexes), so no call loads the whole directory into memory, and the cost
 * of an incremental read grows with the number of changes, not with the size
 * of the directory. Implemented by `DirectoryService` (directory-service.ts).
 */
import type { GraphGroup, GraphUser, PrincipalType } from './model.ts';

export type { GraphGroup, GraphUser, PrincipalType } from './model.ts';

/** A user as the source reads it: Graph's shape plus its manager's id. */
export interface DirectoryUser extends GraphUser {
  /** The id of the user's manager, or null. */
  managerId: string | null;
}

export type DirectoryGroup = GraphGroup;

/** A member of a group: a user or a nested group. */
export interface MemberRef {
  id: string;
  type: 'user' | 'group';
}

/** One assignment of an app role of a service principal to a user or group. */
export interface Assignment {
  id: string;
  principalId: string;
  principalType: PrincipalType;
  appRoleId: string;
}

/** How one user is entitled to a service principal. */
export interface UserEntitlement {
  userId: string;
  /** App role ids assigned to the user directly. */
  direct: string[];
  /** Assignments the user holds as a direct member of an assigned group (Entra does not expand nested groups). */
  viaGroups: { groupId: string; appRoleId: string }[];
}

export type ChangeObjectType = 'user' | 'group' | 'appRoleAssignment';

/**
 * What happened. `deleted` is a soft delete (the object is in
 * directory/deletedItems and can be restored); `hardDeleted` removes it for
 * good (a permanent delete, a purge after 30 days, or deleting a security
 * group, which Graph never soft-deletes).
 */
export type ChangeKind =
  | 'created' | 'updated' | 'deleted' | 'restored' | 'hardDeleted'
  | 'memberAdded' | 'memberRemoved' | 'ownerAdded' | 'ownerRemoved'
  | 'managerSet' | 'managerRemoved'
  | 'assignmentAdded' | 'assignmentRemoved';

/** One entry of the change feed. */
export interface DirectoryChange {
  /** Position in the feed: strictly increasing, without gaps a reader could skip. */
  seq: number;
  /** When it was committed (ISO-8601). */
  at: string;
  objectType: ChangeObjectType;
  /** The user or group changed (for assignments: the assignment id). */
  objectId: string;
  kind: ChangeKind;
  /** For `updated`: the Graph properties whose value changed. */
  properties?: string[];
  /** Member or owner (member*, owner*), new manager (managerSet), or principal (assignment*). */
  relatedId?: string;
  /** The type of `relatedId` for member and owner changes. */
  relatedType?: 'user' | 'group';
  /** For assignment changes: the service principal and the role. */
  resourceId?: string;
  appRoleId?: string;
  principalType?: PrincipalType;
}

export interface ChangePage {
  changes: DirectoryChange[];
  /** The watermark to resume from: the last seq returned, or the one given when nothing was new. */
  watermark: number;
  /** True when the page was full and more changes may follow at once. */
  hasMore: boolean;
}

export interface BatchOptions {
  /** Objects per batch (default 500, at most 5000). */
  batchSize?: number;
}

/** A range of ids (a partition of a cycle): after `after` (exclusive; '' from the first), up to `upTo` (inclusive; null to the last). */
export interface IdRange {
  after: string;
  upTo: string | null;
}

/** The engine-facing port of the embedded directory. */
export interface DirectorySource {
  /** Every live (not soft-deleted) user, in id order, batch by batch; only those in `range` when given. */
  streamUsers(opts?: BatchOptions & { range?: IdRange }): AsyncIterable<DirectoryUser[]>;
  /**
   * Ids that cut the live users into runs of `every` users (in id order):
   * the `every`-th id, the 2·`every`-th, …; how partitions are bounded.
   */
  userIdBoundaries(every: number): Promise<string[]>;
  /** Every live group, in id order, batch by batch. */
  streamGroups(opts?: BatchOptions): AsyncIterable<DirectoryGroup[]>;
  /**
   * The users with these ids, soft-deleted ones included (their
   * `deletedDateTime` is set); unknown ids are left out. Any number of ids:
   * the lookups are batched.
   */
  getUsersByIds(ids: readonly string[]): Promise<DirectoryUser[]>;
  /** As getUsersByIds, for groups. */
  getGroupsByIds(ids: readonly string[]): Promise<DirectoryGroup[]>;
  /** The direct members of a group that are not soft-deleted, in id order, batch by batch. */
  streamGroupMemberIds(groupId: string, opts?: BatchOptions): AsyncIterable<MemberRef[]>;
  /** The live groups each of these objects is a direct member of (object id → group ids). */
  getGroupIdsOfMembers(memberIds: readonly string[]): Promise<Map<string, string[]>>;
  /** The id of a user's manager, or null (also for an unknown user). */
  getManagerId(userId: string): Promise<string | null>;
  /** The assignments to a service principal whose principal is live, batch by batch. */
  streamAssignments(servicePrincipalId: string, opts?: BatchOptions): AsyncIterable<Assignment[]>;
  /**
   * For each of these users, how it is entitled to the service principal:
   * assigned directly, through groups it is a direct member of, or not at all
   * (both lists empty). One entry per id asked, in the order asked.
   */
  getEntitlements(servicePrincipalId: string, userIds: readonly string[]): Promise<UserEntitlement[]>;
  /** How many live users and groups there are (for progress). */
  countObjects(): Promise<{ users: number; groups: number }>;
  /** The seq of the last committed change (0 for an empty feed). Read it before a full import. */
  currentWatermark(): Promise<number>;
  /** The changes after `watermark`, oldest first, at most `limit` (default 1000, at most 10000). */
  changesSince(watermark: number, opts?: { limit?: number }): Promise<ChangePage>;
  /** All changes after `watermark`, page by page, until the feed is drained. */
  streamChangesSince(watermark: number, opts?: { limit?: number }): AsyncIterable<DirectoryChange[]>;
}
