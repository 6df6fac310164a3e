/**
 * Graph's `POST …/schema/parseExpression`, as a pure function the HTTP route calls:
 * request body in, `parseExpressionResponse` out.
 *
 * - `parsingSucceeded`: the text parses and passes the structural checks
 *   (known function, arity, Switch pairs, Replace mode, literal regexes and formats).
 *   `parsedExpression` is then its attributeMappingSource (Graph's own example
 *   is reproduced exactly, including the re-serialized `expression`).
 * - Evaluation runs only with a `testInputObject`; its `properties` are the
 *   source object. Without it, `evaluationSucceeded` is false and
 *   `evaluationResult` empty (Graph collections are never null), with no error.
 * - `evaluationResult` is every value as a string (`["EN_US"]`); a null
 *   result and IgnoreFlowIfNullOrEmpty's "drop the attribute" are `[]`.
 * - `error` is a Graph publicError: `code` (InvalidExpression,
 *   ExpressionValidationFailed, ExpressionEvaluationFailed), `message` saying
 *   what and where, `target` the position ("line 1, column 9"), `details` one
 *   entry per problem.
 */
import type { AttributeType } from './catalog.ts';
import { check } from './checker.ts';
import type { Diagnostic } from './checker.ts';
import { compile } from './compiler.ts';
import type { CompiledExpression } from './compiler.ts';
import { EvaluationError, ExpressionError, describePosition } from './errors.ts';
import type { SourcePosition } from './errors.ts';
import { toMappingSource } from './mapping-source.ts';
import type { AttributeMappingSource } from './mapping-source.ts';
import { parse } from './parser.ts';
import type { ParseWarning } from './parser.ts';
import type { Expr } from './ast.ts';
import type { AppRoleAssignmentInput, EvaluationContext, RandomSource, UniquenessProbe } from './runtime.ts';
import { valueToStrings } from './values.ts';
import type { EvaluationResult } from './values.ts';

/** Graph `attributeDefinition` (the members parseExpression reads). */
export interface AttributeDefinitionLike {
  readonly name?: string | null;
  readonly type?: AttributeType | string | null;
  readonly multivalued?: boolean | null;
}

/** Graph `expressionInputObject`. */
export interface ExpressionInputObject {
  readonly definition?: { readonly name?: string | null; readonly attributes?: readonly AttributeDefinitionLike[] | null } | null;
  readonly properties?: readonly { readonly key: string; readonly value?: unknown }[] | null;
}

/** The request body of parseExpression. */
export interface ParseExpressionRequest {
  readonly expression: string;
  readonly testInputObject?: ExpressionInputObject | null;
  readonly targetAttributeDefinition?: AttributeDefinitionLike | null;
}

/** Graph `publicErrorDetail`. */
export interface PublicErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly target: string | null;
}

/** Graph `publicError`. */
export interface PublicError {
  readonly code: string;
  readonly message: string;
  readonly target: string | null;
  readonly details: readonly PublicErrorDetail[];
  readonly innerError: null;
}

/** Graph `parseExpressionResponse`. */
export interface ParseExpressionResponse {
  readonly error: PublicError | null;
  readonly evaluationResult: readonly string[];
  readonly evaluationSucceeded: boolean;
  readonly parsedExpression: AttributeMappingSource | null;
  readonly parsingSucceeded: boolean;
}

/** What the engine supplies for the test evaluation. */
export interface ParseExpressionOptions {
  readonly now?: EvaluationContext['now'];
  /** SelectUniqueValue's probe; without one every candidate is unique. */
  readonly isUnique?: UniquenessProbe;
  readonly defaultDomain?: string;
  readonly random?: RandomSource;
  readonly appRoleAssignments?: readonly (AppRoleAssignmentInput | string)[];
}

