import type { Kysely } from 'kysely';

/**
 * Provisioning logs: the entry as JSON text plus one column per filterable
 * attribute. Each index ends in (activity_date_time, id), the keyset order
 * of the list, so that "newest first" under an equality filter is an index
 * range scan with no sort, and paging resumes with a row-value comparison.
 */
// Never edit a migration once it has landed; add a new one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('provisioning_logs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('activity_date_time', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('job_id', 'text')
    .addColumn('change_id', 'text')
    .addColumn('cycle_id', 'text')
    .addColumn('provisioning_action', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('status', 'text')
    .addColumn('source_system_display_name', 'text')
    .addColumn('target_system_display_name', 'text')
    .addColumn('source_identity_type', 'text')
    .addColumn('target_identity_type', 'text')
    .addColumn('source_id', 'text')
    .addColumn('target_id', 'text')
    .addColumn('source_display_name', 'text')
    .addColumn('target_display_name', 'text')
    .addColumn('sp_id', 'text')
    .addColumn('sp_display_name', 'text')
    .addColumn('initiated_by_display_name', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();

  const index = (name: string, columns: string[]) =>
    db.schema.createIndex(name).on('provisioning_logs').columns([...columns, 'activity_date_time', 'id']).execute();
  // Everything newest first, time ranges, and retention's "older than".
  await index('provisioning_logs_time', []);
  // A job's entries newest first (the bulkUpload Location query: jobid eq '…').
  await index('provisioning_logs_job', ['job_id']);
  // A job's failures (jobId eq … and provisioningStatusInfo/status eq 'failure').
  await index('provisioning_logs_job_status', ['job_id', 'status']);
  // One object's history (sourceIdentity/id eq '…', with or without jobId).
  await index('provisioning_logs_source', ['source_id']);
  // All failures (or skips) across jobs.
  await index('provisioning_logs_status', ['status']);
  // One application's entries (the portal's view; servicePrincipal/id eq '…').
  await index('provisioning_logs_sp', ['sp_id']);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('provisioning_logs').execute();
}
