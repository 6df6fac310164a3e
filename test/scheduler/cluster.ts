/**
 * A Provisio cluster for multi-process tests: one PostgreSQL schema, the
 * tenant and its jobs set up from the test process, and worker processes
 * (`provisio serve --role worker`) spawned against the same database, each
 * of which the test may SIGKILL or SIGTERM. Every job provisions into its
 * own sample SCIM application (in the test process, on loopback).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { createServices } from '../../src/services.ts';
import type { Services } from '../../src/services.ts';
import { seedTenant } from '../../src/directory/seed.ts';
import type { SeedOptions } from '../../src/directory/seed.ts';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { TEST_DATABASE_URL, dropTestSchema, freshSchemaName } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/sqlite.ts';

const BIN = new URL('../../bin/provisio.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

export interface ClusterJob {
  spId: string;
  jobId: string;
  app: SampleScimApp;
}

export interface Worker {
  id: string;
  child: ChildProcess;
  /** What the worker wrote on stderr (for failure messages). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface Cluster {
  schema: string;
  databaseUrl: string;
  services: Services;
  jobs: ClusterJob[];
  spawnWorker(id: string, env?: Record<string, string>): Worker;
  /** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
  until(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(opts: {
  jobs: number;
  seed: Partial<SeedOptions> & { users: number };
  /** Delay of each request in the sample applications, ms. */
  appDelayMs?: number;
  /** Settings of the workers (PROVISIO_LEASE_SECONDS …). */
  workerEnv?: Record<string, string>;
}): Promise<Cluster> {
  const schema = freshSchemaName('cluster');
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', schema);
  const databaseUrl = url.toString();
  const secretKey = randomBytes(32).toString('base64url');
  const dir = tempDir();
  const config = loadConfig({ port: 0, dataDir: dir.dir, databaseUrl, logLevel: 'silent', role: 'api' }, { PROVISIO_SECRET_KEY: secretKey });
  const services = await createServices(config, { logger: pino({ level: 'silent' }) });
  const workers: Worker[] = [];
  const jobs: ClusterJob[] = [];
  try {
    await seedTenant(services.directory, { groups: 0, avgMembers: 0, seed: 3, ...opts.seed });
    for (let i = 0; i < opts.jobs; i++) {
      const app = await startSampleScimApp({ entraCompat: true, ...(opts.appDelayMs ? { delayMs: opts.appDelayMs } : {}) });
      const { sp } = await services.store.transaction(async (trx) => {
        const a = await services.applications.createApplication({ displayName: `Cluster app ${i}` }, null, trx);
        const sp = await services.applications.createServicePrincipal({ appId: a.appId }, null, trx);
        await services.sync.seedTemplates(sp.id, a.appId, ['scim'], trx);
        return { sp };
      });
      await services.sync.putSecrets(sp.id, [
        { key: 'BaseAddress', value: app.url }, { key: 'SecretToken', value: app.token }, { key: 'SyncAll', value: 'true' },
      ]);
      const job = await services.sync.createJob(sp.id, { templateId: 'scim', schedule: { interval: 'PT1H', expiration: null } });
      jobs.push({ spId: sp.id, jobId: job.id, app });
    }
  } catch (e) {
    await services.close();
    throw e;
  }
  const spawnWorker = (id: string, env: Record<string, string> = {}): Worker => {
    const wdir = tempDir();
    const child = spawn(process.execPath, [BIN, 'serve', '--role', 'worker', '--database-url', databaseUrl, '--data-dir', wdir.dir, '--log-level', 'warn'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '', HOME: wdir.dir, NODE_ENV: 'test',
        PROVISIO_SECRET_KEY: secretKey, PROVISIO_WORKER_ID: id, PROVISIO_BOOTSTRAP_CLIENT_ID: 'cluster', PROVISIO_BOOTSTRAP_CLIENT_SECRET: 'cluster-secret-0123456789',
        ...opts.workerEnv, ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => {
        wdir.dispose();
        resolve({ code, signal });
      });
    });
    const w = { id, child, output: () => out.slice(-4000), exited };
    workers.push(w);
    return w;
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 120_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) {
        throw new Error(`Timed out waiting for ${what}. Worker output:\n${workers.map((w) => `--- ${w.id}\n${w.output()}`).join('\n')}`);
      }
      await delay(100);
    }
  };
  return {
    schema, databaseUrl, services, jobs, spawnWorker, until,
    close: async () => {
      for (const w of workers) {
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
        await w.exited;
      }
      for (const j of jobs) await j.app.close();
      await services.close();
      dir.dispose();
      await dropTestSchema(schema);
    },
  };
}

/** Fencing-log rows of a job, in token order. */
export interface LeaseRow {
  job_id: string;
  token: number;
  worker: string;
  started_at: number;
  expires_at: number;
  last_write_at: number | null;
  ended_at: number | null;
  outcome: string | null;
}

/**
 * Problems in a fencing log: a lease that began before the previous one of
 * the same job had ended (its release, or for a worker that died or lost
 * it, its expiry), or a write under a token after the next token's lease
 * began. Empty when no two cycles of any job overlapped.
 */
export function overlaps(rows: readonly LeaseRow[]): string[] {
  const byJob = new Map<string, LeaseRow[]>();
  for (const r of rows) byJob.set(r.job_id, [...(byJob.get(r.job_id) ?? []), r]);
  const problems: string[] = [];
  for (const [job, list] of byJob) {
    list.sort((a, b) => a.token - b.token);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const next = list[i]!;
      const prevEnd = prev.ended_at ?? prev.expires_at;
      if (prevEnd > next.started_at) problems.push(`${job}: token ${prev.token} (${prev.worker}) held until ${prevEnd}, token ${next.token} (${next.worker}) began at ${next.started_at}`);
      if (prev.last_write_at !== null && prev.last_write_at > next.started_at) {
        problems.push(`${job}: token ${prev.token} (${prev.worker}) wrote at ${prev.last_write_at}, after token ${next.token} began at ${next.started_at}`);
      }
    }
  }
  return problems;
}

/** The fencing log, numbers as numbers. */
export async function fencingLog(c: Cluster): Promise<LeaseRow[]> {
  const rows = await c.services.store.db.selectFrom('sync_fencing_log').selectAll().execute();
  const n = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    job_id: r.job_id, token: Number(r.token), worker: r.worker, started_at: Number(r.started_at), expires_at: Number(r.expires_at),
    last_write_at: n(r.last_write_at), ended_at: n(r.ended_at), outcome: r.outcome,
  }));
}

/** Every job has completed a successful cycle and no lease is held. */
export async function allSynced(c: Cluster): Promise<boolean> {
  const db = c.services.store.db;
  const jobs = await db.selectFrom('sync_jobs').select('status').execute();
  const done = jobs.filter((j) => (JSON.parse(j.status) as { lastSuccessfulExecution: unknown }).lastSuccessfulExecution !== null).length;
  const held = await db.selectFrom('sync_job_schedule').select('job_id').where('lease_owner', 'is not', null).execute();
  return done === c.jobs.length && held.length === 0;
}

