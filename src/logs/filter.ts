/**
 * `$filter` for `/auditLogs/provisioning`: a tokenizer and a
 * recursive-descent parser to a syntax tree, a checker that resolves it
 * against the filterable-attribute table into a typed predicate, and a
 * translator from that predicate to a kysely where-clause over the indexed
 * columns. Nothing is ever filtered in memory.
 *
 * Grammar (OData 4.01 subset; keywords and property names ignore case):
 *
 *   filter     = or EOF
 *   or         = and *( "or" and )
 *   and        = unary *( "and" unary )
 *   unary      = "not" unary / primary
 *   primary    = "(" or ")" / match / comparison
 *   match      = ("contains" / "startswith" / "endswith") "(" value "," value ")"
 *   comparison = value ("eq" / "ne" / "gt" / "ge" / "lt" / "le") value
 *   value      = ("tolower" / "toupper") "(" value ")" / path / literal
 *   path       = identifier *( "/" identifier )
 *   literal    = 'string' ('' escapes a quote) / number / date / dateTimeOffset / null / true / false
 *
 * Dates and instants are unquoted (`2023-07-30`, `2022-10-10T09:47:34Z`), as
 * OData writes them and as the Entra docs' sample queries do.
 */
import { sql } from 'kysely';
import type { Expression, RawBuilder, SqlBool } from 'kysely';
import type { DialectName } from '../store/store.ts';
import { parseDate, parseInstant } from './model.ts';
import { FILTER_ATTRIBUTES, columnText, findAttribute } from './attributes.ts';
import type { ComparisonOperator, FilterAttribute, MatchFunction } from './attributes.ts';

// ------------------------------------------------------------------ errors

/** A filter Provisio cannot run: `position` is the 0-based character offset in the filter text where the problem is. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly position: number,
    /** `syntax`: not a filter at all; `unsupported`: a filter, but not one this resource answers. */
    readonly kind: 'syntax' | 'unsupported',
  ) {
    super(message);
    this.name = 'FilterError';
  }
}

/** Filters longer than this are refused before parsing (URLs are far shorter in practice). */
export const MAX_FILTER_LENGTH = 4096;
/** Comparisons and function calls in one filter: bounds the SQL, and SQLite's expression depth (1000). */
export const MAX_PREDICATES = 100;
/** Nesting of parentheses, `not` and functions: bounds the parser's recursion. */
export const MAX_DEPTH = 32;

// ------------------------------------------------------------------ tokens

type TokenKind = 'ident' | 'string' | 'number' | 'dateTime' | 'date' | '(' | ')' | ',' | '/' | 'eof';

interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Decoded value: the string's content, the number. */
  value?: string | number;
  pos: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?:T[0-9:.]*(?:[Zz]|[+-]\d{2}:\d{2})?)?/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '/') {
      out.push({ kind: c, text: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= src.length) throw new FilterError(`unterminated string literal starting at position ${i}`, i, 'syntax');
        const ch = src[j]!;
        if (ch === "'") {
          if (src[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          j++;
          break;
        }
        value += ch;
        j++;
      }
      out.push({ kind: 'string', text: src.slice(i, j), value, pos: i });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const rest = src.slice(i);
      const dt = c === '-' ? null : DATE_LIKE.exec(rest);
      let token: Token;
      if (dt) {
        const text = dt[0];
        if (text.includes('T')) {
          if (!parseInstant(text)) throw new FilterError(`invalid DateTimeOffset literal '${text}' at position ${i}: expected e.g. 2022-10-10T09:47:34Z (a zone, Z or ±hh:mm, is required; in a URL send + as %2B)`, i, 'syntax');
          token = { kind: 'dateTime', text, value: text, pos: i };
        } else {
          if (!parseDate(text)) throw new FilterError(`invalid date literal '${text}' at position ${i}`, i, 'syntax');
          token = { kind: 'date', text, value: text, pos: i };
        }
      } else {
        const text = NUMBER.exec(rest)![0];
        token = { kind: 'number', text, value: Number(text), pos: i };
      }
      const after = i + token.text.length;
      if (after < src.length && /[A-Za-z0-9_.:'-]/.test(src[after]!)) {
        throw new FilterError(`unexpected '${src[after]!}' at position ${after} after '${token.text}' (string values are quoted: '…')`, after, 'syntax');
      }
      out.push(token);
      i = after;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < src.length && IDENT_PART.test(src[j]!)) j++;
      out.push({ kind: 'ident', text: src.slice(i, j), pos: i });
      i = j;
      continue;
    }
    throw new FilterError(`unexpected character '${c}' at position ${i}`, i, 'syntax');
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

// ------------------------------------------------------------- syntax tree

/** A value: a property path, a case function of a value, or a literal. */
export type ValueNode =
  | { kind: 'property'; path: string[]; pos: number }
  | { kind: 'tolower' | 'toupper'; arg: ValueNode; pos: number }
  | { kind: 'literal'; type: 'string' | 'number' | 'dateTime' | 'date' | 'null' | 'boolean'; value: string | number | boolean | null; pos: number };

/** A boolean expression: what `$filter` is. */
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode; pos: number }
  | { kind: 'not'; operand: FilterNode; pos: number }
  | { kind: 'compare'; op: ComparisonOperator; left: ValueNode; right: ValueNode; pos: number; opPos: number }
  | { kind: 'call'; name: MatchFunction; args: [ValueNode, ValueNode]; pos: number };

const COMPARISON_OPERATORS: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const MATCH_FUNCTIONS: readonly MatchFunction[] = ['contains', 'startswith', 'endswith'];

function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the filter' : `'${t.text}'`;
}

