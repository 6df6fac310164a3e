/**
 * New-, Get-, Remove-CsOnlineApplicationInstanceAssociation and
 * Get-CsOnlineApplicationInstanceAssociationStatus through the REST API:
 * every documented example and error (teams-app-instance.md §4.6–4.9).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';
import { AA, AA_CONFIG, BASE, BOT, CONFIGURATIONS, CQ, CQ_CONFIG, DOMAIN, EMPTY, assertError, newInstance, startAppInstanceApp } from './helpers.ts';

interface Result { identity: string; id: string | null; configurationId: string | null; configurationType: string | null; result: string; statusCode: string; code: string | null; message: string }

describe('instance associations', () => {
  let t: TestApp;
  before(async () => { t = await startAppInstanceApp(); });
  after(async () => { await t.close(); });

  const associate = async (body: Record<string, unknown>, query = '') => {
    const r = await t.post(`${BASE}/associate${query}`, body);
    assert.equal(r.status, 200, r.text);
    return r.body.results as Result[];
  };
  const find = async (query: string) => ((await t.get(`${BASE}/find?searchQuery=${encodeURIComponent(query)}`)).body.value as { id: string }[]).map((x) => x.id);

  test('New Example 1: one instance with the Main Auto Attendant; the Auto Attendant then lists it', async () => {
    const a = await newInstance(t, 'main_auto_attendant', { appId: AA, displayName: 'Main Auto Attendant' });
    // $applicationInstanceId = (Get-CsOnlineUser "main_auto_attendant@contoso.com").ObjectId
    const applicationInstanceId = (await t.get(`/v1.0/users/main_auto_attendant@${DOMAIN}`)).body.id as string;
    assert.equal(applicationInstanceId, a.id);
    const results = await associate({ identities: [applicationInstanceId], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    assert.deepEqual(results.map((r) => [r.id, r.configurationId, r.configurationType, r.result, r.statusCode]),
      [[a.id, AA_CONFIG, 'AutoAttendant', 'Success', 'Created']]);
    // Get-CsAutoAttendant -Identity $autoAttendantId → ApplicationInstances : {…}
    const cfg = await t.get(`${CONFIGURATIONS}/${AA_CONFIG}`);
    assert.equal(cfg.status, 200);
    assert.deepEqual({ id: cfg.body.id, type: cfg.body.configurationType, instances: cfg.body.applicationInstances },
      { id: AA_CONFIG, type: 'AutoAttendant', instances: [a.id] });
    assert.equal((await t.get(`${BASE}/${a.id}/association`)).body.callPriority, 3, 'call priority defaults to 3 (Normal)');
  });

  test('New Example 2: every instance whose number starts with tel:+1206 (found with Find) with an Auto Attendant', async () => {
    const config = 'f1c0d6a2-1111-4a4a-9b9b-000000000002';
    for (const [i, n] of ['+12065550001', '+12065550002', '+12065550003', '+14255550004'].entries()) {
      const a = await newInstance(t, `aa-number-${i}`, { appId: AA, displayName: `Numbered ${i}` });
      await t.patch(`${BASE}/${a.id}`, { phoneNumber: n });
    }
    const ids = await find('tel:+1206');
    assert.equal(ids.length, 3);
    const results = await associate({ identities: ids, configurationId: config, configurationType: 'AutoAttendant' });
    assert.ok(results.every((r) => r.result === 'Success'));
    assert.deepEqual([...(await t.get(`${CONFIGURATIONS}/${config}`)).body.applicationInstances].sort(), [...ids].sort());
  });

  test('New Example 3: every instance whose display name starts with "Main Auto Attendant" with an Auto Attendant', async () => {
    const config = 'f1c0d6a2-1111-4a4a-9b9b-000000000003';
    await newInstance(t, 'maa-2', { appId: AA, displayName: 'Main Auto Attendant 2' });
    await newInstance(t, 'maa-3', { appId: AA, displayName: 'main auto attendant (backup)' });
    const ids = await find('Main Auto Attendant');
    assert.equal(ids.length, 3);
    // The first is already with Example 1's Auto Attendant: it is refused, the others go through.
    const results = await associate({ identities: ids, configurationId: config, configurationType: 'autoattendant', callPriority: 2 });
    assert.deepEqual(results.map((r) => r.result).sort(), ['Failure', 'Success', 'Success']);
    const failed = results.find((r) => r.result === 'Failure')!;
    assert.deepEqual([failed.code, failed.statusCode], ['AlreadyAssociated', 'Conflict']);
    assert.match(failed.message, new RegExp(`already associated with AutoAttendant ${AA_CONFIG}`));
    assert.equal((await t.get(`${CONFIGURATIONS}/${config}`)).body.applicationInstances.length, 2);
  });

  test('Get Example: the association of an instance by object id (and by userPrincipalName)', async () => {
    const a = await newInstance(t, 'getassoc', { appId: CQ });
    await associate({ identities: [a.id], configurationId: CQ_CONFIG, configurationType: 'CallQueue', callPriority: 1 });
    const r = await t.get(`${BASE}/${a.id}/association`);
    assert.equal(r.status, 200);
    assert.deepEqual({ id: r.body.id, cfg: r.body.configurationId, type: r.body.configurationType, p: r.body.callPriority },
      { id: a.id, cfg: CQ_CONFIG, type: 'CallQueue', p: 1 });
    assert.equal((await t.get(`${BASE}/getassoc@${DOMAIN}/association`)).body.configurationId, CQ_CONFIG);
  });

  test('Status Example: the provisioning status of an association, with the registry stage', async () => {
    const a = await newInstance(t, 'status', { appId: CQ });
    await associate({ identities: [a.id], configurationId: CQ_CONFIG, configurationType: 'CallQueue' });
    const r = await t.get(`${BASE}/${a.id}/association/status`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.value.map((s: Record<string, string>) => [s.type, s.status, s.statusCode]),
      [['Association', 'Completed', 'OK'], ['AgentProvisioning', 'Completed', 'OK']]);
    assert.ok(r.body.value.every((s: Record<string, string>) => typeof s.message === 'string' && !Number.isNaN(Date.parse(String(s.statusTimestamp)))));
    // Without a registry mapping, calls cannot reach the application: the registry stage is in error.
    await t.post(`${BASE}/${a.id}/sync`, { appId: EMPTY });
    const missing = (await t.get(`${BASE}/${a.id}/association/status`)).body.value[1];
    assert.deepEqual([missing.status, missing.statusCode], ['Error', 'NotFound']);
    assert.match(missing.message, new RegExp(`Application with instance id ${a.id} is not registered`));
  });

  test('Remove Example: -Identities <id> removes the association; the instance is then free', async () => {
    const a = await newInstance(t, 'remove', { appId: AA });
    await associate({ identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    const r = await t.post(`${BASE}/removeAssociations`, { identities: [a.id] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x: Result) => [x.id, x.configurationId, x.result, x.statusCode]), [[a.id, AA_CONFIG, 'Success', 'OK']]);
    assertError(await t.get(`${BASE}/${a.id}/association`), 404, 'NoAssociation', `Application instance '${a.id}' is not associated with any configuration.`);
    assertError(await t.get(`${BASE}/${a.id}/association/status`), 404, 'NoAssociation');
    assert.ok(!(await t.get(`${CONFIGURATIONS}/${AA_CONFIG}`)).body.applicationInstances.includes(a.id));
    // "…useful when you want to associate this application instance with another application configuration"
    const other = await associate({ identities: [a.id], configurationId: 'f1c0d6a2-1111-4a4a-9b9b-000000000009', configurationType: 'AutoAttendant' });
    assert.equal(other[0]!.result, 'Success');
  });

  test('the single-instance DELETE: 204, then 404 NoAssociation', async () => {
    const a = await newInstance(t, 'delete', { appId: AA });
    await associate({ identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    assert.equal((await t.del(`${BASE}/${a.id}/association`)).status, 204);
    assertError(await t.del(`${BASE}/${a.id}/association`), 404, 'NoAssociation');
    assertError(await t.del(`${BASE}/nobody@${DOMAIN}/association`), 404, 'InstanceNotFound');
  });

  test('errors per identity: unknown instance, a user id that is no instance, already associated, application of the other type', async () => {
    const aa = await newInstance(t, 'perid-aa', { appId: AA });
    const bot = await newInstance(t, 'perid-bot', { appId: BOT });
    const none = await newInstance(t, 'perid-none');
    await associate({ identities: [aa.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    const unknown = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    const results = await associate({ identities: [unknown, aa.id, bot.id, none.id, aa.id], configurationId: CQ_CONFIG, configurationType: 'CallQueue' });
    assert.deepEqual(results.map((r) => [r.identity, r.result, r.code, r.statusCode]), [
      [unknown, 'Failure', 'InstanceNotFound', 'NotFound'],
      [aa.id, 'Failure', 'AlreadyAssociated', 'Conflict'],
      [bot.id, 'Failure', 'ConfigurationTypeMismatch', 'UnprocessableEntity'],
      [none.id, 'Failure', 'ConfigurationTypeMismatch', 'UnprocessableEntity'],
    ], 'a repeated identity is answered once');
    assert.match(results[2]!.message, new RegExp(`application id ${BOT}, which cannot serve a CallQueue`));
    assert.match(results[3]!.message, /has no application id/);
    // An Auto Attendant instance with a Call Queue: refused, even alone.
    const cqForAa = await newInstance(t, 'perid-cq', { appId: CQ });
    assert.equal((await associate({ identities: [cqForAa.id], configurationId: 'f1c0d6a2-1111-4a4a-9b9b-000000000010', configurationType: 'AutoAttendant' }))[0]!.code, 'ConfigurationTypeMismatch');
  });

  test('force moves an association and accepts a type mismatch', async () => {
    const a = await newInstance(t, 'force-move', { appId: AA });
    await associate({ identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    const moved = await associate({ identities: [a.id], configurationId: 'f1c0d6a2-1111-4a4a-9b9b-000000000011', configurationType: 'AutoAttendant' }, '?force=true');
    assert.equal(moved[0]!.result, 'Success');
    assert.equal((await t.get(`${BASE}/${a.id}/association`)).body.configurationId, 'f1c0d6a2-1111-4a4a-9b9b-000000000011');
    const bot = await newInstance(t, 'force-bot', { appId: BOT });
    assert.equal((await associate({ identities: [bot.id], configurationId: CQ_CONFIG, configurationType: 'CallQueue' }, '?force=true'))[0]!.result, 'Success');
  });

  test('re-associating with the same configuration succeeds and may change the call priority', async () => {
    const a = await newInstance(t, 'same-config', { appId: CQ });
    await associate({ identities: [a.id], configurationId: CQ_CONFIG, configurationType: 'CallQueue' });
    const again = await associate({ identities: [a.id], configurationId: CQ_CONFIG.toUpperCase(), configurationType: 'CallQueue', callPriority: 5 });
    assert.deepEqual([again[0]!.result, again[0]!.statusCode], ['Success', 'OK']);
    assert.equal((await t.get(`${BASE}/${a.id}/association`)).body.callPriority, 5);
  });

  test('request errors: configuration type, call priority, configuration id, identities, a configuration of the other type', async () => {
    const a = await newInstance(t, 'reqerr', { appId: AA });
    const post = (body: Record<string, unknown>) => t.post(`${BASE}/associate`, body);
    assertError(await post({ identities: [a.id], configurationId: AA_CONFIG, configurationType: 'HuntGroup' }), 400, 'Request_BadRequest', /expected AutoAttendant or CallQueue/);
    assertError(await post({ identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant', callPriority: 0 }), 400, 'Request_BadRequest', /from 1 \(very high\) to 5/);
    assertError(await post({ identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant', callPriority: 6 }), 400, 'Request_BadRequest', /callPriority/);
    assertError(await post({ identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant', callPriority: '3' }), 400, 'Request_BadRequest', /callPriority/);
    assertError(await post({ identities: [a.id], configurationId: 'has space', configurationType: 'AutoAttendant' }), 400, 'Request_BadRequest', /configurationId/);
    assertError(await post({ identities: [], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' }), 400, 'Request_BadRequest', /identities/);
    assertError(await post({ configurationId: AA_CONFIG, configurationType: 'AutoAttendant' }), 400, 'Request_BadRequest', /identities/);
    // AA_CONFIG has Auto Attendant instances: it cannot also be a Call Queue.
    const cq = await newInstance(t, 'reqerr-cq', { appId: CQ });
    assertError(await post({ identities: [cq.id], configurationId: AA_CONFIG, configurationType: 'CallQueue' }), 409, 'ConfigurationTypeConflict', /already has application instances associated as a AutoAttendant/);
  });

  test('Remove errors per identity: no association, unknown instance', async () => {
    const a = await newInstance(t, 'rmerr', { appId: AA });
    const r = await t.post(`${BASE}/removeAssociations`, { identities: [a.id, `ghost@${DOMAIN}`] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x: Result) => [x.result, x.code, x.statusCode]), [['Failure', 'NoAssociation', 'NotFound'], ['Failure', 'InstanceNotFound', 'NotFound']]);
  });

  test('Get errors: an unknown instance; a configuration nobody is associated with', async () => {
    assertError(await t.get(`${BASE}/ghost@${DOMAIN}/association`), 404, 'InstanceNotFound');
    assertError(await t.get(`${CONFIGURATIONS}/00000000-0000-0000-0000-0000000000aa`), 404, 'ConfigurationNotFound');
  });

  test('-WhatIf on association and removal changes nothing', async () => {
    const a = await newInstance(t, 'assocwhatif', { appId: AA });
    const r = await t.post(`${BASE}/associate?whatIf=true`, { identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    assert.equal(r.status, 200);
    assert.equal(r.body.operation, 'New-CsOnlineApplicationInstanceAssociation');
    assert.equal(r.body.result.results[0].result, 'Success');
    assertError(await t.get(`${BASE}/${a.id}/association`), 404, 'NoAssociation');
    await t.post(`${BASE}/associate`, { identities: [a.id], configurationId: AA_CONFIG, configurationType: 'AutoAttendant' });
    const rm = await t.post(`${BASE}/removeAssociations?whatIf=true`, { identities: [a.id] });
    assert.equal(rm.body.result.results[0].result, 'Success');
    assert.equal((await t.get(`${BASE}/${a.id}/association`)).status, 200);
  });
});
