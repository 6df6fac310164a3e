/**
 * Scale-out benchmark (docs/scheduler.md): one initial cycle of
 * BENCH_USERS users (default 100000; users/1000 groups of ~20 members, a
 * manager tree) on PostgreSQL, run by 1, 2 and 4 worker processes
 * (`provisio serve --role worker`, BENCH_WORKERS to change the list). The
 * cycle is shared as partitions of users/16 users (the same cut for every
 * worker count: only the number of processes changes). The target is a
 * SCIM endpoint that keeps nothing (bench/lib/null-scim.ts, its own
 * process), so that the figure is the engine's. The job is restarted with
 * resetScope Full between runs: every run is a whole initial cycle.
 * The figures are the speed-up ratios t(1)/t(2) and t(1)/t(4): on a
 * machine with fewer free cores than workers they stay below the worker
 * count, so each line carries the core count and the load average.
 *
 * The same with an application that answers after BENCH_LATENCY_MS (20)
 * per request, as a SaaS SCIM endpoint does, over BENCH_LATENCY_USERS
 * (20000) users: there the cycle waits on the application, not on the
 * CPU, which is what more workers (each with its own connections) relieve;
 * BENCH_LATENCY_MS=0 skips it.
 *
 * Then the scheduler's own cost: a poll (the claim query) against
 * BENCH_IDLE_JOBS (10000) idle jobs, per poll and per idle job; and the
 * lease round trip of a due job's cycle (claim, fencing-log row, release)
 * without the cycle itself, per job.
 *
 * Env: BENCH_USERS, BENCH_WORKERS (e.g. "1,2,4"), BENCH_LATENCY_MS, BENCH_LATENCY_USERS, BENCH_IDLE_JOBS,
 * BENCH_DATABASE_URL (default PROVISIO_TEST_DATABASE_URL or
 * postgres://root@127.0.0.1:5432/test; a fresh schema, dropped at the end).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { createServices } from '../src/services.ts';
import { seedTenant } from '../src/directory/seed.ts';
import { SchedulerStore } from '../src/scheduler/leases.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const IDLE_JOBS = Number(process.env.BENCH_IDLE_JOBS ?? 10_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const LATENCY_USERS = Number(process.env.BENCH_LATENCY_USERS ?? 20_000);
const DB = process.env.BENCH_DATABASE_URL ?? process.env.PROVISIO_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const BIN = here('../bin/provisio.js');
const NULL_SCIM = here('./lib/null-scim.ts');

const out = (o: Record<string, unknown>): void => console.log(JSON.stringify({ ...o, cpus: cpus().length, loadavg1: Number(loadavg()[0]!.toFixed(2)) }));

async function startNullScim(delayMs: number): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', NULL_SCIM], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NULL_SCIM_DELAY_MS: String(delayMs) } });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('error', reject);
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return {
    url, token,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end();
    }),
  };
}

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: DB });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

/** One initial cycle of `users` users by 1, 2, 4… workers; the application answers after `latencyMs`. */
async function scaleOut(users: number, latencyMs: number): Promise<void> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const url = new URL(DB);
  url.searchParams.set('schema', schema);
  const databaseUrl = url.toString();
  const dir = mkdtempSync(join(tmpdir(), 'provisio-scale-bench-'));
  const secretKey = randomBytes(32).toString('base64url');
  const target = await startNullScim(latencyMs);
  const services = await createServices(loadConfig({ port: 0, dataDir: dir, databaseUrl, logLevel: 'silent', role: 'api' }, { PROVISIO_SECRET_KEY: secretKey }), { logger: pino({ level: 'silent' }) });
  try {
    const t0 = performance.now();
    await seedTenant(services.directory, { users, groups: Math.max(1, Math.round(users / 1000)), avgMembers: 20, seed: 5 });
    out({ bench: 'scaleOut.seed', users, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) });
    const sp = await services.store.transaction(async (trx) => {
      const a = await services.applications.createApplication({ displayName: 'Scale-out benchmark app' }, null, trx);
      const s = await services.applications.createServicePrincipal({ appId: a.appId }, null, trx);
      await services.sync.seedTemplates(s.id, a.appId, ['scim'], trx);
      return s;
    });
    await services.sync.putSecrets(sp.id, [{ key: 'BaseAddress', value: target.url }, { key: 'SecretToken', value: target.token }, { key: 'SyncAll', value: 'true' }]);
    const job = await services.sync.createJob(sp.id, { templateId: 'scim', schedule: { interval: 'P1D', expiration: null } });
    const partitionSize = Math.max(1, Math.ceil(users / 16));
    const seconds: Record<number, number> = {};
    let first = true;
    for (const n of WORKERS) {
      const workers = Array.from({ length: n }, (_, i) => spawn(process.execPath, [BIN, 'serve', '--role', 'worker', '--database-url', databaseUrl, '--data-dir', join(dir, `w${n}-${i}`), '--log-level', 'warn'], {
        env: {
          ...process.env, PROVISIO_SECRET_KEY: secretKey, PROVISIO_WORKER_ID: `bench-${n}-${i}`, PROVISIO_BOOTSTRAP_CLIENT_ID: 'bench', PROVISIO_BOOTSTRAP_CLIENT_SECRET: 'bench-secret-0123456789',
          PROVISIO_POLL_SECONDS: '0.2', PROVISIO_LEASE_SECONDS: '30', PROVISIO_WORKER_CONCURRENCY: '2',
          PROVISIO_PARTITION_THRESHOLD: '1', PROVISIO_PARTITION_SIZE: String(partitionSize),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }));
      // Their logs (warnings and errors) go to our stderr: stdout carries the figures.
      for (const w of workers) w.stdout!.pipe(process.stderr);
      // Every worker is up (tsx start-up is not the cycle's time) before the cycle is asked for.
      await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
        const lines = createInterface({ input: w.stderr! });
        lines.on('line', (l) => (l.includes('running') ? resolve() : process.stderr.write(l + '\n')));
        w.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it was ready`)));
      })));
      const stopAll = async (signal: NodeJS.Signals) => {
        for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill(signal);
        await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null || w.signalCode !== null ? resolve(null) : w.once('exit', resolve)))));
      };
      const before = (await services.sync.getJob(sp.id, job.id)).status.lastExecution?.activityIdentifier ?? null;
      if (first) await services.sync.startJob(sp.id, job.id);
      else await services.sync.restartJob(sp.id, job.id, 'Full');
      first = false;
      const started = performance.now();
      let exec;
      try {
      for (;;) {
        await delay(250);
        const j = await services.sync.getJob(sp.id, job.id);
        exec = j.status.lastExecution;
        if (exec && exec.activityIdentifier !== before && exec.state !== 'Failed' && j.status.code !== 'Quarantine') {
          const held = await services.store.db.selectFrom('sync_job_schedule').select('lease_owner').where('job_id', '=', job.id).executeTakeFirst();
          if (!held?.lease_owner) break;
        }
        if (j.status.code === 'Quarantine' || exec?.state === 'Failed') throw new Error(`the cycle failed: ${JSON.stringify(exec?.error ?? j.status.quarantine)}`);
      }
      } catch (e) {
        await stopAll('SIGKILL');
        throw e;
      }
      const wall = (performance.now() - started) / 1000;
      const cycle = (Date.parse(exec.timeEnded) - Date.parse(exec.timeBegan)) / 1000;
      seconds[n] = cycle;
      const parts = await services.store.db.selectFrom('sync_fencing_log').select(['worker', 'started_at', 'ended_at']).where('job_id', 'like', `${job.id}#%`).where('worker', 'like', `bench-${n}-%`).execute();
      // Where the time went: the partitions (shared) and what the coordinator does alone before and after them.
      const firstPart = Math.min(...parts.map((p) => Number(p.started_at)));
      const lastPart = Math.max(...parts.map((p) => Number(p.ended_at ?? p.started_at)));
      const split = {
        beforePartitionsSeconds: Number(((firstPart - Date.parse(exec.timeBegan)) / 1000).toFixed(2)),
        partitionsSeconds: Number(((lastPart - firstPart) / 1000).toFixed(2)),
        coordinatorAloneAfterSeconds: Number(((Date.parse(exec.timeEnded) - lastPart) / 1000).toFixed(2)),
      };
      const byWorker: Record<string, number> = {};
      for (const p of parts) byWorker[p.worker] = (byWorker[p.worker] ?? 0) + 1;
      out({
        bench: 'scaleOut.initialCycle', users, targetLatencyMs: latencyMs, workers: n, seconds: Number(cycle.toFixed(2)), wallSecondsFromStart: Number(wall.toFixed(2)),
        usersPerSecond: Math.round(users / cycle), countExported: exec.countExported, partitionsByWorker: byWorker, ...split,
      });
      await stopAll('SIGTERM');
    }
    const base = seconds[WORKERS[0]!];
    if (base !== undefined) {
      const ratios: Record<string, number> = {};
      for (const n of WORKERS.slice(1)) if (seconds[n]) ratios[`${n}w/${WORKERS[0]}w`] = Number((base / seconds[n]).toFixed(2));
      out({ bench: 'scaleOut.speedUp', users, targetLatencyMs: latencyMs, seconds, ratios });
    }
  } finally {
    await services.close();
    await target.stop();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scheduler's own cost: polls against idle jobs, and the lease round trip of a due job. */
async function overhead(): Promise<void> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const store = await openPostgresStore({ connectionString: DB, schema, poolSize: 4 });
  try {
    await store.migrate();
    const leases = new SchedulerStore(store);
    const now = Date.now();
    const idle = Array.from({ length: IDLE_JOBS }, (_, i) => ({ job_id: `idle-${i}`, due_at: now + 3_600_000 + i, scheduled_at: now }));
    for (let i = 0; i < idle.length; i += 1000) await store.db.insertInto('sync_job_schedule').values(idle.slice(i, i + 1000)).execute();
    await sql`analyze sync_job_schedule`.execute(store.db);
    const polls = 300;
    let t = performance.now();
    for (let i = 0; i < polls; i++) {
      await leases.claim('bench', now, 60_000, 4);
      await leases.nextClaimable();
    }
    const pollMs = (performance.now() - t) / polls;
    t = performance.now();
    for (let i = 0; i < 20; i++) await leases.rebase(now, 60_000);
    const rebaseMs = (performance.now() - t) / 20;
    out({
      bench: 'scaleOut.idlePoll', idleJobs: IDLE_JOBS, msPerPoll: Number(pollMs.toFixed(3)),
      microsecondsPerIdleJobPerPoll: Number(((pollMs * 1000) / IDLE_JOBS).toFixed(4)),
      msPerRebase: Number(rebaseMs.toFixed(3)),
      note: 'a worker polls every PROVISIO_POLL_SECONDS (5 s): claim + next-due query, both on the due_at index; the clock re-base (a scan) runs once a minute',
    });
    const due = 1000;
    await store.db.updateTable('sync_job_schedule').set({ due_at: now - 1 }).where('job_id', 'in', idle.slice(0, due).map((r) => r.job_id)).execute();
    t = performance.now();
    let n = 0;
    for (;;) {
      const got = await leases.claim('bench', now, 60_000, 4);
      if (got.length === 0) break;
      for (const l of got) {
        await leases.heartbeat(l, now + 1, 60_000);
        await leases.release(l, now + 2, now + 3_600_000, 'ended');
        n++;
      }
    }
    const perJob = (performance.now() - t) / n;
    out({ bench: 'scaleOut.leaseRoundTrip', jobs: n, msPerJobCycle: Number(perJob.toFixed(3)), includes: 'claim (batch of 4) + fencing-log row + one heartbeat + release' });
  } finally {
    await store.close();
    await dropSchema(schema);
  }
}

await scaleOut(USERS, 0);
if (LATENCY_MS > 0 && LATENCY_USERS > 0) await scaleOut(LATENCY_USERS, LATENCY_MS);
await overhead();
