/** The static checker: every diagnostic code, with its position. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { check, compile, ExpressionError, hasErrors, parse } from '../../src/expressions/index.ts';
import type { CheckOptions, Diagnostic, ParseWarning } from '../../src/expressions/index.ts';

function diagnose(text: string, options: CheckOptions = {}): Diagnostic[] {
  return check(parse(text), options);
}

function only(text: string, code: string, options: CheckOptions = {}): Diagnostic {
  const d = diagnose(text, options).filter((x) => x.code === code);
  assert.equal(d.length, 1, `${text}: ${JSON.stringify(diagnose(text, options).map((x) => x.code))}`);
  return d[0] as Diagnostic;
}

void describe('functions and arity', () => {
  void test('valid expressions have no diagnostics', () => {
    for (const t of [
      'Join(" ", [givenName], [surname])',
      'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
      'Replace([mail], "@contoso.com", , , "", , )',
      'RandomString(3, 3, 0, 0, 0, )',
      'FormatDateTime([x], , "yyyyMMdd", "yyyy-MM-dd")',
      'IIF([a] = "b", "c", "d")',
      'InStr("a", "b", 1, vbTextCompare)',
      'SelectUniqueValue([a], [b])',
      'Guid()',
    ]) {
      assert.deepEqual(diagnose(t), [], t);
    }
  });

  void test('unknown function, with a suggestion for a case slip', () => {
    const d = only('Join(",", Foo([a]))', 'UnknownFunction');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /Unknown function 'Foo' at line 1, column 11/);
    assert.deepEqual(d.position, { offset: 10, line: 1, column: 11 });
    assert.match(only('toLower([a])', 'UnknownFunction').message, /did you mean ToLower\?/);
    assert.match(only('iif([a]="b", 1, 2)', 'UnknownFunction').message, /did you mean IIF\?/);
  });

  void test('too few and too many arguments name the parameters', () => {
    assert.match(only('Mid([a], 1)', 'TooFewArguments').message, /Mid needs at least 3 argument\(s\) \(source, start, length\), got 2/);
    assert.match(only('Mid([a], 1, 2, 3)', 'TooManyArguments').message, /Mid takes at most 3 argument\(s\)/);
    assert.match(only('Now(1)', 'TooManyArguments').message, /Now takes at most 0/);
    only('Join(",")', 'TooFewArguments');
    only('SelectUniqueValue([a])', 'TooFewArguments');
    only('Replace()', 'TooFewArguments');
  });

  void test('the outdated 3-argument FormatDateTime gets a specific hint', () => {
    assert.match(only('FormatDateTime([x], "yyyyMMdd", "yyyy-MM-dd")', 'TooFewArguments').message, /3-argument form is outdated/);
  });

  void test('empty required slots and empty repeating slots', () => {
    assert.match(only('Mid([a], , 2)', 'MissingArgument').message, /required argument 2 \(start\) is empty/);
    assert.match(only('Join(",", [a], , [b])', 'EmptyRepeatingArgument').message, /argument 3 is empty/);
    assert.deepEqual(diagnose('Join(",", [a], [b], )'), [], 'a trailing empty slot is "not supplied"');
  });

  void test('Switch pairs', () => {
    only('Switch([state], "Australia/Sydney", "QLD")', 'UnpairedSwitchValue');
    assert.deepEqual(diagnose('Switch([state], "default")'), []);
  });

  void test('SelectUniqueValue only at the top', () => {
    const d = only('Switch([a], SelectUniqueValue([a], [b]))', 'NotTopLevel');
    assert.equal(d.position?.column, 13);
    only('IgnoreFlowIfNullOrEmpty(SelectUniqueValue([a], [b]))', 'NotTopLevel');
  });
});

void describe('literal arguments', () => {
  void test('integers', () => {
    assert.match(only('Left([a], "three")', 'InvalidNumber').message, /argument 2 \(numChars\) must be an integer, got "three"/);
    only('Item([a], x)', 'InvalidNumber');
    assert.deepEqual(diagnose('Left([a], "3")'), []);
    assert.deepEqual(diagnose('BitAnd(&HF, -1)'), []);
  });
  void test('intervals, compare types, cultures, date formats and styles', () => {
    only('DateAdd("days", 1, Now())', 'InvalidInterval');
    only('DateDiff("x", Now(), Now())', 'InvalidInterval');
    only('InStr("a", "b", 1, vbWhatever)', 'InvalidCompareType');
    only('ToLower([a], "not a culture!")', 'InvalidCulture');
    only('FormatDateTime([x], , "yyyy\'", "yyyy")', 'InvalidDateFormat');
    only('FormatDateTime([x], , "yyyy", "Z")', 'InvalidDateFormat');
    only('FormatDateTime([x], "Sometimes", "yyyy", "yyyy")', 'InvalidDateTimeStyles');
    assert.deepEqual(diagnose('FormatDateTime([x], "AdjustToUniversal, AllowWhiteSpaces", "yyyy", "yyyy")'), []);
  });
  void test('RandomString constraints', () => {
    assert.match(only('RandomString(300, 0, 0, 0, 0)', 'InvalidRandomString').message, /exceeds the maximum of 256/);
    assert.match(only('RandomString(3, 2, 2, 0, 0)', 'InvalidRandomString').message, /smaller than the sum of the minimums \(4\)/);
    assert.match(only('RandomString(3, 1, 0, 0, 0, "0123456789")', 'InvalidRandomString').message, /every numbers character/);
  });
  void test('Item indexes start at 1', () => {
    assert.equal(only('Item([a], 0)', 'IndexBase').severity, 'warning');
  });
});

void describe('Replace', () => {
  void test('no mode matches', () => {
    only('Replace([a])', 'InvalidReplaceArguments');
    only('Replace([a], "x")', 'InvalidReplaceArguments');
    only('Replace([a], , "x", "g")', 'InvalidReplaceArguments');
  });
  void test('arguments the mode ignores are warnings', () => {
    const d = only('Replace([a], "x", "y", , "z", , )', 'IgnoredArgument');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /argument 3 \(regexPattern\) is ignored/);
  });
  void test('regular expressions: invalid, untranslatable, unknown group', () => {
    assert.match(only('Replace([a], , "(", , "", , )', 'InvalidRegex').message, /Not enough \)/);
    only('Replace([a], , "\\\\G", , "", , )', 'UnsupportedRegex');
    assert.match(only('Replace([a], , "(?<x>a)", "y", "", , )', 'InvalidRegex').message, /no group named 'y'/);
    assert.deepEqual(diagnose('Replace([a], , "(?<x>a)", "x", "", , )'), []);
  });
});

void describe('attributes', () => {
  const attributes = ['givenName', 'surname', 'description'];
  void test('unknown attributes are errors when the schema is given', () => {
    const d = only('Join(" ", [givenName], [sn])', 'UnknownAttribute', { attributes });
    assert.match(d.message, /Unknown source attribute \[sn\] at line 1, column 24/);
  });
  void test('a different case is an error, naming the schema spelling', () => {
    const d = only('Replace([Description], "@domain.onmicrosoft.com", , , "@domain.com", , )', 'AttributeNameCase', { attributes });
    assert.match(d.message, /\[Description\] differs in case from the source attribute \[description\]/);
  });
  void test('case-only mode ignores absent attributes', () => {
    assert.deepEqual(diagnose('Join(" ", [givenName], [sn])', { attributes, attributeCheck: 'case-only' }), []);
    only('[GivenName]', 'AttributeNameCase', { attributes, attributeCheck: 'case-only' });
  });
  void test('without a schema attributes are not checked; appRoleAssignments is always known', () => {
    assert.deepEqual(diagnose('[whatever]'), []);
    assert.deepEqual(diagnose('SingleAppRoleAssignment([appRoleAssignments])', { attributes }), []);
  });
});

void describe('warnings', () => {
  void test('comparisons outside conditions, bare identifiers, unknown escapes', () => {
    assert.equal(only('Switch([a] = [b], "x")', 'ComparisonOutsideCondition').severity, 'warning');
    assert.deepEqual(diagnose('CBool([a] = [b])'), []);
    assert.equal(only('Join(",", True)', 'BareIdentifier').severity, 'warning');
    const warnings: ParseWarning[] = [];
    const tree = parse('Join("", "\\d")', { warnings });
    const d = check(tree, { parseWarnings: warnings });
    assert.equal(d.length, 1);
    assert.equal(d[0]?.code, 'UnknownEscape');
    assert.equal(hasErrors(d), false);
  });
});

void describe('compile runs the checker', () => {
  void test('and reports every problem', () => {
    assert.throws(
      () => compile(parse('Join(Foo(), Mid([a]))')),
      (e: unknown) =>
        e instanceof ExpressionError &&
        e.code === 'ValidationError' &&
        /and 1 more problem/.test(e.message) &&
        e.problems.map((p) => p.code).join() === 'UnknownFunction,TooFewArguments',
    );
  });
  void test('warnings are kept on the compiled expression', () => {
    const c = compile(parse('Item([a], 0)'));
    assert.deepEqual(c.warnings.map((w) => w.code), ['IndexBase']);
  });
  void test('schema checks through compile options', () => {
    assert.throws(() => compile(parse('[GivenName]'), { attributes: ['givenName'] }), /differs in case/);
  });
});
