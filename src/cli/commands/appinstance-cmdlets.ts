/**
 * The application-instance cmdlets by their own names on the command line:
 *
 *   provisio Sync-CsOnlineApplicationInstance -ObjectId <guid> -ApplicationId <guid>
 *
 * with PowerShell-style parameters: names case-insensitive and abbreviable
 * to any unambiguous prefix, aliases (-wi, -cf), `-Switch:$false`,
 * `-Name:value`, comma-separated arrays (`-Identities a,b` or `@('a','b')`),
 * `$null`, the documented positions, and the common parameters (accepted;
 * `-WarningAction SilentlyContinue` hides warnings). `--json`, `--server`,
 * `--client-id`, `--client-secret` are provisio's own options.
 *
 * A minimal binder of its own while the CLI branch's general one is not on
 * main; the cmdlets themselves are src/appinstances/cmdlets.ts. The server
 * is PROVISIO_URL (default http://127.0.0.1:8080), reached with a
 * client-credentials token for PROVISIO_CLIENT_ID / PROVISIO_CLIENT_SECRET.
 * Errors are one line on stderr (`provisio: <Code>: <message>`) and a
 * non-zero exit code (docs/application-instances.md, "Command line").
 */
import { createInterface } from 'node:readline';
import {
  CmdletApiError, findCsOnlineApplicationInstance, getCsOnlineApplicationInstance, getCsOnlineApplicationInstanceAssociation,
  getCsOnlineApplicationInstanceAssociationStatus, newCsOnlineApplicationInstance, newCsOnlineApplicationInstanceAssociation,
  removeCsOnlineApplicationInstanceAssociation, setCsOnlineApplicationInstance, syncCsOnlineApplicationInstance,
} from '../../appinstances/cmdlets.ts';
import type { ApiCall, CmdletOutput } from '../../appinstances/cmdlets.ts';

/** Exit codes, as the rest of the command line uses them. */
export const EXIT = { ok: 0, unexpected: 1, usage: 2, auth: 3, notFound: 4, rejected: 5, throttled: 6, unavailable: 7 } as const;

/** A failure of the command line itself, with its exit code and a code for the one-line message. */
export class CmdletCliError extends Error {
  constructor(readonly exitCode: number, readonly code: string, message: string) {
    super(message);
    this.name = 'CmdletCliError';
  }
}

type ParamType = 'string' | 'guid' | 'switch' | 'int' | 'strings';

interface ParamSpec {
  name: string;
  type: ParamType;
  mandatory?: boolean;
  /** Documented position (binds a bare value); absent: named only. */
  position?: number;
  aliases?: readonly string[];
  /** `$null` and '' are values (Set -OnpremPhoneNumber: unassign). */
  nullable?: boolean;
  /** Accepted for compatibility, otherwise ignored (-Tenant: "reserved for Microsoft internal use"). */
  ignored?: boolean;
}

type Values = Record<string, unknown>;

interface CmdletSpec {
  name: string;
  params: readonly ParamSpec[];
  /** What -WhatIf / -Confirm name as the target. */
  target(v: Values): string;
  run(api: ApiCall, v: Values): Promise<CmdletOutput>;
}

const sw = (name: string, aliases?: readonly string[]): ParamSpec => ({ name, type: 'switch', ...(aliases ? { aliases } : {}) });
const FORCE = sw('Force');
const SHOULD_PROCESS = [sw('WhatIf', ['wi']), sw('Confirm', ['cf'])];
const TENANT: ParamSpec = { name: 'Tenant', type: 'guid', ignored: true };

const COMMON: readonly ParamSpec[] = [
  sw('Debug', ['db']), sw('Verbose', ['vb']),
  ...([['ErrorAction', 'ea'], ['ErrorVariable', 'ev'], ['InformationAction', 'infa'], ['InformationVariable', 'iv'], ['OutBuffer', 'ob'],
    ['OutVariable', 'ov'], ['PipelineVariable', 'pv'], ['WarningAction', 'wa'], ['WarningVariable', 'wv']] as const)
    .map(([name, alias]): ParamSpec => ({ name, type: 'string', aliases: [alias] })),
];

