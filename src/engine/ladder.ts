/**
 * Retry ladders: when a failed object (an escrow) or a quarantined job is
 * looked at again. Both are positioned by the time since the *first*
 * failure, as Entra's quarantine page words it (entra-behavior.md §5.3):
 * "the first retry will happen in 6 hours. The second retry happens 12 hours
 * after the first failure. The third retry happens 24 hours after the first
 * failure. There will be retries every 24 hours after the 3rd retry. The
 * retries will go on for 28 days after the first failure". Pure functions of
 * time: callers pass the instants.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** How long an escrow is retried, and a job may stay quarantined, after the first failure. */
export const LADDER_SPAN_MS = 28 * DAY_MS;

/** Escrows: 6 h, 12 h, 24 h after the first failure, then every 24 h up to 28 days. */
export const ESCROW_LADDER_MS: readonly number[] = [6 * HOUR_MS, 12 * HOUR_MS, DAY_MS];

/**
 * Quarantine re-evaluations: 5 minutes after the quarantine began (the
 * documented example's `nextAttempt`, entra-behavior.md §2.8), then the
 * escrow ladder (Entra's text mixes the two; one schedule serves both).
 */
export const QUARANTINE_LADDER_MS: readonly number[] = [5 * MINUTE_MS, ...ESCROW_LADDER_MS];

/**
 * The first point of a ladder strictly after `nowMs`: the listed offsets
 * from `firstMs`, then every 24 h after the last one, up to `LADDER_SPAN_MS`.
 * `undefined` when no point is left (the 28 days are over).
 */
export function nextOnLadder(offsets: readonly number[], firstMs: number, nowMs: number): number | undefined {
  for (const o of offsets) {
    if (o > LADDER_SPAN_MS) return undefined;
    if (firstMs + o > nowMs) return firstMs + o;
  }
  const last = offsets[offsets.length - 1] ?? 0;
  // Smallest k ≥ 1 with first + last + k·day > now.
  const k = Math.max(1, Math.floor((nowMs - firstMs - last) / DAY_MS) + 1);
  const at = firstMs + last + k * DAY_MS;
  return at - firstMs > LADDER_SPAN_MS ? undefined : at;
}

/** Every point of a ladder, for documentation and tests. */
export function ladderPoints(offsets: readonly number[]): number[] {
  const out: number[] = [];
  for (let t = nextOnLadder(offsets, 0, -1); t !== undefined; t = nextOnLadder(offsets, 0, t)) out.push(t);
  return out;
}
