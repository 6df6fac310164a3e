/**
 * Links between source objects and the target objects they became, and the
 * group memberships exported, per job. Every method works in batches: a
 * cycle reads and writes links a page at a time.
 */
import { sql } from 'kysely';
import type { Db } from '../store/store.ts';
import type { SourceType } from './mapping-plan.ts';
import type { TargetAttributes } from './map.ts';

/**
 * A link without what was exported: enough to refer to the object (as a
 * manager or a member) and to set its own manager. Reading these skips the
 * `exported` JSON, which only the object's own export needs.
 */
export interface LinkRef {
  type: SourceType;
  sourceId: string;
  targetId: string;
  displayName: string | null;
  active: boolean;
  managerTargetId: string | null;
}

export interface Link extends LinkRef {
  /** Target attributes as last exported. */
  exported: TargetAttributes;
  hash: string;
}

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type LinkRow = {
  object_type: string; source_id: string; target_id: string; display_name: string | null; exported: string; hash: string; active: number; manager_target_id: string | null;
};

const REF_COLUMNS = ['object_type', 'source_id', 'target_id', 'display_name', 'active', 'manager_target_id'] as const;
type RefRow = Pick<LinkRow, (typeof REF_COLUMNS)[number]>;

function refFromRow(r: RefRow): LinkRef {
  return {
    type: r.object_type as SourceType,
    sourceId: r.source_id,
    targetId: r.target_id,
    displayName: r.display_name,
    active: r.active === 1,
    managerTargetId: r.manager_target_id,
  };
}

function fromRow(r: LinkRow): Link {
  return {
    type: r.object_type as SourceType,
    sourceId: r.source_id,
    targetId: r.target_id,
    displayName: r.display_name,
    exported: JSON.parse(r.exported) as TargetAttributes,
    hash: r.hash,
    active: r.active === 1,
    managerTargetId: r.manager_target_id,
  };
}

export class LinkRepository {
  constructor(private readonly jobId: string) {}

  /** Links of these source objects, keyed by source id. */
  async get(db: Db, type: SourceType, sourceIds: readonly string[]): Promise<Map<string, Link>> {
    const out = new Map<string, Link>();
    for (const ids of chunks([...new Set(sourceIds)])) {
      if (ids.length === 0) continue;
      const rows = await db.selectFrom('sync_links').selectAll()
        .where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', 'in', ids).execute();
      for (const r of rows) out.set(r.source_id, fromRow(r));
    }
    return out;
  }

  /** As {@link get}, without what was exported. */
  async getRefs(db: Db, type: SourceType, sourceIds: readonly string[]): Promise<Map<string, LinkRef>> {
    const out = new Map<string, LinkRef>();
    for (const ids of chunks([...new Set(sourceIds)])) {
      if (ids.length === 0) continue;
      const rows = await db.selectFrom('sync_links').select(REF_COLUMNS)
        .where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', 'in', ids).execute();
      for (const r of rows) out.set(r.source_id, refFromRow(r));
    }
    return out;
  }

  async getOne(db: Db, type: SourceType, sourceId: string): Promise<Link | undefined> {
    return (await this.get(db, type, [sourceId])).get(sourceId);
  }

  /** Every link of a type, a page at a time, in source-id order. */
  async *stream(db: Db, type: SourceType, pageSize = 1000): AsyncIterable<Link[]> {
    let after = '';
    for (;;) {
      const rows = await db.selectFrom('sync_links').selectAll()
        .where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', '>', after)
        .orderBy('source_id').limit(pageSize).execute();
      if (rows.length === 0) return;
      yield rows.map(fromRow);
      after = rows[rows.length - 1]!.source_id;
      if (rows.length < pageSize) return;
    }
  }

  /** As {@link stream}, without what was exported. */
  async *streamRefs(db: Db, type: SourceType, pageSize = 1000): AsyncIterable<LinkRef[]> {
    let after = '';
    for (;;) {
      const rows = await db.selectFrom('sync_links').select(REF_COLUMNS)
        .where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', '>', after)
        .orderBy('source_id').limit(pageSize).execute();
      if (rows.length === 0) return;
      yield rows.map(refFromRow);
      after = rows[rows.length - 1]!.source_id;
      if (rows.length < pageSize) return;
    }
  }

