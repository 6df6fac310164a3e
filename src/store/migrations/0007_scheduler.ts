import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Never edit a migration once it has landed; add a new one.
//
// The scheduler (docs/scheduler.md, ADR 0003): when each job is due, who
// holds its lease, and the fencing token that every write of the job's
// state is checked against. Instants here are epoch milliseconds (bigint),
// not ISO text: the claim compares and adds them in SQL on both dialects.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_job_schedule')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    /** When the job should run next; null: not scheduled (paused, disabled, expired). */
    .addColumn('due_at', 'bigint')
    /** When due_at was computed: a clock that went back before it re-bases due_at. */
    .addColumn('scheduled_at', 'bigint')
    /** The schedule's expiration: not claimed from then on. */
    .addColumn('expires_at', 'bigint')
    /**
     * "Sync now" (Start on an Active job, Restart): the instant of the latest
     * request and a counter of requests; a claim serves the requests made
     * before it (`served_seq`), so one made while a cycle runs is kept.
     */
    .addColumn('requested_at', 'bigint')
    .addColumn('request_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('served_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    /** 1 when the latest claim served a request (the cycle runs whatever the interval says). */
    .addColumn('claim_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    /** Incremented by every claim; a write of the job's state carries the token it was claimed with. */
    .addColumn('fencing_token', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_at', 'bigint')
    .execute();
  await db.schema.createIndex('sync_job_schedule_due').on('sync_job_schedule').columns(['due_at']).execute();
  // Jobs that exist before this migration are looked at once by the first worker (which computes their real due time).
  await sql`insert into sync_job_schedule (job_id, due_at, scheduled_at, fencing_token) select id, 0, 0, 0 from sync_jobs`.execute(db);

  // One row per lease granted: who ran which job under which token, when it
  // began, the last write it made, and when it ended (null: the worker died).
  // The multi-process test proves from it that no two cycles of a job overlap.
  await db.schema
    .createTable('sync_fencing_log')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('token', 'bigint', (c) => c.notNull())
    /** A partition's lease logs as `<job id>#<cycle id>:<phase>:<part>`, the job's lease under the job id. */
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_write_at', 'bigint')
    .addColumn('writes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ended_at', 'bigint')
    .addColumn('outcome', 'text')
    .addPrimaryKeyConstraint('sync_fencing_log_pk', ['job_id', 'token'])
    .execute();

  // Partitions of a large initial cycle (docs/scheduler.md "Sharing a cycle"):
  // ranges of user ids exported by several workers, each under its own lease.
  await db.schema
    .createTable('sync_cycle_partitions')
    .addColumn('job_id', 'text', (c) => c.notNull())
    /** The cycle (the coordinator's cycle id) the partitions belong to. */
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    /** The change-feed position read when the cycle began: a coordinator that takes the cycle over keeps it. */
    .addColumn('watermark', 'bigint', (c) => c.notNull())
    /** 'users' (create and update) then 'managers' (manager references), over the same ranges. */
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('part', 'integer', (c) => c.notNull())
    /** Source ids after `lower` (exclusive; '' for the first) up to `upper` (inclusive; null for the last). */
    .addColumn('lower', 'text', (c) => c.notNull())
    .addColumn('upper', 'text')
    /** 'pending' | 'done' */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('fencing_token', 'bigint', (c) => c.notNull().defaultTo(0))
    /** JSON the coordinator needs from a done partition (counters, users whose manager is pending). */
    .addColumn('result', 'text')
    .addPrimaryKeyConstraint('sync_cycle_partitions_pk', ['job_id', 'phase', 'part'])
    .execute();
  await db.schema.createIndex('sync_cycle_partitions_state').on('sync_cycle_partitions').columns(['state', 'lease_expires_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['sync_cycle_partitions', 'sync_fencing_log', 'sync_job_schedule']) await db.schema.dropTable(t).execute();
}
