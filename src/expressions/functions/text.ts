/** String functions. */
import { DIACRITICS_TABLE } from '../diacritics-table.ts';
import type { CallSite, FunctionImplementation } from '../runtime.ts';
import { scalarToString, toInt, toList, toText } from '../values.ts';
import type { Value } from '../values.ts';
import { cryptoRandom, randomString, randomStringProblem } from './random.ts';
import { arg, constant, rest, supplied, textArg } from './util.ts';

// ---------------------------------------------------------------- NormalizeDiacritics

interface TrieNode {
  out: string | null;
  readonly next: Map<number, TrieNode>;
}

// A trie over UTF-16 units: several entries are base + combining marks (ā́ = U+0101 U+0301)
// and single units are prefixes of them (ā = U+0101), so the longest match must win.
const DIACRITICS_TRIE: TrieNode = { out: null, next: new Map() };
for (const [out, inputs] of DIACRITICS_TABLE) {
  for (const seq of inputs) {
    let node = DIACRITICS_TRIE;
    for (let i = 0; i < seq.length; i++) {
      const c = seq.charCodeAt(i);
      let child = node.next.get(c);
      if (!child) node.next.set(c, (child = { out: null, next: new Map() }));
      node = child;
    }
    node.out = out;
  }
}
// Every table entry contains a code unit >= U+0080, so printable ASCII needs no work
// (other strings take the general path, which is only slower).
const ASCII = /^[ -~\t\n\r]*$/;

/** NormalizeDiacritics over the documented table (longest match first). */
export function normalizeDiacritics(s: string): string {
  if (ASCII.test(s)) return s;
  let out = '';
  let copied = 0;
  for (let i = 0; i < s.length; ) {
    let node = DIACRITICS_TRIE.next.get(s.charCodeAt(i));
    if (!node) {
      i++;
      continue;
    }
    let matchEnd = -1;
    let matchOut = '';
    let j = i + 1;
    for (;;) {
      if (node.out !== null) {
        matchEnd = j;
        matchOut = node.out;
      }
      const next: TrieNode | undefined = j < s.length ? node.next.get(s.charCodeAt(j)) : undefined;
      if (!next) break;
      node = next;
      j++;
    }
    if (matchEnd < 0) {
      i++;
      continue;
    }
    out += s.slice(copied, i) + matchOut;
    copied = i = matchEnd;
  }
  return copied === 0 ? s : out + s.slice(copied);
}

// ---------------------------------------------------------------- casing

/**
 * .NET casing maps one UTF-16 unit to one (simple case mapping): "ß" stays
 * "ß" in ToUpper, unlike JavaScript's "SS". Map per character and keep the
 * character when JavaScript's mapping would change its length.
 */
function simpleCase(s: string, upper: boolean, culture: string | null): string {
  const whole = culture === null ? (upper ? s.toUpperCase() : s.toLowerCase()) : upper ? s.toLocaleUpperCase(culture) : s.toLocaleLowerCase(culture);
  // Case mappings never shrink a character, so an unchanged length means every mapping was one to one.
  if (whole.length === s.length) return whole;
  let out = '';
  for (const ch of s) {
    const m = culture === null ? (upper ? ch.toUpperCase() : ch.toLowerCase()) : upper ? ch.toLocaleUpperCase(culture) : ch.toLocaleLowerCase(culture);
    out += m.length === ch.length ? m : ch;
  }
  return out;
}

/** A culture name usable by toLocale*Case, or null when it is not one. */
export function canonicalCulture(name: string): string | null {
  try {
    const [c] = Intl.getCanonicalLocales(name);
    return c ?? null;
  } catch {
    return null;
  }
}

function casing(upper: boolean): FunctionImplementation {
  return (site) => {
    const src = textArg(site, 0, 'source');
    const cultureArg = supplied(site, 1) ? textArg(site, 1, 'culture') : null;
    return (ctx) => {
      const s = src(ctx);
      if (s === null) return null;
      let culture: string | null = null;
      if (cultureArg) {
        const c = cultureArg(ctx);
        if (c !== null && c !== '') {
          culture = canonicalCulture(c);
          if (culture === null) throw site.error('InvalidArgument', `${site.name}: '${c}' is not a culture name (RFC 4646, e.g. en-US)`);
        }
      }
      return simpleCase(s, upper, culture);
    };
  };
}

// ---------------------------------------------------------------- PCase

// .NET TextInfo.ToTitleCase: letters, marks and numbers belong to words; everything else separates.
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;

