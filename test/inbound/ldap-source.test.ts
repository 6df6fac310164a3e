/**
 * AD2AADProvisioning jobs reading a real OpenLDAP server (test/helpers/slapd.ts)
 * through the LDAP source connector and src/inbound/ldap-source.ts: the first
 * cycle imports the people as directory users with their managers; the next
 * cycle applies a change, a move and a delete read from the accesslog; OU
 * scoping comes from the job's synchronization rule. Skipped loudly without
 * slapd (a failure under CI=true).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Attribute, Change } from 'ldapts';
import { loadConfig } from '../../src/config/config.ts';
import { createServices, type Services } from '../../src/services.ts';
import { tempDir } from '../helpers/sqlite.ts';
import { BASE_DN, READER_DN, READER_PASSWORD, slapdSkipReason, startSlapd, type Slapd } from '../helpers/slapd.ts';
import { normalizeDn } from '../../src/connectors/ldap/dn.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { TEST_DATABASE_URL, dropTestSchema, freshSchemaName, postgresSkipReason } from '../helpers/postgres.ts';

const PEOPLE = 150;
/** The generated directory's groupOfNames groups (one per OU, g-pilot, g-leads): imported with the people. */
const GROUPS = 7;
const SALES = `ou=Sales,ou=People,${BASE_DN}`;

interface DirectoryUserView {
  id: string; managerId: string | null; onPremisesImmutableId: string | null; onPremisesDistinguishedName: string | null;
  jobTitle?: string | null; userPrincipalName: string; accountEnabled: boolean;
}

interface World { s: Slapd; services: Services; spId: string; jobId: string; reopen(): Promise<void>; dispose(): Promise<void> }

/** A slapd, a Provisio (default wiring: the LDAP inbound source) and an AD2AADProvisioning job pointed at the slapd. */
async function world(scopeOus?: string[], opts: { accesslog?: boolean; postgresSchema?: string } = {}): Promise<World> {
  const s = await startSlapd({ people: PEOPLE, ...(opts.accesslog !== undefined ? { accesslog: opts.accesslog } : {}) });
  const t = tempDir();
  const config = loadConfig({ port: 0, dataDir: t.dir, logLevel: 'silent' }, { PROVISIO_SECRET_KEY: randomBytes(32).toString('base64url') });
  // The composition root's default inbound sources: the LDAP connector serves AD2AADProvisioning jobs.
  // On PostgreSQL every process opens its own store on the same schema.
  const pgSchema = opts.postgresSchema;
  const open = async () => createServices(config, {
    logger: pino({ level: 'silent' }),
    ...(pgSchema ? { store: await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema: pgSchema, poolSize: 5 }) } : {}),
  });
  const services = await open();
  const app = await services.applications.createApplication({ displayName: 'Corp LDAP' }, null);
  const sp = await services.applications.createServicePrincipal({ appId: app.appId }, null);
  await services.sync.seedTemplates(sp.id, app.appId, ['AD2AADProvisioning']);
  const job = await services.sync.createJob(sp.id, { templateId: 'AD2AADProvisioning' });
  await services.sync.putSecrets(sp.id, [
    { key: 'Server', value: s.url }, { key: 'UserName', value: READER_DN }, { key: 'Password', value: READER_PASSWORD },
    // The tenant's domain: the UPN suffix of the users (and no naming context of this slapd, so the base comes from its rootDSE).
    { key: 'Domain', value: services.tenant.domain },
  ]);
  const w: World = {
    s, services, spId: sp.id, jobId: job.id,
    // A server restart: a new process over the same database (only what is durable survives).
    reopen: async () => {
      await w.services.close();
      w.services = await open();
    },
    dispose: async () => {
      await w.services.close();
      t.dispose();
      await s.stop();
    },
  };
  if (scopeOus) await scope(w, scopeOus);
  return w;
}

async function scope(w: World, ous: string[]): Promise<void> {
  const schema = (await w.services.sync.findJob(w.jobId))!.schema;
  for (const r of schema.synchronizationRules ?? []) r.containerFilter = { includedContainers: ous };
  await w.services.sync.putJobSchema(w.spId, w.jobId, schema);
}

interface GroupView { id: string; description: string | null; securityEnabled: boolean; members: Set<string> }

/** The directory's groups by display name, with their direct members' ids. */
async function groupsByName(services: Services): Promise<Map<string, GroupView>> {
  const out = new Map<string, GroupView>();
  const page = await services.directory.listGroups({ top: 999 } as Parameters<Services['directory']['listGroups']>[0]);
  for (const g of page.items) {
    const members = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const p = await services.directory.listLinks(g.id, 'member', 999, after);
      for (const o of p.items) members.add(o.kind === 'user' ? o.user.id : o.group.id);
      if (!p.next) break;
      after = p.next;
    }
    out.set(g.displayName ?? g.id, { id: g.id, description: g.description, securityEnabled: g.securityEnabled, members });
  }
  return out;
}

