/**
 * The LDAP source against a real OpenLDAP server (test/helpers/slapd.ts):
 * full imports of a few thousand entries over paged searches, OU and group
 * scoping, reads by DN, LDAPS and StartTLS, bad credentials, and deltas —
 * modify, rename/move, add and delete — through the accesslog overlay and
 * through the presence sweep. Skipped loudly where slapd is not installed
 * (a failure under CI=true).
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Attribute, Change, type Client } from 'ldapts';
import { BASE_DN, READER_DN, READER_PASSWORD, slapdSkipReason, startSlapd, type Slapd } from '../../helpers/slapd.ts';
import { LdapSource, type LdapImport } from '../../../src/connectors/ldap/source.ts';
import { attributeValues, memoryAnchorStore, type LdapChange, type LdapEntry, type LdapSourceOptions } from '../../../src/connectors/ldap/types.ts';
import { LdapErrorCodes, LdapSourceError } from '../../../src/connectors/ldap/errors.ts';
import { normalizeDn } from '../../../src/connectors/ldap/dn.ts';

const PEOPLE = 3000;
const GROUPS = 7;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ou = (name: string) => `ou=${name},ou=People,${BASE_DN}`;

function replace(type: string, ...values: string[]): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
}

async function collect<T>(imp: LdapImport<T>): Promise<T[]> {
  return imp.toArray();
}

/** Changes as sortable text: `upsert <dn>` / `delete <dn>`. */
function summary(changes: LdapChange[]): string[] {
  return changes.map((c) => (c.kind === 'upsert' ? `upsert ${normalizeDn(c.entry.dn)}` : `delete ${normalizeDn(c.dn ?? c.anchor)}`)).sort();
}

async function person(admin: Client, dn: string, uid: string): Promise<void> {
  await admin.add(dn, { objectClass: 'inetOrgPerson', uid, cn: `New ${uid}`, sn: uid, mail: `${uid}@example.test` });
}

/** A slapd for the suite; sources made through `source` are closed before it stops. */
function withServer(opts: { people: number; accesslog: boolean }, defaults: Partial<LdapSourceOptions>) {
  const state: { server?: Slapd; skip?: string } = {};
  const sources: LdapSource[] = [];
  before(async () => {
    state.skip = slapdSkipReason();
    if (!state.skip) state.server = await startSlapd(opts);
  });
  after(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await state.server?.stop();
  });
  const server = (t: TestContext): Slapd | undefined => {
    if (!state.server) {
      t.skip(state.skip ?? 'slapd did not start');
      return undefined;
    }
    return state.server;
  };
  const source = (s: Slapd, extra: Partial<LdapSourceOptions> = {}) => {
    const src = new LdapSource({ url: s.url, bindDn: READER_DN, password: READER_PASSWORD, ...defaults, ...extra });
    sources.push(src);
    return src;
  };
  return { server, source };
}

