/**
 * The watermark of an LDAP import: opaque to callers (a JSON string), read
 * back by the next delta import. It records the delta method, a fingerprint
 * of what was read (server, base, scope, filter, anchor, attributes: change
 * any and the next delta asks for a full import), and the method's cursor.
 */
import { createHash } from 'node:crypto';
import { LdapErrorCodes, LdapSourceError } from './errors.ts';
import type { LdapDeltaMethod } from './types.ts';

export interface Watermark {
  v: 1;
  method: LdapDeltaMethod;
  /** Fingerprint of the import's content definition. */
  fp: string;
  /**
   * OpenLDAP accesslog: `reqStart` to read from, the `reqStart`s at or after
   * it already applied, and the newest record read (which must still be in
   * the log next time, else it was purged past us).
   */
  log?: { cursor: string; seen: string[]; last?: string };
  /** Presence sweep: change attribute value (`entryCSN`/`modifyTimestamp`) to read from, and keys of the `anchor@value`s already reported. */
  csn?: { cursor: string; seen: string[] };
  /** AD uSNChanged: next USN to read, and the DC it belongs to. */
  usn?: { next: string; dnsHostName: string; invocationId: string };
  /** AD DirSync cookie, base64. */
  dirsync?: { cookie: string };
  /** Group scoping: the normalized DNs of the included groups' direct members at the time of the import. */
  groupMembers?: string[];
}

export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

export function encodeWatermark(w: Watermark): string {
  return JSON.stringify(w);
}

/** Parses a watermark; a foreign, damaged or outdated one means "run a full import". */
export function decodeWatermark(text: string, expected: { fp: string; method: LdapDeltaMethod }): Watermark {
  let w: Partial<Watermark>;
  try {
    w = JSON.parse(text) as Partial<Watermark>;
  } catch {
    throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, 'the watermark is not an LDAP source watermark: run a full import');
  }
  if (w === null || typeof w !== 'object' || w.v !== 1 || typeof w.method !== 'string' || typeof w.fp !== 'string') {
    throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, 'the watermark is not an LDAP source watermark: run a full import');
  }
  if (w.method !== expected.method) {
    throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, `the watermark was made by delta method ${w.method}, now ${expected.method} is in use: run a full import`);
  }
  if (w.fp !== expected.fp) {
    throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, 'the server, base, scope, filter or attributes changed since the watermark was made: run a full import');
  }
  return w as Watermark;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `YYYYmmddHHMMSS` in UTC. */
export function generalizedTimeDigits(d: Date): string {
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

/** The smallest accesslog `reqStart` at a time (`YYYYmmddHHMMSS.000000Z`). */
export function reqStartAt(d: Date): string {
  return `${generalizedTimeDigits(d)}.000000Z`;
}

/** The smallest OpenLDAP `entryCSN` at a time. */
export function csnAt(d: Date): string {
  return `${generalizedTimeDigits(d)}.000000Z#000000#000#000000`;
}

/** A `modifyTimestamp` at a time. */
export function timestampAt(d: Date): string {
  return `${generalizedTimeDigits(d)}Z`;
}

export function maxString(a: string, b: string): string {
  return a >= b ? a : b;
}
