/** Scoping filters: every operator, null/empty, case rules, group logic, the three sets, validation. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, ExpressionError, FILTER_OPERATORS, validateFilter } from '../../src/expressions/index.ts';
import type { FilterClause, ScopingFilter } from '../../src/expressions/index.ts';

function clause(sourceOperandName: string, operatorName: string, values: string[] = []): FilterClause {
  return { sourceOperandName, operatorName, targetOperand: { values } };
}

function holds(c: FilterClause, source: Record<string, unknown>): boolean {
  return compileFilter({ groups: [{ name: 't', clauses: [c] }] }).inScope(source);
}

/** The cases of expressions.md §6.3 (scope-01..23). */
const SCOPE_CASES: Array<[string, FilterClause, Record<string, unknown>, boolean]> = [
  ['scope-01', clause('department', 'EQUALS', ['sales']), { department: 'sales' }, true],
  ['scope-02', clause('department', 'EQUALS', ['sales']), { department: 'Sales' }, false],
  ['scope-03', clause('department', 'EQUALS', ['sales']), {}, false],
  ['scope-04', clause('department', 'NOT EQUALS', ['Sales']), { department: 'Marketing' }, true],
  ['scope-05', clause('department', 'NOT EQUALS', ['Sales']), {}, false],
  ['scope-06', clause('userPrincipalName', 'REGEX MATCH', ['.*\\@domain.com']), { userPrincipalName: 'john@domain.com' }, true],
  ['scope-07', clause('userPrincipalName', 'REGEX MATCH', ['.*\\@domain.com']), { userPrincipalName: 'john@contoso.com' }, false],
  ['scope-08', clause('userPrincipalName', 'NOT REGEX MATCH', ['.*\\@domain.com']), { userPrincipalName: 'john@contoso.com' }, true],
  ['scope-09', clause('userPrincipalName', 'NOT REGEX MATCH', ['.*\\@domain.com']), { userPrincipalName: '' }, false],
  ['scope-10', clause('workerID', 'REGEX MATCH', ['(1[0-9][0-9][0-9][0-9][0-9][0-9])']), { workerID: '1500000' }, true],
  ['scope-11', clause('workerID', 'REGEX MATCH', ['(1[0-9][0-9][0-9][0-9][0-9][0-9])']), { workerID: '999999' }, false],
  ['scope-12', clause('employeeId', 'Greater_Than', ['1000000']), { employeeId: '1500000' }, true],
  ['scope-13', clause('employeeId', 'Greater_Than_OR_EQUALS', ['1000000']), { employeeId: '1000000' }, true],
  ['scope-14', clause('employeeId', 'Greater_Than', ['1000000']), { employeeId: '999' }, false],
  ['scope-15', clause('department', 'Includes', ['Sales']), { department: 'Inside Sales' }, true],
  ['scope-16', clause('department', 'Includes', ['Sales']), { department: 'inside sales' }, false],
  ['scope-17', clause('mail', 'ENDS_WITH', ['@contoso.com']), { mail: 'a@contoso.com' }, true],
  ['scope-18', clause('accountEnabled', 'IS TRUE'), { accountEnabled: true }, true],
  ['scope-19', clause('accountEnabled', 'IS FALSE'), { accountEnabled: true }, false],
  ['scope-20', clause('jobTitle', 'IS NULL'), {}, true],
  ['scope-21', clause('jobTitle', 'IS NOT NULL'), { jobTitle: 'Engineer' }, true],
  ['scope-22', clause('jobTitle', 'IS NOT NULL'), { jobTitle: '' }, false],
  ['scope-23', clause('ContingentID', 'IS NOT NULL'), { ContingentID: 'C123' }, true],
];

void describe('expressions.md §6.3 scoping cases', () => {
  for (const [id, c, source, expected] of SCOPE_CASES) {
    void test(`${id}: ${c.sourceOperandName} ${c.operatorName} ${JSON.stringify(c.targetOperand?.values)}`, () => {
      assert.equal(holds(c, source), expected);
    });
  }
});

