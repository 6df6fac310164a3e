/**
 * Leases on jobs, in the store every process shares (docs/scheduler.md,
 * ADR 0003). A worker claims due jobs; the claim sets who holds the lease,
 * until when, and increments the job's fencing token. The holder extends
 * the lease with heartbeats and releases it with the job's next due time.
 * Every write of the job's state checks, inside its own transaction, that
 * the token is still the one it was claimed with ({@link Fence}): a worker
 * whose lease expired and was taken over cannot write any more.
 *
 * PostgreSQL: the claim picks rows with `FOR UPDATE SKIP LOCKED`, so many
 * workers claim concurrently without waiting on each other, and the fence
 * check reads the token `FOR SHARE`, so that a claim cannot commit between
 * the check and the commit of the write it guards (the claim skips the row
 * until then). SQLite: one process; a single `UPDATE … RETURNING` is the
 * atomic claim and transactions are serialised anyway.
 *
 * Instants come from the injected clock (node time, as graphile-worker's
 * `useNodeTime`): processes sharing a database must have clocks that agree
 * to well within a lease (seconds, not minutes).
 */
import { sql } from 'kysely';
import type { Db, Store } from '../store/store.ts';
import type { JobRecord } from '../sync/sync-service.ts';
import { writeDue } from './due.ts';

/** The lease was taken over (or the job deleted): this worker must stop writing the job's state. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string, readonly token: number, detail = 'its lease expired and another worker holds the job now') {
    super(`Lost the lease of job '${jobId}' (token ${token}): ${detail}.`);
    this.name = 'LeaseLostError';
  }
}

export interface Lease {
  jobId: string;
  token: number;
  owner: string;
  expiresAt: number;
  /** The claim served a "sync now" request: run now whatever the interval says. */
  requested: boolean;
}

/** Checks a lease's token inside a write transaction. */
export interface Fence {
  readonly jobId: string;
  readonly token: number;
  /** Throws LeaseLostError unless the lease still carries this token; call first in the transaction it guards. */
  check(trx: Db): Promise<void>;
}

/** A fence that can also be marked lost (a heartbeat found the lease gone). */
export type LostFence = Fence & { markLost(): void; readonly lost: boolean };

/**
 * The fence of a lease whose token is stored somewhere `stale` reads
 * (the job's schedule row, a partition row): `stale` says why the lease is
 * lost, or undefined while it holds. A passed check stamps the fencing log
 * under `logKey`, which is what the overlap check reads.
 */
export function tokenFence(jobId: string, logKey: string, token: number, clock: () => number, stale: (trx: Db) => Promise<string | undefined>): LostFence {
  let lost = false;
  return {
    jobId,
    token,
    get lost() {
      return lost;
    },
    markLost: () => {
      lost = true;
    },
    check: async (trx: Db) => {
      if (lost) throw new LeaseLostError(logKey, token);
      const why = await stale(trx);
      if (why !== undefined) {
        lost = true;
        throw new LeaseLostError(logKey, token, why);
      }
      await trx.updateTable('sync_fencing_log').set({ last_write_at: clock(), writes: sql<number>`writes + 1` })
        .where('job_id', '=', logKey).where('token', '=', token).execute();
    },
  };
}

export class SchedulerStore {
  constructor(readonly store: Store) {}

  private get pg(): boolean {
    return this.store.dialect === 'postgres';
  }

  /**
   * Claims up to `limit` due jobs whose lease is free or expired, for
   * `owner`, until `now + leaseMs`; consumes their "sync now" requests and
   * logs each lease in the fencing log. Oldest due first.
   */
  async claim(owner: string, now: number, leaseMs: number, limit: number): Promise<Lease[]> {
    if (limit <= 0) return [];
    const until = now + leaseMs;
    const lock = this.pg ? sql`for update skip locked` : sql``;
    const rows = await this.store.transaction(async (trx) => {
      // Every right-hand side sees the row as it was: claim_requested says whether requests were pending.
      const r = await sql<{ job_id: string; fencing_token: number | string; claim_requested: number }>`
        update sync_job_schedule
           set lease_owner = ${owner}, lease_expires_at = ${until}, claimed_at = ${now},
               fencing_token = fencing_token + 1, served_seq = request_seq,
               claim_requested = case when request_seq > served_seq then 1 else 0 end
         where job_id in (
           select job_id from sync_job_schedule
            where due_at is not null and due_at <= ${now}
              and (lease_expires_at is null or lease_expires_at < ${now})
              and (expires_at is null or expires_at > ${now})
            order by due_at, job_id
            limit ${limit}
            ${lock})
        returning job_id, fencing_token, claim_requested`.execute(trx);
      for (const row of r.rows) {
        await trx.insertInto('sync_fencing_log')
          .values({ job_id: row.job_id, token: Number(row.fencing_token), worker: owner, started_at: now, expires_at: until })
          .execute();
      }
      return r.rows;
    });
    return rows.map((r) => ({ jobId: r.job_id, token: Number(r.fencing_token), owner, expiresAt: until, requested: Number(r.claim_requested) === 1 }));
  }

  /**
   * Records a "sync now" for `job` (as Start does): its request number, or
   * undefined when the job is not scheduled (paused, disabled, expired).
   */
  async request(job: JobRecord, now: number): Promise<number | undefined> {
    return this.store.transaction(async (trx) => {
      await writeDue(trx, job, now, { requested: true });
      const row = await trx.selectFrom('sync_job_schedule').select(['request_seq', 'due_at']).where('job_id', '=', job.id).executeTakeFirst();
      return row && row.due_at !== null ? Number(row.request_seq) : undefined;
    });
  }

