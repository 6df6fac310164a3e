/**
 * The SCIM HTTP client: one per target. It owns everything about talking to
 * the target that is not SCIM wording (that is the dialect's job):
 *
 * - **Transport**: an undici keep-alive `Pool` to the target's origin with
 *   `connections` = the configured concurrency and `pipelining` 1, so every
 *   request in flight has its own connection and connections are reused.
 * - **Bounded, adaptive concurrency**: at most `concurrency` requests in
 *   flight (a FIFO semaphore). After a 429 (or 503) the limit is halved, and
 *   it grows back by one after each `limit` successful answers in a row
 *   (AIMD, as TCP congestion control). A 429 only halves the limit when the
 *   request was sent under the current limit, so one burst of 429s counts
 *   once. A `Retry-After` pauses every new request to this target until it
 *   has passed (the behaviour a Microsoft moderator describes for Entra,
 *   entra-behavior.md §6.9).
 * - **Timeouts**: per request, for the response headers and for the gaps
 *   while reading the body (undici `headersTimeout` / `bodyTimeout`). Entra
 *   does not document its own (§6.9, §11), so the defaults are 30 s each.
 * - **Retries** of transient failures, inside the client, with exponential
 *   back-off and jitter, honouring `Retry-After` (seconds or HTTP date,
 *   RFC 9110 §10.2.3), up to `maxAttempts`. A request that the target may
 *   have processed (timeout, reset, 500) is retried only when repeating it is
 *   harmless (GET, PUT, PATCH, DELETE; never a POST, which could create a
 *   duplicate); 429, 503 and refused connections mean "not processed" and are
 *   retried for every method.
 * - **Dry run** (plan mode): every write (POST/PUT/PATCH/DELETE) is refused
 *   before it reaches the network and recorded as what would have been sent
 *   (`DryRunRefusedError`). Reads still go out, so matching works.
 * - **Error classification**: non-2xx answers and network failures become
 *   the classes of `../errors.ts`, depending on what the request was for
 *   (`intent`): a 404 on `/Users/{id}` is a lost object, a 404 on `/Users`
 *   is a non-compliant endpoint.
 * - **Counters** for status and metrics.
 *
 * The bearer token only ever goes into the `Authorization` header; errors
 * carry no headers, and the token is redacted from response bodies.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import type { TargetStats } from '../ports.ts';
import {
  ConflictTargetError,
  DryRunRefusedError,
  NotFoundTargetError,
  RejectedTargetError,
  StopRunError,
  TargetErrorCodes as Codes,
  TransientTargetError,
  truncate,
} from '../errors.ts';
import type { TargetError, TargetRequestSummary, TargetResponseSummary } from '../errors.ts';
import type { Clock } from '../../util/time.ts';
import { systemClock } from '../../util/time.ts';

/** HTTP methods the SCIM connector uses. */
export type ScimMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What a request is for; decides how an error answer is classified.
 * - `probe`: Test Connection; every refusal stops the run.
 * - `query`: a filter query on a collection (`/Users?filter=…`).
 * - `read` / `update` / `delete`: on a linked object (`/Users/{id}`).
 * - `create`: `POST` to a collection.
 */
export type RequestIntent = 'probe' | 'query' | 'read' | 'create' | 'update' | 'delete';

/** One request, relative to the SCIM base URL. */
export interface ScimRequest {
  method: ScimMethod;
  /** Path under the base URL, starting with `/` (`/Users`, `/Users/abc`). */
  path: string;
  /** Encoded query string without `?`. */
  query?: string;
  /** JSON body; serialised as sent. */
  body?: unknown;
  intent: RequestIntent;
}

/** A successful (2xx) answer. */
export interface ScimResponse {
  status: number;
  /** Parsed JSON body; `undefined` when empty or not JSON (then see `text`). */
  body: unknown;
  text: string;
}

/** A write refused in dry-run mode, as it would have been sent. */
export interface PlannedRequest {
  method: ScimMethod;
  /** Path and query relative to the origin (`/scim/v2/Users/abc`). */
  path: string;
  body?: unknown;
}

