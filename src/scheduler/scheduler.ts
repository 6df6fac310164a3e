/**
 * The scheduler: runs started jobs' cycles on their schedule, in as many
 * processes as share the store (docs/scheduler.md). Each process is a
 * worker that claims due jobs under a lease (leases.ts), runs their cycles
 * with the lease's fence, heartbeats the lease while a cycle runs, and
 * releases it with the job's next due time (due.ts). A worker that dies
 * stops heartbeating; its leases expire and other workers take the jobs
 * over, resuming from what the dead one made durable.
 *
 * Stopping (SIGTERM) drains: no new claims, cycles in flight stop after
 * the batch in flight and release their leases due at once, so another
 * worker resumes them.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { SyncService, JobRecord } from '../sync/sync-service.ts';
import type { Clock } from '../util/time.ts';
import type { RunOptions } from '../engine/engine.ts';
import type { CycleResult } from '../engine/cycle.ts';
import { SchedulerStore, LeaseLostError } from './leases.ts';
import { PartitionWorker } from './share.ts';
import type { ShareOptions } from './share.ts';
import type { SyncEngine } from '../engine/engine.ts';
import type { Lease } from './leases.ts';
import { dueAt, runnable } from './due.ts';

/** What the scheduler runs: the engine's cycle (tests substitute their own). */
export interface CycleRunner {
  runCycle(jobId: string, opts: RunOptions): Promise<CycleResult | undefined>;
}

/** Extra work a worker may take when it has free slots (partitions of large cycles). */
export interface SideWork {
  /** Claims and runs at most `slots` units of work; resolves when they end. Returns how many it started. */
  claim(slots: number, workerId: string): Promise<Promise<void>[]>;
}

export interface SchedulerOptions {
  /** This worker's name in leases and the fencing log (default host:pid:random). */
  workerId?: string;
  /** How long a lease lasts without a heartbeat (default 60 s). */
  leaseMs?: number;
  /** How often a running cycle's lease is extended (default a third of the lease). */
  heartbeatMs?: number;
  /** How often the worker looks for due jobs without being told (default 5 s). */
  pollMs?: number;
  /** Cycles run at once by this worker (default 4). */
  concurrency?: number;
  /** Wait before a job whose cycle failed outright is tried again, at least (default 60 s). */
  failureBackoffMs?: number;
}

export const SCHEDULER_DEFAULTS = { leaseMs: 60_000, pollMs: 5_000, concurrency: 4, failureBackoffMs: 60_000 } as const;

export class Scheduler {
  readonly workerId: string;
  readonly leases: SchedulerStore;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly failureBackoffMs: number;
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly side = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private draining = false;
  private adopted = false;
  /** The clock as the last claim read it, and when the schedule was last re-based (see claimAndRun). */
  private lastNow: number | undefined;
  private lastRebase = Number.NEGATIVE_INFINITY;
  private sideWork: SideWork | undefined;
  private partitionWorker: PartitionWorker | undefined;
  private readonly onJob = (e: { kind: string }) => {
    if (e.kind === 'started' || e.kind === 'restarted') this.kick();
  };

