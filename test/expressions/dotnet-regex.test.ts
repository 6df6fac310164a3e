/** .NET regular expressions on JavaScript: translation, numbering, substitutions, refusals. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegexTranslationError, translateRegex } from '../../src/expressions/index.ts';
import { firstGroupValue, isMatch, regexReplace, replaceGroup } from '../../src/expressions/dotnet-regex.ts';

const rr = (pattern: string, input: string, replacement: string): string => regexReplace(translateRegex(pattern), input, replacement);
const m = (pattern: string, input: string): boolean => isMatch(translateRegex(pattern), input);

void describe('translation', () => {
  void test('identity escapes that the u flag would reject', () => {
    assert.equal(rr('[\\/\\\\\\[\\]\\:\\;\\|\\=\\,\\+\\*\\?\\<\\>]', 'a/b\\c[d]e:f;g|h=i,j+k*l?m<n>o', ''), 'abcdefghijklmno');
    assert.ok(m('.*\\@domain.com', 'john@domain.com'));
  });
  void test('\\d, \\w, \\s and \\b are Unicode-aware', () => {
    assert.equal(rr('\\d+', 'a١٢٣b', '#'), 'a#b');
    assert.equal(rr('\\w+', 'héllo wörld_1', 'W'), 'W W');
    assert.equal(rr('\\s', 'a\u00A0b\u0085c', '_'), 'a_b_c');
    assert.equal(rr('\\bé', 'é xé', '#'), '# xé');
    assert.equal(rr('[^\\W\\d]', 'a1é', '.'), '.1.');
    assert.equal(rr('\\p{Lu}', 'aÉb', '#'), 'a#b');
    assert.equal(rr('[\\P{L}]', 'a1b', '#'), 'a#b');
  });
  void test('. $ ^ and anchors follow .NET', () => {
    assert.equal(rr('a.c', 'a\nc a\rc', 'X'), 'a\nc X');
    assert.equal(rr('x$', 'x\n', 'E'), 'E\n');
    assert.equal(rr('(?m)^a', 'a\na\ra', 'B'), 'B\nB\ra');
    assert.equal(rr('(?m)a$', 'a\r\na\n', 'B'), 'a\r\nB\n');
    assert.equal(rr('(?s)a.c', 'a\nc', 'X'), 'X');
    assert.equal(rr('\\Aa', 'aa', 'X'), 'Xa');
    assert.equal(rr('a\\z', 'aa\n', 'X'), 'aa\n');
    assert.equal(rr('a\\Z', 'aa\n', 'X'), 'aX\n');
  });
  void test('options: leading (?i), x, n, scoped and inline', () => {
    assert.equal(rr('(?i)abc', 'ABC abc', 'z'), 'z z');
    assert.equal(rr('(?x) a b # comment\n c [ ]', 'abc ', 'Z'), 'Z');
    assert.equal(rr('(?n)(a)(?<b>b)', 'ab', '[$1|${b}]'), '[b|b]');
    assert.equal(rr('(?s:a.)b(?-s).', 'a\nbc', 'X'), 'X');
    assert.equal(rr('(?#note)a', 'a', 'X'), 'X');
    assert.equal(translateRegex('abc', true).flags, 'i');
  });
  void test('.NET group numbering: unnamed first, then named', () => {
    assert.equal(rr('(?<a>x)(y)', 'xy', '$1-$2-${a}'), 'y-x-x');
    assert.equal(rr("(?'q'x)\\k'q'", 'xx', '#'), '#');
    assert.equal(rr('(?<a>x)(y)\\2\\1', 'xyxy', '#'), '#');
  });
  void test('atomic groups and class subtraction', () => {
    assert.equal(rr('(?>a+)b', 'aaab', '<$0>'), '<aaab>');
    assert.ok(!m('^(?>a*)a$', 'aaa'), 'an atomic group gives nothing back');
    assert.equal(rr('[a-z-[aeiou]]+', 'hello world', '#'), '#e#o #o#');
    assert.equal(rr('[a-z-[b-y-[c]]]', 'abcz', '#'), '#b##');
  });
  void test('control, octal and escape letters', () => {
    assert.equal(rr('\\e\\a\\x41\\u0042\\0101\\cJ', '\x1B\x07AB\b1\n', 'ok'), 'ok');
    assert.equal(rr('\\101\\1011', 'AA1', 'ok'), 'ok');
    assert.equal(rr('[\\b]', 'a\bb', '_'), 'a_b');
  });
  void test('zero-width matches advance one unit, as .NET', () => {
    assert.equal(rr('[a-zA-Z_]*', 'john_doe72', ''), '72');
    assert.equal(rr('', 'ab', '-'), '-a-b-');
  });
});

void describe('substitutions', () => {
  void test('every .NET substitution', () => {
    assert.equal(rr('b', 'abc', '$$'), 'a$c');
    assert.equal(rr('b', 'abc', '$&$0'), 'abbc');
    assert.equal(rr('b', 'abc', "$`$'"), 'aacc');
    assert.equal(rr('(b)(c)?', 'abd', '[$+]'), 'a[]d');
    assert.equal(rr('b', 'abc', '$_'), 'aabcc');
    assert.equal(rr('(b)', 'abc', '$10'), 'ab0c');
    assert.equal(rr('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)', 'abcdefghij', '$10'), 'j');
    assert.equal(rr('(b)', 'abc', '${1}1'), 'ab1c');
    assert.equal(rr('(b)', 'abc', '$9 ${nope} $'), 'a$9 ${nope} $c');
    assert.equal(rr('(?<x>b)?c', 'ac', '[${x}]'), 'a[]');
  });
});

void describe('group helpers', () => {
  void test('replaceGroup and firstGroupValue', () => {
    const t = translateRegex('(?<streetNumber>^\\d*)');
    assert.equal(replaceGroup(t, '545 Tremont Street', 'streetNumber', '888'), '888 Tremont Street');
    assert.equal(firstGroupValue(translateRegex('(?<n>\\d+)'), 'ab 123 45', 'n'), '123');
    assert.equal(firstGroupValue(translateRegex('(?<n>\\d+)'), 'none', 'n'), null);
    assert.equal(firstGroupValue(translateRegex('(\\d)(\\d)'), '12', '2'), '2');
    assert.throws(() => replaceGroup(t, 'x', 'nope', ''), RegexTranslationError);
  });
});

void describe('refusals', () => {
  const refuse = (pattern: string, unsupported: boolean, message: RegExp): void => {
    assert.throws(
      () => translateRegex(pattern),
      (e: unknown) => e instanceof RegexTranslationError && e.unsupported === unsupported && message.test(e.message),
      pattern,
    );
  };
  void test('constructs JavaScript cannot express', () => {
    refuse('\\Ga', true, /\\G/);
    refuse('(?(a)b|c)', true, /Conditional/);
    refuse('(?<a-b>x)', true, /Balancing/);
    refuse('(?<2>x)', true, /numbered/);
    refuse('(?<a>x)(?<a>y)', true, /used twice/);
    refuse('\\p{IsGreek}', true, /block/);
    refuse('a(?i)b', true, /case sensitivity/);
    refuse('(?i:a)', true, /case sensitivity/);
  });
  void test('invalid .NET syntax, with a position', () => {
    refuse('(', false, /Not enough \)/);
    refuse('a)', false, /Too many \) \(at position 2/);
    refuse('[a', false, /Unterminated \[\] set/);
    refuse('\\q', false, /Unrecognized escape sequence \\q/);
    refuse('\\k<zz>', false, /undefined group name 'zz'/);
    refuse('\\5', false, /undefined group number 5/);
    refuse('a**', false, /Invalid regular expression/);
    refuse('\\p{Nope}', false, /Unknown Unicode category/);
    refuse('\\x4', false, /hexadecimal/);
    refuse('\\', false, /end of pattern/);
  });
  void test('translations are cached', () => {
    assert.equal(translateRegex('a+b'), translateRegex('a+b'));
  });
});
