/**
 * Engine benchmarks (PRODUCT.md, "Targets"). Every step runs in a process
 * of its own (bench/lib/engine-worker.ts), so that seeding never counts
 * against a cycle's time or peak RSS; the store is a fresh SQLite file per
 * directory, under BENCH_DIR (default: the OS temp dir), removed at the end.
 * The jobs sync all (secret SyncAll "true"): every user and group is in
 * scope except the ~3% of users the generator disables. The provisioning
 * log is the real one (one entry per object and per reference update).
 *
 * 1. Initial cycle into the no-op (in-memory) target: BENCH_USERS users
 *    (100000), users/100 groups, ~users/2 memberships, a manager tree.
 *    Targets: under 20 s; peak RSS under 512 MB. The same cycle into a
 *    target that keeps nothing gives the engine's own peak RSS (the
 *    in-memory target holds every object it is sent).
 * 2. Initial cycle into the scimmy sample app in its own process
 *    (BENCH_SCIM_USERS, 10000), beside the same requests replayed by a bare
 *    undici client (bench/lib/scim-replay.ts) at the engine client's
 *    concurrency against a fresh app process; BENCH_SCIM_RUNS (2) rounds,
 *    engine and bare client alternating, the best of each compared (the
 *    app's speed follows the machine's load). Target: engine ≤ 1.25× bare.
 * 3. Incremental cycles after 100 attribute edits, at BENCH_SMALL_USERS
 *    (10000) and BENCH_USERS: the cost follows the changes, not the size.
 *    Target: under 1 s.
 * 4. A cycle with no change, at both sizes.
 *
 * Env: BENCH_USERS, BENCH_SCIM_USERS, BENCH_SMALL_USERS, BENCH_SCIM_RUNS,
 * BENCH_DIR, BENCH_PARTS (comma list of memory,discard,small,scim; default
 * all), BENCH_CPU_PROF (a folder: the cycle workers write V8 CPU profiles
 * there). Prints one JSON object per line; each carries the 1-minute load
 * average, and the first a CPU calibration (wall times on a shared machine
 * depend on both).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Task } from './lib/engine-worker.ts';
import { phaseTimes } from './lib/scim-requests.ts';
import type { Recording } from './lib/scim-requests.ts';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SCIM_USERS = Number(process.env.BENCH_SCIM_USERS ?? 10_000);
const SMALL_USERS = Number(process.env.BENCH_SMALL_USERS ?? 10_000);
const SCIM_RUNS = Math.max(1, Number(process.env.BENCH_SCIM_RUNS ?? 2));
const PARTS = new Set((process.env.BENCH_PARTS ?? 'memory,discard,small,scim').split(',').map((s) => s.trim()));
const CPU_PROF = process.env.BENCH_CPU_PROF;
/** The SCIM client's default concurrency (src/connectors/scim/client.ts); the bare client uses the same. */
const SCIM_CONCURRENCY = 8;
const EDITS = 100;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const WORKER = here('./lib/engine-worker.ts');
const REPLAY = here('./lib/scim-replay.ts');
const SAMPLE_APP = here('../src/connectors/scim/sample-app/run.ts');

const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'provisio-engine-bench-'));
const out = (o: Record<string, unknown>): void => console.log(JSON.stringify({ ...o, loadavg1: Number(loadavg()[0]!.toFixed(2)) }));

/** Runs a script in a child process; resolves with the JSON lines it printed. */
function run(script: string, arg: unknown, extraFlags: string[] = []): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', ...extraFlags, script, JSON.stringify(arg)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.trim().startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve(lines) : reject(new Error(`${script} exited with ${code ?? signal}`))));
  });
}

function worker(task: Task): Promise<Record<string, unknown>[]> {
  const prof = CPU_PROF && task.task === 'cycles' ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${task.label}.cpuprofile`] : [];
  return run(WORKER, task, prof);
}

async function seed(label: string, users: number): Promise<{ dir: string; jobId: string }> {
  const dir = join(root, label);
  const [line] = await worker({ task: 'seed', dir, users, label });
  out(line!);
  return { dir, jobId: String(line!.jobId) };
}

/** A copy of a seeded data dir, for a second cycle from the same start. */
function copyOf(s: { dir: string; jobId: string }, label: string): { dir: string; jobId: string } {
  const dir = join(root, label);
  cpSync(s.dir, dir, { recursive: true });
  return { dir, jobId: s.jobId };
}

/** Starts the sample SCIM app as its own process; it stops when our pipe to its stdin closes. */
async function startApp(): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SAMPLE_APP, '--entra-compat', '--stop-on-stdin-end'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sample app exited with ${code}`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return {
    url, token,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end();
    }),
  };
}

