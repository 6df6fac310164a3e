/**
 * Partitions: a large initial cycle shared by several workers
 * (docs/scheduler.md "Sharing a cycle"). The worker that holds the job's
 * lease (the coordinator) cuts the live users into ranges of about
 * `partitionSize` ids (`userIdBoundaries`), writes one row per range and
 * phase, and the ranges are claimed like jobs — `FOR UPDATE SKIP LOCKED`,
 * a lease, heartbeats, a fencing token checked by every write made for the
 * range — by any worker with a free slot, the coordinator included. Phase
 * `users` creates and updates the users of a range; once every range is
 * done, phase `managers` sets their manager references over the same
 * ranges; then the coordinator alone does the rest of the cycle (users
 * that left, groups, memberships) and records the job's status, whose
 * counts are its own plus the sum of the ranges' (`result`).
 *
 * A partition whose worker died is taken over after its lease expires, and
 * redone: its linked users are skipped as unchanged, a create cut off before
 * its link was written is matched. A coordinator that dies leaves the rows;
 * the next one adopts them (and their watermark) instead of cutting anew.
 */
import { sql } from 'kysely';
import type { Db, Store } from '../store/store.ts';
import { tokenFence } from './leases.ts';
import type { LostFence } from './leases.ts';

export type PartitionPhase = 'users' | 'managers';

export interface Partition {
  jobId: string;
  cycleId: string;
  watermark: number;
  phase: PartitionPhase;
  part: number;
  after: string;
  upTo: string | null;
}

export interface PartitionLease extends Partition {
  token: number;
  owner: string;
  expiresAt: number;
}

/** What a done partition hands the coordinator. */
export interface PartitionResult {
  counters: Record<string, number>;
  /** Users whose manager was not linked when the range was done. */
  pendingManagers: string[];
}

/** The key of a partition's leases in the fencing log (a new cycle's partitions count their tokens from 1 again). */
export const partitionKey = (p: Pick<Partition, 'jobId' | 'cycleId' | 'phase' | 'part'>): string => `${p.jobId}#${p.cycleId}:${p.phase}:${p.part}`;

interface Row {
  job_id: string; cycle_id: string; watermark: number | string; phase: string; part: number; lower: string; upper: string | null;
  fencing_token: number | string;
}

const toPartition = (r: Row): Partition => ({
  jobId: r.job_id, cycleId: r.cycle_id, watermark: Number(r.watermark), phase: r.phase as PartitionPhase, part: Number(r.part), after: r.lower, upTo: r.upper,
});

export class PartitionStore {
  constructor(private readonly store: Store) {}

  private get pg(): boolean {
    return this.store.dialect === 'postgres';
  }

  /** The job's partitions of `phase` (any cycle), with their state. */
  async list(db: Db, jobId: string, phase?: PartitionPhase): Promise<(Partition & { state: string; result: PartitionResult | null })[]> {
    let q = db.selectFrom('sync_cycle_partitions').selectAll().where('job_id', '=', jobId);
    if (phase) q = q.where('phase', '=', phase);
    const rows = await q.orderBy('phase').orderBy('part').execute();
    return rows.map((r) => ({ ...toPartition(r), state: r.state, result: r.result ? (JSON.parse(r.result) as PartitionResult) : null }));
  }

  /** Writes the partitions of one phase: ranges cut at `boundaries` (the last range is open). */
  async create(trx: Db, jobId: string, cycleId: string, watermark: number, phase: PartitionPhase, boundaries: readonly string[]): Promise<void> {
    const cuts = [...boundaries];
    const rows = [...cuts, null].map((upTo, part) => ({
      job_id: jobId, cycle_id: cycleId, watermark, phase, part, lower: part === 0 ? '' : cuts[part - 1]!, upper: upTo, state: 'pending',
    }));
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('sync_cycle_partitions').values(rows.slice(i, i + 200)).execute();
  }

  /** Drops a job's partitions (its cycle ended, was reset, or the job was deleted). */
  async clear(db: Db, jobId: string): Promise<void> {
    await db.deleteFrom('sync_cycle_partitions').where('job_id', '=', jobId).execute();
  }

