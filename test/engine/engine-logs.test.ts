/**
 * The engine as the services wire it: recording into the real
 * provisioning-log store (SQLite), not the tests' in-memory sink. The
 * initial cycle sets managers, whose log entries are written inside the
 * transaction that saves the links; it must finish (a write through the
 * store's own connection while that transaction holds it never would) and
 * every entry must be readable afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createServices } from '../../src/services.ts';
import { loadConfig } from '../../src/config/config.ts';
import { seedTenant } from '../../src/directory/seed.ts';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { tempDir } from '../helpers/sqlite.ts';

test('a cycle records every log entry in the provisioning-log store, managers included', { timeout: 60_000 }, async () => {
  const t = tempDir();
  const config = loadConfig({ port: 0, dataDir: t.dir, logLevel: 'silent' }, { PROVISIO_SECRET_KEY: randomBytes(32).toString('base64url') });
  const services = await createServices(config, { logger: pino({ level: 'silent' }), targetFactory: () => createMemoryTarget() });
  try {
    const sp = await services.store.transaction(async (trx) => {
      const app = await services.applications.createApplication({ displayName: 'Engine log test' }, null, trx);
      const sp = await services.applications.createServicePrincipal({ appId: app.appId }, null, trx);
      await services.sync.seedTemplates(sp.id, app.appId, ['scim'], trx);
      return sp;
    });
    await seedTenant(services.directory, { users: 40, groups: 4, avgMembers: 8, seed: 3 });
    await services.sync.putSecrets(sp.id, [{ key: 'BaseAddress', value: 'http://127.0.0.1:1/scim' }, { key: 'SyncAll', value: 'true' }]);
    const job = await services.sync.createJob(sp.id, { templateId: 'scim' });
    const result = await services.engine.runCycle(job.id);
    assert.ok(result, 'the cycle ran');
    assert.ok(result.counters.created > 0);
    const entries = [];
    let after;
    do {
      const page = await services.logs.reader.list({ top: 1000, order: 'asc', ...(after ? { after } : {}) });
      entries.push(...page.items);
      after = page.next;
    } while (after);
    const managerUpdates = entries.filter((e) => e.modifiedProperties.some((p) => p.displayName === 'manager'));
    assert.ok(managerUpdates.length > 0, 'manager updates are logged');
    assert.equal(entries.filter((e) => e.provisioningAction === 'create').length, result.counters.created);
  } finally {
    await services.close();
    t.dispose();
  }
});
