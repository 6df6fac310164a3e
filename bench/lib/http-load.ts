/**
 * A small closed-loop HTTP load generator, run as its own process so that
 * the server under test does not share its event loop. Bounded by time.
 * Usage: node --import tsx bench/lib/http-load.ts '<json options>'
 * Prints one JSON line: { requests, errors, seconds, requestsPerSecond, p50Ms, p99Ms, maxMs }.
 */
import { Pool } from 'undici';

interface Options {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const target = new URL(opts.url);
const pool = new Pool(target.origin, { connections: opts.connections, pipelining: 1 });
const path = target.pathname + target.search;

async function run(seconds: number, record: boolean) {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'GET', path, headers: opts.headers });
        await res.body.dump();
        if (res.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      if (record) latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.connections }, worker));
  return { latencies, errors, elapsed: (performance.now() - started) / 1000 };
}

await run(opts.warmupSeconds ?? 1, false);
const { latencies, errors, elapsed } = await run(opts.seconds, true);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(JSON.stringify({
  requests: latencies.length,
  errors,
  seconds: Number(elapsed.toFixed(2)),
  requestsPerSecond: Math.round(latencies.length / elapsed),
  p50Ms: Number(pct(50).toFixed(2)),
  p99Ms: Number(pct(99).toFixed(2)),
  maxMs: Number((latencies[latencies.length - 1] ?? 0).toFixed(2)),
}));
await pool.close();
