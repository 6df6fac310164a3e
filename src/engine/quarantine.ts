/**
 * Quarantine (entra-behavior.md §5.3, §4.1): when a job is put aside, why,
 * and when it is looked at again. Pure functions of counts, settings and
 * time; the engine applies their answers to the job's status.
 *
 * Causes:
 * - an exception of the stop-the-run class (bad credentials, unreachable or
 *   non-compliant target): at once, `EncounteredQuarantineException`;
 * - too many failing objects (escrows), by the thresholds below;
 * - too many deletes and disables in one cycle (accidental-deletion
 *   prevention): `TooManyDeletes`.
 */
import type { QuarantineT, SynchronizationErrorT, KeyValuePairT } from '../graph/sync-schemas.ts';
import { LADDER_SPAN_MS, QUARANTINE_LADDER_MS, nextOnLadder } from './ladder.ts';

export type QuarantineReason = QuarantineT['reason'];

/** Entra's escrow thresholds ("subject to change … roughly", QUAR). */
export interface EscrowThresholds {
  /** Evaluation starts at this many failures (non-reference); fewer never quarantine. */
  base: number;
  /** Share of failing events above which the job is quarantined (reference failures excluded). */
  proportion: number;
  /** Failures (reference failures excluded) above which the job is quarantined. */
  objects: number;
  /** Failures including reference failures above which the job is quarantined. */
  total: number;
}

export const ENTRA_ESCROW_THRESHOLDS: EscrowThresholds = { base: 5_000, proportion: 0.4, objects: 40_000, total: 60_000 };

/** What the escrow queue holds after a cycle, and how many objects are fine. */
export interface EscrowCounts {
  /** Objects whose create, update, disable or delete keeps failing. */
  failed: number;
  /** Objects whose manager or members keep failing (reference failures). */
  referenceFailed: number;
  /** Objects provisioned without a pending failure. */
  succeeded: number;
}

export interface QuarantineCause {
  reason: QuarantineReason;
  error: SynchronizationErrorT;
}

/**
 * Whether the escrow counts cross a threshold. Absolute thresholds are
 * checked first: more than 60,000 failures including references is
 * `EncounteredTotalEscrowThreshold`; more than 40,000 object failures is
 * `EncounteredBaseEscrowThreshold` (Entra does not document which reason
 * names which rule; "base" reads as the base objects, "total" as everything);
 * from 5,000 object failures on, more than 40 % failing is
 * `EncounteredEscrowProportionThreshold`.
 */
export function escrowThresholdCrossed(c: EscrowCounts, t: EscrowThresholds = ENTRA_ESCROW_THRESHOLDS): QuarantineCause | undefined {
  const all = c.failed + c.referenceFailed;
  if (all > t.total) {
    return cause('EncounteredTotalEscrowThreshold',
      `${all} provisioning failures including ${c.referenceFailed} reference failures exceed the threshold of ${t.total}.`);
  }
  if (c.failed > t.objects) {
    return cause('EncounteredBaseEscrowThreshold', `${c.failed} objects fail to provision, more than the threshold of ${t.objects}.`);
  }
  const events = c.failed + c.succeeded;
  if (c.failed >= t.base && events > 0 && c.failed / events > t.proportion) {
    const pct = Math.round((c.failed / events) * 1000) / 10;
    return cause('EncounteredEscrowProportionThreshold',
      `${c.failed} of ${events} provisioning events (${pct} %) failed, more than ${Math.round(t.proportion * 100)} %.`);
  }
  return undefined;
}

function cause(reason: QuarantineReason, message: string): QuarantineCause {
  return {
    reason,
    error: { code: reason, message: `${message} Fix the failing objects (see the provisioning logs), then restart the job.`, tenantActionable: true },
  };
}

/** The cause for a cycle whose deletes and disables went beyond the accidental-deletion threshold. */
export function tooManyDeletes(staged: number, threshold: number): QuarantineCause {
  return {
    reason: 'TooManyDeletes',
    error: {
      code: 'TooManyDeletes',
      message: `The cycle would have deleted or disabled more objects than the accidental-deletion threshold of ${threshold} allows (at most ${threshold - 1}); ` +
        `${staged} were held back and logged with provisioningAction stagedDelete. Approve them with a restart whose resetScope is ForceDeletes, ` +
        'or fix the cause and restart.',
      tenantActionable: true,
    },
  };
}

