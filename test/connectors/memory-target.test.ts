import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTarget } from '../../src/connectors/fake/memory-target.ts';
import { buildScimResource, SCIM } from '../../src/connectors/target-attributes.ts';
import {
  ConflictTargetError,
  DryRunRefusedError,
  DuplicateTargetError,
  NotFoundTargetError,
  RejectedTargetError,
  TransientTargetError,
} from '../../src/connectors/errors.ts';

const ENT = SCIM.enterpriseUser;

describe('memory target', () => {
  test('implements every port operation like a lenient SCIM server', async () => {
    const t = createMemoryTarget({ recordCalls: true });
    await t.testConnection();
    const a = await t.createUser(buildScimResource('User', { userName: 'Alice@x', externalId: 'e-a', 'name.givenName': 'Alice', active: true }));
    const b = await t.createUser(buildScimResource('User', { userName: 'bob@x', externalId: 'e-b' }));
    assert.equal((await t.findUser('userName', 'alice@X'))?.id, a.id, 'userName is case-insensitive');
    assert.equal((await t.findUser('externalId', 'e-a'))?.id, a.id);
    assert.equal(await t.findUser('externalId', 'E-A'), undefined, 'externalId is case-exact');
    assert.equal((await t.findUser('name.givenName', 'Alice'))?.id, a.id, 'other attributes are scanned');
    assert.equal((await t.findUser('id', b.id))?.id, b.id);

    await t.updateUser(a.id, [
      { path: 'name.givenName', op: 'replace', value: 'Alicia', previous: 'Alice' },
      { path: `${ENT}:department`, op: 'add', value: 'Sales' },
    ]);
    await t.setManager(a.id, b.id);
    await t.setActive(a.id, false);
    const got = await t.getUser(a.id);
    assert.deepEqual(got.name, { givenName: 'Alicia' });
    assert.deepEqual(got[ENT], { department: 'Sales', manager: { value: b.id } });
    assert.equal(got.active, false);
    await t.setManager(a.id, null);
    assert.deepEqual((await t.getUser(a.id))[ENT], { department: 'Sales' });

    const g = await t.createGroup(buildScimResource('Group', { displayName: 'G', externalId: 'e-g' }));
    assert.equal((await t.findGroup('displayName', 'g'))?.id, g.id);
    await t.addMembers(g.id, [a.id, b.id, a.id]);
    assert.deepEqual(t.members(g.id), [a.id, b.id]);
    await t.removeMembers(g.id, [a.id]);
    assert.deepEqual(t.members(g.id), [b.id]);
    await t.updateGroup(g.id, [{ path: 'displayName', op: 'replace', value: 'G2' }]);
    assert.equal((await t.getGroup(g.id)).displayName, 'G2');
    assert.equal(await t.findGroup('displayName', 'G'), undefined, 'the old name left the index');

    await t.deleteUser(b.id);
    assert.deepEqual(t.members(g.id), [], 'a deleted user leaves its groups');
    await t.deleteGroup(g.id);
    assert.deepEqual(t.groups(), []);
    assert.deepEqual(t.users().map((u) => u.id), [a.id]);
    assert.equal(t.calls().length, 23);
    assert.deepEqual(t.calls()[1], { method: 'createUser', args: [t.calls()[1]?.args[0]] });
    assert.equal(t.stats().requests, 23);
    await t.close();
  });

  test('answers with the same error classes as the SCIM target', async () => {
    const t = createMemoryTarget();
    const a = await t.createUser({ userName: 'a' });
    await t.createUser({ userName: 'b', externalId: 'same' });
    await t.createUser({ userName: 'c', externalId: 'same' });
    await assert.rejects(t.createUser({ userName: 'A' }), ConflictTargetError);
    await assert.rejects(t.updateUser(a.id, [{ path: 'userName', op: 'replace', value: 'b' }]), RejectedTargetError);
    await assert.rejects(t.findUser('externalId', 'same'), DuplicateTargetError);
    await assert.rejects(t.getUser('nope'), NotFoundTargetError);
    await assert.rejects(t.deleteUser('nope'), NotFoundTargetError);
    await assert.rejects(t.addMembers('nope', ['a']), NotFoundTargetError);
  });

  test('dry run refuses writes; failWith injects errors', async () => {
    const dry = createMemoryTarget({ dryRun: true });
    await assert.rejects(dry.createUser({ userName: 'a' }), DryRunRefusedError);
    assert.equal(await dry.findUser('userName', 'a'), undefined);
    assert.equal(dry.stats().dryRunRefused, 1);

    const flaky = createMemoryTarget({
      failWith: (call) => (call.method === 'createUser' ? new TransientTargetError('TooManyRequests', 'injected', { retryAfterMs: 1000 }) : undefined),
    });
    await assert.rejects(flaky.createUser({ userName: 'a' }), (e: unknown) => e instanceof TransientTargetError && e.retryAfterMs === 1000);
    assert.deepEqual(flaky.users(), []);
    assert.equal(flaky.stats().failures, 1);
  });

  test('returns copies: callers cannot change what it stores', async () => {
    const t = createMemoryTarget();
    const a = await t.createUser({ userName: 'a', name: { givenName: 'x' } });
    (a.name as Record<string, unknown>).givenName = 'changed';
    const again = await t.getUser(a.id);
    (again.name as Record<string, unknown>).givenName = 'changed too';
    assert.deepEqual(t.users()[0]?.name, { givenName: 'x' });
  });
});
