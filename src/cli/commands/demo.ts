/**
 * `provisio demo`: the main job end to end on the embedded default. It
 * starts a Provisio server and a sample SCIM application (a demo target
 * built on the third-party scimmy library), generates a tenant in the
 * directory, creates a SCIM application from the gallery template, points
 * it at the sample app, assigns users and groups, starts the job, shows the
 * initial cycle's progress and a summary, then keeps serving until
 * interrupted (or exits with --once). It drives the server through its own
 * Graph API, as any client would.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../config/config.ts';
import { startServer } from '../../server.ts';
import type { RunningServer } from '../../server.ts';
import { startSampleScimApp } from '../../connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../connectors/scim/sample-app/app.ts';
import { seedTenant } from '../../directory/seed.ts';
import { serverOptions, untilSignal } from './serve.ts';
import type { ServeFlags } from './serve.ts';
import type { SynchronizationJobT } from '../../graph/sync-schemas.ts';

interface DemoFlags extends ServeFlags {
  users?: string;
  seed?: string;
  once?: boolean;
  scimUrl?: string;
  scimToken?: string;
}

const DEMO_APP_NAME = 'Provisio demo SCIM app';
const SCIM_GALLERY_TEMPLATE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

/** A tiny Graph client over the server's own API, with the bootstrap administrator's token. */
async function graph(server: RunningServer) {
  const b = server.services.bootstrap;
  const tokenRes = await fetch(`${server.url}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: b.clientId, client_secret: b.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}/v1.0${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

function bar(label: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar({
    format: `${label.padEnd(22)} [{bar}] {percentage}% | {value}/{total} {unit} | {rate}/s`,
    stream: process.stderr,
    noTTYOutput: false,
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
}

export function registerDemo(program: Command): void {
  serverOptions(program.command('demo').description('Run the main job end to end: a generated tenant provisioned into a sample SCIM application'))
    .option('--users <n>', 'users to generate in a new directory', '2000')
    .option('--seed <n>', 'random seed of the generated tenant', '42')
    .option('--once', 'exit after the initial cycle and the summary')
    .option('--scim-url <url>', 'provision into this SCIM 2.0 endpoint instead of the built-in sample application')
    .option('--scim-token <token>', 'bearer token for --scim-url')
    .action(async (flags: DemoFlags) => {
      const users = Number(flags.users);
      if (!Number.isInteger(users) || users < 1) throw new Error(`--users must be a whole number ≥ 1, not '${flags.users}'.`);
      const seed = Number(flags.seed);
      const config = loadConfig({ ...flags, logLevel: flags.logLevel ?? 'warn' });
      const out = (s: string) => process.stderr.write(s + '\n');

      if (flags.scimUrl && !flags.scimToken) throw new Error('--scim-url needs --scim-token.');
      // The sample application runs in this process unless the demo is pointed at another SCIM endpoint.
      const sample: SampleScimApp | undefined = flags.scimUrl ? undefined : await startSampleScimApp({ entraCompat: true });
      const scim = sample ?? { url: flags.scimUrl!, token: flags.scimToken! };
      let server: RunningServer | undefined;
      try {
        server = await startServer(config);
        const api = await graph(server);
        out(`Provisio ${server.url}   ${sample ? 'sample SCIM application' : 'SCIM endpoint'} ${scim.url}`);

        // The application: found again on a later run, else created from the gallery.
        const sps = await api<{ value: { id: string; displayName: string; appId: string }[] }>('GET', '/servicePrincipals?$top=999');
        let sp = sps.value.find((s) => s.displayName === DEMO_APP_NAME);
        if (!sp) {
          const created = await api<{ servicePrincipal: { id: string; displayName: string; appId: string } }>('POST', `/applicationTemplates/${SCIM_GALLERY_TEMPLATE}/instantiate`, { displayName: DEMO_APP_NAME });
          sp = created.servicePrincipal;
        }
        const syncPath = `/servicePrincipals/${sp.id}/synchronization`;

        // The tenant: generated once; a later run reuses it.
        const existing = await server.services.directory.countObjects();
        if (existing.users === 0) {
          const b = bar('Generating tenant');
          b.start(users, 0, { unit: 'users', rate: 0 });
          const t0 = Date.now();
          const seeded = await seedTenant(server.services.directory, { users, groups: Math.max(1, Math.round(users / 50)), avgMembers: Math.min(20, users), seed, assignTo: sp.id }, (p) => {
            if (p.phase === 'users') b.update(p.done, { unit: 'users', rate: Math.round(p.done / Math.max(0.001, (Date.now() - t0) / 1000)) });
          });
          b.update(users);
          b.stop();
          out(`  ${seeded.users} users and ${seeded.groups} groups in the directory; some assigned to '${DEMO_APP_NAME}'.`);
        } else {
          out(`  reusing the directory in ${config.dataDir}: ${existing.users} users, ${existing.groups} groups`);
        }

        // Credentials of the sample app; a fresh app each run, so a job that exists restarts from scratch.
        await api('PUT', `${syncPath}/secrets`, { value: [
          { key: 'BaseAddress', value: scim.url },
          { key: 'SecretToken', value: scim.token },
          // Everyone in the generated tenant is in scope: the demo shows a whole tenant provisioned.
          { key: 'SyncAll', value: 'true' },
        ] });
        const jobs = await api<{ value: SynchronizationJobT[] }>('GET', `${syncPath}/jobs`);
        let job = jobs.value.find((j) => j.templateId === 'scim');
        if (!job) job = await api<SynchronizationJobT>('POST', `${syncPath}/jobs`, { templateId: 'scim' });
        else await api('POST', `${syncPath}/jobs/${job.id}/restart`, { criteria: { resetScope: 'Full' } });

        // Start it and follow the initial cycle through the job's status, as any Graph client would.
        const started = Date.now();
        await api('POST', `${syncPath}/jobs/${job.id}/start`);
        const b = bar('Initial cycle');
        b.start(1, 0, { unit: 'objects', rate: 0 });
        let status: SynchronizationJobT['status'];
        for (;;) {
          await new Promise((r) => setTimeout(r, 250));
          const j = await api<SynchronizationJobT>('GET', `${syncPath}/jobs/${job.id}`);
          status = j.status;
          const p = status.progress[0];
          if (p) {
            b.setTotal(Math.max(1, p.totalUnits));
            b.update(p.completedUnits, { unit: 'objects', rate: Math.round(p.completedUnits / Math.max(0.001, (Date.now() - started) / 1000)) });
          }
          const last = status.lastExecution;
          if (status.code === 'Quarantine' || (last && Date.parse(last.timeEnded) >= started - 1000 && last.state !== undefined && Date.parse(last.timeBegan) >= started - 1000)) break;
        }
        const last = status.lastExecution!;
        b.update(b.getTotal());
        b.stop();
        const seconds = (Date.parse(last.timeEnded) - Date.parse(last.timeBegan)) / 1000;
        const objects = last.countImported + last.countImportedDeltas;
        out('');
        if (status.code === 'Quarantine') {
          out(`The job is in quarantine: ${status.quarantine?.error?.code}: ${status.quarantine?.error?.message}`);
        }
        out('Summary of the initial cycle');
        out(`  state      ${last.state}`);
        out(`  objects    ${objects} read, ${last.countEntitled} in scope`);
        out(`  exported   ${last.countExported} of ${last.countExports}${sample ? ` (the sample app holds ${sample.users().length} users and ${sample.groups().length} groups)` : ''}`);
        out(`  failed     ${last.countEscrowed}`);
        out(`  elapsed    ${seconds.toFixed(1)} s (${Math.round(objects / Math.max(seconds, 0.001))} objects/s)`);
        out('');
        out('Explore it');
        out(`  Graph API        ${server.url}/v1.0   (OpenAPI: ${server.url}/openapi.json)`);
        out(`  token endpoint   ${server.url}/oauth2/v2.0/token`);
        out(`  credentials      ${server.services.bootstrap.file ?? 'PROVISIO_BOOTSTRAP_CLIENT_ID / PROVISIO_BOOTSTRAP_CLIENT_SECRET'}`);
        out(`  the job          ${server.url}/v1.0${syncPath}/jobs/${job.id}`);
        out(`  provisioning log ${server.url}/v1.0/auditLogs/provisioning?$top=20`);
        out(`  ${sample ? 'sample SCIM app ' : 'SCIM endpoint   '}  ${scim.url}/Users${sample ? `   (Authorization: Bearer ${sample.token})` : ''}`);
        if (flags.once) return;
        out('\nServing; the job keeps running on its schedule. Press Ctrl+C to stop.');
        await untilSignal();
      } finally {
        await server?.close();
        await sample?.close();
      }
    });
}
