/**
 * Scoping filters (Graph `filter` / `filterGroup` / `filterClause`).
 *
 * Within a group the clauses are AND-ed; across groups, OR-ed; an empty set
 * of groups puts every object in scope. Each of the three group sets is
 * evaluated on its own:
 *
 * - `groups`: in scope for provisioning; an object that stops matching is deprovisioned;
 * - `inputFilterGroups` (experimental): filters objects when they are read;
 *   one that stops matching is not deprovisioned;
 * - `categoryFilterGroups` (experimental): whether the object belongs to this mapping.
 *
 * Clause semantics follow the Entra scoping-filter article: case-sensitive,
 * false on a null/empty attribute (except IS NULL), integers for the
 * Greater_Than family, .NET regular expressions (unanchored) for REGEX MATCH.
 */
import type { AttributeType, FilterOperatorSpec } from './catalog.ts';
import { lookupOperator } from './catalog.ts';
import { isMatch, RegexTranslationError, translateRegex } from './dotnet-regex.ts';
import type { TranslatedRegex } from './dotnet-regex.ts';
import { ExpressionError } from './errors.ts';
import { readAttribute } from './runtime.ts';
import { asInteger, isNullOrEmpty, scalarToString, toList } from './values.ts';
import type { Scalar, Value } from './values.ts';

/** Graph `filterOperand`. */
export interface FilterOperand {
  readonly values?: readonly string[] | null;
}

/** Graph `filterClause`. */
export interface FilterClause {
  readonly operatorName?: string | null;
  readonly sourceOperandName?: string | null;
  readonly targetOperand?: FilterOperand | null;
}

/** Graph `filterGroup`. */
export interface FilterGroup {
  readonly name?: string | null;
  readonly clauses?: readonly FilterClause[] | null;
}

/** Graph `filter`. */
export interface ScopingFilter {
  readonly categoryFilterGroups?: readonly FilterGroup[] | null;
  readonly groups?: readonly FilterGroup[] | null;
  readonly inputFilterGroups?: readonly FilterGroup[] | null;
}

export type FilterGroupSet = 'groups' | 'inputFilterGroups' | 'categoryFilterGroups';
export const FILTER_GROUP_SETS: readonly FilterGroupSet[] = Object.freeze(['groups', 'inputFilterGroups', 'categoryFilterGroups']);

/** A source object: attribute name → value (exact name first, then case-insensitive). */
export type ScopeSource = Readonly<Record<string, unknown>>;

export interface ClauseExplanation {
  readonly sourceOperandName: string;
  readonly operatorName: string;
  readonly values: readonly string[];
  readonly result: boolean;
}

export interface GroupExplanation {
  readonly name: string | null;
  readonly result: boolean;
  readonly clauses: readonly ClauseExplanation[];
}

export interface FilterExplanation {
  /** All three sets hold. */
  readonly result: boolean;
  readonly sets: Readonly<Record<FilterGroupSet, { readonly result: boolean; readonly groups: readonly GroupExplanation[] }>>;
}

export interface CompiledFilter {
  /** `groups`: the object is in scope for provisioning. */
  readonly inScope: (source: ScopeSource) => boolean;
  /** `inputFilterGroups`: the object passes the early input filter. */
  readonly passesInputFilter: (source: ScopeSource) => boolean;
  /** `categoryFilterGroups`: the object belongs to this mapping. */
  readonly inCategory: (source: ScopeSource) => boolean;
  /** All three sets hold. */
  readonly matches: (source: ScopeSource) => boolean;
  /** Every group and clause result, for provisioning logs ("Scoping filter evaluation passed"). */
  readonly explain: (source: ScopeSource) => FilterExplanation;
}

type Test = (s: string, raw: Scalar) => boolean;

interface CompiledClause {
  readonly operand: string;
  readonly lower: string;
  readonly spec: FilterOperatorSpec;
  readonly values: readonly string[];
  readonly test: (v: Value) => boolean;
}

