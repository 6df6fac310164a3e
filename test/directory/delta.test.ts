/**
 * Graph delta over HTTP (/users/delta, /groups/delta) on the change feed:
 * the initial enumeration, then each change exactly once and in order, and
 * a deltaLink taken before a change returning exactly that change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, userBody } from '../helpers/app.ts';
import type { Reply, TestApp } from '../helpers/app.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

type Entry = { id: string; '@removed'?: { reason: string }; [k: string]: unknown };

const local = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** Follows nextLinks to the deltaLink; returns every entry and the deltaLink. */
async function drain(url: string, headers?: Record<string, string>): Promise<{ entries: Entry[]; deltaLink: string; pages: number }> {
  const entries: Entry[] = [];
  let next: string | undefined = url;
  let pages = 0;
  for (;;) {
    const r: Reply = await t.get(next, headers);
    assert.equal(r.status, 200, r.text);
    pages++;
    entries.push(...(r.body.value as Entry[]));
    if (r.body['@odata.deltaLink']) {
      assert.equal(r.body['@odata.nextLink'], undefined);
      return { entries, deltaLink: local(r.body['@odata.deltaLink']), pages };
    }
    next = local(r.body['@odata.nextLink']);
  }
}

async function newUser(alias: string): Promise<string> {
  const r = await t.post('/v1.0/users', userBody(t.services, alias));
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

describe('users/delta', () => {
  let link: string;
  const ids: string[] = [];

  test('the first round pages through every live user once and ends with a deltaLink', async () => {
    for (let i = 0; i < 5; i++) ids.push(await newUser(`d${i}`));
    await t.del(`/v1.0/users/${ids[4]}`);
    const first = await drain('/v1.0/users/delta', { prefer: 'odata.maxpagesize=2' });
    assert.equal(first.pages, 2, 'four live users at two a page');
    assert.deepEqual(first.entries.map((e) => e.id).sort(), ids.slice(0, 4).sort());
    assert.ok(first.entries.every((e) => typeof e.userPrincipalName === 'string' && e.department === null), 'without $select every property is returned');
    link = first.deltaLink;
    assert.match(link, /\/v1\.0\/users\/delta\?\$deltatoken=/);
    assert.deepEqual((await drain(link)).entries, [], 'nothing changed yet');
  });

  test('creates, updates, deletes, restores and purges each appear once, in order', async () => {
    const created = await newUser('d-new');
    await t.patch(`/v1.0/users/${ids[0]}`, { jobTitle: 'First' });
    await t.patch(`/v1.0/users/${ids[0]}`, { jobTitle: 'Second' });
    await t.del(`/v1.0/users/${ids[1]}`);
    const round = await drain(link);
    assert.deepEqual(round.entries.map((e) => e.id), [created, ids[0], ids[1]]);
    assert.equal(round.entries[1]!.jobTitle, 'Second', 'an object changed twice appears once, in its latest state');
    assert.deepEqual(round.entries[2]!['@removed'], { reason: 'changed' });

    await t.post(`/v1.0/directory/deletedItems/${ids[1]}/restore`);
    const restored = await drain(round.deltaLink);
    assert.deepEqual(restored.entries.map((e) => [e.id, e['@removed']]), [[ids[1], undefined]]);

    await t.del(`/v1.0/users/${ids[1]}`);
    await t.del(`/v1.0/directory/deletedItems/${ids[1]}`);
    const purged = await drain(restored.deltaLink);
    assert.deepEqual(purged.entries, [{ id: ids[1], '@removed': { reason: 'deleted' } }]);
    link = purged.deltaLink;
  });

  test('a deltaLink taken before a change returns exactly that change, every time it is used', async () => {
    const before = link;
    await t.patch(`/v1.0/users/${ids[2]}`, { department: 'Delta' });
    const once = await drain(before);
    assert.deepEqual(once.entries.map((e) => [e.id, e.department]), [[ids[2], 'Delta']]);
    const again = await drain(before);
    assert.deepEqual(again.entries, once.entries, 'tokens are stateless: the same link gives the same answer');
    assert.deepEqual((await drain(once.deltaLink)).entries, []);
    link = once.deltaLink;
  });

  test('$select limits both the properties returned and the changes tracked; manager changes need manager selected', async () => {
    const start = await drain('/v1.0/users/delta?$select=displayName,manager', { prefer: 'odata.maxpagesize=999' });
    assert.ok(start.entries.every((e) => Object.keys(e).every((k) => ['id', 'displayName', 'manager@delta'].includes(k))));
    await t.patch(`/v1.0/users/${ids[3]}`, { jobTitle: 'Not tracked' });
    assert.deepEqual((await drain(start.deltaLink)).entries, []);
    await t.patch(`/v1.0/users/${ids[3]}`, { displayName: 'Renamed' });
    await t.put(`/v1.0/users/${ids[2]}/manager/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/users/${ids[3]}` });
    const r = await drain(start.deltaLink);
    assert.deepEqual(r.entries, [
      { displayName: 'Renamed', id: ids[3] },
      { displayName: 'd2', id: ids[2], 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: ids[3] }] },
    ]);
    await t.del(`/v1.0/users/${ids[2]}/manager/$ref`);
    const removed = await drain(r.deltaLink);
    assert.deepEqual(removed.entries[0]!['manager@delta'], [{ '@odata.type': '#microsoft.graph.user', id: ids[3], '@removed': { reason: 'deleted' } }]);
    // The plain deltaLink (no $select) does not track the manager.
    const plain = await drain(link);
    assert.deepEqual(plain.entries.map((e) => e.id), [ids[3]]);
  });

  test('$deltatoken=latest skips the enumeration; bad tokens are 400', async () => {
    const latest = await t.get('/v1.0/users/delta?$deltatoken=latest');
    assert.deepEqual(latest.body.value, []);
    const id = await newUser('after-latest');
    assert.deepEqual((await drain(local(latest.body['@odata.deltaLink']))).entries.map((e) => e.id), [id]);
    assert.equal((await t.get('/v1.0/users/delta?$deltatoken=nonsense')).status, 400);
    const groupLink = (await t.get('/v1.0/groups/delta?$deltatoken=latest')).body['@odata.deltaLink'] as string;
    const wrong = await t.get(`/v1.0/users/delta?$deltatoken=${new URL(groupLink).searchParams.get('$deltatoken')}`);
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error.message, /not issued for \/users\/delta/);
    assert.equal((await t.get('/v1.0/users/delta?$top=5')).status, 400);
  });
});

