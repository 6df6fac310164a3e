/**
 * The engine benchmark's worker: one process per step, so that each step's
 * peak RSS (`process.resourceUsage().maxRSS`) is its own and seeding never
 * counts against a cycle. Driven by bench/engine.bench.ts.
 *
 *   node --import tsx --expose-gc bench/lib/engine-worker.ts '<json Task>'
 *
 * Tasks:
 * - `seed`: a fresh SQLite data dir with an application, its SCIM job
 *   (SyncAll "true": every user and group is in scope, the disabled ~3% of
 *   users excepted) and a generated tenant of N users, N/100 groups and
 *   ~N/2 memberships. Prints the job id.
 * - `cycles`: opens the data dir and runs, in order, the cycles asked for
 *   (`initial`, `noChange`, `edits:K`: K attribute edits then a cycle), each
 *   timed on its own, into the in-memory target (one target across the
 *   cycles, as a real application keeps its data), a target that keeps
 *   nothing (`discard`: the process's memory is then the engine's alone),
 *   or a SCIM URL. With
 *   `record`, every HTTP request the engine sends is captured (undici's
 *   diagnostics channel) and written, with the target ids of the linked
 *   objects, to that file, for the bare-client replay.
 *
 * Prints one JSON object per line on stdout.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createServices } from '../../src/services.ts';
import type { Services } from '../../src/services.ts';
import { loadConfig } from '../../src/config/config.ts';
import { seedTenant } from '../../src/directory/seed.ts';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import type { AttributeChange, ScimResource, TargetObject, TargetPort, TargetStats } from '../../src/connectors/ports.ts';
import { scimTargetFactory } from '../../src/engine/target-factory.ts';
import type { TargetFactory } from '../../src/engine/target-factory.ts';
import type { CycleResult } from '../../src/engine/cycle.ts';
import type { Recording, RecordedRequest } from './scim-requests.ts';

export type Task =
  | { task: 'seed'; dir: string; users: number; label: string }
  | {
    task: 'cycles'; dir: string; jobId: string; label: string; users: number;
    steps: string[];
    /** memory (default): the in-memory target; discard: a target that keeps nothing (the engine's own memory); scim: `scim`. */
    target?: 'memory' | 'discard';
    scim?: { url: string; token: string };
    record?: string;
    cpuProfile?: boolean;
  };


const task = JSON.parse(process.argv[2] ?? '{}') as Task;
const out = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
const maxRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const rssMB = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function open(dir: string, targetFactory?: TargetFactory): Promise<Services> {
  const config = loadConfig({ port: 0, dataDir: dir, logLevel: 'silent' }, {});
  return createServices(config, { logger: pino({ level: 'silent' }), ...(targetFactory ? { targetFactory } : {}) });
}

async function seed(t: Extract<Task, { task: 'seed' }>): Promise<void> {
  const services = await open(t.dir);
  try {
    const sp = await services.store.transaction(async (trx) => {
      const app = await services.applications.createApplication({ displayName: 'Engine benchmark app' }, null, trx);
      const sp = await services.applications.createServicePrincipal({ appId: app.appId }, null, trx);
      await services.sync.seedTemplates(sp.id, app.appId, ['scim'], trx);
      return sp;
    });
    const t0 = performance.now();
    const groups = Math.max(1, Math.round(t.users / 100));
    const r = await seedTenant(services.directory, { users: t.users, groups, avgMembers: Math.min(50, t.users), seed: 42 });
    const seconds = (performance.now() - t0) / 1000;
    await services.sync.putSecrets(sp.id, [
      { key: 'BaseAddress', value: 'http://127.0.0.1:1/scim' },
      { key: 'SecretToken', value: 'bench' },
      { key: 'SyncAll', value: 'true' },
    ]);
    const job = await services.sync.createJob(sp.id, { templateId: 'scim' });
    out({
      bench: `engine.seed.${t.label}`, users: r.users, groups: r.groups, memberships: r.memberships, seconds: round(seconds),
      jobId: job.id, spId: sp.id, maxRssMB: maxRssMB(),
    });
  } finally {
    await services.close();
  }
}

