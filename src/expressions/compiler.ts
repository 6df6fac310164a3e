/**
 * Compiles an expression tree once into a closure tree that is evaluated per
 * source object. Literal arguments are resolved at compile time; function
 * arguments are evaluated lazily (IIF, Switch and Coalesce only evaluate
 * what they return).
 */
import { walk } from './ast.ts';
import type { ComparisonNode, ComparisonOperator, Expr, FunctionCallNode } from './ast.ts';
import { check, hasErrors } from './checker.ts';
import type { CheckOptions, Diagnostic } from './checker.ts';
import { EvaluationError, ExpressionError } from './errors.ts';
import type { EvaluationErrorCode } from './errors.ts';
import { IMPLEMENTATIONS } from './functions/index.ts';
import { print } from './printer.ts';
import { IGNORE_FLOW_SIGNAL, readAttribute } from './runtime.ts';
import type { ArgSlot, CallSite, EvaluationContext, Evaluator } from './runtime.ts';
import { asInteger, DateTimeValue, IGNORE_FLOW, isNullOrEmpty, scalarToString, toScalar, toText } from './values.ts';
import type { EvaluationResult, Scalar, Value } from './values.ts';

/** A compiled expression: evaluate it against as many source objects as you like. */
export interface CompiledExpression {
  /** The tree it was compiled from. */
  readonly expression: Expr;
  /** Canonical text of the expression. */
  readonly text: string;
  /** Source attributes the expression reads (as written). */
  readonly attributes: readonly string[];
  /** The outermost function, if any (e.g. to tell AssertiveAppRoleAssignmentsComplex from the additive one). */
  readonly rootFunction: string | null;
  /** True when Redact is used: log the value as "[Redact]". */
  readonly redacts: boolean;
  /** True for a SelectUniqueValue mapping (needs `isUnique`; use `evaluateAsync` with an async probe). */
  readonly selectsUniqueValue: boolean;
  /** Warnings found while checking (errors make compile throw). */
  readonly warnings: readonly Diagnostic[];
  /**
   * Evaluates synchronously. Returns a value, or IGNORE_FLOW to drop the attribute.
   * @throws {EvaluationError} on bad data, an exhausted SelectUniqueValue (`NoUniqueValue`),
   *   or an asynchronous uniqueness probe (`AsyncProbe`: use evaluateAsync).
   */
  readonly evaluate: (ctx: EvaluationContext) => EvaluationResult;
  /** As `evaluate`, awaiting an asynchronous uniqueness probe. Rejects only with EvaluationError or ExpressionError. */
  readonly evaluateAsync: (ctx: EvaluationContext) => Promise<EvaluationResult>;
  /** SelectUniqueValue: every non-empty candidate in rule order, without probing. Otherwise the value, if a non-empty string. */
  readonly candidates: (ctx: EvaluationContext) => string[];
}

export interface CompileOptions extends CheckOptions {
  /** Skip the static check (the caller already ran it). */
  readonly skipCheck?: boolean;
}

function literalValue(node: Expr): Value | undefined {
  switch (node.kind) {
    case 'String':
      return node.value;
    case 'Number':
      // Numbers are string constants in Entra (Graph stores Mid(x, 1, 8) with Constants "1" and "8").
      return node.text;
    case 'Hex':
      return BigInt('0x' + node.digits).toString();
    case 'Identifier':
      return node.name;
    default:
      return undefined;
  }
}

function compareScalars(a: Value, b: Value, op: ComparisonOperator): boolean {
  const x = toScalar(a, 'comparison', 'left');
  const y = toScalar(b, 'comparison', 'right');
  let c: number;
  const xi = x === null ? null : asInteger(x);
  const yi = y === null ? null : asInteger(y);
  if (xi !== null && yi !== null) c = xi < yi ? -1 : xi > yi ? 1 : 0;
  else if (x instanceof DateTimeValue && y instanceof DateTimeValue) {
    c = Math.sign(x.epochMs - y.epochMs) || Math.sign(x.subMsTicks - y.subMsTicks);
  } else {
    // Ordinal, case-sensitive, like Switch and Replace. Null compares as "".
    const xs = x === null ? '' : scalarToString(x as Scalar);
    const ys = y === null ? '' : scalarToString(y as Scalar);
    c = xs < ys ? -1 : xs > ys ? 1 : 0;
  }
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
  }
}

