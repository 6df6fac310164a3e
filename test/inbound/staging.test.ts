/**
 * The staging store on SQLite and PostgreSQL: concurrent uploads of one job
 * get contiguous, gap-free sequence numbers in commit order, each upload's
 * records together and in request order; reads page in order; drop forgets
 * what was processed (and the uploads left empty); jobs are independent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StagingStore } from '../../src/inbound/staging.ts';
import type { Store } from '../../src/store/store.ts';
import { systemClock } from '../../src/util/time.ts';
import { openTestPostgresStore, postgresSkipReason } from '../helpers/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers/sqlite.ts';

async function withStore(backend: 'sqlite' | 'postgres', fn: (store: Store) => Promise<void>): Promise<void> {
  if (backend === 'postgres') {
    const { store, dispose } = await openTestPostgresStore('staging');
    try {
      await fn(store);
    } finally {
      await dispose();
    }
    return;
  }
  const t = tempDir();
  const store = openSqliteStore(`${t.dir}/staging.db`);
  await store.migrate();
  try {
    await fn(store);
  } finally {
    await store.close();
    t.dispose();
  }
}

const op = (id: string) => ({ bulkId: id, externalId: id, data: { externalId: id } });

for (const backend of ['sqlite', 'postgres'] as const) {
  const skip = backend === 'postgres' ? await postgresSkipReason() : undefined;
  describe(`staging store on ${backend}`, { skip }, () => {
    test('concurrent uploads: contiguous sequence numbers, each upload together and in order', () => withStore(backend, async (store) => {
      const staging = new StagingStore(store, systemClock);
      const results = await Promise.all(Array.from({ length: 12 }, (_, u) => staging.stage('job-a', Array.from({ length: 5 }, (_, i) => op(`u${u}-r${i}`)), `req-${u}`)));
      await staging.stage('job-b', [op('other')], null);
      const all = await staging.read('job-a', 0, 1000);
      assert.deepEqual(all.map((r) => r.seq), Array.from({ length: 60 }, (_, i) => i + 1), 'gap-free from 1');
      for (const r of results) {
        const mine = all.filter((x) => x.uploadId === r.uploadId);
        assert.deepEqual(mine.map((x) => x.seq), Array.from({ length: 5 }, (_, i) => r.firstSeq + i));
        assert.deepEqual(mine.map((x) => x.opIndex), [0, 1, 2, 3, 4]);
      }
      assert.deepEqual((await staging.read('job-b', 0, 10)).map((r) => [r.seq, r.externalId]), [[1, 'other']]);
      assert.deepEqual((await staging.read('job-a', 10, 3)).map((r) => r.seq), [11, 12, 13], 'pages after a watermark');
      assert.deepEqual(await staging.pending('job-a'), { count: 60, lastSeq: 60 });

      await staging.drop('job-a', 30);
      assert.deepEqual(await staging.pending('job-a'), { count: 30, lastSeq: 60 });
      const uploads = await store.db.selectFrom('inbound_uploads').select('id').where('job_id', '=', 'job-a').execute();
      assert.equal(uploads.length, 6, 'the six uploads wholly processed are forgotten');
      assert.equal(await staging.purge('job-a'), 30);
      assert.deepEqual(await staging.pending('job-a'), { count: 0, lastSeq: 0 });
      assert.equal((await staging.pending('job-b')).count, 1);
      // Numbering goes on after a purge: a record is never renumbered.
      const next = await staging.stage('job-a', [op('late')], null);
      assert.equal(next.firstSeq, 61);
    }));
  });
}
