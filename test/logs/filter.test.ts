/**
 * The $filter parser and checker, as data: every real query the reference
 * quotes and every documented attribute/operator pair parse to what they
 * say; bad filters fail with the position of the problem; print ∘ parse is
 * the identity on trees; nothing but a FilterError ever escapes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import '../helpers/fast-check.ts';
import { FilterError, MAX_DEPTH, MAX_FILTER_LENGTH, MAX_PREDICATES, checkFilter, parseFilter, prepareFilter, printFilter } from '../../src/logs/filter.ts';
import type { FilterNode, Predicate, ValueNode } from '../../src/logs/filter.ts';
import { FILTER_ATTRIBUTES } from '../../src/logs/attributes.ts';

/** A compact rendering of a checked filter: columns, operators and coerced values. */
function show(p: Predicate): string {
  switch (p.kind) {
    case 'and':
    case 'or':
      return `${p.kind}(${p.items.map(show).join(', ')})`;
    case 'not':
      return `not(${show(p.item)})`;
    case 'compare':
    case 'match': {
      const col = p.fold === 'none' ? p.attr.column : `${p.fold}(${p.attr.column})`;
      return p.kind === 'compare' ? `${col} ${p.op} ${JSON.stringify(p.value)}` : `${p.fn}(${col}, ${JSON.stringify(p.value)})`;
    }
  }
}

const meaning = (filter: string) => show(prepareFilter(filter));

describe('$filter: the real queries quoted in the reference', () => {
  const cases: [string, string][] = [
    // The Location header of bulkUpload (lower-case jobid).
    ["jobid eq 'API2AAD.0a1b2c.5b6f9d32-8f3c-4f9e-9b44-1a2b3c4d5e6f'", 'job_id eq "API2AAD.0a1b2c.5b6f9d32-8f3c-4f9e-9b44-1a2b3c4d5e6f"'],
    // Beta: statusInfo/status and a ge on an unquoted instant.
    [
      "jobid eq 'J1' and statusInfo/status eq 'failure' and activityDateTime ge 2022-10-10T09:47:34Z",
      'and(job_id eq "J1", status eq "failure", activity_date_time ge "2022-10-10T09:47:34.0000000Z")',
    ],
    // An inbound record by its externalId.
    ["jobid eq 'J1' and sourceIdentity/id eq '701984'", 'and(job_id eq "J1", source_id eq "701984")'],
    // The Entra docs' portal-style query: nested parentheses, tolower, contains, date literals.
    [
      "((contains(tolower(servicePrincipal/id), '6cc35b93') or contains(tolower(servicePrincipal/displayName), '6cc35b93')) and activityDateTime gt 2023-07-30 and activityDateTime lt 2023-07-31)",
      'and(or(contains(lower(sp_id), "6cc35b93"), contains(lower(sp_display_name), "6cc35b93")), activity_date_time gt "2023-07-30T00:00:00.0000000Z", activity_date_time lt "2023-07-31T00:00:00.0000000Z")',
    ],
    // The v1.0 page's own example.
    ["id eq '74c3b0ae-9cc5-850e-e0a5-7r6a4231de87'", 'id eq "74c3b0ae-9cc5-850e-e0a5-7r6a4231de87"'],
  ];
  for (const [filter, expected] of cases) {
    test(filter, () => assert.equal(meaning(filter), expected));
  }
});

