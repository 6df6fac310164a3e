/**
 * Every example of docs/expression-language.md is a test: ```example blocks
 * (expression → result / error / ignoreFlow / pattern), ```filter-example
 * blocks (scoping clause or filter → inScope) and ```mapping-example blocks
 * (expression ↔ Graph attributeMappingSource).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  compileExpression,
  compileFilter,
  equalsIgnoringSpans,
  fromMappingSource,
  IGNORE_FLOW,
  parse,
  toMappingSource,
  valueToStrings,
} from '../../src/expressions/index.ts';
import type { ScopingFilter } from '../../src/expressions/index.ts';
import { assertResult, contextFor, DOC_URL, errorCodes, isDomainError } from './helpers.ts';
import type { VectorContext } from './helpers.ts';

const doc = readFileSync(DOC_URL, 'utf8');

function blocks(lang: string): { body: string; line: number }[] {
  const out: { body: string; line: number }[] = [];
  const re = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm');
  for (let m = re.exec(doc); m; m = re.exec(doc)) {
    out.push({ body: m[1] as string, line: doc.slice(0, m.index).split('\n').length });
  }
  return out;
}

interface Example {
  expression: string;
  source: Record<string, unknown>;
  context?: VectorContext;
  result?: unknown;
  error?: string;
  ignoreFlow?: boolean;
  pattern?: string;
  hasResult: boolean;
}

const KEY = /^(source|context|result|error|ignoreFlow|pattern): ?(.*)$/;

function parseExample(body: string): Example {
  const lines = body.replace(/\n$/, '').split('\n');
  const first = lines.findIndex((l) => KEY.test(l));
  assert.ok(first > 0, 'an example needs an expression and an outcome');
  const ex: Example = { expression: lines.slice(0, first).join('\n'), source: {}, hasResult: false };
  for (const l of lines.slice(first)) {
    const m = KEY.exec(l);
    assert.ok(m, `unexpected line in example: ${l}`);
    const [, key, value = ''] = m;
    if (key === 'source') ex.source = JSON.parse(value) as Record<string, unknown>;
    else if (key === 'context') ex.context = JSON.parse(value) as VectorContext;
    else if (key === 'result') {
      ex.result = JSON.parse(value);
      ex.hasResult = true;
    } else if (key === 'error') ex.error = value.trim();
    else if (key === 'ignoreFlow') ex.ignoreFlow = value.trim() === 'true';
    else if (key === 'pattern') ex.pattern = value.trim();
  }
  const outcomes = [ex.hasResult, ex.error !== undefined, ex.ignoreFlow === true, ex.pattern !== undefined].filter(Boolean);
  assert.equal(outcomes.length, 1, 'an example states exactly one outcome');
  return ex;
}

const examples = blocks('example');
const filterExamples = blocks('filter-example');
const mappingExamples = blocks('mapping-example');

void test('the doc has examples for every documented function', () => {
  assert.ok(examples.length >= 90, `only ${examples.length} examples`);
  const text = examples.map((b) => b.body).join('\n');
  for (const name of ['Append', 'AppRoleAssignmentsComplex', 'BitAnd', 'CBool', 'CDate', 'Coalesce', 'ConvertToBase64', 'ConvertToUTF8Hex', 'Count', 'CStr', 'DateAdd', 'DateDiff', 'DateFromNum', 'FormatDateTime', 'Guid', 'IgnoreFlowIfNullOrEmpty', 'IIF', 'InStr', 'IsNull', 'IsNullOrEmpty', 'IsPresent', 'IsString', 'Item', 'Join', 'Left', 'Mid', 'NormalizeDiacritics', 'Not', 'Now', 'NumFromDate', 'PCase', 'RandomString', 'Redact', 'RemoveDuplicates', 'Replace', 'SelectUniqueValue', 'SingleAppRoleAssignment', 'Split', 'StripSpaces', 'Switch', 'ToLower', 'ToUpper', 'Word', 'AssertiveAppRoleAssignmentsComplex', 'AppRoleAssignments', 'DefaultDomain', 'IsNothing', 'Prepend']) {
    assert.ok(new RegExp(`\\b${name}\\(`).test(text), `no example uses ${name}`);
  }
});

void describe('doc examples', () => {
  for (const b of examples) {
    const ex = parseExample(b.body);
    void test(`line ${b.line}: ${ex.expression.replace(/\s+/g, ' ').slice(0, 90)}`, async () => {
      const ctx = contextFor(ex.source, ex.context);
      if (ex.error !== undefined) {
        await assert.rejects(
          async () => compileExpression(ex.expression).evaluateAsync(ctx),
          (e: unknown) => isDomainError(e) && errorCodes(e).includes(ex.error as string),
          `expected error ${ex.error}`,
        );
        return;
      }
      const result = await compileExpression(ex.expression).evaluateAsync(ctx);
      if (ex.ignoreFlow) assert.equal(result, IGNORE_FLOW);
      else if (ex.pattern !== undefined) assert.match(valueToStrings(result).join(''), new RegExp(ex.pattern));
      else assertResult(result, ex.result, ex.expression);
    });
  }
});

void describe('doc scoping examples', () => {
  for (const b of filterExamples) {
    const spec = JSON.parse(b.body) as { clause?: unknown; filter?: ScopingFilter; source: Record<string, unknown>; inScope: boolean };
    void test(`line ${b.line}`, () => {
      const filter = spec.filter ?? ({ groups: [{ name: 'example', clauses: [spec.clause] }] } as ScopingFilter);
      assert.equal(compileFilter(filter).inScope(spec.source), spec.inScope);
    });
  }
  void test('there are scoping examples', () => assert.ok(filterExamples.length >= 5));
});

void describe('doc attributeMappingSource examples', () => {
  for (const b of mappingExamples) {
    const nl = b.body.indexOf('\n');
    const expression = b.body.slice(0, nl);
    const json = JSON.parse(b.body.slice(nl + 1)) as unknown;
    void test(`line ${b.line}: ${expression}`, () => {
      assert.deepEqual(toMappingSource(parse(expression)), json);
      assert.ok(equalsIgnoringSpans(fromMappingSource(json), parse(expression)));
    });
  }
  void test('there are mapping examples', () => assert.ok(mappingExamples.length >= 3));
});