class Parser {
  private i = 0;
  private depth = 0;
  private predicates = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private fail(t: Token, expected: string): never {
    throw new FilterError(`syntax error at position ${t.pos}: expected ${expected}, found ${describe(t)}`, t.pos, 'syntax');
  }

  private expect(kind: TokenKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, what);
    return this.next();
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) throw new FilterError(`the filter nests deeper than ${MAX_DEPTH} levels at position ${t.pos}`, t.pos, 'unsupported');
  }

  parse(): FilterNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, "'and', 'or' or the end of the filter");
    return node;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.and(), pos: left.pos };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary(), pos: left.pos };
    }
    return left;
  }

  private unary(): FilterNode {
    const t = this.peek();
    if (this.isWord(t, 'not')) {
      this.next();
      this.enter(t);
      const operand = this.unary();
      this.depth--;
      return { kind: 'not', operand, pos: t.pos };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      this.enter(t);
      const inner = this.or();
      this.expect(')', "')' or 'and'/'or'");
      this.depth--;
      return inner;
    }
    this.countPredicate(t);
    const fn = t.kind === 'ident' ? (t.text.toLowerCase() as MatchFunction) : undefined;
    if (fn && MATCH_FUNCTIONS.includes(fn) && this.peek(1).kind === '(') {
      this.next();
      this.next();
      const a = this.value();
      this.expect(',', `',' between the arguments of ${fn}`);
      const b = this.value();
      this.expect(')', `')' closing ${fn}(`);
      return { kind: 'call', name: fn, args: [a, b], pos: t.pos };
    }
    if (t.kind === 'eof' || t.kind === ')') this.fail(t, 'a condition (e.g. jobId eq \'…\')');
    const left = this.value();
    const opToken = this.peek();
    const op = opToken.kind === 'ident' ? (opToken.text.toLowerCase() as ComparisonOperator) : undefined;
    if (!op || !COMPARISON_OPERATORS.includes(op)) this.fail(opToken, `a comparison operator (${COMPARISON_OPERATORS.join(', ')})`);
    this.next();
    const right = this.value();
    return { kind: 'compare', op, left, right, pos: left.pos, opPos: opToken.pos };
  }

  private countPredicate(t: Token): void {
    if (++this.predicates > MAX_PREDICATES) {
      throw new FilterError(`the filter has more than ${MAX_PREDICATES} conditions (position ${t.pos})`, t.pos, 'unsupported');
    }
  }

  private value(): ValueNode {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        return { kind: 'literal', type: 'string', value: t.value as string, pos: t.pos };
      case 'number':
        this.next();
        return { kind: 'literal', type: 'number', value: t.value as number, pos: t.pos };
      case 'dateTime':
      case 'date':
        this.next();
        return { kind: 'literal', type: t.kind, value: t.text, pos: t.pos };
      case 'ident': {
        const word = t.text.toLowerCase();
        if ((word === 'tolower' || word === 'toupper') && this.peek(1).kind === '(') {
          this.next();
          this.next();
          this.enter(t);
          const arg = this.value();
          this.expect(')', `')' closing ${word}(`);
          this.depth--;
          return { kind: word, arg, pos: t.pos };
        }
        if (word === 'null') {
          this.next();
          return { kind: 'literal', type: 'null', value: null, pos: t.pos };
        }
        if (word === 'true' || word === 'false') {
          this.next();
          return { kind: 'literal', type: 'boolean', value: word === 'true', pos: t.pos };
        }
        const path = [this.next().text];
        while (this.peek().kind === '/') {
          this.next();
          path.push(this.expect('ident', "a property name after '/'").text);
        }
        return { kind: 'property', path, pos: t.pos };
      }
      default:
        return this.fail(t, 'a property name or a literal');
    }
  }
}