/** A fixed CPU-bound loop, to compare machines: ms for 2e8 additions. */
function calibrate(): number {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 2e8; i++) x += i & 7;
  if (x < 0) console.log(x);
  return Math.round(performance.now() - t0);
}

const results: Record<string, number> = {};
const keep = (lines: Record<string, unknown>[], prefix: string): void => {
  for (const l of lines) {
    out(l);
    results[`${prefix}.${String(l.bench).split('.').pop()}`] = Number(l.seconds);
    if (l.full) results[`${prefix}.peakRssMB`] = Number(l.peakRssAfterMB);
  }
};

try {
  out({ bench: 'engine.machine', cpus: cpus().length, cpuModel: cpus()[0]?.model, calibrationMs: calibrate(), node: process.version });
  // 1, 3 and 4 at BENCH_USERS: one process, one memory target across the cycles.
  if (PARTS.has('memory') || PARTS.has('discard')) {
    const big = await seed(`memory-${USERS}`, USERS);
    const pristine = PARTS.has('discard') && PARTS.has('memory') ? copyOf(big, `discard-${USERS}`) : big;
    if (PARTS.has('memory')) {
      keep(await worker({ task: 'cycles', dir: big.dir, jobId: big.jobId, label: `memory-${USERS}`, users: USERS, steps: ['initial', 'noChange', `edits:${EDITS}`] }), 'big');
    }
    if (PARTS.has('discard')) {
      keep(await worker({ task: 'cycles', dir: pristine.dir, jobId: pristine.jobId, label: `discard-${USERS}`, users: USERS, steps: ['initial'], target: 'discard' }), 'discard');
    }
  }
  // 3 and 4 at BENCH_SMALL_USERS.
  if (PARTS.has('small') && SMALL_USERS !== USERS) {
    const small = await seed(`memory-${SMALL_USERS}`, SMALL_USERS);
    keep(await worker({ task: 'cycles', dir: small.dir, jobId: small.jobId, label: `memory-${SMALL_USERS}`, users: SMALL_USERS, steps: ['initial', 'noChange', `edits:${EDITS}`] }), 'small');
  }
  // 2: rounds of the engine into a fresh app, then the bare client into another fresh app.
  if (PARTS.has('scim')) {
    const seeded = await seed(`scim-${SCIM_USERS}`, SCIM_USERS);
    const engine: number[] = [];
    const bare: number[] = [];
    for (let round = 1; round <= SCIM_RUNS; round++) {
      const s = round === SCIM_RUNS ? seeded : copyOf(seeded, `scim-${SCIM_USERS}-${round}`);
      const recording = join(root, `scim-requests-${round}.json`);
      let app = await startApp();
      try {
        const [line] = await worker({ task: 'cycles', dir: s.dir, jobId: s.jobId, label: `scim-${SCIM_USERS}`, users: SCIM_USERS, steps: ['initial'], scim: { url: app.url, token: app.token }, record: recording });
        engine.push(Number(line!.seconds));
        out({ ...line, round, phases: phaseTimes(JSON.parse(readFileSync(recording, 'utf8')) as Recording).join(', ') });
      } finally {
        await app.stop();
      }
      app = await startApp();
      try {
        const [line] = await run(REPLAY, { url: app.url, token: app.token, recording, concurrency: SCIM_CONCURRENCY });
        bare.push(Number(line!.seconds));
        out({ bench: 'engine.scim.bareClient', users: SCIM_USERS, round, concurrency: SCIM_CONCURRENCY, ...line });
      } finally {
        await app.stop();
      }
      if (round < SCIM_RUNS) rmSync(s.dir, { recursive: true, force: true });
    }
    const ratio = Math.min(...engine) / Math.min(...bare);
    out({
      bench: 'engine.scim.engineVsBareClient', users: SCIM_USERS, engineSeconds: engine, bareSeconds: bare,
      ratio: Number(ratio.toFixed(3)), ratioOfRounds: engine.map((e, i) => Number((e / bare[i]!).toFixed(3))), target: 1.25, met: ratio <= 1.25,
    });
  }
  if (PARTS.has('memory')) {
    out({
      bench: 'engine.targets', users: USERS,
      initialUnder20s: results['big.initial']! < 20,
      peakRssUnder512MB: results['big.peakRssMB']! < 512,
      enginePeakRssUnder512MB: results['discard.peakRssMB'] === undefined ? undefined : results['discard.peakRssMB'] < 512,
      incrementalUnder1s: results['big.edits']! < 1 && (results['small.edits'] ?? 0) < 1,
    });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
