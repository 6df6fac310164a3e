/**
 * .NET regular expressions (System.Text.RegularExpressions, default options)
 * on JavaScript's RegExp engine.
 *
 * The pattern is translated, not passed through, because the two dialects
 * differ in ways the docs' own examples hit:
 *
 * - identity escapes such as `\<`, `\:`, `\@` are fine in .NET; we emit a
 *   non-`u` RegExp, where they are fine too;
 * - `\d`, `\w`, `\s`, `\b` are Unicode-aware in .NET: they become explicit
 *   BMP classes (.NET matches UTF-16 code units, so BMP classes are exact);
 * - `.` excludes only `\n`; `$` also matches before a final `\n`; `^`/`$`
 *   under `(?m)` see only `\n` as a line break;
 * - .NET numbers unnamed groups first and named groups after them, so `$1`
 *   and `\1` are renumbered to JavaScript's left-to-right numbering;
 * - atomic groups `(?>…)` become `(?:(?=(…))\N)`; character-class subtraction
 *   `[a-z-[aeiou]]` becomes `(?:(?![aeiou])[a-z])`; `\A`, `\z`, `\Z` become
 *   lookarounds; `(?#…)` comments are dropped; `x`, `n`, `s`, `m` options
 *   (inline or scoped) are applied while translating; `i` becomes the `i` flag.
 *
 * Not translatable (rejected with a clear error): `\G`, conditionals
 * `(?(…)…)`, balancing groups `(?<a-b>…)`, explicitly numbered groups
 * `(?<3>…)`, duplicate group names, Unicode block escapes `\p{IsGreek}`,
 * and a case-insensitivity option that changes in the middle of a pattern.
 * Replacement strings use .NET substitutions (`$1`, `${name}`, `$$`, `$&`,
 * `` $` ``, `$'`, `$+`, `$_`), evaluated by us rather than by String.replace.
 */

/** The pattern is not valid .NET syntax, or uses a construct JavaScript cannot express. */
export class RegexTranslationError extends Error {
  override readonly name = 'RegexTranslationError';
  constructor(
    message: string,
    readonly unsupported: boolean,
  ) {
    super(message);
  }
}

export interface TranslatedRegex {
  /** The original .NET pattern. */
  readonly pattern: string;
  /** JavaScript source and flags (never `u`; `g` and `d` are added when matching). */
  readonly source: string;
  readonly flags: string;
  /** .NET group number → JavaScript group index (0 → 0). */
  readonly numbers: ReadonlyMap<number, number>;
  /** .NET group name → JavaScript group index. */
  readonly names: ReadonlyMap<string, number>;
  /** Highest .NET group number. */
  readonly maxGroup: number;
  /** Compiled with `g`. */
  readonly global: RegExp;
  /** Compiled with `gd` (match indices), for group-span replacement. */
  readonly indexed: RegExp;
}

// ---------------------------------------------------------------- Unicode classes (BMP, code units)

const classCache = new Map<string, string>();

function hex4(c: number): string {
  return '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
}

function bmpRanges(test: (ch: string) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let c = 0; c <= 0xffff; c++) {
    const inSet = test(String.fromCharCode(c));
    if (inSet && start < 0) start = c;
    if (!inSet && start >= 0) {
      out.push([start, c - 1]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, 0xffff]);
  return out;
}

function rangesToClassBody(r: Array<[number, number]>): string {
  return r.map(([a, b]) => (a === b ? hex4(a) : `${hex4(a)}-${hex4(b)}`)).join('');
}

function complement(r: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [a, b] of r) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

const NET_CLASSES: Record<string, string> = {
  d: String.raw`\p{Nd}`,
  w: String.raw`[\p{L}\p{Mn}\p{Nd}\p{Pc}]`,
  s: String.raw`[\f\n\r\t\v\x85\p{Z}]`,
};

const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn'.split(' '),
);

