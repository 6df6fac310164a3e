/**
 * Expression trees ↔ Graph `attributeMappingSource`, the form in which a
 * synchronization schema stores mappings:
 *
 *   { expression, name, parameters: [{ key, value: attributeMappingSource }], type }
 *
 * - Attribute: `name` is the attribute, `expression` is `[name]`.
 * - Constant: `name` is the value, `expression` the quoted literal. Numbers,
 *   hex literals and bare identifiers are constants too (Graph stores
 *   `Mid([x], 1, 8)` with Constants "1" and "8").
 * - Function: `parameters` are keyed by the catalog's parameter names;
 *   empty slots are absent; a repeating parameter repeats its key.
 * - Comparison (IIF/CBool conditions; Graph documents no form): a Function
 *   named by the operator (`=`, `<>`, `>`, `>=`, `<`, `<=`) with keys `left`, `right`.
 */
import { ast, closingBracket, COMPARISON_OPERATORS, equalsIgnoringSpans } from './ast.ts';
import type { ComparisonOperator, Expr, Operand } from './ast.ts';
import { FUNCTIONS } from './catalog.ts';
import { ExpressionError } from './errors.ts';
import { parse } from './parser.ts';
import { print, quoteString } from './printer.ts';

export type AttributeMappingSourceType = 'Attribute' | 'Constant' | 'Function';

/** Graph `stringKeyAttributeMappingSourceValuePair`. */
export interface AttributeMappingParameter {
  readonly key: string;
  readonly value: AttributeMappingSource;
}

/** Graph `attributeMappingSource`. */
export interface AttributeMappingSource {
  readonly expression: string;
  readonly name: string;
  readonly parameters: readonly AttributeMappingParameter[];
  readonly type: AttributeMappingSourceType;
}

function literalName(e: Expr): string | undefined {
  switch (e.kind) {
    case 'String':
      return e.value;
    case 'Number':
      return e.text;
    case 'Hex':
      return BigInt('0x' + e.digits).toString();
    case 'Identifier':
      return e.name;
    default:
      return undefined;
  }
}

/**
 * The Graph form of an expression tree.
 * @throws {ExpressionError} `InvalidMappingSource` for a function the catalog does not know (its keys are unknown).
 */
export function toMappingSource(e: Expr): AttributeMappingSource {
  const constant = literalName(e);
  if (constant !== undefined) {
    return { expression: quoteString(constant), name: constant, parameters: [], type: 'Constant' };
  }
  switch (e.kind) {
    case 'Attribute':
      return { expression: `[${e.name}]`, name: e.name, parameters: [], type: 'Attribute' };
    case 'Comparison':
      return {
        expression: print(e),
        name: e.operator,
        parameters: [
          { key: 'left', value: toMappingSource(e.left) },
          { key: 'right', value: toMappingSource(e.right) },
        ],
        type: 'Function',
      };
    case 'FunctionCall': {
      const spec = FUNCTIONS.get(e.name);
      if (!spec) {
        throw new ExpressionError('InvalidMappingSource', `Unknown function '${e.name}': its parameter names are not known`, e.span?.start ?? null, e.name);
      }
      const params: AttributeMappingParameter[] = [];
      e.args.forEach((a, i) => {
        if (!a) return;
        const p = spec.parameters[Math.min(i, spec.parameters.length - 1)];
        const formal = p && (i < spec.parameters.length || p.repeating) ? p : undefined;
        if (!formal) {
          throw new ExpressionError('InvalidMappingSource', `${e.name} has no parameter ${i + 1}`, a.span?.start ?? null, e.name);
        }
        params.push({ key: formal.name, value: toMappingSource(a) });
      });
      return { expression: print(e), name: e.name, parameters: params, type: 'Function' };
    }
    default:
      throw new ExpressionError('InvalidMappingSource', 'Unexpected node');
  }
}

