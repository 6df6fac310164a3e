/** Attribute names with bracketed filters (the API-driven inbound source's): parsed, printed and built from mapping sources. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, compileExpression, fromMappingSource, parse, print } from '../../src/expressions/index.ts';

void test('[emails[type eq "work"].value] is one attribute, nested brackets and quoted text included', () => {
  const ast = parse('Join(" ", [emails[type eq "work"].value], [addresses[type eq "a]b"].locality])');
  assert.equal(print(ast), 'Join(" ", [emails[type eq "work"].value], [addresses[type eq "a]b"].locality])');
  const c = compileExpression('[emails[type eq "work"].value]');
  assert.equal(c.evaluate({ source: { 'emails[type eq "work"].value': 'ana@x.test' } }), 'ana@x.test');
  const fromTree = compile(fromMappingSource({ type: 'Attribute', name: 'phoneNumbers[type eq "mobile"].value', expression: '', parameters: [] }), { skipCheck: true });
  assert.equal(fromTree.evaluate({ source: { 'phoneNumbers[type eq "mobile"].value': '+1 555' } }), '+1 555');
});

void test('an unbalanced bracket is still an error', () => {
  assert.throws(() => parse('[a[b]'), /not closed/);
  assert.throws(() => fromMappingSource({ type: 'Attribute', name: 'a]b', expression: '', parameters: [] }), /is not an attribute name/);
});
