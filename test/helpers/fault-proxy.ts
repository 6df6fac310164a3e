/**
 * A fault-injecting HTTP proxy for tests: it forwards requests to a target
 * on loopback and answers a configurable share of them itself, with a 500, a
 * 429 with `Retry-After`, a reset connection, or nothing at all (it holds the
 * request until the client gives up). Which request gets which fault is
 * decided by a seeded PRNG, or by an explicit plan for the first requests,
 * so runs repeat exactly; every decision is recorded. A `respond` rule can
 * answer chosen requests itself (e.g. refuse one object with a 400), which
 * needs the request body, so the proxy then reads bodies first.
 *
 * Loopback only: it listens on 127.0.0.1 and refuses a non-loopback target.
 */
import { createServer, request as httpRequest, Agent } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { prng } from './prng.ts';

/** What the proxy does with one request. */
export type Fault = 'pass' | 'error500' | 'throttle429' | 'hang' | 'reset' | 'respond';

/** What a `respond` rule sees of a request. */
export interface ProxiedRequest {
  method: string;
  url: string;
  body: string;
}

/** An answer a `respond` rule gives instead of the target. */
export interface RuleAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Shares of requests (0..1 each, summing to at most 1) that get each fault. */
export interface FaultRates {
  error500?: number;
  throttle429?: number;
  hang?: number;
  reset?: number;
}

export interface FaultProxyOptions {
  /** Where to forward: any URL on the target's origin (only the origin is used). */
  target: string;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Shares of faults (default none: a transparent proxy). */
  rates?: FaultRates;
  /** Faults for the first requests, in order; after it, `rates` decide. */
  plan?: readonly Fault[];
  /** `Retry-After` value sent with 429s (default `'1'`); `null` sends none. */
  retryAfter?: string | null;
  /** Answers a request itself (after the random faults, for requests they let pass); `undefined` forwards it. */
  respond?: (req: ProxiedRequest) => RuleAnswer | undefined;
}

/** One request the proxy saw. */
export interface FaultRecord {
  index: number;
  method: string;
  url: string;
  fault: Fault;
  /** Status the client got (0 for hang and reset, or before the answer). */
  status: number;
}

export interface FaultProxy {
  /** The proxy's origin, e.g. `http://127.0.0.1:40000`. */
  origin: string;
  /** `url` of the target with the proxy's origin instead (same path and query). */
  rewrite(url: string): string;
  /** Every request so far. */
  readonly log: readonly FaultRecord[];
  /** Changes the shares of faults from now on. */
  setRates(rates: FaultRates): void;
  /** Replaces the plan (applies to the next requests). */
  setPlan(plan: readonly Fault[]): void;
  /** Replaces the `respond` rule (`undefined` removes it). */
  setRespond(rule: FaultProxyOptions['respond']): void;
  /** Requests forwarded and answered by the target. */
  counts(): Record<Fault, number>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Starts a fault proxy in front of `options.target`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (!LOOPBACK.has(target.hostname)) throw new Error(`fault proxy forwards to loopback only, not ${target.hostname}`);
  const random = prng(options.seed ?? 1);
  let rates: FaultRates = options.rates ?? {};
  let plan: Fault[] = [...(options.plan ?? [])];
  const retryAfter = options.retryAfter === undefined ? '1' : options.retryAfter;
  const log: FaultRecord[] = [];
  const counts: Record<Fault, number> = { pass: 0, error500: 0, throttle429: 0, hang: 0, reset: 0, respond: 0 };
  let respond = options.respond;
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true });

  const decide = (): Fault => {
    const planned = plan.shift();
    if (planned) return planned;
    const r = random();
    let edge = 0;
    for (const fault of ['error500', 'throttle429', 'hang', 'reset'] as const) {
      edge += rates[fault] ?? 0;
      if (r < edge) return fault;
    }
    return 'pass';
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const decided = decide();
    if (decided === 'pass' && respond) {
      const rule = respond;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const answer = rule({ method: req.method ?? 'GET', url: req.url ?? '/', body: body.toString('utf8') });
        if (answer) {
          counts.respond++;
          const record: FaultRecord = { index: log.length, method: req.method ?? 'GET', url: req.url ?? '/', fault: 'respond', status: answer.status };
          log.push(record);
          res.writeHead(answer.status, { 'content-type': 'application/scim+json', ...answer.headers });
          res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
          return;
        }
        serve(req, res, 'pass', body);
      });
      return;
    }
    serve(req, res, decided);
  };

  const serve = (req: IncomingMessage, res: ServerResponse, fault: Fault, body?: Buffer): void => {
    counts[fault]++;
    const record: FaultRecord = { index: log.length, method: req.method ?? 'GET', url: req.url ?? '/', fault, status: 0 };
    log.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    switch (fault) {
      case 'error500':
        req.resume();
        res.writeHead(500, { 'content-type': 'application/scim+json' });
        res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'injected fault' }));
        return;
      case 'throttle429': {
        req.resume();
        const headers: Record<string, string> = { 'content-type': 'application/scim+json' };
        if (retryAfter !== null) headers['retry-after'] = retryAfter;
        res.writeHead(429, headers);
        res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'injected throttle' }));
        return;
      }
      case 'hang':
        // Read the body and never answer; the socket is destroyed by the
        // client's timeout or by close().
        req.resume();
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'pass': {
        const upstream = httpRequest(
          {
            host: target.hostname.replace(/^\[|\]$/g, ''),
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
            agent,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        if (body) upstream.end(body);
        else req.pipe(upstream);
        return;
      }
      case 'respond':
        return;
    }
  };

  const server: Server = createServer(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    rewrite: (url: string) => {
      const u = new URL(url);
      return `${origin}${u.pathname}${u.search}`;
    },
    log,
    setRates: (r) => {
      rates = r;
    },
    setPlan: (p) => {
      plan = [...p];
    },
    setRespond: (rule) => {
      respond = rule;
    },
    counts: () => ({ ...counts }),
    close: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
