/**
 * The embedded directory: users, groups, membership, managers, app role
 * assignments, the recycle bin and the change feed, over the store port.
 *
 * Every write runs in one transaction that ends by appending its changes to
 * the feed (change-feed.ts), so a change is visible exactly when its feed
 * entry is. Reads page by keyset over indexes; nothing loads the directory
 * whole. The Graph routes (src/api/routes/directory) and the engine (through
 * the `DirectorySource` port) both use this one service.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import { GraphError, errors } from '../errors/graph-error.ts';
import type { FilterNode } from '../graph/odata-filter.ts';
import { translateFilter } from './filter-sql.ts';
import type { FilterTarget } from './filter-sql.ts';
import { appendChanges, currentWatermark, readChanges } from './change-feed.ts';
import { bulkInsert } from './bulk.ts';
import type { NewChange } from './change-feed.ts';
import {
  DEFAULT_APP_ROLE_ID, GROUP_FILTER_PROPS, USER_FILTER_PROPS, groupColumns, groupFromRow, groupSideValues, isSoftDeletable,
  newGroup, newUser, patchGroup, patchUser, userColumns, userFromRow, userSideValues,
} from './model.ts';
import type {
  CreateGroupInput, CreateUserInput, GraphAppRoleAssignment, GraphGroup, GraphUser, PrincipalType, UpdateGroupInput, UpdateUserInput,
} from './model.ts';
import type {
  Assignment, BatchOptions, ChangePage, IdRange, DirectoryChange, DirectoryGroup, DirectorySource, DirectoryUser, MemberRef, UserEntitlement,
} from './port.ts';

/** Graph keeps soft-deleted users and Microsoft 365 groups for 30 days. */
export const RECYCLE_BIN_DAYS = 30;

export type ObjectKind = 'user' | 'group';
export type LinkRel = 'member' | 'owner';

/** Keyset position: the last id, and the sort key when ordered by displayName. */
export interface Cursor {
  id: string;
  key?: string | null;
}

export interface ListQuery {
  filter?: FilterNode;
  /** Order by displayName (case-insensitive) instead of id. */
  orderBy?: { property: 'displayName'; desc: boolean };
  top: number;
  after?: Cursor;
  /**
   * The request carries Graph's advanced query parameters (ConsistencyLevel:
   * eventual and $count=true): `ne`, `not` and `endsWith` are allowed, and the
   * result counts every object the filter matches.
   */
  advanced?: boolean;
}

export interface ListResult<T> {
  items: T[];
  next?: Cursor;
  count?: number;
}

export interface BulkUser extends CreateUserInput {
  id: string;
  managerId?: string | null;
}

export interface BulkGroup extends CreateGroupInput {
  id: string;
}

/** A member of a group, as listed: the object and its kind. */
export type DirectoryObject = { kind: 'user'; user: GraphUser } | { kind: 'group'; group: GraphGroup };

const USERS: FilterTarget = { table: 'dir_users', resource: 'User', props: USER_FILTER_PROPS };
const GROUPS: FilterTarget = { table: 'dir_groups', resource: 'Group', props: GROUP_FILTER_PROPS };

// Lookups by id list: 500 ids a query keeps every statement well under both stores' parameter limits.
const ID_CHUNK = 500;
const MAX_BATCH = 5000;
const MAX_CHANGES_LIMIT = 10_000;
// Chains deeper than this are refused outright rather than walked (org charts are ~15 deep).
const MAX_MANAGER_DEPTH = 1000;

const USER_COLS = ['id', 'created_at', 'deleted_at', 'data', 'manager_id'] as const;
const GROUP_COLS = ['id', 'created_at', 'deleted_at', 'data'] as const;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** True when a store error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

const upnConflict = () =>
  new GraphError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.', {
    target: 'userPrincipalName',
    details: [{ code: 'ObjectConflict', message: 'Another object with the same value for property userPrincipalName already exists.', target: 'userPrincipalName' }],
  });

const mailNicknameConflict = () =>
  new GraphError(400, 'Request_BadRequest', 'Another object with the same value for property mailNickname already exists.', {
    target: 'mailNickname',
    details: [{ code: 'ObjectConflict', message: 'Another object with the same value for property mailNickname already exists.', target: 'mailNickname' }],
  });

const toDirectoryUser = (r: { id: string; created_at: string; deleted_at: string | null; data: string; manager_id: string | null }): DirectoryUser => ({
  ...userFromRow(r),
  managerId: r.manager_id,
});

/**
 * Graph's assignment ids are 43 base64url characters; so are these. None
 * begins with '-', so that a command line never mistakes one for an option.
 */
function newAssignmentId(): string {
  const id = randomBytes(32).toString('base64url');
  return id.startsWith('-') ? `A${id.slice(1)}` : id;
}

