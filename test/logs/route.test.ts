/**
 * GET /v1.0/auditLogs/provisioning over real HTTP: entries written through
 * services.logs come back filtered, ordered, paged without loss or
 * duplicates and projected by $select; every body matches Graph's schema;
 * bad options are Graph-shaped 400s that say where; nothing is ever a 500.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { assertGraphShape } from '../helpers/graph-openapi.ts';
import type { ProvisioningObjectSummary } from '../../src/logs/model.ts';
import { prepareFilter } from '../../src/logs/filter.ts';
import { GRAPH_JSON } from '../../src/graph/odata.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../src/api/routes/audit-logs.ts';
import { JOBS, byTimeDesc, generateEntries, oracle } from './fixtures.ts';
import { openTestPostgresStore, postgresSkipReason } from '../helpers/postgres.ts';

interface Collection {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: Partial<ProvisioningObjectSummary>[];
}

interface GraphErrorBody {
  error: { code: string; message: string; target?: string; details?: { code: string; message: string; target?: string }[]; innerError: Record<string, string> };
}

const PATH = '/v1.0/auditLogs/provisioning';
const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

// Probed before the suites start (see store.test.ts for why).
const postgresSkip = await postgresSkipReason();

for (const dialect of ['sqlite', 'postgres'] as const) {
describe(`GET /v1.0/auditLogs/provisioning (${dialect})`, { skip: dialect === 'postgres' ? postgresSkip : undefined }, () => {
  let server: TestServer;
  let data: ProvisioningObjectSummary[];
  let dispose: (() => Promise<void>) | undefined;

  before(async () => {
    const pg = dialect === 'postgres' ? await openTestPostgresStore('route') : undefined;
    dispose = pg?.dispose;
    // Retention off: the generated entries are from 2023 and must outlive the test.
    server = await startTestServer({ ...(pg ? { store: pg.store } : {}), env: { PROVISIO_LOG_RETENTION_DAYS: '0' }, logLevel: 'warn' });
    assert.equal(server.services.store.dialect, dialect);
    data = await server.services.logs.writer.write(generateEntries(250, 11));
  });
  after(async () => {
    await server?.close();
    await dispose?.();
  });

  /** GET, check the status, and check Graph's shape (collection, entity or error). */
  async function get<T>(path: string, status = 200, absolute = false): Promise<{ body: T; res: Response }> {
    const res = absolute ? await fetch(path, { headers: { authorization: `Bearer ${await server.token()}` } }) : await server.api(path);
    const text = await res.text();
    assert.equal(res.status, status, `${path} → ${res.status} ${text.slice(0, 500)}`);
    const body = JSON.parse(text) as T;
    if (status >= 400) {
      const e = (body as GraphErrorBody).error;
      assert.ok(e.code && e.message && e.innerError['request-id'] && e.innerError.date, text);
    }
    return { body, res };
  }

  async function list(query = '', status = 200): Promise<Collection> {
    const { body, res } = await get<Collection>(`${PATH}${query}`, status);
    assert.equal(res.headers.get('content-type'), GRAPH_JSON);
    assertGraphShape('microsoft.graph.provisioningObjectSummaryCollectionResponse', body);
    return body;
  }

  /** Follows @odata.nextLink to the end; returns every entry and the number of pages. */
  async function all(query: string): Promise<{ items: Partial<ProvisioningObjectSummary>[]; pages: number }> {
    let page = await list(query);
    const items = [...page.value];
    let pages = 1;
    while (page['@odata.nextLink']) {
      const next = page['@odata.nextLink'];
      assert.ok(next.startsWith(`${server.url}${PATH}?`), next);
      const { body } = await get<Collection>(next, 200, true);
      assertGraphShape('microsoft.graph.provisioningObjectSummaryCollectionResponse', body);
      page = body;
      items.push(...page.value);
      if (++pages > 1000) throw new Error('paging did not end');
    }
    return { items, pages };
  }

  const newestFirst = () => [...data].sort(byTimeDesc).map((e) => e.id);

  test(`lists newest first, ${DEFAULT_PAGE_SIZE} to a page, with the @odata.context of the docs`, async () => {
    const page = await list();
    assert.equal(page['@odata.context'], `${server.url}/v1.0/$metadata#auditLogs/provisioning`);
    assert.deepEqual(page.value.map((e) => e.id), newestFirst().slice(0, DEFAULT_PAGE_SIZE));
    assert.match(page['@odata.nextLink'] ?? '', /\$skiptoken=/);
  });

  test('pages through every entry without loss or duplicates, newest first and oldest first', async () => {
    const desc = await all(q({ $top: '33' }));
    assert.deepEqual(desc.items.map((e) => e.id), newestFirst());
    assert.equal(desc.pages, Math.ceil(data.length / 33));
    const asc = await all(q({ $top: '40', $orderby: 'activityDateTime asc' }));
    assert.deepEqual(asc.items.map((e) => e.id), newestFirst().reverse());
    // OData's default direction is ascending.
    const bare = await list(q({ $top: '5', $orderby: 'activityDateTime' }));
    assert.deepEqual(bare.value.map((e) => e.id), newestFirst().reverse().slice(0, 5));
    const explicit = await list(q({ $top: '5', $orderby: 'ActivityDateTime DESC' }));
    assert.deepEqual(explicit.value.map((e) => e.id), newestFirst().slice(0, 5));
  });

  const filters = [
    `jobid eq '${JOBS[0]}'`,
    `jobid eq '${JOBS[1]}' and statusInfo/status eq 'failure' and activityDateTime ge 2023-07-30T09:47:34Z`,
    `jobid eq '${JOBS[2]}' and sourceIdentity/id eq '701984'`,
    "((contains(tolower(servicePrincipal/id), 'sp-one') or contains(tolower(servicePrincipal/displayName), 'sp-one')) and activityDateTime gt 2023-07-30 and activityDateTime lt 2023-07-31)",
    "provisioningStatusInfo/status eq 'Failure' and not (sourceIdentity/displayName eq 'Dara O''Brien')",
  ];
  for (const filter of filters) {
    test(`$filter=${filter}`, async () => {
      const expected = data.filter((e) => oracle(prepareFilter(filter), e)).sort(byTimeDesc).map((e) => e.id);
      assert.ok(expected.length > 0, 'the filter matches something');
      const { items, pages } = await all(q({ $filter: filter, $top: '7' }));
      assert.deepEqual(items.map((e) => e.id), expected);
      assert.equal(pages, Math.max(1, Math.ceil(expected.length / 7)));
    });
  }

  test('$select keeps only the named properties (names ignore case)', async () => {
    const page = await list(q({ $select: 'id,JOBID,provisioningStatusInfo', $top: '3' }));
    for (const e of page.value) assert.deepEqual(Object.keys(e), ['id', 'jobId', 'provisioningStatusInfo']);
    const full = data.find((e) => e.id === page.value[0]!.id)!;
    assert.deepEqual(page.value[0], { id: full.id, jobId: full.jobId, provisioningStatusInfo: full.provisioningStatusInfo });
    const { body } = await get<GraphErrorBody>(`${PATH}${q({ $select: 'id,colour' })}`, 400);
    assert.match(body.error.message, /Could not find a property named 'colour' on type 'microsoft\.graph\.provisioningObjectSummary'/);
  });

  test('GET /{id} returns the entry; the key form provisioning(\'id\') works too; $select applies', async () => {
    const entry = data[17]!;
    const { body } = await get<Record<string, unknown>>(`${PATH}/${encodeURIComponent(entry.id)}`);
    assertGraphShape('microsoft.graph.provisioningObjectSummary', body);
    const { '@odata.context': context, ...rest } = body;
    assert.equal(context, `${server.url}/v1.0/$metadata#auditLogs/provisioning/$entity`);
    assert.deepEqual(rest, entry);
    const keyed = await get<Record<string, unknown>>(`${PATH}('${entry.id}')?$select=jobId`);
    assert.deepEqual(keyed.body, { '@odata.context': context, jobId: entry.jobId });
  });

  test('an unknown id is a 404 with Graph\'s error body', async () => {
    const { body } = await get<GraphErrorBody>(`${PATH}/no-such-entry`, 404);
    assert.equal(body.error.code, 'Request_ResourceNotFound');
    assert.match(body.error.message, /no-such-entry/);
  });

  test('entries written through services.logs are readable at once', async () => {
    const [written] = await server.services.logs.writer.write([{ activityDateTime: '2023-08-01T00:00:00Z', jobId: 'fresh-job', provisioningAction: 'create' }]);
    const page = await list(q({ $filter: "jobId eq 'fresh-job'" }));
    assert.deepEqual(page.value, [written]);
    assert.equal(written!.tenantId, server.services.tenant.id);
    await server.services.store.db.deleteFrom('provisioning_logs').where('job_id', '=', 'fresh-job').execute();
  });

  test(`$top above ${MAX_PAGE_SIZE} is served ${MAX_PAGE_SIZE} at a time`, async () => {
    const many = Array.from({ length: MAX_PAGE_SIZE + 20 }, (_, i) => ({ activityDateTime: new Date(Date.UTC(2024, 0, 1) + i * 1000), jobId: 'cap-job' }));
    await server.services.logs.writer.write(many);
    const first = await list(q({ $filter: "jobId eq 'cap-job'", $top: '5000' }));
    assert.equal(first.value.length, MAX_PAGE_SIZE);
    const { items } = await all(q({ $filter: "jobId eq 'cap-job'", $top: '5000' }));
    assert.equal(new Set(items.map((e) => e.id)).size, MAX_PAGE_SIZE + 20);
    await server.services.store.db.deleteFrom('provisioning_logs').where('job_id', '=', 'cap-job').execute();
  });

  const badRequests: [string, string, RegExp, string][] = [
    ['a syntax error, with its position', q({ $filter: 'jobId eq' }), /Invalid filter clause: syntax error at position 8/, '$filter'],
    ['an unknown attribute', q({ $filter: "provisioningSteps/name eq 'x'" }), /position 0.*cannot be filtered/, '$filter'],
    ['an operator the attribute does not take', q({ $filter: "jobId gt 'x'" }), /operator 'gt' at position 6/, '$filter'],
    ['a quoted instant', q({ $filter: "activityDateTime gt '2023-07-30'" }), /position 20.*unquoted/, '$filter'],
    ['an instant without zone', q({ $filter: 'activityDateTime gt 2023-07-30T10:00:00' }), /position 20/, '$filter'],
    ['an empty filter', q({ $filter: '' }), /empty/, '$filter'],
    ['$count', q({ $count: 'true' }), /\$count is not supported/, '$count'],
    ['$skip', q({ $skip: '5' }), /'\$skip' is not supported/, '$skip'],
    ['$expand', q({ $expand: 'x' }), /'\$expand' is not supported/, '$expand'],
    ['$search', q({ $search: 'x' }), /'\$search' is not supported/, '$search'],
    ['$top=0', q({ $top: '0' }), /Invalid \$top/, '$top'],
    ['$top=-1', q({ $top: '-1' }), /Invalid \$top/, '$top'],
    ['$top=abc', q({ $top: 'abc' }), /Invalid \$top/, '$top'],
    ['$orderby on another property', q({ $orderby: 'jobId' }), /only 'activityDateTime/, '$orderby'],
    ['a $skiptoken this service did not issue', q({ $skiptoken: 'garbage' }), /Invalid \$skiptoken/, '$skiptoken'],
    ['an empty $select', q({ $select: '' }), /Invalid \$select/, '$select'],
    ['an option given twice', '?$top=1&$top=2', /more than once/, '$top'],
  ];
  for (const [name, query, message, target] of badRequests) {
    test(`400 for ${name}`, async () => {
      const { body } = await get<GraphErrorBody>(`${PATH}${query}`, 400);
      assert.equal(body.error.code, 'Request_BadRequest');
      assert.match(body.error.message, message);
      assert.equal(body.error.target, target);
    });
  }

  test('a filter error carries its position as a detail', async () => {
    const { body } = await get<GraphErrorBody>(`${PATH}${q({ $filter: "jobId eq 'x' and" })}`, 400);
    assert.deepEqual(body.error.details?.map((d) => [d.code, d.target]), [['FilterSyntaxError', '$filter:16']]);
  });

  test('/$count is refused as not supported', async () => {
    const { body } = await get<GraphErrorBody>(`${PATH}/$count`, 400);
    assert.match(body.error.message, /\$count is not supported/);
  });

  test('a $skiptoken is refused for another $orderby', async () => {
    const page = await list(q({ $top: '2' }));
    const token = new URL(page['@odata.nextLink']!).searchParams.get('$skiptoken')!;
    const { body } = await get<GraphErrorBody>(`${PATH}${q({ $top: '2', $orderby: 'activityDateTime asc', $skiptoken: token })}`, 400);
    assert.match(body.error.message, /another \$orderby/);
  });

  test('401 without a token, 403 without AuditLog.Read.All', async () => {
    const anonymous = await fetch(`${server.url}${PATH}`);
    assert.equal(anonymous.status, 401);
    const { clientId, secret } = await server.services.clients.create({ displayName: 'sync only', roles: ['Synchronization.ReadWrite.All'] });
    const tokenRes = await fetch(`${server.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const denied = await server.api(PATH, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as GraphErrorBody).error.code, 'Authorization_RequestDenied');
  });

  test('entries whose text holds NUL characters are stored (PostgreSQL text cannot hold them) and found', async () => {
    const [written] = await server.services.logs.writer.write([{ activityDateTime: '2023-08-02T00:00:00Z', jobId: 'nul-job', sourceIdentity: { id: 'a\u0000b', displayName: 'x\u0000' } }]);
    const page = await list(q({ $filter: "jobId eq 'nul-job'" }));
    assert.deepEqual(page.value, [written]);
    assert.equal(page.value[0]!.sourceIdentity?.id, 'a\u0000b');
    await server.services.store.db.deleteFrom('provisioning_logs').where('job_id', '=', 'nul-job').execute();
  });

  test('never a 500, whatever the query', async () => {
    const nasty = [
      q({ $filter: '\u0000' }), q({ $filter: "jobId eq '\u0000'" }), q({ $filter: `${'('.repeat(500)}jobId eq 'a'${')'.repeat(500)}` }),
      q({ $filter: Array.from({ length: 300 }, () => "jobId eq 'a'").join(' or ') }), q({ $filter: `jobId eq '${'x'.repeat(5000)}'` }),
      q({ $filter: 'not not not not' }), q({ $filter: "contains(tolower(tolower(tolower(jobId))), 'a')" }), q({ $filter: 'durationInMilliseconds gt 99999999999' }),
      q({ $filter: 'activityDateTime gt 9999-12-31T23:59:59Z' }), q({ $filter: 'activityDateTime lt 0001-01-01' }), q({ $filter: "jobId eq 'é' or sourceIdentity/displayName eq '😀'" }),
      q({ $orderby: '' }), q({ $top: '99999999999999999999' }), q({ $select: ',,,' }), q({ $skiptoken: '' }),
      q({ $skiptoken: Buffer.from('{"t":1}').toString('base64url') }), q({ $skiptoken: Buffer.from('{"t":"\u0000","i":"\u0000","o":"d"}').toString('base64url') }),
      '?$filter=%ZZ', `/${'x'.repeat(300)}`, "/it's", '/%20', '/a%00b', q({ $filter: "sourceIdentity/id eq 'a\u0000b'" }),
    ];
    for (const query of nasty) {
      const res = await server.api(`${PATH}${query}`);
      const text = await res.text();
      assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${query.slice(0, 100)} → ${res.status} ${text.slice(0, 300)}`);
      if (res.status === 200) assertGraphShape('microsoft.graph.provisioningObjectSummaryCollectionResponse', JSON.parse(text));
      else assert.ok((JSON.parse(text) as GraphErrorBody).error.code, text);
    }
  });
});
}