async function users(services: Services): Promise<Map<string, DirectoryUserView>> {
  const out = new Map<string, DirectoryUserView>();
  for await (const b of services.directory.streamUsers()) {
    for (const u of b as unknown as DirectoryUserView[]) out.set(normalizeDn(u.onPremisesDistinguishedName ?? ''), u);
  }
  return out;
}

describe('AD2AADProvisioning jobs importing from a real slapd', () => {
  let skip: string | undefined;
  const worlds: World[] = [];
  before(() => {
    skip = slapdSkipReason();
  });
  after(async () => {
    for (const w of worlds) await w.dispose();
  });

  test('the first cycle imports every person with its manager; the next applies a change, a move and a delete', async (t) => {
    if (skip) return t.skip(skip);
    const w = await world();
    worlds.push(w);
    const { s, services, jobId } = w;
    await services.engine.runCycle(jobId);
    let byDn = await users(services);
    assert.equal(byDn.size, PEOPLE);
    for (const [dn, manager] of s.dataset.managers) {
      assert.equal(byDn.get(normalizeDn(dn))!.managerId, byDn.get(normalizeDn(manager))!.id, `manager of ${dn}`);
    }
    const first = byDn.get(normalizeDn(s.dataset.personDns[0]!))!;
    assert.match(first.onPremisesImmutableId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-/, 'the entryUUID anchor');
    assert.equal(first.userPrincipalName, `u00000@${services.tenant.domain}`);
    assert.equal(first.accountEnabled, true);

    const admin = await s.admin();
    const changed = s.dataset.personDns[11]!;
    const moved = s.dataset.personDns[12]!;
    const gone = s.dataset.personDns[13]!;
    await admin.modify(changed, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Director'] }) }));
    const movedTo = `uid=moved,ou=Finance,ou=People,${BASE_DN}`;
    await admin.modifyDN(moved, movedTo);
    await admin.del(gone);
    const movedId = byDn.get(normalizeDn(moved))!.id;
    await services.engine.runCycle(jobId);
    byDn = await users(services);
    assert.equal(byDn.get(normalizeDn(changed))!.jobTitle, 'Director');
    assert.equal(byDn.get(normalizeDn(movedTo))!.id, movedId, 'a move updates the same user');
    assert.equal(byDn.has(normalizeDn(gone)), false, "a deleted entry's user leaves the directory");
    assert.equal(byDn.size, PEOPLE - 1);
    const job = await services.sync.findJob(jobId);
    assert.equal(job?.status.lastExecution?.state, 'Succeeded');

    // Nothing changed: the delta imports nothing. A restart with resetScope Watermark imports everything again.
    const imported = async () => {
      await services.engine.runCycle(jobId);
      return (await services.sync.findJob(jobId))?.status.lastExecution?.countImported;
    };
    assert.equal(await imported(), 0);
    await services.sync.restartJob(w.spId, jobId, 'Watermark');
    assert.equal(await imported(), PEOPLE - 1 + GROUPS);
    assert.equal((await users(services)).size, PEOPLE - 1);
  });

  test('groups: the 7 groups arrive with their members (users and a nested group); membership changes and a group delete flow on the next delta', async (t) => {
    if (skip) return t.skip(skip);
    const w = await world();
    worlds.push(w);
    const { s, services, jobId } = w;
    await services.engine.runCycle(jobId);
    const byDn = await users(services);
    const cycle1 = await groupsByName(services);
    assert.equal(cycle1.size, GROUPS);
    const cn = (dn: string) => /^cn=([^,]+)/i.exec(dn)![1]!;
    // Every group's members are the directory objects its member DNs became (g-leads holds g-pilot, a group).
    const expected = (dn: string, members: readonly string[]) => new Set(members.map((m) => (m === s.dataset.groups.pilot ? cycle1.get('g-pilot')!.id : byDn.get(normalizeDn(m))!.id)));
    for (const [ou, dn] of s.dataset.groups.byOu) {
      const g = cycle1.get(cn(dn))!;
      assert.ok(g, `group of ${ou}`);
      assert.deepEqual(g.members, expected(dn, s.dataset.byOu.get(ou)!), `members of ${cn(dn)}`);
      assert.equal(g.members.size, PEOPLE / 5);
      assert.equal(g.securityEnabled, true);
    }
    assert.deepEqual(cycle1.get('g-pilot')!.members, expected(s.dataset.groups.pilot, s.dataset.pilotMembers));
    assert.equal(cycle1.get('g-pilot')!.description, 'Pilot users');
    const heads = [...s.dataset.byOu.values()].map((m) => m[0]!);
    assert.deepEqual(cycle1.get('g-leads')!.members, expected(s.dataset.groups.leads, [...heads, s.dataset.groups.pilot]));
    let job = await services.sync.findJob(jobId);
    assert.deepEqual(job?.status.synchronizedEntryCountByType, [{ key: 'User to User', value: PEOPLE }, { key: 'Group to Group', value: GROUPS }]);

    // In LDAP: someone leaves g-sales, someone joins g-pilot, g-marketing is deleted.
    const admin = await s.admin();
    const sales = s.dataset.groups.byOu.get('Sales')!;
    const leaver = s.dataset.byOu.get('Sales')![7]!;
    const joiner = s.dataset.byOu.get('Finance')![4]!;
    assert.ok(!s.dataset.pilotMembers.includes(joiner));
    await admin.modify(sales, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [leaver] }) }));
    await admin.modify(s.dataset.groups.pilot, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [joiner] }) }));
    await admin.del(s.dataset.groups.byOu.get('Marketing')!);
    await services.engine.runCycle(jobId);
    job = await services.sync.findJob(jobId);
    assert.equal(job?.status.lastExecution?.countImported, 3, 'a delta: the two groups changed and the one deleted');
    const cycle2 = await groupsByName(services);
    assert.equal(cycle2.size, GROUPS - 1);
    assert.equal(cycle2.has('g-marketing'), false, 'the deleted group left the directory');
    assert.equal(cycle2.get('g-sales')!.id, cycle1.get('g-sales')!.id);
    assert.equal(cycle2.get('g-sales')!.members.has(byDn.get(normalizeDn(leaver))!.id), false, 'the leaver was removed');
    assert.equal(cycle2.get('g-sales')!.members.size, PEOPLE / 5 - 1);
    assert.equal(cycle2.get('g-pilot')!.members.has(byDn.get(normalizeDn(joiner))!.id), true, 'the joiner was added');
    assert.equal(cycle2.get('g-pilot')!.members.size, s.dataset.pilotMembers.length + 1);
    assert.equal(cycle2.get('g-leads')!.members.size, 6, 'unchanged');

    // A new person and a new group that lists them in the same delta: the group arrives with its member.
    const newcomer = `uid=newcomer,ou=Support,ou=People,${BASE_DN}`;
    await admin.add(newcomer, { objectClass: 'inetOrgPerson', uid: 'newcomer', cn: 'New Comer', sn: 'Comer', displayName: 'New Comer' });
    await admin.add(`cn=g-new,ou=Groups,${BASE_DN}`, { objectClass: 'groupOfNames', cn: 'g-new', member: [newcomer, s.dataset.personDns[0]!] });
    await services.engine.runCycle(jobId);
    const cycle3 = await groupsByName(services);
    const added = (await users(services)).get(normalizeDn(newcomer))!;
    assert.deepEqual(cycle3.get('g-new')!.members, new Set([added.id, byDn.get(normalizeDn(s.dataset.personDns[0]!))!.id]));
  });

  test('on PostgreSQL: users, groups and memberships; a restarted process continues with a delta', async (t) => {
    if (skip) return t.skip(skip);
    const pgSkip = await postgresSkipReason();
    if (pgSkip) return t.skip(pgSkip);
    const schema = freshSchemaName('inb_ldap');
    const w = await world(undefined, { postgresSchema: schema });
    worlds.push({
      ...w,
      dispose: async () => {
        await w.dispose();
        await dropTestSchema(schema);
      },
    });
    const imported = async () => {
      await w.services.engine.runCycle(w.jobId);
      return (await w.services.sync.findJob(w.jobId))?.status.lastExecution?.countImported;
    };
    assert.equal(await imported(), PEOPLE + GROUPS);
    assert.equal((await groupsByName(w.services)).get('g-sales')!.members.size, PEOPLE / 5);
    const admin = await w.s.admin();
    const leaver = w.s.dataset.byOu.get('Sales')![2]!;
    await admin.modify(w.s.dataset.groups.byOu.get('Sales')!, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [leaver] }) }));
    await admin.modify(w.s.dataset.personDns[9]!, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Chief'] }) }));
    await w.reopen();
    assert.equal(await imported(), 2, 'a delta from the watermark the previous process committed');
    const byDn = await users(w.services);
    const sales = (await groupsByName(w.services)).get('g-sales')!;
    assert.equal(sales.members.size, PEOPLE / 5 - 1);
    assert.equal(sales.members.has(byDn.get(normalizeDn(leaver))!.id), false);
    assert.equal(byDn.get(normalizeDn(w.s.dataset.personDns[9]!))!.jobTitle, 'Chief');
  });

  test("OU scoping from the job's rule: only Sales; moving out of Sales removes the user", async (t) => {
    if (skip) return t.skip(skip);
    const w = await world([SALES]);
    worlds.push(w);
    const { s, services, jobId } = w;
    await services.engine.runCycle(jobId);
    let byDn = await users(services);
    const sales = s.dataset.byOu.get('Sales')!;
    assert.deepEqual([...byDn.keys()].sort(), sales.map(normalizeDn).sort());
    const admin = await s.admin();
    await admin.modifyDN(sales[3]!, `uid=left-sales,ou=Support,ou=People,${BASE_DN}`);
    await services.engine.runCycle(jobId);
    byDn = await users(services);
    assert.equal(byDn.size, sales.length - 1);
    assert.equal(byDn.has(normalizeDn(sales[3]!)), false);
  });

  test('after a server restart the next cycle continues with a delta from the durable watermark (accesslog)', async (t) => {
    if (skip) return t.skip(skip);
    const w = await world();
    worlds.push(w);
    const imported = async () => {
      await w.services.engine.runCycle(w.jobId);
      return (await w.services.sync.findJob(w.jobId))?.status.lastExecution?.countImported;
    };
    assert.equal(await imported(), PEOPLE + GROUPS);
    const admin = await w.s.admin();
    const changed = w.s.dataset.personDns[30]!;
    const gone = w.s.dataset.personDns[20]!;
    await admin.modify(changed, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Chief'] }) }));
    await admin.del(gone);
    await w.reopen();
    assert.equal(await imported(), 2, 'a delta of the two changes, not a full import');
    const byDn = await users(w.services);
    assert.equal(byDn.size, PEOPLE - 1);
    assert.equal(byDn.has(normalizeDn(gone)), false);
    assert.equal(byDn.get(normalizeDn(changed))!.jobTitle, 'Chief');
    // A restart with resetScope Full clears the durable watermark: a full import, in this process or the next.
    await w.services.sync.restartJob(w.spId, w.jobId, 'Full');
    await w.reopen();
    assert.equal(await imported(), PEOPLE - 1 + GROUPS);
    assert.equal(await imported(), 0);
    // A new schema version (any PUT of the schema): every object is evaluated again, so the next cycle is a full import.
    const schema = (await w.services.sync.findJob(w.jobId))!.schema;
    await w.services.sync.putJobSchema(w.spId, w.jobId, schema);
    assert.equal(await imported(), PEOPLE - 1 + GROUPS);
    assert.equal(await imported(), 0);
  });

  test('presence sweep (no accesslog): the anchor set survives a restart, so the delta still sees deletes', async (t) => {
    if (skip) return t.skip(skip);
    const w = await world(undefined, { accesslog: false });
    worlds.push(w);
    const imported = async () => {
      await w.services.engine.runCycle(w.jobId);
      return (await w.services.sync.findJob(w.jobId))?.status.lastExecution?.countImported;
    };
    assert.equal(await imported(), PEOPLE + GROUPS);
    const admin = await w.s.admin();
    const gone = w.s.dataset.personDns[40]!;
    await admin.del(gone);
    await w.reopen();
    const n = await imported();
    t.diagnostic(`sweep delta after a restart imported ${n} of ${PEOPLE}`);
    // The sweep's look-back window re-reads the entries loaded within it (docs/ldap-source.md, Watermarks): a delta, not a full import.
    assert.ok(n !== undefined && n < PEOPLE, `a delta, not a full import (imported ${n})`);
    const byDn = await users(w.services);
    assert.equal(byDn.size, PEOPLE - 1);
    assert.equal(byDn.has(normalizeDn(gone)), false, 'the delete was found against the anchor set of the previous process');
  });

  test('after a restart with resetScope Watermark the full import sweeps users deleted meanwhile; an import that sees nobody deletes nobody', async (t) => {
    if (skip) return t.skip(skip);
    const w = await world();
    worlds.push(w);
    await w.services.engine.runCycle(w.jobId);
    assert.equal((await users(w.services)).size, PEOPLE);
    // Delete a user and forget the accesslog position: only the full import's mark and sweep can find the delete.
    const admin = await w.s.admin();
    const gone = w.s.dataset.personDns[20]!;
    await admin.del(gone);
    await w.services.sync.restartJob(w.spId, w.jobId, 'Watermark');
    await w.reopen();
    await w.services.engine.runCycle(w.jobId);
    let byDn = await users(w.services);
    assert.equal(byDn.size, PEOPLE - 1);
    assert.equal(byDn.has(normalizeDn(gone)), false, 'the full import did not see it: its user is deleted');

    // A scope with no users in it (a mistake, or a base the account cannot read) must not empty the directory.
    await scope(w, [`ou=Service,${BASE_DN}`]);
    await assert.rejects(w.services.engine.runCycle(w.jobId), /found no users: refusing to delete the 156 users and groups/);
    byDn = await users(w.services);
    assert.equal(byDn.size, PEOPLE - 1);
  });
});
