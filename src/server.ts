/**
 * Starting and stopping a whole Provisio process: services, the HTTP API,
 * and (as the engine lands) the job runner.
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
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await app.close();
    await services.close();
    throw e;
  }
  // The job runner: in every process but an API-only one.
  if (config.role !== 'api') services.runner.start();
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closed = false;
  return {
    app,
    services,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await services.close();
    },
  };
}
