/**
 * Escrows: objects whose export failed, kept with their error (the request,
 * the status, the target's answer) and retried on Entra's ladder — 6 h,
 * 12 h and 24 h after the first failure, then daily, for up to 28 days
 * (entra-behavior.md §5.1, ladder.ts) — after which they are dropped (the
 * next change to the object brings it back). A transient failure that
 * outlasted the cycle's own retries is due again at the next cycle first
 * (Entra retries those "in 40 minutes", §5.2), then climbs the same ladder.
 *
 * One row per object. Reference failures (a user's manager, a group's
 * members) are escrows too, with action `manager` or `members`; they count
 * apart towards the quarantine thresholds (§5.3).
 */
import type { Db } from '../store/store.ts';
import type { SourceType } from './mapping-plan.ts';
import { ESCROW_LADDER_MS, LADDER_SPAN_MS, nextOnLadder } from './ladder.ts';

/** Escrow actions that are reference failures (not counted towards the 40 % and 40,000 thresholds). */
export const REFERENCE_ACTIONS: ReadonlySet<string> = new Set(['manager', 'members']);

export interface EscrowError {
  code: string;
  message: string;
  status?: number;
  request?: unknown;
  response?: unknown;
  /** The failure was transient (429, 5xx, timeout) and outlasted the cycle's retries. */
  transient?: boolean;
}

export interface Escrow {
  type: SourceType;
  sourceId: string;
  action: string;
  error: EscrowError;
  /** Attempts made so far (the first failure is attempt 1). */
  attempts: number;
  firstFailedAt: string;
  nextAttemptAt: string;
}

export interface EscrowFailure {
  type: SourceType;
  sourceId: string;
  action: string;
  error: EscrowError;
  /** A transient failure after its first attempt is due again at once (next cycle), not after 6 h. */
  transient?: boolean;
  /** Not before this (the target's Retry-After), in ms from now. */
  retryAfterMs?: number;
}

type Row = { object_type: string; source_id: string; action: string; error: string; attempts: number; first_failed_at: string; next_attempt_at: string };

function fromRow(r: Row): Escrow {
  return {
    type: r.object_type as SourceType, sourceId: r.source_id, action: r.action, error: JSON.parse(r.error) as EscrowError,
    attempts: Number(r.attempts), firstFailedAt: r.first_failed_at, nextAttemptAt: r.next_attempt_at,
  };
}

/**
 * When a failed object is tried again: the next ladder point after `now`;
 * for a transient first failure, at once (or after Retry-After). `undefined`
 * once the 28 days since the first failure are over.
 */
export function nextEscrowAttempt(firstFailedAt: Date, attempts: number, now: Date, transient = false, retryAfterMs = 0): Date | undefined {
  const first = firstFailedAt.getTime();
  if (transient && attempts <= 1) return new Date(now.getTime() + Math.max(0, retryAfterMs));
  const next = nextOnLadder(ESCROW_LADDER_MS, first, now.getTime());
  return next === undefined ? undefined : new Date(Math.max(next, now.getTime() + Math.max(0, retryAfterMs)));
}

export class EscrowRepository {
  constructor(private readonly jobId: string) {}

  /**
   * Records a failure (a first one, or one more attempt). Returns the escrow,
   * or `undefined` when the object has been failing for 28 days: then it is
   * dropped instead.
   */
  async record(db: Db, e: EscrowFailure, now: Date): Promise<Escrow | undefined> {
    const prev = await db.selectFrom('sync_escrows').selectAll()
      .where('job_id', '=', this.jobId).where('object_type', '=', e.type).where('source_id', '=', e.sourceId).executeTakeFirst();
    const attempts = (prev ? Number(prev.attempts) : 0) + 1;
    const first = prev ? new Date(prev.first_failed_at) : now;
    const next = nextEscrowAttempt(first, attempts, now, e.transient ?? false, e.retryAfterMs ?? 0);
    if (!next) {
      await this.clear(db, e.type, [e.sourceId]);
      return undefined;
    }
    const error = e.transient ? { ...e.error, transient: true } : e.error;
    const row = {
      job_id: this.jobId, object_type: e.type, source_id: e.sourceId, action: e.action, error: JSON.stringify(error), attempts,
      first_failed_at: first.toISOString(), next_attempt_at: next.toISOString(),
    };
    await db.insertInto('sync_escrows').values(row)
      .onConflict((oc) => oc.columns(['job_id', 'object_type', 'source_id']).doUpdateSet({
        action: row.action, error: row.error, attempts: row.attempts, next_attempt_at: row.next_attempt_at,
      })).execute();
    return { type: e.type, sourceId: e.sourceId, action: e.action, error, attempts, firstFailedAt: row.first_failed_at, nextAttemptAt: row.next_attempt_at };
  }

