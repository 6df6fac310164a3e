/**
 * The `$filter` of `logs list`, built from friendly options. Attribute
 * names and operators are those Graph documents for
 * /auditLogs/provisioning (graph-sync-api.md §2.6): strings are quoted,
 * instants are not.
 */
import { usageError } from '../../errors.ts';

export interface LogFilterOptions {
  job?: string;
  sp?: string;
  status?: string;
  action?: string;
  identity?: string;
  since?: string;
  until?: string;
  filter?: string;
}

/** provisioningStatusInfo/status values (camelCase, as the provisioning-log enums are). */
export const LOG_STATUSES = ['success', 'warning', 'failure', 'skipped'] as const;
/** provisioningAction values. */
export const LOG_ACTIONS = ['create', 'update', 'delete', 'disable', 'stagedDelete', 'other'] as const;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An instant for `--since`/`--until`: ISO 8601, or an age such as `30m`, `2h`, `7d` before `now`. */
export function parseInstant(value: string, name: string, now: Date): string {
  const rel = /^(\d+)\s*([smhd])$/i.exec(value.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (UNIT_MS[rel[2]!.toLowerCase()] ?? 0)).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw usageError(`${name} must be an ISO 8601 instant (2024-05-01T12:00:00Z) or an age such as 30m, 2h, 7d; got '${value}'.`);
  return new Date(t).toISOString();
}

/** The OData filter, or undefined when no option narrows the list. */
export function logFilter(o: LogFilterOptions, now: Date): string | undefined {
  const parts: string[] = [];
  if (o.job !== undefined) parts.push(`jobId eq ${quote(o.job)}`);
  if (o.sp !== undefined) parts.push(`servicePrincipal/id eq ${quote(o.sp)}`);
  if (o.status !== undefined) {
    const s = o.status.toLowerCase();
    if (!(LOG_STATUSES as readonly string[]).includes(s)) throw usageError(`--status must be one of ${LOG_STATUSES.join(', ')}; got '${o.status}'.`);
    parts.push(`provisioningStatusInfo/status eq ${quote(s)}`);
  }
  if (o.action !== undefined) {
    const a = LOG_ACTIONS.find((x) => x.toLowerCase() === o.action!.toLowerCase());
    if (!a) throw usageError(`--action must be one of ${LOG_ACTIONS.join(', ')}; got '${o.action}'.`);
    parts.push(`provisioningAction eq ${quote(a)}`);
  }
  if (o.identity !== undefined) parts.push(`(sourceIdentity/id eq ${quote(o.identity)} or targetIdentity/id eq ${quote(o.identity)})`);
  if (o.since !== undefined) parts.push(`activityDateTime gt ${parseInstant(o.since, '--since', now)}`);
  if (o.until !== undefined) parts.push(`activityDateTime lt ${parseInstant(o.until, '--until', now)}`);
  if (o.filter !== undefined) parts.push(`(${o.filter})`);
  return parts.length ? parts.join(' and ') : undefined;
}
