/**
 * The SCIM HTTP client: error classification of every status, retries and
 * back-off, Retry-After (seconds and HTTP date), timeouts, resets, an
 * unreachable target, the concurrency bound, adaptive rate control, closing,
 * and that the bearer token never appears in an error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdaptiveLimiter, classifyStatus, createScimClient, parseRetryAfter } from '../../src/connectors/scim/client.ts';
import type { RequestIntent, ScimClientOptions } from '../../src/connectors/scim/client.ts';
import { createScimTarget } from '../../src/connectors/scim/target.ts';
import {
  ConflictTargetError,
  NotFoundTargetError,
  RejectedTargetError,
  StopRunError,
  TargetError,
  TransientTargetError,
} from '../../src/connectors/errors.ts';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import type { SampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import type { FaultProxy } from '../helpers/fault-proxy.ts';
import { activeHandles, assertNoLeaks } from '../helpers/leaks.ts';

const TOKEN = 'secret-token-that-must-not-leak';

/** A clock that only moves when the client sleeps; records every sleep. */
function fakeTime(startMs = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: { now: () => new Date(now) },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    get nowMs() {
      return now;
    },
  };
}

/**
 * A tiny server whose answer is chosen by the first path segment:
 * `/s/<status>/…` answers that status with a SCIM error that echoes the
 * Authorization header (to prove redaction); `/list/<json>` answers 200
 * with the URL-decoded JSON; `/raw/<status>/<text>` answers raw text.
 */
function tinyHandler(req: IncomingMessage, res: ServerResponse): void {
  const [, kind, arg, rest] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
  req.resume();
  if (kind === 's') {
    const status = Number(arg);
    const headers: Record<string, string> = { 'content-type': 'application/scim+json' };
    if (status === 429) headers['retry-after'] = '7';
    if (status === 302) headers.location = '/elsewhere';
    res.writeHead(status, headers);
    res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), scimType: status === 409 ? 'uniqueness' : undefined, detail: `you sent ${req.headers.authorization}` }));
    return;
  }
  if (kind === 'list') {
    res.writeHead(Number(arg), { 'content-type': 'application/scim+json' });
    res.end(decodeURIComponent(rest ?? ''));
    return;
  }
  res.writeHead(500);
  res.end();
}

let baseline: Record<string, number>;
let tiny: Server;
let tinyOrigin: string;
let app: SampleScimApp;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  baseline = activeHandles();
  tiny = createServer(tinyHandler);
  await new Promise<void>((r) => tiny.listen(0, '127.0.0.1', r));
  tinyOrigin = `http://127.0.0.1:${(tiny.address() as AddressInfo).port}`;
  app = await startSampleScimApp({ token: TOKEN, logRequests: false });
});

after(async () => {
  for (const c of closers.reverse()) await c();
  await new Promise<void>((r) => {
    tiny.close(() => r());
    tiny.closeAllConnections();
  });
  await app.close();
  await assertNoLeaks(baseline);
});

function client(options: Partial<ScimClientOptions> & { baseUrl: string }) {
  const c = createScimClient({ secretToken: TOKEN, maxAttempts: 1, ...options });
  closers.push(() => c.close());
  return c;
}

async function proxy(plan: Parameters<typeof startFaultProxy>[0]['plan'], extra: Partial<Parameters<typeof startFaultProxy>[0]> = {}): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: app.url, plan, ...extra });
  closers.push(() => p.close());
  return p;
}

