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
  sync_link_members: { job_id: string; group_source_id: string; member_source_id: string; member_target_id: string };
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


/**
 * The embedded directory (src/directory). Graph objects keep their full wire
 * shape in `data` (JSON); the `*_lc` columns are lower-cased copies of the
 * properties `$filter` and `$orderby` use, kept so that case-insensitive
 * comparisons (Graph's) run on plain indexes in both stores. Less common
 * filterable properties and multi-valued ones live in `dir_values`, one row a
 * value, so each of them is indexed too. See docs/directory.md.
 */
export interface DirectoryTables {
  dir_users: {
    id: string;
    upn_lc: string;
    display_name_lc: string | null;
    given_name_lc: string | null;
    surname_lc: string | null;
    mail_lc: string | null;
    mail_nickname_lc: string | null;
    employee_id_lc: string | null;
    company_name_lc: string | null;
    office_location_lc: string | null;
    street_address_lc: string | null;
    city_lc: string | null;
    state_lc: string | null;
    postal_code_lc: string | null;
    country_lc: string | null;
    usage_location_lc: string | null;
    preferred_language_lc: string | null;
    user_type_lc: string | null;
    employee_type_lc: string | null;
    /** 0/1 */
    account_enabled: number;
    /** ISO instant or null. */
    employee_hire_date: string | null;
    manager_id: string | null;
    created_at: string;
    /** Set while the user is in the recycle bin (directory/deletedItems). */
    deleted_at: string | null;
    /** JSON: every other Graph property, as written (never the password). */
    data: string;
  };
  dir_groups: {
    id: string;
    display_name_lc: string | null;
    description_lc: string | null;
    mail_lc: string | null;
    mail_nickname_lc: string | null;
    /** 0/1 */
    security_enabled: number;
    /** 0/1 */
    mail_enabled: number;
    created_at: string;
    deleted_at: string | null;
    data: string;
  };
  /** One row per value of a secondary or multi-valued filterable property. */
  dir_values: {
    object_id: string;
    prop: string;
    value_lc: string;
  };
  /** Group members and owners. */
  dir_group_links: {
    group_id: string;
    /** 'member' | 'owner' */
    rel: string;
    target_id: string;
    /** 'user' | 'group' */
    target_type: string;
  };
  dir_assignments: {
    id: string;
    /** The service principal the role belongs to. */
    resource_id: string;
    principal_id: string;
    /** 'User' | 'Group' | 'ServicePrincipal' (Graph's principalType). */
    principal_type: string;
    app_role_id: string;
    created_at: string;
  };
  /** Named counters; 'changes' allocates change-feed sequence numbers. */
  dir_counters: {
    name: string;
    value: number;
  };
  /** The change feed: one row per change, numbered in commit order. */
  dir_changes: {
    seq: number;
    at: string;
    /** 'user' | 'group' | 'appRoleAssignment' */
    object_type: string;
    object_id: string;
    kind: string;
    /** The member, owner, manager or principal a relationship change is about. */
    related_id: string | null;
    /** JSON: changed property names, or the relationship's details. */
    detail: string | null;
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

/** Application instances and the agent provisioning registry (src/appinstances, docs/application-instances.md). */
export interface AppInstanceTables {
  app_instances: {
    /** The directory user's id (the instance's ObjectId). */
    object_id: string;
    application_id: string | null;
    acs_resource_id: string | null;
    /** E.164, optionally with `;ext=`. */
    phone_number: string | null;
    created_at: string;
    updated_at: string;
  };
  /** The agent provisioning registry: instance → application (+ ACS resource, callback). */
  aps_mappings: {
    object_id: string;
    application_id: string;
    acs_resource_id: string | null;
    callback_uri: string | null;
    user_principal_name: string;
    display_name: string | null;
    phone_number: string | null;
    created_at: string;
    synced_at: string;
  };
  app_instance_associations: {
    object_id: string;
    configuration_id: string;
    /** 'AutoAttendant' | 'CallQueue' */
    configuration_type: string;
    call_priority: number;
    associated_at: string;
  };
}

/** Inbound provisioning (src/inbound): staged bulkUpload records, anchor links, pending references. */
export interface InboundTables {
  inbound_counters: { job_id: string; value: number };
  inbound_uploads: { id: string; job_id: string; operations: number; request_id: string | null; received_at: string };
  inbound_records: {
    job_id: string;
    seq: number;
    upload_id: string;
    op_index: number;
    bulk_id: string | null;
    external_id: string | null;
    /** JSON: the SCIM user as received. */
    payload: string;
    received_at: string;
  };
  /** `user_id`: the directory object (user or group, `object_type` `User`/`Group`) the anchor became. */
  inbound_links: { job_id: string; anchor: string; user_id: string; updated_at: string; object_type: Generated<string> };
  inbound_pending_refs: {
    job_id: string;
    user_id: string;
    attribute: string;
    ref_anchor: string;
    source_anchor: string;
    display_name: string | null;
    change_id: string;
    created_at: string;
  };
}

/** The scheduler (migration 0007): due times, leases, fencing tokens. Instants are epoch milliseconds. */
export interface SchedulerTables {
  sync_job_schedule: {
    job_id: string;
    due_at: number | null;
    scheduled_at: number | null;
    expires_at: number | null;
    requested_at: number | null;
    request_seq: Generated<number>;
    served_seq: Generated<number>;
    claim_requested: Generated<number>;
    lease_owner: string | null;
    lease_expires_at: number | null;
    fencing_token: Generated<number>;
    claimed_at: number | null;
  };
  sync_fencing_log: {
    job_id: string;
    token: number;
    worker: string;
    started_at: number;
    expires_at: number;
    last_write_at: number | null;
    writes: Generated<number>;
    ended_at: number | null;
    outcome: string | null;
  };
  sync_cycle_partitions: {
    job_id: string;
    cycle_id: string;
    watermark: number;
    phase: string;
    part: number;
    lower: string;
    upper: string | null;
    state: string;
    lease_owner: string | null;
    lease_expires_at: number | null;
    fencing_token: Generated<number>;
    result: string | null;
  };
}

export interface Database extends CoreTables, SyncTables, DirectoryTables, LogTables, EngineTables, AppInstanceTables, SchedulerTables, InboundTables {}