describe('LDAP source against slapd with the accesslog overlay', () => {
  const { server, source } = withServer({ people: PEOPLE, accesslog: true }, { pageSize: 250 });

  test('rootDSE: OpenLDAP, accesslog found through auditContext, chosen by default', async (t) => {
    const s = server(t);
    if (!s) return;
    const info = await source(s).serverInfo();
    assert.equal(info.flavor, 'openldap');
    assert.equal(info.baseDn, BASE_DN);
    assert.equal(info.accesslogBase, 'cn=accesslog');
    assert.deepEqual(info.deltaMethods, ['openldap-accesslog', 'openldap-sweep']);
    assert.equal(info.deltaMethod, 'openldap-accesslog');
    assert.equal((await source(s, { deltaMethod: 'openldap-sweep' }).serverInfo()).deltaMethod, 'openldap-sweep');
    // A base from the Domain secret is used only when the server holds it.
    assert.equal((await source(s, { domainBaseDn: 'DC=provisio,DC=local' }).serverInfo()).baseDn, BASE_DN);
    assert.equal((await source(s, { domainBaseDn: `ou=People,${BASE_DN}` }).serverInfo()).baseDn, `ou=People,${BASE_DN}`);
    await assert.rejects(source(s, { deltaMethod: 'ad-usn' }).serverInfo(), (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.badConfiguration);
  });

  test('full import: every person and group, streamed page by page, with managers and members as DNs', async (t) => {
    const s = server(t);
    if (!s) return;
    const imp = source(s).fullImport();
    const entries: LdapEntry[] = [];
    let searchesAtFirst = -1;
    for await (const e of imp) {
      if (searchesAtFirst < 0) searchesAtFirst = imp.stats.searches;
      entries.push(e);
    }
    assert.ok(imp.stats.searches - searchesAtFirst >= 10, 'the first entry arrives before the other pages are asked for');
    assert.ok(imp.stats.searches >= Math.ceil((PEOPLE + GROUPS) / 250), `paged: ${imp.stats.searches} pages`);
    const users = entries.filter((e) => e.objectClass === 'user');
    const groups = entries.filter((e) => e.objectClass === 'group');
    assert.equal(users.length, PEOPLE);
    assert.equal(groups.length, GROUPS);
    assert.equal(new Set(entries.map((e) => e.anchor)).size, entries.length, 'anchors are unique');
    assert.ok(entries.every((e) => UUID_RE.test(e.anchor)), 'anchors are entryUUIDs');
    const byDn = new Map(entries.map((e) => [normalizeDn(e.dn), e]));
    for (const [dn, manager] of s.dataset.managers) assert.deepEqual(attributeValues(byDn.get(normalizeDn(dn))!, 'manager'), [manager]);
    const pilot = byDn.get(normalizeDn(s.dataset.groups.pilot))!;
    assert.deepEqual(attributeValues(pilot, 'member').map(normalizeDn).sort(), s.dataset.pilotMembers.map(normalizeDn).sort());
    const sales = byDn.get(normalizeDn(s.dataset.groups.byOu.get('Sales')!))!;
    assert.equal(attributeValues(sales, 'member').length, s.dataset.byOu.get('Sales')!.length);
    const one = users[0]!;
    assert.equal(attributeValues(one, 'entryUUID')[0], one.anchor);
    assert.deepEqual(attributeValues(one, 'objectClass'), ['inetOrgPerson']);
    assert.deepEqual(attributeValues(one, 'userPassword'), []);
    assert.equal(imp.anchors()?.size, entries.length);
    assert.equal(JSON.parse(imp.watermark()).method, 'openldap-accesslog');
    await assert.rejects(imp.toArray(), /only once/);
    // Breaking out early leaves no watermark.
    const partial = source(s).fullImport();
    assert.throws(() => partial.watermark(), /not been iterated to its end/);
    for await (const _ of partial) break;
    assert.throws(() => partial.watermark(), /not been iterated to its end/);
  });

  test('OU scoping (containerFilter.includedContainers): only the included OUs, each entry once', async (t) => {
    const s = server(t);
    if (!s) return;
    const got = await collect(source(s, { scope: { containerFilter: { includedContainers: [ou('Sales'), ou('Engineering')] } } }).fullImport());
    const expected = [...s.dataset.byOu.get('Sales')!, ...s.dataset.byOu.get('Engineering')!].map(normalizeDn).sort();
    assert.deepEqual(got.map((e) => normalizeDn(e.dn)).sort(), expected);
    const nested = await collect(source(s, { scope: { containerFilter: { includedContainers: [`OU=People,${BASE_DN.toUpperCase()}`, ou('Sales')] } } }).fullImport());
    assert.equal(nested.length, PEOPLE);
    assert.throws(() => new LdapSource({ url: s.url, bindDn: '', password: '', scope: { containerFilter: { includedContainers: ['ou=a'] }, groupFilter: { includedGroups: ['cn=b'] } } }), LdapSourceError);
  });

  test('group scoping (groupFilter.includedGroups): the group and its direct members only', async (t) => {
    const s = server(t);
    if (!s) return;
    const got = await collect(source(s, { scope: { groupFilter: { includedGroups: [s.dataset.groups.pilot] } } }).fullImport());
    assert.deepEqual(got.map((e) => normalizeDn(e.dn)).sort(), [...s.dataset.pilotMembers, s.dataset.groups.pilot].map(normalizeDn).sort());
    // g-leads contains the heads and, nested, the pilot group: the pilot group is in scope, its members are not.
    const leads = await collect(source(s, { scope: { groupFilter: { includedGroups: [s.dataset.groups.leads] } } }).fullImport());
    assert.equal(leads.filter((e) => e.objectClass === 'user').length, 5);
    assert.deepEqual(leads.filter((e) => e.objectClass === 'group').map((e) => normalizeDn(e.dn)).sort(), [s.dataset.groups.leads, s.dataset.groups.pilot].map(normalizeDn).sort());
    await assert.rejects(collect(source(s, { scope: { groupFilter: { includedGroups: [`cn=nope,ou=Groups,${BASE_DN}`] } } }).fullImport()),
      (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.badConfiguration);
  });

  test('read one entry by DN (on-demand provisioning), scope shown but not applied', async (t) => {
    const s = server(t);
    if (!s) return;
    const src = source(s, { scope: { containerFilter: { includedContainers: [ou('Sales')] } } });
    const dn = s.dataset.byOu.get('Engineering')![3]!;
    const e = await src.readByDn(dn);
    assert.ok(e);
    assert.equal(normalizeDn(e.dn), normalizeDn(dn));
    assert.equal(e.objectClass, 'user');
    assert.deepEqual(attributeValues(e, 'manager'), [s.dataset.managers.get(dn)!]);
    assert.equal(await src.isInScope(e), false);
    assert.equal(await src.isInScope({ dn: s.dataset.byOu.get('Sales')![0]! }), true);
    assert.equal((await src.readByDn(s.dataset.groups.pilot))?.objectClass, 'group');
    assert.equal(await src.readByDn(`uid=nobody,${ou('Sales')}`), undefined);
    assert.equal(await src.readByDn(ou('Sales')), undefined, 'an OU is neither a user nor a group');
  });

  test('LDAPS and StartTLS, trusting the self-signed certificate; an untrusted one is a TLS error', async (t) => {
    const s = server(t);
    if (!s) return;
    const dn = s.dataset.personDns[7]!;
    const ldaps = await source(s, { url: s.ldapsUrl, tls: { ca: s.caPem } }).readByDn(dn);
    assert.equal(ldaps?.dn, dn);
    const startTls = await source(s, { startTls: true, tls: { ca: s.caPem } }).readByDn(dn);
    assert.equal(startTls?.dn, dn);
    for (const opts of [{ url: s.ldapsUrl, tls: {} }, { startTls: true, tls: {} }]) {
      await assert.rejects(source(s, opts).serverInfo(), (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.tls && e.kind === 'stopRun');
    }
  });

  test('bad credentials and an unreachable server are classified', async (t) => {
    const s = server(t);
    if (!s) return;
    await assert.rejects(source(s, { password: 'wrong-password' }).fullImport().toArray(), (e: unknown) => {
      assert.ok(e instanceof LdapSourceError);
      assert.equal(e.code, LdapErrorCodes.invalidCredentials);
      assert.equal(e.kind, 'stopRun');
      assert.equal(e.resultCode, 49);
      assert.ok(!e.message.includes('wrong-password'));
      return true;
    });
    await assert.rejects(source(s, { url: 'ldap://127.0.0.1:1', connectTimeoutMs: 2000 }).serverInfo(),
      (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.unavailable && e.kind === 'transient');
  });

  test('accesslog delta: modify, rename + move, add and delete; the next delta is empty', async (t) => {
    const s = server(t);
    if (!s) return;
    const src = source(s);
    const full = src.fullImport();
    const before = new Map((await full.toArray()).map((e) => [normalizeDn(e.dn), e]));
    const admin = await s.admin();
    const [modified, moved, deleted] = [s.dataset.byOu.get('Sales')![5]!, s.dataset.byOu.get('Sales')![6]!, s.dataset.byOu.get('Marketing')![8]!];
    const movedTo = `uid=moved-a,${ou('Finance')}`;
    await admin.modify(modified, [replace('title', 'Director')]);
    await admin.modifyDN(moved, movedTo);
    await admin.del(deleted);
    await person(admin, `uid=new-a,${ou('Support')}`, 'new-a');
    await person(admin, `uid=brief-a,${ou('Support')}`, 'brief-a');
    await admin.del(`uid=brief-a,${ou('Support')}`);

    const delta = src.deltaImport(full.watermark());
    const changes = await delta.toArray();
    const upserts = new Map(changes.filter((c) => c.kind === 'upsert').map((c) => [normalizeDn(c.entry.dn), c.entry]));
    assert.deepEqual([...upserts.keys()].sort(), [modified, movedTo, `uid=new-a,${ou('Support')}`].map(normalizeDn).sort());
    assert.deepEqual(attributeValues(upserts.get(normalizeDn(modified))!, 'title'), ['Director']);
    assert.equal(upserts.get(normalizeDn(movedTo))!.anchor, before.get(normalizeDn(moved))!.anchor, 'a move keeps the anchor');
    const deletes = changes.filter((c) => c.kind === 'delete');
    const gone = deletes.find((c) => c.anchor === before.get(normalizeDn(deleted))!.anchor);
    assert.ok(gone, 'the deleted person is reported by anchor');
    assert.equal(normalizeDn(gone.dn!), normalizeDn(deleted));
    // The person added and deleted between two imports is reported as a delete of an anchor never seen.
    assert.equal(deletes.length, 2);
    assert.equal(delta.anchors(), undefined);

    const again = await src.deltaImport(delta.watermark()).toArray();
    assert.deepEqual(again, []);
  });

  test('accesslog delta under OU scoping: moving out of scope is a delete, moving in an upsert', async (t) => {
    const s = server(t);
    if (!s) return;
    const src = source(s, { scope: { containerFilter: { includedContainers: [ou('Sales')] } } });
    const full = src.fullImport();
    const before = new Map((await full.toArray()).map((e) => [normalizeDn(e.dn), e]));
    const admin = await s.admin();
    const out = s.dataset.byOu.get('Sales')![20]!;
    const into = s.dataset.byOu.get('Engineering')![20]!;
    await admin.modifyDN(out, `uid=out-b,${ou('Engineering')}`);
    await admin.modifyDN(into, `uid=in-b,${ou('Sales')}`);
    await admin.modify(s.dataset.byOu.get('Finance')![20]!, [replace('title', 'Out of scope')]);
    const changes = await src.deltaImport(full.watermark()).toArray();
    assert.deepEqual(summary(changes), [`delete uid=out-b,${ou('Engineering')}`, `upsert uid=in-b,${ou('Sales')}`].map((x) => `${x.split(' ')[0]} ${normalizeDn(x.split(' ')[1]!)}`).sort());
    const del = changes.find((c) => c.kind === 'delete')!;
    assert.equal(del.kind === 'delete' && del.anchor, before.get(normalizeDn(out))!.anchor);
  });

  test('accesslog delta under group scoping: joining and leaving the group', async (t) => {
    const s = server(t);
    if (!s) return;
    const pilot = s.dataset.groups.pilot;
    const src = source(s, { scope: { groupFilter: { includedGroups: [pilot] } } });
    const full = src.fullImport();
    await full.toArray();
    const admin = await s.admin();
    const joiner = s.dataset.byOu.get('Finance')![30]!;
    const leaver = s.dataset.pilotMembers[2]!;
    await admin.modify(pilot, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [joiner] }) }),
      new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [leaver] }) }),
    ]);
    await admin.modify(s.dataset.byOu.get('Finance')![31]!, [replace('title', 'Not a member')]);
    const changes = await src.deltaImport(full.watermark()).toArray();
    assert.deepEqual(summary(changes), [`delete ${normalizeDn(leaver)}`, `upsert ${normalizeDn(joiner)}`, `upsert ${normalizeDn(pilot)}`].sort());
  });

  test('an accesslog purged past the watermark asks for a full import', async (t) => {
    const s = server(t);
    if (!s) return;
    const src = source(s);
    const full = src.fullImport();
    await full.toArray();
    const admin = await s.admin();
    await admin.modify(s.dataset.byOu.get('Support')![50]!, [replace('title', 'Purge test')]);
    const delta = src.deltaImport(full.watermark());
    assert.equal((await delta.toArray()).length, 1);
    const last = (JSON.parse(delta.watermark()) as { log: { last?: string } }).log.last;
    assert.ok(last, 'the watermark remembers the newest record it read');
    // What slapo-accesslog's logpurge does to old records.
    await admin.del(`reqStart=${last},cn=accesslog`);
    await assert.rejects(src.deltaImport(delta.watermark()).toArray(), (e: unknown) => e instanceof LdapSourceError && e.kind === 'refreshRequired' && /purged/.test(e.message));
  });

  test('a watermark of another scope or method asks for a full import', async (t) => {
    const s = server(t);
    if (!s) return;
    const full = source(s, { scope: { containerFilter: { includedContainers: [ou('Support')] } } }).fullImport();
    await full.toArray();
    for (const other of [source(s), source(s, { deltaMethod: 'openldap-sweep', anchorStore: memoryAnchorStore(new Map()) })]) {
      await assert.rejects(other.deltaImport(full.watermark()).toArray(), (e: unknown) => e instanceof LdapSourceError && e.kind === 'refreshRequired');
    }
  });
});

