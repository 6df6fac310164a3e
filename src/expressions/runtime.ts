/**
 * What compiled expressions run against: the evaluation context supplied by
 * the caller, and the small set of types the function implementations share.
 */
import type { Expr, FunctionCallNode } from './ast.ts';
import type { EvaluationError, EvaluationErrorCode } from './errors.ts';
import { DateTimeValue, toValue } from './values.ts';
import type { Value } from './values.ts';

/** An app role assignment as the engine hands it over (Graph appRoleAssignment + the role's value). */
export interface AppRoleAssignmentInput {
  /** The app role's `value` (what SCIM `roles[].value` carries). */
  readonly value?: string | null;
  /** The app role's display name. */
  readonly displayName?: string | null;
  readonly appRoleId?: string | null;
  readonly id?: string | null;
}

/** Source of randomness for Guid and RandomString; injectable for tests. */
export interface RandomSource {
  /** A uniformly distributed integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A random RFC 4122 version-4 UUID, lower case. */
  uuid(): string;
}

/**
 * Answers whether a SelectUniqueValue candidate is free in the target.
 * May be asynchronous (the engine queries the target); then use `evaluateAsync`.
 */
export type UniquenessProbe = (value: string) => boolean | PromiseLike<boolean>;

/** Everything an evaluation reads besides the expression itself. */
export interface EvaluationContext {
  /**
   * The source object: attribute name → value. Names are matched exactly
   * first, then case-insensitively. Arrays are multi-valued attributes.
   */
  readonly source?: Readonly<Record<string, unknown>>;
  /** Alternative to `source`: a lookup the caller controls (must do its own case-insensitive matching). */
  readonly getAttribute?: (name: string) => unknown;
  /** The clock behind Now(); defaults to the system clock. */
  readonly now?: () => Date | number | DateTimeValue;
  /** SelectUniqueValue's uniqueness check; without one, every candidate counts as unique. */
  readonly isUnique?: UniquenessProbe;
  /** The user's app role assignments; `[appRoleAssignments]` reads them when the source has no such attribute. */
  readonly appRoleAssignments?: readonly (AppRoleAssignmentInput | string)[];
  /** The tenant's default verified domain, for DefaultDomain(). */
  readonly defaultDomain?: string;
  readonly random?: RandomSource;
}

/** A compiled node: evaluates to a value for one context. */
export type Evaluator = (ctx: EvaluationContext) => Value;

/** One argument slot of a call, compiled. */
export interface ArgSlot {
  readonly node: Expr | null;
  /** null when the slot is empty (argument not supplied). */
  readonly evaluate: Evaluator | null;
  /** The value when the argument is a literal (known at compile time). */
  readonly constant: Value | undefined;
}

/** What a function implementation gets at compile time. */
export interface CallSite {
  readonly node: FunctionCallNode;
  readonly name: string;
  readonly args: readonly ArgSlot[];
  /** An EvaluationError naming this call and its position. */
  error(code: EvaluationErrorCode, message: string): EvaluationError;
}

export type FunctionImplementation = (site: CallSite) => Evaluator;

/** Thrown by a nested IgnoreFlowIfNullOrEmpty; the root turns it into IGNORE_FLOW. */
export const IGNORE_FLOW_SIGNAL: { readonly ignoreFlow: true } = Object.freeze({ ignoreFlow: true });

function findCaseInsensitive(src: Readonly<Record<string, unknown>>, lower: string): unknown {
  for (const k in src) {
    if (k.length === lower.length && Object.prototype.hasOwnProperty.call(src, k) && k.toLowerCase() === lower) return src[k];
  }
  return undefined;
}

/** Reads an attribute: exact name, then case-insensitive, then the context's app role assignments. */
export function readAttribute(ctx: EvaluationContext, name: string, lower: string): Value {
  let raw: unknown;
  const get = ctx.getAttribute;
  if (get !== undefined) raw = get(name);
  else {
    const src = ctx.source;
    if (src !== undefined && src !== null) {
      raw = src[name];
      if (typeof raw === 'string') return raw;
      if (raw === undefined || !Object.prototype.hasOwnProperty.call(src, name)) raw = findCaseInsensitive(src, lower);
    }
  }
  if (raw === undefined && lower === 'approleassignments') raw = ctx.appRoleAssignments;
  return typeof raw === 'string' ? raw : toValue(raw);
}

/** The context's clock as a UTC DateTimeValue. */
export function currentTime(ctx: EvaluationContext): DateTimeValue {
  const n = ctx.now ? ctx.now() : Date.now();
  if (n instanceof DateTimeValue) return n.kind === 'Utc' ? n : n.withKind('Utc');
  return new DateTimeValue(typeof n === 'number' ? n : n.getTime());
}
