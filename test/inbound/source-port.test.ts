/**
 * The InboundSource port with an LDAP-like source (what the LDAP connector
 * will plug in): an AD2AADProvisioning job reads entries by anchor with
 * string-list attributes, creates directory users (anchor → on-premises
 * immutable id, DN → onPremisesDistinguishedName), resolves managers given
 * as anchors, applies a change and a delete, and moves the watermark only
 * through commit.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { createServices } from '../../src/services.ts';
import type { Services } from '../../src/services.ts';
import type { InboundBatch, InboundChange, InboundRecord, InboundSource, InboundSourceFactory } from '../../src/inbound/port.ts';
import { tempDir } from '../helpers/sqlite.ts';

/** An LDAP entry as the LDAP connector produces it. */
interface LdapEntry {
  anchor: string;
  dn: string;
  attributes: Record<string, string[]>;
}

/** The adapter an LDAP connector would write: entries → records (first values; the manager DN → its anchor). */
function toRecord(e: LdapEntry, anchorOfDn: (dn: string) => string | undefined): InboundRecord {
  const attributes: InboundRecord['attributes'] = { objectGUID: e.anchor, distinguishedName: e.dn };
  for (const [k, v] of Object.entries(e.attributes)) {
    if (k === 'manager') attributes.manager = anchorOfDn(v[0] ?? '') ?? null;
    else if (k === 'proxyAddresses') attributes[k] = v;
    else attributes[k] = v[0] ?? null;
  }
  return { anchor: e.anchor, displayName: e.dn, attributes };
}

class FakeLdapSource implements InboundSource {
  readonly systemName = 'Active Directory';
  readonly objectType = 'user';
  committed: string | null = null;
  constructor(readonly log: InboundChange[]) {}
  read(watermark: string | null, limit: number): Promise<InboundBatch> {
    const from = watermark === null ? 0 : Number(watermark);
    const changes = this.log.slice(from, from + limit);
    return Promise.resolve({ changes, watermark: String(from + changes.length), hasMore: from + changes.length < this.log.length });
  }
  commit(watermark: string): Promise<void> {
    this.committed = watermark;
    return Promise.resolve();
  }
  currentWatermark(): Promise<string | null> {
    return Promise.resolve(this.committed);
  }
}

