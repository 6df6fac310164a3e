/**
 * Retention: entries older than the configured number of days are deleted
 * (Entra keeps provisioning logs 30 days with P1/P2, 7 days on the free
 * tier; entra-behavior.md §3.7). A timer prunes once soon after start and
 * then every hour; it never keeps the process alive.
 */
import type { Logger } from 'pino';
import type { Clock } from '../util/time.ts';
import type { ProvisioningLogWriter } from './writer.ts';

const DAY_MS = 86_400_000;

/** Deletes entries past retention, on a timer and on demand. */
export class ProvisioningLogRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly writer: ProvisioningLogWriter,
    /** Days to keep; 0 keeps everything. */
    readonly days: number,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {}

  /** The instant before which entries are deleted now, or undefined when retention is off. */
  cutoff(): Date | undefined {
    return this.days > 0 ? new Date(this.clock.now().getTime() - this.days * DAY_MS) : undefined;
  }

  /** Deletes what is past retention; returns how many entries went. Concurrent calls share one run. */
  pruneExpired(): Promise<number> {
    const cutoff = this.cutoff();
    if (!cutoff) return Promise.resolve(0);
    this.running ??= this.writer.prune(cutoff).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Starts pruning periodically (first run after `firstDelayMs`). */
  start(intervalMs = 3_600_000, firstDelayMs = 10_000): void {
    if (this.timer || this.days <= 0) return;
    const run = () => {
      this.pruneExpired().then(
        (n) => { if (n > 0) this.logger?.info({ deleted: n, days: this.days }, 'provisioning logs pruned'); },
        (err: unknown) => this.logger?.error({ err }, 'pruning provisioning logs failed'),
      );
    };
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, intervalMs).unref();
    }, firstDelayMs).unref();
  }

  /** Stops the timer and waits for a prune in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
