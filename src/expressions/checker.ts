/**
 * Static checks of an expression tree: unknown functions, arity (per the
 * catalog's min/max), empty required slots, Switch pairs, SelectUniqueValue
 * placement, Replace modes, literal arguments that can never work (regexes,
 * date formats, intervals, numbers, cultures), and — given the source
 * schema's attribute names — unknown attributes and wrong-case names.
 */
import type { Expr, FunctionCallNode } from './ast.ts';
import { lookupFunction } from './catalog.ts';
import type { FunctionSpec } from './catalog.ts';
import { DateFormatError, isDateInterval, parseDateTimeStyles, tokenizeFormat } from './datetime.ts';
import { RegexTranslationError, translateRegex } from './dotnet-regex.ts';
import type { SourcePosition, SourceSpan } from './errors.ts';
import { describePosition } from './errors.ts';
import { REPLACE_MODE_SLOTS, REPLACE_SLOTS, replaceMode } from './functions/replace.ts';
import { randomStringProblem } from './functions/random.ts';
import { canonicalCulture } from './functions/text.ts';
import type { ParseWarning } from './parser.ts';

export type DiagnosticSeverity = 'error' | 'warning';

export type DiagnosticCode =
  | 'UnknownFunction'
  | 'TooFewArguments'
  | 'TooManyArguments'
  | 'MissingArgument'
  | 'EmptyRepeatingArgument'
  | 'UnpairedSwitchValue'
  | 'NotTopLevel'
  | 'UnknownAttribute'
  | 'AttributeNameCase'
  | 'InvalidRegex'
  | 'UnsupportedRegex'
  | 'InvalidReplaceArguments'
  | 'IgnoredArgument'
  | 'InvalidNumber'
  | 'InvalidInterval'
  | 'InvalidCompareType'
  | 'InvalidDateTimeStyles'
  | 'InvalidDateFormat'
  | 'InvalidCulture'
  | 'InvalidRandomString'
  | 'IndexBase'
  | 'ComparisonOutsideCondition'
  | 'BareIdentifier'
  | 'UnknownEscape';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: DiagnosticSeverity;
  /** What is wrong and where ("… at line 1, column 5"). */
  readonly message: string;
  readonly span: SourceSpan | null;
  readonly position: SourcePosition | null;
}

export interface CheckOptions {
  /**
   * Names of the source object's attributes. When given, references are
   * matched case-sensitively (as Entra does: a wrong case is `SchemaInvalid`).
   */
  readonly attributes?: Iterable<string>;
  /**
   * `all` (default): unknown attributes and wrong-case names are errors.
   * `case-only`: the names come from sample data, where an absent attribute
   * is simply null, so only wrong-case names are reported.
   */
  readonly attributeCheck?: 'all' | 'case-only';
  /** Lexer warnings from `parse(text, { warnings })`, merged into the result. */
  readonly parseWarnings?: readonly ParseWarning[];
}

/** Attributes every source has without being in its schema (supplied by the engine). */
const IMPLICIT_ATTRIBUTES = new Set(['appRoleAssignments']);

const INTEGER_TEXT = /^\s*[+-]?[0-9]+\s*$/;

class Checker {
  readonly out: Diagnostic[] = [];
  private readonly exact: Set<string> | null;
  private readonly lower: Map<string, string> | null;

  constructor(private readonly options: CheckOptions) {
    if (options.attributes) {
      this.exact = new Set(options.attributes);
      this.lower = new Map();
      for (const a of this.exact) if (!this.lower.has(a.toLowerCase())) this.lower.set(a.toLowerCase(), a);
    } else {
      this.exact = null;
      this.lower = null;
    }
  }

  report(code: DiagnosticCode, severity: DiagnosticSeverity, message: string, node: { span: SourceSpan | null } | null): void {
    const span = node?.span ?? null;
    const where = span ? ` at ${describePosition(span.start)}` : '';
    this.out.push(Object.freeze({ code, severity, message: message + where, span, position: span?.start ?? null }));
  }

