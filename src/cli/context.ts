/**
 * What every client command shares: the global flags, the connection and
 * Graph client (made on first use, so commands that never call the server
 * need no credentials), the printer, and small helpers for the options
 * many commands take (`--sp`/`--app`, `--file`, `KEY=VALUE` lists).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliIo } from './io.ts';
import { Output, jsonText } from './output.ts';
import type { Connection, ConnectionFlags } from './credentials.ts';
import { resolveConnection } from './credentials.ts';
import { GraphClient } from './http-client.ts';
import { usageError } from './errors.ts';

/** Options every command accepts (declared once, on the root command). */
export interface GlobalFlags extends ConnectionFlags {
  json?: boolean;
  verbose?: boolean;
}

/** What the command modules need from the outside world; tests substitute parts of it. */
export interface Deps {
  io: CliIo;
  fetch?: typeof fetch;
}

/** One command's view of the world: flags, streams, printer, and a lazily made Graph client. */
export class CliContext {
  readonly out: Output;
  private conn: Connection | undefined;
  private graph: GraphClient | undefined;

  constructor(
    readonly deps: Deps,
    readonly flags: GlobalFlags,
  ) {
    this.out = new Output(Boolean(flags.json), deps.io.stdout);
  }

  get io(): CliIo {
    return this.deps.io;
  }

  /** A warning on stderr; never part of the output scripts read. */
  warn(message: string): void {
    this.io.stderr(`provisio: warning: ${message}\n`);
  }

  /** Server and credentials (flags > environment > profile file). */
  connection(): Connection {
    this.conn ??= resolveConnection(this.flags, this.io.env, (m) => this.warn(m));
    return this.conn;
  }

  /** The Graph client, created on first use. */
  client(): GraphClient {
    if (!this.graph) {
      const c = this.connection();
      this.graph = new GraphClient({
        server: c.server,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        fetch: this.deps.fetch,
        trace: this.flags.verbose ? (line) => this.io.stderr(`provisio: ${line}\n`) : undefined,
      });
    }
    return this.graph;
  }

  /** Reads a JSON file (`-` is stdin); a missing or malformed file is a usage error naming it. */
  readJson(file: string, what: string): unknown {
    let text: string;
    try {
      text = file === '-' ? this.io.readStdin() : readFileSync(file, 'utf8');
    } catch (e) {
      throw usageError(`Cannot read ${what} file '${file}': ${(e as Error).message}`, 'InvalidInputFile');
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw usageError(`The ${what} file '${file}' is not valid JSON: ${(e as Error).message}`, 'InvalidInputFile');
    }
  }

  /** Writes a JSON document to a file (`-` is stdout), pretty-printed. */
  writeJson(file: string, doc: unknown): void {
    if (file === '-') {
      this.io.stdout(jsonText(doc));
      return;
    }
    try {
      writeFileSync(file, jsonText(doc));
    } catch (e) {
      throw usageError(`Cannot write '${file}': ${(e as Error).message}`, 'InvalidOutputFile');
    }
  }
}

/**
 * Wraps a command body as a commander action: builds the context from the
 * global flags and hands over the command's own options and positional
 * arguments. Errors propagate to `main`, which prints and maps them.
 */
export function action<O = Record<string, unknown>>(deps: Deps, fn: (ctx: CliContext, opts: O, args: string[]) => Promise<void>) {
  return async (...all: unknown[]): Promise<void> => {
    const cmd = all[all.length - 1] as Command;
    const ctx = new CliContext(deps, cmd.optsWithGlobals<GlobalFlags>());
    await fn(ctx, cmd.opts() as O, cmd.processedArgs as string[]);
  };
}

/** A path segment, escaped. */
export const seg = (id: string): string => encodeURIComponent(id);

/** The `--sp` / `--app` owner options of the synchronization commands. */
export interface OwnerOptions {
  sp?: string;
  app?: string;
}

/** Adds `--sp <servicePrincipalId>` and `--app <applicationObjectId>` to a command. */
export function ownerOptions(cmd: Command): Command {
  return cmd
    .option('--sp <servicePrincipalId>', 'the service principal that owns the synchronization (object id)')
    .option('--app <applicationObjectId>', 'the application that owns it (object id; the application side of the API)');
}

