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

export interface EngineTables {
  sync_links: {
    job_id: string;
    object_type: string;
    source_id: string;
    target_id: string;
    display_name: string | null;
    exported: string;
    hash: string;
    active: number;
    manager_target_id: string | null;
    updated_at: string;
  };
  sync_link_members: { job_id: string; group_source_id: string; member_source_id: string };
  sync_job_state: { job_id: string; watermark: number | null; cycle: string | null; updated_at: string };
  sync_escrows: {
    job_id: string;
    object_type: string;
    source_id: string;
    action: string;
    error: string;
    attempts: number;
    first_failed_at: string;
    next_attempt_at: string;
  };
}

export interface Database extends CoreTables, SyncTables, EngineTables {}
