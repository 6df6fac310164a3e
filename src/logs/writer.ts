/**
 * The writer the engine records provisioning-log entries with. Entries go
 * in as multi-row INSERTs (one statement per chunk of rows), inside the
 * caller's transaction when it passes one, so that an entry exists exactly
 * when the change it describes was committed.
 */
import type { Db, Store } from '../store/store.ts';
import type { ProvisioningLogInput, ProvisioningObjectSummary } from './model.ts';
import { instantKey, normalizeEntry } from './model.ts';
import { LOG_COLUMNS, rowOf } from './attributes.ts';
import type { LogRow } from './attributes.ts';

// SQLite (as bundled by better-sqlite3) binds at most 32,766 parameters per
// statement and PostgreSQL 65,535; 30,000 leaves headroom in both.
const MAX_PARAMETERS = 30_000;
/** Rows per INSERT statement (≈1,400 with today's 21 columns). */
export const ROWS_PER_STATEMENT = Math.floor(MAX_PARAMETERS / LOG_COLUMNS.length);
/** Rows removed per DELETE when pruning, so a large prune never holds SQLite's single write lock for long. */
const PRUNE_BATCH = 10_000;

export interface ProvisioningLogWriterOptions {
  /** Written as `tenantId` where an entry leaves it out. */
  tenantId?: string | null;
}

export class ProvisioningLogWriter {
  constructor(
    private readonly store: Store,
    private readonly options: ProvisioningLogWriterOptions = {},
  ) {}

  /**
   * Records entries. Each is normalised to the wire form first (missing
   * members become null, `id` a new GUID; see `normalizeEntry`), which
   * throws InvalidLogEntryError before anything is written if any entry
   * is malformed. With `db` (a transaction of the caller's) the rows are
   * written in it; otherwise in a transaction of the writer's own, so a
   * call is all-or-nothing either way. Entries are immutable: an id that
   * already exists is left as it was (a retried flush is harmless).
   * Returns the entries as stored.
   */
  async write(entries: readonly ProvisioningLogInput[], db?: Db): Promise<ProvisioningObjectSummary[]> {
    if (entries.length === 0) return [];
    const tenantId = this.options.tenantId ?? null;
    const stored: ProvisioningObjectSummary[] = new Array<ProvisioningObjectSummary>(entries.length);
    const rows: LogRow[] = new Array<LogRow>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const { entry, key } = normalizeEntry(entries[i], { tenantId });
      stored[i] = entry;
      rows[i] = rowOf(entry, key);
    }
    const insert = async (target: Db) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        await target.insertInto('provisioning_logs').values(rows.slice(start, start + ROWS_PER_STATEMENT))
          .onConflict((oc) => oc.column('id').doNothing()).execute();
      }
    };
    if (db) await insert(db);
    else if (rows.length <= ROWS_PER_STATEMENT) await insert(this.store.db);
    else await this.store.transaction((trx) => insert(trx));
    return stored;
  }

  /**
   * Deletes the entries whose activityDateTime is before `olderThan`, in
   * batches, and returns how many went. Retention (Entra keeps 30 days)
   * calls this; so can an operator.
   */
  async prune(olderThan: Date): Promise<number> {
    const cutoff = instantKey(olderThan);
    let total = 0;
    for (;;) {
      const doomed = this.store.db.selectFrom('provisioning_logs').select('id').where('activity_date_time', '<', cutoff).limit(PRUNE_BATCH);
      const result = await this.store.db.deleteFrom('provisioning_logs').where('id', 'in', doomed).executeTakeFirst();
      const n = Number(result.numDeletedRows);
      total += n;
      if (n < PRUNE_BATCH) return total;
    }
  }
}
