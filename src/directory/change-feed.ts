/**
 * The directory's change feed: numbering and reading changes.
 *
 * Numbers come from one counter row (`dir_counters.changes`) that each
 * writing transaction increments as its last step, in the same transaction
 * as the change. On PostgreSQL the row lock taken by that UPDATE makes a
 * second writer wait until the first commits, so numbers are committed in
 * order: once a reader sees seq N, every seq below N is already visible and
 * no later commit can fill a gap behind it. (A sequence or bigserial hands
 * out numbers at insert time, and a transaction holding 10 may commit after
 * one holding 11; a reader at 11 would skip 10 forever.) On SQLite there is
 * one writer at a time anyway. See docs/directory.md.
 */
import type { Db, DialectName } from '../store/store.ts';
import { bulkInsert } from './bulk.ts';
import type { ChangeKind, ChangeObjectType, DirectoryChange, PrincipalType } from './port.ts';

/** A change before it has a number. */
export type NewChange = Omit<DirectoryChange, 'seq' | 'at'>;

const COUNTER = 'changes';

interface ChangeRow {
  seq: number;
  at: string;
  object_type: string;
  object_id: string;
  kind: string;
  related_id: string | null;
  detail: string | null;
}

function toRow(c: NewChange, seq: number, at: string): ChangeRow {
  const { objectType, objectId, kind, relatedId, properties, relatedType, resourceId, appRoleId, principalType } = c;
  const detail: Record<string, unknown> = {};
  if (properties) detail.p = properties;
  if (relatedType) detail.t = relatedType;
  if (resourceId) detail.r = resourceId;
  if (appRoleId) detail.a = appRoleId;
  if (principalType) detail.pt = principalType;
  return {
    seq, at, object_type: objectType, object_id: objectId, kind,
    related_id: relatedId ?? null,
    detail: Object.keys(detail).length ? JSON.stringify(detail) : null,
  };
}

export function fromRow(r: ChangeRow): DirectoryChange {
  const d = r.detail ? (JSON.parse(r.detail) as { p?: string[]; t?: 'user' | 'group'; r?: string; a?: string; pt?: PrincipalType }) : {};
  return {
    seq: Number(r.seq),
    at: r.at,
    objectType: r.object_type as ChangeObjectType,
    objectId: r.object_id,
    kind: r.kind as ChangeKind,
    ...(d.p ? { properties: d.p } : {}),
    ...(r.related_id ? { relatedId: r.related_id } : {}),
    ...(d.t ? { relatedType: d.t } : {}),
    ...(d.r ? { resourceId: d.r } : {}),
    ...(d.a ? { appRoleId: d.a } : {}),
    ...(d.pt ? { principalType: d.pt } : {}),
  };
}

/**
 * Numbers and records changes inside the caller's transaction `trx`. Call it
 * last in the transaction: the counter row stays locked until commit, so the
 * shorter the tail after it, the less writers wait for each other.
 * Returns the last seq allocated (or undefined when there was nothing).
 */
export async function appendChanges(trx: Db, dialect: DialectName, changes: readonly NewChange[], at: string): Promise<number | undefined> {
  if (changes.length === 0) return undefined;
  const row = await trx
    .updateTable('dir_counters')
    .set((eb) => ({ value: eb('value', '+', changes.length) }))
    .where('name', '=', COUNTER)
    .returning('value')
    .executeTakeFirstOrThrow();
  const last = Number(row.value);
  const first = last - changes.length + 1;
  await bulkInsert(trx, dialect, 'dir_changes', changes.map((c, j) => toRow(c, first + j, at)));
  return last;
}

/** The last committed seq. */
export async function currentWatermark(db: Db): Promise<number> {
  const r = await db.selectFrom('dir_counters').select('value').where('name', '=', COUNTER).executeTakeFirst();
  return Number(r?.value ?? 0);
}

/** Changes after `watermark`, in order, optionally of one object type (uses the (object_type, seq) index). */
export async function readChanges(db: Db, watermark: number, limit: number, objectType?: ChangeObjectType): Promise<DirectoryChange[]> {
  let q = db.selectFrom('dir_changes').selectAll().where('seq', '>', watermark);
  if (objectType) q = q.where('object_type', '=', objectType);
  const rows = await q.orderBy('seq').limit(limit).execute();
  return rows.map(fromRow);
}
