/**
 * Active Directory LDAP controls that ldapts does not ship.
 *
 * - DirSync, `LDAP_SERVER_DIRSYNC_OID` 1.2.840.113556.1.4.841 (MS-ADTS
 *   3.1.1.3.4.1.3). Request value:
 *   `SEQUENCE { Flags INTEGER, MaxBytes INTEGER, Cookie OCTET STRING }`;
 *   response value (AD answers under the same OID):
 *   `SEQUENCE { MoreResults INTEGER, unused INTEGER, CookieServer OCTET STRING }`.
 *   ldapts parses a response control whose OID it does not know only when the
 *   request carried a control of the same OID, and then it parses into that
 *   very request object: so one {@link DirSyncControl} is sent and, after the
 *   search, holds the server's answer in `response`.
 * - Show Deleted, `LDAP_SERVER_SHOW_DELETED_OID` 1.2.840.113556.1.4.417, no
 *   value: tombstones become visible to searches.
 *
 * Flags are sent as a 32-bit two's-complement INTEGER (so 0x80000000, the
 * INCREMENTAL_VALUES flag, goes out as the four bytes 80 00 00 00), which is
 * how Windows' own LDAP client encodes the ULONG.
 */
import { Ber, BerReader, BerWriter, Control } from 'ldapts';

export const DIRSYNC_OID = '1.2.840.113556.1.4.841';
export const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';
/** rootDSE `supportedCapabilities` value of an Active Directory DC (LDAP_CAP_ACTIVE_DIRECTORY_OID). */
export const AD_CAPABILITY_OID = '1.2.840.113556.1.4.800';
/** RFC 4533 Sync Request control: the server runs syncprov. */
export const SYNC_REQUEST_OID = '1.3.6.1.4.1.4203.1.9.1.1';

/** DirSync request flags (MS-ADTS 3.1.1.3.4.1.3). */
export const DirSyncFlags = {
  /** Return only what the caller may read; without it the caller needs "Replicating Directory Changes". */
  objectSecurity: 0x1,
  /** Parents before children. */
  ancestorsFirstOrder: 0x800,
  /** Leave out secret attributes. */
  publicDataOnly: 0x2000,
  /** Linked multi-valued attributes (member) return only the values added and removed. */
  incrementalValues: 0x80000000,
} as const;

export interface DirSyncRequestValue {
  flags: number;
  /** Most bytes the server should return in one answer (0: the server's default). */
  maxBytes: number;
  /** The cookie of the previous answer; empty for a first (full) pass. */
  cookie: Buffer;
}

export interface DirSyncResponseValue {
  /** Non-zero: call again with `cookie` to get the rest. */
  moreResults: number;
  cookie: Buffer;
}

export class DirSyncControl extends Control {
  static readonly type = DIRSYNC_OID;
  value: DirSyncRequestValue;
  /** The server's answer, set when the search returns. */
  response: DirSyncResponseValue | undefined;

  constructor(value: Partial<DirSyncRequestValue> = {}, critical = true) {
    super(DIRSYNC_OID, { critical });
    this.value = { flags: value.flags ?? 0, maxBytes: value.maxBytes ?? 0, cookie: value.cookie ?? Buffer.alloc(0) };
  }

  /** The request value alone (what goes inside the control's OCTET STRING). */
  encodeValue(): Buffer {
    const w = new BerWriter();
    w.startSequence();
    w.writeInt(this.value.flags | 0);
    w.writeInt(this.value.maxBytes | 0);
    w.writeBuffer(this.value.cookie, Ber.OctetString);
    w.endSequence();
    return w.buffer;
  }

  protected override writeControl(writer: BerWriter): void {
    writer.writeBuffer(this.encodeValue(), Ber.OctetString);
  }

  protected override parseControl(reader: BerReader): void {
    this.response = DirSyncControl.decodeResponse(reader);
  }

  /** Decodes a DirSync response value: `SEQUENCE { MoreResults, unused, CookieServer }`. */
  static decodeResponse(reader: BerReader | Buffer): DirSyncResponseValue {
    const r = Buffer.isBuffer(reader) ? new BerReader(reader) : reader;
    if (r.readSequence() === null) throw new Error('DirSync response: not a SEQUENCE');
    const moreResults = r.readInt() ?? 0;
    r.readInt();
    const cookie = r.readString(Ber.OctetString, true) ?? Buffer.alloc(0);
    return { moreResults, cookie };
  }
}

/** Makes deleted objects (tombstones) visible to a search. */
export class ShowDeletedControl extends Control {
  static readonly type = SHOW_DELETED_OID;
  constructor(critical = true) {
    super(SHOW_DELETED_OID, { critical });
  }
}
