/**
 * PowerShell-style parameters for the seed cmdlets run from a POSIX shell:
 * `-ApplicationId x -PassThru -Confirm:$false -BodyParameter @body.json`.
 *
 * It follows PowerShell's parameter binder where a script would notice:
 * names are case-insensitive and may be abbreviated to any unambiguous
 * prefix; aliases (`-wi`, `-cf`, `-RHV`, …) and the common parameters are
 * accepted; switches take `:$true`/`:$false`; every parameter is named
 * (no positional binding, as the cmdlets declare `Position: Named`); and
 * the parameter set is resolved from the names given, with PowerShell's
 * error ids and messages when none or several match. Structured values are
 * JSON, `@file.json`, or a PowerShell hashtable/array literal
 * (`@{Key='BaseAddress'; Value='https://…'}`). Long options starting with
 * `--` are the `provisio` options (`--json`, `--server`, …), never cmdlet
 * parameters.
 */
import { readFileSync } from 'node:fs';
import { CliError, ExitCode } from './errors.ts';
import type { GlobalFlags } from './context.ts';

/** How a parameter's text becomes a value. */
export type ParamKind =
  /** Any text. */
  | 'string'
  /** A GUID (System.Guid): validated. */
  | 'guid'
  /** A switch: present means true; `-X:$false` means false. */
  | 'switch'
  /** An object (hashtable, identity, body): JSON object, `@file`, or `@{…}`. */
  | 'object'
  /** An array of objects: JSON array (a single object is wrapped, as PowerShell does), `@file`, or `@(…)`. */
  | 'array';

export interface ParameterDef {
  name: string;
  kind: ParamKind;
  /** The .NET type shown in messages and help, e.g. `IApplicationsIdentity`. */
  typeName: string;
  aliases?: readonly string[];
  /** The sets the parameter belongs to; absent means every set ("(All)"). */
  sets?: readonly string[];
  /** The sets in which it must be given. */
  mandatoryIn?: readonly string[];
  description?: string;
}

/** A cmdlet's parameters and sets, as its documentation lists them. */
export interface CmdletSignature {
  name: string;
  /** Parameter set names in documentation order. */
  sets: readonly string[];
  defaultSet: string;
  parameters: readonly ParameterDef[];
}

/**
 * PowerShell's common parameters, accepted by every cmdlet. Only -Verbose
 * and -Debug do something here (they trace HTTP on stderr); the others
 * name PowerShell variables or preferences that a shell has no use for.
 */
export const COMMON_PARAMETERS: readonly ParameterDef[] = [
  { name: 'Debug', kind: 'switch', typeName: 'SwitchParameter', aliases: ['db'] },
  { name: 'ErrorAction', kind: 'string', typeName: 'ActionPreference', aliases: ['ea'] },
  { name: 'ErrorVariable', kind: 'string', typeName: 'String', aliases: ['ev'] },
  { name: 'InformationAction', kind: 'string', typeName: 'ActionPreference', aliases: ['infa'] },
  { name: 'InformationVariable', kind: 'string', typeName: 'String', aliases: ['iv'] },
  { name: 'OutBuffer', kind: 'string', typeName: 'Int32', aliases: ['ob'] },
  { name: 'OutVariable', kind: 'string', typeName: 'String', aliases: ['ov'] },
  { name: 'PipelineVariable', kind: 'string', typeName: 'String', aliases: ['pv'] },
  { name: 'Verbose', kind: 'switch', typeName: 'SwitchParameter', aliases: ['vb'] },
  { name: 'WarningAction', kind: 'string', typeName: 'ActionPreference', aliases: ['wa'] },
  { name: 'WarningVariable', kind: 'string', typeName: 'String', aliases: ['wv'] },
];

/** A binder failure: PowerShell's error id as the code, exit code 2. */
export function bindingError(id: string, cmdlet: string, message: string): CliError {
  return new CliError(ExitCode.Usage, id, `${cmdlet}: ${message}`);
}

