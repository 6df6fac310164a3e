/**
 * API throughput: GET …/jobs/{id} (token check, store read, Graph JSON)
 * under concurrent load from a separate process, beside GET /healthz (the
 * HTTP stack alone) measured the same way in the same run. The ratio says
 * what the Graph layer costs. Env: BENCH_SECONDS (5), BENCH_CONNECTIONS (32).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../test/helpers/server.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const loader = fileURLToPath(new URL('./lib/http-load.ts', import.meta.url));

function load(url: string, headers: Record<string, string> = {}): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', loader, JSON.stringify({ url, headers, connections, seconds })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`load generator exited ${code}`))));
  });
}

const server = await startTestServer({ logLevel: 'warn' });
try {
  const inst = await server.api('/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate', { method: 'POST', json: { displayName: 'bench' } });
  const spId = ((await inst.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
  const jobRes = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`, { method: 'POST', json: { templateId: 'scim' } });
  const jobId = ((await jobRes.json()) as { id: string }).id;
  const auth = { authorization: `Bearer ${await server.token()}` };

  const health = await load(`${server.url}/healthz`);
  const job = await load(`${server.url}/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}`, auth);
  console.log(JSON.stringify({ bench: 'api.healthz', connections, ...health }));
  console.log(JSON.stringify({ bench: 'api.getJob', connections, store: server.services.store.dialect, ...job }));
  console.log(JSON.stringify({ bench: 'api.getJob.vsHealthz', ratio: Number((job.requestsPerSecond! / health.requestsPerSecond!).toFixed(3)) }));
} finally {
  await server.close();
}
