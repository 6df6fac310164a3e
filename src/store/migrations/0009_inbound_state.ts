import type { Kysely } from 'kysely';

// Never edit a migration once it has landed; add a new one.
//
// Inbound provisioning of groups (docs/inbound.md): a source anchor can now
// become a directory group as well as a user, so each link says which. Rows
// written before this migration are users. (`inbound_links.user_id` holds
// the directory object's id, whichever kind it is; a pending group member
// is kept in `inbound_pending_refs` with `user_id` = the group's id and
// `attribute` = `member:<the member's anchor>`.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbound_links').addColumn('object_type', 'text', (c) => c.notNull().defaultTo('User')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbound_links').dropColumn('object_type').execute();
}