/** Class body (no brackets) for a .NET class escape letter or `p{Name}`; `negated` gives the complement. */
function classBody(key: string, negated: boolean): string {
  const cacheKey = (negated ? '^' : '') + key;
  const hit = classCache.get(cacheKey);
  if (hit !== undefined) return hit;
  let src = NET_CLASSES[key];
  if (src === undefined) {
    const name = key.slice(2, -1); // p{Name}
    if (!GENERAL_CATEGORIES.has(name)) {
      throw new RegexTranslationError(
        name.startsWith('Is') ? `Unicode block \\p{${name}} is not supported` : `Unknown Unicode category \\p{${name}}`,
        name.startsWith('Is'),
      );
    }
    src = `\\p{${name}}`;
  }
  const re = new RegExp(`^${src}$`, 'u');
  let ranges = bmpRanges((ch) => re.test(ch));
  if (negated) ranges = complement(ranges);
  const body = rangesToClassBody(ranges);
  classCache.set(cacheKey, body);
  return body;
}

// ---------------------------------------------------------------- translation

interface Options {
  i: boolean;
  m: boolean;
  n: boolean;
  s: boolean;
  x: boolean;
}

type Part = string | { readonly backref: number; readonly at: number; readonly digits: string } | { readonly jsRef: number };

interface GroupFrame {
  readonly kind: 'capture' | 'named' | 'plain' | 'atomic';
  readonly options: Options;
  readonly jsIndex: number;
}

const OPTION_GROUP = /^\(\?([imnsx]*)(?:-([imnsx]*))?(\)|:)/;

class Translator {
  private i = 0;
  private readonly parts: Part[] = [];
  private jsGroups = 0;
  /** .NET capture groups in order of appearance. */
  private readonly captures: Array<{ name: string | null; js: number }> = [];
  private readonly stack: GroupFrame[] = [];
  private opts: Options;
  /** Case-insensitivity of the whole pattern: the JS `i` flag. Leading `(?i)` may still set it. */
  private globalI: boolean;
  /** Nothing but option groups and comments seen so far. */
  private atStart = true;
  private readonly namedRefs: Array<{ name: string; at: number }> = [];

  constructor(
    private readonly p: string,
    ignoreCase: boolean,
  ) {
    this.opts = { i: ignoreCase, m: false, n: false, s: false, x: false };
    this.globalI = ignoreCase;
  }

  private fail(msg: string, unsupported = false): never {
    throw new RegexTranslationError(`${msg} (at position ${this.i + 1} of the pattern)`, unsupported);
  }

  private emit(s: string): void {
    this.parts.push(s);
  }

