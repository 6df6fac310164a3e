/**
 * Sync-CsOnlineApplicationInstance (seed 000) through the REST API: both
 * documented examples, the duplicate-key error, removal with the empty
 * GUID, the re-sync choice, unknown object ids, -WhatIf and -Force.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';
import { AA, ACS, BASE, BOT, CQ, DOMAIN, EMPTY, MAPPINGS, PASSWORD, assertError, newInstance, startAppInstanceApp, warningsOf } from './helpers.ts';

const DUPLICATE = 'An item with the same key has already been added.';

describe('Sync-CsOnlineApplicationInstance', () => {
  let t: TestApp;
  before(async () => { t = await startAppInstanceApp(); });
  after(async () => { await t.close(); });

  const sync = (id: string, body: Record<string, unknown> = {}, query = '') => t.post(`${BASE}/${id}/sync${query}`, body);

  test('Example 1: -ObjectId x -ApplicationId y syncs the instance into the registry', async () => {
    const a = await newInstance(t, 'ex1', { displayName: 'Example One' });
    assert.equal(a.agentProvisioningState, 'notRegistered');
    await t.patch(`${BASE}/${a.id}`, { phoneNumber: '+14255550100' });
    const r = await sync(a.id!, { appId: BOT });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, a.id);
    assert.equal(r.body.action, 'created');
    // The mapping is the instance copied from the directory: key, application, name, number.
    assert.deepEqual(
      { id: r.body.mapping.id, appId: r.body.mapping.appId, upn: r.body.mapping.userPrincipalName, name: r.body.mapping.displayName, phone: r.body.mapping.phoneNumber },
      { id: a.id, appId: BOT, upn: `ex1@${DOMAIN}`, name: 'Example One', phone: 'tel:+14255550100' },
    );
    const m = await t.get(`${MAPPINGS}/${a.id}`);
    assert.equal(m.status, 200);
    assert.equal(m.body.appId, BOT);
    // The instance itself had no application id: the registry and the instance now differ, and Sync says so.
    assert.match(warningsOf(r)[0] ?? '', /the instance has application \(none\)/);
    assert.equal((await t.get(`${BASE}/${a.id}`)).body.agentProvisioningState, 'stale');
  });

  test('Example 2: a mapping to another id fails with the duplicate-key error; the empty GUID removes it; the first command then succeeds', async () => {
    const a = await newInstance(t, 'ex2', { appId: AA });
    const dup = await sync(a.id!, { appId: CQ });
    assertError(dup, 409, 'DuplicateApsMapping', DUPLICATE);
    assert.equal((await t.get(`${MAPPINGS}/${a.id}`)).body.appId, AA, 'the failed sync changed nothing');

    const removed = await sync(a.id!, { appId: EMPTY });
    assert.equal(removed.status, 200);
    assert.deepEqual({ action: removed.body.action, mapping: removed.body.mapping }, { action: 'removed', mapping: null });
    assertError(await t.get(`${MAPPINGS}/${a.id}`), 404, 'InstanceNotRegistered');

    const again = await sync(a.id!, { appId: CQ });
    assert.equal(again.status, 200);
    assert.equal(again.body.action, 'created');
    assert.equal((await t.get(`${MAPPINGS}/${a.id}`)).body.appId, CQ);
  });

  test('New with -ApplicationId already maps the instance, so a Sync to another id fails (issue #9494)', async () => {
    const a = await newInstance(t, 'bot-after-new', { appId: BOT, displayName: 'ComplianceRecordingBotInstance' });
    assertError(await sync(a.id!, { appId: AA }), 409, 'DuplicateApsMapping', DUPLICATE);
  });

  test('re-sync with the same application id refreshes the mapping: ACS resource, callback and the copy of the instance (the documented choice)', async () => {
    const a = await newInstance(t, 'resync', { appId: BOT, displayName: 'Before' });
    const first = (await t.get(`${MAPPINGS}/${a.id}`)).body;
    await t.patch(`${BASE}/${a.id}`, { displayName: 'After', phoneNumber: '+14255550111', acsResourceId: ACS });
    const r = await sync(a.id!, { appId: BOT, acsResourceId: ACS, callbackUri: 'https://bot.contoso.com/api/calls' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.action, 'refreshed');
    const m = r.body.mapping;
    assert.deepEqual(
      { app: m.appId, acs: m.acsResourceId, cb: m.callbackUri, name: m.displayName, phone: m.phoneNumber, created: m.createdDateTime },
      { app: BOT, acs: ACS, cb: 'https://bot.contoso.com/api/calls', name: 'After', phone: 'tel:+14255550111', created: first.createdDateTime },
    );
    assert.ok(m.syncedDateTime >= first.syncedDateTime);
    assert.deepEqual(warningsOf(r), []);
    assert.equal((await t.get(`${BASE}/${a.id}`)).body.agentProvisioningState, 'registered');
    // Run again, unchanged: still fine, nothing lost (the callback stays).
    const again = await sync(a.id!, { appId: BOT });
    assert.equal(again.body.action, 'refreshed');
    assert.equal(again.body.mapping.callbackUri, 'https://bot.contoso.com/api/calls');
    assert.equal(again.body.mapping.acsResourceId, ACS);
  });

  test("without -ApplicationId: the instance's own application id is synced; an instance without one is an error", async () => {
    const a = await newInstance(t, 'ownid', { appId: CQ });
    assert.equal((await sync(a.id!, { appId: EMPTY })).body.action, 'removed');
    const r = await sync(a.id!);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.action, 'created');
    assert.equal(r.body.mapping.appId, CQ);
    // No body at all is the same request.
    const bare = await t.request('POST', `${BASE}/${a.id}/sync`);
    assert.equal(bare.status, 200);
    assert.equal(bare.body.action, 'refreshed');

    const none = await newInstance(t, 'noid');
    assertError(await sync(none.id!), 400, 'ApplicationIdRequired', new RegExp(`${none.id} has no application id`));
  });

  test('the empty GUID on an instance without a mapping does nothing and says so', async () => {
    const a = await newInstance(t, 'nomapping');
    const r = await sync(a.id!, { appId: EMPTY });
    assert.equal(r.status, 200);
    assert.deepEqual({ action: r.body.action, mapping: r.body.mapping }, { action: 'none', mapping: null });
  });

  test('errors: an unknown object id is a clear 404; so is a user that is not an instance; a UPN or junk is not an object id', async () => {
    const unknown = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    assertError(await sync(unknown, { appId: AA }), 404, 'InstanceNotFound', `Application instance '${unknown}' was not found: no directory user has that object id or userPrincipalName.`);
    assertError(await sync(unknown, { appId: EMPTY }), 404, 'InstanceNotFound');
    const plain = await t.post('/v1.0/users', { accountEnabled: true, displayName: 'Plain', mailNickname: 'plainsync', userPrincipalName: `plainsync@${DOMAIN}`, passwordProfile: PASSWORD });
    assertError(await sync(plain.body.id, { appId: AA }), 404, 'InstanceNotFound', /is a directory user but not an application instance/);
    assertError(await sync(`ex1@${DOMAIN}`, { appId: AA }), 400, 'Request_BadRequest', /'objectId'.*expected a GUID/);
    assertError(await sync('xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', { appId: AA }), 400, 'Request_BadRequest', /expected a GUID/);
    const a = await newInstance(t, 'badinput', { appId: AA });
    assertError(await sync(a.id!, { appId: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy' }), 400, 'Request_BadRequest', /'appId'/);
    assertError(await sync(a.id!, { appId: AA, acsResourceId: 'nope' }), 400, 'Request_BadRequest', /'acsResourceId'/);
    assertError(await sync(a.id!, { appId: AA, callbackUri: 'ftp://x' }), 400, 'Request_BadRequest', /callbackUri/);
    assertError(await sync(a.id!, { applicationId: AA }), 400, 'Request_BadRequest', /Property 'applicationId' does not exist/);
  });

  test('the well-known Auto Attendant and Call Queue application ids are recognised', async () => {
    const aa = await newInstance(t, 'known-aa', { appId: AA });
    const cq = await newInstance(t, 'known-cq', { appId: CQ.toUpperCase() });
    const other = await newInstance(t, 'known-bot', { appId: BOT });
    assert.deepEqual([aa.applicationType, cq.applicationType, other.applicationType], ['AutoAttendant', 'CallQueue', 'ThirdParty']);
    assert.equal(cq.appId, CQ, 'application ids are kept in canonical lower case');
    const onlyAa = await t.get(`${MAPPINGS}?$filter=appId eq '${AA}'`);
    assert.ok(onlyAa.body.value.some((m: { id: string }) => m.id === aa.id));
    assert.ok(onlyAa.body.value.every((m: { appId: string }) => m.appId === AA));
  });

  test('-WhatIf reports the sync, validates it fully and changes nothing', async () => {
    const a = await newInstance(t, 'syncwhatif', { appId: AA });
    const remove = await sync(a.id!, { appId: EMPTY }, '?whatIf=true');
    assert.equal(remove.status, 200);
    assert.equal(remove.body.whatIf, true);
    assert.equal(remove.body.message, `What if: Performing the operation "Sync-CsOnlineApplicationInstance" on target "ObjectId: ${a.id}, ApplicationId: ${EMPTY}".`);
    assert.equal(remove.body.result.action, 'removed');
    assert.equal((await t.get(`${MAPPINGS}/${a.id}`)).body.appId, AA, 'still mapped');
    assertError(await sync(a.id!, { appId: CQ }, '?whatIf=true'), 409, 'DuplicateApsMapping', DUPLICATE);
    const none = await newInstance(t, 'syncwhatif2');
    const create = await sync(none.id!, { appId: BOT }, '?whatIf=true');
    assert.equal(create.body.result.action, 'created');
    assertError(await t.get(`${MAPPINGS}/${none.id}`), 404, 'InstanceNotRegistered');
  });

  test('-Force leaves warnings out and does not bypass the duplicate-key error', async () => {
    const a = await newInstance(t, 'syncforce');
    const r = await sync(a.id!, { appId: BOT }, '?force=true');
    assert.equal(r.status, 200);
    assert.deepEqual(warningsOf(r), []);
    assertError(await sync(a.id!, { appId: AA }, '?force=true'), 409, 'DuplicateApsMapping', DUPLICATE);
  });

  test('a mapping outlives its deleted instance and can still be removed with the empty GUID', async () => {
    const a = await newInstance(t, 'orphan', { appId: AA });
    assert.equal((await t.del(`/v1.0/users/${a.id}`)).status, 204);
    assert.equal((await t.get(`${MAPPINGS}/${a.id}`)).body.appId, AA);
    assertError(await sync(a.id!, { appId: AA }), 404, 'InstanceNotFound');
    assert.equal((await sync(a.id!, { appId: EMPTY })).body.action, 'removed');
    assertError(await t.get(`${MAPPINGS}/${a.id}`), 404, 'InstanceNotRegistered');
  });

  test('the registry lists page by page', async () => {
    const all: string[] = [];
    let url: string | undefined = `${MAPPINGS}?$top=2`;
    while (url) {
      const r = await t.get(url);
      assert.equal(r.status, 200);
      all.push(...r.body.value.map((m: { id: string }) => m.id));
      const next = r.body['@odata.nextLink'] as string | undefined;
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual([...all].sort(), all);
    assert.ok(all.length >= 5);
  });
});