  visit(node: Expr, parent: Expr | null, isRoot: boolean): void {
    switch (node.kind) {
      case 'FunctionCall':
        this.call(node, isRoot);
        node.args.forEach((a) => {
          if (a) this.visit(a, node, false);
        });
        return;
      case 'Comparison': {
        const inCondition =
          parent?.kind === 'FunctionCall' &&
          ((parent.name === 'IIF' && parent.args[0] === node) || parent.name === 'CBool');
        if (!inCondition) {
          this.report(
            'ComparisonOutsideCondition',
            'warning',
            `Comparison '${node.operator}' outside an IIF condition or CBool yields "True"/"False"`,
            node,
          );
        }
        this.visit(node.left, node, false);
        this.visit(node.right, node, false);
        return;
      }
      case 'Attribute':
        this.attribute(node.name, node);
        return;
      case 'Identifier': {
        const ok = parent?.kind === 'FunctionCall' && parent.name === 'InStr' && parent.args[3] === node;
        if (!ok) {
          this.report('BareIdentifier', 'warning', `Bare identifier '${node.name}' is read as the string "${node.name}"; quote it`, node);
        }
        return;
      }
      default:
        return;
    }
  }

  private attribute(name: string, node: Expr): void {
    if (!this.exact || !this.lower || IMPLICIT_ATTRIBUTES.has(name) || this.exact.has(name)) return;
    const canonical = this.lower.get(name.toLowerCase());
    if (canonical !== undefined) {
      this.report(
        'AttributeNameCase',
        'error',
        `Attribute [${name}] differs in case from the source attribute [${canonical}]; attribute names are case-sensitive`,
        node,
      );
    } else if ((this.options.attributeCheck ?? 'all') === 'all') {
      this.report('UnknownAttribute', 'error', `Unknown source attribute [${name}]`, node);
    }
  }

  private call(node: FunctionCallNode, isRoot: boolean): void {
    const { spec, suggestion } = lookupFunction(node.name);
    if (!spec) {
      const hint = suggestion ? ` (function names are case-sensitive: did you mean ${suggestion}?)` : '';
      this.report('UnknownFunction', 'error', `Unknown function '${node.name}'${hint}`, node);
      return;
    }
    if (spec.topLevelOnly && !isRoot) {
      this.report('NotTopLevel', 'error', `${spec.name} must be the outermost function of the expression; it cannot be nested`, node);
    }
    if (!this.arity(node, spec)) return;
    this.literals(node, spec);
  }

  private paramList(spec: FunctionSpec): string {
    return spec.parameters.map((p) => (p.required ? p.name : `[${p.name}]`)).join(', ');
  }

