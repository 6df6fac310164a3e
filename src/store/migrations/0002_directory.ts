import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

// Never edit a migration once it has landed; add a new one.
//
// The `*_lc` columns are compared with `=`, with prefix ranges (startswith)
// and sorted. That needs byte order, which SQLite's default BINARY collation
// is; on PostgreSQL the database's collation may be linguistic (en_US…), where
// prefix ranges are wrong and plain indexes serve no range, so those columns
// are declared `collate "C"` there (the one dialect-specific line).
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const lc = pg ? sql`text collate "C"` : sql`text`;

  await db.schema
    .createTable('dir_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('upn_lc', lc, (c) => c.notNull())
    .addColumn('display_name_lc', lc)
    .addColumn('given_name_lc', lc)
    .addColumn('surname_lc', lc)
    .addColumn('mail_lc', lc)
    .addColumn('mail_nickname_lc', lc)
    .addColumn('employee_id_lc', lc)
    .addColumn('account_enabled', 'integer', (c) => c.notNull())
    .addColumn('employee_hire_date', 'text')
    .addColumn('manager_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  // A userPrincipalName is unique among live users; a soft-deleted user keeps
  // its name but a restore that would collide is refused (DirectoryService.restore).
  await db.schema.createIndex('dir_users_upn').on('dir_users').column('upn_lc').unique().where(sql.ref('deleted_at'), 'is', null).execute();
  for (const col of ['display_name_lc', 'given_name_lc', 'surname_lc', 'mail_lc', 'mail_nickname_lc', 'employee_id_lc']) {
    await db.schema.createIndex(`dir_users_${col}`).on('dir_users').columns([col, 'id']).execute();
  }
  await db.schema.createIndex('dir_users_manager').on('dir_users').column('manager_id').execute();
  await db.schema.createIndex('dir_users_deleted').on('dir_users').columns(['deleted_at', 'id']).where(sql.ref('deleted_at'), 'is not', null).execute();

  await db.schema
    .createTable('dir_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name_lc', lc)
    .addColumn('description_lc', lc)
    .addColumn('mail_lc', lc)
    .addColumn('mail_nickname_lc', lc)
    .addColumn('security_enabled', 'integer', (c) => c.notNull())
    .addColumn('mail_enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  for (const col of ['display_name_lc', 'mail_lc', 'mail_nickname_lc']) {
    await db.schema.createIndex(`dir_groups_${col}`).on('dir_groups').columns([col, 'id']).execute();
  }
  await db.schema.createIndex('dir_groups_deleted').on('dir_groups').columns(['deleted_at', 'id']).where(sql.ref('deleted_at'), 'is not', null).execute();

  await db.schema
    .createTable('dir_values')
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('prop', 'text', (c) => c.notNull())
    .addColumn('value_lc', lc, (c) => c.notNull())
    .addPrimaryKeyConstraint('dir_values_pk', ['prop', 'value_lc', 'object_id'])
    .execute();
  await db.schema.createIndex('dir_values_object').on('dir_values').columns(['object_id', 'prop']).execute();

  await db.schema
    .createTable('dir_group_links')
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('rel', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dir_group_links_pk', ['group_id', 'rel', 'target_id'])
    .execute();
  // The other direction: memberOf, and cleaning up after a hard delete.
  await db.schema.createIndex('dir_group_links_target').on('dir_group_links').columns(['target_id', 'rel', 'group_id']).execute();

  await db.schema
    .createTable('dir_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('app_role_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dir_assignments_resource').on('dir_assignments').columns(['resource_id', 'principal_id', 'app_role_id']).unique().execute();
  await db.schema.createIndex('dir_assignments_principal').on('dir_assignments').columns(['principal_id', 'resource_id']).execute();

  await db.schema
    .createTable('dir_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('dir_counters' as never).values({ name: 'changes', value: 0 } as never).execute();

  await db.schema
    .createTable('dir_changes')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('related_id', 'text')
    .addColumn('detail', 'text')
    .execute();
  // /users/delta and /groups/delta read one object type's changes in order.
  await db.schema.createIndex('dir_changes_type').on('dir_changes').columns(['object_type', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['dir_changes', 'dir_counters', 'dir_assignments', 'dir_group_links', 'dir_values', 'dir_groups', 'dir_users']) {
    await db.schema.dropTable(t).execute();
  }
}
