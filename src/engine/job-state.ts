/**
 * The engine's per-job state: the watermark into the directory's change
 * feed (null: the next cycle is a full one), references still pending,
 * deletes held back by the accidental-deletion threshold, and where a
 * paused full cycle stopped.
 */
import type { Db } from '../store/store.ts';
import type { SourceType } from './mapping-plan.ts';

/** A delete or disable held back (entra-behavior.md §4.1), re-evaluated by later cycles. */
export interface StagedDelete {
  type: SourceType;
  sourceId: string;
}

/** Where a full cycle stopped when its job was paused: it resumes there on Start. */
export interface ResumePoint {
  /** The feed position read when the full cycle began: the next incremental starts there. */
  watermark: number;
  /** The stage that was running. */
  phase: 'users' | 'groups';
  /** The last source id processed in that stage (streams come in id order). */
  after: string;
}

export interface JobState {
  watermark: number | null;
  /** Users whose manager was not linked yet when last looked at. */
  pendingManagers: string[];
  stagedDeletes?: StagedDelete[];
  resume?: ResumePoint | null;
}

interface CycleJson {
  pendingManagers?: string[];
  stagedDeletes?: StagedDelete[];
  resume?: ResumePoint | null;
}

export async function loadJobState(db: Db, jobId: string): Promise<JobState> {
  const row = await db.selectFrom('sync_job_state').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  const cycle = row?.cycle ? (JSON.parse(row.cycle) as CycleJson) : {};
  return {
    watermark: row?.watermark === undefined || row.watermark === null ? null : Number(row.watermark),
    pendingManagers: cycle.pendingManagers ?? [],
    stagedDeletes: cycle.stagedDeletes ?? [],
    resume: cycle.resume ?? null,
  };
}

export async function saveJobState(db: Db, jobId: string, state: JobState, now: Date): Promise<void> {
  const cycle: CycleJson = { pendingManagers: state.pendingManagers };
  if (state.stagedDeletes?.length) cycle.stagedDeletes = state.stagedDeletes;
  if (state.resume) cycle.resume = state.resume;
  const values = { job_id: jobId, watermark: state.watermark, cycle: JSON.stringify(cycle), updated_at: now.toISOString() };
  await db.insertInto('sync_job_state').values(values)
    .onConflict((oc) => oc.column('job_id').doUpdateSet({ watermark: values.watermark, cycle: values.cycle, updated_at: values.updated_at }))
    .execute();
}

export async function deleteJobState(db: Db, jobId: string): Promise<void> {
  await db.deleteFrom('sync_job_state').where('job_id', '=', jobId).execute();
}
