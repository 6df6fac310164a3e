/**
 * The map stage: evaluates an object mapping's attribute mappings against a
 * source object's attribute bag, giving the flat map of target attributes
 * to export, and diffs it against what was exported last.
 */
import { createHash } from 'node:crypto';
import { DateTimeValue, isIgnoreFlow, scalarToString } from '../expressions/index.ts';
import type { EvaluationContext, EvaluationResult, Scalar } from '../expressions/index.ts';
import type { AttributeChange, TargetValue } from '../connectors/ports.ts';
import type { CompiledAttributeMapping, CompiledObjectMapping } from './mapping-plan.ts';

/** Target attribute → value; attributes without a value are absent. */
export type TargetAttributes = Record<string, TargetValue>;

export interface MappedObject {
  /** What to write (references excluded). */
  attributes: TargetAttributes;
  /** Source values of reference attributes (manager id, member ids), by target attribute. */
  references: Record<string, string[]>;
}

function toTargetValue(v: EvaluationResult): TargetValue | undefined {
  if (v === null || v === undefined || isIgnoreFlow(v)) return undefined;
  if (Array.isArray(v)) {
    const list = (v as readonly Scalar[]).map(scalarOut).filter((x): x is TargetValue => x !== undefined);
    return list.length ? list : undefined;
  }
  return scalarOut(v as Scalar);
}

function scalarOut(s: Scalar): TargetValue | undefined {
  if (s === null || s === undefined) return undefined;
  if (typeof s === 'object' && !(s instanceof DateTimeValue)) {
    // Complex values (AppRoleAssignmentsComplex) travel as objects.
    return s as unknown as TargetValue;
  }
  const text = scalarToString(s);
  return text === '' ? undefined : text;
}

function evaluateOne(m: CompiledAttributeMapping, ctx: EvaluationContext): TargetValue | undefined {
  const raw = m.expression ? m.expression.evaluate(ctx) : null;
  if (isIgnoreFlow(raw)) return undefined;
  const value = toTargetValue(raw);
  // defaultValue applies when the source evaluates to null (Graph: attributeMapping.defaultValue).
  return value === undefined && m.defaultValue !== null && m.defaultValue !== '' ? m.defaultValue : value;
}

/**
 * Evaluates every mapping of the object mapping. `creating` lets
 * ObjectAddOnly attributes flow; on updates they are left out.
 * @throws EvaluationError when an expression fails on this object's data.
 */
export function mapObject(mapping: CompiledObjectMapping, ctx: EvaluationContext, creating: boolean): MappedObject {
  const attributes: TargetAttributes = {};
  const references: Record<string, string[]> = {};
  for (const m of mapping.attributes) {
    if (m.addOnly && !creating) continue;
    if (m.reference) {
      const raw = m.expression ? m.expression.evaluate(ctx) : null;
      const v = toTargetValue(raw);
      references[m.target] = v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
      continue;
    }
    const value = evaluateOne(m, ctx);
    if (value !== undefined) attributes[m.target] = value;
  }
  return { attributes, references };
}

/** Evaluates one attribute (for matching and for SelectUniqueValue candidates). */
export function mapAttribute(m: CompiledAttributeMapping, ctx: EvaluationContext): TargetValue | undefined {
  return evaluateOne(m, ctx);
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const keys = Object.keys(v as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** A stable hash of what is exported: equal hashes mean nothing to send. */
export function hashAttributes(attrs: TargetAttributes, extra = ''): string {
  return createHash('sha1').update(canonical(attrs)).update(extra).digest('base64url');
}

export function sameValue(a: TargetValue | undefined, b: TargetValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonical(a) === canonical(b);
}

/**
 * The changes that turn `before` into `after`: `add` where there was no
 * value, `replace` where there was (Entra's choice, entra-behavior.md §6.3).
 * Attributes that lost their value are left alone: Entra never clears a
 * target attribute because the source became empty (§3.2).
 */
export function diffAttributes(before: TargetAttributes, after: TargetAttributes, alwaysFlow: ReadonlySet<string> = new Set()): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const [path, value] of Object.entries(after)) {
    const prev = before[path];
    if (!alwaysFlow.has(path) && sameValue(prev, value)) continue;
    changes.push(prev === undefined ? { path, op: 'add', value } : { path, op: 'replace', value, previous: prev });
  }
  return changes;
}
