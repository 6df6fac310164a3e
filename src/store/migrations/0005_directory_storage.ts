import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

// Never edit a migration once it has landed; add a new one.
//
// Leaner directory storage, measured on the 100k-user seed (docs/directory.md):
// 1. Low-cardinality user properties move from dir_values rows (each an
//    indexed row per user) to plain `*_lc` columns of dir_users: a value shared
//    by a sixth of the directory gains nothing from an index, which every write
//    would pay for; filters on them run in SQL during the keyset scan.
// 2. SQLite only: the small-row tables keyed by their primary key
//    (dir_values, dir_group_links) are rebuilt WITHOUT ROWID, so each row is
//    stored once instead of in a rowid table plus the key's index, and the
//    feed's key becomes an INTEGER PRIMARY KEY (the rowid itself).
//    PostgreSQL's heap has no rowid; nothing to do there.

/** Graph property → its new dir_users column. */
const MOVED: Record<string, string> = {
  companyName: 'company_name_lc',
  officeLocation: 'office_location_lc',
  streetAddress: 'street_address_lc',
  city: 'city_lc',
  state: 'state_lc',
  postalCode: 'postal_code_lc',
  country: 'country_lc',
  usageLocation: 'usage_location_lc',
  preferredLanguage: 'preferred_language_lc',
  userType: 'user_type_lc',
  employeeType: 'employee_type_lc',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  // As in 0002: byte-order comparisons on PostgreSQL whatever the database's collation.
  const lc = pg ? sql`text collate "C"` : sql`text`;
  for (const col of Object.values(MOVED)) await db.schema.alterTable('dir_users').addColumn(col, lc).execute();

  // Fill the new columns from the JSON every user row already has.
  let after = '';
  for (;;) {
    const { rows } = await sql<{ id: string; data: string }>`select id, data from dir_users where id > ${after} order by id limit 500`.execute(db);
    if (rows.length === 0) break;
    for (const r of rows) {
      const d = JSON.parse(r.data) as Record<string, unknown>;
      const set = Object.entries(MOVED).map(([p, col]) => sql`${sql.ref(col)} = ${typeof d[p] === 'string' ? d[p].toLowerCase() : null}`);
      await sql`update dir_users set ${sql.join(set)} where id = ${r.id}`.execute(db);
    }
    after = rows[rows.length - 1]!.id;
  }
  await sql`delete from dir_values where prop in (${sql.join(Object.keys(MOVED))})`.execute(db);

  if (pg) return;
  await sql`create table dir_values_new (object_id text not null, prop text not null, value_lc text not null,
    constraint dir_values_pk primary key (prop, value_lc, object_id)) without rowid`.execute(db);
  await sql`insert into dir_values_new (object_id, prop, value_lc) select object_id, prop, value_lc from dir_values`.execute(db);
  await sql`drop table dir_values`.execute(db);
  await sql`alter table dir_values_new rename to dir_values`.execute(db);
  await db.schema.createIndex('dir_values_object').on('dir_values').columns(['object_id', 'prop']).execute();

  await sql`create table dir_group_links_new (group_id text not null, rel text not null, target_id text not null, target_type text not null,
    constraint dir_group_links_pk primary key (group_id, rel, target_id)) without rowid`.execute(db);
  await sql`insert into dir_group_links_new (group_id, rel, target_id, target_type) select group_id, rel, target_id, target_type from dir_group_links`.execute(db);
  await sql`drop table dir_group_links`.execute(db);
  await sql`alter table dir_group_links_new rename to dir_group_links`.execute(db);
  await db.schema.createIndex('dir_group_links_target').on('dir_group_links').columns(['target_id', 'rel', 'group_id']).execute();

  await sql`create table dir_changes_new (seq integer primary key, at text not null, object_type text not null, object_id text not null,
    kind text not null, related_id text, detail text)`.execute(db);
  await sql`insert into dir_changes_new (seq, at, object_type, object_id, kind, related_id, detail)
    select seq, at, object_type, object_id, kind, related_id, detail from dir_changes`.execute(db);
  await sql`drop table dir_changes`.execute(db);
  await sql`alter table dir_changes_new rename to dir_changes`.execute(db);
  await db.schema.createIndex('dir_changes_type').on('dir_changes').columns(['object_type', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The SQLite rebuilds hold the same rows and need no undoing; the moved
  // properties would need their dir_values rows back, which 0002's code wrote.
  for (const col of Object.values(MOVED)) await db.schema.alterTable('dir_users').dropColumn(col).execute();
}
