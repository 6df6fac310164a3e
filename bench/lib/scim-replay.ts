/**
 * The bare client of the engine benchmark: replays the SCIM requests the
 * engine sent (as recorded by engine-worker.ts) against a fresh sample app,
 * with an undici Pool of the same concurrency as the engine's SCIM client
 * (connections = concurrency, pipelining 1), and nothing else: no store, no
 * mapping, no logs. Run as its own process, like the engine.
 *
 *   node --import tsx bench/lib/scim-replay.ts '<json options>'
 *
 * The requests are replayed in the engine's order, grouped into units: a
 * match query and the create it led to (GET /Users?filter=userName eq "x",
 * then POST /Users for x) are one unit, sent one after the other, as the
 * engine sends them; every other request is a unit of its own. Consecutive
 * units of one kind (create users, PATCH users, create groups, PATCH
 * groups) form a phase; a phase starts when the previous one has finished
 * (the engine, too, sets managers only once users exist and members once
 * groups exist). Within a phase, `concurrency` workers take units in order.
 * The ids the old app gave are replaced by the ids the fresh app gives
 * (matched by userName / group displayName).
 *
 * Prints one JSON line: { requests, errors, seconds, cpuSeconds, requestsPerSecond, phases }.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import type { Recording, RecordedRequest } from './engine-worker.ts';

interface Options {
  url: string;
  token: string;
  recording: string;
  concurrency: number;
}

interface Unit {
  kind: string;
  requests: RecordedRequest[];
  /** For creates: the user name / group display name, to map the old id to the new one. */
  key?: { collection: 'Users' | 'Groups'; name: string };
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

const collectionOf = (path: string): 'Users' | 'Groups' | undefined => {
  const m = /\/(Users|Groups)(?:[/?]|$)/.exec(path);
  return m ? (m[1] as 'Users' | 'Groups') : undefined;
};
const nameOf = (collection: 'Users' | 'Groups', name: string): string => (collection === 'Users' ? name.toLowerCase() : name);

/** The value of an `attr eq "value"` filter, or undefined. */
function filterValue(path: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  const filter = new URLSearchParams(path.slice(q + 1)).get('filter');
  const m = filter ? /^\w+ eq "((?:[^"\\]|\\.)*)"$/.exec(filter) : null;
  return m ? JSON.parse(`"${m[1]}"`) as string : undefined;
}

function units(requests: readonly RecordedRequest[]): Unit[] {
  const out: Unit[] = [];
  // Match queries waiting for the create they lead to, by collection and name.
  const open = new Map<string, Unit>();
  for (const r of requests) {
    const collection = collectionOf(r.path);
    if (r.method === 'GET' && collection) {
      const value = filterValue(r.path);
      if (value !== undefined) {
        const unit: Unit = { kind: `query ${collection}`, requests: [r], key: { collection, name: nameOf(collection, value) } };
        open.set(`${collection} ${unit.key!.name}`, unit);
        out.push(unit);
        continue;
      }
    }
    if (r.method === 'POST' && collection && r.body) {
      const body = JSON.parse(r.body) as { userName?: string; displayName?: string };
      const name = nameOf(collection, String((collection === 'Users' ? body.userName : body.displayName) ?? ''));
      const query = open.get(`${collection} ${name}`);
      if (query) {
        open.delete(`${collection} ${name}`);
        query.requests.push(r);
        query.kind = `create ${collection}`;
        continue;
      }
      out.push({ kind: `create ${collection}`, requests: [r], key: { collection, name } });
      continue;
    }
    out.push({ kind: `${r.method} ${collection ?? r.path}`, requests: [r] });
  }
  return out;
}

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

const all = units(recording.requests);
const phases: Unit[][] = [];
for (const u of all) {
  const last = phases[phases.length - 1];
  if (last && last[0]!.kind === u.kind) last.push(u);
  else phases.push([u]);
}

const cpu0 = process.cpuUsage();
const started = performance.now();
for (const phase of phases) {
  let next = 0;
  const worker = async () => {
    while (next < phase.length) await send(phase[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, phase.length) }, worker));
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
  phases: phases.map((p) => `${p[0]!.kind}×${p.length}`).join(', '),
}));
