/**
 * Runs the sample SCIM application as a process of its own (the benchmark
 * and the demo start it this way, so that the target's CPU is not the
 * engine's):
 *
 *   node --import tsx src/connectors/scim/sample-app/run.ts [--port N] [--host H]
 *        [--token T] [--log-requests] [--entra-compat] [--stop-on-stdin-end]
 *
 * Environment: SAMPLE_SCIM_PORT, SAMPLE_SCIM_HOST, SAMPLE_SCIM_TOKEN.
 * Once listening it prints one JSON line on stdout:
 * `{"url":"http://127.0.0.1:PORT/scim/v2","token":"…","pid":N}`. It stops
 * on SIGINT/SIGTERM, and with `--stop-on-stdin-end` also when its stdin
 * closes, so that it never outlives a parent that pipes it.
 */
import { parseArgs } from 'node:util';
import { startSampleScimApp } from './app.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    'log-requests': { type: 'boolean', default: false },
    'entra-compat': { type: 'boolean', default: false },
    'stop-on-stdin-end': { type: 'boolean', default: false },
  },
});

const port = Number(values.port ?? process.env.SAMPLE_SCIM_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${values.port ?? process.env.SAMPLE_SCIM_PORT}`);
  process.exit(2);
}

const app = await startSampleScimApp({
  port,
  host: values.host ?? process.env.SAMPLE_SCIM_HOST ?? '127.0.0.1',
  token: values.token ?? process.env.SAMPLE_SCIM_TOKEN,
  logRequests: values['log-requests'],
  entraCompat: values['entra-compat'],
});

process.stdout.write(`${JSON.stringify({ url: app.url, token: app.token, pid: process.pid })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  app.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (values['stop-on-stdin-end']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
