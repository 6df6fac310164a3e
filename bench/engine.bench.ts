/**
 * Engine benchmarks (PRODUCT.md, "Targets"). Every step runs in a process
 * of its own (bench/lib/engine-worker.ts), so that seeding never counts
 * against a cycle's time or peak RSS; the store is a fresh SQLite file per
 * directory, under BENCH_DIR (default: the OS temp dir), removed at the end.
 * The jobs sync all (secret SyncAll "true"): every user and group is in
 * scope except the ~3% of users the generator disables.
 *
 * 1. Initial cycle into the no-op (in-memory) target: BENCH_USERS users
 *    (100000), users/100 groups, ~users/2 memberships, a manager tree.
 *    Targets: under 20 s; peak RSS under 512 MB.
 * 2. Initial cycle into the scimmy sample app in its own process
 *    (BENCH_SCIM_USERS, 10000), beside the same requests replayed by a bare
 *    undici client (bench/lib/scim-replay.ts) at the engine client's
 *    concurrency against a fresh app process. Target: engine ≤ 1.25× bare.
 * 3. Incremental cycles after 100 attribute edits, at BENCH_SMALL_USERS
 *    (10000) and BENCH_USERS: the cost follows the changes, not the size.
 *    Target: under 1 s.
 * 4. A cycle with no change, at both sizes.
 *
 * Env: BENCH_USERS, BENCH_SCIM_USERS, BENCH_SMALL_USERS, BENCH_DIR,
 * BENCH_PARTS (comma list of memory,small,scim; default all),
 * BENCH_CPU_PROF (a folder: the cycle workers write V8 CPU profiles there).
 * Prints one JSON object per line.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Task } from './lib/engine-worker.ts';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SCIM_USERS = Number(process.env.BENCH_SCIM_USERS ?? 10_000);
const SMALL_USERS = Number(process.env.BENCH_SMALL_USERS ?? 10_000);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'memory,small,scim').split(',').map((s) => s.trim()));
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

const results: Record<string, number> = {};
const keep = (lines: Record<string, unknown>[], prefix: string): void => {
  for (const l of lines) {
    out(l);
    results[`${prefix}.${String(l.bench).split('.').pop()}`] = Number(l.seconds);
    if (l.full) results[`${prefix}.peakRssMB`] = Number(l.peakRssAfterMB);
  }
};

try {
  // 1, 3 and 4 at BENCH_USERS: one process, one memory target across the cycles.
  if (PARTS.has('memory')) {
    const big = await seed(`memory-${USERS}`, USERS);
    keep(await worker({ task: 'cycles', dir: big.dir, jobId: big.jobId, label: `memory-${USERS}`, users: USERS, steps: ['initial', 'noChange', `edits:${EDITS}`] }), 'big');
  }
  // 3 and 4 at BENCH_SMALL_USERS.
  if (PARTS.has('small') && SMALL_USERS !== USERS) {
    const small = await seed(`memory-${SMALL_USERS}`, SMALL_USERS);
    keep(await worker({ task: 'cycles', dir: small.dir, jobId: small.jobId, label: `memory-${SMALL_USERS}`, users: SMALL_USERS, steps: ['initial', 'noChange', `edits:${EDITS}`] }), 'small');
  }
  // 2: the engine into the sample app, then the bare client into a fresh one.
  if (PARTS.has('scim')) {
    const s = await seed(`scim-${SCIM_USERS}`, SCIM_USERS);
    const recording = join(root, 'scim-requests.json');
    let app = await startApp();
    let engineSeconds: number;
    let objects: number;
    try {
      const lines = await worker({ task: 'cycles', dir: s.dir, jobId: s.jobId, label: `scim-${SCIM_USERS}`, users: SCIM_USERS, steps: ['initial'], scim: { url: app.url, token: app.token }, record: recording });
      for (const l of lines) out(l);
      engineSeconds = Number(lines[0]!.seconds);
      objects = Number(lines[0]!.imported);
    } finally {
      await app.stop();
    }
    app = await startApp();
    try {
      const [bare] = await run(REPLAY, { url: app.url, token: app.token, recording, concurrency: SCIM_CONCURRENCY });
      out({ bench: `engine.scim.bareClient`, users: SCIM_USERS, concurrency: SCIM_CONCURRENCY, ...bare, objectsPerSecond: Math.round(objects / Number(bare!.seconds)) });
      const ratio = engineSeconds / Number(bare!.seconds);
      out({ bench: 'engine.scim.engineVsBareClient', users: SCIM_USERS, engineSeconds, bareSeconds: Number(bare!.seconds), ratio: Number(ratio.toFixed(3)), target: 1.25, met: ratio <= 1.25 });
    } finally {
      await app.stop();
    }
  }
  if (PARTS.has('memory')) {
    out({
      bench: 'engine.targets', users: USERS,
      initialUnder20s: results['big.initial']! < 20,
      peakRssUnder512MB: results['big.peakRssMB']! < 512,
      incrementalUnder1s: results['big.edits']! < 1 && (results['small.edits'] ?? 0) < 1,
    });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
