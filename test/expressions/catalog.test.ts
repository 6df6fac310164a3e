/** The schema/functions and schema/filterOperators catalogs. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCUMENTED_FUNCTION_NAMES, filterOperatorCatalog, functionCatalog, FUNCTIONS, lookupFunction, lookupOperator } from '../../src/expressions/index.ts';
import { IMPLEMENTATIONS } from '../../src/expressions/functions/index.ts';

const DOCUMENTED = 'Append, AppRoleAssignmentsComplex, BitAnd, CBool, CDate, Coalesce, ConvertToBase64, ConvertToUTF8Hex, Count, CStr, DateAdd, DateDiff, DateFromNum, FormatDateTime, Guid, IgnoreFlowIfNullOrEmpty, IIF, InStr, IsNull, IsNullOrEmpty, IsPresent, IsString, Item, Join, Left, Mid, NormalizeDiacritics, Not, Now, NumFromDate, PCase, RandomString, Redact, RemoveDuplicates, Replace, SelectUniqueValue, SingleAppRoleAssignment, Split, StripSpaces, Switch, ToLower, ToUpper, Word'.split(', ');

void describe('schema/functions', () => {
  const catalog = functionCatalog();
  const byName = new Map(catalog.map((f) => [f.name, f]));
  void test('the 43 documented functions, the Assertive variant and the four Graph-only ones', () => {
    assert.equal(DOCUMENTED.length, 43);
    assert.deepEqual([...DOCUMENTED_FUNCTION_NAMES].sort(), [...DOCUMENTED].sort());
    for (const n of [...DOCUMENTED, 'AssertiveAppRoleAssignmentsComplex', 'AppRoleAssignments', 'DefaultDomain', 'IsNothing', 'Prepend']) assert.ok(byName.has(n), n);
    assert.equal(catalog.length, 48);
  });
  void test('every entry has id = name and typed parameters; sorted by name', () => {
    for (const f of catalog) {
      assert.equal(f.id, f.name);
      assert.deepEqual(Object.keys(f).sort(), ['id', 'name', 'parameters']);
      for (const p of f.parameters) {
        assert.deepEqual(Object.keys(p).sort(), ['allowMultipleOccurrences', 'name', 'required', 'type']);
        assert.ok(['String', 'Integer', 'Reference', 'Binary', 'Boolean', 'DateTime'].includes(p.type));
      }
    }
    assert.deepEqual(catalog.map((f) => f.name), [...catalog.map((f) => f.name)].sort());
  });
  void test("Graph's documented entries, verbatim (FormatDateTime gains dateTimeStyles)", () => {
    const p = (name: string, type: string, required: boolean, allowMultipleOccurrences = false): unknown => ({ allowMultipleOccurrences, name, required, type });
    const expected: Record<string, unknown[]> = {
      Append: [p('source', 'String', true), p('suffix', 'String', true)],
      DefaultDomain: [],
      AppRoleAssignments: [p('source', 'String', true)],
      FormatDateTime: [p('source', 'String', true), p('dateTimeStyles', 'String', false), p('inputFormat', 'String', true), p('outputFormat', 'String', true)],
      IsNothing: [p('source', 'Boolean', true)],
      Join: [p('separator', 'String', true), p('source', 'String', true, true)],
      Prepend: [p('prefix', 'String', true), p('source', 'String', true)],
      Mid: [p('source', 'String', true), p('start', 'Integer', true), p('length', 'Integer', true)],
      Not: [p('source', 'Boolean', true)],
      Replace: [
        p('source', 'String', true),
        p('Find', 'String', false),
        p('RegularExpression', 'String', false),
        p('RegularExpressionGroupName', 'String', false),
        p('Replacement', 'String', false),
        p('ReplacementPropertyName', 'String', false),
        p('Template', 'String', false),
      ],
      SingleAppRoleAssignment: [p('source', 'String', true)],
      Split: [p('source', 'String', true), p('delimiter', 'String', false)],
      StripSpaces: [p('source', 'String', true)],
      Switch: [p('source', 'String', true), p('defaultValue', 'String', false), p('switchValue', 'String', false, true)],
    };
    for (const [name, params] of Object.entries(expected)) assert.deepEqual(byName.get(name)?.parameters, params, name);
  });
  void test('every catalog function is implemented (SelectUniqueValue by the compiler)', () => {
    for (const name of FUNCTIONS.keys()) assert.ok(IMPLEMENTATIONS.has(name) || name === 'SelectUniqueValue', name);
    for (const name of IMPLEMENTATIONS.keys()) assert.ok(FUNCTIONS.has(name), name);
  });
  void test('min/max arity derive from the parameters', () => {
    assert.deepEqual([FUNCTIONS.get('Mid')?.minArgs, FUNCTIONS.get('Mid')?.maxArgs], [3, 3]);
    assert.deepEqual([FUNCTIONS.get('Replace')?.minArgs, FUNCTIONS.get('Replace')?.maxArgs], [1, 7]);
    assert.deepEqual([FUNCTIONS.get('Join')?.minArgs, FUNCTIONS.get('Join')?.maxArgs], [2, Infinity]);
    assert.deepEqual([FUNCTIONS.get('SelectUniqueValue')?.minArgs, FUNCTIONS.get('SelectUniqueValue')?.maxArgs], [2, Infinity]);
    assert.deepEqual([FUNCTIONS.get('FormatDateTime')?.minArgs, FUNCTIONS.get('FormatDateTime')?.maxArgs], [4, 4]);
    assert.deepEqual([FUNCTIONS.get('Switch')?.minArgs, FUNCTIONS.get('Switch')?.maxArgs], [1, Infinity]);
    assert.deepEqual([FUNCTIONS.get('Guid')?.minArgs, FUNCTIONS.get('Guid')?.maxArgs], [0, 0]);
  });
  void test('lookups are case-sensitive with a suggestion', () => {
    assert.equal(lookupFunction('ToLower').spec?.name, 'ToLower');
    assert.deepEqual(lookupFunction('tolower'), { spec: undefined, suggestion: 'ToLower' });
    assert.deepEqual(lookupFunction('Nope'), { spec: undefined, suggestion: undefined });
  });
  void test('the catalog is immutable', () => {
    assert.ok(Object.isFrozen(catalog));
    assert.ok(Object.isFrozen(catalog[0]));
    assert.ok(Object.isFrozen(catalog[0]?.parameters));
  });
});

void describe('schema/filterOperators', () => {
  void test("Graph's eight documented operators first, exactly as documented", () => {
    const ops = filterOperatorCatalog();
    assert.deepEqual(ops.slice(0, 8), [
      { id: 'EQUALS', name: 'EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String'] },
      { id: 'IS FALSE', name: 'IS FALSE', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Boolean'] },
      { id: 'IS NOT NULL', name: 'IS NOT NULL', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String', 'Binary', 'Boolean'] },
      { id: 'IS NULL', name: 'IS NULL', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String', 'Binary', 'Boolean'] },
      { id: 'IS TRUE', name: 'IS TRUE', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Boolean'] },
      { id: 'NOT EQUALS', name: 'NOT EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String'] },
      { id: 'NOT REGEX MATCH', name: 'NOT REGEX MATCH', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String'] },
      { id: 'REGEX MATCH', name: 'REGEX MATCH', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String'] },
    ]);
  });
  void test('then the six portal operators; extensions only on request', () => {
    assert.deepEqual(filterOperatorCatalog().slice(8).map((o) => o.name), ['&', '!&', 'ENDS_WITH', 'Greater_Than', 'Greater_Than_OR_EQUALS', 'Includes']);
    assert.deepEqual(filterOperatorCatalog({ includeExtensions: true }).slice(14).map((o) => o.name), ['Less_Than', 'Less_Than_OR_EQUALS']);
    for (const o of filterOperatorCatalog()) assert.equal(o.id, o.name);
  });
  void test('operator lookups tolerate case, spaces and underscores only as suggestions', () => {
    assert.equal(lookupOperator('EQUALS').spec?.name, 'EQUALS');
    assert.deepEqual(lookupOperator('not_equals'), { spec: undefined, suggestion: 'NOT EQUALS' });
    assert.deepEqual(lookupOperator('Contains'), { spec: undefined, suggestion: undefined });
  });
});
