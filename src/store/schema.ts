/**
 * The tables, as kysely sees them. Each area declares its own tables in its
 * own interface; `Database` is their union. Portable types only, so one set
 * of queries serves SQLite and PostgreSQL: JSON is stored as text, booleans
 * as 0/1 integers, instants as ISO-8601 UTC text (which sorts as time).
 */
import type { Generated } from 'kysely';

export interface CoreTables {
  settings: { key: string; value: string };
  clients: {
    client_id: string;
    secret_hash: string;
    display_name: string;
    /** JSON array of Graph permission names granted as application roles. */
    roles: string;
    created_at: string;
  };
  applications: {
    id: string;
    app_id: string;
    display_name: string;
    /** JSON: the remaining Graph properties (tags, notes, …). */
    data: string;
    owner_client_id: string | null;
    created_at: string;
  };
  service_principals: {
    id: string;
    app_id: string;
    application_id: string | null;
    display_name: string;
    data: string;
    owner_client_id: string | null;
    created_at: string;
  };
}

export interface SyncTables {
  sync_templates: {
    sp_id: string;
    id: string;
    factory_tag: string;
    /** JSON: description, default, discoverable, metadata, applicationId. */
    data: string;
    /** JSON synchronizationSchema, or null for the factory default. */
    schema: string | null;
  };
  sync_secrets: {
    sp_id: string;
    key: string;
    /** AES-256-GCM ciphertext (see src/util/crypto.ts). */
    value_enc: string;
  };
  sync_jobs: {
    id: string;
    sp_id: string;
    template_id: string;
    /** JSON synchronizationSchedule. */
    schedule: string;
    /** JSON synchronizationStatus. */
    status: string;
    /** JSON keyValuePair[] (synchronizationJobSettings). */
    settings: string;
    /** JSON synchronizationSchema. */
    schema: string;
    /** Flags of the last restart not yet consumed by the engine (e.g. "Watermark, Escrows"). */
    pending_reset_scope: string | null;
    /** Incremented on every write; optimistic concurrency and fencing. */
    row_version: Generated<number>;
    created_at: string;
    updated_at: string;
  };
}

/** Provisioning logs (src/logs): one row per provisioningObjectSummary. */
export interface LogTables {
  provisioning_logs: {
    id: string;
    /** Fixed-width UTC sort key with 7 fractional digits (`2019-05-04T03:00:54.0000000Z`): text order is time order. */
    activity_date_time: string;
    tenant_id: string | null;
    job_id: string | null;
    change_id: string | null;
    cycle_id: string | null;
    provisioning_action: string | null;
    duration_ms: number | null;
    /** provisioningStatusInfo/status in lower case: Graph filters it ignoring case. */
    status: string | null;
    source_system_display_name: string | null;
    target_system_display_name: string | null;
    source_identity_type: string | null;
    target_identity_type: string | null;
    source_id: string | null;
    target_id: string | null;
    source_display_name: string | null;
    target_display_name: string | null;
    sp_id: string | null;
    sp_display_name: string | null;
    initiated_by_display_name: string | null;
    /** JSON: the whole entry exactly as served. */
    data: string;
  };
}

export interface Database extends CoreTables, SyncTables, LogTables {}
