/**
 * Runs `node bin/provisio.js …` as a child process, the way people and
 * scripts run it, with a private HOME so that no test ever reads or writes
 * the real ~/.config/provisio/profile.json.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'provisio.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Environment on top of a clean one (PATH and a private HOME only). */
  env?: Record<string, string | undefined>;
  /** Text on stdin (closed at once otherwise). */
  input?: string;
  cwd?: string;
}

/** A folder removed by `dispose`, used as HOME and for files the CLI reads and writes. */
export function scratch(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'provisio-cli-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The child's environment: PATH, a private HOME, and what the test adds. */
function childEnv(opts: RunOptions): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test' };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
  env.HOME ??= join(tmpdir(), 'provisio-cli-no-home');
  return env;
}

/** A CLI child that is still running (`logs list --follow`), read while it runs. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches, or fails after `timeoutMs` (or if the child exits first). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the child has exited. */
  readonly exited: Promise<CliResult>;
}

/** Starts the CLI and returns at once; the caller ends it (by pid) and awaits `exited`. */
export function startCli(args: readonly string[], opts: RunOptions = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv(opts), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let done = false;
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      poke();
      resolve({ code: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : -1), stdout, stderr });
    });
  });
  child.stdin.end(opts.input ?? '');
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStdout: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) finish();
          else if (done) finish(new Error(`the CLI exited before printing ${String(pattern)}\nstdout: ${stdout}\nstderr: ${stderr}`));
        };
        const timer = setTimeout(() => finish(new Error(`no ${String(pattern)} on stdout within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
        const finish = (e?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (e) reject(e);
          else resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Runs the CLI; resolves when it exits. */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv(opts), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Asserts the exit code, showing both streams when it differs. */
export function expectCode(r: CliResult, code: number): CliResult {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Asserts success and parses stdout as one JSON document. */
export function json<T = Record<string, unknown>>(r: CliResult): T {
  expectCode(r, 0);
  return JSON.parse(r.stdout) as T;
}

/**
 * Asserts a failure printed as exactly one line
 * `provisio: <code>: <message>` on stderr, with the expected exit code and
 * error code, and nothing on stdout.
 */
export function expectError(r: CliResult, exit: number, code: string | RegExp, opts: { requestId?: boolean } = {}): string {
  expectCode(r, exit);
  assert.equal(r.stdout, '', `stdout should be empty on failure, got: ${r.stdout}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('provisio: warning:'));
  assert.equal(lines.length, 1, `one error line expected, got:\n${r.stderr}`);
  const line = lines[0]!;
  const m = /^provisio: (\S+): (.+)$/.exec(line);
  assert.ok(m, `not the error format: ${line}`);
  if (typeof code === 'string') assert.equal(m[1], code, line);
  else assert.match(m[1]!, code, line);
  if (opts.requestId) assert.match(line, /\(request-id [0-9a-f-]{36}\)$/, line);
  return line;
}

/**
 * Runs the same command line inside the test process through `main()`,
 * with captured streams and the given environment. Subprocess runs prove
 * the real binary; this covers the many variations of a command cheaply
 * (a child process costs about a second of start-up).
 */
export async function runInProcess(args: readonly string[], opts: RunOptions & { interactive?: boolean; answers?: string[] } = {}): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const answers = [...(opts.answers ?? [])];
  const env: NodeJS.ProcessEnv = { HOME: join(tmpdir(), 'provisio-cli-no-home') };
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
  const code = await main([...args], {
    io: {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env,
      interactive: opts.interactive ?? false,
      prompt: async (q) => {
        stderr += q;
        return answers.shift() ?? '';
      },
      readStdin: () => opts.input ?? '',
      onInterrupt: () => () => undefined,
    },
  });
  return { code, stdout, stderr };
}
