/**
 * Transient failures through a fault-injecting proxy in front of the scimmy
 * application: 10 % of requests answered 500, 5 % answered 429 with
 * Retry-After, 2 % never answered. The cycle converges to exactly the
 * expected target state; the target's counters, the cycle's counters and
 * the provisioning logs say what was retried; nothing is escrowed; the next
 * cycle has nothing left to do.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { createScimTarget } from '../../src/connectors/scim/target.ts';
import type { ScimTarget } from '../../src/connectors/scim/target.ts';
import { EscrowRepository } from '../../src/engine/escrows.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import type { FaultProxy } from '../helpers/fault-proxy.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';
import { expectedState } from './expected-state.ts';
import { assertAppHolds } from './converged.ts';

const TRANSIENT = new Set(['InternalServerError', 'TooManyRequests', 'Timeout']);

describe('a cycle through a faulty network converges', () => {
  let app: SampleScimApp;
  let proxy: FaultProxy;
  let target: ScimTarget;
  let f: EngineFixture;
  before(async () => {
    app = await startSampleScimApp({ entraCompat: true, logRequests: true });
    // PROVISIO_FAULT_SEED replays another sequence of faults (the default one is the recorded run).
    proxy = await startFaultProxy({ target: app.url, seed: Number(process.env.PROVISIO_FAULT_SEED ?? 20260302), rates: { error500: 0.1, throttle429: 0.05, hang: 0.02 }, retryAfter: '1' });
    // Short timeouts so that unanswered requests fail fast; the client's own retries as configured in production.
    target = createScimTarget({
      baseAddress: proxy.rewrite(app.url), secretToken: app.token,
      headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000, backoffBaseMs: 50, backoffMaxMs: 400,
    });
    f = await engineFixture({
      target: () => target,
      // Sync all: every one of the 300 users and 8 groups is in scope.
      seed: { users: 300, groups: 8, avgMembers: 20, seed: 5 },
      secrets: { SyncAll: 'True' },
      options: { retry: { passes: 6, baseDelayMs: 200, maxDelayMs: 2_000 } },
    });
  });
  after(async () => {
    await f.close();
    await target.close();
    await proxy.close();
    await app.close();
  });

  test('the initial cycle ends with exactly the expected users, groups, members and managers', async () => {
    const result = await f.engine.runCycle(f.jobId);
    assert.ok(result, 'the cycle ran (it was not quarantined)');
    const want = await expectedState(f.services.directory, f.spId, () => true, true);
    assert.ok(want.users.size > 250 && want.groups.size === 8, `${want.users.size} users, ${want.groups.size} groups in scope`);
    await assertAppHolds(app, f, want);

    // The proxy did inject every kind of fault.
    const faults = proxy.counts();
    assert.ok(faults.error500 > 0 && faults.throttle429 > 0 && faults.hang > 0, JSON.stringify(faults));

    // The target's counters: requests retried inside the client, 429s, timeouts.
    const stats = result.targetStats;
    if (process.env.PROVISIO_TEST_FIGURES) console.log(JSON.stringify({ faults, stats, counters: result.counters, ms: result.timeEnded.getTime() - result.timeBegan.getTime() }));
    assert.ok(stats.retries > 0, 'the client retried requests');
    assert.equal(stats.throttled, faults.throttle429, 'every 429 was seen');
    assert.ok(stats.timeouts > 0, 'unanswered requests timed out');

    // The cycle's counters: objects retried within the cycle (POSTs are never repeated by the client), none escrowed.
    assert.ok(result.counters.retried > 0, 'objects were retried within the cycle');
    assert.equal(result.counters.escrowed, 0);
    assert.equal(await new EscrowRepository(f.jobId).count(f.services.store.db), 0);
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.code === 'Quarantine', false);
    assert.equal(job.status.lastExecution?.state, 'Succeeded');
    assert.equal(job.status.lastExecution?.countEscrowed, 0);
  });

  test('the provisioning logs show each failed attempt and its retry', () => {
    const failures = f.logs.entries.filter((e) => e.provisioningStatusInfo.status === 'failure');
    assert.ok(failures.length > 0, 'failed attempts are logged');
    for (const e of failures) {
      const info = e.provisioningStatusInfo.errorInformation!;
      assert.ok(TRANSIENT.has(info.errorCode), `transient code, got ${info.errorCode}`);
      assert.match(info.reason, /This operation will be retried within this cycle \(attempt \d+\)\./);
    }
    const retries = f.logs.entries.filter((e) => e.provisioningSteps[0]?.name === 'EntryEscrowRetry');
    assert.ok(retries.length > 0);
    for (const e of retries) {
      const d = e.provisioningSteps[0]!.details;
      assert.equal(d.TypeName, 'TransientFailureRetry');
      assert.ok(TRANSIENT.has(d.PreviousErrorCode!), d.PreviousErrorCode);
      assert.ok(Number(d.CountProcessed) >= 1);
    }
    // Every object whose attempt failed has a later, successful attempt.
    const lastBySource = new Map<string, string>();
    for (const e of f.logs.entries) lastBySource.set(`${e.sourceIdentity.identityType}:${e.sourceIdentity.id}`, e.provisioningStatusInfo.status);
    for (const e of failures) assert.equal(lastBySource.get(`${e.sourceIdentity.identityType}:${e.sourceIdentity.id}`), 'success', `${e.sourceIdentity.displayName} ended well`);
  });

  test('with the faults gone, the next cycle sends no write', async () => {
    proxy.setRates({});
    app.requests.length = 0;
    const result = await f.engine.runCycle(f.jobId);
    assert.equal(result?.full, false);
    assert.deepEqual(app.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`), []);
    assert.equal(result?.counters.retried, 0);
  });
});