describe('error classification', () => {
  const cases: Array<[number, RequestIntent, new (...a: never[]) => TargetError, string]> = [
    [401, 'read', StopRunError, 'SystemForCrossDomainIdentityManagementInvalidCredentials'],
    [403, 'update', StopRunError, 'SystemForCrossDomainIdentityManagementInvalidCredentials'],
    [429, 'create', TransientTargetError, 'TooManyRequests'],
    [500, 'read', TransientTargetError, 'InternalServerError'],
    [502, 'query', TransientTargetError, 'InternalServerError'],
    [503, 'update', TransientTargetError, 'InternalServerError'],
    [504, 'delete', TransientTargetError, 'Timeout'],
    [408, 'read', TransientTargetError, 'Timeout'],
    [404, 'read', NotFoundTargetError, 'InvalidAnchor'],
    [404, 'update', NotFoundTargetError, 'InvalidAnchor'],
    [404, 'delete', NotFoundTargetError, 'InvalidAnchor'],
    [404, 'query', StopRunError, 'SystemForCrossDomainIdentityManagementServiceIncompatibleFiltering'],
    [404, 'create', StopRunError, 'SystemForCrossDomainIdentityManagementServiceIncompatible'],
    [404, 'probe', StopRunError, 'SystemForCrossDomainIdentityManagementServiceIncompatibleFiltering'],
    [400, 'probe', StopRunError, 'SystemForCrossDomainIdentityManagementServiceIncompatibleFiltering'],
    [409, 'create', ConflictTargetError, 'EntryConflict'],
    [409, 'update', RejectedTargetError, 'EntryConflict'],
    [400, 'update', RejectedTargetError, 'SystemForCrossDomainIdentityManagementBadRequest'],
    [400, 'query', RejectedTargetError, 'SystemForCrossDomainIdentityManagementServiceIncompatibleFiltering'],
    [413, 'update', RejectedTargetError, 'SystemForCrossDomainIdentityManagementBadRequest'],
    [405, 'update', RejectedTargetError, 'MethodNotAllowed'],
    [422, 'create', RejectedTargetError, 'UnprocessableEntity'],
    [501, 'update', RejectedTargetError, 'NotImplemented'],
    [302, 'read', StopRunError, 'SystemForCrossDomainIdentityManagementServiceIncompatible'],
  ];
  for (const [status, intent, cls, code] of cases) {
    test(`${status} on ${intent} → ${cls.name} ${code}`, async () => {
      const c = client({ baseUrl: `${tinyOrigin}/s/${status}` });
      const method = intent === 'create' ? 'POST' : intent === 'update' ? 'PATCH' : intent === 'delete' ? 'DELETE' : 'GET';
      const body = method === 'POST' || method === 'PATCH' ? { userName: 'someone' } : undefined;
      await assert.rejects(c.request({ method, path: '/Users/x', intent, body }), (e: unknown) => {
        assert.ok(e instanceof cls, `got ${String(e)}`);
        assert.ok(e instanceof TargetError);
        assert.equal(e.code, code);
        assert.equal(e.response?.status, status);
        assert.equal(e.request?.method, method);
        assert.equal(e.request?.path, `/s/${status}/Users/x`);
        if (body) assert.equal(e.request?.body, JSON.stringify(body));
        // The server echoed the Authorization header: it must be redacted everywhere.
        const all = `${e.message} ${JSON.stringify(e)} ${e.entraReason()} ${String(e.stack)}`;
        assert.ok(!all.includes(TOKEN), 'the bearer token leaked into the error');
        if (status !== 302) assert.match(e.response?.body ?? '', /Bearer \[redacted\]/);
        if (status === 429) assert.equal((e as TransientTargetError).retryAfterMs, 7000);
        return true;
      });
    });
  }

  test('classifyStatus is pure and keeps the SCIM error fields', () => {
    const e = classifyStatus(409, 'create', { method: 'POST', path: '/Users' }, { status: 409, scimType: 'uniqueness', detail: 'taken' });
    assert.ok(e instanceof ConflictTargetError);
    assert.match(e.message, /POST \/Users answered 409 uniqueness: taken/);
  });
});

