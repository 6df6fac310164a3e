/**
 * Target errors: the class of an error decides what the engine does next
 * (ARCHITECTURE.md "Habits"; authentik's outbound-sync taxonomy, see
 * design/model-codebases.md §2.5):
 *
 * | class                   | engine's next step                                   |
 * |-------------------------|------------------------------------------------------|
 * | `TransientTargetError`  | retry within the cycle, then escrow; honour `retryAfterMs` |
 * | `RejectedTargetError`   | escrow this object, carry on with the others         |
 * | `NotFoundTargetError`   | drop the link, match/create again                    |
 * | `ConflictTargetError`   | look the object up by its matching attribute, link it |
 * | `StopRunError`          | stop the run, quarantine the job (`quarantineReason`) |
 * | `DryRunRefusedError`    | plan mode: record the request that would have been sent |
 *
 * Only the connectors map HTTP onto these classes; the engine never sees a
 * status code. `code` is the error code Entra writes into provisioning logs
 * (entra-behavior.md §5.2) so that logs read the same.
 *
 * Errors carry a summary of the request and of the target's response (body
 * truncated to {@link MAX_BODY_CHARS}) but never request headers, so the
 * bearer token cannot leak through an error; the client also redacts the
 * token from response bodies before they get here.
 */

/** Discriminant of the target error classes; switch on it exhaustively. */
export type TargetErrorKind = 'transient' | 'rejected' | 'notFound' | 'conflict' | 'stopRun' | 'dryRun';

/** Longest body excerpt kept in an error (requests and responses alike). */
export const MAX_BODY_CHARS = 2048;

/** What was sent: enough to reproduce the call in a log, never the headers. */
export interface TargetRequestSummary {
  /** HTTP method, upper case. */
  method: string;
  /** Path and query relative to the origin, e.g. `/scim/v2/Users?filter=…`. */
  path: string;
  /** JSON body as sent, truncated to {@link MAX_BODY_CHARS}. */
  body?: string;
}

/** What the target answered. */
export interface TargetResponseSummary {
  status: number;
  /** RFC 7644 §3.12 `scimType` of a SCIM error body, when there was one. */
  scimType?: string;
  /** RFC 7644 §3.12 `detail` of a SCIM error body, when there was one. */
  detail?: string;
  /** Raw body, truncated to {@link MAX_BODY_CHARS}. */
  body?: string;
}

export interface TargetErrorOptions {
  request?: TargetRequestSummary;
  response?: TargetResponseSummary;
  cause?: unknown;
}

/** Cuts a text to `max` characters, marking the cut. */
export function truncate(text: string, max = MAX_BODY_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more characters)`;
}

// .NET HttpStatusCode names, because Entra's error text prints them
// ("StatusCode: Conflict", entra-behavior.md §5.1).
const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  408: 'RequestTimeout', 409: 'Conflict', 412: 'PreconditionFailed', 413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType', 422: 'UnprocessableEntity', 429: 'TooManyRequests', 500: 'InternalServerError',
  501: 'NotImplemented', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout',
};

/** Base class of every error a target port may throw. */
export abstract class TargetError extends Error {
  abstract readonly kind: TargetErrorKind;
  /** Entra-compatible error code for provisioning logs (e.g. `SystemForCrossDomainIdentityManagementBadRequest`). */
  readonly code: string;
  readonly request: TargetRequestSummary | undefined;
  readonly response: TargetResponseSummary | undefined;

  constructor(code: string, message: string, opts: TargetErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.request = opts.request;
    this.response = opts.response;
  }

  /** HTTP status of the target's answer, if it answered. */
  get status(): number | undefined {
    return this.response?.status;
  }

  /**
   * The failure in the text format Entra uses for `errorInformation.reason`
   * (entra-behavior.md §5.1), so that tooling that parses it keeps working.
   */
  entraReason(): string {
    const status = this.response?.status;
    const name = status === undefined ? this.code : (STATUS_NAMES[status] ?? String(status));
    const web = this.response?.body ?? '';
    return (
      `StatusCode: ${name}\r\nMessage: Processing of the HTTP request resulted in an exception. ` +
      `Please see the HTTP response returned by the 'Response' property of this exception for details.\r\n` +
      `Web Response: ${web}`
    );
  }

  /** A plain object for logs and JSON (no stack, no headers). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, code: this.code, message: this.message, request: this.request, response: this.response };
  }
}

/**
 * The target could not serve the request now: 429, 5xx, a timeout, a reset
 * connection. The client has already retried it (bounded); the engine tries
 * the object again in a later pass of the same cycle, not before
 * `retryAfterMs`, and escrows it when the passes are used up.
 */
export class TransientTargetError extends TargetError {
  readonly kind = 'transient' as const;
  /** The wait the target asked for (`Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** How many attempts the client made before giving up. */
  readonly attempts: number;

  constructor(code: string, message: string, opts: TargetErrorOptions & { retryAfterMs?: number; attempts?: number } = {}) {
    super(code, message, opts);
    this.name = 'TransientTargetError';
    this.retryAfterMs = opts.retryAfterMs;
    this.attempts = opts.attempts ?? 1;
  }
}

