import type { Kysely } from 'kysely';

// Never edit a migration once it has landed; add a new one.
//
// Inbound provisioning (docs/inbound.md): the staging store of bulkUpload
// operations, per job and in commit order; which directory user each source
// anchor became; and manager references waiting for their manager.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Per-job sequence of staged records. Every staging transaction increments
  // it as its last step, so commit order is sequence order on both stores
  // (the same scheme as the directory's change feed).
  await db.schema
    .createTable('inbound_counters')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  // One row per accepted bulkUpload request.
  await db.schema
    .createTable('inbound_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('operations', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbound_uploads_job').on('inbound_uploads').columns(['job_id', 'received_at']).execute();

  // One row per staged operation (a SCIM user), until the job has processed it.
  await db.schema
    .createTable('inbound_records')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('op_index', 'integer', (c) => c.notNull())
    .addColumn('bulk_id', 'text')
    .addColumn('external_id', 'text')
    /** JSON: the operation's `data` (the SCIM user) as received. */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_records_pk', ['job_id', 'seq'])
    .execute();

  // Source anchor (externalId, objectGUID, entryUUID) → the directory user it created or matched.
  await db.schema
    .createTable('inbound_links')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_links_pk', ['job_id', 'anchor'])
    .execute();
  await db.schema.createIndex('inbound_links_user').on('inbound_links').columns(['job_id', 'user_id']).execute();

  // A reference (manager) that named a source object not provisioned yet; retried every cycle.
  await db.schema
    .createTable('inbound_pending_refs')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('attribute', 'text', (c) => c.notNull())
    /** The referenced object's source anchor (for API2AAD: the manager's externalId). */
    .addColumn('ref_anchor', 'text', (c) => c.notNull())
    /** The referencing record's anchor and display name, for its log entry. */
    .addColumn('source_anchor', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_pending_refs_pk', ['job_id', 'user_id', 'attribute'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['inbound_pending_refs', 'inbound_links', 'inbound_records', 'inbound_uploads', 'inbound_counters']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
