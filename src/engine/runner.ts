/**
 * Runs started jobs' cycles on their schedule, in this process: a job whose
 * schedule is Active runs when its interval has passed since its last cycle
 * ended (at once when it never ran, was restarted or asked to sync now),
 * never two cycles of one job at a time, and a quarantined job waits for its
 * quarantine's nextAttempt. Pause stops it after the cycle in flight.
 * (The scheduler for many processes sharing PostgreSQL builds on this.)
 */
import type { Logger } from 'pino';
import type { SyncService, JobRecord } from '../sync/sync-service.ts';
import type { Clock } from '../util/time.ts';
import { parseDuration } from '../util/duration.ts';
import type { SyncEngine } from './engine.ts';

export interface RunnerOptions {
  /** How often the runner looks for due jobs even without an event (ms). */
  pollMs?: number;
}

export class JobRunner {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly soon = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly onJob = (e: { kind: string; jobId: string }) => {
    if (e.kind === 'started' || e.kind === 'restarted') {
      this.soon.add(e.jobId);
      this.kick();
    }
  };

  constructor(
    private readonly sync: SyncService,
    private readonly engine: SyncEngine,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RunnerOptions = {},
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.sync.events.on('job', this.onJob);
    this.kick();
  }

  /** Stops scheduling; waits for cycles in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.sync.events.off('job', this.onJob);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Runs a job's cycle now unless one is in flight ("sync now"); resolves when it ends. */
  runNow(jobId: string): Promise<void> {
    const running = this.inFlight.get(jobId);
    if (running) return running;
    const p = this.engine.runCycle(jobId)
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err, jobId }, 'cycle failed'))
      .finally(() => {
        this.inFlight.delete(jobId);
        this.kick();
      });
    this.inFlight.set(jobId, p);
    return p;
  }

  /** When a job is due next (ms since epoch), or undefined when it should not run. */
  dueAt(job: JobRecord): number | undefined {
    if (job.schedule.state !== 'Active') return undefined;
    if (job.schedule.expiration && Date.parse(job.schedule.expiration) <= this.clock.now().getTime()) return undefined;
    if (this.soon.has(job.id) || job.pendingResetScope) return 0;
    if (job.status.quarantine) return Date.parse(job.status.quarantine.nextAttempt);
    const last = job.status.lastExecution;
    if (!last || job.status.code === 'NotRun') return 0;
    const interval = parseDuration(job.schedule.interval) ?? 40 * 60_000;
    return Date.parse(last.timeEnded) + interval;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    let next = Number.POSITIVE_INFINITY;
    try {
      const now = this.clock.now().getTime();
      for (const job of await this.sync.activeJobs()) {
        if (this.inFlight.has(job.id)) continue;
        const due = this.dueAt(job);
        if (due === undefined) continue;
        if (due <= now) {
          this.soon.delete(job.id);
          void this.runNow(job.id);
        } else {
          next = Math.min(next, due);
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'job runner tick failed');
    }
    if (this.stopped) return;
    const poll = this.options.pollMs ?? 30_000;
    const wait = Math.max(50, Math.min(poll, next - this.clock.now().getTime()));
    this.timer = setTimeout(() => void this.tick(), wait);
    this.timer.unref();
  }
}
