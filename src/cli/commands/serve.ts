import type { Command } from 'commander';

export interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  role?: string;
  logLevel?: string;
}

/** Adds the options `serve` and `demo` share. */
export function serverOptions(cmd: Command): Command {
  return cmd
    .option('--port <port>', 'TCP port (PROVISIO_PORT; default 8080; 0 picks a free port)')
    .option('--host <host>', 'address to listen on (PROVISIO_HOST; default 127.0.0.1)')
    .option('--data-dir <dir>', 'data folder (PROVISIO_DATA_DIR; default ./.provisio)')
    .option('--database-url <url>', 'postgres://… for PostgreSQL (PROVISIO_DATABASE_URL; default the SQLite file in the data folder)')
    .option('--log-level <level>', 'pino log level (PROVISIO_LOG_LEVEL; default info)');
}

/** Resolves when the process is asked to stop. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (sig: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(sig);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/**
 * Registers `provisio serve`: the API (`--role api`), the scheduler
 * (`--role worker`: no HTTP), or both (`all`, the default). SIGTERM or
 * SIGINT stops taking work, lets cycles in flight finish their batch,
 * releases their leases and exits.
 */
export function registerServe(program: Command): void {
  serverOptions(program.command('serve').description('Run the API and/or the job scheduler'))
    .option('--role <role>', 'api, worker or all (PROVISIO_ROLE; default all)')
    .action(async (flags: ServeFlags) => {
      // Loaded here, not at the top: the server pulls in fastify, the store
      // drivers and the engine, which every client command would otherwise
      // pay for at start-up (about a second each).
      const [{ loadConfig }, { startServer }] = await Promise.all([import('../../config/config.ts'), import('../../server.ts')]);
      const config = loadConfig(flags);
      const server = await startServer(config);
      const b = server.services.bootstrap;
      if (config.role === 'worker') {
        process.stderr.write(`Provisio worker ${server.services.runner.workerId} running (no HTTP API; SIGTERM drains and exits)\n`);
        await untilSignal();
        await server.close();
        return;
      }
      process.stderr.write(
        `Provisio listening on ${server.url}\n` +
          `  Graph API:  ${server.url}/v1.0   token: ${server.url}/oauth2/v2.0/token   OpenAPI: ${server.url}/openapi.json\n` +
          (b.file ? `  bootstrap credentials: ${b.file}\n` : `  bootstrap client: ${b.clientId} (secret from PROVISIO_BOOTSTRAP_CLIENT_SECRET)\n`),
      );
      await untilSignal();
      await server.close();
    });
}