describe('$filter: every documented attribute with every documented operator', () => {
  // Spelled as the v1.0 page's table spells them (tenantid, jobid, … lower-case).
  const documented: [string, string[]][] = [
    ['id', ['eq', 'contains']],
    ['activityDateTime', ['eq', 'gt', 'lt']],
    ['tenantid', ['eq', 'contains']],
    ['jobid', ['eq', 'contains']],
    ['changeid', ['eq', 'contains']],
    ['cycleid', ['eq', 'contains']],
    ['provisioningAction', ['eq', 'contains']],
    ['durationInMilliseconds', ['eq', 'gt', 'lt']],
    ['provisioningStatusInfo/status', ['eq', 'contains']],
    ['sourceSystem/displayName', ['eq', 'contains']],
    ['targetSystem/displayName', ['eq', 'contains']],
    ['sourceIdentity/identityType', ['eq', 'contains']],
    ['targetIdentity/identityType', ['eq', 'contains']],
    ['sourceIdentity/id', ['eq', 'contains']],
    ['servicePrincipal/id', ['eq']],
    ['servicePrincipal/displayName', ['eq']],
    ['targetIdentity/id', ['eq', 'contains']],
    ['sourceIdentity/displayName', ['eq', 'contains']],
    ['targetIdentity/displayName', ['eq', 'contains']],
    ['initiatedBy/displayName', ['eq', 'contains']],
  ];
  test('the table covers every filterable attribute', () => {
    assert.deepEqual(new Set(documented.map(([a]) => a.toLowerCase())), new Set(FILTER_ATTRIBUTES.map((a) => a.path.toLowerCase())));
  });
  for (const [attr, ops] of documented) {
    for (const op of ops) {
      const literal = attr === 'activityDateTime' ? '2019-05-04T03:00:54Z' : attr === 'durationInMilliseconds' ? '3236'
        : attr === 'provisioningAction' ? "'create'" : attr === 'provisioningStatusInfo/status' ? "'success'" : "'x'";
      const filter = op === 'contains' ? `contains(${attr}, 'e')` : `${attr} ${op} ${literal}`;
      test(filter, () => {
        const p = prepareFilter(filter);
        const column = FILTER_ATTRIBUTES.find((a) => a.path.toLowerCase() === attr.toLowerCase())!.column;
        if (op === 'contains') assert.deepEqual([p.kind, p.kind === 'match' && p.attr.column], ['match', column]);
        else assert.deepEqual([p.kind, p.kind === 'compare' && p.attr.column, p.kind === 'compare' && p.op], ['compare', column, op]);
      });
    }
  }
});

describe('$filter: grammar and meaning', () => {
  const cases: [string, string][] = [
    // Precedence: not > and > or; parentheses override.
    ["jobId eq 'a' or jobId eq 'b' and cycleId eq 'c'", 'or(job_id eq "a", and(job_id eq "b", cycle_id eq "c"))'],
    ["(jobId eq 'a' or jobId eq 'b') and cycleId eq 'c'", 'and(or(job_id eq "a", job_id eq "b"), cycle_id eq "c")'],
    ["not jobId eq 'a' and cycleId eq 'c'", 'and(not(job_id eq "a"), cycle_id eq "c")'],
    ["not (jobId eq 'a' and cycleId eq 'c')", 'not(and(job_id eq "a", cycle_id eq "c"))'],
    ["not not jobId eq 'a'", 'not(not(job_id eq "a"))'],
    // Chains flatten into one n-ary node.
    ["jobId eq 'a' or jobId eq 'b' or jobId eq 'c' or jobId eq 'd'", 'or(job_id eq "a", job_id eq "b", job_id eq "c", job_id eq "d")'],
    // Property names, keywords and functions ignore case.
    ["JOBID EQ 'a' AND SourceIdentity/ID Ne 'b' Or Contains(TOLOWER(jobId), 'x')", 'or(and(job_id eq "a", source_id ne "b"), contains(lower(job_id), "x"))'],
    // '' escapes a quote; nothing else is an escape.
    ["sourceIdentity/displayName eq 'Dara O''Brien'", 'source_display_name eq "Dara O\'Brien"'],
    ["sourceIdentity/displayName eq ''''", 'source_display_name eq "\'"'],
    ["sourceIdentity/displayName eq 'back\\slash'", 'source_display_name eq "back\\\\slash"'],
    ["sourceIdentity/displayName eq 'Zoë Ångström 😀'", 'source_display_name eq "Zoë Ångström 😀"'],
    // A literal on the left flips the operator.
    ['2023-07-30 lt activityDateTime', 'activity_date_time gt "2023-07-30T00:00:00.0000000Z"'],
    ['1000 ge durationInMilliseconds', 'duration_ms le 1000'],
    // Instants: zones become UTC, fractions keep 7 digits.
    ['activityDateTime eq 2022-10-10T11:47:34+02:00', 'activity_date_time eq "2022-10-10T09:47:34.0000000Z"'],
    ['activityDateTime le 2019-03-20T15:47:50.4707552Z', 'activity_date_time le "2019-03-20T15:47:50.4707552Z"'],
    ['activityDateTime ne 2019-03-20T15:47Z', 'activity_date_time ne "2019-03-20T15:47:00.0000000Z"'],
    // Status ignores case (Graph: "case sensitive except for status"); enum literals resolve to their member.
    ["provisioningStatusInfo/status eq 'Failure'", 'status eq "failure"'],
    ["contains(provisioningStatusInfo/status, 'FAIL')", 'contains(status, "fail")'],
    ["provisioningAction eq 'StagedDelete'", 'provisioning_action eq "stagedDelete"'],
    ["action eq 'create'", 'provisioning_action eq "create"'],
    // Other text is case-sensitive unless folded explicitly.
    ["sourceIdentity/id eq 'User-B'", 'source_id eq "User-B"'],
    ["tolower(sourceIdentity/id) eq tolower('User-B')", 'lower(source_id) eq "user-b"'],
    ["toupper(jobId) eq 'ABC'", 'upper(job_id) eq "ABC"'],
    // null, and the match functions.
    ['jobId eq null', 'job_id eq null'],
    ['null ne sourceIdentity/id', 'source_id ne null'],
    ["startswith(jobId, 'scim.') and endswith(jobId, '-1')", 'and(startswith(job_id, "scim."), endswith(job_id, "-1"))'],
    // Whitespace is free.
    ["  (  jobId   eq\t'a'  )  ", 'job_id eq "a"'],
    ['durationInMilliseconds gt -1', 'duration_ms gt -1'],
  ];
  for (const [filter, expected] of cases) {
    test(filter, () => assert.equal(meaning(filter), expected));
  }
});

