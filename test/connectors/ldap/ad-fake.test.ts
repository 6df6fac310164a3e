/**
 * The Active Directory paths (DirSync, uSNChanged + tombstones, ranged
 * `member`, binary objectGUID/objectSid) against an in-process FAKE of a
 * domain controller that answers ldapts calls the way the Microsoft
 * documentation describes AD answering them. This checks the connector's
 * logic — which requests it sends, with which controls, and what it makes
 * of the answers — not AD itself: no real DC is used anywhere in this suite
 * (docs/ldap-source.md).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AndFilter, EqualityFilter, FilterParser, GreaterThanEqualsFilter, OrFilter, PresenceFilter,
  type Client, type ClientOptions, type Control, type Entry, type Filter, type SearchOptions, type SearchResult,
} from 'ldapts';
import { LdapSource } from '../../../src/connectors/ldap/source.ts';
import { DirSyncControl, AD_CAPABILITY_OID, DIRSYNC_OID, SHOW_DELETED_OID } from '../../../src/connectors/ldap/controls.ts';
import { guidFromBytes } from '../../../src/connectors/ldap/binary.ts';
import { attributeValues, type LdapChange, type LdapSourceOptions } from '../../../src/connectors/ldap/types.ts';
import { LdapErrorCodes, LdapSourceError } from '../../../src/connectors/ldap/errors.ts';
import { normalizeDn } from '../../../src/connectors/ldap/dn.ts';

const NC = 'DC=contoso,DC=test';
const NTDS = `CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,${NC}`;
const MAX_VAL_RANGE = 3;

interface FakeObject {
  guid: Buffer;
  dn: string;
  usn: number;
  deleted: boolean;
  attrs: Record<string, string[]>;
}

interface Sent { base: string; filter: string; controls: { type: string; critical: boolean; cookie?: string }[]; attributes: string[] }

function matches(f: Filter, o: FakeObject): boolean {
  const values = (name: string) => {
    const lower = name.toLowerCase();
    if (lower === 'objectguid') return [o.guid.toString('latin1')];
    if (lower === 'usnchanged') return [String(o.usn)];
    for (const [k, v] of Object.entries(o.attrs)) if (k.toLowerCase() === lower) return v;
    return [];
  };
  if (f instanceof AndFilter) return f.filters.every((x) => matches(x, o));
  if (f instanceof OrFilter) return f.filters.some((x) => matches(x, o));
  if (f instanceof PresenceFilter) return values(f.attribute).length > 0;
  if (f instanceof GreaterThanEqualsFilter) return values(f.attribute).some((v) => Number(v) >= Number(f.value));
  if (f instanceof EqualityFilter) {
    if (f.attribute.toLowerCase() === 'objectguid') return Buffer.isBuffer(f.value) && f.value.equals(o.guid);
    const want = (Buffer.isBuffer(f.value) ? f.value.toString('utf8') : f.value).toLowerCase();
    return values(f.attribute).some((v) => v.toLowerCase() === want);
  }
  throw new Error(`the fake does not evaluate ${f.constructor.name}`);
}

/** A tiny Active Directory: objects with GUIDs and USNs, DirSync cookies (the USN, as text), tombstones. */
class FakeDc {
  objects: FakeObject[] = [];
  usn = 5000;
  invocationId = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  dirSyncRefused = false;
  sent: Sent[] = [];
  #next = 1;

