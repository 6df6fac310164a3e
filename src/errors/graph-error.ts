/**
 * One registry of the errors Provisio answers with. Every error a client can
 * see has a stable `code` (Graph's own where Graph documents one), an HTTP
 * status, and is rendered as Graph's error body by the API's error plugin.
 */

export interface GraphErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly details: GraphErrorDetail[];
  /** Extra response headers (e.g. Retry-After on 429). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { target?: string; details?: GraphErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
    this.target = opts.target;
    this.details = opts.details ?? [];
    this.headers = opts.headers ?? {};
  }
}

/**
 * Factories for every error code in use. Codes follow Graph: directory-backed
 * resources (applications, servicePrincipals, users, groups) use the
 * `Request_*` family, the synchronization backend uses its own names.
 */
export const errors = {
  badRequest: (message: string, target?: string, details?: GraphErrorDetail[]) =>
    new GraphError(400, 'Request_BadRequest', message, { target, details }),
  invalidRequest: (message: string, target?: string, details?: GraphErrorDetail[]) =>
    new GraphError(400, 'invalidRequest', message, { target, details }),
  requestParameterInvalid: (message: string, target?: string) =>
    new GraphError(400, 'RequestParameterInvalid', message, { target }),
  unknownProperty: (property: string, type: string) =>
    new GraphError(400, 'Request_BadRequest', `Property '${property}' does not exist on type 'microsoft.graph.${type}'.`, {
      target: property,
    }),
  resourceNotFound: (kind: string, id: string) =>
    new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, {
      target: kind,
    }),
  /** Graph's code for a query it understands but will not run (unsupported operator, property or combination). */
  unsupportedQuery: (message: string, target?: string) => new GraphError(400, 'Request_UnsupportedQuery', message, { target }),
  /** A directory query feature Graph serves only with ConsistencyLevel: eventual and $count=true (Graph's own wording). */
  advancedQueryRequired: (what: string, target = '$filter') =>
    new GraphError(400, 'Request_UnsupportedQuery',
      `${what} is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
      { target }),
  itemNotFound: (message: string, target?: string) => new GraphError(404, 'itemNotFound', message, { target }),
  segmentNotFound: (segment: string) =>
    new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  noResource: (method: string, url: string) =>
    new GraphError(
      404,
      'UnknownError',
      JSON.stringify({ Message: `No HTTP resource was found that matches the request URI '${url}'.` }),
      { target: method },
    ),
  methodNotAllowed: (method: string, path: string) =>
    new GraphError(405, 'Request_BadRequest', `Method '${method}' is not allowed on '${path}'.`),
  unauthenticated: (message = 'Access token is empty.') => new GraphError(401, 'InvalidAuthenticationToken', message),
  forbidden: (needed: readonly string[]) =>
    new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', {
      details: [{ code: 'MissingPermission', message: `One of these permissions is required: ${needed.join(', ')}.` }],
    }),
  conflict: (message: string, target?: string) => new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', message, { target }),
  nameAlreadyExists: (message: string, target?: string) => new GraphError(409, 'nameAlreadyExists', message, { target }),
  notAllowed: (message: string) => new GraphError(409, 'notAllowed', message),
  payloadTooLarge: (limit: number) =>
    new GraphError(413, 'Request_EntityTooLarge', `The request body exceeds the maximum of ${limit} bytes.`),
  unsupportedMediaType: (contentType: string, expected: string) =>
    new GraphError(415, 'Request_UnsupportedMediaType', `Content-Type '${contentType}' is not supported; send '${expected}'.`),
  tooManyRequests: (retryAfterSeconds: number) =>
    new GraphError(429, 'TooManyRequests', 'Please retry again later.', {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    }),
  serviceUnavailable: (message = 'The service is temporarily unavailable.') =>
    new GraphError(503, 'serviceNotAvailable', message, { headers: { 'retry-after': '5' } }),
  internal: () => new GraphError(500, 'generalException', 'An internal server error occurred.'),
} as const;

export function isGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError;
}