describe('$filter: bad filters name the problem and its position', () => {
  const deep = `${'('.repeat(MAX_DEPTH + 1)}jobId eq 'a'${')'.repeat(MAX_DEPTH + 1)}`;
  const many = Array.from({ length: MAX_PREDICATES + 1 }, (_, i) => `jobId eq '${i}'`).join(' or ');
  const cases: [string, 'syntax' | 'unsupported', number, RegExp][] = [
    ['', 'syntax', 0, /empty/],
    ['jobId eq', 'syntax', 8, /expected a property name or a literal, found the end of the filter/],
    ["jobId eq 'abc", 'syntax', 9, /unterminated string/],
    ["jobId = 'x'", 'syntax', 6, /unexpected character '='/],
    ["jobId eq 'x' and", 'syntax', 16, /expected a condition/],
    ["(jobId eq 'x'", 'syntax', 13, /expected '\)'/],
    ["jobId eq 'x')", 'syntax', 12, /expected 'and', 'or' or the end/],
    ["jobId eq 'x' jobId", 'syntax', 13, /expected 'and', 'or' or the end/],
    ["jobId in ('a', 'b')", 'syntax', 6, /expected a comparison operator/],
    ['jobId eq 75b5b0ae', 'syntax', 11, /unexpected 'b'.*quoted/],
    ['activityDateTime gt 2023-07-30T10:00:00', 'syntax', 20, /invalid DateTimeOffset literal.*zone/],
    ['activityDateTime gt 2023-13-01', 'syntax', 20, /invalid date literal/],
    ['activityDateTime gt 2023-02-30T00:00:00Z', 'syntax', 20, /invalid DateTimeOffset/],
    ["sourceIdentity/'x' eq 1", 'syntax', 15, /property name after '\/'/],
    ["contains(jobId 'x')", 'syntax', 15, /','/],
    ["jobId eq 'a' # 1", 'syntax', 13, /unexpected character '#'/],
    ["jobId gt 'x'", 'unsupported', 6, /operator 'gt'.*'jobId'.*supported: eq, ne, contains/],
    ["activityDateTime gt '2023-07-30'", 'unsupported', 20, /Edm\.DateTimeOffset.*unquoted/],
    ['durationInMilliseconds gt 1.5', 'unsupported', 26, /Edm\.Int32.*whole number/],
    ["durationInMilliseconds eq '5'", 'unsupported', 26, /Edm\.Int32/],
    ["provisioningSteps/name eq 'x'", 'unsupported', 0, /property 'provisioningSteps\/name'.*cannot be filtered/],
    ["servicePrincipal/secret eq 'x'", 'unsupported', 0, /cannot be filtered/],
    ["contains(activityDateTime, '2023')", 'unsupported', 0, /operator 'contains'.*'activityDateTime'/],
    ['jobId eq cycleId', 'unsupported', 0, /two properties/],
    ["'a' eq 'b'", 'unsupported', 0, /no property/],
    ["provisioningStatusInfo/status eq 'bogus'", 'unsupported', 33, /'bogus'.*not a value.*success, failure/],
    ['tolower(durationInMilliseconds) eq 5', 'unsupported', 0, /tolower\(\) .*applies to text/],
    ['activityDateTime gt null', 'unsupported', 20, /null .* eq or ne/],
    ['contains(jobId, 5)', 'unsupported', 16, /quoted text/],
    ['jobId eq true', 'unsupported', 9, /quote text/],
    [deep, 'unsupported', MAX_DEPTH, /nests deeper/],
    [many, 'unsupported', many.lastIndexOf('jobId'), /more than 100 conditions/],
    ["jobId eq '" + 'x'.repeat(MAX_FILTER_LENGTH) + "'", 'unsupported', MAX_FILTER_LENGTH, /longer than/],
  ];
  for (const [filter, kind, position, message] of cases) {
    test(filter.length > 80 ? `${filter.slice(0, 77)}…` : filter || '(empty)', () => {
      assert.throws(() => prepareFilter(filter), (e: unknown) => {
        assert.ok(e instanceof FilterError, `not a FilterError: ${String(e)}`);
        assert.equal(e.kind, kind, e.message);
        assert.equal(e.position, position, e.message);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});

// ---------------------------------------------------------------- properties

const strip = (n: unknown): unknown => JSON.parse(JSON.stringify(n, (k, v: unknown) => (k === 'pos' || k === 'opPos' ? undefined : v)));

const KEYWORDS = new Set(['and', 'or', 'not', 'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'null', 'true', 'false', 'tolower', 'toupper', 'contains', 'startswith', 'endswith']);
const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((s) => !KEYWORDS.has(s.toLowerCase()));

const value: fc.Arbitrary<ValueNode> = fc.letrec<{ v: ValueNode }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.array(identifier, { minLength: 1, maxLength: 3 }).map((path): ValueNode => ({ kind: 'property', path, pos: 0 })),
    fc.string().map((s): ValueNode => ({ kind: 'literal', type: 'string', value: s, pos: 0 })),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)))
      .map((n): ValueNode => ({ kind: 'literal', type: 'number', value: n, pos: 0 })),
    fc.constantFrom('2023-07-30', '1999-12-31').map((d): ValueNode => ({ kind: 'literal', type: 'date', value: d, pos: 0 })),
    fc.constantFrom('2022-10-10T09:47:34Z', '2019-03-20T15:47:50.4707552Z', '2020-01-01T00:00:00+05:30')
      .map((d): ValueNode => ({ kind: 'literal', type: 'dateTime', value: d, pos: 0 })),
    fc.constant<ValueNode>({ kind: 'literal', type: 'null', value: null, pos: 0 }),
    fc.boolean().map((b): ValueNode => ({ kind: 'literal', type: 'boolean', value: b, pos: 0 })),
    fc.tuple(fc.constantFrom('tolower' as const, 'toupper' as const), tie('v')).map(([kind, arg]): ValueNode => ({ kind, arg, pos: 0 })),
  ),
})).v;