describe('answers that are not SCIM stop the run', () => {
  const target = (body: string, status = 200) => {
    const t = createScimTarget({ baseAddress: `${tinyOrigin}/list/${status}/${encodeURIComponent(body)}`, secretToken: TOKEN, maxAttempts: 1 });
    closers.push(() => t.close());
    return t;
  };
  test('an invalid ListResponse', async () => {
    await assert.rejects(target('{"hello":1}').findUser('userName', 'a'), (e: unknown) => e instanceof StopRunError && e.code === 'SystemForCrossDomainIdentityManagementServiceIncompatible');
    await assert.rejects(target('not json').findUser('userName', 'a'), StopRunError);
    await assert.rejects(target('{"totalResults":1}').findUser('userName', 'a'), StopRunError);
  });
  test('a create answer without id', async () => {
    await assert.rejects(target('{"userName":"a"}', 201).createUser({ userName: 'a' }), (e: unknown) => e instanceof StopRunError && e.quarantineReason === 'EncounteredQuarantineException');
  });
  test('a test connection that finds the random GUID (filter ignored)', async () => {
    const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, Resources: [{ id: '1' }] });
    await assert.rejects(target(body).testConnection(), (e: unknown) => e instanceof StopRunError && e.code === 'SystemForCrossDomainIdentityManagementServiceIncompatibleFiltering');
  });
  test('a test connection against a target without /Groups', async () => {
    const p = await startFaultProxy({ target: app.url });
    closers.push(() => p.close());
    const t = createScimTarget({ baseAddress: `${p.origin}/scim/v2`, secretToken: TOKEN, maxAttempts: 1 });
    closers.push(() => t.close());
    await t.testConnection({ groups: false });
    const noGroups = createScimTarget({ baseAddress: `${tinyOrigin}/s/404`, secretToken: TOKEN, maxAttempts: 1 });
    closers.push(() => noGroups.close());
    await assert.rejects(noGroups.testConnection(), StopRunError);
  });
  test('bad credentials', async () => {
    const t = createScimTarget({ baseAddress: app.url, secretToken: 'wrong', maxAttempts: 1 });
    closers.push(() => t.close());
    await assert.rejects(t.testConnection(), (e: unknown) => e instanceof StopRunError && e.code === 'SystemForCrossDomainIdentityManagementInvalidCredentials' && e.status === 401);
  });
});

