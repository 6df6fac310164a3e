/**
 * The staging store of API-driven inbound jobs: bulkUpload operations are
 * written here, in one transaction per request, before the 202 is sent;
 * the job's cycle reads them in commit order (`StagedApiSource`) and
 * deletes them once their outcome is in the directory and the logs.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import { bulkInsert } from '../directory/bulk.ts';
import type { InboundBatch, InboundSource } from './port.ts';
import { scimUserToRecord } from './scim-record.ts';
import { API_DIRECTORY_NAME, API_USER_OBJECT } from '../sync/templates/inbound.ts';

/** One operation of a validated bulk request. */
export interface StagedOperation {
  bulkId: string | null;
  externalId: string | null;
  data: Record<string, unknown>;
}

export interface StagedRecord extends StagedOperation {
  seq: number;
  uploadId: string;
  opIndex: number;
  receivedAt: string;
}

export class StagingStore {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Stages a request's operations durably: the upload row, then the
   * per-job counter is moved on (its row lock on PostgreSQL orders
   * concurrent uploads of a job by commit), then the records. Resolves
   * after commit.
   */
  async stage(jobId: string, ops: readonly StagedOperation[], requestId: string | null): Promise<{ uploadId: string; firstSeq: number; lastSeq: number }> {
    const uploadId = randomUUID();
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (trx) => {
      await trx.insertInto('inbound_uploads').values({ id: uploadId, job_id: jobId, operations: ops.length, request_id: requestId, received_at: at }).execute();
      await trx.insertInto('inbound_counters').values({ job_id: jobId, value: 0 }).onConflict((oc) => oc.column('job_id').doNothing()).execute();
      const row = await trx.updateTable('inbound_counters').set((eb) => ({ value: eb('value', '+', ops.length) }))
        .where('job_id', '=', jobId).returning('value').executeTakeFirstOrThrow();
      const last = Number(row.value);
      const first = last - ops.length + 1;
      await bulkInsert(trx, this.store.dialect, 'inbound_records', ops.map((op, i) => ({
        job_id: jobId, seq: first + i, upload_id: uploadId, op_index: i, bulk_id: op.bulkId, external_id: op.externalId,
        payload: JSON.stringify(op.data), received_at: at,
      })));
      return { uploadId, firstSeq: first, lastSeq: last };
    });
  }

  /** Staged records after `afterSeq`, in order, at most `limit`. */
  async read(jobId: string, afterSeq: number, limit: number): Promise<StagedRecord[]> {
    const rows = await this.store.db.selectFrom('inbound_records').selectAll().where('job_id', '=', jobId).where('seq', '>', afterSeq)
      .orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({
      seq: Number(r.seq), uploadId: r.upload_id, opIndex: Number(r.op_index), bulkId: r.bulk_id, externalId: r.external_id,
      data: JSON.parse(r.payload) as Record<string, unknown>, receivedAt: r.received_at,
    }));
  }

  /** Forgets the records up to `seq` (processed), and uploads left without records. */
  async drop(jobId: string, seq: number): Promise<void> {
    await this.store.transaction(async (trx) => {
      const uploads = await trx.selectFrom('inbound_records').select('upload_id').distinct().where('job_id', '=', jobId).where('seq', '<=', seq).execute();
      await trx.deleteFrom('inbound_records').where('job_id', '=', jobId).where('seq', '<=', seq).execute();
      for (const { upload_id } of uploads) {
        const left = await trx.selectFrom('inbound_records').select('seq').where('job_id', '=', jobId).where('upload_id', '=', upload_id).limit(1).executeTakeFirst();
        if (!left) await trx.deleteFrom('inbound_uploads').where('id', '=', upload_id).execute();
      }
    });
  }

  /** How many records wait for the job, and the last staged seq. */
  async pending(jobId: string): Promise<{ count: number; lastSeq: number }> {
    const r = await this.store.db.selectFrom('inbound_records').select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('seq').as('last')])
      .where('job_id', '=', jobId).executeTakeFirst();
    return { count: Number(r?.n ?? 0), lastSeq: Number(r?.last ?? 0) };
  }

  /** The jobs that have records waiting. */
  async jobsWithRecords(): Promise<string[]> {
    const rows = await this.store.db.selectFrom('inbound_records').select('job_id').distinct().execute();
    return rows.map((r) => r.job_id);
  }

  /** Drops everything staged for a job (restart while idle; job deleted). */
  async purge(jobId: string): Promise<number> {
    return this.store.transaction(async (trx) => {
      const res = await trx.deleteFrom('inbound_records').where('job_id', '=', jobId).executeTakeFirst();
      await trx.deleteFrom('inbound_uploads').where('job_id', '=', jobId).execute();
      return Number(res.numDeletedRows);
    });
  }
}

/** The staged bulkUpload records of one job as an inbound source ("API"). */
export class StagedApiSource implements InboundSource {
  readonly systemName = API_DIRECTORY_NAME;
  readonly objectType = API_USER_OBJECT;

  constructor(
    private readonly staging: StagingStore,
    private readonly jobId: string,
  ) {}

  async read(watermark: string | null, limit: number): Promise<InboundBatch> {
    const after = watermark === null ? 0 : Number(watermark);
    const rows = await this.staging.read(this.jobId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      changes: page.map((r) => ({ kind: 'upsert' as const, record: scimUserToRecord(r.data, r.externalId) })),
      watermark: last ? String(last.seq) : watermark,
      hasMore: rows.length > limit,
    };
  }

  commit(watermark: string): Promise<void> {
    return this.staging.drop(this.jobId, Number(watermark));
  }

  currentWatermark(): Promise<string | null> {
    // Processed records are deleted, so every cycle starts from the oldest one left.
    return Promise.resolve(null);
  }
}
