/**
 * Lexer and recursive-descent parser for attribute-mapping expressions
 * (grammar in docs/expression-language.md §2).
 *
 * Guarantees: any input either parses or throws an {@link ExpressionError}
 * with a position; work is linear in the input; recursion is bounded by
 * {@link MAX_NESTING_DEPTH}, so hostile input can neither hang nor overflow the stack.
 */
import { ast, closingBracket } from './ast.ts';
import type { ComparisonOperator, Expr, Operand } from './ast.ts';
import { ExpressionError, describePosition } from './errors.ts';
import type { SourcePosition, SourceSpan } from './errors.ts';

/** Entra's limit on the length of an attribute-mapping expression (known-issues.md). */
export const MAX_EXPRESSION_LENGTH = 10_000;
/** Deepest function nesting accepted; real mappings nest fewer than 20 levels. */
export const MAX_NESTING_DEPTH = 200;

/** A non-fatal finding of the lexer (e.g. an undocumented escape sequence). */
export interface ParseWarning {
  readonly code: 'UnknownEscape';
  readonly message: string;
  readonly span: SourceSpan;
}

export interface ParseOptions {
  /** Receives lexer warnings; the parse still succeeds. */
  readonly warnings?: ParseWarning[];
}

type TokenKind = 'identifier' | 'string' | 'number' | 'hex' | 'attribute' | '(' | ')' | ',' | 'compare' | 'eof';

