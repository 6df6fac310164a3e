/**
 * Binary directory values rendered as text: Active Directory's `objectGUID`
 * (16 bytes, the first three fields little-endian, as Windows' GUID struct
 * lays them out) as the canonical lower-case GUID string, `objectSid` as
 * `S-1-5-21-…`, and bytes as an escaped LDAP filter value (RFC 4515 §3).
 */

/** 16 raw `objectGUID` bytes → `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function guidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a GUID has 16 bytes, got ${bytes.length}`);
  const h = (i: number) => bytes[i]!.toString(16).padStart(2, '0');
  const run = (idx: number[]) => idx.map(h).join('');
  return `${run([3, 2, 1, 0])}-${run([5, 4])}-${run([7, 6])}-${run([8, 9])}-${run([10, 11, 12, 13, 14, 15])}`;
}

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** The inverse of {@link guidFromBytes}. */
export function guidToBytes(guid: string): Buffer {
  const m = GUID_RE.exec(guid.trim());
  if (!m) throw new RangeError(`not a GUID: ${guid}`);
  const hex = (s: string) => Buffer.from(s, 'hex');
  return Buffer.concat([hex(m[1]!).reverse(), hex(m[2]!).reverse(), hex(m[3]!).reverse(), hex(m[4]!), hex(m[5]!)]);
}

/** Whether a string is a GUID in the canonical form. */
export function isGuid(s: string): boolean {
  return GUID_RE.test(s.trim());
}

/**
 * Entra's `onPremisesImmutableId` for an AD user: base64 of the 16 raw
 * `objectGUID` bytes (inbound-and-console.md §2.2).
 */
export function immutableIdFromGuid(guid: string): string {
  return guidToBytes(guid).toString('base64');
}

/** A binary SID (MS-DTYP §2.4.2) → `S-1-5-21-…`. */
export function sidFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new RangeError('a SID has at least 8 bytes');
  const buf = Buffer.from(bytes);
  const revision = buf[0]!;
  const count = buf[1]!;
  if (buf.length < 8 + 4 * count) throw new RangeError('SID shorter than its sub-authority count');
  const authority = buf.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(buf.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

/**
 * Bytes as an RFC 4515 filter value: every byte escaped as `\hh`. For text
 * filters sent by other tools; with ldapts, give an `EqualityFilter` a Buffer
 * instead (its string parser re-encodes escaped bytes above 0x7f as UTF-8).
 */
export function escapeFilterBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += '\\' + b.toString(16).padStart(2, '0');
  return s;
}
