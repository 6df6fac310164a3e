/**
 * provisionOnDemand for AD2AADProvisioning jobs over real HTTP, against a
 * real slapd (test/helpers/slapd.ts): a DN subject is read with the
 * connector, provisioned through the inbound record path (create, manager
 * left pending, then set when the manager is provisioned on demand by its
 * anchor; redundant; update), logged, and answered in the outbound
 * provisionOnDemand's shape. Out of the rule's OU scope: a skipped answer
 * saying why. The bad inputs of docs/bad-inputs.md's AD2AADProvisioning
 * section, one each. Skipped loudly without slapd (a failure under CI=true).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { BASE_DN, READER_DN, READER_PASSWORD, slapdSkipReason, startSlapd, type Slapd } from '../helpers/slapd.ts';
import { Attribute, Change } from 'ldapts';
import { AD2AAD_APPLICATION_TEMPLATE_ID } from '../../src/sync/templates/catalog.ts';
import { normalizeDn } from '../../src/connectors/ldap/dn.ts';

interface Step { name: string; type: string; status: string; description: string; details: Record<string, string> }
interface Status {
  action: string; changeId: string; reportableIdentifier: string; provisioningSteps: Step[];
  modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[];
  statusInfo: { status: string; errorCode: string | null; reason: string | null };
  sourceIdentity: { id: string; type: string }; targetIdentity: { id: string | null; type: string };
  sourceSystem: { name: string }; targetSystem: { name: string };
}
interface Answer { '@odata.context': string; key: string; value: string }
interface GraphErrorBody { error: { code: string; message: string; target?: string } }

/** The AD2AADProvisioning bad inputs docs/bad-inputs.md lists; each is a test below. */
const CASES = [
  'provisionOnDemand of a DN that does not exist',
  'provisionOnDemand of an AD2AAD job with a rule the job lacks',
  'provisionOnDemand of an AD2AAD job with an unsupported objectTypeName',
  'provisionOnDemand of an AD2AAD group with more than 5 members',
  'provisionOnDemand of an API2AAD job',
  'provisionOnDemand of an AD2AAD job beyond its rate limit',
  'provisionOnDemand of an AD2AAD job whose LDAP server is unreachable',
];

