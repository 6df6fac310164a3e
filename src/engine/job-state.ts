/**
 * The engine's per-job state: the watermark into the directory's change
 * feed (null: the next cycle is a full one) and references still pending.
 */
import type { Db } from '../store/store.ts';

export interface JobState {
  watermark: number | null;
  /** Users whose manager was not linked yet when last looked at. */
  pendingManagers: string[];
}

export async function loadJobState(db: Db, jobId: string): Promise<JobState> {
  const row = await db.selectFrom('sync_job_state').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  const cycle = row?.cycle ? (JSON.parse(row.cycle) as { pendingManagers?: string[] }) : {};
  return { watermark: row?.watermark === undefined || row.watermark === null ? null : Number(row.watermark), pendingManagers: cycle.pendingManagers ?? [] };
}

export async function saveJobState(db: Db, jobId: string, state: JobState, now: Date): Promise<void> {
  const values = { job_id: jobId, watermark: state.watermark, cycle: JSON.stringify({ pendingManagers: state.pendingManagers }), updated_at: now.toISOString() };
  await db.insertInto('sync_job_state').values(values)
    .onConflict((oc) => oc.column('job_id').doUpdateSet({ watermark: values.watermark, cycle: values.cycle, updated_at: values.updated_at }))
    .execute();
}

export async function deleteJobState(db: Db, jobId: string): Promise<void> {
  await db.deleteFrom('sync_job_state').where('job_id', '=', jobId).execute();
}
