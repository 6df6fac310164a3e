/**
 * A tenant, an application with a SCIM job, and an engine wired to a
 * chosen target: the setup every engine test starts from.
 */
import { pino } from 'pino';
import type { Store } from '../../src/store/store.ts';
import { createServices } from '../../src/services.ts';
import type { Services } from '../../src/services.ts';
import { loadConfig } from '../../src/config/config.ts';
import { seedTenant } from '../../src/directory/seed.ts';
import type { SeedOptions } from '../../src/directory/seed.ts';
import { SyncEngine } from '../../src/engine/engine.ts';
import type { EngineOptions } from '../../src/engine/engine.ts';
import type { Clock } from '../../src/util/time.ts';
import type { ProvisioningObjectSummary, ProvisioningLogSink } from '../../src/engine/log-entry.ts';
import type { TargetPort } from '../../src/connectors/ports.ts';
import { tempDir } from '../helpers/sqlite.ts';
import { randomBytes } from 'node:crypto';

export class MemoryLogs implements ProvisioningLogSink {
  readonly entries: ProvisioningObjectSummary[] = [];
  write(entries: readonly ProvisioningObjectSummary[]): Promise<void> {
    this.entries.push(...entries);
    return Promise.resolve();
  }
}

/** The engine closes its target after each cycle; tests inspect one target across cycles. */
function keepOpen(target: TargetPort): TargetPort {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === 'close') return () => Promise.resolve();
      const v = Reflect.get(t, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

export interface EngineFixture {
  services: Services;
  engine: SyncEngine;
  logs: MemoryLogs;
  spId: string;
  jobId: string;
  close(): Promise<void>;
}

export async function engineFixture(opts: {
  target: () => TargetPort;
  seed?: Partial<SeedOptions>;
  secrets?: Record<string, string>;
  store?: Store;
  /** The services' and the engine's clock (tests of ladders move it). */
  clock?: Clock;
  /** Engine tuning: thresholds, batch size, in-cycle retries. */
  options?: EngineOptions;
}): Promise<EngineFixture> {
  const t = tempDir();
  const config = loadConfig({ port: 0, dataDir: t.dir, logLevel: 'silent' }, { PROVISIO_SECRET_KEY: randomBytes(32).toString('base64url') });
  const services = await createServices(config, { store: opts.store, logger: pino({ level: 'silent' }), ...(opts.clock ? { clock: opts.clock } : {}) });
  const { application, servicePrincipal } = await services.store.transaction(async (trx) => {
    const application = await services.applications.createApplication({ displayName: 'Engine test app' }, null, trx);
    const servicePrincipal = await services.applications.createServicePrincipal({ appId: application.appId }, null, trx);
    await services.sync.seedTemplates(servicePrincipal.id, application.appId, ['scim'], trx);
    return { application, servicePrincipal };
  });
  void application;
  await seedTenant(services.directory, { users: 60, groups: 6, avgMembers: 12, seed: 7, assignTo: servicePrincipal.id, ...opts.seed });
  await services.sync.putSecrets(servicePrincipal.id, Object.entries({ BaseAddress: 'http://127.0.0.1:1/scim', SecretToken: 'x', ...opts.secrets }).map(([key, value]) => ({ key, value })));
  const job = await services.sync.createJob(servicePrincipal.id, { templateId: 'scim' });
  const logs = new MemoryLogs();
  const engine = new SyncEngine({
    store: services.store, directory: services.directory, sync: services.sync, applications: services.applications, logs,
    clock: services.clock, logger: services.logger, tenant: services.tenant, targetFactory: () => keepOpen(opts.target()),
    ...(opts.options ? { options: opts.options } : {}),
  });
  return {
    services, engine, logs, spId: servicePrincipal.id, jobId: job.id,
    close: async () => {
      await services.close();
      t.dispose();
    },
  };
}
