/**
 * Job status and schedule as Graph shows them, and the pure transitions of
 * the job state machine (start, pause, restart). The engine fills in
 * executions, progress and quarantine; this module owns the control plane.
 */
import type { SynchronizationScheduleT, SynchronizationStatusT } from '../graph/sync-schemas.ts';
import { RESTART_SCOPE_FLAGS } from '../graph/sync-schemas.ts';
import { NEVER } from '../util/time.ts';
import { TIMESPAN_MAX } from '../util/duration.ts';
import { errors } from '../errors/graph-error.ts';

/** What Provisio keeps of a schedule beyond Graph's three members. */
export interface StoredSchedule extends SynchronizationScheduleT {
  /** An interval the job was given explicitly (create or PUT); survives start. */
  explicitInterval?: string | null;
}

export function initialStatus(code: 'NotConfigured' | 'Paused'): SynchronizationStatusT {
  return {
    code,
    countSuccessiveCompleteFailures: 0,
    escrowsPruned: false,
    lastExecution: null,
    lastSuccessfulExecution: null,
    lastSuccessfulExecutionWithExports: null,
    progress: [],
    quarantine: null,
    steadyStateFirstAchievedTime: NEVER,
    steadyStateLastAchievedTime: NEVER,
    synchronizedEntryCountByType: [],
    troubleshootingUrl: null,
  };
}

export function initialSchedule(explicitInterval?: string | null, expiration?: string | null): StoredSchedule {
  return { expiration: expiration ?? null, interval: explicitInterval ?? TIMESPAN_MAX, state: 'Disabled', explicitInterval: explicitInterval ?? null };
}

/** Graph's view of a stored schedule. */
export function publicSchedule(s: StoredSchedule): SynchronizationScheduleT {
  return { expiration: s.expiration, interval: s.interval, state: s.state };
}

/**
 * Start: the schedule becomes Active at the job's interval (its own, or the
 * template's default), quarantine is cleared (seed 004), and a job that has
 * not completed a cycle shows NotRun. A paused job resumes where it stopped:
 * nothing of its progress is reset here.
 */
export function applyStart(schedule: StoredSchedule, status: SynchronizationStatusT, defaultInterval: string): [StoredSchedule, SynchronizationStatusT] {
  const interval = schedule.explicitInterval ?? (schedule.interval === TIMESPAN_MAX ? defaultInterval : schedule.interval);
  const hasRun = status.lastSuccessfulExecution !== null || status.steadyStateLastAchievedTime !== NEVER;
  return [
    { ...schedule, state: 'Active', interval },
    { ...status, code: hasRun ? 'Active' : 'NotRun', quarantine: null, countSuccessiveCompleteFailures: status.quarantine ? 0 : status.countSuccessiveCompleteFailures },
  ];
}

export function applyPause(schedule: StoredSchedule, status: SynchronizationStatusT): [StoredSchedule, SynchronizationStatusT] {
  return [{ ...schedule, state: 'Paused' }, { ...status, code: 'Paused' }];
}

export type RestartFlag = Exclude<(typeof RESTART_SCOPE_FLAGS)[number], 'Full' | 'None'>;
const FULL: RestartFlag[] = ['ConnectorDataStore', 'Escrows', 'Watermark', 'QuarantineState'];
/** Order in which flags are printed (Graph prints flags in member order). */
const FLAG_ORDER: RestartFlag[] = ['ConnectorDataStore', 'Escrows', 'Watermark', 'QuarantineState', 'ForceDeletes'];

/**
 * Parses a `resetScope` flags value ("Watermark, Escrows", any order and
 * spacing, case-insensitive). `Full` expands to its four members; `None`
 * and an empty value mean no reset. An absent criteria object means the
 * portal's "Restart provisioning": Watermark, Escrows and QuarantineState.
 */
export function parseResetScope(text: string | null | undefined): Set<RestartFlag> {
  if (text === undefined || text === null) return new Set(['Escrows', 'Watermark', 'QuarantineState']);
  const out = new Set<RestartFlag>();
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const flag = RESTART_SCOPE_FLAGS.find((f) => f.toLowerCase() === raw.toLowerCase());
    if (!flag) {
      throw errors.badRequest(
        `'${raw}' is not a member of synchronizationJobRestartScope; expected any of ${RESTART_SCOPE_FLAGS.join(', ')}.`,
        'criteria.resetScope',
      );
    }
    if (flag === 'Full') FULL.forEach((f) => out.add(f));
    else if (flag !== 'None') out.add(flag);
  }
  return out;
}

/**
 * Whether a `resetScope` names `None`, whose documented effect is "Starts a
 * paused or quarantined provisioning job" (graph-sync-api.md §3.3.7): a
 * restart with it also does what Start does.
 */
export function resetScopeStarts(text: string | null | undefined): boolean {
  return (text ?? '').split(',').some((s) => s.trim().toLowerCase() === 'none');
}

export function formatResetScope(flags: Iterable<RestartFlag>): string {
  const set = new Set(flags);
  return FLAG_ORDER.filter((f) => set.has(f)).join(', ');
}

/**
 * Restart records what must be reset (the engine gives each flag effect at
 * the start of the next cycle) and lifts quarantine at once when asked. The
 * schedule is left as it is: a running job keeps running.
 */
export function applyRestart(
  schedule: StoredSchedule,
  status: SynchronizationStatusT,
  flags: Set<RestartFlag>,
  pending: string | null,
): [StoredSchedule, SynchronizationStatusT, string | null] {
  const merged = new Set<RestartFlag>([...parseResetScope(pending ?? ''), ...flags]);
  let next = status;
  if (flags.has('QuarantineState') && status.quarantine) {
    next = { ...status, quarantine: null, code: schedule.state === 'Active' ? 'NotRun' : status.code === 'Quarantine' ? 'Paused' : status.code, countSuccessiveCompleteFailures: 0 };
  }
  if (flags.has('Watermark') && schedule.state === 'Active' && next.code === 'Active') next = { ...next, code: 'NotRun' };
  return [schedule, next, merged.size ? formatResetScope(merged) : null];
}
