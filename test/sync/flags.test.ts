import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagsParseError, OBJECT_FLOW_TYPES, formatFlags, parseFlags } from '../../src/sync/schema-validation.ts';
import { RESTART_SCOPE_FLAGS } from '../../src/graph/sync-schemas.ts';

void test('parseFlags reads comma-separated members in any order and spacing', () => {
  for (const text of ['Add, Update, Delete', 'Delete,Add,Update', '  Update ,Delete ,  Add  ', 'Add, Update, Delete, Add']) {
    assert.deepEqual([...parseFlags(text, OBJECT_FLOW_TYPES)].sort(), ['Add', 'Delete', 'Update'], text);
  }
  assert.deepEqual([...parseFlags('Update', OBJECT_FLOW_TYPES)], ['Update']);
});

void test('parseFlags matches members case-insensitively and returns their canonical spelling', () => {
  assert.deepEqual([...parseFlags('add, DELETE', OBJECT_FLOW_TYPES)], ['Add', 'Delete']);
});

void test('None is the empty set, alone or beside other members', () => {
  assert.equal(parseFlags('None', OBJECT_FLOW_TYPES).size, 0);
  assert.deepEqual([...parseFlags('None, Add', OBJECT_FLOW_TYPES)], ['Add']);
});

void test('parseFlags refuses unknown members, empty items and empty text', () => {
  for (const text of ['Add, Remove', 'Add,,Update', 'Add,', '', '   ', 'Add Update']) {
    assert.throws(() => parseFlags(text, OBJECT_FLOW_TYPES), FlagsParseError, JSON.stringify(text));
  }
  assert.throws(() => parseFlags('Add, Remove', OBJECT_FLOW_TYPES), /"Remove" is not one of None, Add, Update, Delete/);
});

void test('formatFlags writes members in declaration order joined by ", "', () => {
  assert.equal(formatFlags(['Delete', 'Add', 'Update'], OBJECT_FLOW_TYPES), 'Add, Update, Delete');
  assert.equal(formatFlags(parseFlags('Delete,Add', OBJECT_FLOW_TYPES), OBJECT_FLOW_TYPES), 'Add, Delete');
  assert.equal(formatFlags([], OBJECT_FLOW_TYPES), 'None');
  assert.equal(formatFlags(['None', 'Update'], OBJECT_FLOW_TYPES), 'Update');
  assert.equal(formatFlags([], ['A', 'B'] as const), '', 'no None member: empty text');
});

void test('the same helpers handle restart criteria (resetScope)', () => {
  const scope = parseFlags('Watermark, Escrows,QuarantineState', RESTART_SCOPE_FLAGS);
  assert.equal(formatFlags(scope, RESTART_SCOPE_FLAGS), 'Escrows, Watermark, QuarantineState');
  assert.equal(formatFlags(parseFlags('forcedeletes, full', RESTART_SCOPE_FLAGS), RESTART_SCOPE_FLAGS), 'Full, ForceDeletes');
  assert.throws(() => parseFlags('Watermark, Everything', RESTART_SCOPE_FLAGS), FlagsParseError);
});
