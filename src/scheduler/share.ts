/**
 * The scheduler's side of shared cycles: `PartitionWorker` runs partitions
 * (of any job) in a worker's free slots, each under its own lease with
 * heartbeats; `SharedCycle` is what a coordinator's cycle uses to cut its
 * users into partitions, take its own share, and wait for the rest
 * (partitions.ts explains the scheme).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import type { SyncEngine } from '../engine/engine.ts';
import type { CycleShare, PartitionOutcome } from '../engine/cycle.ts';
import { LeaseLostError, fencedStore } from './leases.ts';
import type { Fence } from './leases.ts';
import { PartitionStore } from './partitions.ts';
import type { PartitionLease, PartitionPhase } from './partitions.ts';
import type { SideWork } from './scheduler.ts';

export interface ShareOptions {
  leaseMs: number;
  heartbeatMs: number;
  /** A full cycle over more users than this is shared (0: never). */
  threshold: number;
  /** Users per partition, about. */
  partitionSize: number;
  /** How often a coordinator looks at its partitions while others run them (ms). */
  waitMs?: number;
}

export class PartitionWorker implements SideWork {
  readonly partitions: PartitionStore;

  constructor(
    readonly store: Store,
    private readonly engine: Pick<SyncEngine, 'runPartition'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly options: ShareOptions,
    readonly draining: () => boolean,
  ) {
    this.partitions = new PartitionStore(store);
  }

  now(): number {
    return this.clock.now().getTime();
  }

  async claim(slots: number, workerId: string): Promise<Promise<void>[]> {
    if (slots <= 0 || this.options.threshold <= 0) return [];
    const leases = await this.partitions.claim(workerId, this.now(), this.options.leaseMs, slots);
    return leases.map((l) => this.run(l).then(() => undefined));
  }

  /** Runs a claimed partition with heartbeats; true when it is done. Gives it back undone otherwise. */
  async run(lease: PartitionLease): Promise<boolean> {
    const fence = this.partitions.fence(lease, () => this.now());
    const beat = setInterval(() => {
      this.partitions.heartbeat(lease, this.now(), this.options.leaseMs).then((ok) => {
        if (!ok) fence.markLost();
      }, (err: unknown) => this.logger.warn({ err, jobId: lease.jobId, part: lease.part }, 'partition heartbeat failed'));
    }, this.options.heartbeatMs);
    beat.unref();
    try {
      const done = await this.engine.runPartition({
        jobId: lease.jobId, phase: lease.phase, range: { after: lease.after, upTo: lease.upTo }, fence, draining: this.draining,
        complete: (trx, outcome: PartitionOutcome) => this.partitions.complete(trx, lease, outcome, this.now()),
      });
      if (!done) await this.partitions.release(lease, this.now(), 'drained');
      return done;
    } catch (e) {
      if (e instanceof LeaseLostError || fence.lost) {
        this.logger.warn({ jobId: lease.jobId, phase: lease.phase, part: lease.part }, 'partition lease lost: another worker redoes it');
        return false;
      }
      this.logger.error({ err: e, jobId: lease.jobId, phase: lease.phase, part: lease.part }, 'partition failed: given back to be redone');
      await this.partitions.release(lease, this.now(), 'failed').catch(() => undefined);
      // Not at once: a partition that fails every time should not spin.
      await delay(Math.min(5_000, this.options.leaseMs));
      return false;
    } finally {
      clearInterval(beat);
    }
  }

  /** The share of one coordinator's cycle (job `jobId`, under `fence`, the job's lease). */
  forCycle(jobId: string, fence: Fence & { readonly lost?: boolean }, workerId: string): CycleShare {
    return new SharedCycle(this, jobId, fence, workerId);
  }
}

class SharedCycle implements CycleShare {
  readonly partitionSize: number;

  constructor(
    private readonly worker: PartitionWorker,
    private readonly jobId: string,
    private readonly fence: Fence & { readonly lost?: boolean },
    private readonly workerId: string,
  ) {
    this.partitionSize = worker.options.partitionSize;
  }

  async existing(): Promise<{ watermark: number } | null> {
    const rows = await this.worker.partitions.list(this.worker.store.db, this.jobId);
    return rows.length ? { watermark: rows[0]!.watermark } : null;
  }

  wants(users: number): boolean {
    return this.worker.options.threshold > 0 && users > this.worker.options.threshold;
  }

  async runPhase(
    phase: PartitionPhase, cycleId: string, watermark: number, cut: () => Promise<string[]>, onProgress: (done: number) => void, stop: () => Promise<boolean>,
  ): Promise<PartitionOutcome[] | 'stopped'> {
    const ps = this.worker.partitions;
    const db = this.worker.store.db;
    if ((await ps.list(db, this.jobId, phase)).length === 0) {
      const boundaries = await cut();
      await fencedStore(this.worker.store, this.fence).transaction((trx) => ps.create(trx, this.jobId, cycleId, watermark, phase, boundaries));
    }
    for (;;) {
      if (this.fence.lost) throw new LeaseLostError(this.jobId, this.fence.token);
      // Paused (its partitions are no longer claimed) or stopping: the cycle stops; the partitions stay for the one that resumes.
      if (await stop()) return 'stopped';
      // The coordinator takes its share too, one partition at a time.
      const [mine] = await ps.claim(this.workerId, this.worker.now(), this.worker.options.leaseMs, 1, this.jobId);
      if (mine) {
        await this.worker.run(mine);
        continue;
      }
      const rows = await ps.list(db, this.jobId, phase);
      const done = rows.filter((r) => r.state === 'done');
      if (phase === 'users') onProgress(done.reduce((n, r) => n + (r.result?.counters.imported ?? 0), 0));
      if (done.length === rows.length) return done.map((r) => r.result!);
      await delay(this.worker.options.waitMs ?? 200);
    }
  }

  async clear(trx: Store['db']): Promise<void> {
    await this.worker.partitions.clear(trx, this.jobId);
  }
}