/** Options of {@link createScimClient}. Durations are milliseconds. */
export interface ScimClientOptions {
  /** SCIM base URL without flags (see `dialectFromBaseAddress`), e.g. `https://host/scim/v2`. */
  baseUrl: string;
  /** Long-lived bearer token (Entra's `SecretToken`); no `Authorization` header when absent. */
  secretToken?: string;
  /** Most requests in flight at once, and pool connections (default 8). */
  concurrency?: number;
  /** Lowest concurrency the adaptive control may go down to (default 1). */
  minConcurrency?: number;
  /** Adaptive (AIMD) concurrency after 429/503 (default true). */
  adaptive?: boolean;
  /** Time to wait for response headers (default 30 000). */
  headersTimeoutMs?: number;
  /** Longest gap while receiving the body (default 30 000). */
  bodyTimeoutMs?: number;
  /** TCP/TLS connect timeout (default 10 000). */
  connectTimeoutMs?: number;
  /** Attempts per request including the first (default 4). */
  maxAttempts?: number;
  /** First back-off step (default 500); doubles per attempt. */
  backoffBaseMs?: number;
  /** Longest back-off step (default 30 000). */
  backoffMaxMs?: number;
  /**
   * Longest `Retry-After` the client waits out itself (default 60 000);
   * beyond it the request fails with a `TransientTargetError` carrying
   * `retryAfterMs`, and the engine escrows the object until then.
   */
  maxRetryAfterMs?: number;
  /** Refuse and record every write (plan mode). */
  dryRun?: boolean;
  /** Most planned requests kept in memory (default 10 000; all are counted). */
  dryRunRecordLimit?: number;
  /** Clock for `Retry-After` dates and pauses (tests inject one). */
  clock?: Clock;
  /** Sleep used for back-off and pauses (tests inject one); must reject when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Random source in [0, 1) for jitter (tests inject one). */
  random?: () => number;
}

const DEFAULTS = {
  concurrency: 8,
  minConcurrency: 1,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxAttempts: 4,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 60_000,
  dryRunRecordLimit: 10_000,
} as const;

const WRITE_METHODS = new Set<ScimMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);
// RFC 9110 §9.2.2; PATCH is not idempotent in general, but the PatchOp
// requests Entra sends (replace, add of set values, remove) leave the same
// state when applied twice to a server that keeps members as a set.
const REPEATABLE_METHODS = new Set<ScimMethod>(['GET', 'PUT', 'PATCH', 'DELETE']);

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 * @returns milliseconds from `nowMs`, never negative; `undefined` when absent or unreadable.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * Concurrency limit with AIMD adaptation and a shared pause; FIFO, so no
 * request starves. `acquire()` resolves to the epoch under which the request
 * runs (the epoch changes at every decrease).
 */
export class AdaptiveLimiter {
  private current: number;
  private active = 0;
  private peak = 0;
  private streak = 0;
  private epoch = 0;
  private pausedUntil = 0;
  private closed = false;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly min: number,
    private readonly adaptive: boolean,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }
  get inFlight(): number {
    return this.active;
  }
  get maxInFlight(): number {
    return this.peak;
  }

  /** Takes a slot at once when one is free and no pause is on; otherwise `undefined` (then `await acquire()`). */
  tryAcquire(): number | undefined {
    if (this.closed || this.active >= this.current || this.waiters.length > 0 || (this.pausedUntil !== 0 && this.pausedUntil > this.now())) return undefined;
    this.take();
    return this.epoch;
  }

  /** Waits for a slot (and for any `Retry-After` pause); returns the epoch. */
  async acquire(): Promise<number> {
    await this.waitPause();
    if (this.active < this.current && this.waiters.length === 0) {
      this.take();
    } else {
      // The releaser hands the slot over (take() runs in drain()), so a
      // newcomer cannot overtake a waiter.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    // A pause may have begun while this request queued.
    await this.waitPause();
    return this.epoch;
  }

  /** Gives the slot back. */
  release(): void {
    this.active--;
    this.drain();
  }

  /** A healthy answer: additive increase, +1 after `limit` successes in a row. */
  onSuccess(): void {
    if (!this.adaptive || this.current >= this.max) return;
    this.streak++;
    if (this.streak >= this.current) {
      this.current++;
      this.streak = 0;
      this.drain();
    }
  }

  /** A 429/503: multiplicative decrease (once per epoch) and the shared pause. */
  onThrottle(epoch: number, retryAfterMs: number | undefined): void {
    if (this.adaptive && epoch === this.epoch) {
      this.current = Math.max(this.min, Math.floor(this.current / 2));
      this.epoch++;
      this.streak = 0;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
    }
  }

  /** Lets every waiter go (they see the client closed). */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      this.active++;
      w();
    }
  }

  private take(): void {
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.active < this.current) {
      this.take();
      (this.waiters.shift() as () => void)();
    }
  }

  private async waitPause(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const wait = this.pausedUntil - this.now();
      if (wait <= 0) return;
      await this.sleep(wait);
    }
  }
}