const str = (v: Values, k: string) => v[k] as string;
const opt = <T>(v: Values, k: string) => v[k] as T | undefined;

/** The nine cmdlets, their parameters as documented (teams-app-instance.md §4), and what each runs. */
export const APPINSTANCE_CMDLETS: readonly CmdletSpec[] = [
  {
    name: 'New-CsOnlineApplicationInstance',
    params: [{ name: 'UserPrincipalName', type: 'string', mandatory: true }, { name: 'ApplicationId', type: 'guid' }, { name: 'DisplayName', type: 'string' }, FORCE, ...SHOULD_PROCESS],
    target: (v) => str(v, 'UserPrincipalName'),
    run: (api, v) => newCsOnlineApplicationInstance(api, {
      UserPrincipalName: str(v, 'UserPrincipalName'), ApplicationId: opt(v, 'ApplicationId'), DisplayName: opt(v, 'DisplayName'),
      Force: v.Force === true, WhatIf: v.WhatIf === true,
    }),
  },
  {
    name: 'Set-CsOnlineApplicationInstance',
    params: [
      { name: 'Identity', type: 'string', mandatory: true }, { name: 'OnpremPhoneNumber', type: 'string', nullable: true },
      { name: 'ApplicationId', type: 'guid' }, { name: 'AcsResourceId', type: 'guid' }, { name: 'DisplayName', type: 'string' }, FORCE, ...SHOULD_PROCESS,
    ],
    target: (v) => str(v, 'Identity'),
    run: (api, v) => setCsOnlineApplicationInstance(api, {
      Identity: str(v, 'Identity'), OnpremPhoneNumber: v.OnpremPhoneNumber as string | null | undefined, ApplicationId: opt(v, 'ApplicationId'),
      AcsResourceId: opt(v, 'AcsResourceId'), DisplayName: opt(v, 'DisplayName'), Force: v.Force === true, WhatIf: v.WhatIf === true,
    }),
  },
  {
    name: 'Get-CsOnlineApplicationInstance',
    params: [{ name: 'Identity', type: 'string' }, { name: 'Identities', type: 'strings' }, { name: 'ResultSize', type: 'int' }, { name: 'Skip', type: 'int' }, FORCE, ...SHOULD_PROCESS],
    target: (v) => opt<string>(v, 'Identity') ?? opt<string[]>(v, 'Identities')?.join(',') ?? 'all application instances',
    run: (api, v) => getCsOnlineApplicationInstance(api, {
      Identity: opt(v, 'Identity'), Identities: opt(v, 'Identities'), ResultSize: opt(v, 'ResultSize'), Skip: opt(v, 'Skip'), WhatIf: v.WhatIf === true,
    }),
  },
  {
    name: 'Find-CsOnlineApplicationInstance',
    params: [
      { name: 'SearchQuery', type: 'string', mandatory: true, position: 0 }, { name: 'MaxResults', type: 'int', position: 1 },
      sw('ExactMatchOnly'), sw('AssociatedOnly'), sw('UnAssociatedOnly'), FORCE,
    ],
    target: (v) => str(v, 'SearchQuery'),
    run: (api, v) => findCsOnlineApplicationInstance(api, {
      SearchQuery: str(v, 'SearchQuery'), MaxResults: opt(v, 'MaxResults'),
      ExactMatchOnly: v.ExactMatchOnly === true, AssociatedOnly: v.AssociatedOnly === true, UnAssociatedOnly: v.UnAssociatedOnly === true,
    }),
  },
  {
    name: 'Sync-CsOnlineApplicationInstance',
    params: [
      // Mandatory per the syntax block and the module; the parameter table's "Required: False" is a documentation slip (reference §10).
      { name: 'ObjectId', type: 'guid', mandatory: true }, { name: 'CallbackUri', type: 'string' }, FORCE,
      { name: 'ApplicationId', type: 'guid' }, { name: 'AcsResourceId', type: 'guid' }, ...SHOULD_PROCESS,
    ],
    target: (v) => `ObjectId: ${str(v, 'ObjectId')}${v.ApplicationId !== undefined ? `, ApplicationId: ${str(v, 'ApplicationId')}` : ''}`,
    run: (api, v) => syncCsOnlineApplicationInstance(api, {
      ObjectId: str(v, 'ObjectId'), ApplicationId: opt(v, 'ApplicationId'), AcsResourceId: opt(v, 'AcsResourceId'), CallbackUri: opt(v, 'CallbackUri'),
      Force: v.Force === true, WhatIf: v.WhatIf === true,
    }),
  },
  {
    name: 'New-CsOnlineApplicationInstanceAssociation',
    params: [
      { name: 'Identities', type: 'strings', mandatory: true }, { name: 'ConfigurationId', type: 'string', mandatory: true },
      { name: 'ConfigurationType', type: 'string', mandatory: true }, { name: 'CallPriority', type: 'int' }, TENANT,
    ],
    target: (v) => (v.Identities as string[]).join(','),
    run: (api, v) => newCsOnlineApplicationInstanceAssociation(api, {
      Identities: v.Identities as string[], ConfigurationId: str(v, 'ConfigurationId'), ConfigurationType: str(v, 'ConfigurationType'), CallPriority: opt(v, 'CallPriority'),
    }),
  },
  {
    name: 'Get-CsOnlineApplicationInstanceAssociation',
    params: [{ name: 'Identity', type: 'string', mandatory: true, position: 0 }, TENANT],
    target: (v) => str(v, 'Identity'),
    run: (api, v) => getCsOnlineApplicationInstanceAssociation(api, { Identity: str(v, 'Identity') }),
  },
  {
    name: 'Get-CsOnlineApplicationInstanceAssociationStatus',
    params: [{ name: 'Identity', type: 'string', mandatory: true, position: 0 }, TENANT],
    target: (v) => str(v, 'Identity'),
    run: (api, v) => getCsOnlineApplicationInstanceAssociationStatus(api, { Identity: str(v, 'Identity') }),
  },
  {
    name: 'Remove-CsOnlineApplicationInstanceAssociation',
    params: [{ name: 'Identities', type: 'strings', mandatory: true, position: 0 }, TENANT],
    target: (v) => (v.Identities as string[]).join(','),
    run: (api, v) => removeCsOnlineApplicationInstanceAssociation(api, { Identities: v.Identities as string[] }),
  },
];