void describe('every operator', () => {
  const rows: Array<[FilterClause, Record<string, unknown>, boolean]> = [
    [clause('a', 'EQUALS', ['1000']), { a: 1000 }, true],
    [clause('a', 'EQUALS', ['01000']), { a: 1000 }, true],
    [clause('a', 'EQUALS', ['True']), { a: true }, true],
    [clause('a', 'EQUALS', ['x', 'y']), { a: 'y' }, true],
    [clause('a', 'NOT EQUALS', ['x', 'y']), { a: 'y' }, false],
    [clause('a', 'NOT EQUALS', ['x']), { a: 'X' }, true],
    [clause('a', 'IS TRUE'), { a: 'true' }, true],
    [clause('a', 'IS TRUE'), { a: 'yes' }, false],
    [clause('a', 'IS TRUE'), {}, false],
    [clause('a', 'IS FALSE'), { a: false }, true],
    [clause('a', 'IS FALSE'), { a: 'False' }, true],
    [clause('a', 'IS FALSE'), {}, false],
    [clause('a', 'IS NULL'), { a: '' }, true],
    [clause('a', 'IS NULL'), { a: [] }, true],
    [clause('a', 'IS NULL'), { a: 0 }, false],
    [clause('a', 'IS NOT NULL'), { a: false }, true],
    [clause('a', 'IS NOT NULL'), { a: null }, false],
    [clause('a', 'REGEX MATCH', ['^\\d{3}$']), { a: 123 }, true],
    [clause('a', 'REGEX MATCH', ['^ab']), { a: 'AB' }, false],
    [clause('a', 'REGEX MATCH', ['(?i)^ab']), { a: 'AB' }, true],
    [clause('a', 'REGEX MATCH', ['x', 'b']), { a: 'ab' }, true],
    [clause('a', 'NOT REGEX MATCH', ['x', 'b']), { a: 'ab' }, false],
    [clause('a', 'NOT REGEX MATCH', ['x']), {}, false],
    [clause('a', 'Greater_Than', ['10']), { a: 11 }, true],
    [clause('a', 'Greater_Than', ['10']), { a: '10' }, false],
    [clause('a', 'Greater_Than', ['10']), { a: '11.5' }, false],
    [clause('a', 'Greater_Than', ['10']), { a: 'eleven' }, false],
    [clause('a', 'Greater_Than_OR_EQUALS', ['10']), { a: '10' }, true],
    [clause('a', 'Greater_Than', ['9223372036854775806']), { a: '9223372036854775807' }, true],
    [clause('a', 'Less_Than', ['10']), { a: '9' }, true],
    [clause('a', 'Less_Than', ['10']), { a: '10' }, false],
    [clause('a', 'Less_Than_OR_EQUALS', ['10']), { a: '10' }, true],
    [clause('a', 'Includes', ['ale']), { a: 'Sales' }, true],
    [clause('a', 'Includes', ['ALE']), { a: 'Sales' }, false],
    [clause('a', 'Includes', ['x']), {}, false],
    [clause('a', 'ENDS_WITH', ['.com']), { a: 'a@b.COM' }, false],
    [clause('a', 'ENDS_WITH', ['.com']), { a: 'a@b.com' }, true],
    [clause('a', '&', ['Sales,Marketing']), { a: 'Sales' }, true],
    [clause('a', '&', ['Sales,Marketing']), { a: 'HR' }, false],
    [clause('a', '&', ['Sales']), { a: '' }, false],
    [clause('a', '!&', ['Sales,Marketing']), { a: 'HR' }, true],
    [clause('a', '!&', ['Sales,Marketing']), { a: 'Sales' }, false],
    [clause('a', '!&', ['Sales']), {}, false],
  ];
  for (const [c, source, expected] of rows) {
    void test(`${c.operatorName} ${JSON.stringify(c.targetOperand?.values)} on ${JSON.stringify(source)} → ${expected}`, () => {
      assert.equal(holds(c, source), expected);
    });
  }
  void test('the rows cover every operator the engine knows', () => {
    const used = new Set(rows.map(([c]) => c.operatorName));
    for (const name of FILTER_OPERATORS.keys()) assert.ok(used.has(name), name);
  });
});