describe('retries', () => {
  test('Retry-After in seconds is waited out, then the request succeeds', async () => {
    const p = await proxy(['throttle429', 'throttle429'], { retryAfter: '3' });
    const time = fakeTime();
    const c = client({ baseUrl: `${p.origin}/scim/v2`, maxAttempts: 4, clock: time.clock, sleep: time.sleep });
    const res = await c.request({ method: 'GET', path: '/Users', query: 'filter=userName+eq+%22x%22', intent: 'query' });
    assert.equal(res.status, 200);
    assert.deepEqual(time.sleeps, [3000, 3000]);
    assert.deepEqual(p.log.map((r) => r.fault), ['throttle429', 'throttle429', 'pass']);
    const s = c.stats();
    assert.equal(s.throttled, 2);
    assert.equal(s.retries, 2);
    assert.equal(s.requests, 3);
  });

  test('Retry-After as an HTTP date is waited out relative to the clock', async () => {
    const time = fakeTime();
    const p = await proxy(['throttle429'], { retryAfter: new Date(time.nowMs + 5000).toUTCString() });
    const c = client({ baseUrl: `${p.origin}/scim/v2`, maxAttempts: 2, clock: time.clock, sleep: time.sleep });
    await c.request({ method: 'POST', path: '/Users', intent: 'create', body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'date@x' } });
    assert.deepEqual(time.sleeps, [5000]);
  });

  test('a Retry-After beyond maxRetryAfterMs is left to the engine', async () => {
    const p = await proxy(['throttle429'], { retryAfter: '600' });
    const time = fakeTime();
    const c = client({ baseUrl: `${p.origin}/scim/v2`, maxAttempts: 4, maxRetryAfterMs: 60_000, clock: time.clock, sleep: time.sleep });
    await assert.rejects(c.request({ method: 'GET', path: '/Users', intent: 'query' }), (e: unknown) => {
      assert.ok(e instanceof TransientTargetError);
      assert.equal(e.retryAfterMs, 600_000);
      assert.equal(e.attempts, 1);
      return true;
    });
    assert.deepEqual(time.sleeps, []);
  });

  test('5xx back-off is exponential with jitter, up to maxAttempts', async () => {
    const p = await proxy(['error500', 'error500', 'error500', 'error500']);
    const time = fakeTime();
    const c = client({ baseUrl: `${p.origin}/scim/v2`, maxAttempts: 4, backoffBaseMs: 100, clock: time.clock, sleep: time.sleep, random: () => 0.5 });
    await assert.rejects(c.request({ method: 'GET', path: '/Users', intent: 'query' }), (e: unknown) => {
      assert.ok(e instanceof TransientTargetError);
      assert.equal(e.code, 'InternalServerError');
      assert.equal(e.attempts, 4);
      return true;
    });
    // step = 100·2^(n−1); wait = step/2 + random·step/2.
    assert.deepEqual(time.sleeps, [75, 150, 300]);
    assert.equal(c.stats().failures, 1);
  });

  test('a POST is not repeated after a 500 (it may have been processed), but is after a 429', async () => {
    const p = await proxy(['error500']);
    const time = fakeTime();
    const c = client({ baseUrl: `${p.origin}/scim/v2`, maxAttempts: 4, clock: time.clock, sleep: time.sleep });
    await assert.rejects(c.request({ method: 'POST', path: '/Users', intent: 'create', body: { userName: 'once@x' } }), TransientTargetError);
    assert.equal(p.log.length, 1);
    p.setPlan(['throttle429']);
    const ok = await c.request({ method: 'POST', path: '/Users', intent: 'create', body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'twice@x' } });
    assert.equal(ok.status, 201);
    assert.equal(p.log.length, 3);
  });

  test('a request that hangs times out and is retried when repeatable', async () => {
    const p = await proxy(['hang']);
    const time = fakeTime();
    const c = client({ baseUrl: `${p.origin}/scim/v2`, maxAttempts: 2, headersTimeoutMs: 150, clock: time.clock, sleep: time.sleep });
    const res = await c.request({ method: 'GET', path: '/Users', intent: 'query' });
    assert.equal(res.status, 200);
    assert.equal(c.stats().timeouts, 1);
    p.setPlan(['hang']);
    await assert.rejects(c.request({ method: 'POST', path: '/Users', intent: 'create', body: { userName: 'slow@x' } }), (e: unknown) => {
      assert.ok(e instanceof TransientTargetError);
      assert.equal(e.code, 'Timeout');
      return true;
    });
  });

  test('a reset connection is retried when repeatable', async () => {
    const p = await proxy(['reset']);
    const time = fakeTime();
    const c = client({ baseUrl: `${p.origin}/scim/v2`, maxAttempts: 2, clock: time.clock, sleep: time.sleep });
    assert.equal((await c.request({ method: 'GET', path: '/Users', intent: 'query' })).status, 200);
    p.setPlan(['reset']);
    await assert.rejects(c.request({ method: 'POST', path: '/Users', intent: 'create', body: { userName: 'r@x' } }), (e: unknown) => e instanceof TransientTargetError && e.code === 'WebExceptionProtocolError');
  });

  test('an unreachable target stops the run after the retries', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const time = fakeTime();
    const c = client({ baseUrl: `http://127.0.0.1:${port}/scim`, maxAttempts: 3, clock: time.clock, sleep: time.sleep });
    await assert.rejects(c.request({ method: 'POST', path: '/Users', intent: 'create', body: {} }), (e: unknown) => {
      assert.ok(e instanceof StopRunError);
      assert.equal(e.code, 'SystemForCrossDomainIdentityManagementServiceIntegrationUnavailable');
      assert.match(e.message, /ECONNREFUSED/);
      return true;
    });
    assert.equal(time.sleeps.length, 2);
  });

  test('close() cuts a back-off short and the request fails as transient', async () => {
    const p = await proxy(['error500']);
    const c = createScimClient({ baseUrl: `${p.origin}/scim/v2`, secretToken: TOKEN, maxAttempts: 2, backoffBaseMs: 60_000 });
    // Settle into a value at once, so the rejection during close() is handled.
    const outcome = c.request({ method: 'GET', path: '/Users', intent: 'query' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    while (p.log.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await c.close();
    const e = await outcome;
    assert.ok(Date.now() - started < 5000, 'close() did not wait for the 60 s back-off');
    assert.ok(e instanceof TransientTargetError && e.code === 'ClientClosed', `got ${String(e)}`);
    await assert.rejects(c.request({ method: 'GET', path: '/Users', intent: 'query' }), TransientTargetError);
  });

  test('parseRetryAfter reads seconds and dates, and ignores garbage', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(new Date(now + 2000).toUTCString(), now), 2000);
    assert.equal(parseRetryAfter(new Date(now - 2000).toUTCString(), now), 0);
    assert.equal(parseRetryAfter(['5', '9'], now), 5000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

describe('concurrency', () => {
  test('never more than `concurrency` requests in flight at the server', async () => {
    const slow = await startSampleScimApp({ token: TOKEN, delayMs: 15 });
    closers.push(() => slow.close());
    const t = createScimTarget({ baseAddress: slow.url, secretToken: TOKEN, concurrency: 4 });
    closers.push(() => t.close());
    await Promise.all(Array.from({ length: 40 }, (_, i) => t.findUser('userName', `nobody-${i}`)));
    assert.equal(slow.stats().requests, 40);
    assert.ok(slow.stats().maxInFlight <= 4, `server saw ${slow.stats().maxInFlight} in flight`);
    assert.ok(slow.stats().maxInFlight >= 2, 'requests did run in parallel');
    assert.equal(t.stats().maxInFlight, slow.stats().maxInFlight);
    assert.equal(t.stats().inFlight, 0);
  });

  test('429s lower the limit (AIMD) and successes raise it again', async () => {
    const p = await proxy([], { seed: 7, rates: { throttle429: 0.5 }, retryAfter: null });
    const time = fakeTime();
    // Enough attempts that no request runs out of them at a 50 % 429 rate (2^-40).
    const c = client({ baseUrl: `${p.origin}/scim/v2`, concurrency: 8, maxAttempts: 40, clock: time.clock, sleep: time.sleep });
    let lowest = 8;
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        await c.request({ method: 'GET', path: '/Users', intent: 'query' });
        lowest = Math.min(lowest, c.stats().concurrencyLimit);
      }),
    );
    assert.ok(c.stats().throttled > 0);
    assert.ok(lowest < 8, `limit stayed at ${lowest}`);
    p.setRates({});
    for (let i = 0; i < 60; i++) await c.request({ method: 'GET', path: '/Users', intent: 'query' });
    assert.equal(c.stats().concurrencyLimit, 8);
  });

  test('AdaptiveLimiter: halves once per epoch, +1 per `limit` successes, pauses for Retry-After', async () => {
    const time = fakeTime();
    const l = new AdaptiveLimiter(8, 1, true, () => time.nowMs, time.sleep);
    const e0 = await l.acquire();
    l.release();
    l.onThrottle(e0, undefined);
    assert.equal(l.limit, 4);
    l.onThrottle(e0, undefined); // a late 429 from before the decrease counts once
    assert.equal(l.limit, 4);
    const e1 = await l.acquire();
    l.release();
    l.onThrottle(e1, 2500);
    assert.equal(l.limit, 2);
    for (let i = 0; i < 2; i++) l.onSuccess();
    assert.equal(l.limit, 3);
    for (let i = 0; i < 3; i++) l.onSuccess();
    assert.equal(l.limit, 4);
    const before = time.nowMs;
    await l.acquire();
    assert.equal(time.nowMs - before, 2500, 'acquire waited out the Retry-After pause');
    l.release();
  });

  test('AdaptiveLimiter: FIFO, and the limit holds under contention', async () => {
    const l = new AdaptiveLimiter(2, 1, false, () => 0, async () => {});
    const order: number[] = [];
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        await l.acquire();
        order.push(i);
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
        l.release();
      }),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(l.maxInFlight, 2);
  });
});
