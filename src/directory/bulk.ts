/**
 * Multi-row INSERTs compiled by hand. The bulk paths (seeding, the change
 * feed) insert hundreds of thousands of rows; building kysely's syntax tree
 * node by node for every value took about a third more CPU than this for
 * 10,000 rows on SQLite (≈90 ms against ≈65 ms). The table and column names
 * come from this code, never from input; values are bound parameters.
 * Placeholders are the one dialect difference.
 */
import { CompiledQuery } from 'kysely';
import type { Db, DialectName } from '../store/store.ts';

// ≤ 30,000 bound parameters a statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS = 30_000;

/** Inserts `rows` (all with the first row's keys as columns) in as few statements as the parameter limit allows. */
export async function bulkInsert<T extends object>(db: Db, dialect: DialectName, table: string, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
  const head = `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values `;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = new Array(chunk.length * cols.length);
    const tuples: string[] = new Array(chunk.length);
    let p = 0;
    for (let r = 0; r < chunk.length; r++) {
      const row = chunk[r] as Record<string, unknown>;
      const marks: string[] = new Array(cols.length);
      for (let c = 0; c < cols.length; c++) {
        params[p++] = row[cols[c]!] ?? null;
        marks[c] = dialect === 'postgres' ? `$${p}` : '?';
      }
      tuples[r] = `(${marks.join(', ')})`;
    }
    await db.executeQuery(CompiledQuery.raw(head + tuples.join(', '), params));
  }
}