function siteFor(node: FunctionCallNode, args: readonly ArgSlot[]): CallSite {
  const position = node.span?.start ?? null;
  return {
    node,
    name: node.name,
    args,
    error: (code: EvaluationErrorCode, message: string) => new EvaluationError(code, message, node.name, position),
  };
}

function compileNode(node: Expr): Evaluator {
  const lit = literalValue(node);
  if (lit !== undefined) return () => lit;
  switch (node.kind) {
    case 'Attribute': {
      const name = node.name;
      const lower = name.toLowerCase();
      return (ctx) => readAttribute(ctx, name, lower);
    }
    case 'Comparison':
      return compileComparison(node);
    case 'FunctionCall':
      return compileCall(node);
    default:
      throw new ExpressionError('ValidationError', `Unexpected node kind ${node.kind}`);
  }
}

function compileComparison(node: ComparisonNode): Evaluator {
  const l = compileNode(node.left);
  const r = compileNode(node.right);
  const op = node.operator;
  return (ctx) => compareScalars(l(ctx), r(ctx), op);
}

function slotsOf(node: FunctionCallNode): ArgSlot[] {
  return node.args.map((a) => ({ node: a, evaluate: a ? compileNode(a) : null, constant: a ? literalValue(a) : undefined }));
}

function compileCall(node: FunctionCallNode): Evaluator {
  const impl = IMPLEMENTATIONS.get(node.name);
  const position = node.span?.start ?? null;
  if (!impl) {
    throw new ExpressionError('ValidationError', `Function '${node.name}' cannot be used here`, position);
  }
  const site = siteFor(node, slotsOf(node));
  try {
    return impl(site);
  } catch (e) {
    // Problems an implementation finds in literal arguments while compiling are validation errors.
    if (e instanceof EvaluationError) throw new ExpressionError('ValidationError', e.message, e.position ?? position);
    throw e;
  }
}

function asDomainError(e: unknown): EvaluationError | ExpressionError {
  if (e instanceof EvaluationError || e instanceof ExpressionError) return e;
  // A bug must not surface as a raw TypeError from evaluation: wrap it, keep the cause.
  const err = new EvaluationError('InvalidArgument', `Internal evaluation failure: ${e instanceof Error ? e.message : String(e)}`);
  (err as { cause?: unknown }).cause = e;
  return err;
}

function isThenable(x: unknown): x is PromiseLike<boolean> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * Compiles an expression. Runs {@link check} first (unless `skipCheck`) and
 * throws on its first error.
 *
 * @throws {ExpressionError} `ValidationError` (unknown function, arity, …) or `InvalidRegex`.
 */