export class DirectoryService implements DirectorySource {
  /** Domains a userPrincipalName may use (Graph: the tenant's verified domains). */
  readonly domains: readonly string[];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly tenantDomain: string,
  ) {
    this.domains = [tenantDomain];
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Runs `fn` in a transaction and appends the changes it returns to the feed, last. */
  private async write<T>(fn: (trx: Db, changes: NewChange[]) => Promise<T>): Promise<T> {
    return this.store.transaction(async (trx) => {
      const changes: NewChange[] = [];
      const result = await fn(trx, changes);
      await appendChanges(trx, this.store.dialect, changes, this.now());
      return result;
    });
  }

  /** Row lock for read-modify-write on PostgreSQL; SQLite has one writer at a time and no FOR UPDATE. */
  private get lock(): boolean {
    return this.store.dialect === 'postgres';
  }

  // ================================================================ users

  private async userRow(db: Db, id: string, opts: { deleted?: boolean; lock?: boolean } = {}) {
    let q = db.selectFrom('dir_users').select(USER_COLS).where('id', '=', id);
    q = opts.deleted ? q.where('deleted_at', 'is not', null) : q.where('deleted_at', 'is', null);
    if (opts.lock && this.lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  private async requireUser(db: Db, id: string, lock = false) {
    const r = await this.userRow(db, id, { lock });
    if (!r) throw errors.resourceNotFound('user', id);
    return r;
  }

  private async upnTaken(db: Db, upn: string, exceptId?: string): Promise<boolean> {
    let q = db.selectFrom('dir_users').select('id').where('upn_lc', '=', upn.toLowerCase()).where('deleted_at', 'is', null);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  private async replaceSideValues(db: Db, objectId: string, values: { prop: string; value_lc: string }[]): Promise<void> {
    await db.deleteFrom('dir_values').where('object_id', '=', objectId).execute();
    await bulkInsert(db, this.store.dialect, 'dir_values', values.map((v) => ({ object_id: objectId, ...v })));
  }

  /** Creates a user (Graph: POST /users). */
  async createUser(input: CreateUserInput): Promise<GraphUser> {
    const user = newUser(input, input.id ?? randomUUID(), this.now(), this.domains);
    try {
      return await this.write(async (trx, changes) => {
        if (await this.upnTaken(trx, user.userPrincipalName)) throw upnConflict();
        await trx.insertInto('dir_users').values({ id: user.id, ...userColumns(user), manager_id: null, created_at: user.createdDateTime, deleted_at: null }).execute();
        await this.replaceSideValues(trx, user.id, userSideValues(user));
        changes.push({ objectType: 'user', objectId: user.id, kind: 'created' });
        return user;
      });
    } catch (e) {
      // Two creates racing past the check above meet the unique index instead.
      if (isUniqueViolation(e)) throw upnConflict();
      throw e;
    }
  }

  /**
   * Creates many users in one transaction with multi-row inserts (the
   * seeder's path). Managers named by `managerId` must exist already or be
   * earlier in the same batch.
   */
  async importUsers(batch: readonly BulkUser[]): Promise<void> {
    if (batch.length === 0) return;
    const now = this.now();
    const users = batch.map((b) => ({ user: newUser(b, b.id, now, this.domains), managerId: b.managerId ?? null }));
    try {
      await this.write(async (trx, changes) => {
        await bulkInsert(trx, this.store.dialect, 'dir_users',
          users.map(({ user, managerId }) => ({ id: user.id, ...userColumns(user), manager_id: managerId, created_at: now, deleted_at: null })));
        await bulkInsert(trx, this.store.dialect, 'dir_values', users.flatMap(({ user }) => userSideValues(user).map((v) => ({ object_id: user.id, ...v }))));
        for (const { user, managerId } of users) {
          changes.push({ objectType: 'user', objectId: user.id, kind: 'created' });
          if (managerId) changes.push({ objectType: 'user', objectId: user.id, kind: 'managerSet', relatedId: managerId });
        }
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw upnConflict();
      throw e;
    }
  }

  /** A live user by id, or by userPrincipalName (Graph accepts either in the path). */
  async getUser(idOrUpn: string): Promise<DirectoryUser> {
    let q = this.store.db.selectFrom('dir_users').select(USER_COLS).where('deleted_at', 'is', null);
    q = idOrUpn.includes('@') ? q.where('upn_lc', '=', idOrUpn.toLowerCase()) : q.where('id', '=', idOrUpn);
    const r = await q.executeTakeFirst();
    if (!r) throw errors.resourceNotFound('user', idOrUpn);
    return toDirectoryUser(r);
  }

  /** Resolves a path segment (id or userPrincipalName) to a live user's id. */
  async resolveUserId(idOrUpn: string): Promise<string> {
    return idOrUpn.includes('@') ? (await this.getUser(idOrUpn)).id : idOrUpn;
  }

  async updateUser(id: string, patch: UpdateUserInput): Promise<string[]> {
    try {
      return await this.write(async (trx, changes) => {
        const row = await this.requireUser(trx, id, true);
        const { user, changed } = patchUser(userFromRow(row), patch, this.domains);
        if (changed.length === 0) return changed;
        if (changed.includes('userPrincipalName') && (await this.upnTaken(trx, user.userPrincipalName, id))) throw upnConflict();
        await trx.updateTable('dir_users').set(userColumns(user)).where('id', '=', id).execute();
        await this.replaceSideValues(trx, id, userSideValues(user));
        changes.push({ objectType: 'user', objectId: id, kind: 'updated', properties: changed });
        return changed;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw upnConflict();
      throw e;
    }
  }

  /** Soft delete: the user moves to directory/deletedItems for 30 days (Graph). */
  async deleteUser(id: string): Promise<void> {
    await this.write(async (trx, changes) => {
      await this.requireUser(trx, id, true);
      await trx.updateTable('dir_users').set({ deleted_at: this.now() }).where('id', '=', id).execute();
      changes.push({ objectType: 'user', objectId: id, kind: 'deleted' });
    });
  }

  async listUsers(q: ListQuery): Promise<ListResult<DirectoryUser>> {
    return this.list(q, USERS, 'dir_users', USER_COLS, toDirectoryUser);
  }

  async countUsers(filter?: FilterNode): Promise<number> {
    return this.count(USERS, 'dir_users', filter);
  }

  // ---------------------------------------------------------- lists (shared)

  private async list<R extends { id: string }, T>(
    q: ListQuery,
    target: FilterTarget,
    table: 'dir_users' | 'dir_groups',
    cols: readonly string[],
    map: (r: R) => T,
  ): Promise<ListResult<T>> {
    const f = q.filter ? translateFilter(q.filter, target) : undefined;
    if (f?.advanced && !q.advanced) throw errors.advancedQueryRequired(`Operator '${f.advanced}'`);
    const db = this.store.db;
    const key = sql.ref(`${table}.display_name_lc`);
    const id = sql.ref(`${table}.id`);
    const conds: Expression<SqlBool>[] = [sql<SqlBool>`${sql.ref(`${table}.deleted_at`)} is null`];
    if (f) conds.push(f.where);
    const desc = q.orderBy?.desc ?? false;
    const cmp = sql.raw(desc ? '<' : '>');
    if (q.after) {
      if (q.orderBy) {
        const k = q.after.key ?? '';
        conds.push(sql<SqlBool>`(coalesce(${key}, '') ${cmp} ${k} or (coalesce(${key}, '') = ${k} and ${id} ${cmp} ${q.after.id}))`);
      } else {
        conds.push(sql<SqlBool>`${id} > ${q.after.id}`);
      }
    }
    const where = sql.join(conds, sql` and `);
    const dir = sql.raw(desc ? 'desc' : 'asc');
    const order = q.orderBy ? sql`coalesce(${key}, '') ${dir}, ${id} ${dir}` : sql`${id}`;
    const select = sql.join(cols.map((c) => sql.ref(`${table}.${c}`)));
    const extra = q.orderBy ? sql`, coalesce(${key}, '') as sort_key` : sql``;
    const rows = (await sql<R & { sort_key?: string }>`select ${select}${extra} from ${sql.table(table)} where ${where} order by ${order} limit ${q.top + 1}`.execute(db)).rows;
    const page = rows.slice(0, q.top);
    const last = page[page.length - 1];
    const result: ListResult<T> = { items: page.map(map) };
    if (rows.length > q.top && last) result.next = q.orderBy ? { id: last.id, key: last.sort_key ?? '' } : { id: last.id };
    if (q.advanced) result.count = await this.count(target, table, q.filter);
    return result;
  }

  private async count(target: FilterTarget, table: 'dir_users' | 'dir_groups', filter?: FilterNode): Promise<number> {
    const f = filter ? translateFilter(filter, target) : undefined;
    const where = f ? sql`and ${f.where}` : sql``;
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(`${table}.deleted_at`)} is null ${where}`.execute(this.store.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  // ============================================================== manager

  /** A user's manager (Graph: GET /users/{id}/manager); 404 when there is none. */
  async getManager(userId: string): Promise<DirectoryUser> {
    const r = await this.requireUser(this.store.db, userId);
    const m = r.manager_id ? await this.userRow(this.store.db, r.manager_id) : undefined;
    if (!m) throw errors.resourceNotFound('manager', userId);
    return toDirectoryUser(m);
  }

  /** Sets a user's manager; refuses a manager that would make the reporting chain a cycle. */
  async setManager(userId: string, managerId: string): Promise<void> {
    await this.write(async (trx, changes) => {
      const u = await this.requireUser(trx, userId, true);
      if (managerId === userId) throw errors.badRequest(`A user cannot be their own manager ('${userId}').`, 'manager');
      await this.requireUser(trx, managerId);
      if (u.manager_id === managerId) return;
      // Walk up from the new manager: meeting the user means the chain would loop.
      let at: string | null = managerId;
      for (let depth = 0; at; depth++) {
        if (depth > MAX_MANAGER_DEPTH) throw errors.badRequest(`The reporting chain above '${managerId}' is longer than ${MAX_MANAGER_DEPTH}.`, 'manager');
        const up: { manager_id: string | null } | undefined = await trx.selectFrom('dir_users').select('manager_id').where('id', '=', at).executeTakeFirst();
        at = up?.manager_id ?? null;
        if (at === userId) {
          throw errors.badRequest(
            `Setting '${managerId}' as the manager of '${userId}' would create a cycle: '${managerId}' already reports, directly or indirectly, to '${userId}'.`,
            'manager',
          );
        }
      }
      await trx.updateTable('dir_users').set({ manager_id: managerId }).where('id', '=', userId).execute();
      changes.push({ objectType: 'user', objectId: userId, kind: 'managerSet', relatedId: managerId });
    });
  }

  async removeManager(userId: string): Promise<void> {
    await this.write(async (trx, changes) => {
      const u = await this.requireUser(trx, userId, true);
      if (!u.manager_id) throw errors.resourceNotFound('manager', userId);
      await trx.updateTable('dir_users').set({ manager_id: null }).where('id', '=', userId).execute();
      changes.push({ objectType: 'user', objectId: userId, kind: 'managerRemoved', relatedId: u.manager_id });
    });
  }

  /** Users whose manager is `userId`, live ones only, keyset by id. */
  async listDirectReports(userId: string, top: number, after?: string): Promise<{ items: DirectoryUser[]; next?: string }> {
    await this.requireUser(this.store.db, userId);
    let q = this.store.db.selectFrom('dir_users').select(USER_COLS).where('manager_id', '=', userId).where('deleted_at', 'is', null);
    if (after) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(top + 1).execute();
    return pageOf(rows.map(toDirectoryUser), top);
  }

  /** Managers of these users, for `$expand=manager`: user id → manager. */
  async managersOf(users: readonly DirectoryUser[]): Promise<Map<string, DirectoryUser>> {
    const managers = await this.getUsersByIds([...new Set(users.map((u) => u.managerId).filter((m): m is string => !!m))]);
    const byId = new Map(managers.filter((m) => !m.deletedDateTime).map((m) => [m.id, m]));
    const out = new Map<string, DirectoryUser>();
    for (const u of users) {
      const m = u.managerId ? byId.get(u.managerId) : undefined;
      if (m) out.set(u.id, m);
    }
    return out;
  }

  // ================================================================ groups

  private async groupRow(db: Db, id: string, opts: { deleted?: boolean; lock?: boolean } = {}) {
    let q = db.selectFrom('dir_groups').select(GROUP_COLS).where('id', '=', id);
    q = opts.deleted ? q.where('deleted_at', 'is not', null) : q.where('deleted_at', 'is', null);
    if (opts.lock && this.lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  private async requireGroup(db: Db, id: string, lock = false) {
    const r = await this.groupRow(db, id, { lock });
    if (!r) throw errors.resourceNotFound('group', id);
    return r;
  }

  /** Mail-enabled groups need a unique mailNickname (their address); security groups do not. */
  private async nicknameTaken(db: Db, g: GraphGroup): Promise<boolean> {
    if (!g.mailEnabled || !g.mailNickname) return false;
    const r = await db.selectFrom('dir_groups').select('id').where('mail_nickname_lc', '=', g.mailNickname.toLowerCase())
      .where('mail_enabled', '=', 1).where('deleted_at', 'is', null).where('id', '!=', g.id).executeTakeFirst();
    return r !== undefined;
  }

  async createGroup(input: CreateGroupInput): Promise<GraphGroup> {
    const group = newGroup(input, input.id ?? randomUUID(), this.now(), this.tenantDomain);
    return this.write(async (trx, changes) => {
      if (await this.nicknameTaken(trx, group)) throw mailNicknameConflict();
      await trx.insertInto('dir_groups').values({ id: group.id, ...groupColumns(group), created_at: group.createdDateTime, deleted_at: null }).execute();
      await this.replaceSideValues(trx, group.id, groupSideValues(group));
      changes.push({ objectType: 'group', objectId: group.id, kind: 'created' });
      return group;
    });
  }

  /** Creates many groups in one transaction (the seeder's path). */
  async importGroups(batch: readonly BulkGroup[]): Promise<void> {
    if (batch.length === 0) return;
    const now = this.now();
    const groups = batch.map((b) => newGroup(b, b.id, now, this.tenantDomain));
    await this.write(async (trx, changes) => {
      await bulkInsert(trx, this.store.dialect, 'dir_groups', groups.map((g) => ({ id: g.id, ...groupColumns(g), created_at: now, deleted_at: null })));
      await bulkInsert(trx, this.store.dialect, 'dir_values', groups.flatMap((g) => groupSideValues(g).map((v) => ({ object_id: g.id, ...v }))));
      for (const g of groups) changes.push({ objectType: 'group', objectId: g.id, kind: 'created' });
    });
  }

  async getGroup(id: string): Promise<GraphGroup> {
    return groupFromRow(await this.requireGroup(this.store.db, id));
  }

  async updateGroup(id: string, patch: UpdateGroupInput): Promise<string[]> {
    return this.write(async (trx, changes) => {
      const row = await this.requireGroup(trx, id, true);
      const { group, changed } = patchGroup(groupFromRow(row), patch, this.tenantDomain);
      if (changed.length === 0) return changed;
      if (await this.nicknameTaken(trx, group)) throw mailNicknameConflict();
      await trx.updateTable('dir_groups').set(groupColumns(group)).where('id', '=', id).execute();
      await this.replaceSideValues(trx, id, groupSideValues(group));
      changes.push({ objectType: 'group', objectId: id, kind: 'updated', properties: changed });
      return changed;
    });
  }

  /** Microsoft 365 groups are soft-deleted; security groups are deleted at once, as Graph does. */
  async deleteGroup(id: string): Promise<void> {
    await this.write(async (trx, changes) => {
      const g = groupFromRow(await this.requireGroup(trx, id, true));
      if (isSoftDeletable(g)) {
        await trx.updateTable('dir_groups').set({ deleted_at: this.now() }).where('id', '=', id).execute();
        changes.push({ objectType: 'group', objectId: id, kind: 'deleted' });
      } else {
        await this.hardDelete(trx, 'group', id, changes);
      }
    });
  }

  async listGroups(q: ListQuery): Promise<ListResult<GraphGroup>> {
    return this.list(q, GROUPS, 'dir_groups', GROUP_COLS, groupFromRow);
  }

  async countGroups(filter?: FilterNode): Promise<number> {
    return this.count(GROUPS, 'dir_groups', filter);
  }

  // ------------------------------------------------------ members, owners

  /** Finds a live user or group by id; undefined when neither. */
  private async objectKind(db: Db, id: string): Promise<ObjectKind | undefined> {
    if (await this.userRow(db, id)) return 'user';
    if (await this.groupRow(db, id)) return 'group';
    return undefined;
  }

  /** Adds a member or owner (Graph: POST /groups/{id}/members/$ref). */
  async addLink(groupId: string, rel: LinkRel, targetId: string): Promise<void> {
    await this.write(async (trx, changes) => {
      await this.requireGroup(trx, groupId, true);
      const kind = await this.objectKind(trx, targetId);
      if (!kind) throw errors.resourceNotFound('directoryObject', targetId);
      if (rel === 'owner' && kind !== 'user') throw errors.badRequest('Only users can be owners of a group here.', 'owners');
      if (kind === 'group' && targetId === groupId) throw errors.badRequest('A group cannot be a member of itself.', 'members');
      const exists = await trx.selectFrom('dir_group_links').select('target_id')
        .where('group_id', '=', groupId).where('rel', '=', rel).where('target_id', '=', targetId).executeTakeFirst();
      if (exists) {
        throw errors.badRequest(`One or more added object references already exist for the following modified properties: '${rel}s'.`, `${rel}s`);
      }
      await trx.insertInto('dir_group_links').values({ group_id: groupId, rel, target_id: targetId, target_type: kind }).execute();
      changes.push({ objectType: 'group', objectId: groupId, kind: rel === 'member' ? 'memberAdded' : 'ownerAdded', relatedId: targetId, relatedType: kind });
    });
  }

  /** Adds many memberships in one transaction (the seeder's path); the caller guarantees they are new and valid. */
  async importMembers(links: readonly { groupId: string; memberId: string; memberType: ObjectKind }[]): Promise<void> {
    if (links.length === 0) return;
    await this.write(async (trx, changes) => {
      await bulkInsert(trx, this.store.dialect, 'dir_group_links', links.map((l) => ({ group_id: l.groupId, rel: 'member', target_id: l.memberId, target_type: l.memberType })));
      for (const l of links) changes.push({ objectType: 'group', objectId: l.groupId, kind: 'memberAdded', relatedId: l.memberId, relatedType: l.memberType });
    });
  }

  async removeLink(groupId: string, rel: LinkRel, targetId: string): Promise<void> {
    await this.write(async (trx, changes) => {
      await this.requireGroup(trx, groupId, true);
      const link = await trx.selectFrom('dir_group_links').select(['target_type'])
        .where('group_id', '=', groupId).where('rel', '=', rel).where('target_id', '=', targetId).executeTakeFirst();
      if (!link) throw errors.resourceNotFound(rel, targetId);
      await trx.deleteFrom('dir_group_links').where('group_id', '=', groupId).where('rel', '=', rel).where('target_id', '=', targetId).execute();
      changes.push({ objectType: 'group', objectId: groupId, kind: rel === 'member' ? 'memberRemoved' : 'ownerRemoved', relatedId: targetId, relatedType: link.target_type as ObjectKind });
    });
  }

  /** Live members or owners of a group, keyset by id; `only` restricts to users or groups (the OData cast). */
  async listLinks(groupId: string, rel: LinkRel, top: number, after?: string, only?: ObjectKind): Promise<{ items: DirectoryObject[]; next?: string }> {
    await this.requireGroup(this.store.db, groupId);
    const refs = await this.linkPage(groupId, rel, top + 1, after, only);
    const page = pageOf(refs, top);
    return { items: await this.resolveObjects(page.items), ...(page.next ? { next: page.next } : {}) };
  }

  private async linkPage(groupId: string, rel: LinkRel, limit: number, after?: string, only?: ObjectKind): Promise<MemberRef[]> {
    let q = this.store.db.selectFrom('dir_group_links as l')
      .select(['l.target_id', 'l.target_type'])
      .where('l.group_id', '=', groupId).where('l.rel', '=', rel)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('dir_users as u').select('u.id').whereRef('u.id', '=', 'l.target_id').where('u.deleted_at', 'is not', null))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('dir_groups as g').select('g.id').whereRef('g.id', '=', 'l.target_id').where('g.deleted_at', 'is not', null))));
    if (only) q = q.where('l.target_type', '=', only);
    if (after) q = q.where('l.target_id', '>', after);
    const rows = await q.orderBy('l.target_id').limit(limit).execute();
    return rows.map((r) => ({ id: r.target_id, type: r.target_type as ObjectKind }));
  }

  private async resolveObjects(refs: readonly MemberRef[]): Promise<DirectoryObject[]> {
    const users = new Map((await this.getUsersByIds(refs.filter((r) => r.type === 'user').map((r) => r.id))).map((u) => [u.id, u]));
    const groups = new Map((await this.getGroupsByIds(refs.filter((r) => r.type === 'group').map((r) => r.id))).map((g) => [g.id, g]));
    const out: DirectoryObject[] = [];
    for (const r of refs) {
      const u = users.get(r.id);
      const g = groups.get(r.id);
      if (u) out.push({ kind: 'user', user: u });
      else if (g) out.push({ kind: 'group', group: g });
    }
    return out;
  }

  /** Up to `limit` members of each group, for `$expand=members` (Graph expands at most 20). */
  async membersPreview(groupIds: readonly string[], limit: number): Promise<Map<string, DirectoryObject[]>> {
    const out = new Map<string, DirectoryObject[]>();
    for (const id of groupIds) out.set(id, await this.resolveObjects(await this.linkPage(id, 'member', limit)));
    return out;
  }

  /** The live groups each of these objects is a direct member of (object id → group ids), batched. */
  async getGroupIdsOfMembers(memberIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const c of chunks([...new Set(memberIds)], ID_CHUNK)) {
      if (c.length === 0) continue;
      const rows = await this.store.db.selectFrom('dir_group_links as l').innerJoin('dir_groups as g', 'g.id', 'l.group_id')
        .select(['l.target_id', 'l.group_id'])
        .where('l.target_id', 'in', c).where('l.rel', '=', 'member').where('g.deleted_at', 'is', null).execute();
      for (const r of rows) out.set(r.target_id, [...(out.get(r.target_id) ?? []), r.group_id]);
    }
    return out;
  }

  /** Live groups a user is a direct member of, keyset by id. */
  async listMemberOf(objectId: string, top: number, after?: string): Promise<{ items: GraphGroup[]; next?: string }> {
    await this.requireUser(this.store.db, objectId);
    let q = this.store.db.selectFrom('dir_group_links as l').innerJoin('dir_groups as g', 'g.id', 'l.group_id')
      .select(['g.id', 'g.created_at', 'g.deleted_at', 'g.data'])
      .where('l.target_id', '=', objectId).where('l.rel', '=', 'member').where('g.deleted_at', 'is', null);
    if (after) q = q.where('l.group_id', '>', after);
    const rows = await q.orderBy('l.group_id').limit(top + 1).execute();
    return pageOf(rows.map(groupFromRow), top);
  }

  // ========================================================== assignments

  private async servicePrincipal(db: Db, id: string) {
    const sp = await db.selectFrom('service_principals').select(['id', 'app_id', 'application_id', 'display_name', 'data']).where('id', '=', id).executeTakeFirst();
    if (!sp) throw errors.resourceNotFound('servicePrincipal', id);
    return sp;
  }

  /** App role ids a service principal defines: its own appRoles and its application's. */
  private async appRoleIds(db: Db, sp: { application_id: string | null; data: string }): Promise<Set<string>> {
    const ids = new Set<string>([DEFAULT_APP_ROLE_ID]);
    const collect = (data: string) => {
      const roles = (JSON.parse(data) as { appRoles?: unknown }).appRoles;
      if (Array.isArray(roles)) for (const r of roles) if (r && typeof (r as { id?: unknown }).id === 'string') ids.add((r as { id: string }).id.toLowerCase());
    };
    collect(sp.data);
    if (sp.application_id) {
      const app = await db.selectFrom('applications').select('data').where('id', '=', sp.application_id).executeTakeFirst();
      if (app) collect(app.data);
    }
    return ids;
  }

  private async principal(db: Db, id: string): Promise<{ type: PrincipalType; displayName: string | null }> {
    const u = await this.userRow(db, id);
    if (u) return { type: 'User', displayName: userFromRow(u).displayName };
    const g = await this.groupRow(db, id);
    if (g) return { type: 'Group', displayName: groupFromRow(g).displayName };
    const sp = await db.selectFrom('service_principals').select('display_name').where('id', '=', id).executeTakeFirst();
    if (sp) return { type: 'ServicePrincipal', displayName: sp.display_name };
    throw errors.resourceNotFound('principal', id);
  }

  /** Assigns an app role of service principal `resourceId` to a user, group or service principal. */
  async assign(resourceId: string, input: { principalId: string; resourceId: string; appRoleId: string }): Promise<GraphAppRoleAssignment> {
    if (input.resourceId.toLowerCase() !== resourceId.toLowerCase()) {
      throw errors.badRequest(`The resourceId '${input.resourceId}' in the body does not match the service principal '${resourceId}' addressed.`, 'resourceId');
    }
    const appRoleId = input.appRoleId.toLowerCase();
    try {
      return await this.write(async (trx, changes) => {
        const sp = await this.servicePrincipal(trx, resourceId);
        if (!(await this.appRoleIds(trx, sp)).has(appRoleId)) {
          throw errors.badRequest(`Permission being assigned was not found on application '${sp.app_id}'.`, 'appRoleId');
        }
        const p = await this.principal(trx, input.principalId);
        const dup = await trx.selectFrom('dir_assignments').select('id')
          .where('resource_id', '=', sp.id).where('principal_id', '=', input.principalId).where('app_role_id', '=', appRoleId).executeTakeFirst();
        if (dup) throw errors.badRequest('Permission being assigned already exists on the object', 'appRoleId');
        const a: GraphAppRoleAssignment = {
          id: newAssignmentId(),
          appRoleId,
          createdDateTime: this.now(),
          deletedDateTime: null,
          principalDisplayName: p.displayName,
          principalId: input.principalId,
          principalType: p.type,
          resourceDisplayName: sp.display_name,
          resourceId: sp.id,
        };
        await trx.insertInto('dir_assignments').values({
          id: a.id, resource_id: sp.id, principal_id: a.principalId, principal_type: a.principalType, app_role_id: appRoleId, created_at: a.createdDateTime,
        }).execute();
        changes.push({ objectType: 'appRoleAssignment', objectId: a.id, kind: 'assignmentAdded', relatedId: a.principalId, principalType: a.principalType, resourceId: sp.id, appRoleId });
        return a;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw errors.badRequest('Permission being assigned already exists on the object', 'appRoleId');
      throw e;
    }
  }

  /** Assigns many principals in one transaction (the seeder's path). */
  async importAssignments(resourceId: string, principals: readonly { principalId: string; principalType: PrincipalType }[], appRoleId = DEFAULT_APP_ROLE_ID): Promise<void> {
    if (principals.length === 0) return;
    await this.write(async (trx, changes) => {
      const sp = await this.servicePrincipal(trx, resourceId);
      const now = this.now();
      const rows = principals.map((p) => ({
        id: newAssignmentId(), resource_id: sp.id, principal_id: p.principalId, principal_type: p.principalType, app_role_id: appRoleId, created_at: now,
      }));
      await bulkInsert(trx, this.store.dialect, 'dir_assignments', rows);
      for (const r of rows) {
        changes.push({ objectType: 'appRoleAssignment', objectId: r.id, kind: 'assignmentAdded', relatedId: r.principal_id, principalType: r.principal_type as PrincipalType, resourceId: sp.id, appRoleId });
      }
    });
  }

  async unassign(resourceId: string, assignmentId: string): Promise<void> {
    await this.write(async (trx, changes) => {
      await this.servicePrincipal(trx, resourceId);
      const a = await trx.selectFrom('dir_assignments').selectAll().where('id', '=', assignmentId).where('resource_id', '=', resourceId).executeTakeFirst();
      if (!a) throw errors.resourceNotFound('appRoleAssignment', assignmentId);
      await trx.deleteFrom('dir_assignments').where('id', '=', assignmentId).execute();
      changes.push({
        objectType: 'appRoleAssignment', objectId: a.id, kind: 'assignmentRemoved', relatedId: a.principal_id,
        principalType: a.principal_type as PrincipalType, resourceId: a.resource_id, appRoleId: a.app_role_id,
      });
    });
  }

  /**
   * Assignments by resource (appRoleAssignedTo) or by principal
   * (appRoleAssignments), live principals only, keyset on the index order.
   */
  async listAssignments(by: { resourceId: string } | { principalId: string }, top: number, after?: string): Promise<{ items: GraphAppRoleAssignment[]; next?: string }> {
    const db = this.store.db;
    let q = db.selectFrom('dir_assignments as a').leftJoin('service_principals as sp', 'sp.id', 'a.resource_id')
      .select(['a.id', 'a.resource_id', 'a.principal_id', 'a.principal_type', 'a.app_role_id', 'a.created_at', 'sp.display_name as resource_name'])
      .where((eb) => eb.not(eb.exists(eb.selectFrom('dir_users as u').select('u.id').whereRef('u.id', '=', 'a.principal_id').where('u.deleted_at', 'is not', null))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('dir_groups as g').select('g.id').whereRef('g.id', '=', 'a.principal_id').where('g.deleted_at', 'is not', null))));
    // The cursor is "principal|role" (or "resource|role"), the unique index order under the fixed column.
    const [k1, k2] = after ? (after.split('|') as [string, string]) : [];
    if ('resourceId' in by) {
      await this.servicePrincipal(db, by.resourceId);
      q = q.where('a.resource_id', '=', by.resourceId);
      if (after) q = q.where((eb) => eb.or([eb('a.principal_id', '>', k1!), eb.and([eb('a.principal_id', '=', k1!), eb('a.app_role_id', '>', k2 ?? '')])]));
      q = q.orderBy('a.principal_id').orderBy('a.app_role_id');
    } else {
      q = q.where('a.principal_id', '=', by.principalId);
      if (after) q = q.where((eb) => eb.or([eb('a.resource_id', '>', k1!), eb.and([eb('a.resource_id', '=', k1!), eb('a.app_role_id', '>', k2 ?? '')])]));
      q = q.orderBy('a.resource_id').orderBy('a.app_role_id');
    }
    const rows = await q.limit(top + 1).execute();
    const page = rows.slice(0, top);
    const names = await this.displayNames(page.map((r) => ({ id: r.principal_id, type: r.principal_type as PrincipalType })));
    const items = page.map((r): GraphAppRoleAssignment => ({
      id: r.id, appRoleId: r.app_role_id, createdDateTime: r.created_at, deletedDateTime: null,
      principalDisplayName: names.get(r.principal_id) ?? null, principalId: r.principal_id, principalType: r.principal_type as PrincipalType,
      resourceDisplayName: r.resource_name ?? null, resourceId: r.resource_id,
    }));
    const last = page[page.length - 1];
    if (rows.length > top && last) {
      return { items, next: 'resourceId' in by ? `${last.principal_id}|${last.app_role_id}` : `${last.resource_id}|${last.app_role_id}` };
    }
    return { items };
  }

  private async displayNames(refs: readonly { id: string; type: PrincipalType }[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const u of await this.getUsersByIds(refs.filter((r) => r.type === 'User').map((r) => r.id))) out.set(u.id, u.displayName);
    for (const g of await this.getGroupsByIds(refs.filter((r) => r.type === 'Group').map((r) => r.id))) out.set(g.id, g.displayName);
    const sps = refs.filter((r) => r.type === 'ServicePrincipal').map((r) => r.id);
    for (const c of chunks(sps, ID_CHUNK)) {
      for (const sp of await this.store.db.selectFrom('service_principals').select(['id', 'display_name']).where('id', 'in', c).execute()) out.set(sp.id, sp.display_name);
    }
    return out;
  }

  // ======================================================= deleted items

  /** Soft-deleted users or groups, most recently deleted last, keyset by (deletedDateTime, id). */
  async listDeleted(kind: ObjectKind, top: number, after?: Cursor): Promise<{ items: (GraphUser | GraphGroup)[]; next?: Cursor }> {
    const table = kind === 'user' ? 'dir_users' : 'dir_groups';
    let q = this.store.db.selectFrom(table).select(['id', 'created_at', 'deleted_at', 'data']).where('deleted_at', 'is not', null);
    if (after?.key) {
      const k = after.key;
      q = q.where((eb) => eb.or([eb('deleted_at', '>', k), eb.and([eb('deleted_at', '=', k), eb('id', '>', after.id)])]));
    }
    const rows = await q.orderBy('deleted_at').orderBy('id').limit(top + 1).execute();
    const page = rows.slice(0, top);
    const items = page.map((r) => (kind === 'user' ? userFromRow(r) : groupFromRow(r)));
    const last = page[page.length - 1];
    return rows.length > top && last ? { items, next: { id: last.id, key: last.deleted_at } } : { items };
  }

  /** A soft-deleted user or group (Graph: GET /directory/deletedItems/{id}). */
  async getDeleted(id: string): Promise<DirectoryObject> {
    const u = await this.userRow(this.store.db, id, { deleted: true });
    if (u) return { kind: 'user', user: toDirectoryUser(u) };
    const g = await this.groupRow(this.store.db, id, { deleted: true });
    if (g) return { kind: 'group', group: groupFromRow(g) };
    throw errors.resourceNotFound('deletedItem', id);
  }

  /** Brings a soft-deleted object back, with its memberships, manager and assignments. */
  async restore(id: string): Promise<DirectoryObject> {
    return this.write(async (trx, changes) => {
      const u = await this.userRow(trx, id, { deleted: true, lock: true });
      if (u) {
        const user = userFromRow(u);
        if (await this.upnTaken(trx, user.userPrincipalName, id)) throw upnConflict();
        await trx.updateTable('dir_users').set({ deleted_at: null }).where('id', '=', id).execute();
        changes.push({ objectType: 'user', objectId: id, kind: 'restored' });
        return { kind: 'user', user: { ...toDirectoryUser(u), deletedDateTime: null } };
      }
      const g = await this.groupRow(trx, id, { deleted: true, lock: true });
      if (g) {
        const group = groupFromRow(g);
        if (await this.nicknameTaken(trx, group)) throw mailNicknameConflict();
        await trx.updateTable('dir_groups').set({ deleted_at: null }).where('id', '=', id).execute();
        changes.push({ objectType: 'group', objectId: id, kind: 'restored' });
        return { kind: 'group', group: { ...group, deletedDateTime: null } };
      }
      throw errors.resourceNotFound('deletedItem', id);
    });
  }

  /** Permanently deletes a soft-deleted object (Graph: DELETE /directory/deletedItems/{id}). */
  async purge(id: string): Promise<void> {
    await this.write(async (trx, changes) => {
      if (await this.userRow(trx, id, { deleted: true, lock: true })) return this.hardDelete(trx, 'user', id, changes);
      if (await this.groupRow(trx, id, { deleted: true, lock: true })) return this.hardDelete(trx, 'group', id, changes);
      throw errors.resourceNotFound('deletedItem', id);
    });
  }

  /** Permanently deletes what has been in the recycle bin longer than 30 days; returns how many. */
  async purgeExpired(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - RECYCLE_BIN_DAYS * 86_400_000).toISOString();
    let n = 0;
    for (const kind of ['user', 'group'] as const) {
      const table = kind === 'user' ? 'dir_users' : 'dir_groups';
      for (;;) {
        const ids = (await this.store.db.selectFrom(table).select('id').where('deleted_at', 'is not', null).where('deleted_at', '<', cutoff).limit(100).execute()).map((r) => r.id);
        if (ids.length === 0) break;
        for (const id of ids) {
          await this.write(async (trx, changes) => {
            // Another process may have purged or restored it meanwhile.
            const still = kind === 'user' ? await this.userRow(trx, id, { deleted: true, lock: true }) : await this.groupRow(trx, id, { deleted: true, lock: true });
            if (still) await this.hardDelete(trx, kind, id, changes);
          });
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Removes an object for good with every relationship it had, recording
   * each severed relationship in the feed so a reader learns which groups
   * lost a member, which users lost a manager and which assignments ended.
   */
  private async hardDelete(trx: Db, kind: ObjectKind, id: string, changes: NewChange[]): Promise<void> {
    const links = await trx.selectFrom('dir_group_links').selectAll()
      .where((eb) => eb.or([eb('target_id', '=', id), eb('group_id', '=', id)])).execute();
    for (const l of links) {
      changes.push({
        objectType: 'group', objectId: l.group_id, kind: l.rel === 'member' ? 'memberRemoved' : 'ownerRemoved',
        relatedId: l.target_id, relatedType: l.target_type as ObjectKind,
      });
    }
    await trx.deleteFrom('dir_group_links').where('target_id', '=', id).execute();
    await trx.deleteFrom('dir_group_links').where('group_id', '=', id).execute();
    const assignments = await trx.selectFrom('dir_assignments').selectAll().where('principal_id', '=', id).execute();
    for (const a of assignments) {
      changes.push({
        objectType: 'appRoleAssignment', objectId: a.id, kind: 'assignmentRemoved', relatedId: a.principal_id,
        principalType: a.principal_type as PrincipalType, resourceId: a.resource_id, appRoleId: a.app_role_id,
      });
    }
    await trx.deleteFrom('dir_assignments').where('principal_id', '=', id).execute();
    if (kind === 'user') {
      const reports = await trx.selectFrom('dir_users').select('id').where('manager_id', '=', id).execute();
      for (const r of reports) changes.push({ objectType: 'user', objectId: r.id, kind: 'managerRemoved', relatedId: id });
      await trx.updateTable('dir_users').set({ manager_id: null }).where('manager_id', '=', id).execute();
      await trx.deleteFrom('dir_users').where('id', '=', id).execute();
    } else {
      await trx.deleteFrom('dir_groups').where('id', '=', id).execute();
    }
    await trx.deleteFrom('dir_values').where('object_id', '=', id).execute();
    changes.push({ objectType: kind, objectId: id, kind: 'hardDeleted' });
  }

  // ===================================================== DirectorySource

  private batch(opts?: BatchOptions): number {
    return Math.min(Math.max(1, opts?.batchSize ?? 500), MAX_BATCH);
  }

  async *streamUsers(opts?: BatchOptions & { range?: IdRange }): AsyncIterable<DirectoryUser[]> {
    const size = this.batch(opts);
    let after: string | undefined = opts?.range?.after || undefined;
    const upTo = opts?.range?.upTo ?? null;
    for (;;) {
      let q = this.store.db.selectFrom('dir_users').select(USER_COLS).where('deleted_at', 'is', null);
      if (after) q = q.where('id', '>', after);
      if (upTo !== null) q = q.where('id', '<=', upTo);
      const rows = await q.orderBy('id').limit(size).execute();
      if (rows.length === 0) return;
      yield rows.map(toDirectoryUser);
      if (rows.length < size) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async userIdBoundaries(every: number): Promise<string[]> {
    const out: string[] = [];
    let after = '';
    for (;;) {
      // Keyset plus an offset: each step reads `every` index entries, the whole walk the index once.
      const row = await this.store.db.selectFrom('dir_users').select('id').where('deleted_at', 'is', null).where('id', '>', after)
        .orderBy('id').limit(1).offset(every - 1).executeTakeFirst();
      if (!row) return out;
      // A cut at the very last user would leave an empty last range.
      const more = await this.store.db.selectFrom('dir_users').select('id').where('deleted_at', 'is', null).where('id', '>', row.id).limit(1).executeTakeFirst();
      if (!more) return out;
      out.push(row.id);
      after = row.id;
    }
  }

  async *streamGroups(opts?: BatchOptions): AsyncIterable<DirectoryGroup[]> {
    const size = this.batch(opts);
    let after: string | undefined;
    for (;;) {
      let q = this.store.db.selectFrom('dir_groups').select(GROUP_COLS).where('deleted_at', 'is', null);
      if (after) q = q.where('id', '>', after);
      const rows = await q.orderBy('id').limit(size).execute();
      if (rows.length === 0) return;
      yield rows.map(groupFromRow);
      if (rows.length < size) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async getUsersByIds(ids: readonly string[]): Promise<DirectoryUser[]> {
    const out: DirectoryUser[] = [];
    for (const c of chunks([...new Set(ids)], ID_CHUNK)) {
      out.push(...(await this.store.db.selectFrom('dir_users').select(USER_COLS).where('id', 'in', c).execute()).map(toDirectoryUser));
    }
    return out;
  }

  async getGroupsByIds(ids: readonly string[]): Promise<DirectoryGroup[]> {
    const out: DirectoryGroup[] = [];
    for (const c of chunks([...new Set(ids)], ID_CHUNK)) {
      out.push(...(await this.store.db.selectFrom('dir_groups').select(GROUP_COLS).where('id', 'in', c).execute()).map(groupFromRow));
    }
    return out;
  }

  async *streamGroupMemberIds(groupId: string, opts?: BatchOptions): AsyncIterable<MemberRef[]> {
    const size = this.batch(opts);
    let after: string | undefined;
    for (;;) {
      const refs = await this.linkPage(groupId, 'member', size, after);
      if (refs.length === 0) return;
      yield refs;
      if (refs.length < size) return;
      after = refs[refs.length - 1]!.id;
    }
  }

  async getManagerId(userId: string): Promise<string | null> {
    const r = await this.store.db.selectFrom('dir_users').select('manager_id').where('id', '=', userId).executeTakeFirst();
    return r?.manager_id ?? null;
  }

  async *streamAssignments(servicePrincipalId: string, opts?: BatchOptions): AsyncIterable<Assignment[]> {
    const size = this.batch(opts);
    let after: string | undefined;
    for (;;) {
      const page = await this.listAssignments({ resourceId: servicePrincipalId }, size, after);
      if (page.items.length) yield page.items.map((a) => ({ id: a.id, principalId: a.principalId, principalType: a.principalType, appRoleId: a.appRoleId }));
      if (!page.next) return;
      after = page.next;
    }
  }

  async getEntitlements(servicePrincipalId: string, userIds: readonly string[]): Promise<UserEntitlement[]> {
    const byUser = new Map<string, UserEntitlement>(userIds.map((id) => [id, { userId: id, direct: [], viaGroups: [] }]));
    const db = this.store.db;
    for (const c of chunks([...byUser.keys()], ID_CHUNK)) {
      const direct = await db.selectFrom('dir_assignments').select(['principal_id', 'app_role_id'])
        .where('resource_id', '=', servicePrincipalId).where('principal_id', 'in', c).execute();
      for (const d of direct) byUser.get(d.principal_id)?.direct.push(d.app_role_id);
      // Direct members of assigned live groups only: Entra does not expand nested groups.
      const via = await db.selectFrom('dir_group_links as l')
        .innerJoin('dir_assignments as a', 'a.principal_id', 'l.group_id')
        .innerJoin('dir_groups as g', 'g.id', 'l.group_id')
        .select(['l.target_id', 'l.group_id', 'a.app_role_id'])
        .where('a.resource_id', '=', servicePrincipalId).where('l.rel', '=', 'member').where('l.target_id', 'in', c).where('g.deleted_at', 'is', null)
        .execute();
      for (const v of via) byUser.get(v.target_id)?.viaGroups.push({ groupId: v.group_id, appRoleId: v.app_role_id });
    }
    return userIds.map((id) => byUser.get(id)!);
  }

  async countObjects(): Promise<{ users: number; groups: number }> {
    return { users: await this.countUsers(), groups: await this.countGroups() };
  }

  currentWatermark(): Promise<number> {
    return currentWatermark(this.store.db);
  }

  async changesSince(watermark: number, opts?: { limit?: number }): Promise<ChangePage> {
    const limit = Math.min(Math.max(1, opts?.limit ?? 1000), MAX_CHANGES_LIMIT);
    const changes = await readChanges(this.store.db, watermark, limit);
    return { changes, watermark: changes.length ? changes[changes.length - 1]!.seq : watermark, hasMore: changes.length === limit };
  }

  async *streamChangesSince(watermark: number, opts?: { limit?: number }): AsyncIterable<DirectoryChange[]> {
    let at = watermark;
    for (;;) {
      const page = await this.changesSince(at, opts);
      if (page.changes.length) yield page.changes;
      if (!page.hasMore) return;
      at = page.watermark;
    }
  }

  /** Changes of one object type after `watermark` (for Graph's delta). */
  readChanges(watermark: number, limit: number, objectType: 'user' | 'group'): Promise<DirectoryChange[]> {
    return readChanges(this.store.db, watermark, limit, objectType);
  }
}

function pageOf<T extends { id: string }>(rows: T[], top: number): { items: T[]; next?: string } {
  const items = rows.slice(0, top);
  return rows.length > top && items.length ? { items, next: items[items.length - 1]!.id } : { items };
}