describe('provisionOnDemand for AD2AADProvisioning jobs, against a real slapd', () => {
  let skip: string | undefined;
  let s: Slapd;
  let server: TestServer;
  let spId: string;
  let jobId: string;
  let ruleId: string;
  // provisionOnDemand allows 5 calls per 10 s per job: the tests move this clock on instead of waiting.
  let offset = 0;
  const later = () => { offset += 11_000; };
  const podUrl = () => `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/provisionOnDemand`;
  const pod = (objectId: string, objectTypeName = 'user', rule = ruleId) =>
    server.api(podUrl(), { method: 'POST', json: { parameters: [{ ruleId: rule, subjects: [{ objectId, objectTypeName }] }] } });
  const decoded = async (res: Response): Promise<{ key: { result: string; details: Record<string, string> }; value: Status }> => {
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const body = JSON.parse(text) as Answer;
    assert.match(body['@odata.context'], /\$metadata#microsoft\.graph\.stringKeyStringValuePair$/);
    return { key: JSON.parse(body.key) as { result: string; details: Record<string, string> }, value: JSON.parse(body.value) as Status };
  };
  const userByDn = async (dn: string) => {
    for await (const batch of server.services.directory.streamUsers()) {
      const u = batch.find((x) => normalizeDn(x.onPremisesDistinguishedName ?? '') === normalizeDn(dn));
      if (u) return u;
    }
    return undefined;
  };

  before(async () => {
    skip = slapdSkipReason();
    if (skip) return;
    s = await startSlapd({ people: 30 });
    server = await startTestServer({ clock: { now: () => new Date(Date.now() + offset) }, logLevel: 'warn' });
    const inst = await server.api(`/v1.0/applicationTemplates/${AD2AAD_APPLICATION_TEMPLATE_ID}/instantiate`, { method: 'POST', json: { displayName: 'Corp LDAP' } });
    assert.equal(inst.status, 201);
    spId = ((await inst.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
    const job = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`, { method: 'POST', json: { templateId: 'AD2AADProvisioning' } });
    assert.equal(job.status, 201);
    jobId = ((await job.json()) as { id: string }).id;
    const secrets = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/secrets`, {
      method: 'PUT',
      json: { value: [{ key: 'Server', value: s.url }, { key: 'UserName', value: READER_DN }, { key: 'Password', value: READER_PASSWORD }, { key: 'Domain', value: server.services.tenant.domain }] },
    });
    assert.equal(secrets.status, 204);
    const schema = (await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`)).json()) as { synchronizationRules: { id: string }[] };
    ruleId = schema.synchronizationRules[0]!.id;
  });
  after(async () => {
    await server?.close();
    await s?.stop();
  });

  test('by DN: created with its manager pending; the manager by its anchor sets it; again: redundant; a change: an update', async (t) => {
    if (skip) return t.skip(skip);
    const person = s.dataset.personDns[5]!;
    const manager = s.dataset.managers.get(person)!;
    assert.equal(manager, s.dataset.personDns[0]);

    // 1. The person, by DN: created; its manager is not provisioned yet.
    const first = await decoded(await pod(person));
    assert.deepEqual(first.key, { result: 'Success', details: {} });
    assert.equal(first.value.action, 'Create');
    assert.equal(first.value.statusInfo.status, 'Success');
    assert.equal(first.value.sourceSystem.name, 'Active Directory');
    assert.equal(first.value.targetSystem.name, 'Azure Active Directory');
    assert.equal(first.value.sourceIdentity.type, 'user');
    const steps = first.value.provisioningSteps.map((x) => x.name);
    assert.equal(steps[0], 'EntryImportAdd');
    assert.ok(steps.includes('EntrySynchronizationScoping') && steps.includes('EntryExportAdd'), steps.join());
    assert.equal(first.value.provisioningSteps[0]!.details.distinguishedName, person);
    const pending = first.value.provisioningSteps.find((x) => x.details.SkipReason === 'UnableToResolveReferenceAttributeValue');
    assert.ok(pending, 'the manager is not provisioned yet: the answer says so');
    const upn = first.value.modifiedProperties.find((m) => m.displayName === 'userPrincipalName')?.newValue;
    assert.equal(upn, `u00005@${server.services.tenant.domain}`);
    const created = await userByDn(person);
    assert.ok(created, 'the user is in the directory');
    assert.equal(created.id, first.value.targetIdentity.id);
    assert.equal(created.managerId, null);

    // 2. The manager, by its anchor (entryUUID): created, and the reference pass sets the person's manager.
    const admin = await s.admin();
    const { searchEntries } = await admin.search(manager, { scope: 'base', attributes: ['entryUUID'] });
    const uuid = String(searchEntries[0]!.entryUUID);
    const second = await decoded(await pod(uuid));
    assert.equal(second.value.action, 'Create');
    const boss = await userByDn(manager);
    assert.ok(boss);
    assert.equal((await userByDn(person))!.managerId, boss.id, "the person's pending manager reference was set");

    // 3. Again, unchanged: skipped as redundant.
    const third = await decoded(await pod(person));
    assert.equal(third.key.result, 'Skipped');
    assert.equal(third.key.details.errorCode, 'RedundantExport');
    assert.equal(third.value.statusInfo.status, 'Skipped');

    // 4. A change in LDAP: an update of exactly that attribute.
    await admin.modify(person, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Director'] }) }));
    const fourth = await decoded(await pod(person));
    assert.equal(fourth.value.action, 'Update');
    assert.deepEqual(fourth.value.modifiedProperties.map((m) => [m.displayName, m.oldValue, m.newValue]), [['jobTitle', 'Engineer', 'Director']]);
    assert.equal((await userByDn(person))!.jobTitle, 'Director');
    later();

    // The provisioning log has the entries, initiated by the caller, with the answers' changeIds.
    const logs = await server.api(`/v1.0/auditLogs/provisioning?$filter=${encodeURIComponent(`jobid eq '${jobId}'`)}`);
    assert.equal(logs.status, 200);
    const entries = ((await logs.json()) as { value: { changeId: string; provisioningAction: string; initiatedBy: { initiatorType: string } }[] }).value;
    // The create, and the reference pass's update that set its manager (with the create's changeId, as Entra logs it).
    const mine = entries.filter((e) => e.changeId === first.value.changeId).map((e) => e.provisioningAction).sort();
    assert.deepEqual(mine, ['create', 'update']);
    assert.ok(entries.every((e) => e.initiatedBy.initiatorType === 'application'), 'initiated by the caller');
    // A job that was never started: its status shows no cycle.
    const job = (await (await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}`)).json()) as { status: { lastExecution: unknown } };
    assert.equal(job.status.lastExecution, null);
  });

  test("out of the rule's OU scope: skipped, saying why; nothing is written", async (t) => {
    if (skip) return t.skip(skip);
    later();
    const sales = `ou=Sales,ou=People,${BASE_DN}`;
    const url = `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`;
    const schema = (await (await server.api(url)).json()) as { synchronizationRules: { containerFilter: unknown }[] };
    for (const r of schema.synchronizationRules) r.containerFilter = { includedContainers: [sales] };
    const put = await server.api(url, { method: 'PUT', json: schema });
    assert.equal(put.status, 204, await put.text());
    const engineer = s.dataset.byOu.get('Engineering')![2]!;
    const res = await decoded(await pod(engineer));
    assert.equal(res.key.result, 'Skipped');
    assert.equal(res.key.details.errorCode, 'NotEffectivelyEntitled');
    assert.match(res.key.details.errorMessage ?? '', /out of the job's scope: its DN is not under any of the rule's included containers \(ou=Sales/);
    assert.equal(res.value.statusInfo.status, 'Skipped');
    assert.equal(await userByDn(engineer), undefined, 'not created');
    // In scope: provisioned.
    const seller = s.dataset.byOu.get('Sales')![3]!;
    assert.equal((await decoded(await pod(seller))).value.action, 'Create');
    for (const r of schema.synchronizationRules) r.containerFilter = null;
    assert.equal((await server.api(url, { method: 'PUT', json: schema })).status, 204);
  });

  test('provisionOnDemand of a DN that does not exist', async (t) => {
    if (skip) return t.skip(skip);
    later();
    const dn = `uid=nobody,ou=Sales,ou=People,${BASE_DN}`;
    const res = await pod(dn);
    assert.equal(res.status, 400);
    const body = (await res.json()) as GraphErrorBody;
    assert.equal(body.error.code, 'RequestParameterInvalid');
    assert.equal(body.error.message, `The user '${dn}' does not exist in Active Directory: no user entry has that distinguished name.`);
    // Nor an anchor.
    const byAnchor = (await (await pod('00000000-0000-4000-8000-000000000000')).json()) as GraphErrorBody;
    assert.match(byAnchor.error.message, /does not exist in Active Directory: no user entry has that anchor/);
  });

  test('provisionOnDemand of an AD2AAD job with a rule the job lacks', async (t) => {
    if (skip) return t.skip(skip);
    later();
    const res = await pod(s.dataset.personDns[1]!, 'user', 'nope');
    assert.equal(res.status, 400);
    const body = (await res.json()) as GraphErrorBody;
    assert.equal(body.error.code, 'RequestParameterInvalid');
    assert.match(body.error.message, /However, the job does not include the rule\./);
  });

  test('provisionOnDemand of an AD2AAD job with an unsupported objectTypeName', async (t) => {
    if (skip) return t.skip(skip);
    later();
    const res = await pod(s.dataset.personDns[1]!, 'Worker');
    assert.equal(res.status, 400);
    const body = (await res.json()) as GraphErrorBody;
    assert.equal(body.error.code, 'Request_BadRequest');
    assert.match(body.error.message, /objectTypeName 'Worker' is not supported for this job; use user or group/);
  });

  test('provisionOnDemand of an AD2AAD group with more than 5 members', async (t) => {
    if (skip) return t.skip(skip);
    later();
    const members = s.dataset.personDns.slice(0, 6).map((objectId) => ({ objectId, objectTypeName: 'user' }));
    const res = await server.api(podUrl(), { method: 'POST', json: { parameters: [{ ruleId, subjects: [{ objectId: s.dataset.groups.pilot, objectTypeName: 'group', links: { members } }] }] } });
    assert.equal(res.status, 400);
    const body = (await res.json()) as GraphErrorBody;
    assert.equal(body.error.code, 'Request_BadRequest');
    assert.match(body.error.message, /at most 5 members \(got 6\)/);
  });

  test('a group by DN with one of its members: both provisioned; a member not listed joins when it is provisioned', async (t) => {
    if (skip) return t.skip(skip);
    later();
    const pilot = s.dataset.groups.pilot;
    const [listed, other] = s.dataset.pilotMembers;
    assert.ok(listed && other && (await userByDn(listed)) === undefined && (await userByDn(other)) === undefined, 'neither is provisioned yet');
    const res = await server.api(podUrl(), {
      method: 'POST', json: { parameters: [{ ruleId, subjects: [{ objectId: pilot, objectTypeName: 'group', links: { members: [{ objectId: listed, objectTypeName: 'user' }] } }] }] },
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const body = JSON.parse(text) as Answer;
    const value = JSON.parse(body.value) as Status & { members: Status[] };
    assert.deepEqual(JSON.parse(body.key), { result: 'Success', details: {} });
    assert.equal(value.action, 'Create');
    assert.equal(value.sourceIdentity.type, 'group');
    assert.equal(value.targetIdentity.type, 'Group');
    assert.deepEqual(value.members.map((m) => m.action), ['Create']);
    assert.ok(value.provisioningSteps.some((x) => x.details.SkipReason === 'UnableToResolveReferenceAttributeValue'), 'the unlisted member waits');
    const groupId = value.targetIdentity.id!;
    const memberIds = async () => (await server.services.directory.listLinks(groupId, 'member', 10)).items.map((o) => (o.kind === 'user' ? o.user.id : o.group.id)).sort();
    assert.deepEqual(await memberIds(), [(await userByDn(listed))!.id]);
    // The other member, on demand: the reference pass adds it to the group.
    assert.equal((await decoded(await pod(other))).value.action, 'Create');
    assert.deepEqual(await memberIds(), [(await userByDn(listed))!.id, (await userByDn(other))!.id].sort());
  });

  test('provisionOnDemand of an API2AAD job', async (t) => {
    if (skip) return t.skip(skip);
    later();
    const inst = await server.api('/v1.0/applicationTemplates/a7d0b5c2-3f1e-4e8a-9c6b-2d4f6a8b0c13/instantiate', { method: 'POST', json: { displayName: 'HR' } });
    const sp = ((await inst.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
    const job = ((await (await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs`, { method: 'POST', json: { templateId: 'API2AAD' } })).json()) as { id: string }).id;
    const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/provisionOnDemand`, {
      method: 'POST', json: { parameters: [{ ruleId: 'x', subjects: [{ objectId: '701984', objectTypeName: 'User' }] }] },
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as GraphErrorBody;
    assert.match(body.error.message, /^Provision on demand is not supported for API-driven provisioning jobs \('API2AAD'\), as in Microsoft Entra/);
  });

  test('provisionOnDemand of an AD2AAD job beyond its rate limit', async (t) => {
    if (skip) return t.skip(skip);
    later();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await pod(`uid=nobody${i},${BASE_DN}`);
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 400], 'five calls are answered (here: the DN does not exist)');
    const sixth = await pod(s.dataset.personDns[2]!);
    assert.equal(sixth.status, 429);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);
    assert.equal(((await sixth.json()) as GraphErrorBody).error.code, 'TooManyRequests');
  });

  test('provisionOnDemand of an AD2AAD job whose LDAP server is unreachable', async (t) => {
    if (skip) return t.skip(skip);
    later();
    // Another application whose Server is a closed loopback port.
    const inst = await server.api(`/v1.0/applicationTemplates/${AD2AAD_APPLICATION_TEMPLATE_ID}/instantiate`, { method: 'POST', json: { displayName: 'Down LDAP' } });
    const sp = ((await inst.json()) as { servicePrincipal: { id: string } }).servicePrincipal.id;
    const job = ((await (await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs`, { method: 'POST', json: { templateId: 'AD2AADProvisioning' } })).json()) as { id: string }).id;
    await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/secrets`, {
      method: 'PUT', json: { value: [{ key: 'Server', value: 'ldap://127.0.0.1:1' }, { key: 'UserName', value: READER_DN }, { key: 'Password', value: READER_PASSWORD }] },
    });
    const res = await server.api(`/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/provisionOnDemand`, {
      method: 'POST', json: { parameters: [{ ruleId, subjects: [{ objectId: s.dataset.personDns[2]!, objectTypeName: 'user' }] }] },
    });
    const answer = await decoded(res);
    assert.equal(answer.key.result, 'Failure');
    assert.equal(answer.key.details.errorCode, 'LdapServerUnavailable');
    assert.equal(answer.value.statusInfo.status, 'Failure');
    assert.match(answer.value.provisioningSteps[0]!.description, /could not read .* from Active Directory: .*127\.0\.0\.1:1/);
  });

  test('docs/bad-inputs.md lists every AD2AADProvisioning case', () => {
    const doc = readFileSync(new URL('../../docs/bad-inputs.md', import.meta.url), 'utf8');
    for (const name of CASES) assert.ok(doc.includes(`| ${name} |`), `docs/bad-inputs.md lacks a row for '${name}'`);
  });
});