/** PCase: lower-case everything, then upper-case the first character of every word. */
export function properCase(s: string, separators: string | null): string {
  const lower = s.toLowerCase();
  let out = '';
  let atWordStart = true;
  const chars = [...lower];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    let isSeparator: boolean;
    if (separators !== null) isSeparator = separators.includes(ch);
    else if (ch === "'" || ch === '\u2019') {
      // ToTitleCase keeps an apostrophe inside a word ("o'neil" → "O'neil").
      isSeparator = !(i > 0 && WORD_CHAR.test(chars[i - 1] as string) && WORD_CHAR.test(chars[i + 1] ?? ''));
    } else isSeparator = !WORD_CHAR.test(ch);
    if (isSeparator) {
      out += ch;
      atWordStart = true;
    } else if (atWordStart) {
      const u = ch.toUpperCase();
      out += u.length === ch.length ? u : ch;
      atWordStart = false;
    } else out += ch;
  }
  return out;
}

// ---------------------------------------------------------------- InStr

function indexOfText(hay: string, needle: string, from: number): number {
  const h = hay.toLowerCase();
  const n = needle.toLowerCase();
  if (h.length === hay.length && n.length === needle.length) return h.indexOf(n, from);
  // Lower-casing changed lengths (e.g. İ): compare unit by unit instead.
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if ((hay[i + j] as string).toLowerCase() !== (needle[j] as string).toLowerCase()) continue outer;
    }
    return i;
  }
  return -1;
}

function compareMode(site: CallSite, v: Value): 'binary' | 'text' {
  const t = toText(v, site.name, 'compareType');
  if (t === null || t === '' || t === 'vbBinaryCompare' || t === '0') return 'binary';
  if (t === 'vbTextCompare' || t === '1') return 'text';
  throw site.error('InvalidArgument', `InStr: compareType must be vbBinaryCompare or vbTextCompare, got '${t}'`);
}

// ---------------------------------------------------------------- table

const join: FunctionImplementation = (site) => {
  const sepConst = constant(site, 0);
  const fixedSep = typeof sepConst === 'string' ? sepConst : null;
  const sep = textArg(site, 0, 'separator');
  const sources = rest(site, 1);
  return (ctx) => {
    const separator = fixedSep ?? sep(ctx) ?? '';
    let out = '';
    let first = true;
    for (const ev of sources) {
      const v = ev(ctx);
      if (v === null || v === '') continue;
      if (typeof v === 'string') {
        out = first ? v : out + separator + v;
        first = false;
        continue;
      }
      for (const s of toList(v)) {
        const t = scalarToString(s);
        if (t === '') continue;
        out = first ? t : out + separator + t;
        first = false;
      }
    }
    return out;
  };
};

