/**
 * A whole Provisio server on a free loopback port, with a fresh data
 * folder and known bootstrap credentials, for tests that speak real HTTP.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { Store } from '../../src/store/store.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import type { Clock } from '../../src/util/time.ts';
import { tempDir } from './sqlite.ts';
import { Writable } from 'node:stream';

export interface TestServer extends RunningServer {
  clientId: string;
  clientSecret: string;
  /** Every log line the server wrote (JSON text), to check that no secret leaks. */
  logLines: string[];
  token(): Promise<string>;
  /** fetch with a bearer token, relative to the server URL. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

export async function startTestServer(opts: { store?: Store; clock?: Clock; env?: Record<string, string>; logLevel?: string } = {}): Promise<TestServer> {
  const t = tempDir();
  const clientId = 'test-admin';
  const clientSecret = randomBytes(24).toString('base64url');
  const config = loadConfig({ port: 0, dataDir: t.dir, logLevel: 'info' }, {
    PROVISIO_BOOTSTRAP_CLIENT_ID: clientId,
    PROVISIO_BOOTSTRAP_CLIENT_SECRET: clientSecret,
    PROVISIO_SECRET_KEY: randomBytes(32).toString('base64url'),
    ...opts.env,
  });
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { logLines.push(chunk.toString('utf8')); cb(); } });
  const logger = pino({ level: opts.logLevel ?? 'debug' }, sink);
  const server = await startServer(config, { store: opts.store, clock: opts.clock, logger });
  let cached: string | undefined;
  const token = async () => {
    if (cached) return cached;
    const res = await fetch(`${server.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    });
    const body = (await res.json()) as { access_token: string };
    cached = body.access_token;
    return cached;
  };
  return {
    ...server,
    clientId,
    clientSecret,
    logLines,
    token,
    api: async (path, init = {}) => {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${await token()}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${server.url}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    close: async () => {
      await server.close();
      t.dispose();
    },
  };
}
