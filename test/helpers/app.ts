/**
 * A Provisio app on a fresh SQLite file in a temporary folder, with a token
 * that holds every permission, for tests that speak HTTP through
 * `app.inject()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/config.ts';
import { createServices } from '../../src/services.ts';
import type { Services } from '../../src/services.ts';
import { buildApp } from '../../src/app.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { ALL_PERMISSIONS } from '../../src/auth/permissions.ts';
import type { Clock } from '../../src/util/time.ts';

export interface Reply {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  // Tests read into Graph bodies freely; a wrong path fails the assertion that follows.
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of any shape
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  token: string;
  dir: string;
  request(method: string, url: string, opts?: { body?: unknown; headers?: Record<string, string>; token?: string | null }): Promise<Reply>;
  get(url: string, headers?: Record<string, string>): Promise<Reply>;
  post(url: string, body?: unknown): Promise<Reply>;
  patch(url: string, body: unknown): Promise<Reply>;
  put(url: string, body: unknown): Promise<Reply>;
  del(url: string): Promise<Reply>;
  close(): Promise<void>;
}

export async function startTestApp(opts: { clock?: Clock; roles?: readonly string[] } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'provisio-test-'));
  const config = loadConfig({ dataDir: dir }, {});
  const services = await createServices(config, {
    store: openSqliteStore(join(dir, 'provisio.db')),
    logger: pino({ level: 'silent' }),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const app = await buildApp(services);
  const { token } = await services.tokens.issue('test-client', [...(opts.roles ?? ALL_PERMISSIONS)]);
  const request: TestApp['request'] = async (method, url, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const auth = o.token === undefined ? token : o.token;
    if (auth) headers.authorization = `Bearer ${auth}`;
    const r = await app.inject({
      method: method as 'GET',
      url,
      headers: o.body !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
      ...(o.body !== undefined ? { payload: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
    });
    let body: unknown;
    try {
      body = r.body ? JSON.parse(r.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: r.statusCode, headers: r.headers, text: r.body, body };
  };
  return {
    app, services, token, dir, request,
    get: (url, headers) => request('GET', url, headers ? { headers } : {}),
    post: (url, body) => request('POST', url, body === undefined ? {} : { body }),
    patch: (url, body) => request('PATCH', url, { body }),
    put: (url, body) => request('PUT', url, { body }),
    del: (url) => request('DELETE', url),
    close: async () => {
      await app.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A valid create-user body for the test tenant's domain. */
export function userBody(services: Services, alias: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountEnabled: true,
    displayName: alias,
    mailNickname: alias,
    userPrincipalName: `${alias}@${services.tenant.domain}`,
    passwordProfile: { password: 'Passw0rd!x', forceChangePasswordNextSignIn: false },
    ...extra,
  };
}
