/**
 * The immutable syntax tree of an attribute-mapping expression.
 *
 * Nodes are frozen plain objects discriminated by `kind`. Every node made by
 * the parser carries its `span` in the source text; nodes built in code (or
 * from a Graph attributeMappingSource) may have `span: null`. Two trees are
 * "the same expression" when {@link equalsIgnoringSpans} says so.
 */
import { ExpressionError } from './errors.ts';
import type { SourceSpan } from './errors.ts';

export type ComparisonOperator = '=' | '<>' | '>' | '>=' | '<' | '<=';
export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = Object.freeze(['=', '<>', '>', '>=', '<', '<=']);

interface NodeBase {
  readonly span: SourceSpan | null;
}

/** `Name(arg, , arg)`: `args[i] === null` is an empty slot (argument not supplied). */
export interface FunctionCallNode extends NodeBase {
  readonly kind: 'FunctionCall';
  readonly name: string;
  readonly args: readonly (Expr | null)[];
}

/** `[name]` */
export interface AttributeNode extends NodeBase {
  readonly kind: 'Attribute';
  readonly name: string;
}

/** `"text"` — `value` is the unescaped text. */
export interface StringNode extends NodeBase {
  readonly kind: 'String';
  readonly value: string;
}

/** An integer literal; `text` is kept verbatim (`-10`, `129699324000000000`) so no precision is lost. */
export interface NumberNode extends NodeBase {
  readonly kind: 'Number';
  readonly text: string;
}

/** `&HF7` — `digits` are the hexadecimal digits after `&H`. */
export interface HexNode extends NodeBase {
  readonly kind: 'Hex';
  readonly digits: string;
}

/** A bare identifier used as a constant, e.g. `vbTextCompare`. */
export interface IdentifierNode extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
}

/** `left op right`, allowed as an argument (IIF / CBool conditions). Operands are never comparisons. */
export interface ComparisonNode extends NodeBase {
  readonly kind: 'Comparison';
  readonly operator: ComparisonOperator;
  readonly left: Operand;
  readonly right: Operand;
}

export type Operand = FunctionCallNode | AttributeNode | StringNode | NumberNode | HexNode | IdentifierNode;
export type Expr = Operand | ComparisonNode;
export type ExprKind = Expr['kind'];

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const INTEGER = /^-?[0-9]+$/;
const HEX_DIGITS = /^[0-9A-Fa-f]+$/;

function invalid(message: string): never {
  throw new ExpressionError('SyntaxError', message);
}

/**
 * Builders that validate their input and return frozen nodes. Use them to
 * build trees in code; the parser uses them too.
 */
export const ast = {
  call(name: string, args: readonly (Expr | null)[], span: SourceSpan | null = null): FunctionCallNode {
    if (!IDENTIFIER.test(name)) invalid(`'${name}' is not a valid function name`);
    // `F()` and `F( )` are the same call: a lone empty slot means no arguments.
    const list = args.length === 1 && args[0] === null ? [] : [...args];
    return Object.freeze({ kind: 'FunctionCall', name, args: Object.freeze(list), span });
  },
  attribute(name: string, span: SourceSpan | null = null): AttributeNode {
    if (name.length === 0) invalid('an attribute name cannot be empty');
    if (closingBracket(`[${name}]`, 0) !== name.length + 1) invalid(`an attribute name cannot contain an unbalanced ']' (${JSON.stringify(name)})`);
    return Object.freeze({ kind: 'Attribute', name, span });
  },
  string(value: string, span: SourceSpan | null = null): StringNode {
    return Object.freeze({ kind: 'String', value, span });
  },
  number(text: string | number | bigint, span: SourceSpan | null = null): NumberNode {
    const t = String(text);
    if (!INTEGER.test(t)) invalid(`'${t}' is not an integer literal`);
    return Object.freeze({ kind: 'Number', text: t, span });
  },
  hex(digits: string, span: SourceSpan | null = null): HexNode {
    if (!HEX_DIGITS.test(digits)) invalid(`'${digits}' is not a hexadecimal literal`);
    return Object.freeze({ kind: 'Hex', digits, span });
  },
  identifier(name: string, span: SourceSpan | null = null): IdentifierNode {
    if (!IDENTIFIER.test(name)) invalid(`'${name}' is not a valid identifier`);
    return Object.freeze({ kind: 'Identifier', name, span });
  },
  comparison(operator: ComparisonOperator, left: Operand, right: Operand, span: SourceSpan | null = null): ComparisonNode {
    if (!COMPARISON_OPERATORS.includes(operator)) invalid(`'${String(operator)}' is not a comparison operator`);
    if ((left.kind as string) === 'Comparison' || (right.kind as string) === 'Comparison') {
      invalid('comparisons cannot be chained');
    }
    return Object.freeze({ kind: 'Comparison', operator, left, right, span });
  },
};

/** One handler per node kind; TypeScript reports a missing one. */
export type ExprVisitor<R> = {
  readonly [K in ExprKind]: (node: Extract<Expr, { kind: K }>) => R;
};

/** Dispatches `node` to the visitor's handler for its kind. */
export function visit<R>(node: Expr, visitor: ExprVisitor<R>): R {
  const handler = visitor[node.kind] as (n: Expr) => R;
  return handler(node);
}

/** Calls `fn` on every node, parents before children. */
export function walk(node: Expr, fn: (node: Expr, parent: Expr | null) => void, parent: Expr | null = null): void {
  fn(node, parent);
  if (node.kind === 'FunctionCall') {
    for (const a of node.args) if (a) walk(a, fn, node);
  } else if (node.kind === 'Comparison') {
    walk(node.left, fn, node);
    walk(node.right, fn, node);
  }
}

/** The same tree with every `span` set to null (for comparisons in tests and tools). */
export function stripSpans(node: Expr): Expr {
  switch (node.kind) {
    case 'FunctionCall':
      return ast.call(node.name, node.args.map((a) => (a ? stripSpans(a) : null)));
    case 'Comparison':
      return ast.comparison(node.operator, stripSpans(node.left) as Operand, stripSpans(node.right) as Operand);
    default:
      return Object.freeze({ ...node, span: null });
  }
}

/** True when both trees are the same expression, wherever they came from. */
export function equalsIgnoringSpans(a: Expr | null, b: Expr | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'FunctionCall': {
      const bb = b as FunctionCallNode;
      return a.name === bb.name && a.args.length === bb.args.length && a.args.every((x, i) => equalsIgnoringSpans(x, bb.args[i] ?? null));
    }
    case 'Comparison': {
      const bb = b as ComparisonNode;
      return a.operator === bb.operator && equalsIgnoringSpans(a.left, bb.left) && equalsIgnoringSpans(a.right, bb.right);
    }
    case 'Attribute':
      return a.name === (b as AttributeNode).name;
    case 'String':
      return a.value === (b as StringNode).value;
    case 'Number':
      return a.text === (b as NumberNode).text;
    case 'Hex':
      return a.digits === (b as HexNode).digits;
    case 'Identifier':
      return a.name === (b as IdentifierNode).name;
  }
}

/**
 * The `]` that closes the attribute reference opened at `open`. Attribute
 * names may hold bracketed filters with quoted values, as the API-driven
 * inbound source's do (`[emails[type eq "work"].value]`): nested brackets
 * and double-quoted text inside them are skipped. -1 when unclosed.
 */
export function closingBracket(text: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '"' && depth > 0) quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