function where(set: FilterGroupSet, gi: number, group: FilterGroup | null | undefined, ci?: number, clause?: FilterClause | null): string {
  const gname = group?.name ? `'${group.name}' ` : '';
  let s = `Scoping filter ${gname}(${set}[${gi}])`;
  if (ci !== undefined) {
    const desc = clause ? `${clause.sourceOperandName ?? '?'} ${clause.operatorName ?? '?'}` : '';
    s += `, clause ${ci + 1}${desc ? ` (${desc})` : ''}`;
  }
  return s;
}

function isTrueValue(raw: Scalar): boolean | null {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const t = raw.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return null;
}

function regexes(values: readonly string[], fail: (m: string) => never): TranslatedRegex[] {
  return values.map((v) => {
    try {
      return translateRegex(v);
    } catch (e) {
      if (e instanceof RegexTranslationError) fail(`regular expression ${JSON.stringify(v)}: ${e.message}`);
      throw e;
    }
  });
}

function integers(values: readonly string[], fail: (m: string) => never): bigint[] {
  return values.map((v) => {
    const n = asInteger(v);
    if (n === null) fail(`value ${JSON.stringify(v)} is not an integer`);
    return n;
  });
}

/** The per-value test of a binary/unary operator (null/empty are handled by the caller). */
function testFor(spec: FilterOperatorSpec, values: readonly string[], fail: (m: string) => never): Test {
  switch (spec.name) {
    case 'EQUALS':
    case 'NOT EQUALS': {
      const set = new Set(values);
      const ints = values.map((v) => asInteger(v));
      const eq = (s: string, raw: Scalar): boolean => {
        if (set.has(s)) return true;
        // An Integer attribute compares as a number ("1000" matches 1000 and "01000").
        if (typeof raw === 'number' || typeof raw === 'bigint') {
          const n = asInteger(raw);
          return n !== null && ints.some((x) => x === n);
        }
        return false;
      };
      return spec.name === 'EQUALS' ? eq : (s, raw) => !eq(s, raw);
    }
    case 'IS NULL':
    case 'IS NOT NULL':
      // Decided on the whole value by compileClause; never called per value.
      return () => spec.name === 'IS NOT NULL';
    case 'IS TRUE':
      return (_s, raw) => isTrueValue(raw) === true;
    case 'IS FALSE':
      return (_s, raw) => isTrueValue(raw) === false;
    case 'REGEX MATCH':
    case 'NOT REGEX MATCH': {
      const res = regexes(values, fail);
      return spec.name === 'REGEX MATCH' ? (s) => res.some((r) => isMatch(r, s)) : (s) => !res.some((r) => isMatch(r, s));
    }
    case 'Greater_Than':
    case 'Greater_Than_OR_EQUALS':
    case 'Less_Than':
    case 'Less_Than_OR_EQUALS': {
      const ints = integers(values, fail);
      const cmp =
        spec.name === 'Greater_Than'
          ? (a: bigint, b: bigint) => a > b
          : spec.name === 'Greater_Than_OR_EQUALS'
            ? (a: bigint, b: bigint) => a >= b
            : spec.name === 'Less_Than'
              ? (a: bigint, b: bigint) => a < b
              : (a: bigint, b: bigint) => a <= b;
      return (_s, raw) => {
        const n = asInteger(raw);
        return n !== null && ints.some((x) => cmp(n, x));
      };
    }
    case 'Includes':
      return (s) => values.some((x) => s.includes(x));
    case 'ENDS_WITH':
      return (s) => values.some((x) => s.endsWith(x));
    case '&':
      return (s) => values.some((x) => x.includes(s));
    case '!&':
      return (s) => !values.some((x) => x.includes(s));
    default:
      return fail(`operator '${spec.name}' has no implementation`);
  }
}

