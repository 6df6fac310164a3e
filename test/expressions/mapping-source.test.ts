/** AST ↔ Graph attributeMappingSource: the documented samples, every function's keys, malformed input. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { equalsIgnoringSpans, ExpressionError, fromMappingSource, FUNCTIONS, parse, print, toMappingSource } from '../../src/expressions/index.ts';
import type { AttributeMappingSource } from '../../src/expressions/index.ts';

const attr = (name: string): AttributeMappingSource => ({ expression: `[${name}]`, name, parameters: [], type: 'Attribute' });
const constant = (name: string): AttributeMappingSource => ({ expression: JSON.stringify(name), name, parameters: [], type: 'Constant' });

void describe('Graph samples', () => {
  void test('parseExpression sample: Replace with keys source, Find, Replacement', () => {
    const m = toMappingSource(parse('Replace([preferredLanguage], "-", , , "_", ,  )'));
    assert.deepEqual(m, {
      expression: 'Replace([preferredLanguage], "-", , , "_", , )',
      name: 'Replace',
      parameters: [
        { key: 'source', value: attr('preferredLanguage') },
        { key: 'Find', value: constant('-') },
        { key: 'Replacement', value: constant('_') },
      ],
      type: 'Function',
    });
  });
  void test('objectMapping sample: Not([IsSoftDeleted])', () => {
    const stored = {
      expression: 'Not([IsSoftDeleted])',
      name: 'Not',
      parameters: [{ key: 'source', value: { expression: '[IsSoftDeleted]', name: 'IsSoftDeleted', parameters: [], type: 'Attribute' } }],
      type: 'Function',
    };
    assert.deepEqual(toMappingSource(parse('Not([IsSoftDeleted])')), stored);
    assert.ok(equalsIgnoringSpans(fromMappingSource(stored), parse('Not([IsSoftDeleted])')));
  });
  void test('a direct mapping is an Attribute source; a constant a Constant source', () => {
    assert.deepEqual(toMappingSource(parse('[mail]')), attr('mail'));
    assert.deepEqual(toMappingSource(parse('"ISO-8859-1"')), constant('ISO-8859-1'));
    assert.deepEqual(toMappingSource(parse('"a\\"b"')), { expression: '"a\\"b"', name: 'a"b', parameters: [], type: 'Constant' });
    assert.deepEqual(toMappingSource(parse('&HF')), constant('15'));
    assert.deepEqual(toMappingSource(parse('vbTextCompare')), constant('vbTextCompare'));
  });
});

void describe('keys of every function', () => {
  void test('each catalog parameter name appears as the key of its slot', () => {
    for (const spec of FUNCTIONS.values()) {
      const n = spec.parameters.length + (spec.parameters.some((p) => p.repeating) ? 1 : 0);
      const args = Array.from({ length: n }, (_v, i) => `"v${i}"`);
      const text = `${spec.name}(${args.join(', ')})`;
      const m = toMappingSource(parse(text));
      const expected = Array.from({ length: n }, (_v, i) => (spec.parameters[Math.min(i, spec.parameters.length - 1)]?.name ?? '?'));
      assert.deepEqual(m.parameters.map((p) => p.key), expected, spec.name);
      assert.ok(equalsIgnoringSpans(fromMappingSource(m), parse(text)), spec.name);
    }
  });
  void test('empty slots are omitted and restored by position', () => {
    const m = toMappingSource(parse('FormatDateTime([x], , "yyyyMMdd", "yyyy")'));
    assert.deepEqual(m.parameters.map((p) => p.key), ['source', 'inputFormat', 'outputFormat']);
    const noText = { ...m, expression: undefined };
    assert.equal(print(fromMappingSource(noText)), 'FormatDateTime([x], , "yyyyMMdd", "yyyy")');
  });
  void test('keys match case-insensitively and in any order', () => {
    const e = fromMappingSource({
      name: 'Mid',
      type: 'Function',
      parameters: [
        { key: 'LENGTH', value: constant('2') },
        { key: 'source', value: { name: 'x' } },
        { key: 'Start', value: constant('1') },
      ],
    });
    assert.equal(print(e), 'Mid([x], "1", "2")');
  });
});

void describe('the expression text is kept when it agrees with the structure', () => {
  void test('numbers and trailing empty slots survive', () => {
    const m = toMappingSource(parse('Replace([x], "-", , , "_", , )'));
    assert.equal(print(fromMappingSource(m)), 'Replace([x], "-", , , "_", , )');
    assert.equal(print(fromMappingSource(toMappingSource(parse('Mid([x], 1, 8)')))), 'Mid([x], 1, 8)');
  });
  void test('a stale expression text is ignored: the structure wins', () => {
    const m = { ...toMappingSource(parse('Mid([x], 1, 8)')), expression: 'Mid([y], 1, 8)' };
    assert.equal(print(fromMappingSource(m)), 'Mid([x], "1", "8")');
    const broken = { ...toMappingSource(parse('Mid([x], 1, 8)')), expression: 'Mid(' };
    assert.equal(print(fromMappingSource(broken)), 'Mid([x], "1", "8")');
  });
});

void describe('comparisons (Provisio form)', () => {
  void test('operator-named functions with keys left and right', () => {
    const m = toMappingSource(parse('CBool([a] <> "x")'));
    const cond = m.parameters[0]?.value;
    assert.equal(cond?.name, '<>');
    assert.deepEqual(cond?.parameters.map((p) => p.key), ['left', 'right']);
    assert.ok(equalsIgnoringSpans(fromMappingSource({ ...m, expression: undefined }), parse('CBool([a] <> "x")')));
  });
});

void describe('malformed sources name the JSON path', () => {
  const bad = (src: unknown, message: RegExp, target?: string): void => {
    assert.throws(
      () => fromMappingSource(src),
      (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidMappingSource' && message.test(e.message) && (target === undefined || e.target === target),
    );
  };
  void test('each kind of problem', () => {
    bad(null, /must be an attributeMappingSource object/);
    bad({ type: 'Other', name: 'x' }, /source.type: must be Attribute, Constant or Function/, 'source.type');
    bad({ type: 'Attribute' }, /source.name: must be a string/);
    bad({ type: 'Attribute', name: 'a]' }, /is not an attribute name/);
    bad({ type: 'Function', name: 'Nope', parameters: [] }, /unknown function 'Nope'/);
    bad({ type: 'Function', name: 'Mid', parameters: 'x' }, /parameters: must be an array/);
    bad({ type: 'Function', name: 'Mid', parameters: [{ key: 'source' }] }, /source.parameters\[0\].value: must be an attributeMappingSource/);
    bad({ type: 'Function', name: 'Mid', parameters: [{ key: 'bogus', value: { name: 'x' } }] }, /Mid has no parameter 'bogus' \(parameters: source, start, length\)/, 'source.parameters[0]');
    bad({ type: 'Function', name: 'Mid', parameters: [{ key: 'source', value: { name: 'x' } }, { key: 'source', value: { name: 'y' } }] }, /key 'source' appears 2 times/);
    bad({ type: 'Function', name: '=', parameters: [{ key: 'left', value: { name: 'x' } }] }, /needs exactly the keys left and right/);
  });
  void test('toMappingSource refuses functions the catalog does not know', () => {
    assert.throws(() => toMappingSource(parse('Foo([a])')), (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidMappingSource');
    assert.throws(() => toMappingSource(parse('Mid([a], 1, 2, 3)')), /Mid has no parameter 4/);
  });
});

void test('the key table of docs/expression-language.md §6 matches the catalog', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../docs/expression-language.md', import.meta.url), 'utf8');
  const start = doc.indexOf('| Function | Parameter keys, in order |');
  const rows = doc.slice(start).split('\n').slice(2);
  const seen = new Set<string>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [, names = '', keys = ''] = row.split('|').map((c) => c.trim());
    if (names.startsWith('comparison')) continue;
    const expected = keys === '(none)' ? [] : keys.replace(/ \(repeating[^)]*\)/g, '').split(', ');
    for (const name of names.split(', ')) {
      const spec = FUNCTIONS.get(name);
      assert.ok(spec, `doc lists unknown function ${name}`);
      assert.deepEqual(spec.parameters.map((p) => p.name), expected, name);
      seen.add(name);
    }
  }
  assert.deepEqual([...FUNCTIONS.keys()].filter((n) => !seen.has(n)), [], 'functions missing from the doc table');
});