type NetworkFailure = 'unreachable' | 'timeout' | 'reset' | 'closed';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CLOSED_CODES = new Set(['UND_ERR_ABORTED', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED', 'ABORT_ERR']);

function errorCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (e as { name?: unknown }).name;
    if (name === 'AbortError') return 'ABORT_ERR';
  }
  return '';
}

function classifyNetwork(err: unknown): NetworkFailure {
  const code = errorCode(err);
  if (UNREACHABLE_CODES.has(code) || /CERT|^ERR_TLS|^ERR_SSL/.test(code)) return 'unreachable';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (CLOSED_CODES.has(code)) return 'closed';
  return 'reset';
}

interface ScimErrorBody {
  scimType?: string;
  detail?: string;
}

function scimErrorFields(body: unknown): ScimErrorBody {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  return {
    scimType: typeof b.scimType === 'string' ? b.scimType : undefined,
    detail: typeof b.detail === 'string' ? b.detail : undefined,
  };
}

/**
 * Maps a non-2xx answer to an error class, by what the request was for.
 * The one place where HTTP statuses become engine decisions (see the table
 * in docs/scim-connector.md).
 */
export function classifyStatus(
  status: number,
  intent: RequestIntent,
  request: TargetRequestSummary,
  response: TargetResponseSummary,
  retryAfterMs?: number,
): TargetError {
  const what = `${request.method} ${request.path} answered ${status}${response.scimType ? ` ${response.scimType}` : ''}${response.detail ? `: ${response.detail}` : ''}`;
  const opts = { request, response };
  if (status === 401 || status === 403) {
    return new StopRunError(Codes.invalidCredentials, `The target refused the credentials. ${what}`, opts);
  }
  if (status === 429) {
    return new TransientTargetError(Codes.tooManyRequests, what, { ...opts, retryAfterMs });
  }
  if (status === 408) return new TransientTargetError(Codes.timeout, what, opts);
  if (status >= 500 && status !== 501) {
    return new TransientTargetError(status === 504 ? Codes.timeout : Codes.internalServerError, what, { ...opts, retryAfterMs });
  }
  if (intent === 'probe') {
    // Test Connection expects 200 with an empty ListResponse and nothing else (§6.2).
    return new StopRunError(Codes.incompatibleFiltering, `The SCIM endpoint failed the connection test. ${what}`, opts);
  }
  if (status === 404) {
    if (intent === 'read' || intent === 'update' || intent === 'delete') return new NotFoundTargetError(what, opts);
    // 404 on a collection: wrong tenant URL or no such endpoint, the classic
    // "SCIM compliance" quarantine (§5.3, §6.2).
    return new StopRunError(
      intent === 'query' ? Codes.incompatibleFiltering : Codes.serviceIncompatible,
      `The SCIM endpoint does not exist; check the tenant URL. ${what}`,
      opts,
    );
  }
  if (status === 409) {
    return intent === 'create' ? new ConflictTargetError(what, opts) : new RejectedTargetError(Codes.entryConflict, what, opts);
  }
  if (status === 400 && intent === 'query') {
    // A filter the target cannot evaluate for this value (e.g. special
    // characters, §3.2): escrow this object; a target that cannot filter at
    // all fails every object and trips the escrow thresholds (§5.3).
    return new RejectedTargetError(Codes.incompatibleFiltering, what, opts);
  }
  if (status === 405) return new RejectedTargetError(Codes.methodNotAllowed, what, opts);
  if (status === 422) return new RejectedTargetError(Codes.unprocessableEntity, what, opts);
  if (status === 501) return new RejectedTargetError(Codes.notImplemented, what, opts);
  if (status >= 400 && status < 500) return new RejectedTargetError(Codes.badRequest, what, opts);
  // 1xx/3xx: SCIM services answer 2xx or an error (RFC 7644 §3.12).
  return new StopRunError(Codes.serviceIncompatible, `Unexpected answer. ${what}`, opts);
}

/** The SCIM HTTP client of one target. Create with {@link createScimClient}. */
export class ScimHttpClient {
  readonly baseUrl: string;
  readonly dryRun: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly baseQuery: string;
  private readonly pool: Pool;
  private readonly limiter: AdaptiveLimiter;
  private readonly abort = new AbortController();
  private readonly opts: Required<Omit<ScimClientOptions, 'secretToken' | 'clock' | 'sleep' | 'random' | 'dryRun' | 'adaptive' | 'baseUrl'>>;
  private readonly headers: Record<string, string>;
  private readonly token: string | undefined;
  private readonly clock: Clock;
  private readonly sleepFn: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly planned: PlannedRequest[] = [];
  private closed = false;
  private readonly counters = { requests: 0, retries: 0, throttled: 0, timeouts: 0, failures: 0, dryRunRefused: 0 };