/** Parses `$filter` text to its syntax tree; throws FilterError with the position of the first problem. */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw new FilterError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH, 'unsupported');
  if (text.trim() === '') throw new FilterError('the filter is empty', 0, 'syntax');
  return new Parser(tokenize(text)).parse();
}

// ----------------------------------------------------------------- printer

function printValue(v: ValueNode): string {
  switch (v.kind) {
    case 'property':
      return v.path.join('/');
    case 'tolower':
    case 'toupper':
      return `${v.kind}(${printValue(v.arg)})`;
    case 'literal':
      if (v.type === 'string') return `'${String(v.value).replace(/'/g, "''")}'`;
      return String(v.value);
  }
}

/** Prints a syntax tree as filter text that parses back to the same tree (binary operands parenthesised). */
export function printFilter(node: FilterNode): string {
  const group = (n: FilterNode) => (n.kind === 'and' || n.kind === 'or' || n.kind === 'not' ? `(${printFilter(n)})` : printFilter(n));
  switch (node.kind) {
    case 'and':
    case 'or':
      return `${group(node.left)} ${node.kind} ${group(node.right)}`;
    case 'not':
      return `not ${group(node.operand)}`;
    case 'compare':
      return `${printValue(node.left)} ${node.op} ${printValue(node.right)}`;
    case 'call':
      return `${node.name}(${printValue(node.args[0])}, ${printValue(node.args[1])})`;
  }
}

// ----------------------------------------------------------------- checker

/** How a property is read: as stored, or through tolower/toupper. */
export type CaseFold = 'none' | 'lower' | 'upper';

/** A checked filter: every property resolved to an indexed column, every literal to the column's type. */
export type Predicate =
  | { kind: 'and' | 'or'; items: Predicate[] }
  | { kind: 'not'; item: Predicate }
  | { kind: 'compare'; attr: FilterAttribute; fold: CaseFold; op: ComparisonOperator; value: string | number | null }
  | { kind: 'match'; fn: MatchFunction; attr: FilterAttribute; fold: CaseFold; value: string };

const unsupported = (message: string, pos: number) => new FilterError(message, pos, 'unsupported');

const FLIP: Record<ComparisonOperator, ComparisonOperator> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

const EDM: Record<FilterAttribute['type'], string> = { string: 'Edm.String', enum: 'enum', dateTime: 'Edm.DateTimeOffset', int32: 'Edm.Int32' };

function isPropertyLike(v: ValueNode): boolean {
  return v.kind === 'property' || ((v.kind === 'tolower' || v.kind === 'toupper') && isPropertyLike(v.arg));
}

function resolveProperty(v: ValueNode): { attr: FilterAttribute; fold: CaseFold; pos: number } {
  if (v.kind === 'property') {
    const path = v.path.join('/');
    const attr = findAttribute(path);
    if (!attr) {
      throw unsupported(`property '${path}' at position ${v.pos} cannot be filtered on; filterable: ${FILTER_ATTRIBUTES.map((a) => a.path).join(', ')}`, v.pos);
    }
    return { attr, fold: 'none', pos: v.pos };
  }
  if (v.kind === 'tolower' || v.kind === 'toupper') {
    const inner = resolveProperty(v.arg);
    if (inner.attr.type === 'dateTime' || inner.attr.type === 'int32') {
      throw unsupported(`${v.kind}() at position ${v.pos} applies to text; '${inner.attr.path}' is ${EDM[inner.attr.type]}`, v.pos);
    }
    // Nested folds collapse: the outermost wins (tolower(toupper(x)) is tolower(x)).
    return { attr: inner.attr, fold: v.kind === 'tolower' ? 'lower' : 'upper', pos: v.pos };
  }
  throw unsupported(`expected a property at position ${v.pos}`, v.pos);
}