const filterTree: fc.Arbitrary<FilterNode> = fc.letrec<{ f: FilterNode }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le' as const), value, value)
      .map(([op, left, right]): FilterNode => ({ kind: 'compare', op, left, right, pos: 0, opPos: 0 })),
    fc.tuple(fc.constantFrom('contains', 'startswith', 'endswith' as const), value, value)
      .map(([name, a, b]): FilterNode => ({ kind: 'call', name, args: [a, b], pos: 0 })),
    fc.tuple(fc.constantFrom('and' as const, 'or' as const), tie('f'), tie('f')).map(([kind, left, right]): FilterNode => ({ kind, left, right, pos: 0 })),
    tie('f').map((operand): FilterNode => ({ kind: 'not', operand, pos: 0 })),
  ),
})).f;

describe('$filter: properties', () => {
  test('printing then parsing gives back the same tree', () => {
    fc.assert(fc.property(filterTree, (tree) => {
      const text = printFilter(tree);
      if (text.length > MAX_FILTER_LENGTH) return;
      assert.deepEqual(strip(parseFilter(text)), strip(tree), text);
    }), { numRuns: 400 });
  });

  test('any text either parses and checks, or fails with a FilterError inside the text', () => {
    const alphabet = fc.constantFrom('jobId', ' eq ', " 'a' ", '(', ')', ' and ', ' or ', 'not ', 'contains(', ',', '/', 'tolower(', '2023-07-30', '12', "'", 'status', 'null', ' ');
    const text = fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 20 }).map((xs) => xs.join('')));
    fc.assert(fc.property(text, (t) => {
      try {
        checkFilter(parseFilter(t));
      } catch (e) {
        assert.ok(e instanceof FilterError, `${String(e)} for ${JSON.stringify(t)}`);
        assert.ok(e.position >= 0 && e.position <= Math.max(t.length, MAX_FILTER_LENGTH), `position ${e.position} for ${JSON.stringify(t)}`);
      }
    }), { numRuns: 2000 });
  });
});