interface Token {
  readonly kind: TokenKind;
  /** Identifier name, unescaped string, number text, hex digits, attribute name or operator. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

class SourceText {
  private readonly lineStarts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }
  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return Object.freeze({ offset, line: lo + 1, column: offset - (this.lineStarts[lo] ?? 0) + 1 });
  }
  span(start: number, end: number): SourceSpan {
    return Object.freeze({ start: this.position(start), end: this.position(end) });
  }
  fail(offset: number, message: string, code: 'SyntaxError' | 'NestingTooDeep' = 'SyntaxError'): never {
    const p = this.position(offset);
    throw new ExpressionError(code, `${message} at ${describePosition(p)}`, p);
  }
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 32 || cp === 127 ? hex : `'${ch}' (${hex})`;
}

class Lexer {
  private pos = 0;
  constructor(
    private readonly src: SourceText,
    private readonly warnings: ParseWarning[] | undefined,
  ) {}

  next(): Token {
    const text = this.src.text;
    while (this.pos < text.length && isWhitespace(text.charCodeAt(this.pos))) this.pos++;
    const start = this.pos;
    if (start >= text.length) return { kind: 'eof', value: '', start, end: start };
    const c = text.charCodeAt(start);
    const ch = text[start] ?? '';
    if (isLetter(c)) {
      let i = start + 1;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (isLetter(d) || isDigit(d) || d === 95) i++;
        else break;
      }
      this.pos = i;
      return { kind: 'identifier', value: text.slice(start, i), start, end: i };
    }
    if (isDigit(c) || (c === 45 /* - */ && isDigit(text.charCodeAt(start + 1)))) {
      let i = start + 1;
      while (i < text.length && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 /* . */ && isDigit(text.charCodeAt(i + 1))) {
        this.src.fail(start, 'Decimal numbers are not supported (only integers are)');
      }
      this.pos = i;
      return { kind: 'number', value: text.slice(start, i), start, end: i };
    }
    switch (ch) {
      case '"':
        return this.stringLiteral(start);
      case '[': {
        const close = closingBracket(text, start);
        if (close < 0) this.src.fail(start, "Attribute reference '[' is not closed by ']'");
        if (close === start + 1) this.src.fail(start, 'Empty attribute reference []');
        this.pos = close + 1;
        return { kind: 'attribute', value: text.slice(start + 1, close), start, end: close + 1 };
      }
      case '(':
      case ')':
      case ',':
        this.pos = start + 1;
        return { kind: ch, value: ch, start, end: start + 1 };
      case '=':
        if (text[start + 1] === '=') this.src.fail(start, "'==' is not an operator; use '='");
        this.pos = start + 1;
        return { kind: 'compare', value: '=', start, end: start + 1 };
      case '<': {
        const n = text[start + 1];
        const op = n === '>' ? '<>' : n === '=' ? '<=' : '<';
        this.pos = start + op.length;
        return { kind: 'compare', value: op, start, end: this.pos };
      }
      case '>': {
        const op = text[start + 1] === '=' ? '>=' : '>';
        this.pos = start + op.length;
        return { kind: 'compare', value: op, start, end: this.pos };
      }
      case '!':
        if (text[start + 1] === '=') this.src.fail(start, "'!=' is not an operator; use '<>'");
        break;
      case '&': {
        const h = text[start + 1];
        if (h === 'H' || h === 'h') {
          let i = start + 2;
          while (i < text.length && isHexDigit(text.charCodeAt(i))) i++;
          if (i === start + 2) this.src.fail(start, "Hexadecimal literal '&H' needs at least one digit");
          this.pos = i;
          return { kind: 'hex', value: text.slice(start + 2, i), start, end: i };
        }
        this.src.fail(start, "Unexpected '&': there is no '&' operator (use Join or Append to concatenate)");
        break;
      }
      case '\u201C':
      case '\u201D':
      case '\u201E':
        this.src.fail(start, `Typographic quote ${describeChar(ch)} is not a string delimiter; use a straight double quote (")`);
        break;
      case "'":
        this.src.fail(start, 'Single quotes do not delimit strings; use double quotes (")');
        break;
      default:
        break;
    }
    const bad = String.fromCodePoint(text.codePointAt(start) ?? c);
    return this.src.fail(start, `Unexpected character ${describeChar(bad)}`);
  }

  private stringLiteral(start: number): Token {
    const text = this.src.text;
    let out = '';
    let i = start + 1;
    let chunk = i;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        out += text.slice(chunk, i);
        this.pos = i + 1;
        return { kind: 'string', value: out, start, end: i + 1 };
      }
      if (c === 92 /* \ */) {
        out += text.slice(chunk, i);
        const n = text[i + 1];
        if (n === undefined) break;
        if (n === '"' || n === '\\') {
          out += n;
        } else {
          // Undocumented: keep the backslash (so "\d" stays two characters) and warn.
          out += '\\' + n;
          this.warnings?.push({
            code: 'UnknownEscape',
            message: `Undocumented escape sequence '\\${n}' is kept as written; only \\" and \\\\ are escapes`,
            span: this.src.span(i, i + 2),
          });
        }
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    return this.src.fail(start, 'Unterminated string literal (missing closing ")');
  }
}

const OPERAND_EXPECTED = 'a function call, an [attribute], a "string" or a number';

class Parser {
  private tok: Token;
  private readonly lexer: Lexer;

  constructor(private readonly src: SourceText, warnings: ParseWarning[] | undefined) {
    this.lexer = new Lexer(src, warnings);
    this.tok = this.lexer.next();
  }

  parseTop(): Expr {
    if (this.tok.kind === 'eof') this.src.fail(this.tok.start, 'Empty expression');
    const e = this.argument(0);
    if (this.kind() !== 'eof') {
      this.src.fail(this.tok.start, `Unexpected ${this.describe(this.tok)} after the end of the expression`);
    }
    return e;
  }

