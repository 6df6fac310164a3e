import { join } from 'node:path';
import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';

/**
 * Chooses the adapter from the database URL: `postgres://` or
 * `postgresql://` selects PostgreSQL, `sqlite:<file>` or empty the SQLite
 * file in the data folder.
 */
export async function openStore(databaseUrl: string, dataDir: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const url = new URL(databaseUrl);
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return openPostgresStore({ connectionString: url.toString(), schema });
  }
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length));
  if (databaseUrl) throw new Error(`Unsupported database URL '${databaseUrl}': use postgres://… or sqlite:<file>.`);
  return openSqliteStore(join(dataDir, 'provisio.db'));
}
