/**
 * .NET date/time behaviour needed by CDate, FormatDateTime, DateAdd, DateDiff,
 * NumFromDate: custom and standard format strings (invariant culture), exact
 * parsing with DateTimeStyles, a tolerant DateTime.Parse, calendar arithmetic.
 *
 * The server's local time zone is taken to be UTC (Microsoft's servers run in
 * UTC; docs/expression-language.md, "FormatDateTime"), so converting to local
 * time never moves the clock; it only changes the DateTime kind.
 */
import { DateTimeValue } from './values.ts';
import type { DateTimeKind } from './values.ts';

/** Thrown for malformed formats or inputs; callers wrap it into an EvaluationError. */
export class DateFormatError extends Error {
  override readonly name = 'DateFormatError';
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MS_PER_DAY = 86_400_000;

/** Milliseconds since the epoch of a UTC wall-clock time; works for years 1–99 too. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

// ---------------------------------------------------------------- tokens

type FormatToken =
  | { readonly t: 'spec'; readonly c: string; readonly n: number }
  | { readonly t: 'lit'; readonly s: string };

const SPECIFIERS = new Set(['d', 'f', 'F', 'g', 'h', 'H', 'K', 'm', 'M', 's', 't', 'y', 'z']);

const STANDARD_FORMATS: Record<string, string> = {
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  m: 'MMMM dd',
  M: 'MMMM dd',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'HH:mm',
  T: 'HH:mm:ss',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, dd MMMM yyyy HH:mm:ss',
  y: 'yyyy MMMM',
  Y: 'yyyy MMMM',
};

/** Formats whose value is shown (and read) in UTC whatever its kind. */
const UTC_STANDARD = new Set(['r', 'R', 'u', 'U']);

const tokenCache = new Map<string, readonly FormatToken[]>();

/** Splits a .NET date/time format string (custom, or one standard letter) into tokens. */
export function tokenizeFormat(format: string): readonly FormatToken[] {
  const cached = tokenCache.get(format);
  if (cached) return cached;
  if (format.length === 0) throw new DateFormatError('The date/time format string is empty');
  let pattern = format;
  if (format.length === 1) {
    const std = STANDARD_FORMATS[format];
    if (std === undefined) throw new DateFormatError(`'${format}' is not a standard date/time format`);
    pattern = std;
  }
  const out: FormatToken[] = [];
  const lit = (s: string): void => {
    const last = out[out.length - 1];
    if (last && last.t === 'lit') out[out.length - 1] = { t: 'lit', s: last.s + s };
    else out.push({ t: 'lit', s });
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (SPECIFIERS.has(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      if ((c === 'f' || c === 'F') && n > 7) throw new DateFormatError(`'${c.repeat(n)}': at most 7 fraction digits`);
      out.push({ t: 'spec', c, n });
      i += n;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < pattern.length && pattern[j] !== c) {
        if (pattern[j] === '\\' && j + 1 < pattern.length) j++;
        s += pattern[j];
        j++;
      }
      if (j >= pattern.length) throw new DateFormatError(`Unterminated quoted literal in date/time format '${format}'`);
      lit(s);
      i = j + 1;
    } else if (c === '%') {
      const n = pattern[i + 1];
      if (n === undefined || n === '%') throw new DateFormatError(`Invalid '%' in date/time format '${format}'`);
      if (SPECIFIERS.has(n)) out.push({ t: 'spec', c: n, n: 1 });
      else lit(n);
      i += 2;
    } else if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) throw new DateFormatError(`Trailing '\\' in date/time format '${format}'`);
      lit(n);
      i += 2;
    } else {
      // ':' and '/' are the invariant culture's separators; every other character is literal (e.g. 'Z').
      lit(c);
      i++;
    }
  }
  if (tokenCache.size > 500) tokenCache.clear();
  tokenCache.set(format, out);
  return out;
}

// ---------------------------------------------------------------- formatting

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

