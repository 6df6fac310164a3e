/** parseExpression: Graph's documented example, every outcome, error shapes. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError, parseExpressionResponse, parseExpressionResponseAsync, readParseExpressionRequest } from '../../src/expressions/index.ts';

const props = (o: Record<string, unknown>): Array<{ key: string; value: unknown }> => Object.entries(o).map(([key, value]) => ({ key, value }));

void describe('the documented example', () => {
  void test('Replace([preferredLanguage], "-", , , "_", ,  ) → ["EN_US"], response exactly as documented', () => {
    const body = {
      expression: 'Replace([preferredLanguage], "-", , , "_", ,  )',
      targetAttributeDefinition: null,
      testInputObject: {
        definition: null,
        properties: [
          { key: 'objectId', value: '66E4A8CC-1B7B-435E-95F8-F06CEA133828' },
          { key: 'IsSoftDeleted', value: 'false' },
          { key: 'accountEnabled', value: 'true' },
          { key: 'displayName', value: 'John Smith' },
          { key: 'preferredLanguage', value: 'EN-US' },
          { key: 'userPrincipalName', value: 'johns@contoso.com' },
          { key: 'appRoleAssignments', 'value@odata.type': '#Collection(String)', value: ['Default Assignment'] },
        ],
      },
    };
    assert.deepEqual(parseExpressionResponse(body), {
      error: null,
      evaluationSucceeded: true,
      evaluationResult: ['EN_US'],
      parsedExpression: {
        expression: 'Replace([preferredLanguage], "-", , , "_", , )',
        name: 'Replace',
        parameters: [
          { key: 'source', value: { expression: '[preferredLanguage]', name: 'preferredLanguage', parameters: [], type: 'Attribute' } },
          { key: 'Find', value: { expression: '"-"', name: '-', parameters: [], type: 'Constant' } },
          { key: 'Replacement', value: { expression: '"_"', name: '_', parameters: [], type: 'Constant' } },
        ],
        type: 'Function',
      },
      parsingSucceeded: true,
    });
  });
});

void describe('outcomes', () => {
  void test('without testInputObject: parsed, not evaluated, no error', () => {
    const r = parseExpressionResponse({ expression: 'ToLower([mail])' });
    assert.equal(r.parsingSucceeded, true);
    assert.equal(r.evaluationSucceeded, false);
    assert.deepEqual(r.evaluationResult, []);
    assert.equal(r.error, null);
    assert.equal(r.parsedExpression?.name, 'ToLower');
  });
  void test('a syntax error: not parsed, the error says what and where', () => {
    const r = parseExpressionResponse({ expression: 'Join(",", [a] [b])' });
    assert.equal(r.parsingSucceeded, false);
    assert.equal(r.parsedExpression, null);
    assert.equal(r.evaluationSucceeded, false);
    assert.deepEqual(r.error, {
      code: 'InvalidExpression',
      message: "Expected ',' or ')' after argument 2 of Join, found attribute [b] at line 1, column 15",
      target: 'line 1, column 15',
      details: [],
      innerError: null,
    });
  });
  void test('structural errors: not parsed, one detail per problem', () => {
    const r = parseExpressionResponse({ expression: 'Join(Foo(), Mid([a]))' });
    assert.equal(r.parsingSucceeded, false);
    assert.equal(r.error?.code, 'InvalidExpression');
    assert.match(r.error?.message ?? '', /Unknown function 'Foo' at line 1, column 6 \(and 1 more problem\(s\)\)/);
    assert.deepEqual(r.error?.details.map((d) => [d.code, d.target]), [
      ['UnknownFunction', 'line 1, column 6'],
      ['TooFewArguments', 'line 1, column 13'],
    ]);
  });
  void test('an untranslatable regex fails parsing', () => {
    const r = parseExpressionResponse({ expression: 'Replace([a], , "\\\\G", , "", , )' });
    assert.equal(r.parsingSucceeded, false);
    assert.equal(r.error?.details[0]?.code, 'UnsupportedRegex');
  });
  void test('attribute names checked against the definition: parsed, evaluation refused', () => {
    const r = parseExpressionResponse({
      expression: 'Join(" ", [GivenName], [nickname])',
      testInputObject: { definition: { name: 'User', attributes: [{ name: 'givenName', type: 'String' }] }, properties: props({ givenName: 'John' }) },
    });
    assert.equal(r.parsingSucceeded, true);
    assert.ok(r.parsedExpression);
    assert.equal(r.evaluationSucceeded, false);
    assert.equal(r.error?.code, 'ExpressionValidationFailed');
    assert.deepEqual(r.error?.details.map((d) => d.code), ['AttributeNameCase', 'UnknownAttribute']);
  });
  void test('without a definition only a wrong case fails; absent properties are null', () => {
    const ok = parseExpressionResponse({ expression: 'Coalesce([mail], [userPrincipalName])', testInputObject: { properties: props({ userPrincipalName: 'u@x' }) } });
    assert.deepEqual(ok.evaluationResult, ['u@x']);
    const bad = parseExpressionResponse({ expression: '[Mail]', testInputObject: { properties: props({ mail: 'm' }) } });
    assert.equal(bad.error?.details[0]?.code, 'AttributeNameCase');
  });
  void test('evaluation errors', () => {
    const r = parseExpressionResponse({ expression: 'Item([proxyAddresses], 3)', testInputObject: { properties: props({ proxyAddresses: ['a'] }) } });
    assert.equal(r.parsingSucceeded, true);
    assert.equal(r.evaluationSucceeded, false);
    assert.equal(r.error?.code, 'ExpressionEvaluationFailed');
    assert.match(r.error?.message ?? '', /index 3 is out of range/);
    assert.equal(r.error?.target, 'line 1, column 1');
  });
  void test('result rendering: null, IgnoreFlow, Booleans, numbers, dates, lists, complex values', () => {
    const run = (expression: string, source: Record<string, unknown> = {}): unknown =>
      parseExpressionResponse({ expression, testInputObject: { properties: props(source) } }, { now: () => new Date('2021-07-02T15:33:38Z') }).evaluationResult;
    assert.deepEqual(run('[nothing]'), []);
    assert.deepEqual(run('IgnoreFlowIfNullOrEmpty([x])', { x: '' }), []);
    assert.deepEqual(run('IsPresent([x])'), ['False']);
    assert.deepEqual(run('Count([x])', { x: ['a', 'b'] }), ['2']);
    assert.deepEqual(run('NumFromDate("2012-01-01T23:00:00Z")'), ['129699324000000000']);
    assert.deepEqual(run('Now()'), ['7/2/2021 3:33:38 PM']);
    assert.deepEqual(run('Split("a,b", ",")'), ['a', 'b']);
    assert.deepEqual(run('AppRoleAssignmentsComplex([appRoleAssignments])', { appRoleAssignments: ['R'] }), [
      '{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"R","value":"R"}',
    ]);
  });
  void test('definition types coerce test values', () => {
    const r = parseExpressionResponse({
      expression: 'Join("|", Not([accountEnabled]), [employeeNumber], Count([groups]))',
      testInputObject: {
        definition: { attributes: [{ name: 'accountEnabled', type: 'Boolean' }, { name: 'employeeNumber', type: 'Integer' }, { name: 'groups', multivalued: true }] },
        properties: props({ accountEnabled: 'TRUE', employeeNumber: ' 42 ', groups: 'one' }),
      },
    });
    assert.deepEqual(r.evaluationResult, ['False|42|1']);
  });
  void test('a multi-valued result for a single-valued target fails', () => {
    const r = parseExpressionResponse({
      expression: 'Split("a,b", ",")',
      testInputObject: { properties: [] },
      targetAttributeDefinition: { name: 'title', multivalued: false },
    });
    assert.equal(r.evaluationSucceeded, false);
    assert.match(r.error?.message ?? '', /2 values but the target attribute 'title' is single-valued/);
  });
  void test('context options: clock, domain, probe, roles', async () => {
    const body = { expression: 'SelectUniqueValue(Join("@", "a", DefaultDomain()), Join("@", "b", DefaultDomain()))', testInputObject: { properties: [] } };
    const sync = parseExpressionResponse(body, { defaultDomain: 'x.com', isUnique: (v) => v.startsWith('b') });
    assert.deepEqual(sync.evaluationResult, ['b@x.com']);
    const async = await parseExpressionResponseAsync(body, { defaultDomain: 'x.com', isUnique: async (v) => v.startsWith('b') });
    assert.deepEqual(async.evaluationResult, ['b@x.com']);
    const refused = parseExpressionResponse(body, { defaultDomain: 'x.com', isUnique: async () => true });
    assert.match(refused.error?.message ?? '', /asynchronous/);
    const none = await parseExpressionResponseAsync(body, { defaultDomain: 'x.com', isUnique: async () => false });
    assert.equal(none.error?.code, 'ExpressionEvaluationFailed');
    const roles = parseExpressionResponse({ expression: 'SingleAppRoleAssignment([appRoleAssignments])', testInputObject: { properties: [] } }, { appRoleAssignments: [{ value: 'Admin' }] });
    assert.deepEqual(roles.evaluationResult, ['Admin']);
    const parseFail = await parseExpressionResponseAsync({ expression: '(' });
    assert.equal(parseFail.parsingSucceeded, false);
  });
});

void describe('malformed request bodies are ExpressionError InvalidRequest (HTTP 400)', () => {
  const bad = (body: unknown, target: string): void => {
    assert.throws(
      () => parseExpressionResponse(body),
      (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidRequest' && e.target === target,
    );
  };
  void test('each malformed member', () => {
    bad(null, 'body');
    bad([], 'body');
    bad({}, 'expression');
    bad({ expression: 5 }, 'expression');
    bad({ expression: 'x', testInputObject: 'x' }, 'testInputObject');
    bad({ expression: 'x', testInputObject: { properties: {} } }, 'testInputObject.properties');
    bad({ expression: 'x', testInputObject: { properties: [{ value: 1 }] } }, 'testInputObject.properties[0]');
    bad({ expression: 'x', testInputObject: { definition: 'x' } }, 'testInputObject.definition');
    bad({ expression: 'x', testInputObject: { definition: { attributes: 'x' } } }, 'testInputObject.definition.attributes');
    bad({ expression: 'x', targetAttributeDefinition: 7 }, 'targetAttributeDefinition');
    assert.equal(readParseExpressionRequest({ expression: 'x' }).expression, 'x');
  });
  void test('an over-long expression is a parse failure, not a bad request', () => {
    const r = parseExpressionResponse({ expression: '"' + 'x'.repeat(10_000) + '"' });
    assert.equal(r.parsingSucceeded, false);
    assert.match(r.error?.message ?? '', /maximum is 10000/);
  });
});
