/**
 * Configuration: command-line flags win over environment variables, which
 * win over the documented defaults (docs/configuration.md). The names are
 * part of the interface contract (shared/design/PRODUCT.md).
 */
import { resolve } from 'node:path';
import { parseRateLimit } from '../logs/rate-limit.ts';
import type { RateLimit } from '../logs/rate-limit.ts';

export interface Config {
  /** TCP port of the API; 0 picks a free one. */
  port: number;
  host: string;
  /** Folder for the SQLite file, generated keys and bootstrap credentials. */
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; anything else (or empty) the SQLite file. */
  databaseUrl: string;
  /** Key that encrypts synchronization secrets at rest; generated under dataDir when absent. */
  secretKey: string | undefined;
  bootstrapClientId: string | undefined;
  bootstrapClientSecret: string | undefined;
  /** Lifetime of issued access tokens, seconds (Entra's default is 60–90 min). */
  tokenLifetimeSeconds: number;
  /** Largest request body accepted, bytes. */
  bodyLimit: number;
  logLevel: string;
  /** What this process runs: the API, the job runner, or both. */
  role: 'api' | 'worker' | 'all';
  /** Days provisioning-log entries are kept (Entra: 30); 0 keeps them forever. */
  logRetentionDays: number;
  /** Throttle of GET /auditLogs/provisioning per client; undefined (the default) for none. */
  auditRateLimit: RateLimit | undefined;
  /** bulkUpload limits (docs/inbound.md): operations per request, calls per job per window, calls per tenant per day. */
  bulkUpload: { maxOperations: number; rateLimit: RateLimit | undefined; dailyLimit: number };
  /** The scheduler of worker processes (docs/scheduler.md). */
  scheduler: SchedulerConfig;
}

export interface SchedulerConfig {
  /** This worker's name in leases and the fencing log; default host:pid:random. */
  workerId: string | undefined;
  /** A lease lasts this long without a heartbeat, ms (PROVISIO_LEASE_SECONDS, default 60). */
  leaseMs: number;
  /** Heartbeat of a running cycle's lease, ms (PROVISIO_HEARTBEAT_SECONDS, default a third of the lease). */
  heartbeatMs: number;
  /** How often a worker looks for due jobs, ms (PROVISIO_POLL_SECONDS, default 5). */
  pollMs: number;
  /** Cycles (or partitions) one worker runs at once (PROVISIO_WORKER_CONCURRENCY, default 4). */
  concurrency: number;
  /** An initial cycle over more users than this is split into partitions (PROVISIO_PARTITION_THRESHOLD, default 20000; 0: never). */
  partitionThreshold: number;
  /** Users per partition, about (PROVISIO_PARTITION_SIZE, default 10000). */
  partitionSize: number;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback * 1000;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`Invalid ${name} '${raw}': expected a positive number of seconds.`);
  return Math.round(v * 1000);
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`Invalid ${name} '${raw}': expected a whole number of at least ${min}.`);
  return v;
}

/** The scheduler's settings from the environment (docs/configuration.md). */
export function loadSchedulerConfig(env: NodeJS.ProcessEnv): SchedulerConfig {
  const leaseMs = seconds(env, 'PROVISIO_LEASE_SECONDS', 60);
  const heartbeatMs = seconds(env, 'PROVISIO_HEARTBEAT_SECONDS', leaseMs / 3000);
  if (heartbeatMs >= leaseMs) {
    throw new Error(`PROVISIO_HEARTBEAT_SECONDS (${heartbeatMs / 1000}) must be shorter than PROVISIO_LEASE_SECONDS (${leaseMs / 1000}).`);
  }
  return {
    workerId: env.PROVISIO_WORKER_ID || undefined,
    leaseMs,
    heartbeatMs,
    pollMs: seconds(env, 'PROVISIO_POLL_SECONDS', 5),
    concurrency: whole(env, 'PROVISIO_WORKER_CONCURRENCY', 4, 1),
    partitionThreshold: whole(env, 'PROVISIO_PARTITION_THRESHOLD', 20_000, 0),
    partitionSize: whole(env, 'PROVISIO_PARTITION_SIZE', 10_000, 1),
  };
}

export interface ConfigFlags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  role?: string;
}

export const DEFAULT_PORT = 8080;

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(flags.port ?? env.PROVISIO_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid port '${String(flags.port ?? env.PROVISIO_PORT)}': expected 0–65535.`);
  }
  const dataDir = resolve(flags.dataDir ?? env.PROVISIO_DATA_DIR ?? '.provisio');
  const role = (flags.role ?? env.PROVISIO_ROLE ?? 'all') as Config['role'];
  if (!['api', 'worker', 'all'].includes(role)) throw new Error(`Invalid role '${role}': expected api, worker or all.`);
  const logRetentionDays = Number(env.PROVISIO_LOG_RETENTION_DAYS ?? 30);
  if (!Number.isInteger(logRetentionDays) || logRetentionDays < 0) {
    throw new Error(`Invalid PROVISIO_LOG_RETENTION_DAYS '${env.PROVISIO_LOG_RETENTION_DAYS}': expected a whole number of days (0 keeps logs forever).`);
  }
  return {
    port,
    host: flags.host ?? env.PROVISIO_HOST ?? '127.0.0.1',
    dataDir,
    databaseUrl: flags.databaseUrl ?? env.PROVISIO_DATABASE_URL ?? '',
    secretKey: env.PROVISIO_SECRET_KEY || undefined,
    bootstrapClientId: env.PROVISIO_BOOTSTRAP_CLIENT_ID || undefined,
    bootstrapClientSecret: env.PROVISIO_BOOTSTRAP_CLIENT_SECRET || undefined,
    tokenLifetimeSeconds: Number(env.PROVISIO_TOKEN_LIFETIME ?? 3600),
    bodyLimit: Number(env.PROVISIO_BODY_LIMIT ?? 4 * 1024 * 1024),
    logLevel: flags.logLevel ?? env.PROVISIO_LOG_LEVEL ?? 'info',
    role,
    logRetentionDays,
    auditRateLimit: parseRateLimit(env.PROVISIO_AUDIT_RATE_LIMIT),
    bulkUpload: {
      maxOperations: wholeNumber(env, 'PROVISIO_BULK_UPLOAD_MAX_OPERATIONS', 50, 1),
      rateLimit: env.PROVISIO_BULK_UPLOAD_RATE_LIMIT === undefined
        ? { requests: 40, windowSeconds: 5 }
        : parseRateLimit(env.PROVISIO_BULK_UPLOAD_RATE_LIMIT, 'PROVISIO_BULK_UPLOAD_RATE_LIMIT'),
      dailyLimit: wholeNumber(env, 'PROVISIO_BULK_UPLOAD_DAILY_LIMIT', 6000, 0),
    },
    scheduler: loadSchedulerConfig(env),
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`Invalid ${name} '${raw}': expected a whole number of at least ${min}.`);
  return n;
}