const ATTRIBUTE_CODES = new Set(['UnknownAttribute', 'AttributeNameCase']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function invalid(message: string, target: string): never {
  throw new ExpressionError('InvalidRequest', message, null, target);
}

/**
 * Checks the shape of a parseExpression request body.
 * @throws {ExpressionError} `InvalidRequest` with `target` naming the bad member (answer 400).
 */
export function readParseExpressionRequest(body: unknown): ParseExpressionRequest {
  if (!isRecord(body)) invalid('The request body must be a JSON object', 'body');
  if (typeof body.expression !== 'string') invalid("'expression' is required and must be a string", 'expression');
  const t = body.testInputObject;
  if (t !== undefined && t !== null) {
    if (!isRecord(t)) invalid("'testInputObject' must be an expressionInputObject", 'testInputObject');
    if (t.properties !== undefined && t.properties !== null) {
      if (!Array.isArray(t.properties)) invalid("'testInputObject.properties' must be an array", 'testInputObject.properties');
      t.properties.forEach((p: unknown, i) => {
        if (!isRecord(p) || typeof p.key !== 'string') invalid(`'testInputObject.properties[${i}]' must be { key, value }`, `testInputObject.properties[${i}]`);
      });
    }
    if (t.definition !== undefined && t.definition !== null) {
      if (!isRecord(t.definition)) invalid("'testInputObject.definition' must be an objectDefinition", 'testInputObject.definition');
      const attrs = t.definition.attributes;
      if (attrs !== undefined && attrs !== null && !Array.isArray(attrs)) invalid("'testInputObject.definition.attributes' must be an array", 'testInputObject.definition.attributes');
    }
  }
  const target = body.targetAttributeDefinition;
  if (target !== undefined && target !== null && !isRecord(target)) invalid("'targetAttributeDefinition' must be an attributeDefinition", 'targetAttributeDefinition');
  return body as unknown as ParseExpressionRequest;
}

function positionTarget(p: SourcePosition | null): string | null {
  return p ? describePosition(p) : null;
}

function publicError(code: string, message: string, position: SourcePosition | null, details: readonly PublicErrorDetail[] = []): PublicError {
  return { code, message, target: positionTarget(position), details, innerError: null };
}

function fromDiagnostics(code: string, diagnostics: readonly Diagnostic[]): PublicError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0] as Diagnostic;
  const message = errors.length === 1 ? first.message : `${first.message} (and ${errors.length - 1} more problem(s))`;
  return publicError(
    code,
    message,
    first.position,
    errors.map((d) => ({ code: d.code, message: d.message, target: positionTarget(d.position) })),
  );
}

function failedParse(error: PublicError): ParseExpressionResponse {
  return { error, evaluationResult: [], evaluationSucceeded: false, parsedExpression: null, parsingSucceeded: false };
}

/** Coerces test values to the declared attribute types ("true" for a Boolean, "12" for an Integer, one value for a multi-valued one). */
function coerce(value: unknown, def: AttributeDefinitionLike | undefined): unknown {
  if (!def) return value;
  let v = value;
  if (typeof v === 'string' && def.type === 'Boolean' && /^(true|false)$/i.test(v.trim())) v = v.trim().toLowerCase() === 'true';
  else if (typeof v === 'string' && def.type === 'Integer' && /^\s*-?[0-9]+\s*$/.test(v) && Number.isSafeInteger(Number(v))) v = Number(v);
  if (def.multivalued && v !== null && v !== undefined && !Array.isArray(v)) v = [v];
  return v;
}

interface Prepared {
  readonly response?: ParseExpressionResponse;
  readonly compiled?: CompiledExpression;
  readonly parsedExpression?: AttributeMappingSource;
  readonly ctx?: EvaluationContext;
  readonly request?: ParseExpressionRequest;
}