describe('LDAP source across a server restart', () => {
  const { server, source } = withServer({ people: 100, accesslog: true }, {});

  test('the source reconnects and the delta continues from the watermark; LDAPS and StartTLS too', async (t) => {
    const s = server(t);
    if (!s) return;
    const plain = source(s);
    const tls = source(s, { startTls: true, tls: { ca: s.caPem } });
    const full = plain.fullImport();
    await full.toArray();
    assert.ok(await tls.readByDn(s.dataset.personDns[0]!));
    await s.restart();
    const admin = await s.admin();
    const dn = s.dataset.personDns[5]!;
    await admin.modify(dn, [replace('title', 'After restart')]);
    const changes = await plain.deltaImport(full.watermark()).toArray();
    assert.deepEqual(summary(changes), [`upsert ${normalizeDn(dn)}`]);
    assert.deepEqual(attributeValues((await tls.readByDn(dn))!, 'title'), ['After restart']);
  });
});

describe('LDAP source against slapd without accesslog (presence sweep)', () => {
  const { server, source } = withServer({ people: 500, accesslog: false }, { pageSize: 100 });

  test('rootDSE: no auditContext, so the presence sweep is chosen', async (t) => {
    const s = server(t);
    if (!s) return;
    const info = await source(s).serverInfo();
    assert.equal(info.accesslogBase, undefined);
    assert.deepEqual(info.deltaMethods, ['openldap-sweep']);
    await assert.rejects(source(s, { deltaMethod: 'openldap-accesslog' }).serverInfo(), (e: unknown) => e instanceof LdapSourceError && e.code === LdapErrorCodes.badConfiguration);
  });

  test('sweep delta: modify, rename + move, add and delete; the anchor set goes through the store', async (t) => {
    const s = server(t);
    if (!s) return;
    const store = memoryAnchorStore();
    const src = source(s, { anchorStore: store });
    const full = src.fullImport();
    const before = new Map((await full.toArray()).map((e) => [normalizeDn(e.dn), e]));
    assert.equal(store.current?.size, 500 + GROUPS);
    const admin = await s.admin();
    const [modified, moved, deleted] = [s.dataset.byOu.get('Sales')![5]!, s.dataset.byOu.get('Sales')![6]!, s.dataset.byOu.get('Marketing')![7]!];
    const movedTo = `uid=moved-c,${ou('Finance')}`;
    await admin.modify(modified, [replace('title', 'Director')]);
    await admin.modifyDN(moved, movedTo);
    await admin.del(deleted);
    await person(admin, `uid=new-c,${ou('Support')}`, 'new-c');

    const delta = src.deltaImport(full.watermark());
    const changes = await delta.toArray();
    assert.deepEqual(summary(changes), [
      `upsert ${normalizeDn(modified)}`, `upsert ${normalizeDn(movedTo)}`, `upsert ${normalizeDn(`uid=new-c,${ou('Support')}`)}`, `delete ${normalizeDn(deleted)}`,
    ].sort());
    const mv = changes.find((c) => c.kind === 'upsert' && normalizeDn(c.entry.dn) === normalizeDn(movedTo));
    assert.equal(mv?.kind === 'upsert' && mv.entry.anchor, before.get(normalizeDn(moved))!.anchor);
    assert.equal(changes.find((c) => c.kind === 'delete')?.kind === 'delete' && (changes.find((c) => c.kind === 'delete') as { anchor: string }).anchor, before.get(normalizeDn(deleted))!.anchor);
    assert.equal(delta.anchors()?.size, 500 + GROUPS);
    assert.deepEqual(await src.deltaImport(delta.watermark()).toArray(), []);

    // Without the previous anchor set there is nothing to sweep against…
    await assert.rejects(source(s).deltaImport(delta.watermark()).toArray(), (e: unknown) => e instanceof LdapSourceError && e.kind === 'refreshRequired');
    // …which the caller may also hand over itself.
    const handed = source(s).deltaImport(delta.watermark(), { previousAnchors: delta.anchors()! });
    assert.deepEqual(await handed.toArray(), []);
    assert.equal(handed.anchors()?.size, 500 + GROUPS);
  });

  test('sweep delta under OU and group scoping: leaving the scope is a delete', async (t) => {
    const s = server(t);
    if (!s) return;
    const admin = await s.admin();
    const ouSrc = source(s, { anchorStore: memoryAnchorStore(), scope: { containerFilter: { includedContainers: [ou('Engineering')] } } });
    const pilot = s.dataset.groups.pilot;
    const grpSrc = source(s, { anchorStore: memoryAnchorStore(), scope: { groupFilter: { includedGroups: [pilot] } } });
    const ouFull = ouSrc.fullImport();
    await ouFull.toArray();
    const grpFull = grpSrc.fullImport();
    await grpFull.toArray();

    const out = s.dataset.byOu.get('Engineering')![40]!;
    await admin.modifyDN(out, `uid=out-d,${ou('Support')}`);
    const joiner = s.dataset.byOu.get('Finance')![41]!;
    const leaver = s.dataset.pilotMembers[4]!;
    await admin.modify(pilot, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [joiner] }) }),
      new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [leaver] }) }),
    ]);
    assert.deepEqual(summary(await ouSrc.deltaImport(ouFull.watermark()).toArray()), [`delete ${normalizeDn(out)}`]);
    assert.deepEqual(summary(await grpSrc.deltaImport(grpFull.watermark()).toArray()),
      [`delete ${normalizeDn(leaver)}`, `upsert ${normalizeDn(joiner)}`, `upsert ${normalizeDn(pilot)}`].sort());
  });
});