  /** Arity and empty-slot checks; false when the call is too malformed for further checks. */
  private arity(node: FunctionCallNode, spec: FunctionSpec): boolean {
    const n = node.args.length;
    if (spec.name === 'FormatDateTime' && n === 3) {
      this.report(
        'TooFewArguments',
        'error',
        'FormatDateTime takes 4 arguments (source, dateTimeStyles, inputFormat, outputFormat); the 3-argument form is outdated: add an empty second argument, e.g. FormatDateTime([x], , "yyyyMMdd", "yyyy-MM-dd")',
        node,
      );
      return false;
    }
    if (n < spec.minArgs) {
      this.report('TooFewArguments', 'error', `${spec.name} needs at least ${spec.minArgs} argument(s) (${this.paramList(spec)}), got ${n}`, node);
      return false;
    }
    if (n > spec.maxArgs) {
      this.report('TooManyArguments', 'error', `${spec.name} takes at most ${spec.maxArgs} argument(s) (${this.paramList(spec)}), got ${n}`, node);
      return false;
    }
    let ok = true;
    spec.parameters.forEach((p, i) => {
      if (!p.repeating && p.required && node.args[i] === null) {
        this.report('MissingArgument', 'error', `${spec.name}: required argument ${i + 1} (${p.name}) is empty`, node);
        ok = false;
      }
    });
    const repIndex = spec.parameters.findIndex((p) => p.repeating);
    if (repIndex >= 0) {
      // Trailing empty slots are "not supplied"; an empty slot before a supplied one would shift the rest.
      let last = n - 1;
      while (last >= repIndex && node.args[last] === null) last--;
      for (let i = repIndex; i <= last; i++) {
        if (node.args[i] === null) {
          this.report('EmptyRepeatingArgument', 'error', `${spec.name}: argument ${i + 1} is empty`, node);
          ok = false;
        }
      }
      const count = last - repIndex + 1;
      if (spec.parameters[repIndex]?.required && count < 1) {
        this.report('TooFewArguments', 'error', `${spec.name} needs at least one ${spec.parameters[repIndex]?.name}`, node);
        ok = false;
      }
      if (spec.minArgs > repIndex + 1 && count < spec.minArgs - repIndex) {
        this.report('TooFewArguments', 'error', `${spec.name} needs at least ${spec.minArgs} non-empty argument(s)`, node);
        ok = false;
      }
      if (spec.pairs && count % 2 !== 0) {
        this.report(
          'UnpairedSwitchValue',
          'error',
          `${spec.name}: keys and values must come in pairs after source and defaultValue; the last key has no value`,
          node,
        );
        ok = false;
      }
    }
    return ok;
  }

  private literal(node: FunctionCallNode, i: number): string | undefined {
    const a = node.args[i];
    if (!a) return undefined;
    if (a.kind === 'String') return a.value;
    if (a.kind === 'Number') return a.text;
    if (a.kind === 'Hex') return BigInt('0x' + a.digits).toString();
    if (a.kind === 'Identifier') return a.name;
    return undefined;
  }

  private literals(node: FunctionCallNode, spec: FunctionSpec): void {
    // Integer parameters given a literal that is not an integer.
    spec.parameters.forEach((p, i) => {
      if (p.type !== 'Integer' || p.repeating) return;
      const a = node.args[i];
      const v = this.literal(node, i);
      if (a && v !== undefined && (a.kind === 'Identifier' || !INTEGER_TEXT.test(v))) {
        this.report('InvalidNumber', 'error', `${spec.name}: argument ${i + 1} (${p.name}) must be an integer, got ${JSON.stringify(v)}`, a);
      }
    });
    switch (spec.name) {
      case 'DateAdd':
      case 'DateDiff': {
        const v = this.literal(node, 0);
        if (v !== undefined && !isDateInterval(v)) {
          this.report('InvalidInterval', 'error', `${spec.name}: '${v}' is not an interval (yyyy, q, m, y, d, w, ww, h, n, s)`, node.args[0] ?? null);
        }
        return;
      }
      case 'InStr': {
        const v = this.literal(node, 3);
        if (v !== undefined && !['vbBinaryCompare', 'vbTextCompare', '0', '1', ''].includes(v)) {
          this.report('InvalidCompareType', 'error', `InStr: compareType must be vbBinaryCompare or vbTextCompare, got '${v}'`, node.args[3] ?? null);
        }
        return;
      }
      case 'Item': {
        const v = this.literal(node, 1);
        if (v !== undefined && INTEGER_TEXT.test(v) && Number(v) < 1) {
          this.report('IndexBase', 'warning', `Item: indexes start at 1; index ${v.trim()} is always out of range`, node.args[1] ?? null);
        }
        return;
      }
      case 'FormatDateTime':
        this.formatDateTime(node);
        return;
      case 'ToLower':
      case 'ToUpper': {
        const v = this.literal(node, 1);
        if (v !== undefined && v !== '' && canonicalCulture(v) === null) {
          this.report('InvalidCulture', 'error', `${spec.name}: '${v}' is not a culture name (RFC 4646, e.g. en-US)`, node.args[1] ?? null);
        }
        return;
      }
      case 'RandomString':
        this.randomString(node);
        return;
      case 'Replace':
        this.replace(node);
        return;
      default:
        return;
    }
  }

