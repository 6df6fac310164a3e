/**
 * Links between source objects and the target objects they became, and the
 * group memberships exported, per job. Every method works in batches: a
 * cycle reads and writes links a page at a time.
 */
import type { Db } from '../store/store.ts';
import type { SourceType } from './mapping-plan.ts';
import type { TargetAttributes } from './map.ts';

export interface Link {
  type: SourceType;
  sourceId: string;
  targetId: string;
  displayName: string | null;
  /** Target attributes as last exported. */
  exported: TargetAttributes;
  hash: string;
  active: boolean;
  managerTargetId: string | null;
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
