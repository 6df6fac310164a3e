/**
 * The writer the engine records provisioning-log entries with. Entries go
 * in as multi-row INSERTs (one statement per chunk of rows), inside the
 * caller's transaction when it passes one, so that an entry exists exactly
 * when the change it describes was committed.
 */
import { CompiledQuery } from 'kysely';
import type { DialectName, Db, Store } from '../store/store.ts';
import type { ProvisioningLogInput, ProvisioningObjectSummary } from './model.ts';
import { instantKey, normalizeEntry } from './model.ts';
import { LOG_COLUMNS, rowValues } from './attributes.ts';

// SQLite (as bundled by better-sqlite3) binds at most 32,766 parameters per
// statement and PostgreSQL 65,535; 30,000 leaves headroom in both.
const MAX_PARAMETERS = 30_000;
/** Rows per INSERT statement (≈1,400 with today's 21 columns). */
export const ROWS_PER_STATEMENT = Math.floor(MAX_PARAMETERS / LOG_COLUMNS.length);
const statements = new Map<string, string>();

/**
 * The INSERT text for `rows` rows, built once per (dialect, row count) and
 * reused: building and compiling kysely's query tree for a 500-row batch
 * took ~9 ms (≈18 µs a row, about a fifth of a whole write on the 2-core
 * dev machine) to produce the same text every time. It is the same
 * portable SQL either way; only the placeholders differ by dialect.
 */
function insertStatement(dialect: DialectName, rows: number): string {
  const cacheKey = `${dialect}:${rows}`;
  let text = statements.get(cacheKey);
  if (text) return text;
  let n = 0;
  const placeholder = dialect === 'postgres' ? () => `$${++n}` : () => '?';
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) tuples.push(`(${LOG_COLUMNS.map(placeholder).join(', ')})`);
  text = `insert into "provisioning_logs" (${LOG_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')} on conflict ("id") do nothing`;
  // Callers write full chunks plus one remainder each; a handful of sizes recur.
  if (statements.size >= 64) statements.clear();
  statements.set(cacheKey, text);
  return text;
}

/** Rows removed per DELETE when pruning, so a large prune never holds SQLite's single write lock for long. */
const PRUNE_BATCH = 10_000;

/** Options of the writer. */
export interface ProvisioningLogWriterOptions {
  /** Written as `tenantId` where an entry leaves it out. */
  tenantId?: string | null;
}

/** Records provisioning-log entries and deletes old ones; see the module comment. */
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
    const rows: (string | number | null)[][] = new Array<(string | number | null)[]>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const { entry, key } = normalizeEntry(entries[i], { tenantId });
      stored[i] = entry;
      rows[i] = rowValues(entry, key);
    }
    const dialect = this.store.dialect;
    const insert = async (target: Db) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
        await target.executeQuery(CompiledQuery.raw(insertStatement(dialect, chunk.length), chunk.flat()));
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
