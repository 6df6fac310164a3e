/**
 * The composition root: the one place that chooses concrete adapters and
 * wires the services together. Everything else receives what it needs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { Store } from './store/store.ts';
import { openStore } from './store/open-store.ts';
import type { Clock } from './util/time.ts';
import { systemClock } from './util/time.ts';
import { SecretBox } from './util/crypto.ts';
import { TokenService } from './auth/tokens.ts';
import { ClientRepository, ensureBootstrapClient } from './auth/clients.ts';
import { ApplicationService } from './applications/applications.ts';
import { SyncService } from './sync/sync-service.ts';
import type { SchemaValidator } from './sync/sync-service.ts';
import type { TemplateCatalog } from './sync/templates/port.ts';
import { builtInCatalog } from './sync/templates/catalog.ts';
import { validateSchemaWithExpressions } from './sync/expression-checks.ts';
import { DirectoryService } from './directory/directory-service.ts';
import { createProvisioningLogs } from './logs/logs.ts';
import type { ProvisioningLogs } from './logs/logs.ts';
import { SyncEngine } from './engine/engine.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { scimTargetFactory } from './engine/target-factory.ts';
import type { TargetFactory } from './engine/target-factory.ts';
import { AppInstanceService } from './appinstances/service.ts';
import { StagingStore } from './inbound/staging.ts';
import { InboundEngine } from './inbound/inbound-engine.ts';
import { InboundService } from './inbound/inbound-service.ts';
import type { InboundSourceFactory } from './inbound/port.ts';
import { ldapInboundSourceFactory } from './inbound/ldap-source.ts';
import { jobStateInboundStore } from './inbound/inbound-state.ts';

export interface Tenant {
  id: string;
  domain: string;
}

export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  store: Store;
  tenant: Tenant;
  tokens: TokenService;
  clients: ClientRepository;
  applications: ApplicationService;
  catalog: TemplateCatalog;
  sync: SyncService;
  /** The embedded directory (users, groups, assignments, change feed); also the engine's DirectorySource. */
  directory: DirectoryService;
  /** Provisioning logs: the engine writes, GET /auditLogs/provisioning reads. */
  logs: ProvisioningLogs;
  /** Runs a job's cycles; `runner` is this process's scheduler: claims due jobs under leases (started by the server unless role is api). */
  engine: SyncEngine;
  runner: Scheduler;
  /** Inbound provisioning: bulkUpload staging and the wake-up of API-driven jobs (src/inbound, docs/inbound.md). */
  inbound: InboundService;
  /** Application instances (Teams resource accounts), the agent provisioning registry and associations. */
  appInstances: AppInstanceService;
  bootstrap: { clientId: string; clientSecret: string; file?: string };
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  store?: Store;
  /** How jobs reach their application (tests substitute an in-memory target). */
  targetFactory?: TargetFactory;
  /** Source connectors of non-API inbound jobs (default: the LDAP/AD connector for AD2AADProvisioning, src/inbound/ldap-source.ts). */
  inboundSources?: InboundSourceFactory[];
}

/** The key that encrypts secrets at rest: PROVISIO_SECRET_KEY, else one generated once under the data folder. */
function loadSecretKey(config: Config): string {
  if (config.secretKey) return config.secretKey;
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/** The tenant this server is: its id and default domain, fixed at first start and kept in the store. */
async function loadTenant(store: Store): Promise<Tenant> {
  const read = async (key: string) => (await store.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
  const domain = process.env.PROVISIO_TENANT_DOMAIN ?? 'provisio.local';
  await store.db.insertInto('settings').values([{ key: 'tenant.id', value: randomUUID() }, { key: 'tenant.domain', value: domain }])
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  return { id: (await read('tenant.id'))!, domain: (await read('tenant.domain'))! };
}

export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? pino({ level: config.logLevel, redact: { paths: ['req.headers.authorization', '*.client_secret', '*.value_enc'], censor: '[redacted]' } });
  const store = overrides.store ?? (await openStore(config.databaseUrl, config.dataDir));
  await store.migrate();
  const secretKey = loadSecretKey(config);
  const tenant = await loadTenant(store);
  const box = new SecretBox(secretKey);
  const tokens = new TokenService(secretKey, tenant.id, config.tokenLifetimeSeconds, clock);
  const clients = new ClientRepository(store.db, clock);
  const bootstrap = await ensureBootstrapClient(clients, { clientId: config.bootstrapClientId, clientSecret: config.bootstrapClientSecret, dataDir: config.dataDir });
  const applications = new ApplicationService(store, clock, tenant.id);
  const catalog = builtInCatalog;
  const schemaValidator: SchemaValidator = validateSchemaWithExpressions;
  const sync = new SyncService(store, clock, box, catalog, tenant.id, schemaValidator);
  const directory = new DirectoryService(store, clock, tenant.domain);
  // Graph empties the recycle bin after 30 days; an hourly sweep is precise enough for that.
  const purge = setInterval(() => {
    directory.purgeExpired().catch((err: unknown) => logger.error({ err }, 'directory recycle-bin purge failed'));
  }, 3_600_000);
  purge.unref();
  const logs = createProvisioningLogs(store, { tenantId: tenant.id, retentionDays: config.logRetentionDays, rateLimit: config.auditRateLimit, clock, logger });
  const staging = new StagingStore(store, clock);
  const inboundEngine = new InboundEngine({
    store, directory, sync, applications, logs: logs.writer, clock, logger, tenant, staging, sources: overrides.inboundSources ?? [ldapInboundSourceFactory({
      state: jobStateInboundStore(store, clock),
      linkedAnchors: async (jobId) => (await store.db.selectFrom('inbound_links').select('anchor').where('job_id', '=', jobId).execute()).map((r) => r.anchor),
    })],
  });
  const engine = new SyncEngine({
    store, directory, sync, applications, logs: logs.writer, clock, logger, tenant,
    targetFactory: overrides.targetFactory ?? scimTargetFactory,
    inbound: inboundEngine,
  });
  const sc = config.scheduler;
  const runner = new Scheduler(store, sync, engine, clock, logger, {
    leaseMs: sc.leaseMs, heartbeatMs: sc.heartbeatMs, pollMs: sc.pollMs, concurrency: sc.concurrency,
    ...(sc.workerId ? { workerId: sc.workerId } : {}),
  });
  runner.enableSharing(engine, { threshold: sc.partitionThreshold, partitionSize: sc.partitionSize, waitMs: Math.min(sc.pollMs, 500) });
  const inbound = new InboundService(sync, staging, clock, logger, config.bulkUpload);
  // An upload makes its job due at once (a durable "sync now" any worker may claim under its lease);
  // processes that run jobs wait for it here, API-only ones leave it to the workers' poll.
  if (config.role !== 'api') {
    inbound.setRunner((jobId) => runner.runNow(jobId));
    // …and records staged by API-only processes (or left by a crash) are picked up within seconds.
    inbound.startPolling();
  }
  const appInstances = new AppInstanceService(store, clock, directory, tenant.id);
  // Pruning is background work: processes that run jobs do it, API-only ones leave it to them.
  if (config.role !== 'api') logs.retention.start();
  return {
    config, clock, logger, store, tenant, tokens, clients, applications, catalog, sync, directory, logs, engine, runner, inbound, appInstances, bootstrap,
    close: async () => {
      await inbound.stop();
      await runner.stop();
      clearInterval(purge);
      await logs.retention.stop();
      await store.close();
    },
  };
}