  run(): TranslatedRegex {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i] as string;
      if (this.opts.x && /\s/.test(c)) {
        this.i++;
        continue;
      }
      if (this.opts.x && c === '#') {
        while (this.i < p.length && p[this.i] !== '\n') this.i++;
        continue;
      }
      const wasStart = this.atStart;
      this.atStart = false;
      switch (c) {
        case '\\':
          this.escape();
          break;
        case '(':
          this.openGroup(wasStart);
          break;
        case ')':
          this.closeGroup();
          break;
        case '[':
          this.emit(this.charClass());
          break;
        case '.':
          this.emit(this.opts.s ? '[\\s\\S]' : '[^\\n]');
          this.i++;
          break;
        case '^':
          this.emit(this.opts.m ? '(?:(?<=^|\\n))' : '^');
          this.i++;
          break;
        case '$':
          this.emit(this.opts.m ? '(?=\\n|$)' : '(?=\\n?$)');
          this.i++;
          break;
        default:
          this.emit(c);
          this.i++;
      }
    }
    if (this.stack.length > 0) this.fail('Not enough )');
    return this.finish();
  }

  private finish(): TranslatedRegex {
    // .NET numbering: unnamed groups 1..U left to right, then named groups.
    const numbers = new Map<number, number>([[0, 0]]);
    const names = new Map<string, number>();
    let n = 0;
    for (const g of this.captures) if (g.name === null) numbers.set(++n, g.js);
    for (const g of this.captures) {
      if (g.name !== null) {
        if (names.has(g.name)) this.fail(`Group name '${g.name}' is used twice (not supported)`, true);
        names.set(g.name, g.js);
        numbers.set(++n, g.js);
      }
    }
    for (const r of this.namedRefs) {
      if (!names.has(r.name)) {
        this.i = r.at;
        this.fail(`Reference to undefined group name '${r.name}'`);
      }
    }
    let source = '';
    for (const part of this.parts) {
      if (typeof part === 'string') source += part;
      else if ('jsRef' in part) source += `(?:\\${part.jsRef})`;
      else {
        const js = numbers.get(part.backref);
        if (js !== undefined) {
          source += `(?:\\${js})`;
          continue;
        }
        // .NET reads \nn (two or more digits) that names no group as an octal escape.
        const octal = /^[0-7]{2,3}/.exec(part.digits);
        if (octal && parseInt(octal[0], 8) <= 0o377) {
          source += hex4(parseInt(octal[0], 8)) + part.digits.slice(octal[0].length);
          continue;
        }
        this.i = part.at;
        this.fail(`Reference to undefined group number ${part.backref}`);
      }
    }
    const flags = this.globalI ? 'i' : '';
    let global: RegExp;
    let indexed: RegExp;
    try {
      global = new RegExp(source, flags + 'g');
      indexed = new RegExp(source, flags + 'gd');
    } catch (e) {
      throw new RegexTranslationError(`Invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, false);
    }
    return { pattern: this.p, source, flags, numbers, names, maxGroup: n, global, indexed };
  }

  private escape(): void {
    const p = this.p;
    const c = p[this.i + 1];
    if (c === undefined) this.fail('Illegal \\ at end of pattern');
    const start = this.i;
    this.i += 2;
    switch (c) {
      case 'd':
      case 'w':
      case 's':
        this.emit(`[${classBody(c, false)}]`);
        return;
      case 'D':
      case 'W':
      case 'S':
        this.emit(`[${classBody(c.toLowerCase(), true)}]`);
        return;
      case 'p':
      case 'P': {
        const m = /^\{([A-Za-z]+)\}/.exec(p.slice(this.i));
        if (!m) this.fail(`Malformed \\${c}{...} escape`);
        this.i += m[0].length;
        this.emit(`[${classBody(`p{${m[1]}}`, c === 'P')}]`);
        return;
      }
      case 'b':
      case 'B': {
        const w = classBody('w', false);
        this.emit(
          c === 'b'
            ? `(?:(?<=[${w}])(?![${w}])|(?<![${w}])(?=[${w}]))`
            : `(?:(?<=[${w}])(?=[${w}])|(?<![${w}])(?![${w}]))`,
        );
        return;
      }
      case 'A':
        this.emit('(?<![\\s\\S])');
        return;
      case 'z':
        this.emit('(?![\\s\\S])');
        return;
      case 'Z':
        this.emit('(?=\\n?(?![\\s\\S]))');
        return;
      case 'G':
        this.i = start;
        this.fail('\\G (contiguous match) is not supported', true);
        break;
      case 'k': {
        const m = /^(?:<([^>]*)>|'([^']*)')/.exec(p.slice(this.i));
        if (!m) this.fail('Malformed \\k<...> named back reference');
        this.i += m[0].length;
        const name = m[1] ?? m[2] ?? '';
        if (/^[0-9]+$/.test(name)) this.parts.push({ backref: Number(name), at: start, digits: '' });
        else {
          this.checkName(name);
          this.namedRefs.push({ name, at: start });
          this.emit(`\\k<${name}>`);
        }
        return;
      }
      case 'e':
        this.emit('\\x1B');
        return;
      case 'a':
        this.emit('\\x07');
        return;
      case 'x': {
        const m = /^[0-9A-Fa-f]{2}/.exec(p.slice(this.i));
        if (!m) this.fail('Insufficient hexadecimal digits after \\x');
        this.i += 2;
        this.emit('\\x' + m[0]);
        return;
      }
      case 'u': {
        const m = /^[0-9A-Fa-f]{4}/.exec(p.slice(this.i));
        if (!m) this.fail('Insufficient hexadecimal digits after \\u');
        this.i += 4;
        this.emit('\\u' + m[0]);
        return;
      }
      case 'c': {
        const l = p[this.i];
        if (l === undefined || !/[A-Za-z]/.test(l)) this.fail('Missing control character after \\c');
        this.i++;
        this.emit('\\c' + l.toUpperCase());
        return;
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(p.slice(this.i)) as RegExpExecArray;
        this.i += m[0].length;
        this.emit(hex4(parseInt('0' + m[0], 8)));
        return;
      }
      case 't':
      case 'n':
      case 'r':
      case 'f':
      case 'v':
        this.emit('\\' + c);
        return;
      default:
        break;
    }
    if (c >= '1' && c <= '9') {
      let j = this.i;
      while (j < p.length && /[0-9]/.test(p[j] as string)) j++;
      const digits = p.slice(this.i - 1, j);
      this.i = j;
      this.parts.push({ backref: Number(digits), at: start, digits });
      return;
    }
    if (/[A-Za-z0-9_]/.test(c)) {
      this.i = start;
      this.fail(`Unrecognized escape sequence \\${c}`);
    }
    this.emit('\\' + c);
  }

  private checkName(name: string): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.fail(`Group name '${name}' is not supported (use letters, digits and _)`, true);
  }

  private applyOptions(on: string, off: string): Options {
    const o = { ...this.opts };
    for (const k of on) o[k as keyof Options] = true;
    for (const k of off) o[k as keyof Options] = false;
    if (o.i !== this.globalI) this.fail('Changing case sensitivity inside the pattern is not supported; put (?i) at the start', true);
    return o;
  }

  private openGroup(wasStart: boolean): void {
    const p = this.p;
    const rest = p.slice(this.i);
    const push = (kind: GroupFrame['kind'], jsIndex = 0): void => {
      this.stack.push({ kind, options: { ...this.opts }, jsIndex });
    };
    if (!rest.startsWith('(?')) {
      this.i++;
      if (this.opts.n) {
        push('plain');
        this.emit('(?:');
      } else {
        const js = ++this.jsGroups;
        this.captures.push({ name: null, js });
        push('capture', js);
        this.emit('(');
      }
      return;
    }
    const opt = OPTION_GROUP.exec(rest);
    if (opt && (opt[1] !== '' || opt[2] !== undefined)) {
      let o: Options;
      if (wasStart && opt[3] === ')' && this.stack.length === 0) {
        // Leading options cover the whole pattern, so (?i) there becomes the `i` flag.
        o = { ...this.opts, ...this.lettersToOptions(opt[1] ?? '', opt[2] ?? '') };
        this.globalI = o.i;
      } else o = this.applyOptions(opt[1] ?? '', opt[2] ?? '');
      this.i += opt[0].length;
      if (opt[3] === ')') {
        // Applies to the rest of the enclosing group.
        this.opts = o;
        this.atStart = wasStart;
      } else {
        push('plain');
        this.opts = o;
        this.emit('(?:');
      }
      return;
    }
    const two = rest.slice(0, 4);
    if (rest.startsWith('(?#')) {
      const end = p.indexOf(')', this.i);
      if (end < 0) this.fail('Unterminated (?#...) comment');
      this.i = end + 1;
      this.atStart = wasStart;
      return;
    }
    if (rest.startsWith('(?:')) {
      this.i += 3;
      push('plain');
      this.emit('(?:');
      return;
    }
    if (two.startsWith('(?=') || two.startsWith('(?!') || two === '(?<=' || two === '(?<!') {
      const len = two.startsWith('(?<') ? 4 : 3;
      this.emit(rest.slice(0, len));
      this.i += len;
      push('plain');
      return;
    }
    if (rest.startsWith('(?>')) {
      this.i += 3;
      const js = ++this.jsGroups;
      push('atomic', js);
      this.emit('(?:(?=(');
      return;
    }
    if (rest.startsWith('(?(')) this.fail('Conditional groups (?(...)...) are not supported', true);
    const named = /^\(\?(?:<([^>]*)>|'([^']*)')/.exec(rest);
    if (named) {
      const name = named[1] ?? named[2] ?? '';
      if (name.includes('-')) this.fail('Balancing groups (?<a-b>...) are not supported', true);
      if (/^[0-9]+$/.test(name)) this.fail('Explicitly numbered groups (?<n>...) are not supported', true);
      this.checkName(name);
      this.i += named[0].length;
      const js = ++this.jsGroups;
      this.captures.push({ name, js });
      push('named', js);
      this.emit(`(?<${name}>`);
      return;
    }
    this.fail('Unrecognized grouping construct');
  }

  private lettersToOptions(on: string, off: string): Partial<Options> {
    const o: Partial<Options> = {};
    for (const k of on) o[k as keyof Options] = true;
    for (const k of off) o[k as keyof Options] = false;
    return o;
  }

  private closeGroup(): void {
    const frame = this.stack.pop();
    if (!frame) this.fail('Too many )');
    this.i++;
    this.opts = frame.options;
    if (frame.kind === 'atomic') {
      this.emit('))');
      this.parts.push({ jsRef: frame.jsIndex });
      this.emit(')');
    } else this.emit(')');
  }

  /** Translates `[...]` starting at this.i; returns a JS atom. */
  private charClass(): string {
    const p = this.p;
    this.i++; // [
    let negated = false;
    if (p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let body = '';
    let first = true;
    let afterClassEscape = false;
    for (;;) {
      const c = p[this.i];
      if (c === undefined) this.fail('Unterminated [] set');
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      if (c === '-' && p[this.i + 1] === '[' && !first) {
        // Subtraction: must be the last element of the class.
        this.i++;
        const excluded = this.charClass();
        if (p[this.i] !== ']') this.fail('A subtraction must be the last element in a character class');
        this.i++;
        return `(?:(?!${excluded})[${negated ? '^' : ''}${body}])`;
      }
      first = false;
      if (c === '\\') {
        const e = p[this.i + 1];
        if (e === undefined) this.fail('Illegal \\ at end of pattern');
        this.i += 2;
        afterClassEscape = false;
        if ('dwsDWS'.includes(e)) {
          body += classBody(e.toLowerCase(), e !== e.toLowerCase());
          afterClassEscape = true;
        } else if (e === 'p' || e === 'P') {
          const m = /^\{([A-Za-z]+)\}/.exec(p.slice(this.i));
          if (!m) this.fail(`Malformed \\${e}{...} escape`);
          this.i += m[0].length;
          body += classBody(`p{${m[1]}}`, e === 'P');
          afterClassEscape = true;
        } else if (e === 'b') body += '\\x08';
        else if (e === 'e') body += '\\x1B';
        else if (e === 'a') body += '\\x07';
        else if (e === 'x' || e === 'u') {
          const len = e === 'x' ? 2 : 4;
          const h = p.slice(this.i, this.i + len);
          if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(h)) this.fail(`Insufficient hexadecimal digits after \\${e}`);
          this.i += len;
          body += `\\${e}${h}`;
        } else if (e === 'c') {
          const l = p[this.i];
          if (l === undefined || !/[A-Za-z]/.test(l)) this.fail('Missing control character after \\c');
          this.i++;
          body += '\\c' + l.toUpperCase();
        } else if (e === '0') {
          const m = /^[0-7]{0,2}/.exec(p.slice(this.i)) as RegExpExecArray;
          this.i += m[0].length;
          body += hex4(parseInt('0' + m[0], 8));
        } else if ('tnrfv'.includes(e)) body += '\\' + e;
        else if (/[A-Za-z0-9_]/.test(e)) {
          this.i -= 2;
          this.fail(`Unrecognized escape sequence \\${e}`);
        } else body += '\\' + e;
        continue;
      }
      this.i++;
      if (c === '-' && afterClassEscape) body += '\\-';
      else if (c === '[' || c === ']' || c === '\\') body += '\\' + c;
      else body += c;
      afterClassEscape = false;
    }
    if (body === '' && !negated) return '[]';
    return `[${negated ? '^' : ''}${body}]`;
  }
}

const cache = new Map<string, TranslatedRegex>();

/**
 * Translates a .NET pattern. `ignoreCase` adds RegexOptions.IgnoreCase.
 * @throws {RegexTranslationError} for invalid or untranslatable patterns.
 */
export function translateRegex(pattern: string, ignoreCase = false): TranslatedRegex {
  const key = (ignoreCase ? 'i:' : 'c:') + pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  const t = new Translator(pattern, ignoreCase).run();
  if (cache.size >= 512) cache.clear();
  cache.set(key, t);
  return t;
}

function fresh(t: TranslatedRegex, indexed = false): RegExp {
  const re = indexed ? t.indexed : t.global;
  re.lastIndex = 0;
  return re;
}

/** Iterates matches the way .NET does (an empty match advances by one UTF-16 unit). */
function* matches(t: TranslatedRegex, input: string, indexed = false): Generator<RegExpExecArray> {
  const re = fresh(t, indexed);
  for (;;) {
    const m = re.exec(input);
    if (m === null) return;
    const next = re.lastIndex;
    yield m;
    re.lastIndex = m[0] === '' ? next + 1 : next;
    if (re.lastIndex > input.length) return;
  }
}

/** `Regex.IsMatch(input, pattern)`: unanchored. */
export function isMatch(t: TranslatedRegex, input: string): boolean {
  const re = fresh(t);
  const r = re.test(input);
  re.lastIndex = 0;
  return r;
}

type Substitution = string | { readonly group: number | string } | { readonly special: '`' | "'" | '+' | '_' };

function parseSubstitution(t: TranslatedRegex, replacement: string): Substitution[] {
  const out: Substitution[] = [];
  let lit = '';
  const isGroup = (n: number): boolean => n <= t.maxGroup;
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c !== '$' || i + 1 >= replacement.length) {
      lit += c;
      continue;
    }
    const n = replacement[i + 1] as string;
    if (n === '$') {
      lit += '$';
      i++;
    } else if (n === '&') {
      out.push(lit, { group: 0 });
      lit = '';
      i++;
    } else if (n === '`' || n === "'" || n === '+' || n === '_') {
      out.push(lit, { special: n });
      lit = '';
      i++;
    } else if (n === '{') {
      const close = replacement.indexOf('}', i + 2);
      const name = close < 0 ? '' : replacement.slice(i + 2, close);
      const ok = /^[0-9]+$/.test(name) ? isGroup(Number(name)) : t.names.has(name);
      if (close > 0 && ok) {
        out.push(lit, { group: /^[0-9]+$/.test(name) ? Number(name) : name });
        lit = '';
        i = close;
      } else lit += '$';
    } else if (n >= '0' && n <= '9') {
      // .NET: extend the number digit by digit while it still names a group.
      let num = Number(n);
      let j = i + 2;
      while (j < replacement.length && /[0-9]/.test(replacement[j] as string)) {
        const next = num * 10 + Number(replacement[j]);
        if (!isGroup(next)) break;
        num = next;
        j++;
      }
      if (isGroup(num)) {
        out.push(lit, { group: num });
        lit = '';
        i = j - 1;
      } else lit += '$';
    } else lit += '$';
  }
  out.push(lit);
  return out.filter((x) => x !== '');
}

function groupText(t: TranslatedRegex, m: RegExpExecArray, g: number | string): string {
  const idx = typeof g === 'number' ? t.numbers.get(g) : t.names.get(g);
  return idx === undefined ? '' : (m[idx] ?? '');
}

const substitutionCache = new WeakMap<TranslatedRegex, Map<string, Substitution[]>>();

/** `Regex.Replace(input, pattern, replacement)` with .NET substitution syntax. */
export function regexReplace(t: TranslatedRegex, input: string, replacement: string): string {
  let perRegex = substitutionCache.get(t);
  if (!perRegex) substitutionCache.set(t, (perRegex = new Map()));
  let subst = perRegex.get(replacement);
  if (!subst) {
    subst = parseSubstitution(t, replacement);
    if (perRegex.size > 64) perRegex.clear();
    perRegex.set(replacement, subst);
  }
  let out = '';
  let last = 0;
  for (const m of matches(t, input)) {
    out += input.slice(last, m.index);
    for (const s of subst) {
      if (typeof s === 'string') out += s;
      else if ('group' in s) out += groupText(t, m, s.group);
      else if (s.special === '`') out += input.slice(0, m.index);
      else if (s.special === "'") out += input.slice(m.index + m[0].length);
      else if (s.special === '_') out += input;
      else out += t.maxGroup === 0 ? m[0] : groupText(t, m, t.maxGroup);
    }
    last = m.index + m[0].length;
  }
  return out + input.slice(last);
}

/** Replaces, in every match, only the span captured by group `name` (Replace with regexGroupName). */
export function replaceGroup(t: TranslatedRegex, input: string, name: string, replacement: string): string {
  const idx = /^[0-9]+$/.test(name) ? t.numbers.get(Number(name)) : t.names.get(name);
  if (idx === undefined) throw new RegexTranslationError(`The pattern has no group named '${name}'`, false);
  let out = '';
  let last = 0;
  for (const m of matches(t, input, true)) {
    const span = m.indices?.[idx];
    if (!span) continue;
    out += input.slice(last, span[0]) + replacement;
    last = span[1];
  }
  return out + input.slice(last);
}

/** The value of group `name` in the first match, or null when nothing matches. */
export function firstGroupValue(t: TranslatedRegex, input: string, name: string): string | null {
  const idx = /^[0-9]+$/.test(name) ? t.numbers.get(Number(name)) : t.names.get(name);
  if (idx === undefined) throw new RegexTranslationError(`The pattern has no group named '${name}'`, false);
  for (const m of matches(t, input)) {
    const v = m[idx];
    if (v !== undefined) return v;
  }
  return null;
}
