/**
 * The directory service's contract, run once against SQLite and once against
 * PostgreSQL (a fresh schema per test): the same operations must give the
 * same results on both stores.
 */
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { DirectoryService } from '../../src/directory/directory-service.ts';
import type { CreateUserInput } from '../../src/directory/model.ts';
import { DEFAULT_APP_ROLE_ID } from '../../src/directory/model.ts';
import { ApplicationService } from '../../src/applications/applications.ts';
import { parseFilter } from '../../src/graph/odata-filter.ts';
import { GraphError } from '../../src/errors/graph-error.ts';
import type { DirectoryChange } from '../../src/directory/port.ts';
import { withPostgres } from '../helpers/postgres.ts';
import { appendChanges } from '../../src/directory/change-feed.ts';

const DOMAIN = 'contoso.test';

class TestClock {
  t = new Date('2026-01-01T00:00:00Z').getTime();
  now = () => new Date(this.t);
  advance(ms: number) { this.t += ms; }
}

interface Ctx { dir: DirectoryService; store: Store; clock: TestClock; apps: ApplicationService }

async function withSqlite(_t: TestContext, fn: (store: Store) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'provisio-dir-'));
  const store = openSqliteStore(join(folder, 'p.db'));
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

const user = (alias: string, extra: Partial<CreateUserInput> = {}): CreateUserInput => ({
  accountEnabled: true, displayName: alias, mailNickname: alias, userPrincipalName: `${alias}@${DOMAIN}`, ...extra,
});

async function rejects(p: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof GraphError, `expected a GraphError, got ${String(e)}`);
    assert.equal(e.status, status);
    assert.match(e.message, message);
    return true;
  });
}

async function all<T>(it: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const b of it) out.push(b);
  return out;
}

async function changes(dir: DirectoryService, after = 0): Promise<DirectoryChange[]> {
  return (await dir.changesSince(after, { limit: 10_000 })).changes;
}