  add(dn: string, kind: 'user' | 'group' | 'computer', attrs: Record<string, string[]> = {}): string {
    const guid = Buffer.alloc(16);
    guid.writeUInt32BE(0xa0b0c0d0, 0);
    guid.writeUInt32BE(this.#next++, 12);
    const cn = /^CN=([^,]+)/i.exec(dn)?.[1] ?? 'x';
    const base: Record<string, string[]> = kind === 'group'
      ? { objectClass: ['top', 'group'], objectCategory: ['group'], cn: [cn], sAMAccountName: [cn] }
      : kind === 'computer'
        ? { objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'], objectCategory: ['computer'], cn: [cn] }
        : { objectClass: ['top', 'person', 'organizationalPerson', 'user'], objectCategory: ['person'], cn: [cn], sAMAccountName: [cn.toLowerCase()], userPrincipalName: [`${cn.toLowerCase()}@contoso.test`] };
    this.objects.push({ guid, dn, usn: ++this.usn, deleted: false, attrs: { ...base, ...attrs } });
    return guidFromBytes(guid);
  }

  find(dn: string): FakeObject {
    const o = this.objects.find((x) => !x.deleted && normalizeDn(x.dn) === normalizeDn(dn));
    if (!o) throw new Error(`no ${dn}`);
    return o;
  }

  modify(dn: string, attrs: Record<string, string[]>): void {
    const o = this.find(dn);
    Object.assign(o.attrs, attrs);
    o.usn = ++this.usn;
  }

  move(dn: string, newDn: string): void {
    const o = this.find(dn);
    o.dn = newDn;
    o.usn = ++this.usn;
  }

  remove(dn: string): void {
    const o = this.find(dn);
    const parent = dn.split(',').slice(1).join(',');
    o.deleted = true;
    o.dn = `CN=${o.attrs.cn![0]}\\0ADEL:${guidFromBytes(o.guid)},CN=Deleted Objects,${NC}`;
    o.attrs = { objectClass: o.attrs.objectClass!, cn: o.attrs.cn!, isDeleted: ['TRUE'], lastKnownParent: [parent] };
    o.usn = ++this.usn;
  }

  private render(o: FakeObject, attributes: string[] | undefined): Entry {
    const all = !attributes?.length || attributes.includes('*');
    const want = new Set((attributes ?? []).map((a) => a.toLowerCase()));
    const e: Entry = { dn: o.dn };
    if (all || want.has('objectguid')) e.objectGUID = o.guid;
    for (const [k, v] of Object.entries({ ...o.attrs, uSNChanged: [String(o.usn)] })) {
      if (!all && !want.has(k.toLowerCase())) continue;
      if (k === 'member' && v.length > MAX_VAL_RANGE) e[`member;range=0-${MAX_VAL_RANGE - 1}`] = v.slice(0, MAX_VAL_RANGE);
      else e[k] = v;
    }
    if (all && o.attrs.objectCategory?.[0] === 'person') e.objectSid = Buffer.from('010500000000000515000000a065cf7e784b9b5fe77c8770f4010000', 'hex');
    for (const a of attributes ?? []) {
      const m = /^member;range=(\d+)-\*$/i.exec(a);
      if (m) e[`member;range=${m[1]}-*`] = (o.attrs.member ?? []).slice(Number(m[1]));
    }
    return e;
  }

  search(base: string, options: SearchOptions = {}, controls: Control[] = []): SearchResult {
    const filter = typeof options.filter === 'string' ? FilterParser.parseString(options.filter) : options.filter!;
    const dirSync = controls.find((c): c is DirSyncControl => c instanceof DirSyncControl);
    this.sent.push({ base, filter: filter.toString(), attributes: options.attributes ?? [], controls: controls.map((c) => ({ type: c.type, critical: c.critical, ...(c instanceof DirSyncControl ? { cookie: c.value.cookie.toString() } : {}) })) });
    if (base === '') {
      return { searchReferences: [], searchEntries: [{
        dn: '', objectClass: 'top', namingContexts: [NC, `CN=Configuration,${NC}`], defaultNamingContext: NC,
        supportedControl: ['1.2.840.113556.1.4.319', DIRSYNC_OID, SHOW_DELETED_OID], supportedCapabilities: [AD_CAPABILITY_OID, '1.2.840.113556.1.4.1670'],
        highestCommittedUSN: String(this.usn), dnsHostName: 'dc1.contoso.test', dsServiceName: NTDS,
      }] };
    }
    if (base === NTDS) return { searchReferences: [], searchEntries: [{ dn: NTDS, invocationId: this.invocationId }] };
    if (dirSync) {
      if (this.dirSyncRefused) throw Object.assign(new Error('00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS)'), { code: 50 });
      assert.equal(normalizeDn(base), normalizeDn(NC), 'DirSync works on the naming context root only');
      const since = dirSync.value.cookie.length ? Number(dirSync.value.cookie.toString()) : 0;
      const hits = this.objects.filter((o) => o.usn > since && (since > 0 || !o.deleted) && matches(filter, o)).sort((a, b) => a.usn - b.usn);
      // Two objects per answer, so that MoreResults is exercised.
      const page = hits.slice(0, 2);
      const more = hits.length > 2;
      const cookie = Buffer.from(String(more ? page[page.length - 1]!.usn : this.usn));
      dirSync.response = { moreResults: more ? 1 : 0, cookie };
      return { searchReferences: [], searchEntries: page.map((o) => this.render(o, options.attributes)) };
    }
    const showDeleted = controls.some((c) => c.type === SHOW_DELETED_OID);
    const scope = options.scope ?? 'sub';
    const hits = this.objects.filter((o) => (showDeleted || !o.deleted)
      && (scope === 'base' ? normalizeDn(o.dn) === normalizeDn(base) : normalizeDn(o.dn).endsWith(normalizeDn(base)))
      && matches(filter, o));
    if (scope === 'base' && !hits.length && !this.objects.some((o) => normalizeDn(o.dn) === normalizeDn(base))) {
      throw Object.assign(new Error('no such object'), { code: 32 });
    }
    return { searchReferences: [], searchEntries: hits.map((o) => this.render(o, options.attributes)) };
  }

  client(password: string): (o: ClientOptions) => Client {
    return () => {
      const fake = {
        isConnected: true,
        socket: { destroyed: false, destroy() {} },
        bind: async (_dn: string, pw: string) => {
          if (pw !== password) throw Object.assign(new Error('80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e'), { code: 49 });
        },
        unbind: async () => undefined,
        startTLS: async () => undefined,
        search: async (base: string, options?: SearchOptions, controls?: Control | Control[]) => this.search(base, options, controls ? [controls].flat() : []),
        searchPaginated: (base: string, options?: SearchOptions, controls?: Control | Control[]) => {
          const all = this.search(base, options, controls ? [controls].flat() : []);
          const size = typeof options?.paged === 'object' ? options.paged.pageSize ?? 100 : 100;
          return (async function* () {
            for (let i = 0; i === 0 || i < all.searchEntries.length; i += size) yield { searchEntries: all.searchEntries.slice(i, i + size), searchReferences: [] };
          })();
        },
      };
      return fake as unknown as Client;
    };
  }
}

const STAFF = `OU=Staff,${NC}`;
const OTHER = `OU=Contractors,${NC}`;

function seed(): { dc: FakeDc; ids: Record<string, string> } {
  const dc = new FakeDc();
  const ids: Record<string, string> = {};
  for (const n of ['Ann', 'Bob', 'Cai', 'Dee', 'Eve']) ids[n] = dc.add(`CN=${n},${STAFF}`, 'user', { mail: [`${n.toLowerCase()}@contoso.test`] });
  dc.modify(`CN=Bob,${STAFF}`, { manager: [`CN=Ann,${STAFF}`] });
  ids.Zed = dc.add(`CN=Zed,${OTHER}`, 'user');
  ids.PC = dc.add(`CN=PC01,${STAFF}`, 'computer');
  ids.All = dc.add(`CN=All Staff,${STAFF}`, 'group', { member: ['Ann', 'Bob', 'Cai', 'Dee', 'Eve'].map((n) => `CN=${n},${STAFF}`) });
  return { dc, ids };
}

function source(dc: FakeDc, extra: Partial<LdapSourceOptions> = {}): LdapSource {
  return new LdapSource({ url: 'ldaps://dc1.contoso.test', bindDn: 'svc@contoso.test', password: 'pw', createClient: dc.client('pw'), ...extra });
}

const summary = (changes: LdapChange[]) => changes.map((c) => (c.kind === 'upsert' ? `upsert ${c.entry.dn}` : `delete ${c.anchor}`)).sort();

describe('Active Directory paths against a fake DC (protocol logic only; no real AD)', () => {
  test('rootDSE: AD detected; DirSync preferred; objectGUID anchors, objectSid rendered, computers left out, ranged member completed', async () => {
    const { dc, ids } = seed();
    const src = source(dc, { scope: { containerFilter: { includedContainers: [STAFF] } } });
    const info = await src.serverInfo();
    assert.equal(info.flavor, 'active-directory');
    assert.deepEqual(info.deltaMethods, ['ad-dirsync', 'ad-usn']);
    const full = src.fullImport();
    const entries = await full.toArray();
    assert.deepEqual(entries.map((e) => e.anchor).sort(), [ids.Ann, ids.Bob, ids.Cai, ids.Dee, ids.Eve, ids.All].sort());
    const bob = entries.find((e) => e.anchor === ids.Bob)!;
    assert.deepEqual(attributeValues(bob, 'objectGUID'), [ids.Bob]);
    assert.deepEqual(attributeValues(bob, 'objectSid'), ['S-1-5-21-2127521184-1604012920-1887927527-500']);
    assert.deepEqual(attributeValues(bob, 'manager'), [`CN=Ann,${STAFF}`]);
    const group = entries.find((e) => e.objectClass === 'group')!;
    assert.equal(attributeValues(group, 'member').length, 5, 'member;range=0-2 completed with member;range=3-*');
    assert.ok(!Object.keys(group.attributes).some((k) => k.includes(';range=')));
    // DirSync: critical, on the naming context root, filtered by objectClass only, rounds chained by cookie.
    const rounds = dc.sent.filter((s) => s.controls.some((c) => c.type === DIRSYNC_OID));
    assert.ok(rounds.length >= 4, `${rounds.length} DirSync rounds`);
    assert.ok(rounds.every((r) => r.base === NC && r.controls[0]!.critical && r.filter === '(|(objectClass=user)(objectClass=group))'));
    assert.equal(rounds[0]!.controls[0]!.cookie, '');
    assert.notEqual(rounds[1]!.controls[0]!.cookie, '');
    assert.equal(JSON.parse(full.watermark()).method, 'ad-dirsync');
  });

  test('DirSync delta: modify, move out of the OU, delete (tombstone), add; changed objects read again in full', async () => {
    const { dc, ids } = seed();
    const src = source(dc, { scope: { containerFilter: { includedContainers: [STAFF] } } });
    const full = src.fullImport();
    await full.toArray();
    dc.modify(`CN=Ann,${STAFF}`, { title: ['Director'] });
    dc.move(`CN=Cai,${STAFF}`, `CN=Cai,${OTHER}`);
    dc.remove(`CN=Dee,${STAFF}`);
    const newId = dc.add(`CN=Fay,${STAFF}`, 'user');
    dc.modify(`CN=Zed,${OTHER}`, { title: ['Elsewhere'] });
    dc.sent = [];
    const delta = src.deltaImport(full.watermark());
    const changes = await delta.toArray();
    assert.deepEqual(summary(changes), [`delete ${ids.Cai}`, `delete ${ids.Dee}`, `delete ${ids.Zed}`, `upsert CN=Ann,${STAFF}`, `upsert CN=Fay,${STAFF}`].sort());
    const ann = changes.find((c) => c.kind === 'upsert' && c.entry.anchor === ids.Ann);
    assert.ok(ann?.kind === 'upsert');
    assert.deepEqual(attributeValues(ann.entry, 'mail'), ['ann@contoso.test'], 'unchanged attributes are there: the object was read again');
    assert.deepEqual(attributeValues(ann.entry, 'title'), ['Director']);
    assert.ok(changes.some((c) => c.kind === 'upsert' && c.entry.anchor === newId));
    const first = dc.sent.find((s) => s.controls.some((c) => c.type === DIRSYNC_OID))!;
    assert.equal(first.controls[0]!.cookie, Buffer.from(JSON.parse(full.watermark()).dirsync.cookie, 'base64').toString(), 'the stored cookie is sent back');
    assert.ok(dc.sent.some((s) => s.filter.includes('objectGUID=')), 'the re-read selects by objectGUID');
    assert.deepEqual(await src.deltaImport(delta.watermark()).toArray(), []);
  });

  test('DirSync refused (no replication rights): the full import falls back to uSNChanged; deletes come from tombstones', async () => {
    const { dc, ids } = seed();
    dc.dirSyncRefused = true;
    const src = source(dc);
    const full = src.fullImport();
    const entries = await full.toArray();
    assert.equal(entries.length, 7, 'six users (Zed included: no scope) and one group, not the computer');
    const wm = JSON.parse(full.watermark());
    assert.equal(wm.method, 'ad-usn');
    assert.equal(wm.usn.dnsHostName, 'dc1.contoso.test');
    assert.equal(wm.usn.invocationId, guidFromBytes(dc.invocationId));
    assert.equal(wm.usn.next, String(dc.usn + 1));

    dc.modify(`CN=Eve,${STAFF}`, { title: ['Lead'] });
    dc.remove(`CN=Bob,${STAFF}`);
    dc.sent = [];
    const delta = src.deltaImport(full.watermark());
    assert.deepEqual(summary(await delta.toArray()), [`delete ${ids.Bob}`, `upsert CN=Eve,${STAFF}`].sort());
    const tomb = dc.sent.find((s) => s.filter.includes('isDeleted'))!;
    assert.ok(tomb.controls.some((c) => c.type === SHOW_DELETED_OID && c.critical));
    assert.ok(dc.sent.some((s) => /uSNChanged>=\d+/.test(s.filter)));
    assert.deepEqual(await src.deltaImport(delta.watermark()).toArray(), []);

    // Another DC (or this one restored from backup): uSNChanged does not carry over.
    dc.invocationId = Buffer.from('ffeeddccbbaa99887766554433221100', 'hex');
    await assert.rejects(src.deltaImport(delta.watermark()).toArray(), (e: unknown) => e instanceof LdapSourceError && e.kind === 'refreshRequired');
  });

  test('asking for DirSync explicitly does not fall back; bad credentials are classified', async () => {
    const { dc } = seed();
    dc.dirSyncRefused = true;
    await assert.rejects(source(dc, { deltaMethod: 'ad-dirsync' }).fullImport().toArray(),
      (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.insufficientAccess && e.kind === 'stopRun');
    await assert.rejects(source(dc, { password: 'nope' }).serverInfo(),
      (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.invalidCredentials);
    await assert.rejects(source(dc, { deltaMethod: 'openldap-sweep' }).serverInfo(),
      (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.badConfiguration);
  });
});
