/**
 * What can be checked without a server: the AD controls' BER (DirSync,
 * Show Deleted), objectGUID/objectSid rendering, DN scope checks, error
 * classification and watermark validation. The AD paths are not run against
 * a real domain controller anywhere in this suite (docs/ldap-source.md).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BerReader, BerWriter, ControlParser } from 'ldapts';
import { DirSyncControl, DirSyncFlags, ShowDeletedControl, DIRSYNC_OID, SHOW_DELETED_OID } from '../../../src/connectors/ldap/controls.ts';
import { escapeFilterBytes, guidFromBytes, guidToBytes, immutableIdFromGuid, sidFromBytes } from '../../../src/connectors/ldap/binary.ts';
import { coveringContainers, domainToDn, isAtOrUnder, normalizeDn, parentDn, splitDn } from '../../../src/connectors/ldap/dn.ts';
import { classifyLdapError, LdapErrorCodes, LdapSourceError } from '../../../src/connectors/ldap/errors.ts';
import { csnAt, decodeWatermark, encodeWatermark, reqStartAt } from '../../../src/connectors/ldap/watermark.ts';
import { ldapSourceOptionsFromSecrets } from '../../../src/connectors/ldap/secrets.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const oidBytes = (oid: string) => Buffer.concat([Buffer.from([0x04, oid.length]), Buffer.from(oid, 'latin1')]);

describe('DirSync control (1.2.840.113556.1.4.841)', () => {
  test('request value is SEQUENCE { Flags INTEGER, MaxBytes INTEGER, Cookie OCTET STRING }', () => {
    const c = new DirSyncControl({ flags: DirSyncFlags.objectSecurity, maxBytes: 0 });
    assert.deepEqual(c.encodeValue(), hex('30 08  02 01 01  02 01 00  04 00'));
  });

  test('flags go out as a 32-bit two\'s-complement INTEGER; MaxBytes and the cookie as given', () => {
    const c = new DirSyncControl({ flags: DirSyncFlags.incrementalValues | DirSyncFlags.objectSecurity | DirSyncFlags.ancestorsFirstOrder, maxBytes: 1048576, cookie: hex('aa bb cc dd') });
    assert.deepEqual(c.encodeValue(), hex('30 11  02 04 80 00 08 01  02 03 10 00 00  04 04 aa bb cc dd'));
  });

  test('the whole control: OID, criticality TRUE, value wrapped in an OCTET STRING', () => {
    const c = new DirSyncControl({ flags: 1 });
    const w = new BerWriter();
    c.write(w);
    const value = hex('30 08 02 01 01 02 01 00 04 00');
    const body = Buffer.concat([oidBytes(DIRSYNC_OID), hex('01 01 ff'), Buffer.from([0x04, value.length]), value]);
    assert.deepEqual(w.buffer, Buffer.concat([Buffer.from([0x30, body.length]), body]));
  });

  test('response value SEQUENCE { MoreResults, unused, CookieServer } decodes', () => {
    assert.deepEqual(DirSyncControl.decodeResponse(hex('30 0b 02 01 01 02 01 00 04 03 01 02 03')), { moreResults: 1, cookie: hex('01 02 03') });
    assert.deepEqual(DirSyncControl.decodeResponse(hex('30 08 02 01 00 02 01 00 04 00')), { moreResults: 0, cookie: Buffer.alloc(0) });
  });

  test("ldapts parses the server's DirSync response control into the request's control object", () => {
    const request = new DirSyncControl({ flags: 1, cookie: hex('00') });
    const value = hex('30 0c 02 01 00 02 01 00 04 04 de ad be ef');
    const body = Buffer.concat([oidBytes(DIRSYNC_OID), Buffer.from([0x04, value.length]), value]);
    const parsed = ControlParser.parse(new BerReader(Buffer.concat([Buffer.from([0x30, body.length]), body])), [request]);
    assert.equal(parsed, request);
    assert.deepEqual(request.response, { moreResults: 0, cookie: hex('de ad be ef') });
  });
});

describe('Show Deleted control (1.2.840.113556.1.4.417)', () => {
  test('has no value', () => {
    const w = new BerWriter();
    new ShowDeletedControl().write(w);
    const body = Buffer.concat([oidBytes(SHOW_DELETED_OID), hex('01 01 ff')]);
    assert.deepEqual(w.buffer, Buffer.concat([Buffer.from([0x30, body.length]), body]));
  });
});

describe('binary values', () => {
  test('objectGUID bytes render as the canonical GUID (first three fields little-endian) and back', () => {
    const bytes = hex('ff 19 96 6f 86 8b 11 d0 b4 2d 00 c0 4f c9 64 ff');
    assert.equal(guidFromBytes(bytes), '6f9619ff-8b86-d011-b42d-00c04fc964ff');
    assert.deepEqual(guidToBytes('{6F9619FF-8B86-D011-B42D-00C04FC964FF}'), bytes);
    assert.equal(immutableIdFromGuid('6f9619ff-8b86-d011-b42d-00c04fc964ff'), bytes.toString('base64'));
    assert.equal(escapeFilterBytes(bytes.subarray(0, 3)), '\\ff\\19\\96');
    assert.throws(() => guidFromBytes(hex('00 01')), RangeError);
  });

  test('objectSid renders as S-R-A-S…', () => {
    assert.equal(sidFromBytes(hex('01 02 00 00 00 00 00 05 20 00 00 00 20 02 00 00')), 'S-1-5-32-544');
    assert.equal(
      sidFromBytes(hex('01 05 00 00 00 00 00 05 15 00 00 00 a0 65 cf 7e 78 4b 9b 5f e7 7c 87 70 f4 01 00 00')),
      'S-1-5-21-2127521184-1604012920-1887927527-500',
    );
  });
});

describe('distinguished names', () => {
  test('compare case- and space-insensitively, honouring escapes', () => {
    assert.equal(normalizeDn('CN=Ann  Lee , OU=Sales,DC=Example,DC=Test'), 'cn=ann lee,ou=sales,dc=example,dc=test');
    assert.deepEqual(splitDn('cn=Lee\\, Ann,ou=Sales,dc=x'), ['cn=Lee\\, Ann', 'ou=Sales', 'dc=x']);
    assert.equal(normalizeDn('cn=Lee\\2C Ann,dc=x'), normalizeDn('cn=Lee\\, Ann,dc=x'));
    assert.equal(parentDn('uid=a,ou=Sales,dc=x'), 'ou=Sales,dc=x');
    assert.equal(domainToDn('contoso.com'), 'DC=contoso,DC=com');
  });

  test('at or under a container', () => {
    assert.ok(isAtOrUnder('uid=a,ou=Sales,ou=People,dc=x', 'OU=People,DC=X'));
    assert.ok(isAtOrUnder('ou=People,dc=x', 'ou=people,dc=x'));
    assert.ok(!isAtOrUnder('uid=a,ou=SalesX,dc=x', 'ou=Sales,dc=x'));
    assert.ok(!isAtOrUnder('dc=x', 'ou=Sales,dc=x'));
    assert.deepEqual(coveringContainers(['ou=Sales,ou=People,dc=x', 'OU=People,DC=x', 'ou=Groups,dc=x', 'ou=groups,dc=x']), ['OU=People,DC=x', 'ou=groups,dc=x']);
  });
});

describe('errors', () => {
  test('LDAP result codes and socket errors map onto the source error classes', () => {
    const bad = classifyLdapError(Object.assign(new Error('Invalid credentials'), { code: 49 }), 'bind');
    assert.equal(bad.kind, 'stopRun');
    assert.equal(bad.code, LdapErrorCodes.invalidCredentials);
    assert.equal(bad.tenantActionable, true);
    const down = classifyLdapError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'bind');
    assert.equal(down.kind, 'transient');
    assert.equal(down.code, LdapErrorCodes.unavailable);
    const tls = classifyLdapError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'connect');
    assert.equal(tls.code, LdapErrorCodes.tls);
    assert.equal(classifyLdapError(Object.assign(new Error('x'), { code: 4096 }), 'sync').kind, 'refreshRequired');
    assert.equal(classifyLdapError(Object.assign(new Error('x'), { code: 13 }), 'bind').code, LdapErrorCodes.confidentialityRequired);
  });
});

describe('watermarks', () => {
  test('a foreign, damaged or mismatched watermark asks for a full import', () => {
    const good = encodeWatermark({ v: 1, method: 'openldap-sweep', fp: 'abc', csn: { cursor: 'x', seen: [] } });
    assert.equal(decodeWatermark(good, { fp: 'abc', method: 'openldap-sweep' }).csn?.cursor, 'x');
    for (const [text, exp] of [
      ['not json', { fp: 'abc', method: 'openldap-sweep' }],
      ['{"v":2}', { fp: 'abc', method: 'openldap-sweep' }],
      [good, { fp: 'other', method: 'openldap-sweep' }],
      [good, { fp: 'abc', method: 'openldap-accesslog' }],
    ] as const) {
      assert.throws(() => decodeWatermark(text, exp), (e: unknown) => e instanceof LdapSourceError && e.kind === 'refreshRequired');
    }
  });

  test('cursors have the server formats', () => {
    const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.equal(reqStartAt(d), '20260102030405.000000Z');
    assert.equal(csnAt(d), '20260102030405.000000Z#000000#000#000000');
  });
});

describe('job secrets', () => {
  test('UserName, Password, Server, Domain become connection options', () => {
    const o = ldapSourceOptionsFromSecrets([
      { key: 'UserName', value: 'svc-sync@contoso.com' },
      { key: 'Password', value: 'p' },
      { key: 'Server', value: 'dc1.contoso.com' },
      { key: 'Domain', value: '{"domain":"contoso.com"}' },
    ]);
    assert.equal(o.url, 'ldap://dc1.contoso.com:389');
    assert.equal(o.bindDn, 'svc-sync@contoso.com');
    assert.equal(o.password, 'p');
    assert.equal(o.baseDn, undefined);
    assert.equal(o.domainBaseDn, 'DC=contoso,DC=com');
    const s = ldapSourceOptionsFromSecrets({ UserName: 'cn=r,dc=x', Password: 'p', Server: 'ldaps://ldap.x:1636', StartTls: 'false' }, {
      containerFilter: { includedContainers: ['ou=A,dc=x'] },
    });
    assert.equal(s.url, 'ldaps://ldap.x:1636');
    assert.equal(s.baseDn, undefined);
    assert.deepEqual(s.scope?.containerFilter?.includedContainers, ['ou=A,dc=x']);
    assert.throws(() => ldapSourceOptionsFromSecrets({ Password: 'p' }), LdapSourceError);
  });
});
