/**
 * When a job runs next, as Graph's schedule and status say (pure), and the
 * one write that keeps `sync_job_schedule.due_at` in step with the job row.
 *
 * - `schedule.state` other than Active, or an `expiration` that has passed:
 *   not scheduled (null).
 * - "Sync now" (Start on an Active job, Restart), a pending `resetScope`, or
 *   a job that never completed a cycle (`NotRun`): now.
 * - Quarantined: its `nextAttempt` (the failure-handling ladder slows the
 *   cadence: 5 min, then longer).
 * - Otherwise the interval (ISO 8601, down to one second; Entra's 40 minutes
 *   when unreadable) after the last cycle ended.
 */
import { sql } from 'kysely';
import type { Db } from '../store/store.ts';
import type { JobRecord } from '../sync/sync-service.ts';
import { parseDuration } from '../util/duration.ts';

/** Entra's default interval: 40 minutes. */
export const DEFAULT_INTERVAL_MS = 40 * 60_000;

export interface DueOptions {
  /** "Sync now" was asked (Start on an Active job, Restart): due at once if the job may run. */
  requested?: boolean;
}

/** Whether the job may run at all now: Active and not expired. */
export function runnable(job: JobRecord, nowMs: number): boolean {
  if (job.schedule.state !== 'Active') return false;
  const exp = job.schedule.expiration ? Date.parse(job.schedule.expiration) : Number.NaN;
  return !(Number.isFinite(exp) && exp <= nowMs);
}

/** When `job` is due (ms since epoch), or null when it should not run. */
export function dueAt(job: JobRecord, nowMs: number, opts: DueOptions = {}): number | null {
  if (!runnable(job, nowMs)) return null;
  if (opts.requested || job.pendingResetScope) return nowMs;
  if (job.status.quarantine) {
    const next = Date.parse(job.status.quarantine.nextAttempt);
    return Number.isFinite(next) ? next : nowMs;
  }
  const last = job.status.lastExecution;
  if (!last || job.status.code === 'NotRun') return nowMs;
  const ended = Date.parse(last.timeEnded);
  if (!Number.isFinite(ended)) return nowMs;
  return ended + (parseDuration(job.schedule.interval) ?? DEFAULT_INTERVAL_MS);
}

/**
 * Records when `job` is due. A request ("sync now") is counted in
 * `request_seq` until a claim serves it, so that one made while a cycle
 * runs is not lost when that cycle ends and writes its own due time.
 * The lease columns are left alone: this runs in API processes too.
 */
export async function writeDue(db: Db, job: JobRecord, nowMs: number, opts: DueOptions = {}): Promise<void> {
  const computed = dueAt(job, nowMs, opts);
  const ok = computed !== null;
  const exp = job.schedule.expiration ? Date.parse(job.schedule.expiration) : Number.NaN;
  const expiresAt = Number.isFinite(exp) ? exp : null;
  const request = (opts.requested ?? false) && ok;
  const pending = sql<boolean>`${sql.ref('sync_job_schedule.request_seq')} > ${sql.ref('sync_job_schedule.served_seq')}`;
  await db.insertInto('sync_job_schedule')
    .values({ job_id: job.id, due_at: computed, scheduled_at: nowMs, expires_at: expiresAt, requested_at: request ? nowMs : null, request_seq: request ? 1 : 0 })
    .onConflict((oc) => oc.column('job_id').doUpdateSet(request
      ? { due_at: nowMs, scheduled_at: nowMs, expires_at: expiresAt, requested_at: nowMs, request_seq: sql<number>`${sql.ref('sync_job_schedule.request_seq')} + 1` }
      : ok
        // A pending request wins over the computed time while the job may run.
        ? { due_at: sql<number>`case when ${pending} then ${sql.ref('sync_job_schedule.requested_at')} else ${computed} end`, scheduled_at: nowMs, expires_at: expiresAt }
        // A paused, disabled or expired job is not scheduled, and its requests are dropped.
        : { due_at: null, scheduled_at: nowMs, expires_at: expiresAt, served_seq: sql<number>`${sql.ref('sync_job_schedule.request_seq')}` }))
    .execute();
}
