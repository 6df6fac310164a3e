/**
 * GET /v1.0/auditLogs/provisioning and GET /v1.0/auditLogs/provisioning/{id}
 * (graph-sync-api.md §2.6, §3.5): provisioning-log entries, newest first,
 * with $filter, $orderby on activityDateTime, $top, $skiptoken and $select.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services.ts';
import { Require } from '../../auth/permissions.ts';
import { decodeSkipToken, encodeSkipToken, nextLink, parseSelect } from '../../graph/odata.ts';
import { errors } from '../../errors/graph-error.ts';
import type { GraphError } from '../../errors/graph-error.ts';
import { baseUrl, checkId, checkQueryOptions, odataContext, sendJson } from '../http.ts';
import { FilterError, prepareFilter } from '../../logs/filter.ts';
import type { Predicate } from '../../logs/filter.ts';
import { SUMMARY_PROPERTIES } from '../../logs/model.ts';
import type { ProvisioningObjectSummary } from '../../logs/model.ts';

/**
 * Page size when $top is absent. Graph documents none for this API (the v1.0
 * page, current and 2021 copies, only says $top "sets the page size");
 * 100 is Graph's most common default and keeps a page of these large
 * entries (steps, modified properties) well under a megabyte.
 */
export const DEFAULT_PAGE_SIZE = 100;
/**
 * Largest page. Also undocumented; scripts against Graph use $top=500 (the
 * Entra docs' sample) and $top=999, so 1000 admits both. A larger $top is
 * served as pages of 1000 with @odata.nextLink, as OData's server-driven
 * paging allows, rather than refused.
 */
export const MAX_PAGE_SIZE = 1000;

const QUERY_OPTIONS = ['$filter', '$top', '$skiptoken', '$orderby', '$select'];

interface PageToken {
  /** Sort key of the last row served. */
  t: string;
  /** Its id. */
  i: string;
  /** The order the token was issued for: d(esc) or a(sc). */
  o: 'd' | 'a';
}

const isPageToken = (v: unknown): v is PageToken => {
  const t = v as Partial<PageToken> | null;
  return typeof t === 'object' && t !== null && typeof t.t === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/.test(t.t)
    && typeof t.i === 'string' && !t.i.includes('\0') && (t.o === 'd' || t.o === 'a');
};

/** Graph answers a bad $filter with 400; the message names the problem and its character position. */
function filterError(e: FilterError, filter: string): GraphError {
  const shown = filter.length > 200 ? `${filter.slice(0, 200)}…` : filter;
  return errors.badRequest(`Invalid filter clause: ${e.message}. Filter: '${shown}'.`, '$filter', [
    { code: e.kind === 'syntax' ? 'FilterSyntaxError' : 'FilterNotSupported', message: e.message, target: `$filter:${e.position}` },
  ]);
}

function parseFilterOption(raw: string | undefined): Predicate | undefined {
  if (raw === undefined) return undefined;
  try {
    return prepareFilter(raw);
  } catch (e) {
    if (e instanceof FilterError) throw filterError(e, raw);
    throw e;
  }
}

function parseOrderBy(raw: string | undefined): 'asc' | 'desc' {
  if (raw === undefined) return 'desc';
  const m = /^\s*activityDateTime(?:\s+(asc|desc))?\s*$/i.exec(raw);
  if (!m) throw errors.badRequest(`Invalid $orderby '${raw}': only 'activityDateTime asc' or 'activityDateTime desc' is supported.`, '$orderby');
  return (m[1]?.toLowerCase() as 'asc' | 'desc' | undefined) ?? 'asc';
}

function parsePageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1) throw errors.badRequest(`Invalid $top '${raw}': expected a positive integer.`, '$top');
  return Math.min(Number(raw), MAX_PAGE_SIZE);
}

const LOWER_PROPERTIES = new Map<string, string>(SUMMARY_PROPERTIES.map((p) => [p.toLowerCase(), p]));