  constructor(
    store: Store,
    private readonly sync: SyncService,
    private readonly engine: CycleRunner,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: SchedulerOptions = {},
  ) {
    this.leases = new SchedulerStore(store);
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? SCHEDULER_DEFAULTS.leaseMs;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(this.leaseMs / 3));
    this.pollMs = options.pollMs ?? SCHEDULER_DEFAULTS.pollMs;
    this.concurrency = options.concurrency ?? SCHEDULER_DEFAULTS.concurrency;
    this.failureBackoffMs = options.failureBackoffMs ?? SCHEDULER_DEFAULTS.failureBackoffMs;
    if (this.heartbeatMs >= this.leaseMs) throw new Error(`The heartbeat (${this.heartbeatMs} ms) must be shorter than the lease (${this.leaseMs} ms).`);
  }

  /**
   * Shares large initial cycles (partitions.ts): this worker's cycles cut
   * theirs into partitions, and its free slots run partitions of any job.
   */
  enableSharing(engine: Pick<SyncEngine, 'runPartition'>, opts: Omit<ShareOptions, 'leaseMs' | 'heartbeatMs'>): void {
    if (opts.threshold <= 0) return;
    this.partitionWorker = new PartitionWorker(this.leases.store, engine, this.clock, this.logger,
      { ...opts, leaseMs: this.leaseMs, heartbeatMs: this.heartbeatMs }, () => this.draining);
    this.sideWork = this.partitionWorker;
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** Starts the worker loop. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.draining = false;
    this.sync.events.on('job', this.onJob);
    this.kick();
  }

  /**
   * Stops: claims nothing more; cycles in flight stop after their batch in
   * flight and give their leases back due at once; resolves when they have.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.draining = true;
    this.sync.events.off('job', this.onJob);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    await Promise.allSettled([...this.inFlight.values(), ...this.side]);
  }

  /**
   * "Sync now" from inside the service (bulkUpload wakes its job so): the
   * job becomes due at once for whichever worker claims it first, this one
   * usually. Resolves when the cycle that served the request has ended in
   * this worker, as soon as another worker has claimed it, or at once when
   * the job is not scheduled (paused, disabled, expired).
   */
  async runNow(jobId: string): Promise<void> {
    const job = await this.sync.findJob(jobId);
    if (!job || this.stopped) return;
    const seq = await this.leases.request(job, this.now());
    if (seq === undefined) return;
    this.kick();
    while (!this.stopped) {
      const served = await this.leases.served(jobId);
      if (served === undefined || served >= seq) {
        await this.inFlight.get(jobId)?.catch(() => undefined);
        return;
      }
      // Not claimed yet: the job's previous cycle is still running (here or elsewhere), or the loop is between ticks.
      const running = this.inFlight.get(jobId);
      if (running) await running.catch(() => undefined);
      else await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, 50)));
    }
  }

  /** Jobs whose cycle runs in this worker now. */
  running(): string[] {
    return [...this.inFlight.keys()];
  }

  /** When a job is due next (ms since epoch), or undefined when it should not run. */
  dueAt(job: JobRecord): number | undefined {
    return dueAt(job, this.now()) ?? undefined;
  }

  /**
   * One pass, for tests and tools: claims what is due now (as many as the
   * concurrency allows) and waits until those cycles have ended.
   */
  async runOnce(): Promise<string[]> {
    const started = await this.claimAndRun();
    const ran = await Promise.all(started.map((l) => this.inFlight.get(l.jobId)!.then((r) => (r ? l.jobId : undefined), () => undefined)));
    return ran.filter((x): x is string => x !== undefined);
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), 0);
    this.timer.unref();
  }

  private loop(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async tick(): Promise<void> {
    let wait = this.pollMs;
    try {
      await this.claimAndRun();
      if (this.sideWork && !this.draining) {
        const free = this.concurrency - this.inFlight.size - this.side.size;
        for (const p of await this.sideWork.claim(free, this.workerId)) {
          const tracked = p.catch((err: unknown) => this.logger.error({ err }, 'partition failed')).finally(() => {
            this.side.delete(tracked);
            this.kick();
          });
          this.side.add(tracked);
        }
      }
      const next = await this.leases.nextClaimable();
      const now = this.now();
      if (next !== undefined && next > now) wait = Math.min(this.pollMs, Math.max(10, next - now));
    } catch (err) {
      this.logger.error({ err }, 'scheduler tick failed');
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => this.loop(), wait);
    this.timer.unref();
  }

  private async claimAndRun(): Promise<Lease[]> {
    if (this.draining) return [];
    const now = this.now();
    if (!this.adopted) {
      await this.leases.adoptUnscheduled(now);
      this.adopted = true;
    }
    // Re-basing scans the table, so it runs when this worker sees its clock go back, on its first
    // claim, and once a minute (for a clock that went back in another process).
    if (this.lastNow === undefined || now < this.lastNow || Math.abs(now - this.lastRebase) >= 60_000) {
      await this.leases.rebase(now, this.leaseMs);
      this.lastRebase = now;
    }
    this.lastNow = now;
    const free = this.concurrency - this.inFlight.size - this.side.size;
    const claimed = await this.leases.claim(this.workerId, now, this.leaseMs, free);
    for (const lease of claimed) {
      const p = this.runLeased(lease).finally(() => {
        this.inFlight.delete(lease.jobId);
        this.kick();
      });
      this.inFlight.set(lease.jobId, p);
    }
    return claimed;
  }

  /**
   * Runs a claimed job's cycle under its lease, heartbeating; gives the
   * lease back with the next due time. Resolves true when a cycle ran.
   */
  private async runLeased(lease: Lease): Promise<boolean> {
    const fence = this.leases.fence(lease, () => this.now());
    const beat = setInterval(() => {
      this.leases.heartbeat(lease, this.now(), this.leaseMs).then((ok) => {
        if (!ok && !fence.lost) {
          fence.markLost();
          this.logger.warn({ jobId: lease.jobId, token: lease.token }, 'lease lost: the cycle stops at its next write');
        }
      }, (err: unknown) => this.logger.warn({ err, jobId: lease.jobId }, 'heartbeat failed'));
    }, this.heartbeatMs);
    beat.unref();
    let outcome = 'ended';
    let due: number | null = null;
    try {
      const job = await this.sync.findJob(lease.jobId);
      const now = this.now();
      // The row's due time can be a hint (a migration's or an adoption's "look at it"): the job row decides,
      // unless the clock went back since the job's last cycle (then the row's re-based time is the better one).
      const wanted = job ? dueAt(job, now, { requested: lease.requested }) : null;
      const ended = job?.status.lastExecution ? Date.parse(job.status.lastExecution.timeEnded) : Number.NaN;
      const clockWentBack = Number.isFinite(ended) && ended > now;
      if (!job || !runnable(job, now) || wanted === null || (wanted > now && !clockWentBack)) {
        due = wanted;
        outcome = 'not due';
        return false;
      }
      let drained = false;
      const share = this.partitionWorker?.forCycle(lease.jobId, fence, this.workerId);
      const result = await this.engine.runCycle(lease.jobId, {
        fence,
        ...(share ? { share } : {}),
        draining: () => {
          drained ||= this.draining;
          return this.draining;
        },
      });
      const after = await this.sync.findJob(lease.jobId);
      const end = this.now();
      if (drained && result?.interrupted) {
        // Stopped by the shutdown, not by a pause: whoever claims it next resumes it at once.
        due = after && runnable(after, end) ? end : null;
        outcome = 'drained';
      } else {
        due = after ? dueAt(after, end) : null;
      }
      return true;
    } catch (e) {
      if (e instanceof LeaseLostError || fence.lost) {
        outcome = 'lost';
        await this.leases.markLost(lease).catch(() => undefined);
        return true;
      }
      this.logger.error({ err: e, jobId: lease.jobId }, 'cycle failed');
      outcome = 'failed';
      const after = await this.sync.findJob(lease.jobId).catch(() => undefined);
      const end = this.now();
      const computed = after ? dueAt(after, end) : null;
      due = computed === null ? null : Math.max(computed, end + this.failureBackoffMs);
      return true;
    } finally {
      clearInterval(beat);
      if (outcome !== 'lost') {
        await this.leases.release(lease, this.now(), due, outcome)
          .catch((err: unknown) => this.logger.error({ err, jobId: lease.jobId }, 'releasing a lease failed'));
      }
    }
  }
}