function compileClause(clause: FilterClause | null | undefined, fail: (m: string) => never): CompiledClause {
  if (!clause || typeof clause !== 'object') fail('must be a filterClause object');
  const opName = clause.operatorName;
  const operand = clause.sourceOperandName;
  if (typeof opName !== 'string' || opName === '') fail('operatorName is missing');
  if (typeof operand !== 'string' || operand === '') fail('sourceOperandName is missing');
  const { spec, suggestion } = lookupOperator(opName);
  const resolved = spec ?? (suggestion ? lookupOperator(suggestion).spec : undefined);
  if (!resolved) fail(`unknown operator '${opName}'`);
  const rawValues = clause.targetOperand?.values ?? [];
  if (!Array.isArray(rawValues) || rawValues.some((v) => typeof v !== 'string')) fail('targetOperand.values must be an array of strings');
  const values = rawValues as readonly string[];
  if (resolved.arity === 'Binary' && values.length === 0) fail(`operator ${resolved.name} needs a value in targetOperand.values`);
  const test = testFor(resolved, values, fail);
  let full: (v: Value) => boolean;
  if (resolved.name === 'IS NULL') full = (v) => isNullOrEmpty(v);
  else if (resolved.name === 'IS NOT NULL') full = (v) => !isNullOrEmpty(v);
  else {
    // Null/empty → false. Multi-valued: every value must satisfy (multivaluedComparisonType All).
    full = (v) => {
      if (v === null || v === '') return false;
      if (typeof v === 'string') return test(v, v);
      const list = toList(v);
      if (list.length === 0) return false;
      for (const x of list) {
        const s = scalarToString(x);
        if (s === '' || !test(s, x)) return false;
      }
      return true;
    };
  }
  return { operand, lower: operand.toLowerCase(), spec: resolved, values, test: full };
}

type GroupPredicate = (ctx: { source: ScopeSource }) => boolean;

function compileSet(set: FilterGroupSet, groups: readonly FilterGroup[] | null | undefined): { predicate: GroupPredicate; clauses: CompiledClause[][]; groups: readonly FilterGroup[] } {
  const list = groups ?? [];
  if (!Array.isArray(list)) {
    throw new ExpressionError('InvalidFilter', `Scoping filter: ${set} must be an array of filterGroup`, null, set);
  }
  const compiled = list.map((g: FilterGroup | null | undefined, gi) => {
    if (!g || typeof g !== 'object') throw new ExpressionError('InvalidFilter', `${where(set, gi, null)}: must be a filterGroup object`, null, `${set}[${gi}]`);
    const clauses = g.clauses ?? [];
    if (!Array.isArray(clauses)) throw new ExpressionError('InvalidFilter', `${where(set, gi, g)}: clauses must be an array`, null, `${set}[${gi}].clauses`);
    return clauses.map((c: FilterClause, ci) =>
      compileClause(c, (m) => {
        throw new ExpressionError('InvalidFilter', `${where(set, gi, g, ci, c)}: ${m}`, null, `${set}[${gi}].clauses[${ci}]`);
      }),
    );
  });
  const predicate: GroupPredicate =
    compiled.length === 0
      ? () => true
      : (ctx) => compiled.some((clauses) => clauses.every((c) => c.test(readAttribute(ctx, c.operand, c.lower))));
  return { predicate, clauses: compiled, groups: list };
}

/**
 * Compiles a Graph scoping filter (`objectMapping.scope`); null means no filter.
 * @throws {ExpressionError} `InvalidFilter` naming the group and clause (unknown operator, missing value, bad regex, …).
 */
