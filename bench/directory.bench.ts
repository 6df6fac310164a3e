/**
 * The embedded directory at the issue's size, on SQLite, in one process:
 *   1. seeding 100k users + 1k groups + 50k memberships (rate, peak RSS);
 *   2. changesSince after 100 changes over that directory (rows read, time,
 *      and SQLite's plan, which must search the seq index, not scan);
 *   3. GET /users?$top=999 paging through every user over real HTTP on the
 *      loopback (pages/s, users/s).
 * Prints one JSON object per line. Sizes: PROVISIO_BENCH_USERS,
 * PROVISIO_BENCH_GROUPS, PROVISIO_BENCH_MEMBERSHIPS, PROVISIO_BENCH_CHANGES.
 * Run: node --import tsx --expose-gc bench/directory.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { createServices } from '../src/services.ts';
import { buildApp } from '../src/app.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { seedTenant } from '../src/directory/seed.ts';
import { ALL_PERMISSIONS } from '../src/auth/permissions.ts';

const size = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number`);
  return v;
};
const USERS = size('PROVISIO_BENCH_USERS', 100_000);
const GROUPS = size('PROVISIO_BENCH_GROUPS', 1_000);
const MEMBERSHIPS = size('PROVISIO_BENCH_MEMBERSHIPS', 50_000);
const CHANGES = size('PROVISIO_BENCH_CHANGES', 100);

const rssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
// CPU seconds next to wall seconds: on a shared machine the wall clock also measures the neighbours.
const cpuSince = (c: NodeJS.CpuUsage) => { const d = process.cpuUsage(c); return +((d.user + d.system) / 1e6).toFixed(2); };
const emit = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const folder = mkdtempSync(join(tmpdir(), 'provisio-bench-dir-'));
const services = await createServices(loadConfig({ dataDir: folder }, {}), {
  store: openSqliteStore(join(folder, 'provisio.db')),
  logger: pino({ level: 'silent' }),
});
try {
  const dir = services.directory;

  // 1. seed
  let t0 = performance.now();
  let cpu = process.cpuUsage();
  const seeded = await seedTenant(dir, { users: USERS, groups: GROUPS, avgMembers: GROUPS ? Math.round(MEMBERSHIPS / GROUPS) : 0, seed: 1 });
  let s = (performance.now() - t0) / 1000;
  emit({
    bench: 'directory.seed', store: 'sqlite', users: seeded.users, groups: seeded.groups, memberships: seeded.memberships,
    seconds: +s.toFixed(2), cpuSeconds: cpuSince(cpu), usersPerSec: Math.round(seeded.users / s), objectsPerSec: Math.round((seeded.users + seeded.groups + seeded.memberships) / s),
    peakRssMB: rssMB(),
  });

  // 2. incremental read after a few changes
  const watermark = await dir.currentWatermark();
  const ids: string[] = [];
  for await (const batch of dir.streamUsers({ batchSize: 1000 })) {
    ids.push(...batch.map((u) => u.id));
    if (ids.length >= CHANGES) break;
  }
  for (let i = 0; i < CHANGES; i++) await dir.updateUser(ids[i % ids.length]!, { jobTitle: `Bench title ${i}` });
  t0 = performance.now();
  let rows = 0;
  for await (const page of dir.streamChangesSince(watermark, { limit: 1000 })) rows += page.length;
  const ms = performance.now() - t0;
  const plan = (await sql<{ detail: string }>`explain query plan select * from dir_changes where seq > ${watermark} order by seq limit 1000`.execute(services.store.db)).rows.map((r) => r.detail).join('; ');
  emit({ bench: 'directory.changesSince', directorySize: USERS, feedLength: await dir.currentWatermark(), changesMade: CHANGES, rowsRead: rows, ms: +ms.toFixed(2), plan });

  // 3. paging every user over HTTP
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const addr = app.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const { token } = await services.tokens.issue('bench', [...ALL_PERMISSIONS]);
    let url: string | undefined = `${base}/v1.0/users?$top=999`;
    let pages = 0;
    let users = 0;
    const maxPages = Math.ceil(USERS / 999) + 2;
    t0 = performance.now();
    cpu = process.cpuUsage();
    while (url && pages < maxPages) {
      const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (r.status !== 200) throw new Error(`GET ${url} answered ${r.status}: ${await r.text()}`);
      const body = (await r.json()) as { value: unknown[]; '@odata.nextLink'?: string };
      pages++;
      users += body.value.length;
      url = body['@odata.nextLink'];
    }
    s = (performance.now() - t0) / 1000;
    emit({ bench: 'directory.httpPaging', pageSize: 999, pages, users, seconds: +s.toFixed(2), cpuSeconds: cpuSince(cpu), pagesPerSec: +(pages / s).toFixed(1), usersPerSec: Math.round(users / s), peakRssMB: rssMB() });
  } finally {
    await app.close();
  }
} finally {
  await services.close();
  rmSync(folder, { recursive: true, force: true });
}
