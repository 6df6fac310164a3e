/**
 * Provisio's attribute-mapping expression language and scoping filters
 * (the Microsoft Entra provisioning dialect). Pure: imports nothing else from src/.
 *
 * Typical use:
 *
 *   const compiled = compile(parse('Join(" ", [givenName], [surname])'));
 *   compiled.evaluate({ source: user });            // "John Doe"
 *
 * See docs/expression-language.md for the language, every function, and the
 * decisions taken where Microsoft's documentation is silent.
 */
export { ast, COMPARISON_OPERATORS, equalsIgnoringSpans, stripSpans, visit, walk } from './ast.ts';
export type {
  AttributeNode,
  ComparisonNode,
  ComparisonOperator,
  Expr,
  ExprKind,
  ExprVisitor,
  FunctionCallNode,
  HexNode,
  IdentifierNode,
  NumberNode,
  Operand,
  StringNode,
} from './ast.ts';
export { EvaluationError, ExpressionError, describePosition } from './errors.ts';
export type { EvaluationErrorCode, ExpressionErrorCode, SourcePosition, SourceSpan } from './errors.ts';
export { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, parse } from './parser.ts';
export type { ParseOptions, ParseWarning } from './parser.ts';
export { print, quoteString } from './printer.ts';
export { check, hasErrors } from './checker.ts';
export type { CheckOptions, Diagnostic, DiagnosticCode, DiagnosticSeverity } from './checker.ts';
export { compile } from './compiler.ts';
export type { CompileOptions, CompiledExpression } from './compiler.ts';
export type { AppRoleAssignmentInput, EvaluationContext, RandomSource, UniquenessProbe } from './runtime.ts';
export { DateTimeValue, IGNORE_FLOW, isIgnoreFlow, scalarToString, valueToStrings } from './values.ts';
export type { ComplexValue, DateTimeKind, EvaluationResult, IgnoreFlow, Scalar, Value } from './values.ts';
export {
  DOCUMENTED_FUNCTION_NAMES,
  FILTER_OPERATORS,
  FUNCTIONS,
  filterOperatorCatalog,
  functionCatalog,
  lookupFunction,
  lookupOperator,
} from './catalog.ts';
export type {
  AttributeMappingFunctionSchema,
  AttributeMappingParameterSchema,
  AttributeType,
  FilterOperatorSchema,
  FilterOperatorSpec,
  FunctionOrigin,
  FunctionSpec,
  OperatorOrigin,
  ParameterSpec,
  ScopeOperatorArity,
} from './catalog.ts';
export { fromMappingSource, toMappingSource } from './mapping-source.ts';
export type { AttributeMappingParameter, AttributeMappingSource, AttributeMappingSourceType } from './mapping-source.ts';
export { compileFilter, FILTER_GROUP_SETS, validateFilter } from './scoping.ts';
export type {
  ClauseExplanation,
  CompiledFilter,
  FilterAttribute,
  FilterClause,
  FilterDiagnostic,
  FilterDiagnosticCode,
  FilterExplanation,
  FilterGroup,
  FilterGroupSet,
  FilterOperand,
  GroupExplanation,
  ScopeSource,
  ScopingFilter,
  ValidateFilterOptions,
} from './scoping.ts';
export { parseExpressionResponse, parseExpressionResponseAsync, readParseExpressionRequest } from './graph-adapter.ts';
export type {
  AttributeDefinitionLike,
  ExpressionInputObject,
  ParseExpressionOptions,
  ParseExpressionRequest,
  ParseExpressionResponse,
  PublicError,
  PublicErrorDetail,
} from './graph-adapter.ts';
export { translateRegex, RegexTranslationError } from './dotnet-regex.ts';
export type { TranslatedRegex } from './dotnet-regex.ts';

import { compile as compileExpr } from './compiler.ts';
import type { CompileOptions as Options, CompiledExpression as Compiled } from './compiler.ts';
import { parse as parseText } from './parser.ts';

/**
 * Parses and compiles in one step.
 * @throws {ExpressionError} for syntax or validation errors.
 */
export function compileExpression(text: string, options: Options = {}): Compiled {
  return compileExpr(parseText(text), options);
}