function contract(name: string, open: (t: TestContext, fn: (store: Store) => Promise<void>) => Promise<void>) {
  // Each case gets its own store: a fresh SQLite file or PostgreSQL schema.
  const it = (title: string, fn: (c: Ctx) => Promise<void>): void => {
    test(title, (t) => open(t, async (store) => {
      const clock = new TestClock();
      await fn({ store, clock, dir: new DirectoryService(store, clock, DOMAIN), apps: new ApplicationService(store, clock, 'tenant') });
    }));
  };

  describe(`directory contract: ${name}`, () => {
    it('creates, reads, updates, soft-deletes, restores and purges a user, recording each change once, in order', async ({ dir }) => {
      const u = await dir.createUser(user('ada', { department: 'Research', otherMails: ['ada@elsewhere.test'] }));
      assert.equal((await dir.getUser(u.id)).department, 'Research');
      assert.equal((await dir.getUser(`ADA@${DOMAIN.toUpperCase()}`)).id, u.id, 'lookup by UPN is case-insensitive');
      assert.deepEqual(await dir.updateUser(u.id, { jobTitle: 'Countess', department: 'Research' }), ['jobTitle']);
      assert.deepEqual(await dir.updateUser(u.id, { jobTitle: 'Countess' }), [], 'a no-op update changes nothing');
      await dir.deleteUser(u.id);
      await rejects(dir.getUser(u.id), 404, /does not exist/);
      assert.equal((await dir.getDeleted(u.id)).kind, 'user');
      await dir.restore(u.id);
      assert.equal((await dir.getUser(u.id)).deletedDateTime, null);
      await dir.deleteUser(u.id);
      await dir.purge(u.id);
      await rejects(dir.getDeleted(u.id), 404, /does not exist/);
      const feed = await changes(dir);
      assert.deepEqual(feed.map((c) => c.kind), ['created', 'updated', 'deleted', 'restored', 'deleted', 'hardDeleted']);
      assert.deepEqual(feed.map((c) => c.seq), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(feed[1]!.properties, ['jobTitle']);
      assert.equal(await dir.currentWatermark(), 6);
    });

    it('keeps userPrincipalName unique among live users, case-insensitively, and refuses a colliding restore', async ({ dir }) => {
      const a = await dir.createUser(user('bob'));
      await rejects(dir.createUser(user('BOB')), 400, /same value for property userPrincipalName/);
      await dir.deleteUser(a.id);
      const b = await dir.createUser(user('Bob'));
      await rejects(dir.restore(a.id), 400, /same value for property userPrincipalName/);
      await rejects(dir.updateUser(b.id, { userPrincipalName: `x y@${DOMAIN}` }), 400, /Invalid value specified for property 'userPrincipalName'/);
      await rejects(dir.createUser(user('carl', { userPrincipalName: 'carl@other.example' })), 400, /verified domain/);
    });

    it('streams users in keyset batches and gets users by ids, soft-deleted included', async ({ dir }) => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await dir.createUser(user(`u${i}`))).id);
      await dir.deleteUser(ids[3]!);
      const batches = await all(dir.streamUsers({ batchSize: 3 }));
      assert.deepEqual(batches.map((b) => b.length), [3, 3]);
      const streamed = batches.flat().map((u) => u.id);
      assert.deepEqual(streamed, [...ids.filter((_, i) => i !== 3)].sort());
      const got = await dir.getUsersByIds([ids[3]!, ids[0]!, 'nope']);
      assert.equal(got.length, 2);
      assert.ok(got.find((u) => u.id === ids[3])!.deletedDateTime);
    });

    it('filters in SQL: eq, startswith with diacritics, in, ne, not, any, extension attributes, booleans, dates', async ({ dir, clock }) => {
      await dir.createUser(user('zoe', { displayName: 'Zoë Ångström', department: 'Sales', otherMails: ['Zoe@Mail.test'], onPremisesExtensionAttributes: { extensionAttribute1: 'VIP' } }));
      clock.advance(60_000);
      await dir.createUser(user('anna', { displayName: 'Öberg Anna', department: 'Legal', employeeId: 'E-42', accountEnabled: false }));
      clock.advance(60_000);
      await dir.createUser(user('oscar', { displayName: 'Oscar Öster', department: 'sales' }));
      const names = async (f: string) => (await dir.listUsers({ top: 10, filter: parseFilter(f), advanced: true })).items.map((u) => u.mailNickname).sort();
      assert.deepEqual(await names("department eq 'SALES'"), ['oscar', 'zoe']);
      assert.deepEqual(await names("startswith(displayName,'ÖB')"), ['anna']);
      assert.deepEqual(await names("startswith(displayName,'oscar ö')"), ['oscar']);
      assert.deepEqual(await names("startswith(displayName,'ZOË Å')"), ['zoe']);
      assert.deepEqual(await names("employeeId in ('E-42','nope')"), ['anna']);
      assert.deepEqual(await names('accountEnabled eq false'), ['anna']);
      assert.deepEqual(await names("department ne 'sales'"), ['anna']);
      assert.deepEqual(await names("not startswith(displayName,'Z') and department eq 'sales'"), ['oscar']);
      assert.deepEqual(await names("otherMails/any(m: m eq 'zoe@mail.test')"), ['zoe']);
      assert.deepEqual(await names("onPremisesExtensionAttributes/extensionAttribute1 eq 'vip'"), ['zoe']);
      assert.deepEqual(await names('employeeId eq null'), ['oscar', 'zoe']);
      assert.deepEqual(await names("createdDateTime ge 2026-01-01T00:01:00Z"), ['anna', 'oscar']);
      assert.deepEqual(await names("endswith(userPrincipalName,'R@contoso.test')"), ['oscar']);
      assert.equal(await dir.countUsers(parseFilter("department eq 'sales'")), 2);
      // Sorted by lower-cased code points, the same in both stores ('ö' after 'z').
      const ordered = await dir.listUsers({ top: 2, orderBy: { property: 'displayName', desc: false } });
      assert.deepEqual(ordered.items.map((u) => u.mailNickname), ['oscar', 'zoe']);
      const rest = await dir.listUsers({ top: 2, orderBy: { property: 'displayName', desc: false }, after: ordered.next! });
      assert.deepEqual(rest.items.map((u) => u.mailNickname), ['anna']);
      const desc = await dir.listUsers({ top: 2, orderBy: { property: 'displayName', desc: true } });
      assert.deepEqual(desc.items.map((u) => u.mailNickname), ['anna', 'zoe']);
      assert.equal(rest.next, undefined);
    });

    it('manages membership, skipping soft-deleted members, and refuses duplicates', async ({ dir }) => {
      const g = await dir.createGroup({ displayName: 'Team', mailEnabled: false, mailNickname: 'team', securityEnabled: true });
      const members: string[] = [];
      for (let i = 0; i < 5; i++) members.push((await dir.createUser(user(`m${i}`))).id);
      for (const m of members) await dir.addLink(g.id, 'member', m);
      await rejects(dir.addLink(g.id, 'member', members[0]!), 400, /already exist for the following modified properties: 'members'/);
      await rejects(dir.addLink(g.id, 'member', g.id), 400, /itself/);
      await rejects(dir.addLink(g.id, 'member', '00000000-0000-0000-0000-00000000dead'), 404, /does not exist/);
      await dir.deleteUser(members[1]!);
      const ids = (await all(dir.streamGroupMemberIds(g.id, { batchSize: 2 }))).flat().map((m) => m.id);
      assert.deepEqual(ids, members.filter((_, i) => i !== 1).sort());
      await dir.removeLink(g.id, 'member', members[0]!);
      await rejects(dir.removeLink(g.id, 'member', members[0]!), 404, /does not exist/);
      assert.equal((await dir.listMemberOf(members[2]!, 10)).items[0]?.id, g.id);
    });

    it('sets managers and refuses cycles', async ({ dir }) => {
      const [a, b, c] = [await dir.createUser(user('a')), await dir.createUser(user('b')), await dir.createUser(user('c'))];
      await dir.setManager(b.id, a.id);
      await dir.setManager(c.id, b.id);
      await rejects(dir.setManager(a.id, c.id), 400, /would create a cycle/);
      await rejects(dir.setManager(a.id, a.id), 400, /own manager/);
      assert.equal(await dir.getManagerId(c.id), b.id);
      assert.deepEqual((await dir.listDirectReports(a.id, 10)).items.map((u) => u.id), [b.id]);
      await dir.removeManager(c.id);
      assert.equal(await dir.getManagerId(c.id), null);
      await rejects(dir.removeManager(c.id), 404, /does not exist/);
    });

    it('assigns users and groups to a service principal and reports direct and group entitlements', async ({ dir, apps }) => {
      const app = await apps.createApplication({ displayName: 'Target' }, null);
      const sp = await apps.createServicePrincipal({ appId: app.appId }, null);
      const [alice, bob, carol] = [await dir.createUser(user('alice')), await dir.createUser(user('bob')), await dir.createUser(user('carol'))];
      const g = await dir.createGroup({ displayName: 'Assigned', mailEnabled: false, mailNickname: 'assigned', securityEnabled: true });
      await dir.addLink(g.id, 'member', bob.id);
      const direct = await dir.assign(sp.id, { principalId: alice.id, resourceId: sp.id, appRoleId: DEFAULT_APP_ROLE_ID });
      assert.equal(direct.principalType, 'User');
      assert.equal(direct.principalDisplayName, 'alice');
      assert.equal(direct.resourceDisplayName, 'Target');
      await dir.assign(sp.id, { principalId: g.id, resourceId: sp.id, appRoleId: DEFAULT_APP_ROLE_ID });
      await rejects(dir.assign(sp.id, { principalId: alice.id, resourceId: sp.id, appRoleId: DEFAULT_APP_ROLE_ID }), 400, /already exists on the object/);
      await rejects(dir.assign(sp.id, { principalId: alice.id, resourceId: sp.id, appRoleId: '11111111-1111-1111-1111-111111111111' }), 400, /not found on application/);
      const ent = await dir.getEntitlements(sp.id, [alice.id, bob.id, carol.id]);
      assert.deepEqual(ent.map((e) => [e.direct.length, e.viaGroups.length]), [[1, 0], [0, 1], [0, 0]]);
      assert.equal(ent[1]!.viaGroups[0]!.groupId, g.id);
      assert.equal((await all(dir.streamAssignments(sp.id, { batchSize: 1 }))).flat().length, 2);
      await dir.unassign(sp.id, direct.id);
      await rejects(dir.unassign(sp.id, direct.id), 404, /does not exist/);
      assert.deepEqual((await dir.getEntitlements(sp.id, [alice.id]))[0]!.direct, []);
    });

    it('hard-deletes security groups at once and records every severed relationship', async ({ dir, apps }) => {
      const app = await apps.createApplication({ displayName: 'T' }, null);
      const sp = await apps.createServicePrincipal({ appId: app.appId }, null);
      const u = await dir.createUser(user('member'));
      const sec = await dir.createGroup({ displayName: 'Sec', mailEnabled: false, mailNickname: 'sec', securityEnabled: true });
      const m365 = await dir.createGroup({ displayName: 'M365', mailEnabled: true, mailNickname: 'm365', securityEnabled: false, groupTypes: ['Unified'] });
      assert.equal(m365.mail, `m365@${DOMAIN}`);
      await dir.addLink(sec.id, 'member', u.id);
      await dir.assign(sp.id, { principalId: sec.id, resourceId: sp.id, appRoleId: DEFAULT_APP_ROLE_ID });
      const before = await dir.currentWatermark();
      await dir.deleteGroup(sec.id);
      await rejects(dir.getDeleted(sec.id), 404, /does not exist/);
      assert.deepEqual((await changes(dir, before)).map((c) => c.kind).sort(), ['assignmentRemoved', 'hardDeleted', 'memberRemoved']);
      await dir.deleteGroup(m365.id);
      assert.equal((await dir.getDeleted(m365.id)).kind, 'group', 'Microsoft 365 groups go to the recycle bin');
    });

    it('purges the recycle bin after 30 days', async ({ dir, clock }) => {
      const u = await dir.createUser(user('old'));
      await dir.deleteUser(u.id);
      clock.advance(29 * 86_400_000);
      assert.equal(await dir.purgeExpired(), 0);
      clock.advance(2 * 86_400_000);
      assert.equal(await dir.purgeExpired(), 1);
      await rejects(dir.getDeleted(u.id), 404, /does not exist/);
    });

    it('numbers concurrent writes without gaps and reads changes by limit', async ({ dir }) => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => dir.createUser(user(`c${i}`))));
      const page = await dir.changesSince(0, { limit: 8 });
      assert.equal(page.changes.length, 8);
      assert.equal(page.hasMore, true);
      assert.equal(page.watermark, 8);
      const streamed = (await all(dir.streamChangesSince(0, { limit: 8 }))).flat();
      assert.deepEqual(streamed.map((c) => c.seq), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.deepEqual((await dir.changesSince(20)).changes, []);
    });

    it('makes a later writer wait for an earlier one to commit, so no reader ever sees seq N+1 before N', async ({ dir, store }) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      let firstAppended!: () => void;
      const appended = new Promise<void>((r) => { firstAppended = r; });
      const first = store.transaction(async (trx) => {
        await appendChanges(trx, store.dialect, [{ objectType: 'user', objectId: 'slow-writer', kind: 'created' }], new Date().toISOString());
        firstAppended();
        await gate; // holds the counter row (PostgreSQL) or the connection (SQLite) until released
      });
      await appended;
      let secondDone = false;
      const second = dir.createUser(user('fast')).then(() => { secondDone = true; });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(secondDone, false, 'the second writer waits for the first to commit');
      if (store.dialect === 'postgres') assert.deepEqual((await dir.changesSince(0)).changes, [], 'nothing is visible before the first commit');
      release();
      await first;
      await second;
      assert.deepEqual((await changes(dir)).map((c) => [c.seq, c.objectId === 'slow-writer']), [[1, true], [2, false]]);
    });

    it('imports in bulk (the seeder path) with one change per object and relationship', async ({ dir }) => {
      await dir.importUsers([
        { ...user('boss'), id: '00000000-0000-0000-0000-000000000001' },
        { ...user('worker'), id: '00000000-0000-0000-0000-000000000002', managerId: '00000000-0000-0000-0000-000000000001' },
      ]);
      await dir.importGroups([{ id: '00000000-0000-0000-0000-0000000000aa', displayName: 'G', mailEnabled: false, mailNickname: 'g', securityEnabled: true }]);
      await dir.importMembers([{ groupId: '00000000-0000-0000-0000-0000000000aa', memberId: '00000000-0000-0000-0000-000000000002', memberType: 'user' }]);
      assert.deepEqual((await changes(dir)).map((c) => c.kind), ['created', 'created', 'managerSet', 'created', 'memberAdded']);
      assert.equal(await dir.getManagerId('00000000-0000-0000-0000-000000000002'), '00000000-0000-0000-0000-000000000001');
    });
  });
}

contract('SQLite', withSqlite);
contract('PostgreSQL', (t, fn) => withPostgres(t, fn, 'dir'));
