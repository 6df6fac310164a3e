import type { Kysely } from 'kysely';

// Never edit a migration once it has landed; add a new one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A link ("object connection" in Entra's words): which target object a
  // source object became, and what was last exported to it, so that later
  // cycles send only what changed and never touch unmanaged target objects.
  await db.schema
    .createTable('sync_links')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    /** JSON map of target attribute → value as last exported. */
    .addColumn('exported', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    /** 1 while the target object is active, 0 once the engine disabled it. */
    .addColumn('active', 'integer', (c) => c.notNull())
    /** Target id of the manager last exported, for users. */
    .addColumn('manager_target_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_links_pk', ['job_id', 'object_type', 'source_id'])
    .execute();
  await db.schema.createIndex('sync_links_target').on('sync_links').columns(['job_id', 'target_id']).execute();

  // Group memberships as exported to the target (source ids on both sides).
  await db.schema
    .createTable('sync_link_members')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('group_source_id', 'text', (c) => c.notNull())
    .addColumn('member_source_id', 'text', (c) => c.notNull())
    // The member's target id as exported, so it can be removed even after its own link is gone.
    .addColumn('member_target_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_link_members_pk', ['job_id', 'group_source_id', 'member_source_id'])
    .execute();
  await db.schema.createIndex('sync_link_members_member').on('sync_link_members').columns(['job_id', 'member_source_id']).execute();

  // The engine's per-job state: watermark into the directory's change feed,
  // the cycle in progress (for resumption), and counters across cycles.
  await db.schema
    .createTable('sync_job_state')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('watermark', 'bigint')
    .addColumn('cycle', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Objects whose export failed, kept with their error and retried on a ladder.
  await db.schema
    .createTable('sync_escrows')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('first_failed_at', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_escrows_pk', ['job_id', 'object_type', 'source_id'])
    .execute();
  await db.schema.createIndex('sync_escrows_due').on('sync_escrows').columns(['job_id', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['sync_escrows', 'sync_job_state', 'sync_link_members', 'sync_links']) await db.schema.dropTable(t).execute();
}
