/** Lexer, parser and printer: constructs, positions, error messages, limits. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ast, equalsIgnoringSpans, ExpressionError, MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, parse, print, stripSpans } from '../../src/expressions/index.ts';
import type { Expr, FunctionCallNode, ParseWarning } from '../../src/expressions/index.ts';

function same(text: string, expected: Expr): void {
  assert.ok(equalsIgnoringSpans(parse(text), expected), `${text} parsed as ${JSON.stringify(stripSpans(parse(text)))}`);
}

function syntaxError(text: string, pattern: RegExp, at?: { line: number; column: number }): ExpressionError {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof ExpressionError, `not an ExpressionError: ${String(e)}`);
    assert.match(e.message, pattern);
    if (at) {
      assert.equal(e.position?.line, at.line, e.message);
      assert.equal(e.position?.column, at.column, e.message);
    }
    return e;
  }
  return assert.fail(`${JSON.stringify(text)} parsed`);
}

void describe('constructs', () => {
  void test('attribute, string, number, hex, identifier at the top level', () => {
    same('[mail]', ast.attribute('mail'));
    same('"x"', ast.string('x'));
    same('-10', ast.number('-10'));
    same('129699324000000000', ast.number('129699324000000000'));
    same('&HF7', ast.hex('F7'));
    same('&hf7', ast.hex('f7'));
    same('vbTextCompare', ast.identifier('vbTextCompare'));
  });

  void test('attribute names keep any character but ]', () => {
    same('[urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department]', ast.attribute('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'));
    same('[passwordProfile.password]', ast.attribute('passwordProfile.password'));
    same('[a b-c]', ast.attribute('a b-c'));
  });

  void test('string escapes: \\" and \\\\; other backslashes are kept and warned about', () => {
    same('"Company name: \\"Contoso\\""', ast.string('Company name: "Contoso"'));
    same('"C:\\\\Temp"', ast.string('C:\\Temp'));
    const warnings: ParseWarning[] = [];
    same('"\\d+"', ast.string('\\d+'));
    parse('Join("", "\\d", "\\n")', { warnings });
    assert.equal(warnings.length, 2);
    assert.equal(warnings[0]?.code, 'UnknownEscape');
    assert.equal(warnings[0]?.span.start.column, 11);
  });

  void test('calls: zero arguments, empty slots, trailing empty slot', () => {
    same('Guid()', ast.call('Guid', []));
    same('Guid( )', ast.call('Guid', []));
    same('Replace([x], "-", , , "_", , )', ast.call('Replace', [ast.attribute('x'), ast.string('-'), null, null, ast.string('_'), null, null]));
    same('RandomString(3, 3, 0, 0, 0, )', ast.call('RandomString', ['3', '3', '0', '0', '0'].map((n) => ast.number(n)).concat([null as never])));
    same('F(,)', ast.call('F', [null, null]));
  });

  void test('whitespace and newlines between every token, also before (', () => {
    same('Switch\n(\n  [Municipality],\r\n\t"a"  ,  "b" )', ast.call('Switch', [ast.attribute('Municipality'), ast.string('a'), ast.string('b')]));
  });

  void test('comparisons with and without spaces, every operator', () => {
    for (const op of ['=', '<>', '>', '>=', '<', '<='] as const) {
      same(`IIF([a]${op}"b", 1, 2)`, ast.call('IIF', [ast.comparison(op, ast.attribute('a'), ast.string('b')), ast.number('1'), ast.number('2')]));
      same(`IIF([a] ${op} "b", 1, 2)`, ast.call('IIF', [ast.comparison(op, ast.attribute('a'), ast.string('b')), ast.number('1'), ast.number('2')]));
    }
    same('DateDiff("d", Now(), [x]) > 5', ast.comparison('>', ast.call('DateDiff', [ast.string('d'), ast.call('Now', []), ast.attribute('x')]), ast.number('5')));
  });
});

void describe('positions', () => {
  void test('every node carries offset, line and column of its start and end', () => {
    const text = 'Join(" ",\n  [givenName], Mid([surname], 1, 3))';
    const e = parse(text) as FunctionCallNode;
    assert.deepEqual(e.span?.start, { offset: 0, line: 1, column: 1 });
    assert.deepEqual(e.span?.end, { offset: text.length, line: 2, column: 37 });
    const given = e.args[1];
    assert.deepEqual(given?.span?.start, { offset: 12, line: 2, column: 3 });
    const mid = e.args[2] as FunctionCallNode;
    assert.equal(text.slice(mid.span?.start.offset, mid.span?.end.offset), 'Mid([surname], 1, 3)');
    assert.equal(text.slice(mid.args[2]?.span?.start.offset, mid.args[2]?.span?.end.offset), '3');
  });

  void test('nodes are frozen', () => {
    const e = parse('Join(",", [a])') as FunctionCallNode;
    assert.ok(Object.isFrozen(e));
    assert.ok(Object.isFrozen(e.args));
    assert.ok(Object.isFrozen(e.span?.start));
  });
});

void describe('errors say what and where', () => {
  void test('empty input', () => {
    syntaxError('', /Empty expression/);
    syntaxError('  \n ', /Empty expression/);
  });
  void test('unterminated string, attribute, call', () => {
    syntaxError('Join(",", "abc)', /Unterminated string literal/, { line: 1, column: 11 });
    syntaxError('Join(",", [abc)', /not closed by '\]'/, { line: 1, column: 11 });
    syntaxError('Join(",", [a]', /'\(' of Join is never closed/, { line: 1, column: 5 });
    syntaxError('[]', /Empty attribute reference/);
  });
  void test('missing comma, stray tokens', () => {
    syntaxError('Join("," [a])', /Expected ',' or '\)' after argument 1 of Join, found attribute \[a\]/, { line: 1, column: 10 });
    syntaxError('[a] [b]', /Unexpected attribute \[b\] after the end/, { line: 1, column: 5 });
    syntaxError('Join(",", [a]))', /Unexpected '\)' after the end/, { line: 1, column: 15 });
    syntaxError(')', /Expected a function call, an \[attribute\], a "string" or a number, found '\)'/);
  });
  void test('operators that do not exist', () => {
    syntaxError('IIF([a]=="b", 1, 2)', /'==' is not an operator; use '='/);
    syntaxError('IIF([a]!="b", 1, 2)', /'!=' is not an operator; use '<>'/);
    syntaxError('IIF([a]="b"="c", 1, 2)', /cannot be chained/);
    syntaxError('IIF(="b", 1, 2)', /needs a left-hand operand/);
    syntaxError('IIF([a]=, 1, 2)', /needs a right-hand operand/);
    syntaxError('[a] & [b]', /no '&' operator/);
  });
  void test('quotes that are not delimiters', () => {
    syntaxError('Join(",", “London")', /Typographic quote/, { line: 1, column: 11 });
    syntaxError("Join(',', [a])", /Single quotes/);
  });
  void test('numbers', () => {
    syntaxError('Left("abc", 1.5)', /Decimal numbers are not supported/, { line: 1, column: 13 });
    syntaxError('&H', /needs at least one digit/);
    syntaxError('Left("abc", -)', /Unexpected character '-'/);
  });
  void test('unexpected characters are named with their code point', () => {
    syntaxError('Join(",", [a]) ;', /Unexpected character ';' \(U\+003B\)/);
    syntaxError('Join(",",\u00A0[a])', /U\+00A0/);
    syntaxError('\u0000', /U\+0000/);
    syntaxError('😀', /'😀' \(U\+1F600\)/);
  });
  void test('errors on later lines report that line', () => {
    syntaxError('Switch(\n  [a],\n  "x" "y")', /after argument 2 of Switch/, { line: 3, column: 7 });
  });
});

void describe('limits', () => {
  const pad = (n: number): string => {
    const head = 'Join("", "';
    const tail = '")';
    return head + 'x'.repeat(n - head.length - tail.length) + tail;
  };
  void test(`a ${MAX_EXPRESSION_LENGTH}-character expression parses`, () => {
    const text = pad(MAX_EXPRESSION_LENGTH);
    assert.equal(text.length, 10_000);
    const e = parse(text) as FunctionCallNode;
    assert.equal(e.name, 'Join');
  });
  void test('10,001 characters are rejected with a clear error', () => {
    const text = pad(MAX_EXPRESSION_LENGTH + 1);
    assert.equal(text.length, 10_001);
    assert.throws(
      () => parse(text),
      (e: unknown) =>
        e instanceof ExpressionError &&
        e.code === 'ExpressionTooLong' &&
        /10001 characters long; the maximum is 10000/.test(e.message) &&
        e.position?.offset === 10_000,
    );
  });
  void test('nesting deeper than the limit is an error, not a stack overflow', () => {
    const deep = (n: number): string => 'F('.repeat(n) + ')'.repeat(n);
    assert.ok(parse(deep(MAX_NESTING_DEPTH)));
    assert.throws(() => parse(deep(MAX_NESTING_DEPTH + 1)), (e: unknown) => e instanceof ExpressionError && e.code === 'NestingTooDeep');
    assert.throws(() => parse('F('.repeat(3333) + 'x'), (e: unknown) => e instanceof ExpressionError && e.code === 'NestingTooDeep');
  });
  void test('non-string input is an ExpressionError', () => {
    assert.throws(() => parse(42 as unknown as string), ExpressionError);
  });
});

void describe('printer', () => {
  void test('canonical layout is the one Graph echoes', () => {
    assert.equal(print(parse('Replace([preferredLanguage], "-", , , "_", ,  )')), 'Replace([preferredLanguage], "-", , , "_", , )');
    assert.equal(print(parse('IIF([a]="b",[c],  "d")')), 'IIF([a] = "b", [c], "d")');
    assert.equal(print(parse('Switch\n(\n[x]  ,,"a","b")')), 'Switch([x], , "a", "b")');
    assert.equal(print(parse('BitAnd(&hF, 1)')), 'BitAnd(&HF, 1)');
  });
  void test('strings are re-escaped', () => {
    assert.equal(print(ast.string('a"b\\c')), '"a\\"b\\\\c"');
    assert.equal(print(parse('"\\d"')), '"\\\\d"');
  });
  void test('builders reject what cannot be printed', () => {
    assert.throws(() => ast.attribute('a]b'), ExpressionError);
    assert.throws(() => ast.attribute(''), ExpressionError);
    assert.throws(() => ast.call('1x', []), ExpressionError);
    assert.throws(() => ast.number('1.5'), ExpressionError);
    assert.throws(() => ast.hex('G'), ExpressionError);
    assert.throws(() => ast.identifier('a-b'), ExpressionError);
  });
});