/** The cmdlet a command-line word names (case-insensitive), if it is one of these. */
export function findAppInstanceCmdlet(word: string | undefined): CmdletSpec | undefined {
  if (!word) return undefined;
  const w = word.toLowerCase();
  return APPINSTANCE_CMDLETS.find((c) => c.name.toLowerCase() === w);
}

// --------------------------------------------------------------- binder

const usage = (code: string, message: string) => new CmdletCliError(EXIT.usage, code, message);

/** provisio's own options: `--json` and the connection. */
export interface GlobalOptions {
  json: boolean;
  server?: string;
  clientId?: string;
  clientSecret?: string;
  help: boolean;
}

export interface Bound {
  values: Values;
  globals: GlobalOptions;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** System.Guid's accepted spellings: dashed, braced, or 32 hex digits; canonical lower case out. */
function toGuid(cmdlet: string, param: string, raw: string): string {
  let v = raw.trim();
  if (/^\{.*\}$/.test(v)) v = v.slice(1, -1);
  if (/^[0-9a-f]{32}$/i.test(v)) v = `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`;
  if (!GUID.test(v)) throw usage('ParameterArgumentTransformationError', `${cmdlet}: Cannot bind parameter '${param}'. Cannot convert value "${raw}" to type "System.Guid": a GUID has 32 hexadecimal digits in groups of 8-4-4-4-12.`);
  return v.toLowerCase();
}

const unquote = (s: string) => s.trim().replace(/^(['"])(.*)\1$/, '$2');

function convert(cmdlet: string, p: ParamSpec, raw: string): unknown {
  if (raw === '$null') {
    if (p.nullable) return null;
    throw usage('ParameterArgumentValidationError', `${cmdlet}: Cannot validate argument on parameter '${p.name}'. The argument is null or empty.`);
  }
  switch (p.type) {
    case 'guid':
      return toGuid(cmdlet, p.name, unquote(raw));
    case 'int': {
      const v = unquote(raw);
      if (!/^-?\d+$/.test(v)) throw usage('ParameterArgumentTransformationError', `${cmdlet}: Cannot bind parameter '${p.name}'. Cannot convert value "${raw}" to type "System.Int32".`);
      return Number(v);
    }
    case 'strings': {
      let v = raw.trim();
      if (/^@\(.*\)$/s.test(v)) v = v.slice(2, -1);
      const items = v.split(',').map(unquote).filter((s) => s !== '');
      if (items.length === 0) throw usage('ParameterArgumentValidationError', `${cmdlet}: Cannot validate argument on parameter '${p.name}'. The argument is null or empty.`);
      return items;
    }
    case 'string': {
      const v = unquote(raw);
      if (v === '' && !p.nullable && p.mandatory) throw usage('ParameterArgumentValidationError', `${cmdlet}: Cannot validate argument on parameter '${p.name}'. The argument is null or empty.`);
      return v;
    }
    case 'switch':
      return true;
  }
}

function switchValue(cmdlet: string, p: ParamSpec, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['$true', 'true', '1'].includes(v)) return true;
  if (['$false', 'false', '0'].includes(v)) return false;
  throw usage('ParameterArgumentTransformationError', `${cmdlet}: Cannot bind parameter '${p.name}' to the value "${raw}": a switch takes $true or $false (-${p.name}:$false).`);
}

/** The parameter a `-name` names: exact name or alias, else an unambiguous prefix (PowerShell's rule). */
function lookup(spec: CmdletSpec, name: string): ParamSpec {
  const all = [...spec.params, ...COMMON];
  const n = name.toLowerCase();
  const exact = all.find((p) => p.name.toLowerCase() === n || p.aliases?.some((a) => a.toLowerCase() === n));
  if (exact) return exact;
  const matches = all.filter((p) => p.name.toLowerCase().startsWith(n));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw usage('AmbiguousParameter', `${spec.name}: Parameter cannot be processed because the parameter name '${name}' is ambiguous. Possible matches include: ${matches.map((m) => `-${m.name}`).join(' ')}.`);
  }
  throw usage('NamedParameterNotFound', `${spec.name}: A parameter cannot be found that matches parameter name '${name}'.`);
}

const VALUE_OPTIONS: Record<string, keyof GlobalOptions> = { '--server': 'server', '--client-id': 'clientId', '--client-secret': 'clientSecret' };

/** Binds the words after the cmdlet's name to its parameters. */
export function bindParameters(spec: CmdletSpec, argv: readonly string[]): Bound {
  const values: Values = {};
  const globals: GlobalOptions = { json: false, help: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--json') { globals.json = true; continue; }
    if (tok === '--help' || tok === '-?') { globals.help = true; continue; }
    if (tok.startsWith('--')) {
      const [flag, inline] = tok.includes('=') ? [tok.slice(0, tok.indexOf('=')), tok.slice(tok.indexOf('=') + 1)] : [tok, undefined];
      const key = VALUE_OPTIONS[flag];
      if (!key) throw usage('UnknownOption', `unknown option '${flag}' (provisio options: --json, --server, --client-id, --client-secret).`);
      const v = inline ?? argv[++i];
      if (v === undefined) throw usage('UsageError', `option '${flag}' needs a value.`);
      (globals as unknown as Record<string, unknown>)[key] = v;
      continue;
    }
    if (/^-[A-Za-z]/.test(tok)) {
      const colon = tok.indexOf(':');
      const name = colon === -1 ? tok.slice(1) : tok.slice(1, colon);
      const p = lookup(spec, name);
      if (p.name in values) throw usage('ParameterAlreadyBound', `${spec.name}: Cannot bind parameter because parameter '${p.name}' is specified more than once.`);
      if (p.type === 'switch') {
        values[p.name] = colon === -1 ? true : switchValue(spec.name, p, tok.slice(colon + 1));
        continue;
      }
      let raw: string | undefined = colon === -1 ? undefined : tok.slice(colon + 1);
      if (raw === undefined) {
        const next = argv[i + 1];
        if (next === undefined || /^-[A-Za-z]/.test(next) || next.startsWith('--')) {
          throw usage('MissingArgument', `${spec.name}: Missing an argument for parameter '${p.name}'. Specify a parameter of type '${typeName(p)}' and try again.`);
        }
        raw = next;
        i++;
      }
      values[p.name] = convert(spec.name, p, raw);
      continue;
    }
    positional.push(tok);
  }
  const slots = spec.params.filter((p) => p.position !== undefined).sort((a, b) => a.position! - b.position!);
  for (const word of positional) {
    const slot = slots.find((p) => !(p.name in values));
    if (!slot) throw usage('PositionalParameterNotFound', `${spec.name}: A positional parameter cannot be found that accepts argument '${word}'.`);
    values[slot.name] = convert(spec.name, slot, word);
  }
  if (!globals.help) {
    const missing = spec.params.filter((p) => p.mandatory && !(p.name in values)).map((p) => p.name);
    if (missing.length) throw usage('MissingMandatoryParameter', `${spec.name}: Cannot process command because of one or more missing mandatory parameters: ${missing.join(' ')}.`);
  }
  for (const p of spec.params) if (p.ignored) delete values[p.name];
  return { values, globals };
}

function typeName(p: ParamSpec): string {
  return { string: 'System.String', guid: 'System.Guid', switch: 'System.Management.Automation.SwitchParameter', int: 'System.Int32', strings: 'System.String[]' }[p.type];
}

/** The cmdlet's syntax line, as Get-Help prints it. */
export function syntax(spec: CmdletSpec): string {
  const part = (p: ParamSpec) => {
    const arg = p.type === 'switch' ? '' : ` <${typeName(p).replace('System.', '')}>`;
    const name = p.position === undefined ? `-${p.name}` : `[-${p.name}]`;
    return p.mandatory ? `${name}${arg}` : `[${name}${arg}]`;
  };
  return `${spec.name} ${spec.params.map(part).join(' ')} [<CommonParameters>]`;
}

// ------------------------------------------------------------------- I/O

export interface CmdletIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
  /** Whether a person can answer -Confirm. */
  interactive: boolean;
  prompt(question: string): Promise<string>;
  fetch: typeof fetch;
}

export function processCmdletIo(): CmdletIo {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY),
    prompt: (q) => new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      rl.question(q, (a) => { rl.close(); resolve(a); });
    }),
    fetch: (...a) => fetch(...a),
  };
}

