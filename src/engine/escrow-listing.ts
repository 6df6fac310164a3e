/**
 * The escrow listing, a read-only Provisio extension of the synchronization
 * API (`GET …/jobs/{jobId}/escrows`): every object a job keeps failing on,
 * with its error (request, status, the target's answer), its attempts and
 * when it is tried next. Graph has no such resource; Entra shows the same
 * facts only inside provisioning-log entries.
 */
import type { Store } from '../store/store.ts';
import type { DirectorySource } from '../directory/port.ts';
import { errors } from '../errors/graph-error.ts';
import { EscrowRepository, REFERENCE_ACTIONS } from './escrows.ts';
import type { EscrowError } from './escrows.ts';
import { LinkRepository } from './links.ts';
import { LADDER_SPAN_MS } from './ladder.ts';
import type { SourceType } from './mapping-plan.ts';
import { hasControl } from './on-demand.ts';

export interface EscrowView {
  objectType: SourceType;
  sourceId: string;
  displayName: string | null;
  /** create, update, disable, delete; manager or members for a reference failure. */
  action: string;
  referenceFailure: boolean;
  attempts: number;
  firstFailedDateTime: string;
  nextAttemptDateTime: string;
  /** After this instant the object is no longer retried (28 days after the first failure). */
  retriedUntilDateTime: string;
  error: EscrowError;
}

export interface EscrowPage {
  value: EscrowView[];
  /** Pass as `$skiptoken` for the next page. */
  skipToken?: string;
}

function decodeToken(token: string): { type: string; sourceId: string } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !hasControl(v[0]) && !hasControl(v[1])) {
      return { type: v[0], sourceId: v[1] };
    }
  } catch {
    // fall through
  }
  throw errors.badRequest('$skiptoken was not issued by this service for this collection.', '$skiptoken');
}

export async function listEscrows(deps: { store: Store; directory: DirectorySource }, jobId: string, opts: { top: number; skipToken?: string }): Promise<EscrowPage> {
  const db = deps.store.db;
  const after = opts.skipToken ? decodeToken(opts.skipToken) : undefined;
  const rows = await new EscrowRepository(jobId).list(db, { ...(after ? { after } : {}), limit: opts.top + 1 });
  const page = rows.slice(0, opts.top);
  const names = new Map<string, string | null>();
  const links = new LinkRepository(jobId);
  for (const type of ['User', 'Group'] as const) {
    const ids = page.filter((e) => e.type === type).map((e) => e.sourceId);
    if (!ids.length) continue;
    for (const [id, l] of await links.get(db, type, ids)) names.set(`${type}:${id}`, l.displayName);
    const missing = ids.filter((id) => !names.has(`${type}:${id}`));
    if (missing.length && type === 'User') for (const u of await deps.directory.getUsersByIds(missing)) names.set(`User:${u.id}`, u.userPrincipalName);
    if (missing.length && type === 'Group') for (const g of await deps.directory.getGroupsByIds(missing)) names.set(`Group:${g.id}`, g.displayName);
  }
  const value = page.map((e): EscrowView => ({
    objectType: e.type,
    sourceId: e.sourceId,
    displayName: names.get(`${e.type}:${e.sourceId}`) ?? null,
    action: e.action,
    referenceFailure: REFERENCE_ACTIONS.has(e.action),
    attempts: e.attempts,
    firstFailedDateTime: e.firstFailedAt,
    nextAttemptDateTime: e.nextAttemptAt,
    retriedUntilDateTime: new Date(Date.parse(e.firstFailedAt) + LADDER_SPAN_MS).toISOString(),
    error: e.error,
  }));
  const last = page[page.length - 1];
  return rows.length > opts.top && last ? { value, skipToken: Buffer.from(JSON.stringify([last.type, last.sourceId])).toString('base64url') } : { value };
}
