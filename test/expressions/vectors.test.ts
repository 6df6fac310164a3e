/**
 * Every case of shared/vectors/expression-vectors.json, through the evaluator
 * (check + compile + evaluate) and through Graph's parseExpression adapter.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { check, compile, hasErrors, IGNORE_FLOW, parse, parseExpressionResponse, print, valueToStrings } from '../../src/expressions/index.ts';
import type { EvaluationResult } from '../../src/expressions/index.ts';
import { assertResult, contextFor, DOC_URL, isDomainError, loadVectors } from './helpers.ts';
import type { Vector } from './helpers.ts';

const vectors = loadVectors();

/** What the engine does with a mapping: check it against the source's attribute names, compile, evaluate. */
function run(v: Vector): EvaluationResult {
  const tree = parse(v.expression);
  const diagnostics = check(tree, { attributes: Object.keys(v.source), attributeCheck: 'case-only' });
  if (hasErrors(diagnostics)) {
    throw new Error(`unexpected check errors: ${diagnostics.map((d) => d.message).join('; ')}`);
  }
  return compile(tree).evaluate(contextFor(v.source, v.context));
}

/** As run(), but a failing check is the expected error, as it is for the engine. */
function runExpectingError(v: Vector): unknown {
  try {
    const tree = parse(v.expression);
    const diagnostics = check(tree, { attributes: Object.keys(v.source), attributeCheck: 'case-only' });
    if (hasErrors(diagnostics)) return diagnostics;
    compile(tree).evaluate(contextFor(v.source, v.context));
  } catch (e) {
    assert.ok(isDomainError(e), `${v.id}: expected a domain error, got ${String(e)}`);
    return e;
  }
  return assert.fail(`${v.id}: expected an error`);
}

void test('the vector file has the 159 cases the brief names', () => {
  assert.equal(vectors.length, 159);
  assert.equal(new Set(vectors.map((v) => v.id)).size, vectors.length);
});

void describe('vectors through the evaluator', () => {
  for (const v of vectors) {
    void test(`${v.id}${v.uncertain ? ' (uncertain)' : ''}: ${v.expression.replace(/\s+/g, ' ').slice(0, 80)}`, () => {
      if (v.expectedError) {
        const e = runExpectingError(v);
        assert.ok(e);
        return;
      }
      const result = run(v);
      if (v.expectedIgnoreFlow) assert.equal(result, IGNORE_FLOW, v.id);
      else if (v.expectedPattern) {
        const values = valueToStrings(result);
        assert.equal(values.length, 1, v.id);
        assert.match(values[0] as string, new RegExp(v.expectedPattern), v.id);
      } else assertResult(result, v.expected, v.id);
    });
  }
});

function requestFor(v: Vector): unknown {
  return {
    expression: v.expression,
    targetAttributeDefinition: null,
    testInputObject: { definition: null, properties: Object.entries(v.source).map(([key, value]) => ({ key, value })) },
  };
}

function expectedStrings(v: Vector): string[] {
  const e = v.expected;
  if (e === null || v.expectedIgnoreFlow) return [];
  if (Array.isArray(e)) return e.map(String);
  if (typeof e === 'boolean') return [e ? 'True' : 'False'];
  return [String(e)];
}

void describe('vectors through parseExpression', () => {
  for (const v of vectors) {
    void test(`${v.id}`, () => {
      const c = v.context;
      const existing = new Set(c?.existingTargetValues ?? []);
      const r = parseExpressionResponse(requestFor(v), {
        ...(c?.now ? { now: () => new Date(c.now as string) } : {}),
        ...(c?.defaultDomain ? { defaultDomain: c.defaultDomain } : {}),
        isUnique: (s) => !existing.has(s),
      });
      if (v.expectedError) {
        assert.ok(!r.parsingSucceeded || !r.evaluationSucceeded, `${v.id}: expected failure`);
        assert.ok(r.error, `${v.id}: expected an error object`);
        assert.equal(typeof r.error.message, 'string');
        assert.deepEqual(r.evaluationResult, []);
        return;
      }
      assert.equal(r.parsingSucceeded, true, `${v.id}: ${r.error?.message}`);
      assert.equal(r.evaluationSucceeded, true, `${v.id}: ${r.error?.message}`);
      assert.equal(r.error, null);
      assert.ok(r.parsedExpression);
      assert.equal(r.parsedExpression.expression, print(parse(v.expression)));
      const values = r.evaluationResult ?? [];
      if (v.expectedPattern) {
        assert.equal(values.length, 1);
        assert.match(values[0] as string, new RegExp(v.expectedPattern));
      } else if (typeof v.expected === 'object' && v.expected !== null && !Array.isArray(v.expected)) {
        assert.fail('no vector expects an object');
      } else assert.deepEqual(values, expectedStrings(v), v.id);
    });
  }
});

void test('every uncertain vector has a documented decision', () => {
  const doc = readFileSync(DOC_URL, 'utf8');
  const section = doc.slice(doc.indexOf('## 12. Decisions on uncertain cases'));
  const missing = vectors.filter((v) => v.uncertain && !section.includes(`| ${v.id} |`)).map((v) => v.id);
  assert.deepEqual(missing, []);
  assert.ok(vectors.filter((v) => v.uncertain).length >= 20);
});

void test('where the doc states another value, the decision follows the documented semantics', () => {
  const stated = vectors.filter((v) => v.docStated !== undefined);
  assert.deepEqual(
    stated.map((v) => v.id).sort(),
    ['append-04', 'join-05', 'replace-04'],
  );
  for (const v of stated) assert.notDeepEqual(valueToStrings(run(v)), [v.docStated], v.id);
});
