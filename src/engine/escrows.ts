/**
 * Escrows: objects whose export failed, kept with their error and retried
 * on Entra's ladder — 6 h, 12 h, 24 h, then daily, for up to 28 days
 * (entra-behavior.md §5.1) — after which they are dropped (the next change
 * to the object brings it back).
 */
import type { Db } from '../store/store.ts';
import type { SourceType } from './mapping-plan.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const ESCROW_MAX_AGE_MS = 28 * DAY;

/** Delay before attempt `n+1` after `n` failed attempts (n ≥ 1). */
export function escrowDelay(attempts: number): number {
  if (attempts <= 1) return 6 * HOUR;
  if (attempts === 2) return 12 * HOUR;
  return DAY;
}

export interface EscrowError {
  code: string;
  message: string;
  status?: number;
  request?: unknown;
  response?: unknown;
}

export interface Escrow {
  type: SourceType;
  sourceId: string;
  action: string;
  error: EscrowError;
  attempts: number;
  firstFailedAt: string;
  nextAttemptAt: string;
}

export class EscrowRepository {
  constructor(private readonly jobId: string) {}

  /** Records a failure (a first one, or one more attempt). */
  async record(db: Db, e: { type: SourceType; sourceId: string; action: string; error: EscrowError }, now: Date): Promise<Escrow> {
    const prev = await db.selectFrom('sync_escrows').selectAll()
      .where('job_id', '=', this.jobId).where('object_type', '=', e.type).where('source_id', '=', e.sourceId).executeTakeFirst();
    const attempts = (prev?.attempts ?? 0) + 1;
    const row = {
      job_id: this.jobId, object_type: e.type, source_id: e.sourceId, action: e.action, error: JSON.stringify(e.error), attempts,
      first_failed_at: prev?.first_failed_at ?? now.toISOString(),
      next_attempt_at: new Date(now.getTime() + escrowDelay(attempts)).toISOString(),
    };
    await db.insertInto('sync_escrows').values(row)
      .onConflict((oc) => oc.columns(['job_id', 'object_type', 'source_id']).doUpdateSet({
        action: row.action, error: row.error, attempts: row.attempts, next_attempt_at: row.next_attempt_at,
      })).execute();
    return { type: e.type, sourceId: e.sourceId, action: e.action, error: e.error, attempts, firstFailedAt: row.first_failed_at, nextAttemptAt: row.next_attempt_at };
  }

  async clear(db: Db, type: SourceType, sourceIds: readonly string[]): Promise<void> {
    for (let i = 0; i < sourceIds.length; i += 500) {
      const ids = sourceIds.slice(i, i + 500);
      await db.deleteFrom('sync_escrows').where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', 'in', ids).execute();
    }
  }

  async clearAll(db: Db): Promise<void> {
    await db.deleteFrom('sync_escrows').where('job_id', '=', this.jobId).execute();
  }

  /** Escrows due for a retry; those older than 28 days are dropped instead. */
  async due(db: Db, now: Date, limit = 5000): Promise<Escrow[]> {
    await db.deleteFrom('sync_escrows').where('job_id', '=', this.jobId)
      .where('first_failed_at', '<', new Date(now.getTime() - ESCROW_MAX_AGE_MS).toISOString()).execute();
    const rows = await db.selectFrom('sync_escrows').selectAll().where('job_id', '=', this.jobId)
      .where('next_attempt_at', '<=', now.toISOString()).orderBy('next_attempt_at').limit(limit).execute();
    return rows.map((r) => ({
      type: r.object_type as SourceType, sourceId: r.source_id, action: r.action, error: JSON.parse(r.error) as EscrowError,
      attempts: r.attempts, firstFailedAt: r.first_failed_at, nextAttemptAt: r.next_attempt_at,
    }));
  }

  async count(db: Db): Promise<number> {
    const r = await db.selectFrom('sync_escrows').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', this.jobId).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
