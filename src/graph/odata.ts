/**
 * OData helpers shared by the Graph routes (pure).
 */
import { errors } from '../errors/graph-error.ts';

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/**
 * Normalises Graph URL spellings the router does not know: key segments
 * `jobs('id')` become `jobs/id`, and bound functions called with empty
 * parentheses (`schema/functions()`) lose them. The query string is kept.
 */
export function normalizeGraphUrl(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (!path.includes('(')) return url;
  path = path
    .replace(/\/([A-Za-z][\w.]*)\((?:'|%27)([^/']*?)(?:'|%27)\)/g, '/$1/$2')
    .replace(/\/([A-Za-z][\w.]*)\(\)(?=\/|$)/g, '/$1');
  return path + query;
}

/** Parses `$select=a,b` into a list, or undefined when absent. */
export function parseSelect(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.trim() === '') throw errors.badRequest("Invalid $select: expected a comma-separated list of property names.", '$select');
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!/^[A-Za-z_@][\w.@/]*$/.test(n)) throw errors.badRequest(`Invalid $select: '${n}' is not a property name.`, '$select');
  }
  return names;
}

/** Keeps only the selected properties (and OData annotations). Property names match case-insensitively, as in Graph. */
export function applySelect<T extends object>(entity: T, select: string[] | undefined): Partial<T> {
  if (!select) return entity;
  const wanted = new Set(select.map((s) => s.toLowerCase()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entity)) {
    if (k.startsWith('@odata.') || wanted.has(k.toLowerCase())) out[k] = v;
  }
  return out as Partial<T>;
}

/** Parses `$top` (1..max). */
export function parseTop(raw: unknown, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) throw errors.badRequest(`Invalid $top '${String(raw)}': expected a positive integer.`, '$top');
  if (n > max) throw errors.badRequest(`Invalid $top '${n}': the maximum page size is ${max}.`, '$top');
  return n;
}

/** Opaque continuation tokens: base64url JSON. */
export function encodeSkipToken(state: unknown): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeSkipToken<T>(raw: unknown, check: (v: unknown) => v is T): T | undefined {
  if (raw === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest('Invalid $skiptoken: it is not a token this service issued.', '$skiptoken');
}

/** Builds the next-page link from the current URL, replacing $skiptoken. */
export function nextLink(baseUrl: string, requestUrl: string, skiptoken: string): string {
  const u = new URL(requestUrl, baseUrl);
  u.searchParams.set('$skiptoken', skiptoken);
  return u.toString().replace(/%24/g, '$');
}

/** In-memory paging over an already ordered list (small collections). */
export function pageList<T>(items: T[], opts: { top: number; skip: number }): { page: T[]; next?: number } {
  const page = items.slice(opts.skip, opts.skip + opts.top);
  return opts.skip + opts.top < items.length ? { page, next: opts.skip + opts.top } : { page };
}

export const isOffsetToken = (v: unknown): v is { o: number } =>
  typeof v === 'object' && v !== null && typeof (v as { o?: unknown }).o === 'number' && (v as { o: number }).o >= 0;