  private formatDateTime(node: FunctionCallNode): void {
    const styles = this.literal(node, 1);
    if (styles !== undefined) {
      try {
        parseDateTimeStyles(styles);
      } catch (e) {
        if (!(e instanceof DateFormatError)) throw e;
        this.report('InvalidDateTimeStyles', 'error', `FormatDateTime: ${e.message}`, node.args[1] ?? null);
      }
    }
    for (const i of [2, 3]) {
      const f = this.literal(node, i);
      if (f === undefined) continue;
      try {
        tokenizeFormat(f);
      } catch (e) {
        if (!(e instanceof DateFormatError)) throw e;
        this.report('InvalidDateFormat', 'error', `FormatDateTime: ${e.message}`, node.args[i] ?? null);
      }
    }
  }

  private randomString(node: FunctionCallNode): void {
    const vals = [0, 1, 2, 3, 4].map((i) => this.literal(node, i));
    if (vals.some((v) => v === undefined || !INTEGER_TEXT.test(v))) return;
    const [length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase] = vals.map(Number) as [number, number, number, number, number];
    const avoid = this.literal(node, 5);
    if (node.args[5] && avoid === undefined) return;
    const problem = randomStringProblem({ length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase, charactersToAvoid: avoid ?? '' });
    if (problem) this.report('InvalidRandomString', 'error', `RandomString: ${problem}`, node);
  }

  private replace(node: FunctionCallNode): void {
    const has = (i: number): boolean => node.args[i] != null;
    const mode = replaceMode(has);
    if (mode === null) {
      this.report(
        'InvalidReplaceArguments',
        'error',
        'Replace: the supplied arguments match no documented mode; supply oldValue + replacementValue, oldValue + template, regexPattern + replacementValue, regexPattern + regexGroupName + replacementValue, or regexPattern + regexGroupName + replacementAttributeName',
        node,
      );
      return;
    }
    const names = ['source', 'oldValue', 'regexPattern', 'regexGroupName', 'replacementValue', 'replacementAttributeName', 'template'];
    for (let i = 1; i < 7; i++) {
      if (has(i) && !REPLACE_MODE_SLOTS[mode].includes(i)) {
        this.report('IgnoredArgument', 'warning', `Replace: argument ${i + 1} (${names[i]}) is ignored in this mode`, node.args[i] ?? null);
      }
    }
    const pattern = this.literal(node, REPLACE_SLOTS.regexPattern);
    if (pattern === undefined || !REPLACE_MODE_SLOTS[mode].includes(REPLACE_SLOTS.regexPattern)) return;
    try {
      const t = translateRegex(pattern);
      const group = this.literal(node, REPLACE_SLOTS.regexGroupName);
      if (group !== undefined && REPLACE_MODE_SLOTS[mode].includes(REPLACE_SLOTS.regexGroupName)) {
        const known = /^[0-9]+$/.test(group) ? t.numbers.has(Number(group)) : t.names.has(group);
        if (!known) this.report('InvalidRegex', 'error', `Replace: the regular expression has no group named '${group}'`, node.args[3] ?? null);
      }
    } catch (e) {
      if (!(e instanceof RegexTranslationError)) throw e;
      this.report(e.unsupported ? 'UnsupportedRegex' : 'InvalidRegex', 'error', `Replace: regular expression ${JSON.stringify(pattern)}: ${e.message}`, node.args[2] ?? null);
    }
  }
}

/**
 * Checks an expression. Returns every finding (errors and warnings), each
 * with its position; an empty array means the expression is valid.
 */
export function check(expr: Expr, options: CheckOptions = {}): Diagnostic[] {
  const c = new Checker(options);
  for (const w of options.parseWarnings ?? []) c.report(w.code, 'warning', w.message, { span: w.span });
  c.visit(expr, null, true);
  return c.out;
}

/** True when a diagnostics list has at least one error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
