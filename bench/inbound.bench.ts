/**
 * bulkUpload ingestion: records per second from the first upload to the
 * last record being in the directory (staged, processed by the job, logged),
 * for joiners (creates, with managers resolved in the second pass) and then
 * movers (updates of the same people), against Entra's documented ceiling of
 * 40 requests per 5 seconds × 50 records = 400 records/s
 * (inbound-and-console.md §1.7). Provisio's own rate limit is off here so
 * that the pipeline, not the throttle, is measured.
 * Env: BENCH_RECORDS (5000), BENCH_CONCURRENCY (4 uploads in flight), BENCH_STORE (sqlite | postgres).
 */
import { startTestServer } from '../test/helpers/server.ts';
import type { TestServer } from '../test/helpers/server.ts';
import { openTestPostgresStore } from '../test/helpers/postgres.ts';
import type { Store } from '../src/store/store.ts';
import { API2AAD_APPLICATION_TEMPLATE_ID } from '../src/sync/templates/catalog.ts';

const records = Number(process.env.BENCH_RECORDS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const backend = process.env.BENCH_STORE === 'postgres' ? 'postgres' : 'sqlite';
const ENTRA_RECORDS_PER_SECOND = (40 / 5) * 50;
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function person(i: number, domain: string, department: string): Record<string, unknown> {
  // Everyone but the first 50 reports to someone among the first 50, uploaded first or later in the same run.
  const manager = i >= 50 ? `B${(i * 7) % 50}` : undefined;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
    externalId: `B${i}`, userName: `bench${i}@${domain}`, displayName: `Bench Person ${i}`,
    name: { givenName: 'Bench', familyName: `Person ${i}` }, title: 'Engineer', active: true,
    emails: [{ type: 'work', value: `bench${i}@${domain}`, primary: true }],
    [ENT]: { department, ...(manager ? { manager: { value: manager } } : {}) },
  };
}

async function run(server: TestServer, spId: string, jobId: string, department: string): Promise<{ seconds: number; uploadSeconds: number; requests: number }> {
  const domain = server.services.tenant.domain;
  const token = await server.token();
  const bodies: string[] = [];
  // Reports before their managers: the last batch holds the first 50 people.
  const order = [...Array.from({ length: records - 50 }, (_, k) => k + 50), ...Array.from({ length: Math.min(50, records) }, (_, k) => k)];
  for (let i = 0; i < order.length; i += 50) {
    const ops = order.slice(i, i + 50).map((n) => ({ method: 'POST', bulkId: `B${n}`, path: '/Users', data: person(n, domain, department) }));
    bodies.push(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops, failOnErrors: null }));
  }
  const url = `${server.url}/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/bulkUpload`;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body });
      if (res.status !== 202) throw new Error(`bulkUpload answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  }));
  const uploaded = performance.now();
  for (;;) {
    await server.services.inbound.idle(jobId);
    if ((await server.services.inbound.staging.pending(jobId)).count === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await server.services.inbound.idle(jobId);
  const t1 = performance.now();
  return { seconds: (t1 - t0) / 1000, uploadSeconds: (uploaded - t0) / 1000, requests: bodies.length };
}

let pg: { store: Store; dispose(): Promise<void> } | undefined;
if (backend === 'postgres') pg = await openTestPostgresStore('bench');
const keepOpen = (s: Store): Store => new Proxy(s, { get: (t, p, r) => (p === 'close' ? () => Promise.resolve() : Reflect.get(t, p, r) as unknown) });
const server = await startTestServer({
  logLevel: 'warn', ...(pg ? { store: keepOpen(pg.store) } : {}),
  env: { PROVISIO_BULK_UPLOAD_RATE_LIMIT: 'off', PROVISIO_BULK_UPLOAD_DAILY_LIMIT: '0' },
});
try {
  const inst = await server.api(`/v1.0/applicationTemplates/${API2AAD_APPLICATION_TEMPLATE_ID}/instantiate`, { method: 'POST', json: { displayName: 'bench HR' } });
  const spId = ((await inst.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
  const jobId = ((await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`, { method: 'POST', json: { templateId: 'API2AAD' } })).json()) as { id: string }).id;
  await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/start`, { method: 'POST' });
  for (const [phase, department] of [['joiners', 'Dept A'], ['movers', 'Dept B']] as const) {
    const r = await run(server, spId, jobId, department);
    const perSecond = records / r.seconds;
    console.log(JSON.stringify({
      bench: `inbound.bulkUpload.${phase}`, store: backend, records, requests: r.requests, concurrency,
      seconds: Number(r.seconds.toFixed(3)),
      uploadRequestsPerSecond: Number((r.requests / r.uploadSeconds).toFixed(1)),
      recordsPerSecond: Number(perSecond.toFixed(1)),
      entraDocumentedCeilingRecordsPerSecond: ENTRA_RECORDS_PER_SECOND,
      ratioToEntraCeiling: Number((perSecond / ENTRA_RECORDS_PER_SECOND).toFixed(2)),
    }));
  }
  // Every record is in the directory with its manager: the figures are for complete work.
  let withManager = 0;
  let total = 0;
  for await (const batch of server.services.directory.streamUsers()) {
    for (const u of batch) if (u.employeeId?.startsWith('B')) {
      total++;
      if (u.managerId) withManager++;
    }
  }
  if (total !== records || withManager !== Math.max(0, records - 50)) throw new Error(`incomplete: ${total} users, ${withManager} with a manager`);
} finally {
  await server.close();
  await pg?.dispose();
}