export function compileFilter(filter: ScopingFilter | null | undefined): CompiledFilter {
  if (filter !== null && filter !== undefined && typeof filter !== 'object') {
    throw new ExpressionError('InvalidFilter', 'Scoping filter must be an object', null, 'scope');
  }
  const sets = {
    groups: compileSet('groups', filter?.groups),
    inputFilterGroups: compileSet('inputFilterGroups', filter?.inputFilterGroups),
    categoryFilterGroups: compileSet('categoryFilterGroups', filter?.categoryFilterGroups),
  };
  const run = (set: FilterGroupSet) => (source: ScopeSource) => sets[set].predicate({ source });
  const inScope = run('groups');
  const passesInputFilter = run('inputFilterGroups');
  const inCategory = run('categoryFilterGroups');
  const explain = (source: ScopeSource): FilterExplanation => {
    const ctx = { source };
    const out = {} as Record<FilterGroupSet, { result: boolean; groups: GroupExplanation[] }>;
    for (const set of FILTER_GROUP_SETS) {
      const s = sets[set];
      const groups = s.clauses.map((clauses, gi) => {
        const explained = clauses.map((c) => ({
          sourceOperandName: c.operand,
          operatorName: c.spec.name,
          values: c.values,
          result: c.test(readAttribute(ctx, c.operand, c.lower)),
        }));
        return { name: s.groups[gi]?.name ?? null, result: explained.every((c) => c.result), clauses: explained };
      });
      out[set] = { result: groups.length === 0 || groups.some((g) => g.result), groups };
    }
    return { result: FILTER_GROUP_SETS.every((s) => out[s].result), sets: out };
  };
  return Object.freeze({
    inScope,
    passesInputFilter,
    inCategory,
    matches: (source: ScopeSource) => inScope(source) && passesInputFilter(source) && inCategory(source),
    explain,
  });
}

// ---------------------------------------------------------------- validation

export type FilterDiagnosticCode =
  | 'InvalidFilter'
  | 'UnknownOperator'
  | 'OperatorNameCase'
  | 'NonStandardOperator'
  | 'UndocumentedOperator'
  | 'MissingValue'
  | 'UnexpectedValue'
  | 'MultipleValues'
  | 'InvalidInteger'
  | 'InvalidRegex'
  | 'UnknownAttribute'
  | 'AttributeNameCase'
  | 'UnsupportedAttributeType'
  | 'MultiValuedAttribute';

export interface FilterDiagnostic {
  readonly code: FilterDiagnosticCode;
  readonly severity: 'error' | 'warning';
  /** Names the filter (group) and clause, then what is wrong. */
  readonly message: string;
  /** JSON path, e.g. `groups[0].clauses[1]`. */
  readonly target: string;
  readonly groupName: string | null;
}

/** A source attribute for validation: a name, or a Graph attributeDefinition-like object. */
export type FilterAttribute = string | { readonly name: string; readonly type?: AttributeType | string | null; readonly multivalued?: boolean | null };

export interface ValidateFilterOptions {
  /** The source object's attributes; without them attribute names are not checked. */
  readonly attributes?: Iterable<FilterAttribute>;
}

