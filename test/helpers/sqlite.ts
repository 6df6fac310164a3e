import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

/** A temporary folder removed by `dispose`. */
export function tempDir(prefix = 'provisio-test-'): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A migrated SQLite store in a fresh file. */
export async function openTestSqliteStore(): Promise<{ store: Store; dispose(): Promise<void> }> {
  const t = tempDir();
  const store = openSqliteStore(join(t.dir, 'test.db'));
  await store.migrate();
  return {
    store,
    dispose: async () => {
      await store.close();
      t.dispose();
    },
  };
}