/** An ApiCall against a Provisio server with a client-credentials token (fetched once). */
export function serverApi(server: string, clientId: string | undefined, clientSecret: string | undefined, fetchImpl: typeof fetch): ApiCall {
  const root = server.replace(/\/+$/, '');
  let token: string | undefined;
  const send = async (url: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetchImpl(url, init);
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CmdletCliError(EXIT.unavailable, 'ServerUnreachable', `Cannot reach ${root}: ${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))}.`);
    }
  };
  const getToken = async (): Promise<string> => {
    if (token) return token;
    if (!clientId || !clientSecret) {
      throw new CmdletCliError(EXIT.auth, 'CredentialsMissing', 'No credentials: set PROVISIO_CLIENT_ID and PROVISIO_CLIENT_SECRET (or --client-id and --client-secret).');
    }
    const res = await send(`${root}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) {
      throw new CmdletCliError(res.status >= 500 ? EXIT.unavailable : EXIT.auth, body.error ?? 'TokenRequestFailed', body.error_description ?? `The token endpoint answered ${res.status}.`);
    }
    token = body.access_token;
    return token;
  };
  return async (req) => {
    const url = new URL(root + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { authorization: `Bearer ${await getToken()}`, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(url.toString(), { method: req.method, headers, ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}) });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CmdletCliError(res.status >= 500 ? EXIT.unavailable : EXIT.unexpected, `Http${res.status}`, `The server answered ${res.status} with a body that is not JSON.`);
    }
    return { status: res.status, body };
  };
}

// ---------------------------------------------------------------- output

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return `{${v.map(cell).join(', ')}}`;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Format-List: `Name : value`, names padded. */
export function formatList(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  const w = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(w)} : ${cell(o[k])}`.trimEnd()).join('\n') + '\n';
}