/** Every problem of a scoping filter, each naming its group and clause. */
export function validateFilter(filter: ScopingFilter | null | undefined, options: ValidateFilterOptions = {}): FilterDiagnostic[] {
  const out: FilterDiagnostic[] = [];
  if (filter === null || filter === undefined) return out;
  if (typeof filter !== 'object') {
    return [{ code: 'InvalidFilter', severity: 'error', message: 'Scoping filter must be an object', target: 'scope', groupName: null }];
  }
  const defs = new Map<string, { name: string; type: string | null; multivalued: boolean }>();
  const byLower = new Map<string, string>();
  let haveAttributes = false;
  for (const a of options.attributes ?? []) {
    haveAttributes = true;
    const d = typeof a === 'string' ? { name: a, type: null, multivalued: false } : { name: a.name, type: a.type ?? null, multivalued: a.multivalued === true };
    defs.set(d.name, d);
    if (!byLower.has(d.name.toLowerCase())) byLower.set(d.name.toLowerCase(), d.name);
  }
  for (const set of FILTER_GROUP_SETS) {
    const groups = filter[set];
    if (groups === null || groups === undefined) continue;
    if (!Array.isArray(groups)) {
      out.push({ code: 'InvalidFilter', severity: 'error', message: `Scoping filter: ${set} must be an array`, target: set, groupName: null });
      continue;
    }
    groups.forEach((g: FilterGroup | null, gi) => {
      const groupName = g?.name ?? null;
      if (!g || typeof g !== 'object' || (g.clauses !== null && g.clauses !== undefined && !Array.isArray(g.clauses))) {
        out.push({ code: 'InvalidFilter', severity: 'error', message: `${where(set, gi, null)}: must be { name, clauses: [...] }`, target: `${set}[${gi}]`, groupName });
        return;
      }
      (g.clauses ?? []).forEach((c: FilterClause | null, ci) => {
        const target = `${set}[${gi}].clauses[${ci}]`;
        const add = (code: FilterDiagnosticCode, severity: 'error' | 'warning', m: string): void => {
          out.push({ code, severity, message: `${where(set, gi, g, ci, c)}: ${m}`, target, groupName });
        };
        if (!c || typeof c !== 'object') return add('InvalidFilter', 'error', 'must be a filterClause object');
        const opName = typeof c.operatorName === 'string' ? c.operatorName : '';
        const { spec, suggestion } = lookupOperator(opName);
        let op = spec;
        if (!spec) {
          if (suggestion) {
            add('OperatorNameCase', 'warning', `operator '${opName}' is read as '${suggestion}'; write it exactly`);
            op = lookupOperator(suggestion).spec;
          } else add('UnknownOperator', 'error', opName === '' ? 'operatorName is missing' : `unknown operator '${opName}'`);
        }
        if (op?.origin === 'extension') add('NonStandardOperator', 'warning', `${op.name} is a Provisio extension, not an Entra operator`);
        if (op && (op.name === '&' || op.name === '!&')) {
          add('UndocumentedOperator', 'warning', `the semantics of '${op.name}' are not documented by Microsoft; Provisio tests whether the attribute value occurs in the clause value`);
        }
        const values = c.targetOperand?.values ?? [];
        if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
          add('InvalidFilter', 'error', 'targetOperand.values must be an array of strings');
        } else if (op) {
          if (op.arity === 'Binary' && values.length === 0) add('MissingValue', 'error', `operator ${op.name} needs a value`);
          if (op.arity === 'Unary' && values.length > 0) add('UnexpectedValue', 'warning', `operator ${op.name} takes no value; the values are ignored`);
          if (op.arity === 'Binary' && values.length > 1) {
            add('MultipleValues', 'warning', `${values.length} values: the clause holds when any value matches (negated operators: when none does); Entra documents one value per clause`);
          }
          if (op.name.startsWith('Greater_Than') || op.name.startsWith('Less_Than')) {
            for (const v of values) if (asInteger(v) === null) add('InvalidInteger', 'error', `value ${JSON.stringify(v)} is not an integer`);
          }
          if (op.name.endsWith('REGEX MATCH')) {
            for (const v of values) {
              try {
                translateRegex(v);
              } catch (e) {
                if (!(e instanceof RegexTranslationError)) throw e;
                add('InvalidRegex', 'error', `regular expression ${JSON.stringify(v)}: ${e.message}`);
              }
            }
          }
        }
        const operand = typeof c.sourceOperandName === 'string' ? c.sourceOperandName : '';
        if (operand === '') return add('UnknownAttribute', 'error', 'sourceOperandName is missing');
        if (!haveAttributes) return;
        let def = defs.get(operand);
        if (!def) {
          const canonical = byLower.get(operand.toLowerCase());
          if (canonical) {
            add('AttributeNameCase', 'error', `attribute '${operand}' differs in case from the source attribute '${canonical}'; names are case-sensitive`);
            def = defs.get(canonical);
          } else add('UnknownAttribute', 'error', `unknown source attribute '${operand}'`);
        }
        if (def?.multivalued) add('MultiValuedAttribute', 'error', `'${def.name}' is multi-valued; scoping filters do not support multi-valued attributes`);
        if (def?.type && op && !op.supportedAttributeTypes.includes(def.type as AttributeType)) {
          add('UnsupportedAttributeType', 'error', `operator ${op.name} does not support ${def.type} attributes (supported: ${op.supportedAttributeTypes.join(', ')})`);
        }
      });
    });
  }
  return out;
}