function literalOf(v: ValueNode): { type: string; value: string | number | boolean | null; pos: number } {
  if (v.kind === 'literal') return { type: v.type, value: v.value, pos: v.pos };
  if (v.kind === 'tolower' || v.kind === 'toupper') {
    const inner = literalOf(v.arg);
    if (inner.type !== 'string') throw unsupported(`${v.kind}() at position ${v.pos} applies to text`, v.pos);
    const s = inner.value as string;
    return { type: 'string', value: v.kind === 'tolower' ? s.toLowerCase() : s.toUpperCase(), pos: v.pos };
  }
  throw unsupported(`expected a literal at position ${v.pos}; comparing two properties is not supported`, v.pos);
}

function checkOperator(attr: FilterAttribute, op: ComparisonOperator | MatchFunction, pos: number): void {
  if (!attr.operators.includes(op)) {
    throw unsupported(`operator '${op}' at position ${pos} is not supported on '${attr.path}'; supported: ${attr.operators.join(', ')}`, pos);
  }
}

function coerceLiteral(attr: FilterAttribute, fold: CaseFold, op: ComparisonOperator, lit: ReturnType<typeof literalOf>): string | number | null {
  if (lit.type === 'null') {
    if (op !== 'eq' && op !== 'ne') throw unsupported(`null at position ${lit.pos} can only be compared with eq or ne`, lit.pos);
    return null;
  }
  const mismatch = (hint: string) =>
    unsupported(`'${attr.path}' is ${attr.type === 'enum' ? 'an enumeration' : EDM[attr.type]} and cannot be compared with the ${lit.type} literal at position ${lit.pos}; ${hint}`, lit.pos);
  switch (attr.type) {
    case 'string':
    case 'enum': {
      if (lit.type !== 'string') throw mismatch("quote text values: '…'");
      const text = columnText(lit.value as string);
      if (attr.type === 'enum' && fold === 'none' && attr.members) {
        // Enum literals name a member; an unknown one is a mistake worth a 400, not an empty page.
        const member = attr.members.find((m) => m.toLowerCase() === text.toLowerCase());
        if (!member) throw unsupported(`'${text}' at position ${lit.pos} is not a value of '${attr.path}'; values: ${attr.members.join(', ')}`, lit.pos);
        return attr.caseInsensitive ? member.toLowerCase() : member;
      }
      return attr.caseInsensitive ? text.toLowerCase() : text;
    }
    case 'dateTime': {
      const instant = lit.type === 'dateTime' ? parseInstant(lit.value as string) : lit.type === 'date' ? parseDate(lit.value as string) : undefined;
      if (!instant) throw mismatch('write the instant unquoted, e.g. 2023-07-30 or 2022-10-10T09:47:34Z');
      return instant.key;
    }
    case 'int32': {
      const n = lit.value;
      if (lit.type !== 'number' || typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > 2 ** 31 - 1) {
        throw mismatch('write a whole number of milliseconds, e.g. 1000');
      }
      return n;
    }
  }
}