describe('the InboundSource port with an LDAP-like source (AD2AADProvisioning)', () => {
  let services: Services;
  let dispose: () => void;
  let spId: string;
  let jobId: string;
  const changes: InboundChange[] = [];
  const source = new FakeLdapSource(changes);
  const entries: LdapEntry[] = [];
  const dnToAnchor = (dn: string) => entries.find((e) => e.dn === dn)?.anchor;
  // Serves the first job only: a second AD job has no connector configured.
  const factory: InboundSourceFactory = { create: (job) => (job.id === jobId ? source : undefined) };
  let domain: string;

  before(async () => {
    const t = tempDir();
    dispose = t.dispose;
    const config = loadConfig({ port: 0, dataDir: t.dir, logLevel: 'silent' }, { PROVISIO_SECRET_KEY: randomBytes(32).toString('base64url') });
    services = await createServices(config, { logger: pino({ level: 'silent' }), inboundSources: [factory] });
    domain = services.tenant.domain;
    const app = await services.applications.createApplication({ displayName: 'Corp AD' }, null);
    const sp = await services.applications.createServicePrincipal({ appId: app.appId }, null);
    spId = sp.id;
    await services.sync.seedTemplates(sp.id, app.appId, ['AD2AADProvisioning']);
    jobId = (await services.sync.createJob(sp.id, { templateId: 'AD2AADProvisioning' })).id;
  });
  after(async () => {
    await services.close();
    dispose();
  });

  const entry = (uid: string, manager?: string, extra: Record<string, string[]> = {}): LdapEntry => ({
    anchor: `guid-${uid}`,
    dn: `uid=${uid},ou=people,dc=corp,dc=test`,
    attributes: {
      userPrincipalName: [`${uid}@${domain}`], displayName: [`${uid} Person`], givenName: [uid], sn: ['Person'], sAMAccountName: [uid],
      mail: [`${uid}@corp.test`], department: ['Ops'], employeeID: [`E-${uid}`], accountDisabled: ['False'],
      proxyAddresses: [`SMTP:${uid}@corp.test`], ...(manager ? { manager: [`uid=${manager},ou=people,dc=corp,dc=test`] } : {}), ...extra,
    },
  });

  test('entries become users with managers; the watermark moves through commit', async () => {
    entries.push(entry('amy', 'boss'), entry('boss'));
    changes.push(...entries.map((e) => ({ kind: 'upsert' as const, record: toRecord(e, dnToAnchor) })));
    assert.match(jobId, /^AD2AADProvisioning\./);
    await services.engine.runCycle(jobId);
    const users = new Map<string, { id: string; managerId: string | null; onPremisesImmutableId: string | null; onPremisesDistinguishedName: string | null; mailNickname: string | null; department: string | null; accountEnabled: boolean; deletedDateTime: string | null }>();
    for await (const b of services.directory.streamUsers()) for (const u of b) users.set(u.onPremisesImmutableId ?? '', u);
    const amy = users.get('guid-amy')!;
    const boss = users.get('guid-boss')!;
    assert.ok(amy && boss);
    assert.equal(amy.managerId, boss.id, 'the manager, named by DN, resolved through its anchor');
    assert.equal(amy.onPremisesDistinguishedName, 'uid=amy,ou=people,dc=corp,dc=test');
    assert.equal(amy.mailNickname, 'amy', 'sAMAccountName when there is no mailNickname');
    assert.equal(amy.accountEnabled, true);
    assert.equal(source.committed, '2');
    const job = await services.sync.getJob(spId, jobId);
    assert.equal(job.status.lastExecution?.state, 'Succeeded');
    assert.deepEqual(job.status.synchronizedEntryCountByType, [{ key: 'User to User', value: 2 }, { key: 'Group to Group', value: 0 }]);
  });

  test('a change updates, accountDisabled disables, and a delete soft-deletes (Delete is a default flow)', async () => {
    changes.push(
      { kind: 'upsert', record: toRecord(entry('amy', 'boss', { department: ['Finance'], accountDisabled: ['True'] }), dnToAnchor) },
      { kind: 'delete', anchor: 'guid-boss', displayName: 'uid=boss,ou=people,dc=corp,dc=test' },
    );
    await services.engine.runCycle(jobId);
    assert.equal(source.committed, '4');
    const amyId = (await services.store.db.selectFrom('inbound_links').select('user_id').where('anchor', '=', 'guid-amy').executeTakeFirstOrThrow()).user_id;
    const [amy] = await services.directory.getUsersByIds([amyId]);
    assert.equal(amy?.department, 'Finance');
    assert.equal(amy?.accountEnabled, false);
    const live: string[] = [];
    for await (const b of services.directory.streamUsers()) for (const u of b) live.push(u.onPremisesImmutableId ?? '');
    assert.deepEqual(live, ['guid-amy'], 'the deleted entry\'s user is in the recycle bin');
  });

  test('a group whose members arrive after it (later in the cycle, or in a later cycle) gets them in the reference pass', async () => {
    const group = (anchor: string, members: string[]): InboundChange => ({
      kind: 'upsert',
      record: { anchor, displayName: `cn=${anchor},ou=groups,dc=corp,dc=test`, objectType: 'group', attributes: { objectGUID: anchor, cn: anchor, member: members } },
    });
    const members = async (anchor: string) => {
      const link = await services.store.db.selectFrom('inbound_links').select(['user_id', 'object_type']).where('job_id', '=', jobId).where('anchor', '=', anchor).executeTakeFirstOrThrow();
      assert.equal(link.object_type, 'Group');
      const page = await services.directory.listLinks(link.user_id, 'member', 100);
      return page.items.map((o) => (o.kind === 'user' ? o.user.userPrincipalName : o.group.displayName)).sort();
    };
    // The group first, then one of its members in the same cycle; the other member comes a cycle later.
    entries.push(entry('carl'), entry('dora'));
    changes.push(group('grp-ops', ['guid-carl', 'guid-dora', 'guid-amy']), { kind: 'upsert', record: toRecord(entries.find((e) => e.anchor === 'guid-carl')!, dnToAnchor) });
    await services.engine.runCycle(jobId);
    assert.deepEqual(await members('grp-ops'), [`amy@${domain}`, `carl@${domain}`]);
    let job = await services.sync.getJob(spId, jobId);
    assert.equal(job.status.lastExecution?.countImportedReferenceDeltas, 3, 'amy added with the group, carl in the reference pass, dora still pending');
    changes.push({ kind: 'upsert', record: toRecord(entries.find((e) => e.anchor === 'guid-dora')!, dnToAnchor) });
    await services.engine.runCycle(jobId);
    assert.deepEqual(await members('grp-ops'), [`amy@${domain}`, `carl@${domain}`, `dora@${domain}`]);
    job = await services.sync.getJob(spId, jobId);
    assert.deepEqual(job.status.synchronizedEntryCountByType, [{ key: 'User to User', value: 3 }, { key: 'Group to Group', value: 1 }]);
    const pending = await services.store.db.selectFrom('inbound_pending_refs').selectAll().where('job_id', '=', jobId).execute();
    assert.deepEqual(pending, [], 'nothing waits any more');
    // A nested group and a removal: amy leaves, grp-ops becomes a member of grp-all; deleting grp-all deletes the group.
    changes.push(group('grp-ops', ['guid-carl', 'guid-dora']), group('grp-all', ['grp-ops']));
    await services.engine.runCycle(jobId);
    assert.deepEqual(await members('grp-ops'), [`carl@${domain}`, `dora@${domain}`]);
    assert.deepEqual(await members('grp-all'), ['grp-ops']);
    changes.push({ kind: 'delete', anchor: 'grp-all' });
    await services.engine.runCycle(jobId);
    const left = await services.store.db.selectFrom('inbound_links').select('anchor').where('job_id', '=', jobId).where('object_type', '=', 'Group').execute();
    assert.deepEqual(left.map((r) => r.anchor), ['grp-ops']);
    assert.equal((await services.directory.listGroups({ top: 10 } as Parameters<Services['directory']['listGroups']>[0])).items.length, 1);
  });

  test('an inbound job whose connector is not configured fails its cycle with a clear status', async () => {
    const app = await services.applications.createApplication({ displayName: 'No connector' }, null);
    const sp = await services.applications.createServicePrincipal({ appId: app.appId }, null);
    await services.sync.seedTemplates(sp.id, app.appId, ['AD2AADProvisioning']);
    const job = await services.sync.createJob(sp.id, { templateId: 'AD2AADProvisioning', synchronizationJobSettings: [] });
    await assert.rejects(services.engine.runCycle(job.id), /No source connector serves 'AD2AADProvisioning' jobs/);
    const after = await services.sync.getJob(sp.id, job.id);
    assert.equal(after.status.lastExecution?.state, 'Failed');
    assert.match(after.status.lastExecution?.error?.message ?? '', /configure the LDAP\/AD connector/);
  });
});

