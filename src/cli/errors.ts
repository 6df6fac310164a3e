/**
 * What the command line reports when something goes wrong: one error class,
 * one table of exit codes (docs/cli.md), one line on stderr per failure.
 */

/**
 * Exit codes of every `provisio` command. Scripts branch on these, so they
 * are part of the interface: never renumber, only add.
 */
export const ExitCode = {
  /** The command did what it was asked. */
  Ok: 0,
  /** A failure the CLI did not anticipate (a bug, or an unreadable response). */
  Unexpected: 1,
  /** The command line itself is wrong: unknown command or option, bad value, unreadable input file. */
  Usage: 2,
  /** Authentication or authorization: no or wrong credentials, 401, 403. */
  Auth: 3,
  /** The addressed resource does not exist: 404. */
  NotFound: 4,
  /** The server refused the request as invalid or conflicting: 400, 405, 409, 412, 413, 415, 422 and other 4xx. */
  Rejected: 5,
  /** Throttled: 429 (the message carries Retry-After). */
  Throttled: 6,
  /** The server is unreachable, timed out, or failed: connection refused, DNS, 5xx. */
  Unavailable: 7,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 401 || status === 403) return ExitCode.Auth;
  if (status === 404) return ExitCode.NotFound;
  if (status === 429) return ExitCode.Throttled;
  if (status >= 500) return ExitCode.Unavailable;
  if (status >= 400) return ExitCode.Rejected;
  return ExitCode.Unexpected;
}

/**
 * A failure the CLI reports and exits on. `code` is the Graph error code
 * when the server sent one (e.g. `Request_ResourceNotFound`), else a CLI
 * code (`UsageError`, `ServerUnreachable`, PowerShell binder ids, …).
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly code: string;
  /** HTTP status, when the failure is an HTTP answer. */
  readonly status: number | undefined;
  /** Graph's `request-id`, to quote when asking the server's operator. */
  readonly requestId: string | undefined;

  constructor(exitCode: ExitCodeValue, code: string, message: string, opts: { status?: number; requestId?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
    this.status = opts.status;
    this.requestId = opts.requestId;
  }
}

/** A mistake on the command line (exit code 2). */
export function usageError(message: string, code = 'UsageError'): CliError {
  return new CliError(ExitCode.Usage, code, message);
}

/** Collapses whitespace so that a message always fits on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The line printed on stderr: `provisio: <code>: <message> (request-id …)`. */
export function formatError(e: unknown): string {
  if (e instanceof CliError) {
    const rid = e.requestId ? ` (request-id ${e.requestId})` : '';
    return `provisio: ${e.code}: ${oneLine(e.message)}${rid}`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return `provisio: UnexpectedError: ${oneLine(message)}`;
}

/** The exit code for anything thrown by a command. */
export function exitCodeOf(e: unknown): ExitCodeValue {
  return e instanceof CliError ? e.exitCode : ExitCode.Unexpected;
}