function checkNode(node: FilterNode): Predicate {
  switch (node.kind) {
    case 'and':
    case 'or': {
      // Flattened: a chain of n conditions becomes one n-ary node, not n nested ones.
      const items: Predicate[] = [];
      const collect = (n: FilterNode) => {
        if (n.kind === node.kind) {
          collect(n.left);
          collect(n.right);
        } else items.push(checkNode(n));
      };
      collect(node);
      return { kind: node.kind, items };
    }
    case 'not':
      return { kind: 'not', item: checkNode(node.operand) };
    case 'compare': {
      const leftIsProperty = isPropertyLike(node.left);
      if (leftIsProperty && isPropertyLike(node.right)) {
        throw unsupported(`comparing two properties (position ${node.pos}) is not supported; compare a property with a literal`, node.pos);
      }
      if (!leftIsProperty && !isPropertyLike(node.right)) {
        throw unsupported(`the comparison at position ${node.pos} has no property; compare a property with a literal`, node.pos);
      }
      const op = leftIsProperty ? node.op : FLIP[node.op];
      const { attr, fold } = resolveProperty(leftIsProperty ? node.left : node.right);
      checkOperator(attr, op, node.opPos);
      const value = coerceLiteral(attr, fold, op, literalOf(leftIsProperty ? node.right : node.left));
      return { kind: 'compare', attr, fold, op, value };
    }
    case 'call': {
      const [first, second] = node.args;
      const { attr, fold } = resolveProperty(first);
      checkOperator(attr, node.name, node.pos);
      const lit = literalOf(second);
      if (lit.type !== 'string') throw unsupported(`${node.name}() at position ${node.pos} needs a quoted text as its second argument`, lit.pos);
      const text = columnText(lit.value as string);
      return { kind: 'match', fn: node.name, attr, fold, value: attr.caseInsensitive ? text.toLowerCase() : text };
    }
  }
}

/** Resolves a syntax tree against the filterable attributes; throws FilterError (kind `unsupported`) naming the problem and its position. */
export function checkFilter(node: FilterNode): Predicate {
  return checkNode(node);
}

/** Parses and checks `$filter` text in one step. */
export function prepareFilter(text: string): Predicate {
  return checkFilter(parseFilter(text));
}

// -------------------------------------------------------------- translator

const SQL_OPERATORS: Record<ComparisonOperator, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

function columnSql(attr: FilterAttribute, fold: CaseFold): RawBuilder<unknown> {
  const ref = sql.ref(attr.column);
  return fold === 'lower' ? sql`lower(${ref})` : fold === 'upper' ? sql`upper(${ref})` : sql`${ref}`;
}

function translate(p: Predicate, dialect: DialectName): RawBuilder<SqlBool> {
  switch (p.kind) {
    case 'and':
    case 'or':
      return sql<SqlBool>`(${sql.join(p.items.map((i) => sql`(${translate(i, dialect)})`), p.kind === 'and' ? sql` and ` : sql` or `)})`;
    case 'not':
      // SQL's NULL (a comparison with a missing value) is OData's false; under
      // `not` it must stay false-turned-true, so the operand is made definite
      // first. `1=0` is false in both SQLite (0) and PostgreSQL (boolean).
      return sql<SqlBool>`not coalesce(${translate(p.item, dialect)}, 1=0)`;
    case 'compare': {
      const col = columnSql(p.attr, p.fold);
      if (p.value === null) return p.op === 'eq' ? sql<SqlBool>`${col} is null` : sql<SqlBool>`${col} is not null`;
      // OData: a missing value is "not equal" to any value.
      if (p.op === 'ne') return sql<SqlBool>`(${col} <> ${p.value} or ${col} is null)`;
      return sql<SqlBool>`${col} ${sql.raw(SQL_OPERATORS[p.op])} ${p.value}`;
    }
    case 'match': {
      const col = columnSql(p.attr, p.fold);
      // Case-sensitive in both databases (SQLite's LIKE is not), hence instr/strpos and substr/right rather than LIKE.
      const length = [...p.value].length;
      if (p.fn === 'contains') return dialect === 'postgres' ? sql<SqlBool>`strpos(${col}, ${p.value}) > 0` : sql<SqlBool>`instr(${col}, ${p.value}) > 0`;
      if (length === 0) return sql<SqlBool>`${col} is not null`;
      if (p.fn === 'startswith') return sql<SqlBool>`substr(${col}, 1, ${sql.lit(length)}) = ${p.value}`;
      return dialect === 'postgres' ? sql<SqlBool>`right(${col}, ${sql.lit(length)}) = ${p.value}` : sql<SqlBool>`substr(${col}, ${sql.lit(-length)}) = ${p.value}`;
    }
  }
}

/** Translates a checked filter into a where-clause over `provisioning_logs` for the given dialect. */
export function compileFilter(p: Predicate, dialect: DialectName): Expression<SqlBool> {
  return translate(p, dialect);
}