  /**
   * Sets the exported manager of linked users, and nothing else of their
   * links (one UPDATE per chunk, joined to a VALUES list; SQLite ≥ 3.33 and
   * PostgreSQL both name its columns column1, column2).
   */
  async setManagers(db: Db, updates: readonly { sourceId: string; managerTargetId: string | null }[], now: string): Promise<void> {
    for (const part of chunks(updates)) {
      if (part.length === 0) continue;
      const values = sql.join(part.map((u) => sql`(${u.sourceId}, ${u.managerTargetId})`));
      await sql`update sync_links set manager_target_id = v.column2, updated_at = ${now}
        from (values ${values}) as v
        where sync_links.job_id = ${this.jobId} and sync_links.object_type = 'User' and sync_links.source_id = v.column1`.execute(db);
    }
  }

  async upsert(db: Db, links: readonly Link[], now: string): Promise<void> {
    for (const part of chunks(links, 200)) {
      if (part.length === 0) continue;
      await db.insertInto('sync_links').values(part.map((l) => ({
        job_id: this.jobId, object_type: l.type, source_id: l.sourceId, target_id: l.targetId, display_name: l.displayName,
        exported: JSON.stringify(l.exported), hash: l.hash, active: l.active ? 1 : 0, manager_target_id: l.managerTargetId, updated_at: now,
      }))).onConflict((oc) => oc.columns(['job_id', 'object_type', 'source_id']).doUpdateSet((eb) => ({
        target_id: eb.ref('excluded.target_id'),
        display_name: eb.ref('excluded.display_name'),
        exported: eb.ref('excluded.exported'),
        hash: eb.ref('excluded.hash'),
        active: eb.ref('excluded.active'),
        manager_target_id: eb.ref('excluded.manager_target_id'),
        updated_at: eb.ref('excluded.updated_at'),
      }))).execute();
    }
  }

  async remove(db: Db, type: SourceType, sourceIds: readonly string[]): Promise<void> {
    for (const ids of chunks(sourceIds)) {
      if (ids.length === 0) continue;
      await db.deleteFrom('sync_links').where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', 'in', ids).execute();
      if (type === 'Group') await db.deleteFrom('sync_link_members').where('job_id', '=', this.jobId).where('group_source_id', 'in', ids).execute();
    }
  }

  async count(db: Db, type: SourceType): Promise<number> {
    const r = await db.selectFrom('sync_links').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('job_id', '=', this.jobId).where('object_type', '=', type).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The members exported for a group: member source id → member target id. */
  async members(db: Db, groupSourceId: string): Promise<Map<string, string>> {
    const rows = await db.selectFrom('sync_link_members').select(['member_source_id', 'member_target_id'])
      .where('job_id', '=', this.jobId).where('group_source_id', '=', groupSourceId).execute();
    return new Map(rows.map((r) => [r.member_source_id, r.member_target_id]));
  }

  async addMembers(db: Db, groupSourceId: string, members: readonly { sourceId: string; targetId: string }[]): Promise<void> {
    for (const part of chunks(members)) {
      if (part.length === 0) continue;
      await db.insertInto('sync_link_members')
        .values(part.map((m) => ({ job_id: this.jobId, group_source_id: groupSourceId, member_source_id: m.sourceId, member_target_id: m.targetId })))
        .onConflict((oc) => oc.doNothing()).execute();
    }
  }

  async removeMembers(db: Db, groupSourceId: string, memberSourceIds: readonly string[]): Promise<void> {
    for (const ids of chunks(memberSourceIds)) {
      if (ids.length === 0) continue;
      await db.deleteFrom('sync_link_members').where('job_id', '=', this.jobId).where('group_source_id', '=', groupSourceId)
        .where('member_source_id', 'in', ids).execute();
    }
  }

  /** Groups that list any of these objects as an exported member. */
  async groupsOfMembers(db: Db, memberSourceIds: readonly string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const ids of chunks([...new Set(memberSourceIds)])) {
      if (ids.length === 0) continue;
      const rows = await db.selectFrom('sync_link_members').select('group_source_id')
        .where('job_id', '=', this.jobId).where('member_source_id', 'in', ids).execute();
      for (const r of rows) out.add(r.group_source_id);
    }
    return [...out];
  }

  /** Drops every link and exported membership of the job (restart with ConnectorDataStore). */
  async clear(db: Db): Promise<void> {
    await db.deleteFrom('sync_links').where('job_id', '=', this.jobId).execute();
    await db.deleteFrom('sync_link_members').where('job_id', '=', this.jobId).execute();
  }
}
