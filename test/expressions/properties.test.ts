/** Property tests (fast-check): printer/parser round trip, spans, robustness of parser and evaluator. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import '../helpers/fast-check.ts';
import {
  ast,
  compile,
  DateTimeValue,
  equalsIgnoringSpans,
  ExpressionError,
  fromMappingSource,
  FUNCTIONS,
  isIgnoreFlow,
  parse,
  print,
  toMappingSource,
  walk,
} from '../../src/expressions/index.ts';
import type { AttributeMappingSource, CompiledExpression, ComparisonOperator, EvaluationResult, Expr, Operand } from '../../src/expressions/index.ts';
import { isDomainError, loadVectors } from './helpers.ts';

const RUNS = 300;

// ---------------------------------------------------------------- generators

/** Any UTF-16 code unit, lone surrogates included. */
const anyChar = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.oneof(anyChar, fc.constantFrom('"', '\\', ']', ' ', '\n')), maxLength });
const identifier = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,7}$/);
const attributeName = fc.string({ unit: anyChar, minLength: 1, maxLength: 12 }).filter((s) => !s.includes(']'));
const operator = fc.constantFrom<ComparisonOperator>('=', '<>', '>', '>=', '<', '<=');

const leaf: fc.Arbitrary<Operand> = fc.oneof(
  attributeName.map((n) => ast.attribute(n)),
  anyString(12).map((s) => ast.string(s)),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((n) => ast.number(n)),
  fc.stringMatching(/^[0-9A-Fa-f]{1,8}$/).map((d) => ast.hex(d)),
  identifier.map((n) => ast.identifier(n)),
);

const { expr: anyExpr } = fc.letrec<{ operand: Operand; call: Operand; argument: Expr; expr: Expr }>((tie) => ({
  operand: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('call')),
  call: fc
    .tuple(identifier, fc.array(fc.option(tie('argument'), { nil: null, freq: 4 }), { maxLength: 5 }))
    .map(([name, args]) => ast.call(name, args)),
  argument: fc.oneof(
    { weight: 4, arbitrary: tie('operand') },
    { weight: 1, arbitrary: fc.tuple(operator, tie('operand'), tie('operand')).map(([op, l, r]) => ast.comparison(op, l, r)) },
  ),
  expr: tie('argument'),
}));

/** Calls shaped as the catalog allows (arity respected, no empty slot among repeating arguments). */
function shapedCalls(literal: fc.Arbitrary<Expr>, skipTopLevelOnly: boolean): fc.Arbitrary<Expr> {
  const specs = [...FUNCTIONS.values()].filter((s) => !(skipTopLevelOnly && s.topLevelOnly));
  const { call } = fc.letrec<{ call: Expr; arg: Expr }>((tie) => ({
    call: fc.constantFrom(...specs).chain((spec) => {
      const fixed = spec.parameters.filter((p) => !p.repeating);
      const rep = spec.parameters.find((p) => p.repeating);
      const min = rep?.required ? Math.max(1, spec.minArgs - fixed.length) : 0;
      return fc
        .tuple(
          fc.tuple(...fixed.map((p) => (p.required ? tie('arg') : fc.option(tie('arg'), { nil: null })))),
          rep ? fc.array(tie('arg'), { minLength: min, maxLength: Math.max(min, 4) }) : fc.constant([] as Expr[]),
        )
        .map(([f, r]) => ast.call(spec.name, [...(f as (Expr | null)[]), ...r]));
    }),
    arg: fc.oneof({ depthSize: 'small', maxDepth: 3 }, { weight: 3, arbitrary: literal }, { weight: 1, arbitrary: tie('call') }),
  }));
  return call;
}

// ---------------------------------------------------------------- parser

