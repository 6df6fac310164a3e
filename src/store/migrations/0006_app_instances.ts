import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Never edit a migration once it has landed; add a new one.
//
// Application instances (Teams resource accounts) are directory users with
// the marker department (docs/application-instances.md); these tables hold
// what the directory has no column for, the agent provisioning registry and
// the associations with Auto Attendant / Call Queue configurations.
export async function up(db: Kysely<unknown>): Promise<void> {
  // What an instance carries beyond its directory user, keyed by the user's id.
  await db.schema
    .createTable('app_instances')
    .addColumn('object_id', 'text', (c) => c.primaryKey())
    /** Lower-case GUID of the application that handles the instance's calls, or null. */
    .addColumn('application_id', 'text')
    .addColumn('acs_resource_id', 'text')
    /** E.164 (`+14255550100`, optionally `;ext=12`), or null. */
    .addColumn('phone_number', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_instances_application').on('app_instances').columns(['application_id', 'object_id']).execute();
  await db.schema.createIndex('app_instances_acs').on('app_instances').columns(['acs_resource_id', 'object_id']).execute();
  // A number belongs to one instance at a time (Set moves it only with force).
  await db.schema.createIndex('app_instances_phone').on('app_instances').column('phone_number').unique()
    .where(sql.ref('phone_number'), 'is not', null).execute();

  // The agent provisioning registry ("APS"): one mapping per instance object id.
  // Insert-only per key: a second mapping for the same id is the documented
  // duplicate-key error, never an overwrite.
  await db.schema
    .createTable('aps_mappings')
    .addColumn('object_id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('acs_resource_id', 'text')
    .addColumn('callback_uri', 'text')
    // The instance as it was copied from the directory at the last sync.
    .addColumn('user_principal_name', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('phone_number', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('aps_mappings_application').on('aps_mappings').columns(['application_id', 'object_id']).execute();

  // An instance is associated with at most one configuration; a configuration with many instances.
  await db.schema
    .createTable('app_instance_associations')
    .addColumn('object_id', 'text', (c) => c.primaryKey())
    .addColumn('configuration_id', 'text', (c) => c.notNull())
    /** 'AutoAttendant' | 'CallQueue' */
    .addColumn('configuration_type', 'text', (c) => c.notNull())
    .addColumn('call_priority', 'integer', (c) => c.notNull())
    .addColumn('associated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_instance_associations_configuration').on('app_instance_associations')
    .columns(['configuration_id', 'object_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['app_instance_associations', 'aps_mappings', 'app_instances']) await db.schema.dropTable(t).execute();
}