void describe('attributes', () => {
  void test('names resolve exactly, then case-insensitively', () => {
    assert.equal(holds(clause('Department', 'EQUALS', ['x']), { department: 'x' }), true);
    assert.equal(holds(clause('department', 'EQUALS', ['x']), { department: 'x', Department: 'y' }), true);
  });
  void test('multi-valued attributes: every value must satisfy (All)', () => {
    assert.equal(holds(clause('a', 'ENDS_WITH', ['.com']), { a: ['x.com', 'y.com'] }), true);
    assert.equal(holds(clause('a', 'ENDS_WITH', ['.com']), { a: ['x.com', 'y.org'] }), false);
    assert.equal(holds(clause('a', 'ENDS_WITH', ['.com']), { a: ['x.com', ''] }), false);
  });
});

void describe('groups and sets', () => {
  const filter: ScopingFilter = {
    groups: [
      { name: 'Sales in Seattle', clauses: [clause('department', 'EQUALS', ['Sales']), clause('city', 'EQUALS', ['Seattle'])] },
      { name: 'Contractors', clauses: [clause('ContingentID', 'IS NOT NULL')] },
    ],
    inputFilterGroups: [{ name: 'Has UPN', clauses: [clause('userPrincipalName', 'IS NOT NULL')] }],
    categoryFilterGroups: [],
  };
  const f = compileFilter(filter);
  void test('AND within a group, OR across groups', () => {
    assert.equal(f.inScope({ department: 'Sales', city: 'Seattle' }), true);
    assert.equal(f.inScope({ department: 'Sales', city: 'Boston' }), false);
    assert.equal(f.inScope({ ContingentID: 'C1' }), true);
    assert.equal(f.inScope({}), false);
  });
  void test('each set on its own; matches needs all three; empty sets pass', () => {
    assert.equal(f.passesInputFilter({ userPrincipalName: 'a@b' }), true);
    assert.equal(f.passesInputFilter({}), false);
    assert.equal(f.inCategory({}), true);
    assert.equal(f.matches({ department: 'Sales', city: 'Seattle' }), false);
    assert.equal(f.matches({ department: 'Sales', city: 'Seattle', userPrincipalName: 'a@b' }), true);
  });
  void test('no filter, or no groups: everything is in scope; an empty group is vacuously true', () => {
    assert.equal(compileFilter(null).matches({}), true);
    assert.equal(compileFilter({ groups: [] }).inScope({}), true);
    assert.equal(compileFilter({ groups: [{ name: 'empty', clauses: [] }] }).inScope({}), true);
  });
  void test('explain reports every group and clause', () => {
    const e = f.explain({ department: 'Sales', city: 'Boston', userPrincipalName: 'u' });
    assert.equal(e.result, false);
    assert.equal(e.sets.groups.result, false);
    assert.deepEqual(
      e.sets.groups.groups.map((g) => [g.name, g.result, g.clauses.map((c) => c.result)]),
      [
        ['Sales in Seattle', false, [true, false]],
        ['Contractors', false, [false]],
      ],
    );
    assert.equal(e.sets.inputFilterGroups.result, true);
    assert.equal(e.sets.categoryFilterGroups.result, true);
  });
});