  /** How far a job's "sync now" requests are served; undefined when the job is not scheduled. */
  async served(jobId: string): Promise<number | undefined> {
    const row = await this.store.db.selectFrom('sync_job_schedule').select(['served_seq', 'due_at', 'lease_owner']).where('job_id', '=', jobId).executeTakeFirst();
    if (!row || (row.due_at === null && row.lease_owner === null)) return undefined;
    return Number(row.served_seq);
  }

  /** Extends a lease; false when it was lost (taken over, or the job deleted). */
  async heartbeat(lease: Lease, now: number, leaseMs: number): Promise<boolean> {
    const until = now + leaseMs;
    const res = await this.store.transaction(async (trx) => {
      const r = await trx.updateTable('sync_job_schedule').set({ lease_expires_at: until })
        .where('job_id', '=', lease.jobId).where('fencing_token', '=', lease.token).where('lease_owner', '=', lease.owner)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await trx.updateTable('sync_fencing_log').set({ expires_at: until }).where('job_id', '=', lease.jobId).where('token', '=', lease.token).execute();
      return true;
    });
    if (res) lease.expiresAt = until;
    return res;
  }

  /**
   * Gives the lease back, with when the job is due next (null: not
   * scheduled). A "sync now" that arrived during the cycle wins over
   * `dueAt`. Nothing happens when the lease was lost meanwhile.
   */
  async release(lease: Lease, now: number, dueAt: number | null, outcome: string): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      const r = await trx.updateTable('sync_job_schedule')
        .set({
          lease_owner: null, lease_expires_at: null, scheduled_at: now,
          due_at: dueAt === null ? null : sql<number>`case when request_seq > served_seq then requested_at else ${dueAt} end`,
        })
        .where('job_id', '=', lease.jobId).where('fencing_token', '=', lease.token)
        .executeTakeFirst();
      await trx.updateTable('sync_fencing_log').set({ ended_at: now, outcome })
        .where('job_id', '=', lease.jobId).where('token', '=', lease.token).execute();
      return Number(r.numUpdatedRows) === 1;
    });
  }

  /** A fence for writes made under `lease`; `lost()` makes it refuse at once (a heartbeat found the lease gone). */
  fence(lease: Lease, clock: () => number): LostFence {
    const pg = this.pg;
    return tokenFence(lease.jobId, lease.jobId, lease.token, clock, async (trx) => {
      const q = trx.selectFrom('sync_job_schedule').select('fencing_token').where('job_id', '=', lease.jobId);
      const row = await (pg ? q.forShare() : q).executeTakeFirst();
      if (!row) return 'the job was deleted';
      return Number(row.fencing_token) === lease.token ? undefined : 'its lease expired and another worker holds the job now';
    });
  }

  /**
   * A clock that went back: due times computed "in the future" of the
   * clock as it reads now are re-based, so no job waits longer than the
   * wait it was given, and leases that would outlast `leaseMs` are cut to
   * it. A clock that jumps forward needs nothing: what is due runs once.
   */
  async rebase(now: number, leaseMs: number): Promise<void> {
    await this.store.db.updateTable('sync_job_schedule')
      .set({ due_at: sql<number>`${now} + (due_at - scheduled_at)`, scheduled_at: now })
      .where('scheduled_at', '>', now).where('due_at', 'is not', null).where(sql<boolean>`due_at >= scheduled_at`)
      .execute();
    await this.store.db.updateTable('sync_job_schedule').set({ lease_expires_at: now + leaseMs })
      .where('lease_expires_at', '>', now + leaseMs).execute();
  }

  /** Jobs that have no schedule row yet get one, due at once (the worker works out their real due time). */
  async adoptUnscheduled(now: number): Promise<number> {
    const r = await sql`insert into sync_job_schedule (job_id, due_at, scheduled_at, fencing_token)
      select id, ${now}, ${now}, 0 from sync_jobs j
       where not exists (select 1 from sync_job_schedule s where s.job_id = j.id)`.execute(this.store.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /**
   * When the next job becomes claimable: its due time, or its lease's expiry
   * when a lease outlasts it; undefined when nothing is scheduled.
   */
  async nextClaimable(): Promise<number | undefined> {
    const r = await sql<{ next: number | string | null }>`
      select min(case when lease_expires_at is not null and lease_expires_at > due_at then lease_expires_at else due_at end) as next
        from sync_job_schedule where due_at is not null`.execute(this.store.db);
    const next = r.rows[0]?.next;
    return next === null || next === undefined ? undefined : Number(next);
  }

  /** Marks a lease the worker found lost in the fencing log (its end is its expiry: it wrote nothing after that). */
  async markLost(lease: Lease): Promise<void> {
    await this.store.db.updateTable('sync_fencing_log').set({ outcome: 'lost' })
      .where('job_id', '=', lease.jobId).where('token', '=', lease.token).execute();
  }

  /** Removes a deleted job's schedule row (its fencing log stays). */
  async forget(jobId: string): Promise<void> {
    await this.store.db.deleteFrom('sync_job_schedule').where('job_id', '=', jobId).execute();
  }
}

/**
 * The store as a cycle run under a lease sees it: every transaction checks
 * the fence first, so links, escrows, the watermark and the resume point
 * are written only while the lease is this worker's. Reads go straight to
 * the store.
 */
export function fencedStore(store: Store, fence: Fence): Store {
  return {
    dialect: store.dialect,
    db: store.db,
    transaction: (fn) => store.transaction(async (trx) => {
      await fence.check(trx);
      return fn(trx);
    }),
    migrate: () => store.migrate(),
    close: () => Promise.resolve(),
  };
}