describe('GET /v1.0/auditLogs/provisioning with PROVISIO_AUDIT_RATE_LIMIT=graph', () => {
  let server: TestServer;
  let now = Date.now();
  const clock = { now: () => new Date(now) };

  before(async () => {
    server = await startTestServer({ clock, env: { PROVISIO_AUDIT_RATE_LIMIT: 'graph', PROVISIO_LOG_RETENTION_DAYS: '0' }, logLevel: 'warn' });
  });
  after(async () => {
    await server.close();
  });

  test('admits 5 requests per 10 s per client, then 429 with Retry-After in Graph\'s body', async () => {
    await server.token();
    for (let i = 0; i < 5; i++) {
      const ok = await server.api(PATH);
      assert.equal(ok.status, 200, `request ${i + 1}`);
      await ok.body?.cancel();
    }
    now += 4_000;
    const throttled = await server.api(`${PATH}/any-id`);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '6');
    const body = (await throttled.json()) as GraphErrorBody;
    assert.equal(body.error.code, 'TooManyRequests');
    assert.ok(body.error.innerError['request-id']);

    // Another client has its own window.
    const { clientId, secret } = await server.services.clients.create({ displayName: 'other', roles: ['AuditLog.Read.All'] });
    const tokenRes = await fetch(`${server.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }),
    });
    const { access_token: other } = (await tokenRes.json()) as { access_token: string };
    const otherRes = await server.api(PATH, { headers: { authorization: `Bearer ${other}` } });
    assert.equal(otherRes.status, 200);
    await otherRes.body?.cancel();

    now += 6_001;
    const again = await server.api(PATH);
    assert.equal(again.status, 200);
    await again.body?.cancel();
  });
});