/** The engine closes its target after each cycle; the memory target must keep its data across cycles. */
function keepOpen(target: TargetPort): TargetPort {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === 'close') return () => Promise.resolve();
      const v = Reflect.get(t, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/**
 * A target that accepts everything and keeps nothing: creates answer a new
 * id, finds find nothing. With it, the process's memory is the engine's
 * alone (the in-memory target holds every object it was sent).
 */
class DiscardTarget implements TargetPort {
  readonly kind = 'discard';
  private next = 0;
  private requests = 0;
  private ok<T>(value: T): Promise<T> {
    this.requests++;
    return Promise.resolve(value);
  }
  testConnection(): Promise<void> { return this.ok(undefined); }
  findUser(): Promise<TargetObject | undefined> { return this.ok(undefined); }
  findGroup(): Promise<TargetObject | undefined> { return this.ok(undefined); }
  getUser(id: string): Promise<TargetObject> { return this.ok({ id }); }
  getGroup(id: string): Promise<TargetObject> { return this.ok({ id }); }
  createUser(_r: ScimResource): Promise<TargetObject> { return this.ok({ id: `d${++this.next}` }); }
  createGroup(_r: ScimResource): Promise<TargetObject> { return this.ok({ id: `d${++this.next}` }); }
  updateUser(_id: string, _c: readonly AttributeChange[]): Promise<void> { return this.ok(undefined); }
  updateGroup(_id: string, _c: readonly AttributeChange[]): Promise<void> { return this.ok(undefined); }
  setActive(): Promise<void> { return this.ok(undefined); }
  deleteUser(): Promise<void> { return this.ok(undefined); }
  deleteGroup(): Promise<void> { return this.ok(undefined); }
  addMembers(): Promise<void> { return this.ok(undefined); }
  removeMembers(): Promise<void> { return this.ok(undefined); }
  setManager(): Promise<void> { return this.ok(undefined); }
  stats(): TargetStats {
    return { requests: this.requests, retries: 0, throttled: 0, timeouts: 0, failures: 0, dryRunRefused: 0, inFlight: 0, maxInFlight: 0, concurrencyLimit: Number.POSITIVE_INFINITY };
  }
  close(): Promise<void> { return Promise.resolve(); }
}

/** K enabled users spread over the directory (about every ⌊0.9·N/K⌋-th), edited so that a mapped attribute changes. */
async function edit(services: Services, count: number, users: number): Promise<void> {
  const every = Math.max(1, Math.floor((users * 0.9) / count));
  const ids: string[] = [];
  let i = 0;
  for await (const batch of services.directory.streamUsers({ batchSize: 2000 })) {
    for (const u of batch) {
      if (!u.accountEnabled) continue;
      if (i++ % every === 0) ids.push(u.id);
      if (ids.length === count) break;
    }
    if (ids.length === count) break;
  }
  const stamp = randomUUID().slice(0, 8);
  for (const id of ids) await services.directory.updateUser(id, { jobTitle: `Benchmark title ${stamp}` });
}

function round(x: number, digits = 3): number {
  return Number(x.toFixed(digits));
}

async function cycles(t: Extract<Task, { task: 'cycles' }>): Promise<void> {
  const kept = t.target === 'discard' ? new DiscardTarget() : keepOpen(createMemoryTarget());
  const factory: TargetFactory = t.scim
    ? (_secrets, opts) => scimTargetFactory({ BaseAddress: t.scim!.url, SecretToken: t.scim!.token }, opts)
    : () => kept;
  const recorded: RecordedRequest[] = [];
  let cycleStart = 0;
  if (t.record) {
    const byRequest = new WeakMap<object, RecordedRequest>();
    subscribe('undici:request:create', (message) => {
      const { request } = message as { request: { method: string; path: string; body?: unknown } };
      const body = request.body;
      const entry: RecordedRequest = { method: request.method, path: request.path, start: performance.now() - cycleStart };
      if (typeof body === 'string') entry.body = body;
      else if (body instanceof Uint8Array) entry.body = Buffer.from(body).toString('utf8');
      recorded.push(entry);
      byRequest.set(request, entry);
    });
    const ended = (message: unknown) => {
      const entry = byRequest.get((message as { request: object }).request);
      if (entry) entry.end = performance.now() - cycleStart;
    };
    subscribe('undici:request:trailers', ended);
    subscribe('undici:request:error', ended);
  }
  const services = await open(t.dir, factory);
  try {
    for (const step of t.steps) {
      const [kind, arg] = step.split(':');
      if (kind === 'edits') await edit(services, Number(arg), t.users);
      gc();
      const rssBefore = rssMB();
      const maxBefore = maxRssMB();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      cycleStart = t0;
      const result: CycleResult | undefined = await services.engine.runCycle(t.jobId);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (!result) throw new Error(`${step}: the cycle did not run (quarantined?)`);
      const c = result.counters;
      const objects = c.imported + c.importedDeltas;
      const line: Record<string, unknown> = {
        bench: `engine.cycle.${t.label}.${kind}`, users: t.users, target: t.scim ? 'scim-sample-app' : (t.target ?? 'memory'),
        full: result.full, seconds: round(seconds), cpuSeconds: round((cpu.user + cpu.system) / 1e6),
      };
      if (result.full) line.objectsPerSecond = Math.round(objects / seconds);
      Object.assign(line, {
        imported: c.imported, importedDeltas: c.importedDeltas, referenceDeltas: c.importedReferenceDeltas,
        created: c.created, updated: c.updated, redundant: c.redundant, escrowed: c.escrowed, writes: c.writes,
        rssBeforeMB: rssBefore, peakRssBeforeMB: maxBefore, peakRssAfterMB: maxRssMB(),
      });
      if (t.scim && recorded.length) {
        // When the engine's first request left and its last answer came, within the cycle.
        line.requests = recorded.length;
        line.firstRequestAtSeconds = round(Math.min(...recorded.map((r) => r.start ?? 0)) / 1000);
        line.lastResponseAtSeconds = round(Math.max(...recorded.map((r) => r.end ?? 0)) / 1000);
      }
      out(line);
    }
    if (t.record) {
      const recording: Recording = { requests: recorded, userIdByName: {}, groupIdByName: {} };
      const rows = await services.store.db.selectFrom('sync_links').select(['object_type', 'target_id', 'exported']).execute();
      for (const r of rows) {
        const exported = JSON.parse(r.exported) as Record<string, unknown>;
        if (r.object_type === 'User') recording.userIdByName[String(exported.userName).toLowerCase()] = r.target_id;
        else recording.groupIdByName[String(exported.displayName)] = r.target_id;
      }
      writeFileSync(t.record, JSON.stringify(recording));
    }
  } finally {
    await services.close();
  }
}

if (task.task === 'seed') await seed(task);
else if (task.task === 'cycles') await cycles(task);
else throw new Error(`unknown task ${JSON.stringify(task)}`);