/** The provisio options a cmdlet invocation may carry, and whether they take a value. */
const GLOBAL_OPTIONS: Record<string, { key: keyof GlobalFlags; value: boolean }> = {
  '--json': { key: 'json', value: false },
  '--verbose': { key: 'verbose', value: false },
  '--server': { key: 'server', value: true },
  '--client-id': { key: 'clientId', value: true },
  '--client-secret': { key: 'clientSecret', value: true },
  '--profile': { key: 'profile', value: true },
};

/** Names of the provisio options that take a value (for finding the cmdlet name after leading options). */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set(Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.value).map(([k]) => k));

/** The result of binding a command line to a cmdlet. */
export interface BoundCmdlet {
  signature: CmdletSignature;
  /** The resolved parameter set. */
  set: string;
  /** Canonical parameter name → value (converted; switches as booleans). */
  values: Map<string, unknown>;
  /** provisio options given alongside (`--json`, `--server`, …). */
  globals: GlobalFlags;
  /** `-?` or `--help` was given: show the syntax, run nothing. */
  help: boolean;
}

/** Where the binder reads `@file` and `@-` values from. */
export interface ValueSource {
  readFile(path: string): string;
  readStdin(): string;
}

/** Values from the file system, and stdin through the given reader. */
export const fileValueSource = (readStdin: () => string): ValueSource => ({ readFile: (p) => readFileSync(p, 'utf8'), readStdin });

const PARAM_TOKEN = /^-([A-Za-z_?][A-Za-z0-9_]*)(?::(.*))?$/s;

function allParameters(sig: CmdletSignature): ParameterDef[] {
  const own = new Set(sig.parameters.map((p) => p.name.toLowerCase()));
  return [...sig.parameters, ...COMMON_PARAMETERS.filter((p) => !own.has(p.name.toLowerCase()))];
}

/**
 * Finds the parameter a name refers to: an exact name or alias first, else
 * the one parameter whose name starts with it (PowerShell's abbreviation rule).
 */
export function matchParameter(sig: CmdletSignature, given: string): ParameterDef {
  const params = allParameters(sig);
  const g = given.toLowerCase();
  const exact = params.find((p) => p.name.toLowerCase() === g || p.aliases?.some((a) => a.toLowerCase() === g));
  if (exact) return exact;
  const prefixed = params.filter((p) => p.name.toLowerCase().startsWith(g));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) {
    throw bindingError('AmbiguousParameter', sig.name,
      `Parameter cannot be processed because the parameter name '${given}' is ambiguous. Possible matches include: ${prefixed.map((p) => `-${p.name}`).join(' ')}.`);
  }
  throw bindingError('NamedParameterNotFound', sig.name, `A parameter cannot be found that matches parameter name '${given}'.`);
}

/** `$true`, `$false` and the spellings a POSIX shell leaves of them. */
export function parseSwitchValue(sig: CmdletSignature, p: ParameterDef, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['$true', 'true', '1'].includes(t)) return true;
  if (['$false', 'false', '0'].includes(t)) return false;
  throw bindingError('ParameterArgumentTransformationError', sig.name,
    `Cannot process argument transformation on parameter '${p.name}'. Cannot convert value "${text}" to type "System.Management.Automation.SwitchParameter". Use $true or $false (in a POSIX shell: '-${p.name}:$false' or -${p.name}:false).`);
}

const GUID = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[})]?$/i;

