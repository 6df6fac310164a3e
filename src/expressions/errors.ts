/**
 * Domain errors of the expression language. Everything the parser, checker,
 * compiler and evaluator throw is one of these two classes, so callers can
 * tell a bad expression (or bad data) from a bug with one `instanceof`.
 */

/** A place in the expression text. `line` and `column` are 1-based; `offset` is 0-based (UTF-16 units). */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** A half-open range `[start, end)` of the expression text. */
export interface SourceSpan {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

/** Stable codes of {@link ExpressionError}. */
export type ExpressionErrorCode =
  | 'SyntaxError'
  | 'ExpressionTooLong'
  | 'NestingTooDeep'
  | 'ValidationError'
  | 'InvalidMappingSource'
  | 'InvalidFilter'
  | 'InvalidRegex'
  | 'InvalidRequest';

/** The expression (or a mapping source / filter built from it) is malformed or invalid. */
export class ExpressionError extends Error {
  readonly code: ExpressionErrorCode;
  /** Where in the expression text, when the error has a place there. */
  readonly position: SourcePosition | null;
  /** What the error is about when it is not a text position (a JSON path, a filter clause, …). */
  readonly target: string | null;
  /** For `ValidationError`: the stable code of every problem found (e.g. `UnknownFunction`). */
  readonly problems: readonly { readonly code: string; readonly message: string; readonly position: SourcePosition | null }[];

  constructor(
    code: ExpressionErrorCode,
    message: string,
    position: SourcePosition | null = null,
    target: string | null = null,
    problems: readonly { readonly code: string; readonly message: string; readonly position: SourcePosition | null }[] = [],
  ) {
    super(message);
    this.name = 'ExpressionError';
    this.code = code;
    this.position = position;
    this.target = target;
    this.problems = problems;
  }
}

/** Stable codes of {@link EvaluationError}. */
export type EvaluationErrorCode =
  | 'InvalidArgument'
  | 'InvalidNumber'
  | 'InvalidDate'
  | 'InvalidFormat'
  | 'IndexOutOfRange'
  | 'MultiValuedArgument'
  | 'NullInCondition'
  | 'NoUniqueValue'
  | 'MissingContext'
  | 'AsyncProbe'
  | 'RegexFailure';

/** Evaluating a valid expression against one source object failed (bad data, escrow, missing context). */
export class EvaluationError extends Error {
  readonly code: EvaluationErrorCode;
  /** The function or construct that failed, e.g. `Item` or `IIF`. */
  readonly functionName: string | null;
  /** Where that function call starts in the expression text. */
  readonly position: SourcePosition | null;

  constructor(code: EvaluationErrorCode, message: string, functionName: string | null = null, position: SourcePosition | null = null) {
    super(message);
    this.name = 'EvaluationError';
    this.code = code;
    this.functionName = functionName;
    this.position = position;
  }
}

/** "line 3, column 7" — the wording every message uses for a position. */
export function describePosition(p: SourcePosition): string {
  return `line ${p.line}, column ${p.column}`;
}
