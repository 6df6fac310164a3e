/**
 * The sample SCIM application: a real SCIM 2.0 service provider, built on
 * the third-party `scimmy` library and its `scimmy-routers` Express routers,
 * used as the demo's target application and as the test and benchmark peer.
 * Only the storage (`store.ts`, indexed) and a few edges are ours:
 *
 * - bearer-token authentication (answers 401 with a SCIM error and
 *   `WWW-Authenticate: Bearer`, RFC 6750 §3);
 * - a filter check that answers 400 `invalidFilter` to filters scimmy cannot
 *   parse (scimmy itself answers those with a 500);
 * - absolute `meta.location` URLs;
 * - an optional request log (method, path, raw query, parsed body, status)
 *   and in-flight counters, for tests that assert the exact requests sent;
 * - the optional Entra-compatibility layer (`entra-compat.ts`).
 *
 * Several apps can run in one process (each has its own store, reached
 * through scimmy's per-request context, see `scimmy-glue.ts`), but the
 * scimmy schema and ServiceProviderConfig are shared process-wide.
 */
import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import SCIMMYRouters from 'scimmy-routers';
import SCIMMY from 'scimmy';
import { SCIM } from '../../target-attributes.ts';
import { SampleStore } from './store.ts';
import type { SampleRecord } from './store.ts';
import { registerScimmy } from './scimmy-glue.ts';
import type { SampleContext } from './scimmy-glue.ts';
import { applyEntraCompat } from './entra-compat.ts';

/** Where every sample app serves SCIM (the same for all: see scimmy-glue.ts). */
export const SAMPLE_SCIM_BASE_PATH = '/scim/v2';

/** Options of {@link startSampleScimApp}. */
export interface SampleScimAppOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`: the app is for local use). */
  host?: string;
  /** Bearer token clients must send; a random one when absent (see `token` on the handle). */
  token?: string;
  /** Record every request in `requests` (default false). */
  logRequests?: boolean;
  /** Accept Entra's default-dialect shapes (see entra-compat.ts); default false: scimmy's strict behaviour. */
  entraCompat?: boolean;
  /** Artificial delay before each request is handled, in ms (default 0); lets tests observe concurrency. */
  delayMs?: number;
}

/** One recorded request. */
export interface RecordedRequest {
  method: string;
  /** Path under the SCIM base path (`/Users/abc`). */
  path: string;
  /** Raw query string as received, without `?` (`''` when none). */
  query: string;
  /** Parsed JSON body, as received (before any Entra-compatibility rewriting). */
  body: unknown;
  /** Response status (0 until the response finished). */
  status: number;
}

/** Load figures of the app. */
export interface SampleScimAppStats {
  /** Requests being handled right now. */
  inFlight: number;
  /** Most requests handled at once since start (or the last `resetStats`). */
  maxInFlight: number;
  /** Requests received. */
  requests: number;
}

/** A running sample app. */
export interface SampleScimApp {
  /** SCIM base URL, e.g. `http://127.0.0.1:54321/scim/v2`. */
  url: string;
  /** The bearer token it accepts. */
  token: string;
  /** Recorded requests (when `logRequests`); the live array, tests may clear it. */
  requests: RecordedRequest[];
  /** Copies of the stored users. */
  users(): SampleRecord[];
  /** Copies of the stored groups, with members. */
  groups(): SampleRecord[];
  /** Load figures. */
  stats(): SampleScimAppStats;
  /** Resets `maxInFlight` and `requests` counters. */
  resetStats(): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const scimError = (status: number, detail: string, scimType?: string): Record<string, unknown> => ({
  schemas: [SCIM.error],
  // RFC 7644 §3.12: status is a string.
  status: String(status),
  ...(scimType ? { scimType } : {}),
  detail,
});

function sendScimError(res: Response, status: number, detail: string, scimType?: string): void {
  res.status(status).type('application/scim+json').send(JSON.stringify(scimError(status, detail, scimType)));
}

function sameToken(given: string, expected: Buffer): boolean {
  const b = Buffer.from(given);
  return b.length === expected.length && timingSafeEqual(b, expected);
}

/**
 * Starts a sample SCIM application on a local port.
 * @returns a handle with its base URL, token, data and request log.
 */