/**
 * The quarantine block after an evaluation that imposes (or keeps) a
 * quarantine: a series starts at the first one and counts every
 * re-evaluation that leaves it in effect; `nextAttempt` follows the ladder
 * (5 min, 6 h, 12 h, 24 h, then daily after `seriesBegan`). After 28 days in
 * one series the job is disabled (`disable`), as Entra disables jobs that
 * stay quarantined for four weeks; `nextAttempt` is then the present.
 */
export function imposeQuarantine(prev: QuarantineT | null, c: QuarantineCause, now: Date): { quarantine: QuarantineT; disable: boolean } {
  const nowMs = now.getTime();
  const seriesBegan = prev ? Date.parse(prev.seriesBegan) : nowMs;
  const next = nextOnLadder(QUARANTINE_LADDER_MS, seriesBegan, nowMs);
  const disable = next === undefined || nowMs - seriesBegan >= LADDER_SPAN_MS;
  return {
    quarantine: {
      currentBegan: now.toISOString(),
      nextAttempt: new Date(disable || next === undefined ? nowMs : next).toISOString(),
      reason: c.reason,
      seriesBegan: new Date(seriesBegan).toISOString(),
      seriesCount: (prev?.seriesCount ?? 0) + 1,
      error: c.error,
    },
    disable,
  };
}

// ------------------------------------------------- accidental deletions

export const DEFAULT_DELETE_THRESHOLD = 500;

export interface DeleteThreshold {
  /** Off: every delete and disable goes out. */
  enabled: boolean;
  /** N: at most N − 1 deletes and disables per cycle. */
  value: number;
  /** Where the value came from. */
  source: 'SyncNotificationSettings' | 'QuarantineTooManyDeletesThreshold' | 'default';
}

function positiveInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

function flag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return undefined;
}

/**
 * The accidental-deletion threshold of a job. Precedence (Entra documents
 * both places but not which wins):
 * 1. the `SyncNotificationSettings` secret, where the portal keeps the
 *    admin's "Prevent accidental deletions" choice: `DeleteThresholdEnabled`
 *    false turns the feature off; a `DeleteThresholdValue` (positive
 *    integer) sets the threshold;
 * 2. the job setting `QuarantineTooManyDeletesThreshold` (the `scim`
 *    template gives every job `500`);
 * 3. 500.
 * Values that are not positive integers are ignored.
 */
export function resolveDeleteThreshold(settings: readonly KeyValuePairT[], syncNotificationSettings: string | undefined): DeleteThreshold {
  let notify: Record<string, unknown> = {};
  try {
    const parsed = syncNotificationSettings ? (JSON.parse(syncNotificationSettings) as unknown) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) notify = parsed as Record<string, unknown>;
  } catch {
    notify = {};
  }
  const enabled = flag(notify.DeleteThresholdEnabled) ?? true;
  const fromSecret = positiveInt(notify.DeleteThresholdValue);
  const setting = settings.find((s) => s.name.toLowerCase() === 'quarantinetoomanydeletesthreshold');
  const fromSetting = positiveInt(setting?.value ?? undefined);
  if (fromSecret !== undefined) return { enabled, value: fromSecret, source: 'SyncNotificationSettings' };
  if (fromSetting !== undefined) return { enabled, value: fromSetting, source: 'QuarantineTooManyDeletesThreshold' };
  return { enabled, value: DEFAULT_DELETE_THRESHOLD, source: 'default' };
}

/**
 * The per-cycle gate: `allow()` says whether one more delete or disable may
 * go out (at most `value − 1` per cycle, none held back when `force`);
 * `staged` counts those held back. While earlier staged deletes wait for
 * approval the gate is held shut (`hold()`): nothing more goes out until
 * ForceDeletes approves them (or the feature is turned off).
 */
export class DeleteGate {
  sent = 0;
  staged = 0;
  private held = false;
  constructor(private readonly threshold: DeleteThreshold, private readonly force: boolean) {}

  hold(): void {
    this.held = true;
  }

  allow(): boolean {
    if (this.force || !this.threshold.enabled || (!this.held && this.sent < this.threshold.value - 1)) {
      this.sent++;
      return true;
    }
    this.staged++;
    return false;
  }

  get value(): number {
    return this.threshold.value;
  }
}
