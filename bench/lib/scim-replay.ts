/**
 * The bare client of the engine benchmark: replays the SCIM requests the
 * engine sent (as recorded by engine-worker.ts) against a fresh sample app,
 * with an undici Pool of the same concurrency as the engine's SCIM client
 * (connections = concurrency, pipelining 1), and nothing else: no store, no
 * mapping, no logs. Run as its own process, like the engine.
 *
 *   node --import tsx bench/lib/scim-replay.ts '<json options>'
 *
 * The requests are replayed in the engine's order, in units and phases
 * (see scim-requests.ts): a phase starts when the previous one has
 * finished; within a phase, `concurrency` workers take units in order, the
 * requests of a unit one after the other.
 * The ids the old app gave are replaced by the ids the fresh app gives
 * (matched by userName / group displayName).
 *
 * Prints one JSON line: { requests, errors, seconds, cpuSeconds, requestsPerSecond, phases (with their seconds) }.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { phases as phasesOf, units } from './scim-requests.ts';
import type { Recording, Unit } from './scim-requests.ts';

interface Options {
  url: string;
  token: string;
  recording: string;
  concurrency: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const recording = JSON.parse(readFileSync(opts.recording, 'utf8')) as Recording;
const target = new URL(opts.url);
const pool = new Pool(target.origin, { connections: opts.concurrency, pipelining: 1 });
const headers = {
  'content-type': 'application/scim+json',
  accept: 'application/scim+json, application/json',
  authorization: `Bearer ${opts.token}`,
};

const oldIds = { Users: new Map(Object.entries(recording.userIdByName)), Groups: new Map(Object.entries(recording.groupIdByName)) };
const newIdOf = new Map<string, string>();
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const remap = (s: string): string => s.replace(UUID, (id) => newIdOf.get(id) ?? id);

let requests = 0;
let errors = 0;

async function send(unit: Unit): Promise<void> {
  for (const r of unit.requests) {
    requests++;
    const res = await pool.request({ method: r.method as 'GET', path: remap(r.path), headers, body: r.body === undefined ? undefined : remap(r.body) });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      errors++;
      continue;
    }
    if (r.method === 'POST' && unit.key) {
      const created = JSON.parse(text) as { id: string };
      const old = oldIds[unit.key.collection].get(unit.key.name);
      if (old) newIdOf.set(old, created.id);
    }
  }
}

const phases = phasesOf(units(recording.requests));

const cpu0 = process.cpuUsage();
const started = performance.now();
const phaseSeconds: string[] = [];
for (const phase of phases) {
  const p0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < phase.length) await send(phase[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, phase.length) }, worker));
  phaseSeconds.push(`${phase[0]!.kind}×${phase.length} ${((performance.now() - p0) / 1000).toFixed(1)}s`);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
await pool.close();
console.log(JSON.stringify({
  requests,
  errors,
  seconds: Number(seconds.toFixed(3)),
  cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
  requestsPerSecond: Math.round(requests / seconds),
  phases: phaseSeconds.join(', '),
}));