function bad(path: string, message: string): never {
  throw new ExpressionError('InvalidMappingSource', `${path}: ${message}`, null, path);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function build(src: unknown, path: string): Expr {
  if (!isRecord(src)) bad(path, 'must be an attributeMappingSource object');
  const type = src.type ?? 'Attribute'; // the CSDL default
  const name = src.name;
  if (type !== 'Attribute' && type !== 'Constant' && type !== 'Function') {
    bad(`${path}.type`, `must be Attribute, Constant or Function, got ${JSON.stringify(type)}`);
  }
  if (typeof name !== 'string') bad(`${path}.name`, 'must be a string');
  if (type === 'Attribute') {
    if (name === '' || closingBracket(`[${name}]`, 0) !== name.length + 1) bad(`${path}.name`, `${JSON.stringify(name)} is not an attribute name`);
    return ast.attribute(name);
  }
  if (type === 'Constant') return ast.string(name);
  const raw = src.parameters ?? [];
  if (!Array.isArray(raw)) bad(`${path}.parameters`, 'must be an array');
  const params = raw.map((p: unknown, i) => {
    const ppath = `${path}.parameters[${i}]`;
    if (!isRecord(p) || typeof p.key !== 'string') bad(ppath, 'must be { key, value }');
    return { key: p.key, value: build(p.value, `${ppath}.value`), path: ppath };
  });
  if ((COMPARISON_OPERATORS as readonly string[]).includes(name)) {
    const left = params.find((p) => p.key === 'left');
    const right = params.find((p) => p.key === 'right');
    if (!left || !right || params.length !== 2) bad(`${path}.parameters`, `comparison '${name}' needs exactly the keys left and right`);
    if (left.value.kind === 'Comparison' || right.value.kind === 'Comparison') bad(`${path}.parameters`, 'comparisons cannot be nested');
    return ast.comparison(name as ComparisonOperator, left.value as Operand, right.value as Operand);
  }
  const spec = FUNCTIONS.get(name);
  if (!spec) bad(`${path}.name`, `unknown function '${name}'`);
  const slots: (Expr | null)[] = [];
  const used = new Set<number>();
  spec.parameters.forEach((formal, pi) => {
    const matches = params.map((p, i) => ({ p, i })).filter(({ p }) => p.key.toLowerCase() === formal.name.toLowerCase());
    if (formal.repeating) {
      for (const { p, i } of matches) {
        slots.push(p.value);
        used.add(i);
      }
      return;
    }
    if (matches.length > 1) bad(`${path}.parameters`, `key '${formal.name}' appears ${matches.length} times`);
    const m = matches[0];
    while (slots.length < pi) slots.push(null);
    slots[pi] = m ? m.p.value : null;
    if (m) used.add(m.i);
  });
  params.forEach((p, i) => {
    if (!used.has(i)) bad(p.path, `${name} has no parameter '${p.key}' (parameters: ${spec.parameters.map((x) => x.name).join(', ')})`);
  });
  while (slots.length > 0 && slots[slots.length - 1] === null) slots.pop();
  return ast.call(name, slots);
}

/** The tree with literal kinds and trailing empty slots normalized, for comparing two forms. */
function normalize(e: Expr): Expr {
  const c = literalName(e);
  if (c !== undefined) return ast.string(c);
  if (e.kind === 'FunctionCall') {
    const args = e.args.map((a) => (a ? normalize(a) : null));
    while (args.length > 0 && args[args.length - 1] === null) args.pop();
    return ast.call(e.name, args);
  }
  if (e.kind === 'Comparison') return ast.comparison(e.operator, normalize(e.left) as Operand, normalize(e.right) as Operand);
  return e;
}

/**
 * The expression tree of a Graph attributeMappingSource. The structure
 * (`type`/`name`/`parameters`) is authoritative; when the `expression` text
 * parses to the same structure, its tree is returned instead, which keeps
 * number literals and empty trailing slots as the author wrote them.
 *
 * @throws {ExpressionError} `InvalidMappingSource` with `target` = the JSON path of the problem.
 */
export function fromMappingSource(src: unknown): Expr {
  const built = build(src, 'source');
  if (isRecord(src) && typeof src.expression === 'string') {
    try {
      const parsed = parse(src.expression);
      if (equalsIgnoringSpans(normalize(parsed), normalize(built))) return parsed;
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
    }
  }
  return built;
}