  constructor(options: ScimClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`SCIM base URL must be http(s): ${options.baseUrl}`);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.baseQuery = url.search.replace(/^\?/, '');
    this.baseUrl = `${this.origin}${this.basePath}`;
    // Every back-off sleep and Retry-After pause listens on this signal; under a burst of 429s there are
    // more than Node's default 10 at once, which is expected, not a leak.
    setMaxListeners(0, this.abort.signal);
    this.dryRun = options.dryRun ?? false;
    this.opts = {
      concurrency: positive(options.concurrency ?? DEFAULTS.concurrency, 'concurrency'),
      minConcurrency: positive(options.minConcurrency ?? DEFAULTS.minConcurrency, 'minConcurrency'),
      headersTimeoutMs: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxAttempts: positive(options.maxAttempts ?? DEFAULTS.maxAttempts, 'maxAttempts'),
      backoffBaseMs: options.backoffBaseMs ?? DEFAULTS.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs ?? DEFAULTS.backoffMaxMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
      dryRunRecordLimit: options.dryRunRecordLimit ?? DEFAULTS.dryRunRecordLimit,
    };
    this.token = options.secretToken || undefined;
    this.headers = {
      // Entra sends this Content-Type on its requests (§6.1) and servers must accept it (§6.7 #12).
      'content-type': 'application/scim+json',
      accept: 'application/scim+json, application/json',
    };
    if (this.token) this.headers.authorization = `Bearer ${this.token}`;
    this.clock = options.clock ?? systemClock;
    this.sleepFn = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.pool = new Pool(this.origin, {
      connections: this.opts.concurrency,
      pipelining: 1,
      connect: { timeout: this.opts.connectTimeoutMs },
      headersTimeout: this.opts.headersTimeoutMs,
      bodyTimeout: this.opts.bodyTimeoutMs,
    });
    this.limiter = new AdaptiveLimiter(
      this.opts.concurrency,
      Math.min(this.opts.minConcurrency, this.opts.concurrency),
      options.adaptive ?? true,
      () => this.clock.now().getTime(),
      (ms) => this.sleepFn(ms, this.abort.signal),
    );
  }

  /**
   * Sends one request, retrying transient failures.
   * @returns the 2xx answer.
   * @throws a `TargetError` subclass (see {@link classifyStatus}); `DryRunRefusedError` for writes in dry run.
   */
  async request(req: ScimRequest): Promise<ScimResponse> {
    const query = this.baseQuery ? (req.query ? `${this.baseQuery}&${req.query}` : this.baseQuery) : (req.query ?? '');
    const fullPath = `${this.basePath}${req.path}${query ? `?${query}` : ''}`;
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    // Built only when an error needs it: the hot path stays allocation-light.
    const summary = (): TargetRequestSummary =>
      payload === undefined ? { method: req.method, path: fullPath } : { method: req.method, path: fullPath, body: truncate(payload) };

    if (this.closed) throw new TransientTargetError('ClientClosed', `${req.method} ${fullPath}: the SCIM client is closed`, { request: summary() });
    if (this.dryRun && WRITE_METHODS.has(req.method)) {
      this.counters.dryRunRefused++;
      if (this.planned.length < this.opts.dryRunRecordLimit) this.planned.push({ method: req.method, path: fullPath, body: req.body });
      throw new DryRunRefusedError(summary());
    }

    for (let attempt = 1; ; attempt++) {
      let epoch = this.limiter.tryAcquire();
      if (epoch === undefined) {
        try {
          epoch = await this.limiter.acquire();
        } catch (err) {
          // Only a pause cut short by close() gets here.
          throw new TransientTargetError('ClientClosed', `${req.method} ${fullPath}: the SCIM client was closed`, { request: summary(), cause: err });
        }
      }
      if (this.closed) {
        this.limiter.release();
        throw new TransientTargetError('ClientClosed', `${req.method} ${fullPath}: the SCIM client is closed`, { request: summary() });
      }
      let status = 0;
      let text = '';
      let retryAfterHeader: string | string[] | undefined;
      let failure: NetworkFailure | undefined;
      let cause: unknown;
      this.counters.requests++;
      try {
        // No per-request AbortSignal: close() destroys the pool, which fails
        // every request in flight (UND_ERR_DESTROYED) without a listener per request.
        const res = await this.pool.request({
          method: req.method,
          path: fullPath,
          headers: this.headers,
          body: payload,
          headersTimeout: this.opts.headersTimeoutMs,
          bodyTimeout: this.opts.bodyTimeoutMs,
        });
        status = res.statusCode;
        retryAfterHeader = res.headers['retry-after'];
        text = await res.body.text();
      } catch (err) {
        failure = classifyNetwork(err);
        cause = err;
      } finally {
        this.limiter.release();
      }

      if (failure === undefined && status >= 200 && status < 300) {
        this.limiter.onSuccess();
        return { status, body: parseJson(text), text };
      }

      let error: TargetError;
      let retryable: boolean;
      let retryAfterMs: number | undefined;
      if (failure === undefined) {
        retryAfterMs = parseRetryAfter(retryAfterHeader, this.clock.now().getTime());
        if (status === 429 || status === 503) {
          if (status === 429) this.counters.throttled++;
          this.limiter.onThrottle(epoch, retryAfterMs);
        } else {
          this.limiter.onSuccess();
        }
        const redacted = this.redact(text);
        const response: TargetResponseSummary = { status, ...scimErrorFields(parseJson(redacted)) };
        if (redacted.length > 0) response.body = truncate(redacted);
        error = classifyStatus(status, req.intent, summary(), response, retryAfterMs);
        retryable =
          status === 429 || status === 503 || (REPEATABLE_METHODS.has(req.method) && (status === 500 || status === 502 || status === 504 || status === 408));
      } else {
        if (failure === 'timeout') this.counters.timeouts++;
        const detail = cause instanceof Error ? cause.message : String(cause);
        if (failure === 'closed' || this.closed) {
          this.counters.failures++;
          throw new TransientTargetError('ClientClosed', `${req.method} ${fullPath}: the SCIM client was closed`, { request: summary(), cause });
        }
        if (failure === 'unreachable') {
          error = new StopRunError(
            Codes.unavailable,
            `The SCIM endpoint ${this.baseUrl} could not be reached (${errorCode(cause) || detail}); check the tenant URL.`,
            { request: summary(), cause },
          );
          retryable = true;
        } else {
          error = new TransientTargetError(failure === 'timeout' ? Codes.timeout : Codes.protocolError, `${req.method} ${fullPath}: ${detail}`, {
            request: summary(),
            cause,
            attempts: attempt,
          });
          retryable = REPEATABLE_METHODS.has(req.method);
        }
      }

      const tooLong = retryAfterMs !== undefined && retryAfterMs > this.opts.maxRetryAfterMs;
      if (!retryable || attempt >= this.opts.maxAttempts || tooLong) {
        this.counters.failures++;
        if (error instanceof TransientTargetError && error.attempts !== attempt) {
          error = new TransientTargetError(error.code, error.message, {
            request: error.request, response: error.response, retryAfterMs: error.retryAfterMs, attempts: attempt, cause: error.cause,
          });
        }
        throw error;
      }
      this.counters.retries++;
      await this.backoff(attempt, retryAfterMs, summary());
    }
  }

  /** Writes refused in dry-run mode so far (up to `dryRunRecordLimit`), oldest first. */
  plannedRequests(): readonly PlannedRequest[] {
    return this.planned;
  }

  /** Counters for status and metrics. */
  stats(): TargetStats {
    return {
      ...this.counters,
      inFlight: this.limiter.inFlight,
      maxInFlight: this.limiter.maxInFlight,
      concurrencyLimit: this.limiter.limit,
    };
  }

  /** Cancels back-off sleeps and pending requests and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new Error('SCIM client closed'));
    this.limiter.close();
    await this.pool.destroy();
  }

  private async backoff(attempt: number, retryAfterMs: number | undefined, request: TargetRequestSummary): Promise<void> {
    // Retry-After wins when the target gave one; otherwise exponential with
    // "equal jitter": half the step fixed, half random, so retries spread
    // out but never come back immediately.
    const step = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** (attempt - 1));
    const wait = retryAfterMs ?? step / 2 + this.random() * (step / 2);
    try {
      await this.sleepFn(wait, this.abort.signal);
    } catch (err) {
      throw new TransientTargetError('ClientClosed', `${request.method} ${request.path}: the SCIM client was closed`, { request, cause: err });
    }
  }

  private redact(text: string): string {
    return this.token && this.token.length >= 4 && text.includes(this.token) ? text.split(this.token).join('[redacted]') : text;
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${n}`);
  return n;
}

/** Creates the SCIM HTTP client of one target. */
export function createScimClient(options: ScimClientOptions): ScimHttpClient {
  return new ScimHttpClient(options);
}
