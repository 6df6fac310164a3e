/**
 * The value model of the expression language (docs/expression-language.md §3).
 *
 *   null          absent attribute (an empty multi-valued attribute reads as null too)
 *   string        the default type; every constant is a string
 *   number|bigint integers; bigint only beyond 2^53 (AD FILETIME dates)
 *   boolean       stringifies as "True" / "False" (.NET Boolean.ToString)
 *   DateTimeValue stringifies as "M/d/yyyy h:mm:ss tt" (invariant, UTC)
 *   array         multi-valued: an ordered list of scalars
 *   object        a complex value (an app role, a reference object)
 */
import { EvaluationError } from './errors.ts';

export type DateTimeKind = 'Utc' | 'Local' | 'Unspecified';

const TICKS_PER_MS = 10_000n;
/** .NET ticks (100 ns) between 0001-01-01 and 1970-01-01. */
const UNIX_EPOCH_TICKS = 621_355_968_000_000_000n;
/** FILETIME (100 ns since 1601-01-01) of 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
/** .NET DateTime range: 0001-01-01T00:00:00 .. 9999-12-31T23:59:59.9999999. */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

/**
 * A .NET-style DateTime: milliseconds since the Unix epoch plus the sub-millisecond
 * ticks (0–9999, 100 ns each) and a `kind`. The server's local time zone is UTC,
 * so `Local` and `Utc` differ only in how `K` formats them.
 */
export class DateTimeValue {
  readonly epochMs: number;
  readonly subMsTicks: number;
  readonly kind: DateTimeKind;

  constructor(epochMs: number, subMsTicks = 0, kind: DateTimeKind = 'Utc') {
    if (!Number.isFinite(epochMs) || epochMs < MIN_MS || epochMs > MAX_MS) {
      throw new EvaluationError('InvalidDate', 'The date is outside the range 0001-01-01 .. 9999-12-31');
    }
    this.epochMs = Math.floor(epochMs);
    this.subMsTicks = subMsTicks;
    this.kind = kind;
    Object.freeze(this);
  }

  static fromDate(d: Date): DateTimeValue {
    return new DateTimeValue(d.getTime());
  }

  /** From .NET ticks since 0001-01-01. */
  static fromTicks(ticks: bigint, kind: DateTimeKind = 'Utc'): DateTimeValue {
    const rel = ticks - UNIX_EPOCH_TICKS;
    let ms = rel / TICKS_PER_MS;
    let sub = rel % TICKS_PER_MS;
    if (sub < 0n) {
      sub += TICKS_PER_MS;
      ms -= 1n;
    }
    return new DateTimeValue(Number(ms), Number(sub), kind);
  }

  /** From an AD integer date (FILETIME: 100 ns since 1601-01-01 UTC). */
  static fromFileTime(fileTime: bigint): DateTimeValue {
    return DateTimeValue.fromTicks(fileTime - FILETIME_UNIX_EPOCH + UNIX_EPOCH_TICKS);
  }

  get ticks(): bigint {
    return BigInt(this.epochMs) * TICKS_PER_MS + BigInt(this.subMsTicks) + UNIX_EPOCH_TICKS;
  }

  get fileTime(): bigint {
    return BigInt(this.epochMs) * TICKS_PER_MS + BigInt(this.subMsTicks) + FILETIME_UNIX_EPOCH;
  }

  withKind(kind: DateTimeKind): DateTimeValue {
    return new DateTimeValue(this.epochMs, this.subMsTicks, kind);
  }

  /** `M/d/yyyy h:mm:ss tt`, the documented string form (`3/16/2020 7:00:00 AM`). */
  toString(): string {
    const d = new Date(this.epochMs);
    const h = d.getUTCHours();
    const h12 = h % 12 === 0 ? 12 : h % 12;
    const mm = String(d.getUTCMinutes()).padStart(2, '0');
    const ss = String(d.getUTCSeconds()).padStart(2, '0');
    const year = String(d.getUTCFullYear()).padStart(4, '0');
    return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${year} ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
  }
}

/** A complex value (e.g. an app role for a SCIM `roles` attribute). */
export type ComplexValue = { readonly [key: string]: unknown };
export type Scalar = string | number | bigint | boolean | DateTimeValue | ComplexValue;
export type Value = null | Scalar | readonly Scalar[];

/** The result of `IgnoreFlowIfNullOrEmpty` on null/"": drop the attribute from the flow. */
export const IGNORE_FLOW: unique symbol = Symbol.for('provisio.expressions.IgnoreFlow');
export type IgnoreFlow = typeof IGNORE_FLOW;
export type EvaluationResult = Value | IgnoreFlow;

/** True for the "drop this attribute from the flow" result of IgnoreFlowIfNullOrEmpty. */
export function isIgnoreFlow(v: unknown): v is IgnoreFlow {
  return v === IGNORE_FLOW;
}

/** True for a complex (plain object) value, e.g. an app role. */
export function isComplex(v: unknown): v is ComplexValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof DateTimeValue);
}

function normalizeScalar(v: unknown): Scalar | null {
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return v;
    case 'number':
      return v;
    case 'object':
      if (v === null) return null;
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : DateTimeValue.fromDate(v);
      return v as ComplexValue;
    default:
      return null;
  }
}

/**
 * Turns a raw attribute value from a source object into a {@link Value}:
 * undefined → null, an empty array → null, nested arrays flattened, nulls in
 * arrays dropped, JS `Date` → DateTimeValue, functions/symbols → null.
 */
