/**
 * Where the command line finds its server and credentials. Each value is
 * taken from the first of: a flag, an environment variable, the profile
 * file. The profile file holds a client secret, so it must be readable by
 * its owner alone; `provisio login` writes it that way.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { usageError } from './errors.ts';

/** The server a command reaches when nothing else is said (PRODUCT.md). */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The contents of a profile file. */
export interface Profile {
  server?: string;
  clientId?: string;
  clientSecret?: string;
}

/** Flags that name the connection (all optional). */
export interface ConnectionFlags {
  server?: string;
  clientId?: string;
  clientSecret?: string;
  profile?: string;
}

/** Where to connect, with what, and where each value came from (for messages). */
export interface Connection {
  server: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** The profile file that was read, if one was. */
  profilePath: string | undefined;
}

/**
 * The profile file used when `--profile` is not given: `PROVISIO_PROFILE`,
 * else `$XDG_CONFIG_HOME/provisio/profile.json`, else
 * `~/.config/provisio/profile.json`.
 */
export function defaultProfilePath(env: NodeJS.ProcessEnv): string {
  if (env.PROVISIO_PROFILE) return env.PROVISIO_PROFILE;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'provisio', 'profile.json');
}

/**
 * Reads a profile file. A missing file is `undefined` unless `required`
 * (the user named it). Warns through `warn` when others can read it.
 */
export function readProfile(path: string, opts: { required: boolean; warn: (message: string) => void }): Profile | undefined {
  if (!existsSync(path)) {
    if (opts.required) throw usageError(`The profile file '${path}' does not exist; create it with 'provisio login'.`, 'ProfileNotFound');
    return undefined;
  }
  // POSIX permission bits only mean something off Windows.
  if (process.platform !== 'win32') {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      opts.warn(`the profile file ${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw usageError(`The profile file '${path}' is not valid JSON: ${(e as Error).message}`, 'InvalidProfile');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`The profile file '${path}' must hold a JSON object with server, clientId and clientSecret.`, 'InvalidProfile');
  }
  const p = parsed as Record<string, unknown>;
  const profile: Profile = {};
  for (const key of ['server', 'clientId', 'clientSecret'] as const) {
    const v = p[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw usageError(`The profile file '${path}': '${key}' must be a string.`, 'InvalidProfile');
    profile[key] = v;
  }
  return profile;
}

/**
 * Writes a profile file readable by its owner alone (0600, in a 0700
 * folder when the folder is new). The file is replaced atomically so that
 * a crash never leaves half a secret, and re-chmodded in case it existed
 * with looser bits.
 */
export function writeProfile(path: string, profile: Profile): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(profile, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Removes a profile file; false when there was none. */
export function removeProfile(path: string): boolean {
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}

/**
 * A server URL as the client uses it: http(s) only, no trailing slash, and
 * without a trailing `/v1.0` (commands add the Graph version themselves).
 */
export function normalizeServer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`'${raw}' is not a URL; give the server as http://host:port.`, 'InvalidServer');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`'${raw}' is not an http(s) URL.`, 'InvalidServer');
  }
  if (url.search || url.hash) throw usageError(`The server URL '${raw}' must not carry a query or fragment.`, 'InvalidServer');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1\.0$/i, '');
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * Resolves the connection: flags, then `PROVISIO_URL` /
 * `PROVISIO_CLIENT_ID` / `PROVISIO_CLIENT_SECRET`, then the profile file.
 * The profile file is only read when a value is still missing or when
 * `--profile` names it, so a fully specified command never touches it.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, warn: (message: string) => void): Connection {
  let server = flags.server ?? (env.PROVISIO_URL || undefined);
  let clientId = flags.clientId ?? (env.PROVISIO_CLIENT_ID || undefined);
  let clientSecret = flags.clientSecret ?? (env.PROVISIO_CLIENT_SECRET || undefined);
  let profilePath: string | undefined;
  const complete = server !== undefined && clientId !== undefined && clientSecret !== undefined;
  if (flags.profile !== undefined || !complete) {
    const path = flags.profile ?? defaultProfilePath(env);
    const profile = readProfile(path, { required: flags.profile !== undefined, warn });
    if (profile) {
      profilePath = path;
      server ??= profile.server;
      clientId ??= profile.clientId;
      clientSecret ??= profile.clientSecret;
    }
  }
  return { server: normalizeServer(server ?? DEFAULT_SERVER), clientId, clientSecret, profilePath };
}