function prepare(body: unknown, options: ParseExpressionOptions): Prepared {
  const req = readParseExpressionRequest(body);
  const warnings: ParseWarning[] = [];
  let tree: Expr;
  try {
    tree = parse(req.expression, { warnings });
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    return { response: failedParse(publicError('InvalidExpression', e.message, e.position)) };
  }
  const input = req.testInputObject ?? null;
  const defAttrs = (input?.definition?.attributes ?? []).filter((a): a is AttributeDefinitionLike & { name: string } => typeof a?.name === 'string');
  const props = input?.properties ?? [];
  const names = defAttrs.length > 0 ? defAttrs.map((a) => a.name) : input ? props.map((p) => p.key) : undefined;
  const diagnostics = check(tree, {
    ...(names ? { attributes: names } : {}),
    attributeCheck: defAttrs.length > 0 ? 'all' : 'case-only',
    parseWarnings: warnings,
  });
  const structural = diagnostics.filter((d) => d.severity === 'error' && !ATTRIBUTE_CODES.has(d.code));
  if (structural.length > 0) return { response: failedParse(fromDiagnostics('InvalidExpression', structural)) };
  let compiled: CompiledExpression;
  let parsedExpression: AttributeMappingSource;
  try {
    compiled = compile(tree, { skipCheck: true });
    parsedExpression = toMappingSource(tree);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    return { response: failedParse(publicError('InvalidExpression', e.message, e.position)) };
  }
  const attributeErrors = diagnostics.filter((d) => d.severity === 'error' && ATTRIBUTE_CODES.has(d.code));
  if (attributeErrors.length > 0) {
    return {
      response: {
        error: fromDiagnostics('ExpressionValidationFailed', attributeErrors),
        evaluationResult: [],
        evaluationSucceeded: false,
        parsedExpression,
        parsingSucceeded: true,
      },
    };
  }
  if (!input) {
    return { response: { error: null, evaluationResult: [], evaluationSucceeded: false, parsedExpression, parsingSucceeded: true } };
  }
  const byName = new Map(defAttrs.map((a) => [a.name, a]));
  const source: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const p of props) source[p.key] = coerce(p.value, byName.get(p.key));
  const ctx: EvaluationContext = {
    source,
    ...(options.now ? { now: options.now } : {}),
    ...(options.isUnique ? { isUnique: options.isUnique } : {}),
    ...(options.defaultDomain !== undefined ? { defaultDomain: options.defaultDomain } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.appRoleAssignments ? { appRoleAssignments: options.appRoleAssignments } : {}),
  };
  return { compiled, parsedExpression, ctx, request: req };
}

function finish(p: Prepared, outcome: { value: EvaluationResult } | { error: unknown }): ParseExpressionResponse {
  const parsedExpression = p.parsedExpression ?? null;
  if ('error' in outcome) {
    const e = outcome.error;
    if (!(e instanceof EvaluationError) && !(e instanceof ExpressionError)) throw e;
    return {
      error: publicError('ExpressionEvaluationFailed', e.message, e.position),
      evaluationResult: [],
      evaluationSucceeded: false,
      parsedExpression,
      parsingSucceeded: true,
    };
  }
  const values = valueToStrings(outcome.value);
  const target = p.request?.targetAttributeDefinition;
  if (target && target.multivalued === false && values.length > 1) {
    return {
      error: publicError(
        'ExpressionEvaluationFailed',
        `The expression produced ${values.length} values but the target attribute${target.name ? ` '${target.name}'` : ''} is single-valued`,
        null,
      ),
      evaluationResult: [],
      evaluationSucceeded: false,
      parsedExpression,
      parsingSucceeded: true,
    };
  }
  return { error: null, evaluationResult: values, evaluationSucceeded: true, parsedExpression, parsingSucceeded: true };
}

/**
 * Answers a parseExpression request (synchronously: a uniqueness probe must be synchronous).
 * @param body the JSON request body as received.
 * @throws {ExpressionError} `InvalidRequest` when the body is malformed (answer 400); never for a bad expression.
 */
export function parseExpressionResponse(body: unknown, options: ParseExpressionOptions = {}): ParseExpressionResponse {
  const p = prepare(body, options);
  if (p.response) return p.response;
  const { compiled, ctx } = p as Required<Prepared>;
  try {
    return finish(p, { value: compiled.evaluate(ctx) });
  } catch (error) {
    return finish(p, { error });
  }
}

/** As {@link parseExpressionResponse}, awaiting an asynchronous uniqueness probe. */
export async function parseExpressionResponseAsync(body: unknown, options: ParseExpressionOptions = {}): Promise<ParseExpressionResponse> {
  const p = prepare(body, options);
  if (p.response) return p.response;
  const { compiled, ctx } = p as Required<Prepared>;
  try {
    return finish(p, { value: await compiled.evaluateAsync(ctx) });
  } catch (error) {
    return finish(p, { error });
  }
}