/**
 * The target refused this one object (a 4xx such as 400 `invalidValue`, 409
 * `uniqueness` on an update): escrow the object and go on with the others.
 */
export class RejectedTargetError extends TargetError {
  readonly kind = 'rejected' as const;
  constructor(code: string, message: string, opts: TargetErrorOptions = {}) {
    super(code, message, opts);
    this.name = 'RejectedTargetError';
  }
}

/**
 * A match query returned more than one resource: Entra's
 * `DuplicateTargetEntries` (entra-behavior.md §3.4). Rejected (escrowed),
 * because only the data owner can resolve it; `matches` holds the ids.
 */
export class DuplicateTargetError extends RejectedTargetError {
  readonly matches: readonly string[];
  constructor(message: string, matches: readonly string[], opts: TargetErrorOptions = {}) {
    super('DuplicateTargetEntries', message, opts);
    this.name = 'DuplicateTargetError';
    this.matches = matches;
  }
}

/**
 * 404 on a linked object (`/Users/{id}`): the target lost it. The engine drops
 * the link and matches/creates again (Entra's `InvalidAnchor`, §5.2).
 */
export class NotFoundTargetError extends TargetError {
  readonly kind = 'notFound' as const;
  constructor(message: string, opts: TargetErrorOptions = {}) {
    super('InvalidAnchor', message, opts);
    this.name = 'NotFoundTargetError';
  }
}

/**
 * 409 on create: the object already exists in the target. The engine looks it
 * up by its matching attribute and links it (authentik's `create()` does the
 * same, model-codebases.md §2.5).
 */
export class ConflictTargetError extends TargetError {
  readonly kind = 'conflict' as const;
  constructor(message: string, opts: TargetErrorOptions = {}) {
    super('EntryConflict', message, opts);
    this.name = 'ConflictTargetError';
  }
}

/** Graph `quarantineReason` values a connector can cause (entra-behavior.md §5.3). */
export type QuarantineReason = 'EncounteredQuarantineException';

/**
 * Nothing will work until someone fixes the configuration: bad credentials
 * (401/403), an unreachable target, a non-compliant endpoint (404 on
 * `/Users`, an invalid ListResponse, a create answer without `id`). The
 * engine stops the run and quarantines the job with `quarantineReason`;
 * `code` is the quarantine `error.code`.
 */
export class StopRunError extends TargetError {
  readonly kind = 'stopRun' as const;
  /** Graph `synchronizationQuarantine.reason`. */
  readonly quarantineReason: QuarantineReason = 'EncounteredQuarantineException';
  /** Graph `synchronizationError.tenantActionable`: the admin can fix it. */
  readonly tenantActionable: boolean;
  constructor(code: string, message: string, opts: TargetErrorOptions & { tenantActionable?: boolean } = {}) {
    super(code, message, opts);
    this.name = 'StopRunError';
    this.tenantActionable = opts.tenantActionable ?? true;
  }
}

/**
 * Dry run (plan mode) is on and this request would have written to the
 * target. Raised by the HTTP client before anything reaches the network;
 * `request` is what would have been sent.
 */
export class DryRunRefusedError extends TargetError {
  readonly kind = 'dryRun' as const;
  constructor(request: TargetRequestSummary) {
    super('DryRunRefused', `Dry run: ${request.method} ${request.path} was not sent`, { request });
    this.name = 'DryRunRefusedError';
  }
}

/** Stable codes used by the connectors (Entra's where Entra has one). */
export const TargetErrorCodes = {
  /** 401/403 and an invalid tenant URL (Entra's own code, §2.8 and §5.3). */
  invalidCredentials: 'SystemForCrossDomainIdentityManagementInvalidCredentials',
  /** A response that is not valid SCIM (§5.2). */
  serviceIncompatible: 'SystemForCrossDomainIdentityManagementServiceIncompatible',
  /** A filter query answered with 404/400 or ignored the filter (§5.2, §6.2). */
  incompatibleFiltering: 'SystemForCrossDomainIdentityManagementServiceIncompatibleFiltering',
  /**
   * Target unreachable (connection refused, DNS failure). Entra has no
   * documented code for this; Provisio names it in Entra's pattern.
   */
  unavailable: 'SystemForCrossDomainIdentityManagementServiceIntegrationUnavailable',
  /** A 4xx on one object (§5.2 "also seen"). */
  badRequest: 'SystemForCrossDomainIdentityManagementBadRequest',
  tooManyRequests: 'TooManyRequests',
  internalServerError: 'InternalServerError',
  timeout: 'Timeout',
  protocolError: 'WebExceptionProtocolError',
  entryConflict: 'EntryConflict',
  methodNotAllowed: 'MethodNotAllowed',
  unprocessableEntity: 'UnprocessableEntity',
  notImplemented: 'NotImplemented',
} as const;

/** Narrowing helper for `catch (e)` blocks. */
export function isTargetError(e: unknown): e is TargetError {
  return e instanceof TargetError;
}
