/**
 * Per-object rejections through the fault proxy in front of the scimmy
 * application, on an injected clock: a user the application refuses (400)
 * becomes an escrow holding the request, the status and the application's
 * answer, with its nextAttempt; it is not retried within the cycle; it is
 * retried 6 h, 12 h, 24 h after the first failure and then daily (each
 * retry logged as `EntryEscrowRetry`), dropped after 28 days, and cleared
 * when a retry succeeds, or at once by provisionOnDemand. The escrow
 * listing (a Provisio extension) shows the same facts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { createScimTarget } from '../../src/connectors/scim/target.ts';
import type { ScimTarget } from '../../src/connectors/scim/target.ts';
import { EscrowRepository } from '../../src/engine/escrows.ts';
import { buildApp } from '../../src/app.ts';
import { ALL_PERMISSIONS } from '../../src/auth/permissions.ts';
import { DAY_MS, HOUR_MS } from '../../src/engine/ladder.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import type { FaultProxy } from '../helpers/fault-proxy.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { engineFixture } from './helpers.ts';
import type { EngineFixture } from './helpers.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('escrows: rejected objects on the retry ladder', () => {
  let app: SampleScimApp;
  let proxy: FaultProxy;
  let target: ScimTarget;
  let f: EngineFixture;
  const clock = new ManualClock(T0);
  const refused = new Set<string>();
  let escrows: EscrowRepository;
  const posts = (upn: string) => proxy.log.filter((r) => r.method === 'POST' && r.url.endsWith('/Users') && postedNames.get(r.index) === upn).length;
  const postedNames = new Map<number, string>();

  before(async () => {
    app = await startSampleScimApp({ entraCompat: true });
    proxy = await startFaultProxy({
      target: app.url,
      respond: (req) => {
        if (req.method !== 'POST' || !req.url.endsWith('/Users')) return undefined;
        const userName = String((JSON.parse(req.body) as { userName?: string }).userName).toLowerCase();
        postedNames.set(proxy.log.length, userName);
        return refused.has(userName)
          ? { status: 400, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: `userName ${userName} is reserved` } }
          : undefined;
      },
    });
    target = createScimTarget({ baseAddress: proxy.rewrite(app.url), secretToken: app.token });
    f = await engineFixture({ target: () => target, clock, seed: { users: 40, groups: 3, avgMembers: 8, seed: 9 }, secrets: { SyncAll: 'True' } });
    escrows = new EscrowRepository(f.jobId);
    const upns: string[] = [];
    for await (const b of f.services.directory.streamUsers()) for (const u of b) if (u.accountEnabled) upns.push(u.userPrincipalName.toLowerCase());
    for (const u of upns.slice(0, 3)) refused.add(u);
  });
  after(async () => {
    await f.close();
    await target.close();
    await proxy.close();
    await app.close();
  });

  const cycleAt = async (ms: number) => {
    clock.set(T0 + ms);
    const r = await f.engine.runCycle(f.jobId);
    assert.ok(r, 'the cycle ran');
    return r;
  };
  const logsOf = (upn: string) => f.logs.entries.filter((e) => e.sourceIdentity.displayName.toLowerCase() === upn);

  test('a refused user becomes an escrow with the request, the status and the answer; the others are created', async () => {
    const r = await cycleAt(0);
    assert.equal(r.counters.escrowed, 3);
    assert.equal(r.counters.retried, 0, 'a rejection is not retried within the cycle');
    const all = await escrows.list(f.services.store.db, { limit: 10 });
    assert.equal(all.length, 3);
    for (const e of all) {
      assert.equal(e.type, 'User');
      assert.equal(e.action, 'create');
      assert.equal(e.attempts, 1);
      assert.equal(e.firstFailedAt, at(0));
      assert.equal(e.nextAttemptAt, at(6 * HOUR_MS), 'first retry 6 h after the failure');
      assert.equal(e.error.code, 'SystemForCrossDomainIdentityManagementBadRequest');
      assert.equal(e.error.status, 400);
      const request = e.error.request as { method: string; path: string; body: string };
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/scim/v2/Users');
      assert.ok(refused.has(String((JSON.parse(request.body) as { userName: string }).userName).toLowerCase()));
      const response = e.error.response as { status: number; scimType: string; detail: string; body: string };
      assert.equal(response.status, 400);
      assert.equal(response.scimType, 'invalidValue');
      assert.match(response.detail, /is reserved/);
    }
    for (const upn of refused) {
      assert.equal(posts(upn), 1, 'one attempt only');
      const [entry] = logsOf(upn);
      assert.equal(entry!.provisioningStatusInfo.status, 'failure');
      assert.equal(entry!.provisioningAction, 'create');
      assert.match(entry!.provisioningStatusInfo.errorInformation!.reason,
        new RegExp(`^StatusCode: BadRequest[\\s\\S]*is reserved[\\s\\S]* This operation was retried 0 times\\. It will be retried again after this date: ${at(6 * HOUR_MS).replace(/\./g, '\\.')} UTC$`));
    }
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    assert.equal(job.status.lastExecution?.state, 'EntryLevelErrors');
    assert.equal(job.status.lastExecution?.countEscrowed, 3);
    assert.equal(job.status.quarantine, null, '3 failures are far from any threshold');
  });

  test('not before its nextAttempt; then at 6 h, 12 h and 24 h after the first failure, each retry logged', async () => {
    await cycleAt(1 * HOUR_MS);
    for (const upn of refused) assert.equal(posts(upn), 1, 'not due yet');
    const expected: [number, number, number][] = [[6, 2, 12], [12, 3, 24], [24, 4, 48]];
    for (const [hour, attempts, next] of expected) {
      const r = await cycleAt(hour * HOUR_MS);
      assert.equal(r.counters.escrowRetries, 3);
      for (const upn of refused) {
        assert.equal(posts(upn), attempts, `attempt ${attempts} at ${hour} h`);
        const entry = logsOf(upn).at(-1)!;
        const retry = entry.provisioningSteps[0]!;
        assert.equal(retry.name, 'EntryEscrowRetry');
        assert.equal(retry.details.TypeName, 'EscrowedEntryDefault');
        assert.equal(retry.details.CountProcessed, String(attempts - 1));
        assert.equal(retry.details.ModificationType, 'Add');
        assert.equal(retry.details.CreationTime, at(0));
        assert.match(entry.provisioningStatusInfo.errorInformation!.reason, new RegExp(`retried ${attempts - 1} times\\. It will be retried again after this date: ${at(next * HOUR_MS).replace(/\./g, '\\.')} UTC$`));
      }
      for (const e of await escrows.list(f.services.store.db, { limit: 10 })) {
        assert.equal(e.attempts, attempts);
        assert.equal(e.nextAttemptAt, at(next * HOUR_MS));
      }
    }
  });

  test('the escrow listing (Provisio extension) shows each escrow with its error and nextAttemptDateTime', async () => {
    const http = await buildApp(f.services);
    try {
      const { token } = await f.services.tokens.issue('reader', ['Synchronization.Read.All']);
      const res = await http.inject({ method: 'GET', url: `/v1.0/servicePrincipals/${f.spId}/synchronization/jobs/${f.jobId}/escrows?$top=2`, headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.statusCode, 200, res.body);
      const body = JSON.parse(res.body) as { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
      assert.equal(body.value.length, 2);
      assert.ok(body['@odata.nextLink']?.includes('$skiptoken='));
      const e = body.value[0]!;
      assert.equal(e.objectType, 'User');
      assert.equal(e.action, 'create');
      assert.equal(e.referenceFailure, false);
      assert.equal(e.attempts, 4);
      assert.equal(e.nextAttemptDateTime, at(48 * HOUR_MS));
      assert.equal(e.retriedUntilDateTime, at(28 * DAY_MS));
      assert.ok(refused.has(String(e.displayName).toLowerCase()));
      assert.equal((e.error as { status: number }).status, 400);
      const next = await http.inject({ method: 'GET', url: new URL(body['@odata.nextLink']!).pathname + new URL(body['@odata.nextLink']!).search, headers: { authorization: `Bearer ${token}` } });
      assert.equal((JSON.parse(next.body) as { value: unknown[] }).value.length, 1);
      // Permission checked; bad paging input is a Graph 400.
      const { token: none } = await f.services.tokens.issue('nobody', []);
      const denied = await http.inject({ method: 'GET', url: `/v1.0/servicePrincipals/${f.spId}/synchronization/jobs/${f.jobId}/escrows`, headers: { authorization: `Bearer ${none}` } });
      assert.equal(denied.statusCode, 403);
      const { token: all } = await f.services.tokens.issue('admin', [...ALL_PERMISSIONS]);
      const nul = Buffer.from(JSON.stringify(['User', 'a\u0000b'])).toString('base64url');
      for (const q of ['$top=0', '$skiptoken=bm9wZQ', `$skiptoken=${nul}`, '$filter=x']) {
        const bad = await http.inject({ method: 'GET', url: `/v1.0/servicePrincipals/${f.spId}/synchronization/jobs/${f.jobId}/escrows?${q}`, headers: { authorization: `Bearer ${all}` } });
        assert.equal(bad.statusCode, 400, q);
        assert.equal((JSON.parse(bad.body) as { error: { code: string } }).error.code, 'Request_BadRequest');
      }
      const doc = (await http.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Record<string, unknown>>> }>();
      const op = Object.entries(doc.paths).find(([p]) => p.endsWith('/jobs/{jobId}/escrows'))![1].get!;
      assert.equal(op['x-provisio-extension'], true);
      assert.deepEqual(op.tags, ['Provisio extensions']);
      assert.match(String(op.summary), /Provisio extension \(not Microsoft Graph\)/);
    } finally {
      await http.close();
    }
  });

  test('a retry that succeeds clears the escrow', async () => {
    const [fixed] = [...refused];
    refused.delete(fixed!);
    await cycleAt(48 * HOUR_MS);
    assert.ok(app.users().some((u) => String(u.userName).toLowerCase() === fixed), 'created at last');
    const created = logsOf(fixed!).find((e) => e.provisioningAction === 'create' && e.provisioningStatusInfo.status === 'success')!;
    assert.equal(created.provisioningSteps[0]!.name, 'EntryEscrowRetry');
    assert.equal(created.provisioningSteps[0]!.details.CountProcessed, '4');
    const left = await escrows.list(f.services.store.db, { limit: 10 });
    assert.equal(left.length, 2);
    assert.ok(left.every((e) => e.attempts === 5 && e.nextAttemptAt === at(72 * HOUR_MS)));
  });

  test('retry one object now: provisionOnDemand processes it at once and clears its escrow', async () => {
    const [fixed] = [...refused];
    refused.delete(fixed!);
    clock.set(T0 + 50 * HOUR_MS);
    const all: { id: string; userPrincipalName: string }[] = [];
    for await (const b of f.services.directory.streamUsers()) all.push(...b);
    const src = all.find((u) => u.userPrincipalName.toLowerCase() === fixed)!;
    assert.ok(await escrows.get(f.services.store.db, 'User', src.id), 'escrowed, next attempt at 72 h');
    const job = await f.services.sync.getJob(f.spId, f.jobId);
    const res = await f.engine.provisionOnDemand(job, { parameters: [{ ruleId: job.schema.synchronizationRules![0]!.id, subjects: [{ objectId: src.id, objectTypeName: 'User' }] }] }, { id: 'admin', displayName: 'admin' });
    assert.deepEqual(JSON.parse(res.key), { result: 'Success', details: {} });
    assert.equal((JSON.parse(res.value) as { action: string }).action, 'Create');
    assert.equal(await escrows.get(f.services.store.db, 'User', src.id), undefined, 'cleared');
    assert.equal(await escrows.count(f.services.store.db), 1);
  });

  test('daily retries until 28 days after the first failure; then the escrow is dropped', async () => {
    const before = posts([...refused][0]!);
    await cycleAt(27 * DAY_MS + HOUR_MS);
    assert.equal(posts([...refused][0]!), before + 1, 'a late cycle retries once, not once per missed day');
    for (const e of await escrows.list(f.services.store.db, { limit: 10 })) assert.equal(e.nextAttemptAt, at(28 * DAY_MS));
    await cycleAt(28 * DAY_MS);
    assert.equal(posts([...refused][0]!), before + 2);
    assert.equal(await escrows.count(f.services.store.db), 0, 'dropped after the 28th day');
    for (const upn of refused) assert.match(logsOf(upn).at(-1)!.provisioningStatusInfo.errorInformation!.reason, /will not be retried again until the object changes/);
    await cycleAt(29 * DAY_MS);
    assert.equal(posts([...refused][0]!), before + 2, 'no retry after that');
  });
});
