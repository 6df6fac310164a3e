/**
 * The DirSync control over a real socket through ldapts: a minimal LDAP
 * responder on the loopback (written here with ldapts's BER helpers) checks
 * the exact bytes of the control inside the SearchRequest and answers with a
 * SearchResultEntry carrying a binary objectGUID and a SearchResultDone
 * carrying a DirSync response control, which must land in the request's
 * control object. This is the part of the AD path that can be checked
 * without a domain controller; it says nothing about how AD itself behaves.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { BerReader, BerWriter, Client } from 'ldapts';
import { DirSyncControl, DirSyncFlags, DIRSYNC_OID } from '../../../src/connectors/ldap/controls.ts';
import { guidFromBytes } from '../../../src/connectors/ldap/binary.ts';

/** Splits a byte stream into BER TLVs (whole LDAPMessages). */
function takeMessages(buf: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let off = 0;
  while (buf.length - off >= 2) {
    let len = buf[off + 1]!;
    let header = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (buf.length - off < 2 + n) break;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i]!;
      header = 2 + n;
    }
    if (buf.length - off < header + len) break;
    messages.push(buf.subarray(off, off + header + len));
    off += header + len;
  }
  return { messages, rest: buf.subarray(off) };
}

function ldapMessage(id: number, body: (w: BerWriter) => void, controls: { oid: string; value: Buffer }[] = []): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(id);
  body(w);
  if (controls.length) {
    w.startSequence(0xa0);
    for (const c of controls) {
      w.startSequence();
      w.writeString(c.oid);
      w.writeBuffer(c.value, 0x04);
      w.endSequence();
    }
    w.endSequence();
  }
  w.endSequence();
  return w.buffer;
}

function result(tag: number) {
  return (w: BerWriter) => {
    w.startSequence(tag);
    w.writeEnumeration(0);
    w.writeString('');
    w.writeString('');
    w.endSequence();
  };
}

const GUID = Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex');
const SERVER_COOKIE = Buffer.from('0102030405060708', 'hex');

describe('DirSync over the wire (ldapts ↔ a minimal LDAP responder)', () => {
  test('the request carries the encoded control; the response control is parsed into it; objectGUID stays binary', async () => {
    const searches: Buffer[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((sock) => {
      sockets.add(sock);
      let pending: Buffer = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        const { messages, rest } = takeMessages(Buffer.concat([pending, d]));
        pending = rest;
        for (const m of messages) {
          const r = new BerReader(m);
          r.readSequence();
          const id = r.readInt()!;
          const op = r.peek();
          if (op === 0x60) sock.write(ldapMessage(id, result(0x61)));
          else if (op === 0x63) {
            searches.push(m);
            const entry = ldapMessage(id, (w) => {
              w.startSequence(0x64);
              w.writeString('CN=Ann,OU=Staff,DC=contoso,DC=test');
              w.startSequence();
              w.startSequence();
              w.writeString('objectGUID');
              w.startSequence(0x31);
              w.writeBuffer(GUID, 0x04);
              w.endSequence();
              w.endSequence();
              w.endSequence();
              w.endSequence();
            });
            const response = new BerWriter();
            response.startSequence();
            response.writeInt(1);
            response.writeInt(0);
            response.writeBuffer(SERVER_COOKIE, 0x04);
            response.endSequence();
            sock.write(Buffer.concat([entry, ldapMessage(id, result(0x65), [{ oid: DIRSYNC_OID, value: response.buffer }])]));
          } else if (op === 0x42) sock.end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = new Client({ url: `ldap://127.0.0.1:${port}`, timeout: 5000 });
    try {
      await client.bind('svc@contoso.test', 'pw');
      const control = new DirSyncControl({ flags: DirSyncFlags.objectSecurity | DirSyncFlags.incrementalValues, maxBytes: 0, cookie: Buffer.from('prev') });
      const r = await client.search('DC=contoso,DC=test', { scope: 'sub', filter: '(objectClass=user)', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] }, [control]);

      // On the wire: Control ::= SEQUENCE { controlType "1.2.840.113556.1.4.841", criticality TRUE, controlValue OCTET STRING }.
      const value = Buffer.from('300f020480000001020100040470726576', 'hex');
      const expected = Buffer.concat([Buffer.from([0x30, 2 + DIRSYNC_OID.length + 3 + 2 + value.length, 0x04, DIRSYNC_OID.length]), Buffer.from(DIRSYNC_OID), Buffer.from('0101ff', 'hex'), Buffer.from([0x04, value.length]), value]);
      assert.equal(searches.length, 1);
      assert.ok(searches[0]!.includes(expected), `the SearchRequest carries ${expected.toString('hex')}`);

      assert.deepEqual(control.response, { moreResults: 1, cookie: SERVER_COOKIE });
      const got = r.searchEntries[0]!.objectGUID;
      assert.ok(Buffer.isBuffer(got));
      assert.equal(guidFromBytes(got), '6f9619ff-8b86-d011-b42d-00c04fc964ff');
    } finally {
      await client.unbind().catch(() => undefined);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