  /** The current token's kind (a method, so TypeScript does not narrow across advance()). */
  private kind(): TokenKind {
    return this.tok.kind;
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'end of expression';
      case 'identifier':
        return `identifier '${t.value}'`;
      case 'string':
        return 'string literal';
      case 'number':
      case 'hex':
        return `number ${this.src.text.slice(t.start, t.end)}`;
      case 'attribute':
        return `attribute [${t.value}]`;
      case 'compare':
        return `operator '${t.value}'`;
      default:
        return `'${t.kind}'`;
    }
  }

  private argument(depth: number): Expr {
    const left = this.operand(depth);
    if (this.tok.kind !== 'compare') return left;
    const op = this.advance();
    const k = this.kind();
    if (k === 'eof' || k === ',' || k === ')') {
      this.src.fail(this.tok.start, `Operator '${op.value}' needs a right-hand operand`);
    }
    const right = this.operand(depth);
    if (this.kind() === 'compare') {
      this.src.fail(this.tok.start, 'Comparisons cannot be chained (there are no AND/OR operators; nest IIF instead)');
    }
    const start = left.span?.start.offset ?? op.start;
    const end = right.span?.end.offset ?? op.end;
    return ast.comparison(op.value as ComparisonOperator, left, right, this.src.span(start, end));
  }

  private operand(depth: number): Operand {
    const t = this.tok;
    switch (t.kind) {
      case 'identifier': {
        this.advance();
        if (this.tok.kind === '(') return this.call(t, depth);
        return ast.identifier(t.value, this.src.span(t.start, t.end));
      }
      case 'string':
        this.advance();
        return ast.string(t.value, this.src.span(t.start, t.end));
      case 'number':
        this.advance();
        return ast.number(t.value, this.src.span(t.start, t.end));
      case 'hex':
        this.advance();
        return ast.hex(t.value, this.src.span(t.start, t.end));
      case 'attribute':
        this.advance();
        return ast.attribute(t.value, this.src.span(t.start, t.end));
      case 'compare':
        return this.src.fail(t.start, `Operator '${t.value}' needs a left-hand operand`);
      default:
        return this.src.fail(t.start, `Expected ${OPERAND_EXPECTED}, found ${this.describe(t)}`);
    }
  }

  private call(name: Token, depth: number): Operand {
    if (depth + 1 > MAX_NESTING_DEPTH) {
      this.src.fail(name.start, `Functions are nested more than ${MAX_NESTING_DEPTH} levels deep`, 'NestingTooDeep');
    }
    const open = this.advance(); // '('
    const args: (Expr | null)[] = [];
    if (this.tok.kind === ')') {
      const close = this.advance();
      return ast.call(name.value, args, this.src.span(name.start, close.end));
    }
    for (;;) {
      const k = this.kind();
      if (k === ',' || k === ')') args.push(null);
      else if (k === 'eof') {
        this.src.fail(open.start, `'(' of ${name.value} is never closed`);
      } else args.push(this.argument(depth + 1));
      const sep = this.tok;
      if (sep.kind === ',') {
        this.advance();
        continue;
      }
      if (sep.kind === ')') {
        this.advance();
        return ast.call(name.value, args, this.src.span(name.start, sep.end));
      }
      if (sep.kind === 'eof') this.src.fail(open.start, `'(' of ${name.value} is never closed`);
      return this.src.fail(sep.start, `Expected ',' or ')' after argument ${args.length} of ${name.value}, found ${this.describe(sep)}`);
    }
  }
}

/**
 * Parses an expression into an immutable tree.
 *
 * @throws {ExpressionError} `SyntaxError` with the position of the problem,
 *   `ExpressionTooLong` above {@link MAX_EXPRESSION_LENGTH} characters,
 *   `NestingTooDeep` above {@link MAX_NESTING_DEPTH} nested calls.
 */
export function parse(text: string, options: ParseOptions = {}): Expr {
  if (typeof text !== 'string') throw new ExpressionError('SyntaxError', 'The expression must be a string');
  if (text.length > MAX_EXPRESSION_LENGTH) {
    const src = new SourceText(text.slice(0, MAX_EXPRESSION_LENGTH + 1));
    const p = src.position(MAX_EXPRESSION_LENGTH);
    throw new ExpressionError(
      'ExpressionTooLong',
      `The expression is ${text.length} characters long; the maximum is ${MAX_EXPRESSION_LENGTH} (first excess character at ${describePosition(p)})`,
      p,
    );
  }
  const src = new SourceText(text);
  return new Parser(src, options.warnings).parseTop();
}
