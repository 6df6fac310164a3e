/** Function semantics beyond the vectors and doc examples: nulls, laziness, edge rules, context. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, DateTimeValue, EvaluationError, IGNORE_FLOW } from '../../src/expressions/index.ts';
import type { EvaluationContext, EvaluationResult, RandomSource } from '../../src/expressions/index.ts';
import { plain } from './helpers.ts';

function ev(text: string, source: Record<string, unknown> = {}, ctx: Omit<EvaluationContext, 'source'> = {}): unknown {
  return plain(compileExpression(text).evaluate({ source, ...ctx }));
}

function fails(text: string, code: string, source: Record<string, unknown> = {}, ctx: Omit<EvaluationContext, 'source'> = {}): EvaluationError {
  try {
    compileExpression(text).evaluate({ source, ...ctx });
  } catch (e) {
    assert.ok(e instanceof EvaluationError, `${text}: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  return assert.fail(`${text} did not fail`);
}

function table(rows: ReadonlyArray<readonly [string, unknown, Record<string, unknown>?]>): void {
  for (const [text, expected, source] of rows) assert.deepEqual(ev(text, source ?? {}), expected, text);
}

void describe('null handling', () => {
  void test('null in, null out (or the documented "")', () => {
    table([
      ['Append([x], "a")', null],
      ['Append("a", [x])', 'a'],
      ['Prepend("a", [x])', null],
      ['Prepend([x], "a")', 'a'],
      ['ConvertToBase64([x])', null],
      ['ConvertToUTF8Hex([x])', null],
      ['CStr([x])', null],
      ['CDate([x])', null],
      ['FormatDateTime([x], , "yyyy", "yyyy")', null],
      ['NormalizeDiacritics([x])', null],
      ['PCase([x])', null],
      ['Replace([x], "a", , , "b", , )', null],
      ['Replace([x], , "a", , "b", , )', null],
      ['Split([x], ",")', null],
      ['StripSpaces([x])', null],
      ['ToLower([x])', null],
      ['ToUpper([x])', null],
      ['Left([x], 2)', ''],
      ['Mid([x], 1, 2)', ''],
      ['Word([x], 1, " ")', ''],
      ['Join(",", [x], [y])', ''],
      ['Count([x])', 0],
      ['Item([x], 1)', null],
      ['RemoveDuplicates([x])', null],
      ['BitAnd([x], 1)', null],
      ['DateFromNum([x])', null],
      ['NumFromDate([x])', null],
      ['InStr([x], "a")', null],
      ['Not([x])', true],
      ['CBool([x])', false],
      ['IsString([x])', false],
      ['Coalesce([x], [y])', null],
      ['Switch([x], "d", "a", "b")', 'd'],
      ['SingleAppRoleAssignment([x])', null],
      ['AppRoleAssignmentsComplex([x])', null],
    ]);
  });
  void test('an empty multi-valued attribute is null', () => {
    table([
      ['IsNull([proxyAddresses])', true, { proxyAddresses: [] }],
      ['Count([proxyAddresses])', 0, { proxyAddresses: [null] }],
    ]);
  });
});

void describe('laziness', () => {
  void test('IIF, Switch and Coalesce evaluate only what they return', () => {
    table([
      ['IIF("1" = "1", "ok", Item([list], 9))', 'ok', { list: ['a'] }],
      ['IIF("1" = "2", Item([list], 9), "ok")', 'ok', { list: ['a'] }],
      ['Switch("a", Item([list], 9), "a", "ok")', 'ok', { list: ['a'] }],
      ['Switch("z", "ok", "a", Item([list], 9))', 'ok', { list: ['a'] }],
      ['Coalesce("ok", Item([list], 9))', 'ok', { list: ['a'] }],
    ]);
  });
});

void describe('comparisons', () => {
  void test('numeric when both sides are integers, else ordinal strings', () => {
    table([
      ['CBool("10" > "9")', true],
      ['CBool("b" > "a")', true],
      ['CBool("B" < "a")', true],
      ['CBool("abc" = "ABC")', false],
      ['CBool(" 7" = 7)', true],
      ['CBool(IsPresent([x]) = "False")', true],
      ['CBool(CDate("2021-01-02") > CDate("2021-01-01"))', true],
      ['CBool([a] <> [b])', true, { a: 'x' }],
      ['CBool(129699324000000000 >= 129699324000000001)', false],
    ]);
  });
  void test('IIF condition values', () => {
    table([
      ['IIF("True", "y", "n")', 'y'],
      ['IIF("false", "y", "n")', 'n'],
      ['IIF(IsPresent([a]), "y", "n")', 'y', { a: 'v' }],
    ]);
  });
  void test('IIF fails when a condition attribute is null or empty, naming it', () => {
    const e = fails('IIF(IsPresent([country]), [country], "Other")', 'NullInCondition');
    assert.match(e.message, /\[country\]/);
    assert.equal(e.functionName, 'IIF');
    assert.deepEqual(e.position, { offset: 0, line: 1, column: 1 });
    fails('IIF([country] = "US", "a", "b")', 'NullInCondition', { country: '' });
  });
});

void describe('strings', () => {
  void test('Left, Mid, Word edge rules', () => {
    table([
      ['Left("abc", 0)', ''],
      ['Left("abc", -1)', 'abc'],
      ['Left("abc", 10)', 'abc'],
      ['Mid("abc", 2, 0)', ''],
      ['Mid("abc", 2, -1)', 'abc'],
      ['Mid("abc", 0, 2)', 'abc'],
      ['Mid("abc", 4, 2)', 'abc'],
      ['Mid("abc", 3, 1)', 'c'],
      ['Word("  a  b ", 2, " ")', 'b'],
      ['Word("a b", 1, [x])', 'a b'],
      ['Word("a b", -1, " ")', ''],
    ]);
  });
  void test('InStr rules', () => {
    table([
      ['InStr("abc", "c", 4)', 0],
      ['InStr("abc", "", 2)', 2],
      ['InStr("", "a")', 0],
      ['InStr("aXa", "x", 1, vbBinaryCompare)', 0],
      ['InStr("aXa", "x", 1, vbTextCompare)', 2],
      ['InStr("aXa", "x", 1, "1")', 2],
      ['InStr("İstanbul", "i", 1, vbTextCompare)', 0],
    ]);
    fails('InStr("abc", "a", 0)', 'InvalidArgument');
    fails('InStr("abc", "a", 1, [mode])', 'InvalidArgument', { mode: 'fuzzy' });
  });
  void test('Join flattens and stringifies', () => {
    table([
      ['Join("|", [list], [n], [b])', 'a|c|5|True', { list: ['a', '', 'c'], n: 5, b: true }],
      ['Join([sep], "a", "b")', 'ab'],
    ]);
  });
  void test('PCase', () => {
    table([
      ['PCase("jean-luc PICARD")', 'Jean-Luc Picard'],
      ['PCase("1ST PLACE")', '1st Place'],
      ['PCase("élodie ÇELIK")', 'Élodie Çelik'],
      ['PCase("a.b_c", ".")', 'A.B_c'],
    ]);
  });
  void test('Split', () => {
    table([
      ['Split("a;b ; c", ";")', ['a', 'b', 'c']],
      ['Split("a, b")', ['a', 'b']],
      ['Split("a--b--c", "--")', ['a', 'b', 'c']],
      ['Split("abc", "")', ['abc']],
      ['Count(Split("a,b,c", ","))', 3],
    ]);
  });
  void test('StripSpaces removes only U+0020', () => {
    assert.equal(ev('StripSpaces("a b\tc\u00A0d")'), 'ab\tc\u00A0d');
  });
  void test('NormalizeDiacritics: longest sequence first, only the table', () => {
    table([
      ['NormalizeDiacritics("a\u0101\u0301b")', 'aab'],
      ['NormalizeDiacritics("e\u030A\u0304")', 'e'],
      ['NormalizeDiacritics("e\u0301")', 'e\u0301'],
      ['NormalizeDiacritics("Nguyễn Văn Hồ")', 'Nguyễn Van Hồ'],
      ['NormalizeDiacritics("Straße Øre")', 'Strasse OEre'],
    ]);
  });
  void test('casing', () => {
    table([
      ['ToUpper("i", "tr-TR")', 'İ'],
      ['ToLower("İ")', 'İ'],
      ['ToLower("ÀÉÎ")', 'àéî'],
      ['ToUpper("abc", "")', 'ABC'],
    ]);
    fails('ToLower("A", [c])', 'InvalidArgument', { c: 'not a culture!' });
  });
  void test('encodings of astral characters', () => {
    table([
      ['ConvertToBase64("😀")', Buffer.from('😀', 'utf16le').toString('base64')],
      ['ConvertToUTF8Hex("😀")', 'F09F9880'],
    ]);
  });
});

void describe('conversions and tests', () => {
  void test('CBool, Not, IsString, CStr', () => {
    table([
      ['CBool("TRUE")', true],
      ['CBool("yes")', false],
      ['CBool("-3")', true],
      ['CBool([n])', true, { n: 2 }],
      ['Not("true")', false],
      ['Not("False")', true],
      ['Not([b])', false, { b: true }],
      ['IsString(Now())', true],
      ['IsString([n])', true, { n: 3 }],
      ['IsString([o])', false, { o: { a: 1 } }],
      ['CStr([n])', '12', { n: 12 }],
      ['CStr([b])', 'False', { b: false }],
      ['CStr([ref])', 'abc-123', { ref: { value: 'abc-123', displayName: 'Boss' } }],
      ['CStr([d])', '1/2/2020 3:04:05 AM', { d: new Date('2020-01-02T03:04:05Z') }],
    ]);
  });
  void test('Count, Item, RemoveDuplicates on single values', () => {
    table([
      ['Count([a])', 1, { a: 'x' }],
      ['Item([a], 1)', 'x', { a: 'x' }],
      ['RemoveDuplicates([a])', ['x'], { a: 'x' }],
      ['RemoveDuplicates([a])', [1, '1', true], { a: [1, '1', 1, true] }],
    ]);
    fails('Item([a], 0)', 'IndexOutOfRange', { a: ['x'] });
  });
  void test('a multi-valued value where one is expected', () => {
    table([['ToLower([a])', 'x', { a: ['X'] }]]);
    const e = fails('ToLower([a])', 'MultiValuedArgument', { a: ['X', 'Y'] });
    assert.match(e.message, /ToLower: parameter 'source' takes a single value but received 2 values/);
  });
  void test('bad numbers', () => {
    const e = fails('Left("abc", [n])', 'InvalidNumber', { n: 'two' });
    assert.match(e.message, /Left: parameter 'numChars' must be an integer, got "two"/);
    fails('Left("abc", [n])', 'InvalidNumber', { n: 1.5 });
    fails('Left("abc", [n])', 'InvalidArgument', {});
  });
  void test('BitAnd is 64-bit', () => {
    table([
      ['BitAnd(-1, 255)', 255],
      ['BitAnd("9223372036854775807", "9223372036854775807")', '9223372036854775807'],
    ]);
  });
});

void describe('dates', () => {
  const base = 'CDate("2012-03-16T07:00:00Z")';
  void test('DateAdd, every interval', () => {
    table([
      [`DateAdd("yyyy", 1, ${base})`, '3/16/2013 7:00:00 AM'],
      [`DateAdd("q", 1, ${base})`, '6/16/2012 7:00:00 AM'],
      [`DateAdd("m", -3, ${base})`, '12/16/2011 7:00:00 AM'],
      [`DateAdd("y", 1, ${base})`, '3/17/2012 7:00:00 AM'],
      [`DateAdd("d", 1, ${base})`, '3/17/2012 7:00:00 AM'],
      [`DateAdd("w", 1, ${base})`, '3/17/2012 7:00:00 AM'],
      [`DateAdd("ww", 1, ${base})`, '3/23/2012 7:00:00 AM'],
      [`DateAdd("h", 6, ${base})`, '3/16/2012 1:00:00 PM'],
      [`DateAdd("n", -1, ${base})`, '3/16/2012 6:59:00 AM'],
      [`DateAdd("s", 61, ${base})`, '3/16/2012 7:01:01 AM'],
      ['DateAdd("yyyy", 1, CDate("2020-02-29"))', '2/28/2021 12:00:00 AM'],
      ['DateAdd("d", 1, "2020-02-28")', '2/29/2020 12:00:00 AM'],
    ]);
    fails('DateAdd([i], 1, Now())', 'InvalidArgument', { i: 'x' });
    fails('DateAdd("yyyy", 9000, Now())', 'InvalidDate', {}, { now: () => 0 });
  });
  void test('DateDiff counts boundaries', () => {
    const a = 'CDate("2021-12-31T23:59:59Z")';
    const b = 'CDate("2022-01-01T00:00:01Z")';
    table([
      [`DateDiff("yyyy", ${a}, ${b})`, 1],
      [`DateDiff("q", ${a}, ${b})`, 1],
      [`DateDiff("m", ${a}, ${b})`, 1],
      [`DateDiff("d", ${a}, ${b})`, 1],
      [`DateDiff("ww", ${a}, ${b})`, 0],
      [`DateDiff("w", ${a}, ${b})`, 0],
      [`DateDiff("h", ${a}, ${b})`, 1],
      [`DateDiff("n", ${a}, ${b})`, 1],
      [`DateDiff("s", ${a}, ${b})`, 2],
      [`DateDiff("ww", CDate("2022-01-01"), CDate("2022-01-02"))`, 1],
      [`DateDiff("d", ${b}, ${a})`, -1],
    ]);
  });
  void test('CDate reads the documented forms', () => {
    table([
      ['CDate("8/25/2021 5:41:18 PM")', '8/25/2021 5:41:18 PM'],
      ['CDate("2013-01-10 4:00 PM -8")', '1/11/2013 12:00:00 AM'],
      ['CDate("12/25/2007")', '12/25/2007 12:00:00 AM'],
      ['CDate("June 15, 2009 1:45 PM")', '6/15/2009 1:45:00 PM'],
      ['CDate("Mon, 15 Jun 2009 01:45:30 GMT")', '6/15/2009 1:45:30 AM'],
      ['CDate("2021-08-24T10:00:00.1234567+0530")', '8/24/2021 4:30:00 AM'],
    ]);
    fails('CDate("2021-02-30")', 'InvalidDate');
    fails('CDate([n])', 'InvalidDate', { n: 5 });
  });
  void test('FILETIME round trip and bounds', () => {
    table([
      ['DateFromNum(0)', '1/1/1601 12:00:00 AM'],
      ['NumFromDate(DateFromNum(132539615990000000))', '132539615990000000'],
      ['NumFromDate(CDate("1601-01-01T00:00:00Z"))', 0],
    ]);
    fails('DateFromNum(999999999999999999999)', 'InvalidDate');
  });
  void test('FormatDateTime specifiers', () => {
    const f = (out: string): unknown => ev(`FormatDateTime("2021-03-04 05:06:07.0890000", , "yyyy-MM-dd HH:mm:ss.fffffff", "${out}")`);
    assert.equal(f('d/M/y h:m:s t'), '4/3/21 5:6:7 A');
    assert.equal(f('dd/MM/yy hh:mm:ss tt'), '04/03/21 05:06:07 AM');
    assert.equal(f('ddd dddd MMM MMMM'), 'Thu Thursday Mar March');
    assert.equal(f('yyy yyyyy'), '2021 02021');
    // F drops trailing zeros: ".089" with one F digit is "0", so nothing is shown.
    assert.equal(f('f ff fff ffff F FF FFF FFFF'), '0 08 089 0890  08 089 089');
    assert.equal(f("'lit' \\\\y %d g K z zz zzz"), 'lit y 4 A.D.  +0 +00 +00:00');
    assert.equal(f('s'), '2021-03-04T05:06:07');
    assert.equal(f('u'), '2021-03-04 05:06:07Z');
    assert.equal(f('G'), '03/04/2021 05:06:07');
    assert.equal(f('D'), 'Thursday, 04 March 2021');
    assert.equal(f('y'), '2021 March');
  });
  void test('FormatDateTime parsing', () => {
    table([
      ['FormatDateTime(" 21-3-4 ", , "yy-M-d", "yyyy-MM-dd")', '2021-03-04'],
      ['FormatDateTime("99-3-4", , "yy-M-d", "yyyy-MM-dd")', '1999-03-04'],
      ['FormatDateTime("4 March 2021", , "d MMMM yyyy", "yyyy-MM-dd")', '2021-03-04'],
      ['FormatDateTime("Thu, 04 Mar 2021", , "ddd, dd MMM yyyy", "yyyy-MM-dd")', '2021-03-04'],
      ['FormatDateTime("2021-03-04T05:06:07Z", , "yyyy-MM-ddTHH:mm:ssK", "o")', '2021-03-04T05:06:07.0000000Z'],
      ['FormatDateTime("2021-03-04T05:06:07+02:00", "AdjustToUniversal", "yyyy-MM-ddTHH:mm:sszzz", "HH:mm K")', '03:06 Z'],
      ['FormatDateTime("12:30", "NoCurrentDateDefault", "HH:mm", "yyyy-MM-dd HH:mm")', '0001-01-01 12:30'],
    ]);
    fails('FormatDateTime("2021-13-01", , "yyyy-MM-dd", "yyyy")', 'InvalidDate');
    fails('FormatDateTime("Fri, 04 Mar 2021", , "ddd, dd MMM yyyy", "yyyy")', 'InvalidDate');
    fails('FormatDateTime("2021", , "yyyy", [out])', 'InvalidFormat');
    fails('FormatDateTime("2021", [styles], "yyyy", "yyyy")', 'InvalidDate', { styles: 'Bogus' });
  });
});

// The table() helper gives no context; this one needs a clock.
void test('FormatDateTime without a date in the input uses today from the clock', () => {
  assert.equal(ev('FormatDateTime("12:30", , "HH:mm", "yyyy-MM-dd HH:mm")', {}, { now: () => new Date('2021-07-02T15:00:00Z') }), '2021-07-02 12:30');
});

void describe('Replace', () => {
  void test('literal and template modes', () => {
    table([
      ['Replace("aaa", "a", , , "b", , )', 'bbb'],
      ['Replace("abc", "", , , "x", , )', 'abc'],
      ['Replace("abc", "b", , , [x], , )', 'ac'],
      ['Replace("jd", "{u}", , , , , "{u}@x.com/{u}")', 'jd@x.com/jd'],
    ]);
  });
  void test('group from another attribute (mode 3)', () => {
    table([
      ['Replace([phone], , "(?<n>\\\\d+)", "n", , [mobile], )', '12345', { mobile: 'tel 12345' }],
      ['Replace([phone], , "(?<n>\\\\d+)", "n", , [mobile], )', '999', { phone: '999', mobile: 'tel 12345' }],
      ['Replace([phone], , "(?<n>\\\\d+)", "n", , "mobile", )', '12345', { mobile: 'tel 12345' }],
      ['Replace([phone], , "(?<n>\\\\d+)", "n", , [mobile], )', null, { mobile: 'none' }],
    ]);
  });
  void test('group replacement keeps the rest of each match (mode 4)', () => {
    table([
      ['Replace("a1 b2", , "[a-z](?<d>\\\\d)", "d", "#", , )', 'a# b#'],
      ['Replace("ab", , "a(?<d>x)?", "d", "#", , )', 'ab'],
    ]);
  });
  void test('.NET substitutions (mode 5)', () => {
    table([
      ['Replace("abc", , "b", , "[$$]", , )', 'a[$]c'],
      ['Replace("abc", , "b", , "[$&]", , )', 'a[b]c'],
      ['Replace("abc", , "b", , "[$`]", , )', 'a[a]c'],
      ["Replace(\"abc\", , \"b\", , \"[$']\", , )", 'a[c]c'],
      ['Replace("abc", , "(b)", , "[$+]", , )', 'a[b]c'],
      ['Replace("abc", , "b", , "[$_]", , )', 'a[abc]c'],
      ['Replace("abc", , "(b)", , "[$10]", , )', 'a[b0]c'],
      ['Replace("abc", , "(b)", , "[${x}]", , )', 'a[${x}]c'],
      ['Replace("abc", , "(b)", , "[$2]", , )', 'a[$2]c'],
      ['Replace("abc", , "(?<x>b)", , "[${x}${1}]", , )', 'a[bb]c'],
    ]);
  });
  void test('a pattern read from an attribute is translated at run time', () => {
    table([['Replace("a1b2", , [p], , "", , )', 'ab', { p: '\\d' }]]);
    fails('Replace("a", , [p], , "", , )', 'RegexFailure', { p: '(' });
    fails('Replace("a", , [p], [g], "", , )', 'RegexFailure', { p: 'a', g: 'nope' });
  });
});

void describe('context', () => {
  const fixed: RandomSource = { int: (n) => (n > 1 ? 1 : 0), uuid: () => '00000000-0000-4000-8000-00000000000A' };
  void test('Guid and RandomString use the injected randomness', () => {
    assert.equal(ev('Guid()', {}, { random: fixed }), '00000000-0000-4000-8000-00000000000a');
    assert.equal(String(ev('RandomString(4, 1, 1, 1, 1)', {}, { random: fixed })).length, 4);
    assert.equal(ev('RandomString(0, 0, 0, 0, 0)'), '');
  });
  void test('RandomString honours classes and exclusions', () => {
    for (let i = 0; i < 50; i++) {
      const s = ev('RandomString(20, 5, 5, 5, 5, "aeiouAEIOU0@")') as string;
      assert.equal(s.length, 20);
      assert.ok(!/[aeiouAEIOU0@]/.test(s), s);
      assert.ok((s.match(/[0-9]/g) ?? []).length >= 5);
      assert.ok((s.match(/[A-Z]/g) ?? []).length >= 5);
      assert.ok((s.match(/[a-z]/g) ?? []).length >= 5);
    }
    fails('RandomString([n], 0, 0, 0, 0)', 'InvalidArgument', { n: 300 });
  });
  void test('DefaultDomain needs a configured domain', () => {
    const e = fails('DefaultDomain()', 'MissingContext');
    assert.match(e.message, /no default domain/);
  });
  void test('attribute lookup: exact, then any case; getAttribute; no prototype leaks', () => {
    table([
      ['[mail]', 'exact', { mail: 'exact', MAIL: 'upper' }],
      ['[Mail]', 'upper', { mail: 'lower-first?', Mail: 'upper' }],
      ['[MAIL]', 'x', { mail: 'x' }],
      ['[constructor]', null],
      ['[toString]', null],
      ['[__proto__]', null],
      ['[n]', 0, { n: 0 }],
    ]);
    const c = compileExpression('Join(" ", [a], [b])');
    assert.equal(c.evaluate({ getAttribute: (n) => (n === 'a' ? 'A' : ['B1', 'B2']) }), 'A B1 B2');
  });
  void test('roles come from the context when the source has none', () => {
    table([['SingleAppRoleAssignment([appRoleAssignments])', 'S', { appRoleAssignments: ['S'] }]]);
    assert.equal(ev('Count([appRoleAssignments])', {}, { appRoleAssignments: ['a', { value: 'b' }] }), 2);
  });
  void test('a failing getAttribute surfaces as an EvaluationError', () => {
    const c = compileExpression('[a]');
    assert.throws(
      () =>
        c.evaluate({
          getAttribute: () => {
            throw new TypeError('boom');
          },
        }),
      (e: unknown) => e instanceof EvaluationError && /boom/.test(e.message) && e.cause instanceof TypeError,
    );
  });
  void test('compiled metadata', () => {
    const c = compileExpression('Redact(Join("", [a], [b], [a]))');
    assert.equal(c.redacts, true);
    assert.deepEqual(c.attributes, ['a', 'b']);
    assert.equal(c.rootFunction, 'Redact');
    assert.equal(c.text, 'Redact(Join("", [a], [b], [a]))');
    assert.equal(compileExpression('[a]').rootFunction, null);
    assert.equal(compileExpression('AssertiveAppRoleAssignmentsComplex([appRoleAssignments])').rootFunction, 'AssertiveAppRoleAssignmentsComplex');
  });
});

void describe('SelectUniqueValue', () => {
  const text = 'SelectUniqueValue([a], IgnoreFlowIfNullOrEmpty([b]), Join("", [c], "1"), [d])';
  const source = { a: 'x', c: 'x' };
  void test('candidates in rule order, empty ones skipped', () => {
    assert.deepEqual(compileExpression(text).candidates({ source }), ['x', 'x1']);
  });
  void test('synchronous probe', () => {
    const c = compileExpression(text);
    assert.equal(c.evaluate({ source, isUnique: (v) => v !== 'x' }), 'x1');
    assert.equal(c.evaluate({ source }), 'x');
    assert.equal(c.selectsUniqueValue, true);
    const e = fails(text, 'NoUniqueValue', source, { isUnique: () => false });
    assert.match(e.message, /"x", "x1"/);
  });
  void test('asynchronous probe: evaluateAsync awaits it; evaluate refuses it', async () => {
    const c = compileExpression(text);
    const seen: string[] = [];
    const probe = async (v: string): Promise<boolean> => {
      seen.push(v);
      await new Promise((r) => setTimeout(r, 1));
      return v === 'x1';
    };
    assert.equal(await c.evaluateAsync({ source, isUnique: probe }), 'x1');
    assert.deepEqual(seen, ['x', 'x1']);
    assert.throws(() => c.evaluate({ source, isUnique: probe }), (e: unknown) => e instanceof EvaluationError && e.code === 'AsyncProbe');
    await assert.rejects(c.evaluateAsync({ source, isUnique: async () => false }), (e: unknown) => e instanceof EvaluationError && e.code === 'NoUniqueValue');
    await assert.rejects(
      c.evaluateAsync({
        source,
        isUnique: async () => {
          throw new Error('target down');
        },
      }),
      (e: unknown) => e instanceof EvaluationError && /target down/.test(e.message),
    );
  });
  void test('evaluateAsync of other expressions resolves and rejects with domain errors', async () => {
    assert.equal(await compileExpression('[a]').evaluateAsync({ source: { a: 1 } }), 1);
    await assert.rejects(compileExpression('Item([a], 3)').evaluateAsync({ source: { a: 'x' } }), EvaluationError);
  });
});

void test('IgnoreFlowIfNullOrEmpty at the top and nested', () => {
  const r = (text: string, source: Record<string, unknown>): EvaluationResult => compileExpression(text).evaluate({ source });
  assert.equal(r('IgnoreFlowIfNullOrEmpty([a])', { a: [] }), IGNORE_FLOW);
  assert.equal(r('IgnoreFlowIfNullOrEmpty([a])', { a: 0 }), 0);
  assert.equal(r('ToLower(IgnoreFlowIfNullOrEmpty([a]))', {}), IGNORE_FLOW);
  assert.equal(r('Coalesce([b], IgnoreFlowIfNullOrEmpty([a]))', { b: 'x' }), 'x');
  assert.ok(r('Now()', {}) instanceof DateTimeValue);
});