void describe('compile errors name the group and clause', () => {
  const bad = (filter: unknown, message: RegExp, target?: string): void => {
    assert.throws(
      () => compileFilter(filter as ScopingFilter),
      (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidFilter' && message.test(e.message) && (target === undefined || e.target === target),
    );
  };
  void test('unknown operator, missing value, bad regex, bad integer, bad shapes', () => {
    bad({ groups: [{ name: 'G', clauses: [clause('a', 'EQUAL', ['x'])] }] }, /Scoping filter 'G' \(groups\[0\]\), clause 1 \(a EQUAL\): unknown operator 'EQUAL'/, 'groups[0].clauses[0]');
    bad({ groups: [{ name: 'G', clauses: [clause('a', 'EQUALS')] }] }, /needs a value/);
    bad({ inputFilterGroups: [{ name: 'G', clauses: [clause('a', 'REGEX MATCH', ['('])] }] }, /inputFilterGroups\[0\].*regular expression "\(": Not enough/);
    bad({ groups: [{ name: 'G', clauses: [clause('a', 'Greater_Than', ['ten'])] }] }, /value "ten" is not an integer/);
    bad({ groups: [{ name: 'G', clauses: [{ operatorName: 'EQUALS', targetOperand: { values: ['x'] } }] }] }, /sourceOperandName is missing/);
    bad({ groups: [{ name: 'G', clauses: [clause('a', 'EQUALS', [1 as unknown as string])] }] }, /values must be an array of strings/);
    bad({ groups: 'x' }, /groups must be an array/);
    bad({ groups: [null] }, /must be a filterGroup object/);
    bad('x', /must be an object/);
  });
  void test('an operator written in another case or with spaces is accepted', () => {
    assert.equal(holds(clause('a', 'equals', ['x']), { a: 'x' }), true);
    assert.equal(holds(clause('a', 'Greater Than', ['1']), { a: '2' }), true);
  });
});

void describe('validateFilter', () => {
  const attributes = [
    { name: 'department', type: 'String' },
    { name: 'accountEnabled', type: 'Boolean' },
    { name: 'proxyAddresses', type: 'String', multivalued: true },
    'employeeId',
  ];
  const codes = (filter: ScopingFilter): string[] => validateFilter(filter, { attributes }).map((d) => d.code);
  void test('a valid filter has no diagnostics', () => {
    assert.deepEqual(validateFilter({ groups: [{ name: 'G', clauses: [clause('department', 'EQUALS', ['Sales']), clause('accountEnabled', 'IS TRUE')] }] }, { attributes }), []);
    assert.deepEqual(validateFilter(null), []);
  });
  void test('each problem, named by group and clause', () => {
    const d = validateFilter({ groups: [{ name: 'Sales only', clauses: [clause('department', 'EQUALS', ['Sales']), clause('Department', 'EQUAL', ['x'])] }] }, { attributes });
    assert.deepEqual(
      d.map((x) => [x.code, x.target, x.groupName]),
      [
        ['UnknownOperator', 'groups[0].clauses[1]', 'Sales only'],
        ['AttributeNameCase', 'groups[0].clauses[1]', 'Sales only'],
      ],
    );
    assert.match(d[0]?.message ?? '', /^Scoping filter 'Sales only' \(groups\[0\]\), clause 2 \(Department EQUAL\): unknown operator 'EQUAL'/);
  });
  void test('every diagnostic code', () => {
    const g = (c: FilterClause): ScopingFilter => ({ groups: [{ name: 'G', clauses: [c] }] });
    assert.deepEqual(codes(g(clause('nope', 'EQUALS', ['x']))), ['UnknownAttribute']);
    assert.deepEqual(codes(g(clause('department', 'equals', ['x']))), ['OperatorNameCase']);
    assert.deepEqual(codes(g(clause('employeeId', 'Less_Than', ['5']))), ['NonStandardOperator']);
    assert.deepEqual(codes(g(clause('department', '&', ['x']))), ['UndocumentedOperator']);
    assert.deepEqual(codes(g(clause('department', 'EQUALS'))), ['MissingValue']);
    assert.deepEqual(codes(g(clause('department', 'IS NULL', ['x']))), ['UnexpectedValue']);
    assert.deepEqual(codes(g(clause('department', 'EQUALS', ['x', 'y']))), ['MultipleValues']);
    assert.deepEqual(codes(g(clause('employeeId', 'Greater_Than', ['x']))), ['InvalidInteger']);
    assert.deepEqual(codes(g(clause('department', 'REGEX MATCH', ['(']))), ['InvalidRegex']);
    assert.deepEqual(codes(g(clause('department', 'IS TRUE'))), ['UnsupportedAttributeType']);
    assert.deepEqual(codes(g(clause('proxyAddresses', 'EQUALS', ['x']))), ['MultiValuedAttribute']);
    assert.deepEqual(codes(g({ operatorName: 'EQUALS', targetOperand: { values: ['x'] } })), ['UnknownAttribute']);
    assert.deepEqual(codes({ groups: [{ name: 'G', clauses: [null as unknown as FilterClause] }] }), ['InvalidFilter']);
    assert.deepEqual(codes({ categoryFilterGroups: 'x' as unknown as [] }), ['InvalidFilter']);
    assert.equal(validateFilter({ groups: [{ name: 'G', clauses: [clause('anything', 'EQUALS', ['x'])] }] }).length, 0, 'no attributes, no attribute checks');
  });
});
