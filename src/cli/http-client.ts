/**
 * A small Microsoft Graph client for the command line: a client-credentials
 * token from `POST /oauth2/v2.0/token`, kept until shortly before it
 * expires; JSON requests; and every failure turned into a {@link CliError}
 * that carries the HTTP status, the Graph error code, the message and the
 * request id.
 */
import { randomUUID } from 'node:crypto';
import { CliError, ExitCode, exitCodeForStatus } from './errors.ts';

/** What the CLI calls the Graph resource when asking for a token (Entra's scope). */
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** Refresh a token this long before it expires, so a request never carries a token that dies in flight. */
const TOKEN_MARGIN_MS = 60_000;
/** How long one request may take before the CLI gives up (exit code 7). */
const DEFAULT_TIMEOUT_MS = 60_000;
const USER_AGENT = 'provisio-cli/0.1.0';

/** An HTTP request to the Graph API, relative to the server. */
export interface GraphRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the server, starting with `/v1.0/…`, or an absolute URL on the same server (a nextLink). */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body; `undefined` sends none. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A successful answer. `body` is the parsed JSON, or `undefined` for 204 and empty bodies. */
export interface GraphResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T | undefined;
  requestId: string | undefined;
}

export interface GraphClientOptions {
  /** Base URL of the server, normalized (no trailing slash). */
  server: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; injectable for token-cache tests. */
  now?: () => number;
  timeoutMs?: number;
  /** Receives one line per request and response (`--verbose`, PowerShell's -Verbose). */
  trace?: (line: string) => void;
}

/** One page of a Graph collection. */
export interface GraphCollection<T = Record<string, unknown>> {
  '@odata.context'?: string;
  '@odata.nextLink'?: string;
  value: T[];
  [k: string]: unknown;
}

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown; innerError?: Record<string, unknown>; innererror?: Record<string, unknown> };
}

interface OAuthErrorBody {
  error?: unknown;
  error_description?: unknown;
  trace_id?: unknown;
}

/**
 * Node's fetch reports network failures as `TypeError('fetch failed')` with
 * the system error (or an AggregateError of them) as its cause; the first
 * system error code says what happened, else the cause's message does
 * ("bad port" for ports fetch refuses).
 */
function networkReason(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const c = cur as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (Array.isArray(c.errors)) {
      const code = c.errors.map((x: { code?: unknown }) => x?.code).find((x) => typeof x === 'string');
      if (typeof code === 'string') return code;
    }
    if (!c.cause && cur !== e && cur instanceof Error) return cur.message;
    cur = c.cause;
  }
  return 'network error';
}

/**
 * Graph's synchronization backend sometimes wraps its real message as a
 * JSON string (`{"Message":"No HTTP resource…"}` or a nested error body,
 * graph-sync-api.md §2.3); show what is inside.
 */