export function compile(expr: Expr, options: CompileOptions = {}): CompiledExpression {
  let warnings: Diagnostic[] = [];
  if (!options.skipCheck) {
    const diagnostics = check(expr, options);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    if (first && hasErrors(diagnostics)) {
      throw new ExpressionError(
        'ValidationError',
        errors.length > 1 ? `${first.message} (and ${errors.length - 1} more problem(s))` : first.message,
        first.position,
        null,
        errors.map((d) => ({ code: d.code, message: d.message, position: d.position })),
      );
    }
    warnings = diagnostics;
  }
  const attributes = new Set<string>();
  let redacts = false;
  walk(expr, (n) => {
    if (n.kind === 'Attribute') attributes.add(n.name);
    if (n.kind === 'FunctionCall' && n.name === 'Redact') redacts = true;
  });
  const rootFunction = expr.kind === 'FunctionCall' ? expr.name : null;

  let evaluate: (ctx: EvaluationContext) => EvaluationResult;
  let evaluateAsync: (ctx: EvaluationContext) => Promise<EvaluationResult>;
  let candidates: (ctx: EvaluationContext) => string[];

  if (expr.kind === 'FunctionCall' && expr.name === 'SelectUniqueValue') {
    const rules = slotsOf(expr)
      .map((s) => s.evaluate)
      .filter((e): e is Evaluator => e !== null);
    const site = siteFor(expr, []);
    const candidateValues = (ctx: EvaluationContext): string[] => {
      const out: string[] = [];
      for (const r of rules) {
        let v: Value;
        try {
          v = r(ctx);
        } catch (e) {
          if (e === IGNORE_FLOW_SIGNAL) continue;
          throw e;
        }
        const s = toText(v, 'SelectUniqueValue', 'uniqueValueRule');
        if (s !== null && s !== '') out.push(s);
      }
      return out;
    };
    const exhausted = (list: string[]): EvaluationError =>
      site.error(
        'NoUniqueValue',
        list.length === 0
          ? 'SelectUniqueValue: every rule produced an empty value'
          : `SelectUniqueValue: none of the generated values is unique in the target (${list.map((s) => JSON.stringify(s)).join(', ')})`,
      );
    candidates = (ctx) => {
      try {
        return candidateValues(ctx);
      } catch (e) {
        throw asDomainError(e);
      }
    };
    evaluate = (ctx) => {
      try {
        const list = candidateValues(ctx);
        const probe = ctx.isUnique;
        for (const v of list) {
          if (!probe) return v;
          const r = probe(v);
          if (isThenable(r)) throw site.error('AsyncProbe', 'SelectUniqueValue: the uniqueness probe is asynchronous; call evaluateAsync');
          if (r) return v;
        }
        throw exhausted(list);
      } catch (e) {
        throw asDomainError(e);
      }
    };
    evaluateAsync = async (ctx) => {
      let list: string[];
      try {
        list = candidateValues(ctx);
      } catch (e) {
        throw asDomainError(e);
      }
      const probe = ctx.isUnique;
      for (const v of list) {
        if (!probe) return v;
        let unique: boolean;
        try {
          unique = await probe(v);
        } catch (e) {
          throw site.error('MissingContext', `SelectUniqueValue: the uniqueness check failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (unique) return v;
      }
      throw exhausted(list);
    };
  } else {
    let inner: Evaluator;
    let top: (ctx: EvaluationContext) => EvaluationResult;
    if (expr.kind === 'FunctionCall' && expr.name === 'IgnoreFlowIfNullOrEmpty') {
      // At the top (where the docs put it) no signal is needed.
      const child = expr.args[0];
      inner = child ? compileNode(child) : () => null;
      top = (ctx) => {
        const v = inner(ctx);
        return isNullOrEmpty(v) ? IGNORE_FLOW : v;
      };
    } else {
      inner = compileNode(expr);
      top = inner;
    }
    evaluate = (ctx) => {
      try {
        return top(ctx);
      } catch (e) {
        if (e === IGNORE_FLOW_SIGNAL) return IGNORE_FLOW;
        throw asDomainError(e);
      }
    };
    evaluateAsync = (ctx) => {
      try {
        return Promise.resolve(evaluate(ctx));
      } catch (e) {
        return Promise.reject(asDomainError(e));
      }
    };
    candidates = (ctx) => {
      const v = evaluate(ctx);
      return typeof v === 'string' && v !== '' ? [v] : [];
    };
  }

  return Object.freeze({
    expression: expr,
    text: print(expr),
    attributes: Object.freeze([...attributes]),
    rootFunction,
    redacts,
    selectsUniqueValue: rootFunction === 'SelectUniqueValue',
    warnings: Object.freeze(warnings),
    evaluate,
    evaluateAsync,
    candidates,
  });
}
