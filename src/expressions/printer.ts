/**
 * Canonical printer: `parse(print(e))` is `e` again (ignoring spans).
 *
 * The layout is the one Graph's parseExpression echoes back in
 * `parsedExpression.expression`: arguments separated by ", ", empty slots
 * printed as nothing (`Replace([x], "-", , , "_", , )`), one space around
 * comparison operators.
 */
import type { Expr } from './ast.ts';

/** Quotes a string constant, escaping `"` and `\` with a backslash. */
export function quoteString(value: string): string {
  return '"' + value.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** Prints the canonical source text of an expression tree. */
export function print(node: Expr): string {
  switch (node.kind) {
    case 'FunctionCall':
      return `${node.name}(${node.args.map((a) => (a ? print(a) : '')).join(', ')})`;
    case 'Attribute':
      return `[${node.name}]`;
    case 'String':
      return quoteString(node.value);
    case 'Number':
      return node.text;
    case 'Hex':
      return `&H${node.digits}`;
    case 'Identifier':
      return node.name;
    case 'Comparison':
      return `${print(node.left)} ${node.operator} ${print(node.right)}`;
  }
}
