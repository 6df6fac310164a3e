/**
 * ISO 8601 durations as Graph serialises .NET TimeSpans (`PT40M`,
 * `P1DT2H`, `PT0.5S`). Years and months have no fixed length and TimeSpan
 * has none, so they are refused.
 */

/** .NET TimeSpan.MaxValue as Graph prints it: the interval of a never-started job. */
export const TIMESPAN_MAX = 'P10675199DT2H48M5.4775807S';

const RE = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO 8601 duration, or undefined if it is not one we accept. */
export function parseDuration(text: string): number | undefined {
  if (text === TIMESPAN_MAX) return Number.POSITIVE_INFINITY;
  const m = RE.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  return ((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (min ?? 0)) * 60_000 + (s ?? 0) * 1000;
}

/** Canonical form of a duration in milliseconds (`PT40M`, `P1DT2H`, `PT1.5S`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return TIMESPAN_MAX;
  let rest = Math.round(ms);
  const days = Math.floor(rest / 86_400_000); rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000); rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000); rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let out = 'P' + (days ? `${days}D` : '');
  if (hours || minutes || seconds || !days) {
    out += 'T' + (hours ? `${hours}H` : '') + (minutes ? `${minutes}M` : '') + (seconds || (!hours && !minutes) ? `${seconds}S` : '');
  }
  return out;
}
