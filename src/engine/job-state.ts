/**
 * The engine's per-job state: the watermark into the directory's change
 * feed (null: the next cycle is a full one) and references still pending.
 */
import type { Db } from '../store/store.ts';

/** A user whose manager was not linked when last looked at. */
export interface PendingManager {
  userSourceId: string;
  /** The manager's source id then; null when not known (state written before it was kept): look the user up. */
  managerSourceId: string | null;
}

export interface JobState {
  watermark: number | null;
  /** Users whose manager was not linked yet when last looked at. */
  pendingManagers: PendingManager[];
}

interface StoredCycle {
  /** [user source id, manager source id] pairs. */
  pendingManagerPairs?: [string, string][];
  /** Earlier form: user source ids only. */
  pendingManagers?: string[];
}

export async function loadJobState(db: Db, jobId: string): Promise<JobState> {
  const row = await db.selectFrom('sync_job_state').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  const cycle = row?.cycle ? (JSON.parse(row.cycle) as StoredCycle) : {};
  const pendingManagers: PendingManager[] = [
    ...(cycle.pendingManagerPairs ?? []).map(([userSourceId, managerSourceId]) => ({ userSourceId, managerSourceId })),
    ...(cycle.pendingManagers ?? []).map((userSourceId) => ({ userSourceId, managerSourceId: null })),
  ];
  return { watermark: row?.watermark === undefined || row.watermark === null ? null : Number(row.watermark), pendingManagers };
}

export async function saveJobState(db: Db, jobId: string, state: JobState, now: Date): Promise<void> {
  const known = state.pendingManagers.filter((p) => p.managerSourceId !== null);
  const unknown = state.pendingManagers.filter((p) => p.managerSourceId === null);
  const cycle: StoredCycle = { pendingManagerPairs: known.map((p) => [p.userSourceId, p.managerSourceId!]) };
  if (unknown.length) cycle.pendingManagers = unknown.map((p) => p.userSourceId);
  const values = { job_id: jobId, watermark: state.watermark, cycle: JSON.stringify(cycle), updated_at: now.toISOString() };
  await db.insertInto('sync_job_state').values(values)
    .onConflict((oc) => oc.column('job_id').doUpdateSet({ watermark: values.watermark, cycle: values.cycle, updated_at: values.updated_at }))
    .execute();
}

export async function deleteJobState(db: Db, jobId: string): Promise<void> {
  await db.deleteFrom('sync_job_state').where('job_id', '=', jobId).execute();
}
