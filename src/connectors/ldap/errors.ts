/**
 * Errors of the LDAP source. Like the target errors (`../errors.ts`), the
 * class says what the caller does next:
 *
 * | kind              | next step                                                         |
 * |-------------------|-------------------------------------------------------------------|
 * | `stopRun`         | stop the run and quarantine the job: bad credentials, TLS failure, missing rights, bad configuration — an admin must act |
 * | `transient`       | try again later (server down, busy, timed out)                    |
 * | `refreshRequired` | the watermark cannot be continued (other method/scope, DC restored, cursor unusable): run a full import |
 *
 * `code` is a stable name for logs and for Graph's `synchronizationError.code`.
 * Messages never contain the password.
 */
export type LdapSourceErrorKind = 'stopRun' | 'transient' | 'refreshRequired';

export const LdapErrorCodes = {
  invalidCredentials: 'LdapInvalidCredentials',
  unavailable: 'LdapServerUnavailable',
  tls: 'LdapTlsFailure',
  insufficientAccess: 'LdapInsufficientAccess',
  confidentialityRequired: 'LdapConfidentialityRequired',
  badConfiguration: 'LdapBadConfiguration',
  timeout: 'LdapTimeout',
  busy: 'LdapServerBusy',
  refreshRequired: 'LdapWatermarkRefreshRequired',
  protocol: 'LdapProtocolError',
} as const;

export type LdapErrorCode = (typeof LdapErrorCodes)[keyof typeof LdapErrorCodes];

export class LdapSourceError extends Error {
  readonly kind: LdapSourceErrorKind;
  readonly code: LdapErrorCode;
  /** The LDAP result code, when the server answered with one. */
  readonly resultCode: number | undefined;
  /** Graph `synchronizationError.tenantActionable`. */
  readonly tenantActionable: boolean;

  constructor(kind: LdapSourceErrorKind, code: LdapErrorCode, message: string, opts: { cause?: unknown; resultCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LdapSourceError';
    this.kind = kind;
    this.code = code;
    this.resultCode = opts.resultCode;
    this.tenantActionable = kind === 'stopRun';
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, code: this.code, resultCode: this.resultCode, message: this.message };
  }
}

export function isLdapSourceError(e: unknown): e is LdapSourceError {
  return e instanceof LdapSourceError;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO',
]);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);

/**
 * Maps whatever ldapts or the socket threw onto an {@link LdapSourceError}.
 * `what` names the operation for the message ("bind as cn=reader,…").
 */
export function classifyLdapError(e: unknown, what: string): LdapSourceError {
  if (e instanceof LdapSourceError) return e;
  const err = e as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const code = err?.code;
  if (typeof code === 'number') {
    const rc = code;
    const mk = (kind: LdapSourceErrorKind, c: LdapErrorCode, text: string) => new LdapSourceError(kind, c, `${what}: ${text} (LDAP result ${rc})`, { cause: e, resultCode: rc });
    switch (rc) {
      case 49: return mk('stopRun', LdapErrorCodes.invalidCredentials, 'invalid credentials');
      case 48: case 7: return mk('stopRun', LdapErrorCodes.invalidCredentials, 'authentication method refused');
      case 50: return mk('stopRun', LdapErrorCodes.insufficientAccess, 'insufficient access rights');
      case 8: case 13: return mk('stopRun', LdapErrorCodes.confidentialityRequired, 'the server requires a protected connection (use LDAPS or StartTLS)');
      case 3: return mk('transient', LdapErrorCodes.timeout, 'time limit exceeded');
      case 51: return mk('transient', LdapErrorCodes.busy, 'server busy');
      case 52: return mk('transient', LdapErrorCodes.unavailable, 'server unavailable');
      case 12: return mk('stopRun', LdapErrorCodes.badConfiguration, `a critical control is not supported: ${message}`);
      case 32: return mk('stopRun', LdapErrorCodes.badConfiguration, `no such object: ${message}`);
      case 34: case 87: return mk('stopRun', LdapErrorCodes.badConfiguration, message);
      case 4096: return mk('refreshRequired', LdapErrorCodes.refreshRequired, 'the server asks for a full refresh');
      default: return mk('transient', LdapErrorCodes.protocol, message);
    }
  }
  if (typeof code === 'string' && TLS_CODES.has(code)) {
    return new LdapSourceError('stopRun', LdapErrorCodes.tls, `${what}: TLS failure: ${message}`, { cause: e });
  }
  if (/certificate|self.signed|tls|ssl/i.test(message) && !(typeof code === 'string' && NET_CODES.has(code))) {
    return new LdapSourceError('stopRun', LdapErrorCodes.tls, `${what}: TLS failure: ${message}`, { cause: e });
  }
  if ((typeof code === 'string' && NET_CODES.has(code)) || /Connection timeout|Connection closed|Socket error/i.test(message)) {
    return new LdapSourceError('transient', LdapErrorCodes.unavailable, `${what}: server unreachable: ${message}`, { cause: e });
  }
  if (/timed out/i.test(message)) return new LdapSourceError('transient', LdapErrorCodes.timeout, `${what}: ${message}`, { cause: e });
  return new LdapSourceError('transient', LdapErrorCodes.protocol, `${what}: ${message}`, { cause: e });
}