/**
 * `/v1.0/servicePrincipals/{id}/synchronization` or
 * `/v1.0/applications/{id}/synchronization`. Graph serves a few operations
 * on the application side only (template update, template schema writes);
 * those pass `appOnly` to say so when `--sp` is given.
 */
export function syncBase(opts: OwnerOptions, appOnly?: string): string {
  if (opts.sp !== undefined && opts.app !== undefined) throw usageError('Give either --sp or --app, not both.');
  if (appOnly && opts.app === undefined) {
    throw usageError(`${appOnly} exists on the application side only: name the application with --app <applicationObjectId>.`);
  }
  if (opts.app !== undefined) return `/v1.0/applications/${seg(opts.app)}/synchronization`;
  if (opts.sp !== undefined) return `/v1.0/servicePrincipals/${seg(opts.sp)}/synchronization`;
  throw usageError('Name the owner of the synchronization: --sp <servicePrincipalId> or --app <applicationObjectId>.');
}

/** Splits `KEY=VALUE` arguments (at the first `=`); the value may be empty, the key may not. */
export function parsePairs(items: readonly string[], what: string): { key: string; value: string }[] {
  return items.map((item) => {
    const i = item.indexOf('=');
    if (i <= 0) throw usageError(`Expected ${what} as KEY=VALUE, got '${item}'.`);
    return { key: item.slice(0, i), value: item.slice(i + 1) };
  });
}

/** Collects a repeatable option into a list (commander's reducer form). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A positive integer option value, or a usage error. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw usageError(`${name} must be a positive integer, got '${value}'.`);
    return n;
  };
}

/** Options of list commands: page size and paging. */
export interface ListOptions {
  top?: number;
  all?: boolean;
}

/** Adds `--top` and `--all` to a list command. */
export function listOptions(cmd: Command): Command {
  return cmd
    .option('--top <n>', 'page size ($top)', positiveInt('--top'))
    .option('--all', 'follow @odata.nextLink and return every page');
}

/** Tells people (not scripts) that a listing has more pages. */
export function notePaging(ctx: CliContext, doc: { '@odata.nextLink'?: unknown }): void {
  if (!ctx.out.json && doc['@odata.nextLink']) ctx.io.stderr('provisio: more results are available; use --all to fetch every page\n');
}

/**
 * Secret or credential pairs from a JSON document, in whichever shape the
 * user has at hand: Graph's `{ "value": [ {key, value} ] }`, the
 * `{ "credentials": [...] }` body of validateCredentials/acquireAccessToken,
 * a bare array of pairs, or a plain `{ "BaseAddress": "…" }` map.
 */
export function pairsFromJson(doc: unknown, file: string): { key: string; value: string | null }[] {
  const bad = () => usageError(`The file '${file}' must hold {"value":[{"key":…,"value":…}]}, a list of such pairs, or a {"Key":"value"} object.`, 'InvalidInputFile');
  let list: unknown = doc;
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.value)) list = o.value;
    else if (Array.isArray(o.credentials)) list = o.credentials;
    else {
      return Object.entries(o).map(([key, value]) => {
        if (value !== null && typeof value !== 'string') throw bad();
        return { key, value };
      });
    }
  }
  if (!Array.isArray(list)) throw bad();
  return list.map((p: unknown) => {
    const pair = p as { key?: unknown; value?: unknown } | null;
    if (!pair || typeof pair.key !== 'string' || (pair.value !== null && pair.value !== undefined && typeof pair.value !== 'string')) throw bad();
    return { key: pair.key, value: (pair.value as string | null | undefined) ?? null };
  });
}

/**
 * `name=value` property assignments for PATCH-style commands. Values that
 * read as JSON literals (true, false, null, numbers, quoted strings,
 * arrays, objects) are sent as such; anything else as a string.
 */
export function parseAssignments(items: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of parsePairs(items, '--set')) {
    let v: unknown = value;
    if (/^(true|false|null|-?\d+(\.\d+)?|".*"|\[.*\]|\{.*\})$/s.test(value.trim())) {
      try {
        v = JSON.parse(value);
      } catch {
        v = value;
      }
    }
    out[key] = v;
  }
  return out;
}