/** Formats a GUID the way .NET prints one: lower case, hyphenated, no braces. */
export function normalizeGuid(sig: CmdletSignature, p: ParameterDef, text: string): string {
  if (!GUID.test(text.trim())) {
    throw bindingError('ParameterArgumentTransformationError', sig.name,
      `Cannot process argument transformation on parameter '${p.name}'. Cannot convert value "${text}" to type "System.Guid". Error: "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."`);
  }
  const hex = text.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Reads a structured value: `@{…}` / `@(…)` PowerShell literals, `@path`
 * (a JSON file; `@-` is stdin), or JSON text.
 */
export function readStructured(sig: CmdletSignature, p: ParameterDef, text: string, source: ValueSource): unknown {
  const fail = (why: string) =>
    bindingError('ParameterArgumentTransformationError', sig.name,
      `Cannot process argument transformation on parameter '${p.name}'. Cannot convert the value to type "${p.typeName}": ${why}`);
  const t = text.trim();
  let content = t;
  let origin = 'the value';
  if (t.startsWith('@') && !t.startsWith('@{') && !t.startsWith('@(')) {
    const path = t.slice(1);
    origin = path === '-' ? 'stdin' : `file '${path}'`;
    try {
      content = (path === '-' ? source.readStdin() : source.readFile(path)).trim();
    } catch (e) {
      throw fail(`cannot read ${origin}: ${(e as Error).message}`);
    }
  }
  if (content.startsWith('@{') || content.startsWith('@(')) {
    try {
      return parsePowerShellLiteral(content);
    } catch (e) {
      throw fail(`${origin} is not a valid PowerShell literal: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(content);
  } catch (e) {
    throw fail(`${origin} is not JSON (${(e as Error).message}); give JSON, @file.json or a @{…} hashtable.`);
  }
}

/** Converts a parameter's text to its value according to its kind. */
export function convertValue(sig: CmdletSignature, p: ParameterDef, text: string, source: ValueSource): unknown {
  switch (p.kind) {
    case 'switch':
      return parseSwitchValue(sig, p, text);
    case 'string':
      return text;
    case 'guid':
      return normalizeGuid(sig, p, text);
    case 'object': {
      const v = readStructured(sig, p, text, source);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw bindingError('ParameterArgumentTransformationError', sig.name,
          `Cannot process argument transformation on parameter '${p.name}'. Cannot convert the value to type "${p.typeName}": expected an object ({…} or @{…}).`);
      }
      return v;
    }
    case 'array': {
      const v = readStructured(sig, p, text, source);
      const list = Array.isArray(v) ? v : [v];
      if (list.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
        throw bindingError('ParameterArgumentTransformationError', sig.name,
          `Cannot process argument transformation on parameter '${p.name}'. Cannot convert the value to type "${p.typeName}[]": expected a list of objects.`);
      }
      return list;
    }
  }
}

/** True when a parameter belongs to a set. Common parameters belong to every set. */
function inSet(p: ParameterDef, set: string): boolean {
  return p.sets === undefined || p.sets.includes(set);
}

/**
 * PowerShell's parameter-set resolution: the sets that contain every
 * parameter given; among them the ones whose mandatory parameters are all
 * given; then the default set to break ties. No set → AmbiguousParameterSet;
 * a set chosen but incomplete → MissingMandatoryParameter.
 */
export function resolveParameterSet(sig: CmdletSignature, given: readonly ParameterDef[]): string {
  const candidates = sig.sets.filter((s) => given.every((p) => inSet(p, s)));
  const ambiguous = () =>
    bindingError('AmbiguousParameterSet', sig.name,
      'Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.');
  if (!candidates.length) throw ambiguous();
  const missing = (set: string) =>
    sig.parameters.filter((p) => p.mandatoryIn?.includes(set) && !given.some((g) => g.name === p.name)).map((p) => p.name);
  const complete = candidates.filter((s) => missing(s).length === 0);
  if (complete.length === 1) return complete[0]!;
  if (complete.length > 1) {
    if (complete.includes(sig.defaultSet)) return sig.defaultSet;
    throw ambiguous();
  }
  const target = candidates.includes(sig.defaultSet) ? sig.defaultSet : candidates.length === 1 ? candidates[0]! : undefined;
  if (!target) throw ambiguous();
  throw bindingError('MissingMandatoryParameter', sig.name,
    `Cannot process command because of one or more missing mandatory parameters: ${missing(target).join(' ')}.`);
}

/**
 * Binds a command line (the words after the cmdlet name) to a cmdlet:
 * separates provisio options, matches parameter names, converts values and
 * resolves the parameter set.
 */
export function bindCmdlet(sig: CmdletSignature, argv: readonly string[], source: ValueSource): BoundCmdlet {
  const globals: GlobalFlags = {};
  const texts = new Map<ParameterDef, string | true>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token.startsWith('--')) {
      if (token === '--help') {
        help = true;
        continue;
      }
      const eq = token.indexOf('=');
      const name = eq > 0 ? token.slice(0, eq) : token;
      const opt = GLOBAL_OPTIONS[name];
      if (!opt) {
        throw bindingError('UnknownOption', sig.name, `Unknown option '${name}'; provisio options here are ${Object.keys(GLOBAL_OPTIONS).join(', ')}; cmdlet parameters start with a single dash.`);
      }
      if (!opt.value) {
        (globals as Record<string, unknown>)[opt.key] = true;
        continue;
      }
      const value = eq > 0 ? token.slice(eq + 1) : argv[++i];
      if (value === undefined) throw bindingError('MissingArgument', sig.name, `Option '${name}' needs a value.`);
      (globals as Record<string, unknown>)[opt.key] = value;
      continue;
    }
    if (token === '-?') {
      help = true;
      continue;
    }
    const m = PARAM_TOKEN.exec(token);
    if (!m) {
      throw bindingError('PositionalParameterNotFound', sig.name, `A positional parameter cannot be found that accepts argument '${token}'.`);
    }
    const p = matchParameter(sig, m[1]!);
    if (texts.has(p)) {
      throw bindingError('ParameterAlreadyBound', sig.name, `Cannot bind parameter because parameter '${p.name}' is specified more than once.`);
    }
    const inline = m[2];
    if (p.kind === 'switch') {
      texts.set(p, inline === undefined ? true : inline);
      continue;
    }
    if (inline !== undefined && inline !== '') {
      texts.set(p, inline);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || PARAM_TOKEN.test(next) || next.startsWith('--')) {
      throw bindingError('MissingArgument', sig.name, `Missing an argument for parameter '${p.name}'. Specify a parameter of type '${p.typeName}' and try again.`);
    }
    texts.set(p, next);
    i++;
  }
  if (help) return { signature: sig, set: sig.defaultSet, values: new Map(), globals, help };
  const given = [...texts.keys()];
  const set = resolveParameterSet(sig, given.filter((p) => !COMMON_PARAMETERS.includes(p)));
  const values = new Map<string, unknown>();
  for (const [p, text] of texts) values.set(p.name, text === true ? true : convertValue(sig, p, text, source));
  return { signature: sig, set, values, globals, help };
}

/** The SYNTAX block of Get-Help, generated from the signature. */
export function syntaxHelp(sig: CmdletSignature): string {
  const blocks = sig.sets.map((set) => {
    const params = sig.parameters.filter((p) => inSet(p, set));
    const words = params.map((p) => {
      const arg = p.kind === 'switch' ? `-${p.name}` : `-${p.name} <${p.typeName}${p.kind === 'array' ? '[]' : ''}>`;
      return p.mandatoryIn?.includes(set) ? arg : `[${arg}]`;
    });
    return `${set}${set === sig.defaultSet ? ' (Default)' : ''}\n  ${sig.name} ${words.join(' ')} [<CommonParameters>]`;
  });
  return `${blocks.join('\n\n')}\n\n` +
    'Values: text; GUIDs; objects and lists as JSON, @file.json (@- for stdin) or a @{Key=\'…\'; Value=\'…\'} literal.\n' +
    "Switches: -PassThru, -WhatIf (print the request, send nothing), -Confirm (ask first; needs a terminal), '-Confirm:$false'.\n" +
    'provisio options: --json --server <url> --client-id <id> --client-secret <secret> --profile <file> --verbose\n';
}

// ---------------------------------------------------------------------------
// PowerShell literals: @{ key = value; … } and @( value, … )

/**
 * Parses the hashtable and array literals people copy from PowerShell
 * scripts: `@{ApplicationId='…'; SynchronizationJobId="…"}`,
 * `@(@{Key='BaseAddress'; Value='https://…'}, @{…})`, with single- and
 * double-quoted strings, numbers, `$true`/`$false`/`$null`, and a top-level
 * comma list (`@{…},@{…}`). Hashtables become plain objects in key order.
 */
export function parsePowerShellLiteral(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && /[ \t\r]/.test(text[i]!)) i++;
  };
  const wsNl = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at position ${i + 1}`);
  };

  const string = (): string => {
    const q = text[i]!;
    i++;
    let out = '';
    while (i < text.length) {
      const c = text[i]!;
      if (c === q) {
        if (text[i + 1] === q) {
          out += q;
          i += 2;
          continue;
        }
        i++;
        return out;
      }
      if (q === '"' && c === '`' && i + 1 < text.length) {
        const n = text[i + 1]!;
        out += ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[n] ?? n;
        i += 2;
        continue;
      }
      if (q === '"' && c === '$' && /[A-Za-z_{]/.test(text[i + 1] ?? '')) fail('variables are not expanded inside strings; use single quotes');
      out += c;
      i++;
    }
    return fail('unterminated string');
  };

  const value = (): unknown => {
    wsNl();
    const c = text[i];
    if (c === undefined) return fail('expected a value');
    if (text.startsWith('@{', i)) return hashtable();
    if (text.startsWith('@(', i)) return array();
    if (c === "'" || c === '"') return string();
    const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    const v = /^\$(true|false|null)\b/i.exec(text.slice(i));
    if (v) {
      i += v[0].length;
      const word = v[1]!.toLowerCase();
      return word === 'true' ? true : word === 'false' ? false : null;
    }
    return fail(`unexpected '${c}' (quote text values)`);
  };

  const key = (): string => {
    const c = text[i];
    if (c === "'" || c === '"') return string();
    const m = /^[A-Za-z_@][\w.@-]*/.exec(text.slice(i));
    if (!m) return fail('expected a key');
    i += m[0].length;
    return m[0];
  };

  const hashtable = (): Record<string, unknown> => {
    i += 2;
    const out: Record<string, unknown> = {};
    for (;;) {
      wsNl();
      while (text[i] === ';') {
        i++;
        wsNl();
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      if (i >= text.length) fail("missing '}'");
      const k = key();
      ws();
      if (text[i] !== '=') fail(`expected '=' after key '${k}'`);
      i++;
      out[k] = list();
      ws();
      if (text[i] !== ';' && text[i] !== '\n' && text[i] !== '}') fail("expected ';' or '}'");
    }
  };

  const array = (): unknown[] => {
    i += 2;
    const out: unknown[] = [];
    for (;;) {
      wsNl();
      while (text[i] === ',' || text[i] === ';') {
        i++;
        wsNl();
      }
      if (text[i] === ')') {
        i++;
        return out;
      }
      if (i >= text.length) fail("missing ')'");
      out.push(value());
      ws();
      if (![',', ';', '\n', ')'].includes(text[i] ?? '')) fail("expected ',' or ')'");
    }
  };

  /** A value, or several joined by PowerShell's comma operator (which builds an array). */
  const list = (): unknown => {
    const first = value();
    ws();
    if (text[i] !== ',') return first;
    const items = [first];
    while (text[i] === ',') {
      i++;
      items.push(value());
      ws();
    }
    return items;
  };

  const result = list();
  wsNl();
  if (i < text.length) fail(`unexpected '${text[i]}'`);
  return result;
}

/**
 * Graph's property names are camelCase; PowerShell scripts write them in
 * PascalCase (`@{RuleId=…; Subjects=…}`) and the Graph SDK maps them. This
 * does the same for every key that starts with one capital followed by a
 * lower-case letter, recursively; data never sits in keys in these bodies.
 */
export function toGraphCasing(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toGraphCasing);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => [/^[A-Z][a-z]/.test(k) ? k[0]!.toLowerCase() + k.slice(1) : k, toGraphCasing(x)]),
  );
}

/** Reads a member of a PowerShell hashtable, whose keys are case-insensitive. */
export function member(o: Record<string, unknown>, name: string): unknown {
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}
