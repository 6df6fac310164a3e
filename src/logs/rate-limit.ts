/**
 * An optional throttle for /auditLogs/provisioning. Graph limits the
 * identity and access reports to 5 requests per 10 s per app and tenant
 * (graph-sync-api.md §2.4); Provisio can do the same so that clients can be
 * tested against it, but does not by default: a local console or script
 * paging through logs would spend most of its time waiting.
 */
import type { Clock } from '../util/time.ts';

/** At most `requests` in any `windowSeconds`. */
export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

/** Graph's limit for this API group. */
export const GRAPH_AUDIT_RATE_LIMIT: RateLimit = { requests: 5, windowSeconds: 10 };

/**
 * Parses PROVISIO_AUDIT_RATE_LIMIT: empty, `off` or `0` → no limit; `on` or
 * `graph` → Graph's 5 per 10 s; `N/S` (optionally `N/Ss`) → N requests per
 * S seconds. Throws on anything else.
 */
export function parseRateLimit(text: string | undefined, name = 'PROVISIO_AUDIT_RATE_LIMIT'): RateLimit | undefined {
  const t = (text ?? '').trim().toLowerCase();
  if (t === '' || t === 'off' || t === '0' || t === 'false') return undefined;
  if (t === 'on' || t === 'graph' || t === 'true') return GRAPH_AUDIT_RATE_LIMIT;
  const m = /^(\d+)\s*\/\s*(\d+)\s*s?$/.exec(t);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new Error(`Invalid ${name} '${text}': use off, graph (5 per 10 s) or N/S (N requests per S seconds).`);
  }
  return { requests: Number(m[1]), windowSeconds: Number(m[2]) };
}

/**
 * A sliding-window limiter per key (the calling client): at most
 * `requests` admitted in any `windowSeconds`. A refused request is not
 * counted, as Graph does not count throttled calls against the quota.
 */
export class SlidingWindowLimiter {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {}

  /** Admits the request (returns undefined) or returns the seconds to wait. */
  take(key: string): number | undefined {
    const now = this.clock.now().getTime();
    const windowMs = this.limit.windowSeconds * 1000;
    const stamps = (this.seen.get(key) ?? []).filter((t) => t > now - windowMs);
    if (stamps.length >= this.limit.requests) {
      this.seen.set(key, stamps);
      return Math.max(1, Math.ceil((stamps[0]! + windowMs - now) / 1000));
    }
    stamps.push(now);
    this.seen.set(key, stamps);
    if (this.seen.size > 10_000) this.sweep(now - windowMs);
    return undefined;
  }

  private sweep(horizon: number): void {
    for (const [k, v] of this.seen) if (!v.some((t) => t > horizon)) this.seen.delete(k);
  }
}