  /**
   * Clears the escrows of objects that succeeded. With `only`, just escrows
   * of those kinds: `objects` (create, update, disable, delete) or
   * `references` (manager, members), so that an object's success does not
   * clear its still-failing reference and the other way round.
   */
  async clear(db: Db, type: SourceType, sourceIds: readonly string[], only?: 'objects' | 'references'): Promise<void> {
    for (let i = 0; i < sourceIds.length; i += 500) {
      const ids = sourceIds.slice(i, i + 500);
      let q = db.deleteFrom('sync_escrows').where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', 'in', ids);
      if (only === 'objects') q = q.where('action', 'not in', [...REFERENCE_ACTIONS]);
      if (only === 'references') q = q.where('action', 'in', [...REFERENCE_ACTIONS]);
      await q.execute();
    }
  }

  async clearAll(db: Db): Promise<void> {
    await db.deleteFrom('sync_escrows').where('job_id', '=', this.jobId).execute();
  }

  /** Escrows due for a retry; those past the 28 days are dropped instead. */
  async due(db: Db, now: Date, limit = 5000): Promise<Escrow[]> {
    await db.deleteFrom('sync_escrows').where('job_id', '=', this.jobId)
      .where('first_failed_at', '<', new Date(now.getTime() - LADDER_SPAN_MS).toISOString()).execute();
    const rows = await db.selectFrom('sync_escrows').selectAll().where('job_id', '=', this.jobId)
      .where('next_attempt_at', '<=', now.toISOString()).orderBy('next_attempt_at').limit(limit).execute();
    return rows.map(fromRow);
  }

  async get(db: Db, type: SourceType, sourceId: string): Promise<Escrow | undefined> {
    const r = await db.selectFrom('sync_escrows').selectAll()
      .where('job_id', '=', this.jobId).where('object_type', '=', type).where('source_id', '=', sourceId).executeTakeFirst();
    return r && fromRow(r);
  }

  /** A page of escrows in (type, source id) order, after the given key. */
  async list(db: Db, opts: { after?: { type: string; sourceId: string }; limit: number }): Promise<Escrow[]> {
    let q = db.selectFrom('sync_escrows').selectAll().where('job_id', '=', this.jobId);
    const after = opts.after;
    if (after) {
      q = q.where((eb) => eb.or([
        eb('object_type', '>', after.type),
        eb.and([eb('object_type', '=', after.type), eb('source_id', '>', after.sourceId)]),
      ]));
    }
    const rows = await q.orderBy('object_type').orderBy('source_id').limit(opts.limit).execute();
    return rows.map(fromRow);
  }

  async count(db: Db): Promise<number> {
    const r = await db.selectFrom('sync_escrows').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', this.jobId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Escrow counts for the quarantine thresholds: object failures, reference failures, and failed creates (objects with no link). */
  async stats(db: Db): Promise<{ objects: number; references: number; creates: number }> {
    const rows = await db.selectFrom('sync_escrows').select(['action', (eb) => eb.fn.countAll<number>().as('n')])
      .where('job_id', '=', this.jobId).groupBy('action').execute();
    let objects = 0;
    let references = 0;
    let creates = 0;
    for (const r of rows) {
      const n = Number(r.n);
      if (REFERENCE_ACTIONS.has(r.action)) references += n;
      else objects += n;
      if (r.action === 'create') creates += n;
    }
    return { objects, references, creates };
  }
}