export async function startSampleScimApp(options: SampleScimAppOptions = {}): Promise<SampleScimApp> {
  registerScimmy();
  const token = options.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const store = new SampleStore();
  const context: SampleContext = { store };
  const requests: RecordedRequest[] = [];
  const counters = { inFlight: 0, maxInFlight: 0, requests: 0 };
  let origin = '';

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // scimmy writes meta.location relative to the mount path (no baseUri, so
  // that the global base path is the same for every app); make it absolute
  // per app at serialisation time.
  app.set('json replacer', (key: string, value: unknown) =>
    key === 'location' && typeof value === 'string' && value.startsWith('/') ? `${origin}${value}` : value,
  );

  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    counters.requests++;
    counters.inFlight++;
    if (counters.inFlight > counters.maxInFlight) counters.maxInFlight = counters.inFlight;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      counters.inFlight--;
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  });
  // Parse here (the same parser scimmy-routers uses; it skips an already
  // parsed body) so that the log and the compatibility layer see the body.
  router.use(express.json({ type: ['application/scim+json', 'application/json'], limit: '5mb' }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (options.logRequests) {
      const q = req.originalUrl.indexOf('?');
      const entry: RecordedRequest = {
        method: req.method,
        path: req.path,
        query: q < 0 ? '' : req.originalUrl.slice(q + 1),
        body: req.body === undefined ? undefined : structuredClone(req.body as unknown),
        status: 0,
      };
      requests.push(entry);
      res.on('finish', () => {
        entry.status = res.statusCode;
      });
    }
    const given = req.headers.authorization;
    if (typeof given !== 'string' || !sameToken(given, expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="sample-scim-app"');
      sendScimError(res, 401, 'Authorization failure: a valid bearer token is required');
      return;
    }
    if (options.delayMs) setTimeout(next, options.delayMs);
    else next();
  });
  router.use((req: Request, res: Response, next: NextFunction) => {
    // scimmy answers an unparseable filter with a 500 (a TypeError inside
    // its parser); a SCIM service answers 400 invalidFilter (RFC 7644 §3.4.2.2).
    const filter = req.query.filter;
    if (req.method === 'GET' && filter !== undefined) {
      try {
        if (typeof filter !== 'string') throw new Error('filter must be given once');
        void new SCIMMY.Types.Filter(filter);
      } catch (err) {
        sendScimError(res, 400, `Invalid filter: ${err instanceof Error ? err.message : String(err)}`, 'invalidFilter');
        return;
      }
    }
    next();
  });
  if (options.entraCompat) {
    router.use((req: Request, _res: Response, next: NextFunction) => {
      const m = /^\/(Users|Groups)(?:\/([^/]+))?\/?$/i.exec(req.path);
      if (m && req.body !== undefined) {
        const collection = (m[1] as string).toLowerCase() === 'users' ? 'Users' : 'Groups';
        const id = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
        req.body = applyEntraCompat(req.method, collection, id, req.body, (c, i) =>
          (c === 'Users' ? store.users.byId.get(i) : store.groups.byId.get(i)) as Record<string, unknown> | undefined,
        );
      }
      next();
    });
  }
  router.use(
    new SCIMMYRouters({
      type: 'bearer',
      // Authentication already happened above; scimmy wants the caller's id for /Me.
      handler: () => 'sample-app-client',
      context: () => context,
    }),
  );
  app.use(SAMPLE_SCIM_BASE_PATH, router);
  app.use((_req: Request, res: Response) => sendScimError(res, 404, 'Endpoint Not Found'));
  // scimmy-routers forwards 5xx errors after answering them; Express would
  // print them. The answer is out already; keep stderr for real failures.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return;
    if (err && typeof err === 'object' && 'status' in err && typeof err.status === 'number' && err.status < 500) {
      sendScimError(res, err.status, err instanceof Error ? err.message : 'Bad request');
      return;
    }
    next(err);
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  // Entra keeps connections open; match Node's default client keep-alive expectations generously.
  server.keepAliveTimeout = 30_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${host}:${address.port}`;

  return {
    url: `${origin}${SAMPLE_SCIM_BASE_PATH}`,
    token,
    requests,
    users: () => [...store.users.byId.values()].map((r) => structuredClone(r)),
    groups: () => [...store.groups.byId.values()].map((r) => structuredClone(r)),
    stats: () => ({ ...counters }),
    resetStats: () => {
      counters.maxInFlight = counters.inFlight;
      counters.requests = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
