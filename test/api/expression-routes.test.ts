/**
 * The expression tooling of the Graph API: schema/functions,
 * schema/filterOperators and schema/parseExpression on jobs and templates,
 * and schema validation with the expression type checker on PUT.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { assertGraphShape } from '../helpers/graph-openapi.ts';

interface Vector {
  id: string;
  expression: string;
  source: Record<string, unknown>;
  expected?: unknown;
  expectedError?: boolean;
  expectedPattern?: string;
  expectedIgnoreFlow?: boolean;
  context?: unknown;
}

const vectors = JSON.parse(readFileSync(new URL('../../../shared/vectors/expression-vectors.json', import.meta.url), 'utf8')) as Vector[];

describe('expression routes', () => {
  let server: TestServer;
  let sp: string;
  let job: string;
  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    const res = await server.api('/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate', { method: 'POST', json: { displayName: 'Expressions' } });
    sp = ((await res.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
    job = ((await (await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs`, { method: 'POST', json: { templateId: 'scim' } })).json()) as { id: string }).id;
  });
  after(async () => server.close());

  test('functions: the full catalog with both id and name, on jobs and templates, with or without ()', async () => {
    for (const path of [`jobs/${job}/schema/functions`, `jobs/${job}/schema/functions()`, 'templates/scim/schema/functions']) {
      const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/${path}`);
      assert.equal(res.status, 200, path);
      const body = (await res.json()) as { '@odata.context': string; value: { id: string; name: string; parameters: unknown[] }[] };
      assert.match(body['@odata.context'], /\$metadata#functions$/);
      assertGraphShape('microsoft.graph.attributeMappingFunctionSchemaCollectionResponse', body);
      const names = body.value.map((f) => f.name);
      for (const f of ['Append', 'Join', 'Switch', 'Replace', 'SelectUniqueValue', 'NormalizeDiacritics', 'FormatDateTime', 'SingleAppRoleAssignment']) assert.ok(names.includes(f), f);
      assert.ok(body.value.every((f) => f.id === f.name));
      assert.ok(body.value.length >= 43);
    }
  });

  test('filterOperators: the catalog with id, name, arity', async () => {
    const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/schema/filterOperators`);
    const body = (await res.json()) as { value: { id: string; name: string; arity: string }[] };
    assertGraphShape('microsoft.graph.filterOperatorSchemaCollectionResponse', body);
    const eq = body.value.find((o) => o.name === 'EQUALS');
    assert.deepEqual([eq?.id, eq?.arity], ['EQUALS', 'Binary']);
    assert.equal(body.value.find((o) => o.name === 'IS NULL')?.arity, 'Unary');
  });

  test('every expression vector without engine context evaluates the same through POST …/parseExpression', async () => {
    const plain = vectors.filter((v) => !v.context);
    assert.ok(plain.length > 100);
    for (const v of plain) {
      const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/schema/parseExpression`, {
        method: 'POST',
        json: { expression: v.expression, testInputObject: { definition: null, properties: Object.entries(v.source).map(([key, value]) => ({ key, value })) }, targetAttributeDefinition: null },
      });
      assert.equal(res.status, 200, v.id);
      const r = (await res.json()) as { parsingSucceeded: boolean; evaluationSucceeded: boolean; evaluationResult: string[] | null; error: { message: string } | null };
      assertGraphShape('microsoft.graph.parseExpressionResponse', r);
      if (v.expectedError) {
        assert.ok(!r.parsingSucceeded || !r.evaluationSucceeded, v.id);
        assert.equal(typeof r.error?.message, 'string');
        continue;
      }
      assert.ok(r.evaluationSucceeded, `${v.id}: ${r.error?.message}`);
      const values = r.evaluationResult ?? [];
      if (v.expectedPattern) assert.match(values[0] ?? '', new RegExp(v.expectedPattern), v.id);
      else if (v.expectedIgnoreFlow || v.expected === null) assert.deepEqual(values, [], v.id);
      else if (Array.isArray(v.expected)) assert.deepEqual(values, v.expected.map(String), v.id);
      else assert.deepEqual(values, [typeof v.expected === 'boolean' ? (v.expected ? 'True' : 'False') : String(v.expected)], v.id);
    }
  });

  test('a syntax error comes back in the response with its position; a malformed body is a 400', async () => {
    const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/templates/scim/schema/parseExpression`, { method: 'POST', json: { expression: 'Join(" ", [givenName]' } });
    assert.equal(res.status, 200);
    const r = (await res.json()) as { parsingSucceeded: boolean; error: { message: string } };
    assert.equal(r.parsingSucceeded, false);
    assert.match(r.error.message, /column \d+|position \d+/i);
    const bad = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/schema/parseExpression`, { method: 'POST', json: { expression: 42 } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'Request_BadRequest');
  });

  test('PUT schema is type-checked: unknown function, wrong arity, unknown attribute, unknown operator', async () => {
    const base = await (await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/schema`)).json() as {
      synchronizationRules: { objectMappings: { attributeMappings: { targetAttributeName: string; source: unknown }[]; scope: unknown }[] }[];
    };
    const put = async (edit: (s: typeof base) => void) => {
      const copy = structuredClone(base);
      edit(copy);
      const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/schema`, { method: 'PUT', json: copy });
      return { status: res.status, body: (await res.json()) as { error: { message: string; target: string } } };
    };
    const mapping = (s: typeof base) => s.synchronizationRules[0]!.objectMappings[0]!.attributeMappings.find((m) => m.targetAttributeName === 'displayName')!;
    const fn = (name: string, ...args: unknown[]) => ({ type: 'Function', name, expression: '', parameters: args.map((value, i) => ({ key: i === 0 ? 'source' : `p${i}`, value })) });
    const attr = (name: string) => ({ type: 'Attribute', name, expression: `[${name}]`, parameters: [] });

    const unknownFn = await put((s) => { mapping(s).source = fn('Frobnicate', attr('displayName')); });
    assert.equal(unknownFn.status, 400);
    assert.match(unknownFn.body.error.message, /displayName.*Frobnicate|Frobnicate.*displayName/s);
    assert.match(unknownFn.body.error.target, /attributeMappings\[\d+\]\.source/);

    const arity = await put((s) => { mapping(s).source = fn('Left', attr('displayName')); });
    assert.equal(arity.status, 400);
    assert.match(arity.body.error.message, /Left/);

    const unknownAttr = await put((s) => { mapping(s).source = attr('shoeSize'); });
    assert.equal(unknownAttr.status, 400);
    assert.match(unknownAttr.body.error.message, /shoeSize/);

    const op = await put((s) => {
      s.synchronizationRules[0]!.objectMappings[0]!.scope = { groups: [{ name: 'g', clauses: [{ operatorName: 'RESEMBLES', sourceOperandName: 'department', targetOperand: { values: ['x'] } }] }] };
    });
    assert.equal(op.status, 400);
    assert.match(op.body.error.message, /RESEMBLES/);
    assert.match(op.body.error.target, /scope\.groups\[0\]/);
  });
});
