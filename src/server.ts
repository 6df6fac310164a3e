/**
 * Starting and stopping a whole Provisio process: services, the HTTP API
 * (roles `api` and `all`) and the scheduler (roles `worker` and `all`).
 * Closing drains the scheduler first: cycles in flight finish their batch
 * and give their leases back.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import { createServices } from './services.ts';
import type { ServiceOverrides, Services } from './services.ts';
import { buildApp } from './app.ts';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** Base URL the API listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, overrides: ServiceOverrides = {}): Promise<RunningServer> {
  const services = await createServices(config, overrides);
  const app = await buildApp(services);
  // A worker serves no HTTP: it only runs cycles.
  const listens = config.role !== 'worker';
  try {
    if (listens) await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await app.close();
    await services.close();
    throw e;
  }
  // The scheduler: in every process but an API-only one.
  if (config.role !== 'api') services.runner.start();
  const addr = listens ? app.server.address() : null;
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closed = false;
  return {
    app,
    services,
    url: listens ? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}` : '',
    close: async () => {
      if (closed) return;
      closed = true;
      // Stop taking requests, then drain the scheduler (services.close stops it) and the store.
      await app.close();
      await services.close();
    },
  };
}