/** `DateTime.ToString(format, InvariantCulture)`. */
export function formatDateTime(value: DateTimeValue, format: string): string {
  const tokens = tokenizeFormat(format);
  const d = new Date(value.epochMs);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const fraction = (((value.epochMs % 1000) + 1000) % 1000) * 10_000 + value.subMsTicks; // 7 digits
  const kind: DateTimeKind = format.length === 1 && UTC_STANDARD.has(format) ? 'Utc' : value.kind;
  let out = '';
  for (const tok of tokens) {
    if (tok.t === 'lit') {
      out += tok.s;
      continue;
    }
    const n = tok.n;
    switch (tok.c) {
      case 'd':
        out += n === 1 ? String(day) : n === 2 ? pad(day, 2) : n === 3 ? DAYS[d.getUTCDay()]!.slice(0, 3) : DAYS[d.getUTCDay()];
        break;
      case 'M':
        out += n === 1 ? String(month) : n === 2 ? pad(month, 2) : n === 3 ? MONTHS[month - 1]!.slice(0, 3) : MONTHS[month - 1];
        break;
      case 'y':
        out += n === 1 ? String(year % 100) : n === 2 ? pad(year % 100, 2) : pad(year, n);
        break;
      case 'h': {
        const h12 = hour % 12 === 0 ? 12 : hour % 12;
        out += n === 1 ? String(h12) : pad(h12, 2);
        break;
      }
      case 'H':
        out += n === 1 ? String(hour) : pad(hour, 2);
        break;
      case 'm':
        out += n === 1 ? String(d.getUTCMinutes()) : pad(d.getUTCMinutes(), 2);
        break;
      case 's':
        out += n === 1 ? String(d.getUTCSeconds()) : pad(d.getUTCSeconds(), 2);
        break;
      case 'f':
        out += pad(fraction, 7).slice(0, n);
        break;
      case 'F': {
        const digits = pad(fraction, 7).slice(0, n).replace(/0+$/, '');
        // .NET drops a '.' that directly precedes an all-zero F field.
        if (digits === '' && out.endsWith('.')) out = out.slice(0, -1);
        out += digits;
        break;
      }
      case 't':
        out += n === 1 ? (hour < 12 ? 'A' : 'P') : hour < 12 ? 'AM' : 'PM';
        break;
      case 'z':
        // The local offset of the (UTC) server, whatever the value's kind.
        out += n === 1 ? '+0' : n === 2 ? '+00' : '+00:00';
        break;
      case 'K':
        out += kind === 'Utc' ? 'Z' : kind === 'Local' ? '+00:00' : '';
        break;
      case 'g':
        out += 'A.D.';
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------- DateTimeStyles

export const DATE_TIME_STYLES = {
  None: 0,
  AllowLeadingWhite: 1,
  AllowTrailingWhite: 2,
  AllowInnerWhite: 4,
  AllowWhiteSpaces: 7,
  NoCurrentDateDefault: 8,
  AdjustToUniversal: 16,
  AssumeLocal: 32,
  AssumeUniversal: 64,
  RoundtripKind: 128,
} as const;

/** The default when FormatDateTime's dateTimeStyles slot is empty (docs). */
export const DEFAULT_DATE_TIME_STYLES =
  DATE_TIME_STYLES.RoundtripKind | DATE_TIME_STYLES.AllowLeadingWhite | DATE_TIME_STYLES.AllowTrailingWhite;

/**
 * Reads a DateTimeStyles value: member names (any case) joined by ',', '|' or
 * spaces, or an integer. The accepted text form is undocumented; this is the lenient reading.
 */
export function parseDateTimeStyles(text: string): number {
  const t = text.trim();
  if (t === '') return DEFAULT_DATE_TIME_STYLES;
  if (/^[0-9]+$/.test(t)) {
    const n = Number(t);
    if (n > 255) throw new DateFormatError(`DateTimeStyles value ${n} is out of range`);
    return n;
  }
  let flags = 0;
  for (const part of t.split(/[\s,|]+/)) {
    if (part === '') continue;
    const name = part.replace(/^DateTimeStyles\./i, '');
    const key = Object.keys(DATE_TIME_STYLES).find((k) => k.toLowerCase() === name.toLowerCase()) as keyof typeof DATE_TIME_STYLES | undefined;
    if (key === undefined) throw new DateFormatError(`'${part}' is not a DateTimeStyles value`);
    flags |= DATE_TIME_STYLES[key];
  }
  return flags;
}

// ---------------------------------------------------------------- exact parsing

interface Parsed {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  fraction?: number; // ticks, 0..9999999
  offsetMinutes?: number;
  utcDesignator?: boolean;
  dayOfWeek?: number;
}

function isWs(c: string | undefined): boolean {
  return c !== undefined && /\s/.test(c);
}

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  digits(min: number, max: number): number | null {
    let j = this.pos;
    while (j < this.s.length && j - this.pos < max && this.s.charCodeAt(j) >= 48 && this.s.charCodeAt(j) <= 57) j++;
    if (j - this.pos < min) return null;
    const v = Number(this.s.slice(this.pos, j));
    this.pos = j;
    return v;
  }
  word(options: readonly string[]): number | null {
    const rest = this.s.slice(this.pos).toLowerCase();
    let best = -1;
    let bestLen = 0;
    options.forEach((o, i) => {
      if (o.length > bestLen && rest.startsWith(o.toLowerCase())) {
        best = i;
        bestLen = o.length;
      }
    });
    if (best < 0) return null;
    this.pos += bestLen;
    return best;
  }
  skipWs(): void {
    while (isWs(this.s[this.pos])) this.pos++;
  }
}

function parseOffset(cur: Cursor, n: number): number | null {
  const sign = cur.s[cur.pos];
  if (sign !== '+' && sign !== '-') return null;
  cur.pos++;
  const h = n === 1 ? cur.digits(1, 2) : cur.digits(2, 2);
  if (h === null) return null;
  let m = 0;
  if (n >= 3) {
    if (cur.s[cur.pos] === ':') cur.pos++;
    const mm = cur.digits(2, 2);
    if (mm === null) return null;
    m = mm;
  }
  if (h > 14 || m > 59) return null;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

/**
 * `DateTime.ParseExact(input, format, InvariantCulture, styles)`.
 * @param today the date used when the format has no date part (unless NoCurrentDateDefault).
 */
export function parseExact(input: string, format: string, styles: number, today: DateTimeValue): DateTimeValue {
  const tokens = tokenizeFormat(format);
  const fail = (why: string): never => {
    throw new DateFormatError(`'${input}' does not match the date/time format '${format}' (${why})`);
  };
  const cur = new Cursor(input);
  const p: Parsed = {};
  if (styles & DATE_TIME_STYLES.AllowLeadingWhite) cur.skipWs();
  const inner = (styles & DATE_TIME_STYLES.AllowInnerWhite) !== 0;
  for (const tok of tokens) {
    if (tok.t === 'lit') {
      for (const ch of tok.s) {
        if (isWs(ch)) {
          if (!isWs(cur.s[cur.pos])) {
            if (inner) continue;
            fail(`expected whitespace at position ${cur.pos + 1}`);
          }
          cur.pos++;
          if (inner) cur.skipWs();
        } else {
          if (inner) cur.skipWs();
          if (cur.s[cur.pos] !== ch) fail(`expected '${ch}' at position ${cur.pos + 1}`);
          cur.pos++;
        }
      }
      continue;
    }
    if (inner) cur.skipWs();
    const n = tok.n;
    const num = (exact: number, what: string): number => {
      const v = exact === 1 ? cur.digits(1, 2) : cur.digits(exact, exact);
      if (v === null) return fail(`expected ${what} at position ${cur.pos + 1}`);
      return v;
    };
    switch (tok.c) {
      case 'd':
        if (n <= 2) p.day = num(n, 'a day');
        else {
          const w = cur.word(n === 3 ? DAYS.map((x) => x.slice(0, 3)) : DAYS);
          if (w === null) fail(`expected a day name at position ${cur.pos + 1}`);
          else p.dayOfWeek = w;
        }
        break;
      case 'M':
        if (n <= 2) p.month = num(n, 'a month');
        else {
          const w = cur.word(n === 3 ? MONTHS.map((x) => x.slice(0, 3)) : MONTHS);
          if (w === null) fail(`expected a month name at position ${cur.pos + 1}`);
          else p.month = w + 1;
        }
        break;
      case 'y': {
        if (n <= 2) {
          const v = n === 1 ? cur.digits(1, 2) : cur.digits(2, 2);
          if (v === null) return fail(`expected a year at position ${cur.pos + 1}`);
          // Gregorian TwoDigitYearMax is 2049 in the invariant culture.
          p.year = v < 50 ? 2000 + v : 1900 + v;
        } else {
          const v = cur.digits(n, n);
          if (v === null) return fail(`expected a ${n}-digit year at position ${cur.pos + 1}`);
          p.year = v;
        }
        break;
      }
      case 'h':
        p.hour12 = num(Math.min(n, 2), 'an hour');
        break;
      case 'H':
        p.hour = num(Math.min(n, 2), 'an hour');
        break;
      case 'm':
        p.minute = num(Math.min(n, 2), 'minutes');
        break;
      case 's':
        p.second = num(Math.min(n, 2), 'seconds');
        break;
      case 'f':
      case 'F': {
        const start = cur.pos;
        const v = tok.c === 'f' ? cur.digits(n, n) : cur.digits(0, n);
        if (v === null) return fail(`expected ${n} fraction digit(s) at position ${cur.pos + 1}`);
        const len = cur.pos - start;
        p.fraction = len === 0 ? 0 : Math.round(v * 10 ** (7 - len));
        break;
      }
      case 't': {
        const full = cur.word(['AM', 'PM']);
        if (full !== null && n >= 2) p.pm = full === 1;
        else {
          const one = full !== null ? full : cur.word(['A', 'P']);
          if (one === null) return fail(`expected AM/PM at position ${cur.pos + 1}`);
          p.pm = one === 1;
        }
        break;
      }
      case 'z': {
        const o = parseOffset(cur, n);
        if (o === null) return fail(`expected a time-zone offset at position ${cur.pos + 1}`);
        p.offsetMinutes = o;
        break;
      }
      case 'K': {
        if (cur.s[cur.pos] === 'Z' || cur.s[cur.pos] === 'z') {
          cur.pos++;
          p.utcDesignator = true;
          p.offsetMinutes = 0;
        } else if (cur.s[cur.pos] === '+' || cur.s[cur.pos] === '-') {
          const o = parseOffset(cur, 3);
          if (o === null) return fail(`expected a time-zone offset at position ${cur.pos + 1}`);
          p.offsetMinutes = o;
        }
        break;
      }
      case 'g':
        if (cur.word(['A.D.', 'AD']) === null) fail(`expected the era 'A.D.' at position ${cur.pos + 1}`);
        break;
    }
  }
  if (styles & DATE_TIME_STYLES.AllowTrailingWhite) cur.skipWs();
  if (cur.pos !== input.length) fail(`unexpected '${input.slice(cur.pos)}' at position ${cur.pos + 1}`);
  return build(p, styles, today, fail);
}

function build(p: Parsed, styles: number, today: DateTimeValue, fail: (why: string) => never): DateTimeValue {
  let hour = p.hour ?? 0;
  if (p.hour12 !== undefined) {
    if (p.hour12 > 12) fail('hour out of range');
    hour = p.pm === undefined ? p.hour12 : (p.hour12 % 12) + (p.pm ? 12 : 0);
  } else if (p.pm !== undefined) {
    if (hour > 12) {
      if (!p.pm) fail('hour out of range for AM');
    } else hour = (hour % 12) + (p.pm ? 12 : 0);
  }
  const noDate = p.year === undefined && p.month === undefined && p.day === undefined;
  let year = p.year ?? 1;
  let month = p.month ?? 1;
  let day = p.day ?? 1;
  if (noDate && !(styles & DATE_TIME_STYLES.NoCurrentDateDefault)) {
    const t = new Date(today.epochMs);
    year = t.getUTCFullYear();
    month = t.getUTCMonth() + 1;
    day = t.getUTCDate();
  }
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  if (month < 1 || month > 12) fail('month out of range');
  if (year < 1 || year > 9999) fail('year out of range');
  if (day < 1 || day > daysInMonth(year, month)) fail('day out of range');
  if (hour > 23 || minute > 59 || second > 59) fail('time out of range');
  const fraction = p.fraction ?? 0;
  let ms = utcMs(year, month, day, hour, minute, second) + Math.floor(fraction / 10_000);
  if (p.dayOfWeek !== undefined && new Date(ms).getUTCDay() !== p.dayOfWeek) fail('the day of the week does not match the date');
  const adjust = (styles & DATE_TIME_STYLES.AdjustToUniversal) !== 0;
  let kind: DateTimeKind;
  if (p.offsetMinutes !== undefined) {
    ms -= p.offsetMinutes * 60_000;
    kind = adjust || (p.utcDesignator && (styles & DATE_TIME_STYLES.RoundtripKind)) ? 'Utc' : 'Local';
  } else if (styles & (DATE_TIME_STYLES.AssumeUniversal | DATE_TIME_STYLES.AssumeLocal)) {
    kind = adjust ? 'Utc' : styles & DATE_TIME_STYLES.AssumeUniversal ? 'Utc' : 'Local';
  } else {
    kind = adjust ? 'Utc' : 'Unspecified';
  }
  return new DateTimeValue(ms, fraction % 10_000, kind);
}

// ---------------------------------------------------------------- DateTime.Parse (CDate, NumFromDate)

const MONTH_NAMES_RE = MONTHS.map((m) => `${m}|${m.slice(0, 3)}`).join('|');
const TIME_RE = String.raw`(?:[T\s]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?(?:\s*([AaPp])\.?[Mm]?\.?)?)?`;
const OFFSET_RE = String.raw`\s*(Z|z|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)?`;
const ISO_RE = new RegExp(String.raw`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})${TIME_RE}${OFFSET_RE}$`);
const US_RE = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})${TIME_RE}${OFFSET_RE}$`);
const NAMED_MDY_RE = new RegExp(String.raw`^(?:(?:${DAYS.map((d) => `${d}|${d.slice(0, 3)}`).join('|')}),?\s+)?(${MONTH_NAMES_RE})\.?\s+(\d{1,2}),?\s+(\d{4})${TIME_RE}${OFFSET_RE}$`, 'i');
const NAMED_DMY_RE = new RegExp(String.raw`^(?:(?:${DAYS.map((d) => `${d}|${d.slice(0, 3)}`).join('|')}),?\s+)?(\d{1,2})\s+(${MONTH_NAMES_RE})\.?,?\s+(\d{4})${TIME_RE}${OFFSET_RE}$`, 'i');

function monthIndex(name: string): number {
  const l = name.toLowerCase();
  return MONTHS.findIndex((m) => m.toLowerCase() === l || m.slice(0, 3).toLowerCase() === l) + 1;
}

/**
 * `DateTime.Parse(s, InvariantCulture, AssumeUniversal | AdjustToUniversal)`
 * for the forms the docs use: `2020-03-16-07:00`, `2021-06-30+08:00`,
 * `2009-06-15T01:45:30-07:00`, `2021-08-24`, `8/25/2021 5:41:18 PM`,
 * `2013-01-10 4:00 PM -8`, `12/25/2007`, `2020-12-31 23:59:59-08:00`, plus
 * RFC 1123 and month-name forms. No offset means UTC. Result kind: Utc.
 */
export function parseDateTime(text: string): DateTimeValue {
  const s = text.trim();
  let y: number, mo: number, d: number, rest: (string | undefined)[];
  let m = ISO_RE.exec(s);
  if (m) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    rest = m.slice(4);
  } else if ((m = US_RE.exec(s))) {
    [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    rest = m.slice(4);
  } else if ((m = NAMED_MDY_RE.exec(s))) {
    [mo, d, y] = [monthIndex(m[1] ?? ''), Number(m[2]), Number(m[3])];
    rest = m.slice(4);
  } else if ((m = NAMED_DMY_RE.exec(s))) {
    [d, mo, y] = [Number(m[1]), monthIndex(m[2] ?? ''), Number(m[3])];
    rest = m.slice(4);
  } else {
    throw new DateFormatError(`'${text}' is not a recognised date/time`);
  }
  const [hh, mi, ss, frac, ampm, off] = rest;
  let hour = hh === undefined ? 0 : Number(hh);
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) throw new DateFormatError(`'${text}': hour ${hour} is not valid with AM/PM`);
    hour = (hour % 12) + (ampm.toLowerCase() === 'p' ? 12 : 0);
  }
  const minute = mi === undefined ? 0 : Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (mo < 1 || mo > 12 || y < 1 || d < 1 || d > daysInMonth(y, mo) || hour > 23 || minute > 59 || second > 59) {
    throw new DateFormatError(`'${text}' is not a valid date/time`);
  }
  const fraction = frac === undefined ? 0 : Number(frac.padEnd(7, '0'));
  let ms = utcMs(y, mo, d, hour, minute, second) + Math.floor(fraction / 10_000);
  if (off !== undefined && !/^(Z|GMT|UTC)$/i.test(off)) {
    const om = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(off);
    if (!om) throw new DateFormatError(`'${text}': bad offset '${off}'`);
    const minutes = Number(om[2]) * 60 + Number(om[3] ?? 0);
    if (Number(om[2]) > 14 || Number(om[3] ?? 0) > 59) throw new DateFormatError(`'${text}': bad offset '${off}'`);
    ms -= (om[1] === '-' ? -1 : 1) * minutes * 60_000;
  }
  return new DateTimeValue(ms, fraction % 10_000, 'Utc');
}

// ---------------------------------------------------------------- arithmetic

/** DateAdd/DateDiff interval codes. `q`, `y`, `w` come from the Connect Sync reference (sibling engine). */
export const DATE_INTERVALS = ['yyyy', 'q', 'm', 'y', 'd', 'w', 'ww', 'h', 'n', 's'] as const;
export type DateInterval = (typeof DATE_INTERVALS)[number];

export function isDateInterval(s: string): s is DateInterval {
  return (DATE_INTERVALS as readonly string[]).includes(s);
}

function addMonths(v: DateTimeValue, months: number): DateTimeValue {
  const d = new Date(v.epochMs);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  if (year < 1 || year > 9999) throw new DateFormatError('The resulting date is outside the range 0001–9999');
  // .NET AddMonths clamps to the last day of the target month.
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  const ms = utcMs(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return new DateTimeValue(ms, v.subMsTicks, v.kind);
}

/** `DateAdd(interval, value, dateTime)`. */
export function dateAdd(interval: DateInterval, amount: number, v: DateTimeValue): DateTimeValue {
  const add = (ms: number): DateTimeValue => new DateTimeValue(v.epochMs + ms, v.subMsTicks, v.kind);
  switch (interval) {
    case 'yyyy':
      return addMonths(v, amount * 12);
    case 'q':
      return addMonths(v, amount * 3);
    case 'm':
      return addMonths(v, amount);
    case 'y':
    case 'd':
    case 'w':
      return add(amount * MS_PER_DAY);
    case 'ww':
      return add(amount * 7 * MS_PER_DAY);
    case 'h':
      return add(amount * 3_600_000);
    case 'n':
      return add(amount * 60_000);
    case 's':
      return add(amount * 1000);
  }
}

/**
 * `DateDiff(interval, date1, date2)`: the number of interval boundaries
 * crossed from date1 to date2 (VBA semantics, which the documented table
 * follows: `ww` counts Sunday-start weeks, `m` calendar months, `yyyy` years).
 */
export function dateDiff(interval: DateInterval, a: DateTimeValue, b: DateTimeValue): number {
  const da = new Date(a.epochMs);
  const db = new Date(b.epochMs);
  const floorDiv = (x: number, y: number): number => Math.floor(x / y);
  const dayA = floorDiv(a.epochMs, MS_PER_DAY);
  const dayB = floorDiv(b.epochMs, MS_PER_DAY);
  switch (interval) {
    case 'yyyy':
      return db.getUTCFullYear() - da.getUTCFullYear();
    case 'q':
      return db.getUTCFullYear() * 4 + Math.floor(db.getUTCMonth() / 3) - (da.getUTCFullYear() * 4 + Math.floor(da.getUTCMonth() / 3));
    case 'm':
      return db.getUTCFullYear() * 12 + db.getUTCMonth() - (da.getUTCFullYear() * 12 + da.getUTCMonth());
    case 'y':
    case 'd':
      return dayB - dayA;
    case 'w':
      return Math.trunc((dayB - dayA) / 7);
    case 'ww':
      // 1970-01-01 was a Thursday: shift by 4 so weeks start on Sunday.
      return floorDiv(dayB + 4, 7) - floorDiv(dayA + 4, 7);
    case 'h':
      return floorDiv(b.epochMs, 3_600_000) - floorDiv(a.epochMs, 3_600_000);
    case 'n':
      return floorDiv(b.epochMs, 60_000) - floorDiv(a.epochMs, 60_000);
    case 's':
      return floorDiv(b.epochMs, 1000) - floorDiv(a.epochMs, 1000);
  }
}
