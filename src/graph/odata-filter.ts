/**
 * A parser for the part of OData's `$filter` grammar that Microsoft Graph
 * accepts on directory objects (pure: text in, syntax tree out).
 *
 * Supported: `eq ne gt ge lt le`, `in (…)`, `startswith(p,'x')`,
 * `endswith(p,'x')`, `and`, `or`, `not`, parentheses, and the lambda
 * `p/any(x: <predicate on x>)`. Literals: 'strings' ('' escapes a quote),
 * true, false, null, numbers, and unquoted date-times
 * (`2024-01-31T00:00:00Z`). Keywords and function names are
 * case-insensitive, as in Graph. A syntax error names what was expected and
 * the 0-based character position, as OData's own parser does.
 */
import { errors } from '../errors/graph-error.ts';

export type FilterLiteral =
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'number'; value: number }
  | { kind: 'dateTime'; value: string };

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode; pos: number }
  | { type: 'compare'; op: CompareOp; path: string; value: FilterLiteral; pos: number }
  | { type: 'in'; path: string; values: FilterLiteral[]; pos: number }
  | { type: 'func'; name: 'startswith' | 'endswith'; path: string; value: FilterLiteral; pos: number }
  /** `path/any(variable: body)`; inside `body`, the path `variable` names each element. */
  | { type: 'any'; path: string; variable: string; body: FilterNode; pos: number };

type Tok =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'lit'; v: FilterLiteral; pos: number }
  | { t: 'punct'; v: '(' | ')' | ',' | ':'; pos: number }
  | { t: 'end'; pos: number };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?/;
const NUMBER = /^-?\d+(\.\d+)?/;
const IDENT = /^[A-Za-z_$@][\w$@.]*(\/[A-Za-z_$@][\w$@.]*)*/;

/** Largest filter we parse: Graph caps URLs long before this. */
export const MAX_FILTER_LENGTH = 4096;

function fail(text: string, pos: number, what: string): never {
  throw errors.badRequest(`Invalid $filter: ${what} at position ${pos} in '${text}'.`, '$filter');
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '(' || c === ')' || c === ',' || c === ':') { out.push({ t: 'punct', v: c, pos: i }); i++; continue; }
    if (c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) fail(text, i, 'unterminated string literal');
        if (text[j] === "'") {
          if (text[j + 1] === "'") { value += "'"; j += 2; continue; }
          break;
        }
        value += text[j];
        j++;
      }
      out.push({ t: 'lit', v: { kind: 'string', value }, pos: i });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    const dt = DATETIME.exec(rest);
    if (dt && dt[0].includes('-') && (dt[0].length === 10 || dt[0].includes('T'))) {
      const d = new Date(dt[0]);
      if (Number.isNaN(d.getTime())) fail(text, i, `'${dt[0]}' is not a valid date-time`);
      out.push({ t: 'lit', v: { kind: 'dateTime', value: d.toISOString() }, pos: i });
      i += dt[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      out.push({ t: 'lit', v: { kind: 'number', value: Number(num[0]) }, pos: i });
      i += num[0].length;
      continue;
    }
    const id = IDENT.exec(rest);
    if (id) {
      const w = id[0];
      const lower = w.toLowerCase();
      if (lower === 'true' || lower === 'false') out.push({ t: 'lit', v: { kind: 'boolean', value: lower === 'true' }, pos: i });
      else if (lower === 'null') out.push({ t: 'lit', v: { kind: 'null' }, pos: i });
      else out.push({ t: 'ident', v: w, pos: i });
      i += w.length;
      continue;
    }
    fail(text, i, `unexpected character '${c}'`);
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

/** Parses a `$filter` value; throws a Graph 400 naming the problem and its position. */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw errors.badRequest(`Invalid $filter: longer than ${MAX_FILTER_LENGTH} characters.`, '$filter');
  if (text.trim() === '') fail(text, 0, 'expression expected');
  const toks = tokenize(text);
  let k = 0;
  const peek = () => toks[k]!;
  const next = () => toks[k++]!;
  const describe = (t: Tok) => (t.t === 'end' ? 'end of input' : t.t === 'lit' ? 'a literal' : `'${t.v}'`);
  const isWord = (t: Tok, w: string) => t.t === 'ident' && t.v.toLowerCase() === w;
  const expectPunct = (v: string) => {
    const t = next();
    if (t.t !== 'punct' || t.v !== v) fail(text, t.pos, `'${v}' expected but found ${describe(t)}`);
  };
  const literal = (): FilterLiteral => {
    const t = next();
    if (t.t !== 'lit') fail(text, t.pos, `literal expected but found ${describe(t)}`);
    return t.v;
  };
  const path = (): { path: string; pos: number } => {
    const t = next();
    if (t.t !== 'ident') fail(text, t.pos, `property name expected but found ${describe(t)}`);
    return { path: t.v, pos: t.pos };
  };

  function orExpr(): FilterNode {
    let left = andExpr();
    while (isWord(peek(), 'or')) { next(); left = { type: 'or', left, right: andExpr() }; }
    return left;
  }
  function andExpr(): FilterNode {
    let left = unary();
    while (isWord(peek(), 'and')) { next(); left = { type: 'and', left, right: unary() }; }
    return left;
  }
  function unary(): FilterNode {
    const t = peek();
    if (isWord(t, 'not')) { next(); return { type: 'not', operand: unary(), pos: t.pos }; }
    return primary();
  }
  function primary(): FilterNode {
    const t = peek();
    if (t.t === 'punct' && t.v === '(') {
      next();
      const e = orExpr();
      expectPunct(')');
      return e;
    }
    if (t.t !== 'ident') fail(text, t.pos, `expression expected but found ${describe(t)}`);
    const lower = t.v.toLowerCase();
    const after = toks[k + 1];
    if ((lower === 'startswith' || lower === 'endswith') && after?.t === 'punct' && after.v === '(') {
      next(); next();
      const p = path();
      expectPunct(',');
      const value = literal();
      expectPunct(')');
      return { type: 'func', name: lower, path: p.path, value, pos: t.pos };
    }
    const p = path();
    const lambda = /^(.*)\/any$/i.exec(p.path);
    if (lambda) {
      expectPunct('(');
      const v = next();
      if (v.t !== 'ident' || v.v.includes('/')) fail(text, v.pos, `lambda variable expected but found ${describe(v)}`);
      expectPunct(':');
      const body = orExpr();
      expectPunct(')');
      return { type: 'any', path: lambda[1]!, variable: v.v, body, pos: p.pos };
    }
    const op = next();
    if (op.t === 'ident' && op.v.toLowerCase() === 'in') {
      expectPunct('(');
      const values: FilterLiteral[] = [literal()];
      while (peek().t === 'punct' && (peek() as { v: string }).v === ',') { next(); values.push(literal()); }
      expectPunct(')');
      return { type: 'in', path: p.path, values, pos: p.pos };
    }
    if (op.t !== 'ident' || !COMPARE_OPS.has(op.v.toLowerCase())) {
      fail(text, op.pos, `operator (eq, ne, gt, ge, lt, le, in) expected but found ${describe(op)}`);
    }
    return { type: 'compare', op: op.v.toLowerCase() as CompareOp, path: p.path, value: literal(), pos: p.pos };
  }

  const tree = orExpr();
  const end = peek();
  if (end.t !== 'end') fail(text, end.pos, `'and', 'or' or end of input expected but found ${describe(end)}`);
  return tree;
}