export function unwrapGraphMessage(message: string): string {
  const t = message.trim();
  if (!t.startsWith('{')) return message;
  try {
    const inner = JSON.parse(t) as { Message?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
    if (typeof inner.Message === 'string') return inner.Message;
    if (typeof inner.message === 'string') return inner.message;
    if (inner.error && typeof inner.error.code === 'string') {
      return typeof inner.error.message === 'string' && inner.error.message ? `${inner.error.code}: ${inner.error.message}` : inner.error.code;
    }
  } catch {
    // Not JSON after all: the message is what it is.
  }
  return message;
}

/** Turns an error answer (Graph- or OAuth-shaped, or anything else) into a CliError. */
export function errorFromResponse(status: number, statusText: string, headers: Headers, body: unknown): CliError {
  const exit = exitCodeForStatus(status);
  let requestId = headers.get('request-id') ?? undefined;
  const graph = (body as GraphErrorBody | undefined)?.error;
  if (graph && typeof graph === 'object' && typeof graph.code === 'string') {
    const inner = graph.innerError ?? graph.innererror;
    if (inner && typeof inner['request-id'] === 'string') requestId = inner['request-id'];
    let message = unwrapGraphMessage(typeof graph.message === 'string' ? graph.message : statusText);
    // The first details say what exactly failed (missing permission, schema problems); a few fit on the line.
    if (Array.isArray(graph.details) && graph.details.length) {
      const msgs = (graph.details as { message?: unknown }[])
        .map((d) => (typeof d?.message === 'string' ? d.message : undefined))
        .filter((m): m is string => Boolean(m) && m !== message);
      if (msgs.length) {
        const shown = msgs.slice(0, 3).join('; ');
        message += ` [${shown}${msgs.length > 3 ? `; +${msgs.length - 3} more` : ''}]`;
      }
    }
    if (status === 429) message += ` (Retry-After: ${headers.get('retry-after') ?? '?'} s)`;
    return new CliError(exit, graph.code, message, { status, requestId });
  }
  const oauth = body as OAuthErrorBody | undefined;
  if (oauth && typeof oauth.error === 'string') {
    // Entra's token errors: `AADSTS7000215: Invalid client secret provided… Trace ID: … Timestamp: …`.
    const description = typeof oauth.error_description === 'string' ? oauth.error_description.replace(/\s*Trace ID:.*$/s, '') : oauth.error;
    return new CliError(exit, oauth.error, description, { status, requestId: typeof oauth.trace_id === 'string' ? oauth.trace_id : requestId });
  }
  return new CliError(exit, `HTTP${status}`, `The server answered ${status} ${statusText}.`, { status, requestId });
}

/** The command line's Graph client: one per command, holding its token for the token's lifetime. */
export class GraphClient {
  readonly server: string;
  private readonly clientId: string | undefined;
  private readonly clientSecret: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly trace: ((line: string) => void) | undefined;
  private cached: { token: string; expiresAt: number } | undefined;
  /** Token requests made, for tests of the cache. */
  tokenRequests = 0;

  constructor(opts: GraphClientOptions) {
    this.server = opts.server;
    this.clientId = opts.clientId;
    this.clientSecret = opts.clientSecret;
    this.fetchImpl = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.trace = opts.trace;
  }

  /**
   * The absolute URL of a request. A nextLink on another host is rebased
   * onto this server, so the bearer token never leaves for a host the user
   * did not name.
   */
  url(path: string, query: GraphRequest['query'] = {}): string {
    let u: URL;
    if (/^https?:\/\//i.test(path)) {
      const given = new URL(path);
      u = new URL(`${this.server}${given.pathname}${given.search}`);
    } else {
      u = new URL(`${this.server}${path.startsWith('/') ? '' : '/'}${path}`);
    }
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    // Graph writes OData options as `$top`, not `%24top`.
    return u.toString().replace(/%24/g, '$');
  }

  /** A bearer token for the configured client, from the cache while it is still good. */
  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    if (!this.clientId || !this.clientSecret) {
      const missing = [!this.clientId && 'client id', !this.clientSecret && 'client secret'].filter(Boolean).join(' and ');
      throw new CliError(ExitCode.Auth, 'MissingCredentials',
        `No ${missing}: pass --client-id/--client-secret, set PROVISIO_CLIENT_ID/PROVISIO_CLIENT_SECRET, or run 'provisio login'.`);
    }
    const url = `${this.server}/oauth2/v2.0/token`;
    this.tokenRequests++;
    const res = await this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.clientId, client_secret: this.clientSecret, scope: GRAPH_SCOPE }).toString(),
    });
    const body = await readBody(res);
    if (!res.ok) throw errorFromResponse(res.status, res.statusText, res.headers, body);
    const t = body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (!t || typeof t.access_token !== 'string') {
      throw new CliError(ExitCode.Unexpected, 'InvalidTokenResponse', `The token endpoint ${url} answered without an access_token.`);
    }
    const lifetimeMs = (typeof t.expires_in === 'number' ? t.expires_in : Number(t.expires_in ?? 0)) * 1000;
    this.cached = { token: t.access_token, expiresAt: this.now() + Math.max(0, lifetimeMs - TOKEN_MARGIN_MS) };
    return t.access_token;
  }

  /** Sends a Graph request; resolves with the answer or throws a CliError. */
  async request<T = unknown>(req: GraphRequest): Promise<GraphResponse<T>> {
    const url = this.url(req.path, req.query);
    const attempt = async (): Promise<Response> => {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': USER_AGENT,
        'client-request-id': randomUUID(),
        ...req.headers,
        authorization: `Bearer ${await this.token()}`,
      };
      // JSON unless the caller names another JSON media type (bulkUpload sends application/scim+json).
      if (req.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      return this.send(url, { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) });
    };
    let res = await attempt();
    if (res.status === 401 && this.cached) {
      // A cached token can die early (server restarted with a new key): get a fresh one once.
      await res.body?.cancel();
      this.cached = undefined;
      res = await attempt();
    }
    const body = await readBody(res);
    const requestId = res.headers.get('request-id') ?? undefined;
    this.trace?.(`< ${res.status} ${res.statusText}${requestId ? ` (request-id ${requestId})` : ''}`);
    if (!res.ok) throw errorFromResponse(res.status, res.statusText, res.headers, body);
    return { status: res.status, headers: res.headers, body: body as T | undefined, requestId };
  }

  async get<T = Record<string, unknown>>(path: string, query?: GraphRequest['query']): Promise<T> {
    return (await this.request<T>({ method: 'GET', path, query })).body as T;
  }

  /**
   * A collection: the first page, or with `all` every page merged into one
   * document (`value` concatenated, the first page's `@odata.context`).
   */
  async list<T = Record<string, unknown>>(path: string, query: GraphRequest['query'] = {}, all = false): Promise<GraphCollection<T>> {
    const first = await this.get<GraphCollection<T>>(path, query);
    if (!all || !first['@odata.nextLink']) return first;
    const value = [...first.value];
    let next: string | undefined = first['@odata.nextLink'];
    while (next) {
      const page: GraphCollection<T> = await this.get<GraphCollection<T>>(next);
      value.push(...page.value);
      next = page['@odata.nextLink'];
    }
    const { '@odata.nextLink': _drop, ...rest } = first;
    return { ...rest, value };
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    this.trace?.(`> ${init.method ?? 'GET'} ${url}`);
    try {
      return await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const name = (e as { name?: unknown }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new CliError(ExitCode.Unavailable, 'Timeout', `No answer from ${this.server} within ${Math.round(this.timeoutMs / 1000)} s.`, { cause: e });
      }
      const code = networkReason(e);
      throw new CliError(ExitCode.Unavailable, 'ServerUnreachable',
        `Cannot reach ${this.server} (${code}); is 'provisio serve' running there? Set --server or PROVISIO_URL.`, { cause: e });
    }
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's HTML page or a plain-text failure: keep the text for the message.
    return res.ok ? text : { error: { code: `HTTP${res.status}`, message: text.slice(0, 300) } };
  }
}