export const TEXT_FUNCTIONS: Record<string, FunctionImplementation> = {
  Append: (site) => {
    const src = textArg(site, 0, 'source');
    const suffix = textArg(site, 1, 'suffix');
    return (ctx) => {
      const s = src(ctx);
      if (s === null) return null;
      const x = suffix(ctx);
      return x === null ? s : s + x;
    };
  },
  Prepend: (site) => {
    const prefix = textArg(site, 0, 'prefix');
    const src = textArg(site, 1, 'source');
    return (ctx) => {
      const s = src(ctx);
      if (s === null) return null;
      const p = prefix(ctx);
      return p === null ? s : p + s;
    };
  },
  ConvertToBase64: (site) => {
    const src = textArg(site, 0, 'source');
    return (ctx) => {
      const s = src(ctx);
      return s === null ? null : Buffer.from(s, 'utf16le').toString('base64');
    };
  },
  ConvertToUTF8Hex: (site) => {
    const src = textArg(site, 0, 'source');
    return (ctx) => {
      const s = src(ctx);
      return s === null ? null : Buffer.from(s, 'utf8').toString('hex').toUpperCase();
    };
  },
  CStr: (site) => textArg(site, 0, 'value'),
  Join: join,
  Left: (site) => {
    const src = textArg(site, 0, 'string');
    const n = arg(site, 1);
    return (ctx) => {
      const s = src(ctx) ?? '';
      const count = toInt(n(ctx), 'Left', 'numChars');
      if (count === null) throw site.error('InvalidArgument', 'Left: numChars is null');
      if (count < 0) return s;
      return s.slice(0, count);
    };
  },
  Mid: (site) => {
    const src = textArg(site, 0, 'source');
    const startArg = arg(site, 1);
    const lengthArg = arg(site, 2);
    return (ctx) => {
      const s = src(ctx);
      if (s === null) return '';
      const start = toInt(startArg(ctx), 'Mid', 'start');
      const length = toInt(lengthArg(ctx), 'Mid', 'length');
      if (start === null || length === null) throw site.error('InvalidArgument', 'Mid: start and length cannot be null');
      if (length === 0) return '';
      // Connect Sync rules (the provisioning docs give only the first one).
      if (length < 0 || start <= 0 || start > s.length) return s;
      return s.substr(start - 1, length);
    };
  },
  NormalizeDiacritics: (site) => {
    const src = textArg(site, 0, 'source');
    return (ctx) => {
      const s = src(ctx);
      return s === null ? null : normalizeDiacritics(s);
    };
  },
  PCase: (site) => {
    const src = textArg(site, 0, 'source');
    const seps = supplied(site, 1) ? textArg(site, 1, 'wordSeparators') : null;
    return (ctx) => {
      const s = src(ctx);
      if (s === null) return null;
      return properCase(s, seps ? seps(ctx) : null);
    };
  },
  StripSpaces: (site) => {
    const src = textArg(site, 0, 'source');
    return (ctx) => {
      const s = src(ctx);
      return s === null ? null : s.replace(/ /g, '');
    };
  },
  ToLower: casing(false),
  ToUpper: casing(true),
  Word: (site) => {
    const src = textArg(site, 0, 'string');
    const num = arg(site, 1);
    const delims = textArg(site, 2, 'delimiters');
    return (ctx) => {
      const s = src(ctx);
      if (s === null) return '';
      const n = toInt(num(ctx), 'Word', 'wordNumber');
      if (n === null || n < 1) return '';
      const d = delims(ctx) ?? '';
      const words: string[] = [];
      let cur = '';
      for (const ch of s) {
        if (d.includes(ch)) {
          if (cur !== '') words.push(cur);
          cur = '';
        } else cur += ch;
      }
      if (cur !== '') words.push(cur);
      return words[n - 1] ?? '';
    };
  },
  Split: (site) => {
    const src = textArg(site, 0, 'source');
    const delim = supplied(site, 1) ? textArg(site, 1, 'delimiter') : null;
    return (ctx) => {
      const s = src(ctx);
      if (s === null) return null;
      const d = delim ? delim(ctx) : ',';
      if (d === null || d === '') return [s.trim()];
      // Values are trimmed: the documented example splits "PermissionSetOne, PermissionSetTwo" on ","
      // into "PermissionSetOne" and "PermissionSetTwo" (no leading space).
      return s.split(d).map((x) => x.trim());
    };
  },
  InStr: (site) => {
    const v1 = textArg(site, 0, 'value1');
    const v2 = textArg(site, 1, 'value2');
    const startArg = supplied(site, 2) ? arg(site, 2) : null;
    const cmpArg = supplied(site, 3) ? arg(site, 3) : null;
    const cmpConst = constant(site, 3);
    const fixedMode = cmpArg === null ? 'binary' : cmpConst !== undefined ? compareMode(site, cmpConst) : null;
    return (ctx) => {
      const a = v1(ctx);
      const b = v2(ctx);
      if (a === null || b === null) return null;
      const start = startArg ? (toInt(startArg(ctx), 'InStr', 'start') ?? 1) : 1;
      if (start < 1) throw site.error('InvalidArgument', `InStr: start must be 1 or more, got ${start}`);
      const mode = fixedMode ?? compareMode(site, cmpArg ? cmpArg(ctx) : null);
      if (a === '') return 0;
      if (start > a.length) return 0;
      if (b === '') return start;
      return (mode === 'binary' ? a.indexOf(b, start - 1) : indexOfText(a, b, start - 1)) + 1;
    };
  },
  Redact: (site) => arg(site, 0),
  Coalesce: (site) => {
    const sources = rest(site, 0);
    return (ctx) => {
      for (const ev of sources) {
        const v = ev(ctx);
        if (v !== null) return v;
      }
      return null;
    };
  },
  Guid: () => (ctx) => (ctx.random ?? cryptoRandom).uuid().toLowerCase(),
  RandomString: (site) => {
    const ints = [0, 1, 2, 3, 4].map((i) => arg(site, i));
    const names = ['length', 'minimumNumbers', 'minimumSpecialCharacters', 'minimumCapital', 'minimumLowerCase'];
    const avoid = supplied(site, 5) ? textArg(site, 5, 'charactersToAvoid') : null;
    return (ctx) => {
      const v = ints.map((ev, i) => {
        const n = toInt(ev(ctx), 'RandomString', names[i] as string);
        if (n === null) throw site.error('InvalidArgument', `RandomString: ${names[i]} is null`);
        return n;
      });
      const req = {
        length: v[0] as number,
        minimumNumbers: v[1] as number,
        minimumSpecialCharacters: v[2] as number,
        minimumCapital: v[3] as number,
        minimumLowerCase: v[4] as number,
        charactersToAvoid: (avoid ? avoid(ctx) : null) ?? '',
      };
      const problem = randomStringProblem(req);
      if (problem) throw site.error('InvalidArgument', `RandomString: ${problem}`);
      return randomString(req, ctx.random ?? cryptoRandom);
    };
  },
  DefaultDomain: (site) => (ctx) => {
    if (ctx.defaultDomain === undefined || ctx.defaultDomain === '') {
      throw site.error('MissingContext', 'DefaultDomain: no default domain is configured for this tenant');
    }
    return ctx.defaultDomain;
  },
};