  /**
   * Claims up to `limit` pending partitions whose lease is free or expired
   * (of one job when `jobId` is given), skipping jobs that are no longer
   * scheduled (paused). Logged in the fencing log under `partitionKey`.
   */
  async claim(owner: string, now: number, leaseMs: number, limit: number, jobId?: string): Promise<PartitionLease[]> {
    if (limit <= 0) return [];
    const until = now + leaseMs;
    const lock = this.pg ? sql`for update of p skip locked` : sql``;
    const only = jobId === undefined ? sql`` : sql`and p.job_id = ${jobId}`;
    return this.store.transaction(async (trx) => {
      const r = await sql<Row>`
        update sync_cycle_partitions
           set lease_owner = ${owner}, lease_expires_at = ${until}, fencing_token = fencing_token + 1
         where (job_id, phase, part) in (
           select p.job_id, p.phase, p.part from sync_cycle_partitions p
            where p.state = 'pending' and (p.lease_expires_at is null or p.lease_expires_at < ${now}) ${only}
              and exists (select 1 from sync_job_schedule s where s.job_id = p.job_id and s.due_at is not null)
            order by p.job_id, p.phase, p.part
            limit ${limit}
            ${lock})
        returning job_id, cycle_id, watermark, phase, part, lower, upper, fencing_token`.execute(trx);
      const leases = r.rows.map((row) => ({ ...toPartition(row), token: Number(row.fencing_token), owner, expiresAt: until }));
      for (const l of leases) {
        await trx.insertInto('sync_fencing_log').values({ job_id: partitionKey(l), token: l.token, worker: owner, started_at: now, expires_at: until }).execute();
      }
      return leases;
    });
  }

  async heartbeat(lease: PartitionLease, now: number, leaseMs: number): Promise<boolean> {
    const until = now + leaseMs;
    const r = await this.store.db.updateTable('sync_cycle_partitions').set({ lease_expires_at: until })
      .where('job_id', '=', lease.jobId).where('phase', '=', lease.phase).where('part', '=', lease.part)
      .where('fencing_token', '=', lease.token).where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.store.db.updateTable('sync_fencing_log').set({ expires_at: until }).where('job_id', '=', partitionKey(lease)).where('token', '=', lease.token).execute();
    lease.expiresAt = until;
    return true;
  }

  /** Marks the partition done with its result, in `trx` (which the partition's fence has checked). */
  async complete(trx: Db, lease: PartitionLease, result: PartitionResult, now: number): Promise<void> {
    await trx.updateTable('sync_cycle_partitions').set({ state: 'done', result: JSON.stringify(result), lease_owner: null, lease_expires_at: null })
      .where('job_id', '=', lease.jobId).where('phase', '=', lease.phase).where('part', '=', lease.part).where('fencing_token', '=', lease.token)
      .execute();
    await trx.updateTable('sync_fencing_log').set({ ended_at: now, outcome: 'ended' }).where('job_id', '=', partitionKey(lease)).where('token', '=', lease.token).execute();
  }

  /** Gives a partition back undone (the worker stops, or the partition failed): another worker redoes it. */
  async release(lease: PartitionLease, now: number, outcome: string): Promise<void> {
    await this.store.transaction(async (trx) => {
      await trx.updateTable('sync_cycle_partitions').set({ lease_owner: null, lease_expires_at: null })
        .where('job_id', '=', lease.jobId).where('phase', '=', lease.phase).where('part', '=', lease.part).where('fencing_token', '=', lease.token)
        .execute();
      await trx.updateTable('sync_fencing_log').set({ ended_at: now, outcome }).where('job_id', '=', partitionKey(lease)).where('token', '=', lease.token).execute();
    });
  }

  /** A fence on a partition's lease (see leases.ts for the job's). */
  fence(lease: PartitionLease, clock: () => number): LostFence {
    const pg = this.pg;
    return tokenFence(lease.jobId, partitionKey(lease), lease.token, clock, async (trx) => {
      const q = trx.selectFrom('sync_cycle_partitions').select(['fencing_token', 'state'])
        .where('job_id', '=', lease.jobId).where('phase', '=', lease.phase).where('part', '=', lease.part);
      const row = await (pg ? q.forShare() : q).executeTakeFirst();
      if (!row) return 'the partition is gone (the cycle was reset)';
      return Number(row.fencing_token) !== lease.token || row.state !== 'pending' ? 'another worker holds the partition now' : undefined;
    });
  }
}