describe('groups/delta', () => {
  test('membership changes appear as members@delta on the group, once and in order', async () => {
    const g = (await t.post('/v1.0/groups', { displayName: 'Delta group', mailEnabled: false, mailNickname: 'dg', securityEnabled: true })).body.id;
    const a = await newUser('ga');
    const b = await newUser('gb');
    await t.post(`/v1.0/groups/${g}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${a}` });
    const first = await drain('/v1.0/groups/delta');
    const entry = first.entries.find((e) => e.id === g)!;
    assert.deepEqual(entry['members@delta'], [{ '@odata.type': '#microsoft.graph.user', id: a }]);

    await t.post(`/v1.0/groups/${g}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${b}` });
    await t.del(`/v1.0/groups/${g}/members/${a}/$ref`);
    const changes = await drain(first.deltaLink);
    assert.equal(changes.entries.length, 1);
    assert.deepEqual(changes.entries[0]!['members@delta'], [
      { '@odata.type': '#microsoft.graph.user', id: b },
      { '@odata.type': '#microsoft.graph.user', id: a, '@removed': { reason: 'deleted' } },
    ]);

    await t.del(`/v1.0/groups/${g}`);
    const gone = await drain(changes.deltaLink);
    assert.deepEqual(gone.entries.map((e) => [e.id, e['@removed']]), [[g, { reason: 'deleted' }]], 'a security group is hard-deleted');
  });
});
