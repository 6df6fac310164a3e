/**
 * The $filter parser (pure): precedence, literals, lambdas, and errors that
 * name the problem and its position.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter } from '../../src/graph/odata-filter.ts';
import { GraphError } from '../../src/errors/graph-error.ts';

function fails(text: string, message: RegExp): void {
  assert.throws(() => parseFilter(text), (e: unknown) => {
    assert.ok(e instanceof GraphError);
    assert.equal(e.status, 400);
    assert.equal(e.target, '$filter');
    assert.match(e.message, message);
    return true;
  });
}

describe('parseFilter', () => {
  test('binds and tighter than or, and not tighter than and', () => {
    const t = parseFilter("a eq 'x' or b eq 'y' and not c eq 'z'");
    assert.equal(t.type, 'or');
    assert.ok(t.type === 'or' && t.right.type === 'and' && t.right.right.type === 'not');
  });

  test('reads every literal kind, quotes escaped by doubling', () => {
    const lit = (s: string) => {
      const n = parseFilter(`p eq ${s}`);
      assert.equal(n.type, 'compare');
      return n.type === 'compare' ? n.value : undefined;
    };
    assert.deepEqual(lit("'O''Brien'"), { kind: 'string', value: "O'Brien" });
    assert.deepEqual(lit('TRUE'), { kind: 'boolean', value: true });
    assert.deepEqual(lit('null'), { kind: 'null' });
    assert.deepEqual(lit('42'), { kind: 'number', value: 42 });
    assert.deepEqual(lit('2024-02-29T12:00:00Z'), { kind: 'dateTime', value: '2024-02-29T12:00:00.000Z' });
  });

  test('parses in, functions (any case) and any() lambdas', () => {
    assert.deepEqual(parseFilter("id in ('a', 'b')"), { type: 'in', path: 'id', values: [{ kind: 'string', value: 'a' }, { kind: 'string', value: 'b' }], pos: 0 });
    const f = parseFilter("startsWith(displayName,'Jo')");
    assert.equal(f.type === 'func' && f.name, 'startswith');
    const any = parseFilter("otherMails/any(x: startswith(x, 'a') or x eq 'b')");
    assert.ok(any.type === 'any' && any.path === 'otherMails' && any.variable === 'x' && any.body.type === 'or');
    const nested = parseFilter("onPremisesExtensionAttributes/extensionAttribute1 eq 'v'");
    assert.equal(nested.type === 'compare' && nested.path, 'onPremisesExtensionAttributes/extensionAttribute1');
  });

  test('names what was expected and where', () => {
    fails('', /expression expected at position 0/);
    fails("displayName eq 'x' and", /expression expected but found end of input at position 22/);
    fails("displayName eq 'x", /unterminated string literal at position 15/);
    fails("(displayName eq 'x'", /'\)' expected but found end of input at position 19/);
    fails("displayName eq 'x' 'y'", /'and', 'or' or end of input expected but found a literal at position 19/);
    fails("displayName # 'x'", /unexpected character '#' at position 12/);
    fails("id in ('a' 'b')", /'\)' expected but found a literal at position 11/);
    fails('2024-13-45T00:00:00Z eq x', /not a valid date-time at position 0/);
    fails('x'.repeat(5000), /longer than 4096/);
  });
});
