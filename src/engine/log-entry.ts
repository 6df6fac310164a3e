/**
 * Builds provisioning-log entries (Graph `provisioningObjectSummary`) for
 * what the engine did to one object, step by step, as Entra logs them
 * (entra-behavior.md §3.1, §3.7).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/store.ts';

export type StepType = 'import' | 'scoping' | 'matching' | 'processing' | 'referenceResolution' | 'export';
export type StepStatus = 'success' | 'warning' | 'failure' | 'skipped';
export type ProvisioningAction = 'create' | 'update' | 'delete' | 'disable' | 'stagedDelete' | 'other';
export type ProvisioningResult = 'success' | 'failure' | 'skipped' | 'warning';

export interface ProvisioningStep {
  name: string;
  provisioningStepType: StepType;
  status: StepStatus;
  description: string;
  details: Record<string, string>;
  timestamp?: string;
}

export interface ProvisioningErrorInformation {
  errorCode: string;
  reason: string;
  additionalDetails: string | null;
  errorCategory: 'failure' | 'nonServiceFailure';
  recommendedAction: string | null;
}

export interface ProvisioningObjectSummary {
  id: string;
  activityDateTime: string;
  tenantId: string;
  jobId: string;
  cycleId: string;
  changeId: string;
  provisioningAction: ProvisioningAction;
  durationInMilliseconds: number;
  provisioningStatusInfo: { status: ProvisioningResult; errorInformation: ProvisioningErrorInformation | null };
  provisioningSteps: ProvisioningStep[];
  modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[];
  servicePrincipal: { id: string; displayName: string };
  sourceSystem: { id: string; displayName: string; details: Record<string, string> };
  targetSystem: { id: string; displayName: string; details: Record<string, string> };
  initiatedBy: { id: string; displayName: string; initiatorType: 'system' | 'user' | 'application' };
  sourceIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  targetIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
}

/**
 * Where entries go; the provisioning-log store implements it. With `db` (a
 * transaction of the caller's) the entries are written in it, so that they
 * exist exactly when the change they describe was committed.
 */
export interface ProvisioningLogSink {
  write(entries: readonly ProvisioningObjectSummary[], db?: Db): Promise<unknown>;
}

export interface LogScope {
  tenantId: string;
  jobId: string;
  cycleId: string;
  servicePrincipal: { id: string; displayName: string; appId: string };
  sourceSystem: string;
  targetSystem: string;
  initiatedBy?: ProvisioningObjectSummary['initiatedBy'];
}

const SYSTEM: ProvisioningObjectSummary['initiatedBy'] = { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' };

/** Collects the steps of one object's processing, then renders the entry. */
export class ObjectTrace {
  readonly steps: ProvisioningStep[] = [];
  readonly modified: ProvisioningObjectSummary['modifiedProperties'] = [];
  action: ProvisioningAction = 'other';
  status: ProvisioningResult = 'success';
  error: ProvisioningErrorInformation | null = null;
  targetId = '';
  /** The error behind a failure (for the engine's decision: retry now, escrow, heal); never rendered. */
  cause: unknown = undefined;
  private readonly started = performance.now();

  constructor(
    readonly sourceType: string,
    readonly sourceId: string,
    readonly displayName: string,
    readonly targetType: string,
  ) {}

  step(provisioningStepType: StepType, name: string, status: StepStatus, description: string, details: Record<string, string> = {}): void {
    this.steps.push({ name, provisioningStepType, status, description, details });
  }

  fail(errorCode: string, reason: string, category: ProvisioningErrorInformation['errorCategory'] = 'nonServiceFailure', cause?: unknown): void {
    this.status = 'failure';
    this.cause = cause;
    this.error = { errorCode, reason, additionalDetails: null, errorCategory: category, recommendedAction: null };
  }

  toEntry(scope: LogScope, at: Date): ProvisioningObjectSummary {
    const when = at.toISOString();
    return {
      id: randomUUID(),
      activityDateTime: when.slice(0, 19) + 'Z',
      tenantId: scope.tenantId,
      jobId: scope.jobId,
      cycleId: scope.cycleId,
      changeId: randomUUID(),
      provisioningAction: this.action,
      durationInMilliseconds: Math.round(performance.now() - this.started),
      provisioningStatusInfo: { status: this.status, errorInformation: this.error },
      provisioningSteps: this.steps.map((s) => ({ ...s, timestamp: s.timestamp ?? when })),
      modifiedProperties: this.modified,
      servicePrincipal: { id: scope.servicePrincipal.id, displayName: scope.servicePrincipal.displayName },
      sourceSystem: { id: '', displayName: scope.sourceSystem, details: {} },
      targetSystem: {
        id: '',
        displayName: scope.targetSystem,
        details: { ApplicationId: scope.servicePrincipal.appId, ServicePrincipalId: scope.servicePrincipal.id, ServicePrincipalDisplayName: scope.servicePrincipal.displayName },
      },
      initiatedBy: scope.initiatedBy ?? SYSTEM,
      sourceIdentity: { id: this.sourceId, displayName: this.displayName, identityType: this.sourceType, details: {} },
      targetIdentity: { id: this.targetId, displayName: this.targetId ? this.displayName : '', identityType: this.targetType, details: {} },
    };
  }
}

/** A log-friendly string of any attribute value. */
export function logValue(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return JSON.stringify(v);
}