export function toValue(raw: unknown): Value {
  if (typeof raw === 'string') return raw;
  if (raw === undefined || raw === null) return null;
  if (Array.isArray(raw)) {
    const out: Scalar[] = [];
    const push = (x: unknown): void => {
      if (Array.isArray(x)) for (const y of x) push(y);
      else {
        const s = normalizeScalar(x);
        if (s !== null) out.push(s);
      }
    };
    for (const x of raw) push(x);
    return out.length === 0 ? null : out;
  }
  return normalizeScalar(raw);
}

/** Integers as `number` when safe, otherwise `bigint`. */
export function normalizeInteger(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** The string form of a scalar: booleans "True"/"False", dates `M/d/yyyy h:mm:ss tt`. */
export function scalarToString(v: Scalar): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return Number.isInteger(v) ? v.toFixed(0) : String(v);
    case 'bigint':
      return v.toString();
    default:
      if (v instanceof DateTimeValue) return v.toString();
      return complexToString(v);
  }
}

function complexToJson(v: ComplexValue): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return '[object]'; // a cycle: not representable
  }
}

function complexToString(v: ComplexValue): string {
  // A reference is usually handed over as { value } or { id }; anything else as JSON.
  if (typeof v.value === 'string') return v.value;
  if (typeof v.id === 'string') return v.id;
  return complexToJson(v);
}

/**
 * Every value of a result as strings, the way Graph's parseExpression reports
 * `evaluationResult`: null and IGNORE_FLOW give none; complex values are JSON.
 */
export function valueToStrings(v: EvaluationResult): string[] {
  if (v === null || v === IGNORE_FLOW) return [];
  const one = (s: Scalar): string => (isComplex(s) ? complexToJson(s) : scalarToString(s));
  if (Array.isArray(v)) return (v as readonly Scalar[]).map(one);
  return [one(v as Scalar)];
}

/** Null, "" or an empty list. */
export function isNullOrEmpty(v: Value): boolean {
  return v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/**
 * Reads a value as one string. A multi-valued value with one element is that
 * element; with more it is an error (the docs define no rule for it).
 */
export function toText(v: Value, fn: string, param: string): string | null {
  if (typeof v === 'string') return v;
  if (v === null) return null;
  if (Array.isArray(v)) {
    const list = v as readonly Scalar[];
    if (list.length === 0) return null;
    if (list.length === 1) return scalarToString(list[0] as Scalar);
    throw new EvaluationError(
      'MultiValuedArgument',
      `${fn}: parameter '${param}' takes a single value but received ${list.length} values`,
      fn,
    );
  }
  return scalarToString(v as Scalar);
}

/** Reads a value as a single scalar (arrays of one element unwrap). */
export function toScalar(v: Value, fn: string, param: string): Scalar | null {
  if (!Array.isArray(v)) return v as Scalar | null;
  const list = v as readonly Scalar[];
  if (list.length === 0) return null;
  if (list.length === 1) return list[0] as Scalar;
  throw new EvaluationError('MultiValuedArgument', `${fn}: parameter '${param}' takes a single value but received ${list.length} values`, fn);
}

/** Reads a value as a list (null → empty, a scalar → one element). */
export function toList(v: Value): readonly Scalar[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v as readonly Scalar[];
  return [v as Scalar];
}

const INTEGER_TEXT = /^\s*[+-]?[0-9]+\s*$/;

/** Parses an integer the way the engine reads numeric arguments; null stays null. */
export function toBigInt(v: Value, fn: string, param: string): bigint | null {
  const s = toScalar(v, fn, param);
  if (s === null) return null;
  if (typeof s === 'bigint') return s;
  if (typeof s === 'number') {
    if (Number.isInteger(s)) return BigInt(s);
  } else if (typeof s === 'string') {
    if (INTEGER_TEXT.test(s)) return BigInt(s.trim());
    if (/^\s*&H[0-9A-Fa-f]+\s*$/.test(s)) return BigInt('0x' + s.trim().slice(2));
  }
  const shown = typeof s === 'string' ? JSON.stringify(s) : scalarToString(s);
  throw new EvaluationError('InvalidNumber', `${fn}: parameter '${param}' must be an integer, got ${shown}`, fn);
}

/** {@link toBigInt} narrowed to a safe JS number (indexes, lengths, counts). */
export function toInt(v: Value, fn: string, param: string): number | null {
  const b = toBigInt(v, fn, param);
  if (b === null) return null;
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new EvaluationError('InvalidNumber', `${fn}: parameter '${param}' is out of range (${b})`, fn);
  }
  return Number(b);
}

/** An integer-looking string or a number → bigint; anything else → null (for comparisons). */
export function asInteger(s: Scalar): bigint | null {
  if (typeof s === 'bigint') return s;
  if (typeof s === 'number') return Number.isInteger(s) ? BigInt(s) : null;
  if (typeof s === 'string' && INTEGER_TEXT.test(s)) return BigInt(s.trim());
  return null;
}

/**
 * CBool truthiness: true, a non-zero number, "True" (any case) or a non-zero
 * integer string. Everything else, null included, is false.
 */
export function truthy(v: Value): boolean {
  if (v === null) return false;
  if (Array.isArray(v)) return v.length === 1 ? truthy(v[0] as Value) : v.length > 0;
  const s = v as Scalar;
  switch (typeof s) {
    case 'boolean':
      return s;
    case 'number':
      return s !== 0 && !Number.isNaN(s);
    case 'bigint':
      return s !== 0n;
    case 'string': {
      const t = s.trim();
      if (t.toLowerCase() === 'true') return true;
      const n = asInteger(t);
      return n !== null && n !== 0n;
    }
    default:
      return false;
  }
}