/** $select names properties of provisioningObjectSummary (ignoring case); anything else is a 400, as in Graph. */
function parseSummarySelect(raw: string | undefined): (keyof ProvisioningObjectSummary)[] | undefined {
  const names = parseSelect(raw);
  if (!names) return undefined;
  return names.map((n) => {
    const p = LOWER_PROPERTIES.get(n.toLowerCase());
    if (!p) throw errors.badRequest(`Could not find a property named '${n}' on type 'microsoft.graph.provisioningObjectSummary'.`, '$select');
    return p as keyof ProvisioningObjectSummary;
  });
}

function project(e: ProvisioningObjectSummary, select: (keyof ProvisioningObjectSummary)[] | undefined): Partial<ProvisioningObjectSummary> {
  if (!select) return e;
  const out: Partial<Record<keyof ProvisioningObjectSummary, unknown>> = {};
  for (const k of select) out[k] = e[k];
  return out as Partial<ProvisioningObjectSummary>;
}

function refuseCount(q: Record<string, string | undefined>): void {
  if ('$count' in q) throw errors.badRequest('The query option $count is not supported: provisioningObjectSummary is not countable.', '$count');
}

/** Registers the two provisioning-log routes (both need AuditLog.Read.All). */
export function auditLogRoutes(app: FastifyInstance, s: Services): void {
  const throttle = (req: FastifyRequest) => {
    const limiter = s.logs.limiter;
    if (!limiter) return;
    const wait = limiter.take(req.caller?.clientId ?? req.ip);
    if (wait !== undefined) throw errors.tooManyRequests(wait);
  };

  app.get('/v1.0/auditLogs/provisioning', {
    config: { permissions: Require.auditRead },
    schema: { tags: ['auditLogs'], summary: 'List provisioningObjectSummary' },
  }, async (req, reply) => {
    throttle(req);
    const raw = (req.query ?? {}) as Record<string, unknown>;
    refuseCount(Object.fromEntries(Object.keys(raw).map((k) => [k.toLowerCase(), ''])));
    const q = checkQueryOptions(raw, QUERY_OPTIONS);
    const filter = parseFilterOption(q.$filter);
    const order = parseOrderBy(q.$orderby);
    const top = parsePageSize(q.$top);
    const select = parseSummarySelect(q.$select);
    const token = decodeSkipToken(q.$skiptoken, isPageToken);
    const o = order === 'desc' ? 'd' : 'a';
    if (token && token.o !== o) {
      throw errors.badRequest('Invalid $skiptoken: it was issued for another $orderby; keep the query of the page that returned it.', '$skiptoken');
    }
    const page = await s.logs.reader.list({ filter, top, order, ...(token ? { after: { t: token.t, id: token.i } } : {}) });
    const next = page.next ? encodeSkipToken({ t: page.next.t, i: page.next.id, o } satisfies PageToken) : undefined;
    return sendJson(reply, 200, {
      '@odata.context': odataContext(req, 'auditLogs/provisioning'),
      ...(next ? { '@odata.nextLink': nextLink(baseUrl(req), req.url, next) } : {}),
      value: page.items.map((e) => project(e, select)),
    });
  });

  app.get<{ Params: { id: string } }>('/v1.0/auditLogs/provisioning/:id', {
    config: { permissions: Require.auditRead },
    schema: { tags: ['auditLogs'], summary: 'Get provisioningObjectSummary' },
  }, async (req, reply) => {
    throttle(req);
    if (req.params.id.toLowerCase() === '$count') refuseCount({ $count: '' });
    const q = checkQueryOptions(req.query, ['$select']);
    const select = parseSummarySelect(q.$select);
    const id = checkId(req.params.id, 'provisioningObjectSummary');
    // No stored id holds a NUL (the writer refuses them), and PostgreSQL could not even compare one.
    const entry = id.includes('\0') ? undefined : await s.logs.reader.get(id);
    if (!entry) throw errors.resourceNotFound('provisioningObjectSummary', req.params.id);
    return sendJson(reply, 200, { '@odata.context': odataContext(req, 'auditLogs/provisioning/$entity'), ...project(entry, select) });
  });
}