void describe('parser and printer', () => {
  void test('parse(print(ast)) equals ast, ignoring positions', () => {
    fc.assert(
      fc.property(anyExpr, (t) => {
        assert.ok(equalsIgnoringSpans(parse(print(t)), t), print(t));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  void test('every parsed node spans exactly its own text', () => {
    fc.assert(
      fc.property(anyExpr, (t) => {
        const text = print(t);
        walk(parse(text), (node) => {
          const span = node.span;
          assert.ok(span);
          const slice = text.slice(span.start.offset, span.end.offset);
          assert.ok(equalsIgnoringSpans(parse(slice), node), `${slice} vs ${print(node)}`);
          const before = text.slice(0, span.start.offset).split('\n');
          assert.equal(span.start.line, before.length);
          assert.equal(span.start.column, (before[before.length - 1] as string).length + 1);
        });
      }),
      { numRuns: RUNS },
    );
  });

  void test('random text never crashes the parser: it parses or throws ExpressionError', () => {
    const soup = fc
      .array(fc.constantFrom('Join', 'F', '(', ')', ',', ' ', '\n', '"', '\\', '[', ']', '=', '<', '>', '<>', '&H', '&', '-', '1', '.', 'x', '\u201C', '!', ';', '😀', '\uD800'), { maxLength: 80 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(anyString(200), soup), (text) => {
        try {
          const t = parse(text);
          assert.ok(equalsIgnoringSpans(parse(print(t)), t));
        } catch (e) {
          assert.ok(e instanceof ExpressionError, `${JSON.stringify(text)} threw ${String(e)}`);
          assert.ok(e.message.length > 0);
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });

  void test('long random inputs (up to 10,001 characters) finish quickly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 9_000, max: 10_001 }), fc.constantFrom('F(', '"', '[', '(', 'a,', ' ', '\\"'), (n, unit) => {
        const text = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
        const started = performance.now();
        try {
          parse(text);
        } catch (e) {
          assert.ok(e instanceof ExpressionError);
        }
        assert.ok(performance.now() - started < 1000, 'parsing took over a second');
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------- evaluator

const EXTRA = [
  'Join(" ", [givenName], [surname])',
  'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
  'AppRoleAssignmentsComplex([appRoleAssignments])',
  'AssertiveAppRoleAssignmentsComplex([appRoleAssignments])',
  'SingleAppRoleAssignment([appRoleAssignments])',
  'AppRoleAssignments([appRoleAssignments])',
  'Coalesce([mail], [userPrincipalName], "x")',
  'Count([proxyAddresses])',
  'Item([proxyAddresses], 2)',
  'RemoveDuplicates([proxyAddresses])',
  'Split([department], ",")',
  'Word([displayName], 2, " ")',
  'InStr([displayName], [surname], 2, vbTextCompare)',
  'Left([displayName], [employeeId])',
  'Mid([displayName], [employeeId], 3)',
  'DateAdd("d", [employeeId], CDate([hireDate]))',
  'DateDiff("m", CDate([hireDate]), Now())',
  'FormatDateTime([hireDate], , "yyyy-MM-dd", "dddd, dd MMMM yyyy K")',
  'FormatDateTime([hireDate], [styles], [inFormat], [outFormat])',
  'NumFromDate([hireDate])',
  'DateFromNum([employeeId])',
  'BitAnd([employeeId], [userAccountControl])',
  'CBool([accountEnabled])',
  'Not([accountEnabled])',
  'IIF([department] = "Sales", [mail], [userPrincipalName])',
  'IIF([employeeId] > 5, "big", "small")',
  'IsString([proxyAddresses])',
  'ConvertToBase64([displayName])',
  'ConvertToUTF8Hex([displayName])',
  'PCase([displayName])',
  'PCase([displayName], [separators])',
  'ToLower([displayName], [culture])',
  'ToUpper([displayName])',
  'NormalizeDiacritics([displayName])',
  'StripSpaces([displayName])',
  'CStr([manager])',
  'Append([givenName], [surname])',
  'Prepend([givenName], [surname])',
  'Replace([mail], , [pattern], , [replacement], , )',
  'Replace([mail], , [pattern], [group], "x", , )',
  'Replace([mail], , [pattern], [group], , [mobile], )',
  'Replace([mail], [find], , , , , [template])',
  'RandomString([employeeId], 1, 1, 1, 1, [avoid])',
  'IgnoreFlowIfNullOrEmpty(Join("", [givenName], IgnoreFlowIfNullOrEmpty([surname])))',
  'SelectUniqueValue([mail], [userPrincipalName], Join("", [givenName], "1"))',
  'Redact([password])',
  'Guid()',
  'DefaultDomain()',
  'IsNothing([x])',
];

const expressions = [...new Set([...loadVectors().map((v) => v.expression), ...EXTRA])].flatMap((text) => {
  try {
    return [{ text, compiled: compile(parse(text)) }];
  } catch {
    return []; // the vectors that must fail validation
  }
});

function attributesOf(compiled: CompiledExpression): string[] {
  return [...compiled.attributes];
}

const scalarValue: fc.Arbitrary<unknown> = fc.oneof(
  anyString(16),
  fc.constantFrom('', 'True', 'false', '0', '1', '-5', '2012-03-16-07:00', '20150123105347.1Z', 'a,b, c', 'EN-US', '12/31/2020 05:00:00 PM', '(?<a>x)', '$1', 'en-US', 'tr-TR', 'yyyy-MM-dd', 'AllowInnerWhite', 'x-y'),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(),
  fc.object({ maxDepth: 1 }),
);
const attributeValue: fc.Arbitrary<unknown> = fc.oneof(scalarValue, fc.array(scalarValue, { maxLength: 4 }), fc.array(fc.array(scalarValue, { maxLength: 2 }), { maxLength: 2 }));

function sourceFor(names: string[]): fc.Arbitrary<Record<string, unknown>> {
  const key = names.length > 0 ? fc.oneof(fc.constantFrom(...names), fc.constantFrom(...names).map((n) => n.toUpperCase()), identifier) : identifier;
  return fc.dictionary(key, attributeValue, { maxKeys: 8 });
}

function isValueResult(v: EvaluationResult): boolean {
  if (isIgnoreFlow(v) || v === null) return true;
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return true;
    case 'object':
      return Array.isArray(v) || v instanceof DateTimeValue || Object.getPrototypeOf(v) !== undefined;
    default:
      return false;
  }
}

void describe('evaluator robustness', () => {
  void test(`random source objects never make evaluation throw anything but a domain error (${expressions.length} expressions)`, () => {
    assert.ok(expressions.length > 150);
    const arb = fc.constantFrom(...expressions).chain((e) =>
      fc.record({
        e: fc.constant(e),
        source: sourceFor(attributesOf(e.compiled)),
        now: fc.oneof(fc.date(), fc.integer()),
        unique: fc.boolean(),
        domain: fc.option(anyString(8), { nil: undefined }),
        roles: fc.option(fc.array(fc.oneof(anyString(6), fc.record({ value: fc.option(anyString(6)), displayName: fc.option(anyString(6)) })), { maxLength: 3 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ e, source, now, unique, domain, roles }) => {
        try {
          const v = e.compiled.evaluate({
            source,
            now: () => now,
            isUnique: () => unique,
            ...(domain !== undefined ? { defaultDomain: domain } : {}),
            ...(roles !== undefined ? { appRoleAssignments: roles } : {}),
          });
          assert.ok(isValueResult(v), `${e.text} returned ${inspect(v)}`);
        } catch (err) {
          assert.ok(isDomainError(err), `${e.text} threw ${err instanceof Error ? err.stack : inspect(err)}`);
        }
      }),
      { numRuns: RUNS * 10 },
    );
  });

  void test('random calls of every catalog function with random arguments: compile and evaluate throw only domain errors', () => {
    const names = [...FUNCTIONS.keys()];
    const literal: fc.Arbitrary<Expr> = fc.oneof(
      anyString(10).map((s) => ast.string(s)),
      fc.constantFrom('d', 'yyyy', 'ww', 'm', 'x', '', 'vbTextCompare', 'yyyy-MM-dd', '[a-z]+', '(?<g>\\d+)', 'g', '$1', 'tr-TR').map((s) => ast.string(s)),
      fc.integer({ min: -300, max: 300 }).map((n) => ast.number(n)),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => ast.number(n)),
      fc.constantFrom('a', 'b', 'list').map((n) => ast.attribute(n)),
    );
    const { call: randomCall } = fc.letrec<{ call: Expr; arg: Expr }>((tie) => ({
      call: fc
        .tuple(fc.constantFrom(...names), fc.array(fc.option(tie('arg'), { nil: null, freq: 6 }), { maxLength: 8 }))
        .map(([n, args]) => ast.call(n, args)),
      arg: fc.oneof({ depthSize: 'small', maxDepth: 3 }, { weight: 3, arbitrary: literal }, { weight: 2, arbitrary: tie('call') }),
    }));
    const call = fc.oneof({ weight: 1, arbitrary: randomCall }, { weight: 4, arbitrary: shapedCalls(literal, false) });
    const source = fc.record({ a: attributeValue, b: attributeValue, list: fc.array(scalarValue, { maxLength: 3 }) });
    let compiledCount = 0;
    fc.assert(
      fc.property(call, source, (tree, src) => {
        let compiled: CompiledExpression;
        try {
          compiled = compile(tree);
        } catch (err) {
          assert.ok(err instanceof ExpressionError, `${print(tree)}: compile threw ${inspect(err)}`);
          return;
        }
        compiledCount++;
        try {
          assert.ok(isValueResult(compiled.evaluate({ source: src, now: () => 0, isUnique: () => true, defaultDomain: 'x.com' })));
        } catch (err) {
          assert.ok(isDomainError(err), `${print(tree)} threw ${err instanceof Error ? err.stack : inspect(err)}`);
        }
      }),
      { numRuns: RUNS * 10 },
    );
    assert.ok(compiledCount > 1000, `only ${compiledCount} generated calls compiled`);
  });
});

// ---------------------------------------------------------------- attributeMappingSource

void describe('attributeMappingSource round trip', () => {
  const literal: fc.Arbitrary<Expr> = fc.oneof(
    anyString(8).map((s) => ast.string(s)),
    fc.integer({ min: -50, max: 50 }).map((n) => ast.number(n)),
    attributeName.map((n) => ast.attribute(n)),
  );
  const call = shapedCalls(literal, true);

  const withoutExpressions = (m: AttributeMappingSource): unknown => ({
    name: m.name,
    type: m.type,
    parameters: m.parameters.map((p) => ({ key: p.key, value: withoutExpressions(p.value) })),
  });

  void test('fromMappingSource(toMappingSource(t)) is t', () => {
    fc.assert(
      fc.property(call, (t) => {
        assert.ok(equalsIgnoringSpans(fromMappingSource(toMappingSource(t)), t), print(t));
      }),
      { numRuns: RUNS },
    );
  });

  void test('the structure alone (no expression texts) round-trips', () => {
    fc.assert(
      fc.property(call, (t) => {
        const m = toMappingSource(t);
        const rebuilt = fromMappingSource(withoutExpressions(m));
        assert.deepEqual(withoutExpressions(toMappingSource(rebuilt)), withoutExpressions(m));
      }),
      { numRuns: RUNS },
    );
  });
});