/** Format-Table: headers, dashes, rows. */
export function formatTable(rows: Record<string, unknown>[]): string {
  const keys = Object.keys(rows[0] ?? {});
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' ').trimEnd();
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => cell(r[k]))))].join('\n') + '\n';
}

/** PowerShell's choice: a table for up to four properties, lists beyond, a list for one object. */
function render(out: CmdletOutput): string {
  if (out.objects.length === 0) return '';
  const wide = Object.keys(out.objects[0]!).length > 4;
  if (out.single || wide) return out.objects.map(formatList).join('\n');
  return formatTable(out.objects);
}

function exitCodeOfStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 429) return EXIT.throttled;
  if (status >= 500) return EXIT.unavailable;
  return EXIT.rejected;
}

const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

// ---------------------------------------------------------------- runner

/** Runs one of the cmdlets with the words that followed its name; resolves with the exit code. */
export async function runAppInstanceCmdlet(name: string, argv: readonly string[], io: CmdletIo = processCmdletIo()): Promise<number> {
  const spec = findAppInstanceCmdlet(name);
  try {
    if (!spec) throw usage('CommandNotFound', `'${name}' is not an application-instance cmdlet.`);
    const { values, globals } = bindParameters(spec, argv);
    if (globals.help) {
      io.stdout(`${spec.name}\n\nSYNTAX\n    ${syntax(spec)}\n`);
      return EXIT.ok;
    }
    if (values.Confirm === true && values.Force !== true && values.WhatIf !== true) {
      if (!io.interactive) {
        throw usage('ConfirmationRequired', `${spec.name}: -Confirm asks on a terminal and there is none; run interactively, or leave -Confirm out (or pass -Confirm:$false or -Force).`);
      }
      const answer = await io.prompt(`Confirm\nAre you sure you want to perform this action?\nPerforming the operation "${spec.name}" on target "${spec.target(values)}".\n[Y] Yes  [N] No  (default is "N"): `);
      if (!/^\s*y(es)?\s*$/i.test(answer)) {
        io.stderr('provisio: not confirmed; nothing was done.\n');
        return EXIT.ok;
      }
    }
    const server = globals.server ?? io.env.PROVISIO_URL ?? 'http://127.0.0.1:8080';
    const api = serverApi(server, globals.clientId ?? io.env.PROVISIO_CLIENT_ID, globals.clientSecret ?? io.env.PROVISIO_CLIENT_SECRET, io.fetch);
    const out = await spec.run(api, values);
    const quiet = typeof values.WarningAction === 'string' && /^(silentlycontinue|ignore)$/i.test(values.WarningAction);
    if (!quiet) for (const w of out.warnings) io.stderr(`WARNING: ${oneLine(w)}\n`);
    if (out.whatIf) {
      io.stdout(globals.json ? JSON.stringify(out.whatIf.report, null, 2) + '\n' : out.whatIf.message + '\n');
    } else if (globals.json) {
      io.stdout(JSON.stringify(out.single ? (out.objects[0] ?? null) : out.objects, null, 2) + '\n');
    } else {
      io.stdout(render(out));
    }
    for (const e of out.errors) io.stderr(`provisio: ${e.code}: ${oneLine(e.message)}\n`);
    return out.errors[0] ? exitCodeOfStatus(out.errors[0].status) : EXIT.ok;
  } catch (e) {
    if (e instanceof CmdletApiError) {
      io.stderr(`provisio: ${e.code}: ${oneLine(e.message)}\n`);
      return exitCodeOfStatus(e.status);
    }
    if (e instanceof CmdletCliError) {
      io.stderr(`provisio: ${e.code}: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    io.stderr(`provisio: UnexpectedError: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    return EXIT.unexpected;
  }
}
