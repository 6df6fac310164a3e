/** Injectable clock: anything timed takes a Clock so tests can move time. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Graph's "never": DateTimeOffset.MinValue as the service prints it. */
export const NEVER = '0001-01-01T00:00:00Z';

/** ISO-8601 UTC with milliseconds (`2026-11-25T14:20:00.123Z`). */
export const iso = (d: Date): string => d.toISOString();

/** Graph error `innerError.date`: no fraction, no zone (`2020-11-17T17:56:39`). */
export const graphErrorDate = (d: Date): string => d.toISOString().slice(0, 19);
