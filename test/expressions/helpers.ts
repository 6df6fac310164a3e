/** Shared helpers of the expression tests (not a test file itself). */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { DateTimeValue, EvaluationError, ExpressionError, IGNORE_FLOW, isIgnoreFlow } from '../../src/expressions/index.ts';
import type { AppRoleAssignmentInput, EvaluationContext, EvaluationResult } from '../../src/expressions/index.ts';

export interface VectorContext {
  readonly now?: string;
  readonly existingTargetValues?: readonly string[];
  readonly defaultDomain?: string;
  readonly appRoleAssignments?: readonly (AppRoleAssignmentInput | string)[];
}

export interface Vector {
  readonly id: string;
  readonly expression: string;
  readonly source: Record<string, unknown>;
  readonly expected: unknown;
  readonly notes?: string;
  readonly uncertain?: boolean;
  readonly docStated?: unknown;
  readonly context?: VectorContext;
  readonly expectedError?: boolean;
  readonly expectedPattern?: string;
  readonly expectedIgnoreFlow?: boolean;
}

export const VECTORS_URL = new URL('../../../shared/vectors/expression-vectors.json', import.meta.url);
export const DOC_URL = new URL('../../docs/expression-language.md', import.meta.url);

export function loadVectors(): Vector[] {
  return JSON.parse(readFileSync(VECTORS_URL, 'utf8')) as Vector[];
}

/** The evaluation context a vector or doc example describes. */
export function contextFor(source: Record<string, unknown>, context: VectorContext | undefined): EvaluationContext {
  const existing = new Set(context?.existingTargetValues ?? []);
  return {
    source,
    ...(context?.now ? { now: () => new Date(context.now as string) } : {}),
    isUnique: (v: string) => !existing.has(v),
    ...(context?.defaultDomain ? { defaultDomain: context.defaultDomain } : {}),
    ...(context?.appRoleAssignments ? { appRoleAssignments: context.appRoleAssignments } : {}),
  };
}

/** A result in JSON terms: DateTimes and bigints as strings, IGNORE_FLOW as a marker string. */
export function plain(v: EvaluationResult): unknown {
  if (isIgnoreFlow(v)) return '<IGNORE_FLOW>';
  if (v instanceof DateTimeValue) return v.toString();
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map((x: unknown) => plain(x as EvaluationResult));
  if (typeof v === 'object' && v !== null) return { ...v };
  return v;
}

/** Asserts a typed result: numbers stay numbers, Booleans stay Booleans, DateTimes compare by their string form. */
export function assertResult(actual: EvaluationResult, expected: unknown, label: string): void {
  if (typeof expected === 'string' && typeof actual === 'bigint') {
    assert.equal(actual.toString(), expected, label);
    return;
  }
  assert.deepEqual(plain(actual), expected, label);
}

export function isDomainError(e: unknown): e is EvaluationError | ExpressionError {
  return e instanceof EvaluationError || e instanceof ExpressionError;
}

/** The codes an error answers to: its own and, for validation errors, each problem's. */
export function errorCodes(e: unknown): string[] {
  if (e instanceof ExpressionError) return [e.code, ...e.problems.map((p) => p.code)];
  if (e instanceof EvaluationError) return [e.code];
  return [];
}

export { IGNORE_FLOW };
