/**
 * bulkUpload (POST …/jobs/{jobId}/bulkUpload): checks the job, the media
 * type and the limits, validates the SCIM BulkRequest, stages its
 * operations durably and then wakes the job so that they are processed
 * within seconds — unless the job is paused, in which case they wait for
 * Start (the runner runs a started job at once).
 */
import type { Logger } from 'pino';
import type { SyncService } from '../sync/sync-service.ts';
import type { Clock } from '../util/time.ts';
import { errors, GraphError } from '../errors/graph-error.ts';
import { SlidingWindowLimiter } from '../logs/rate-limit.ts';
import type { RateLimit } from '../logs/rate-limit.ts';
import { API2AAD_FACTORY_TAG } from '../sync/templates/inbound.ts';
import type { StagingStore } from './staging.ts';
import { SCIM_MEDIA_TYPE, invalidDataFormat, mediaType, validateBulkRequest } from './bulk-request.ts';

/** How long the poller leaves a job whose last cycle failed. */
const FAILED_RETRY_MS = 60_000;

export interface BulkUploadLimits {
  /** Operations per request (Entra: 50). */
  maxOperations: number;
  /** Calls per job per window (Entra: 40 per 5 s); undefined: none. */
  rateLimit: RateLimit | undefined;
  /** Calls per tenant per 24 h (Entra: 6,000 with Governance, 2,000 with P1/P2); 0: none. */
  dailyLimit: number;
}

export interface BulkUploadResult {
  uploadId: string;
  operations: number;
}

/** Runs a job's cycle now (the runner's runNow); resolves when it ends. */
export type RunJobNow = (jobId: string) => Promise<void>;

export class InboundService {
  private readonly perJob: SlidingWindowLimiter | undefined;
  private readonly daily: SlidingWindowLimiter | undefined;
  private readonly driving = new Set<string>();
  private readonly dirty = new Set<string>();
  private runNow: RunJobNow | undefined;
  private poller: NodeJS.Timeout | undefined;

  constructor(
    private readonly sync: SyncService,
    readonly staging: StagingStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly limits: BulkUploadLimits,
  ) {
    this.perJob = limits.rateLimit ? new SlidingWindowLimiter(limits.rateLimit, clock) : undefined;
    this.daily = limits.dailyLimit > 0 ? new SlidingWindowLimiter({ requests: limits.dailyLimit, windowSeconds: 86_400 }, clock) : undefined;
  }

  /** Lets uploads wake their job in this process (not set in `--role api` processes). */
  setRunner(runNow: RunJobNow | undefined): void {
    this.runNow = runNow;
  }

  /**
   * Stages one bulk request. Resolves after the commit; a request that is
   * refused (wrong job, media type, limit, malformed) stages nothing.
   */
  async bulkUpload(spId: string, jobId: string, contentType: string | undefined, body: unknown, requestId: string | null): Promise<BulkUploadResult> {
    const job = await this.sync.getJob(spId, jobId);
    if (job.templateId.toLowerCase() !== API2AAD_FACTORY_TAG.toLowerCase()) {
      throw errors.badRequest(
        `bulkUpload is available only on API-driven provisioning jobs (template ${API2AAD_FACTORY_TAG}); the job '${jobId}' uses the template '${job.templateId}'.`,
        'jobId',
      );
    }
    if (mediaType(contentType) !== SCIM_MEDIA_TYPE) {
      throw invalidDataFormat(`the Content-Type must be ${SCIM_MEDIA_TYPE}, not ${contentType ? `'${contentType}'` : 'missing'}.`, 'Content-Type');
    }
    if (body instanceof BodyParseError) throw invalidDataFormat(`the body is not valid JSON (${body.message}).`);
    const ops = validateBulkRequest(body, this.limits.maxOperations);
    this.throttle(jobId);
    const staged = await this.staging.stage(job.id, ops, requestId);
    this.logger.info({ jobId: job.id, uploadId: staged.uploadId, operations: ops.length }, 'bulkUpload staged');
    this.wake(job.id);
    return { uploadId: staged.uploadId, operations: ops.length };
  }

  private throttle(jobId: string): void {
    const wait = this.perJob?.take(jobId);
    if (wait !== undefined) throw tooMany(wait, `More than ${this.limits.rateLimit!.requests} bulkUpload calls in ${this.limits.rateLimit!.windowSeconds} seconds for this job.`);
    const day = this.daily?.take('tenant');
    if (day !== undefined) throw tooMany(day, `The tenant's quota of ${this.limits.dailyLimit} bulkUpload calls in 24 hours is used up.`);
  }

  /**
   * Processes what was staged for a started job: runs its cycle now, and
   * again while uploads keep arriving or records are left (a cycle already
   * in flight may have read the staging store before this upload).
   */
  wake(jobId: string, polled = false): void {
    if (!this.runNow) return;
    this.dirty.add(jobId);
    if (!this.driving.has(jobId)) void this.drive(jobId, polled);
  }

  private async drive(jobId: string, polled: boolean): Promise<void> {
    const runNow = this.runNow;
    if (!runNow) return;
    this.driving.add(jobId);
    try {
      let rounds = 0;
      while (rounds < 3) {
        this.dirty.delete(jobId);
        const job = await this.sync.findJob(jobId);
        // A paused (or disabled, or quarantined) job keeps its records staged; Start processes them.
        if (!job || job.schedule.state !== 'Active' || job.status.quarantine) return;
        // The poller does not hammer a job whose last cycle failed: it tries again a minute later.
        const last = job.status.lastExecution;
        if (polled && rounds === 0 && last?.state === 'Failed' && this.clock.now().getTime() - Date.parse(last.timeEnded) < FAILED_RETRY_MS) return;
        await runNow(jobId);
        if (this.dirty.has(jobId)) {
          rounds = 0;
          continue;
        }
        if ((await this.staging.pending(jobId)).count === 0) return;
        rounds++;
      }
    } catch (err) {
      this.logger.error({ err, jobId }, 'processing staged bulkUpload records failed');
    } finally {
      this.driving.delete(jobId);
    }
  }

  /**
   * Looks every `ms` for jobs with staged records and wakes them: uploads
   * staged by another process (an `--role api` one) or left by a crash are
   * processed within seconds too. Started in processes that run jobs.
   */
  startPolling(ms = 2000): void {
    if (this.poller || !this.runNow) return;
    const tick = async () => {
      try {
        const rows = await this.staging.jobsWithRecords();
        for (const jobId of rows) if (!this.driving.has(jobId)) this.wake(jobId, true);
      } catch (err) {
        this.logger.warn({ err }, 'looking for staged bulkUpload records failed');
      }
    };
    this.poller = setInterval(() => void tick(), ms);
    this.poller.unref();
  }

  /** Stops polling and waits for wake-ups in progress. */
  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    this.runNow = undefined;
    while (this.driving.size) await new Promise((r) => setTimeout(r, 10));
  }

  /** Resolves when no wake-up of this job is in progress (tests, shutdown). */
  async idle(jobId: string): Promise<void> {
    while (this.driving.has(jobId)) await new Promise((r) => setTimeout(r, 10));
  }
}

function tooMany(seconds: number, message: string): GraphError {
  const e = errors.tooManyRequests(seconds);
  return new GraphError(429, e.code, `${message} Retry after ${Math.ceil(seconds)} s.`, { headers: e.headers });
}

/** What the bulkUpload route's body parser yields for a body that is not JSON. */
export class BodyParseError {
  constructor(readonly message: string) {}
}
