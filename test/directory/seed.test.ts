/**
 * The tenant generator: reproducible, realistic, unique where the directory
 * requires it, streamed in batches; and the `provisio directory seed` command.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DirectoryService } from '../../src/directory/directory-service.ts';
import type { DirectoryUser } from '../../src/directory/port.ts';
import { nicknameOf, seedTenant } from '../../src/directory/seed.ts';
import type { SeedProgress } from '../../src/directory/seed.ts';
import { ApplicationService } from '../../src/applications/applications.ts';
import { systemClock } from '../../src/util/time.ts';

async function seeded<T>(opts: Parameters<typeof seedTenant>[1] | ((dir: DirectoryService, apps: ApplicationService) => Promise<Parameters<typeof seedTenant>[1]>),
  read: (dir: DirectoryService, progress: SeedProgress[]) => Promise<T>): Promise<T> {
  const folder = mkdtempSync(join(tmpdir(), 'provisio-seed-'));
  const store = openSqliteStore(join(folder, 'p.db'));
  try {
    await store.migrate();
    const dir = new DirectoryService(store, systemClock, 'contoso.test');
    const progress: SeedProgress[] = [];
    const o = typeof opts === 'function' ? await opts(dir, new ApplicationService(store, systemClock, 't')) : opts;
    await seedTenant(dir, o, (p) => progress.push(p));
    return await read(dir, progress);
  } finally {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function allUsers(dir: DirectoryService): Promise<DirectoryUser[]> {
  const out: DirectoryUser[] = [];
  for await (const b of dir.streamUsers({ batchSize: 1000 })) out.push(...b);
  return out;
}

describe('seedTenant', () => {
  test('is reproducible: the same seed gives the same tenant', async () => {
    const opts = { users: 300, groups: 10, avgMembers: 15, seed: 42, batchSize: 64 };
    const snap = (dir: DirectoryService) => allUsers(dir).then((us) => us.map((u) => [u.id, u.userPrincipalName, u.managerId, u.employeeHireDate].join('|')));
    const a = await seeded(opts, snap);
    const b = await seeded(opts, snap);
    assert.equal(a.length, 300);
    assert.deepEqual(a, b);
    const c = await seeded({ ...opts, seed: 43 }, snap);
    assert.notDeepEqual(a, c);
  });

  test('produces realistic, unique identities, a manager tree, and the asked memberships', async () => {
    await seeded({ users: 1500, groups: 20, avgMembers: 40, seed: 7, batchSize: 250 }, async (dir, progress) => {
      const users = await allUsers(dir);
      const upns = users.map((u) => u.userPrincipalName.toLowerCase());
      assert.equal(new Set(upns).size, users.length, 'userPrincipalNames are unique');
      assert.ok(upns.some((u) => /\d@/.test(u)), 'colliding nicknames got a numeric suffix');
      assert.ok(users.some((u) => /[\u0080-\uffff]/.test(u.displayName ?? '')), 'names carry diacritics');
      assert.ok(users.some((u) => !u.accountEnabled), 'some accounts are disabled');
      assert.equal(new Set(users.map((u) => u.employeeId)).size, users.length);
      const byId = new Map(users.map((u) => [u.id, u]));
      const roots = users.filter((u) => !u.managerId);
      assert.equal(roots.length, 1, 'one manager tree');
      for (const u of users) {
        let depth = 0;
        for (let m = u.managerId; m; m = byId.get(m)!.managerId) assert.ok(++depth < 20, 'no cycles');
      }
      let links = 0;
      for await (const groups of dir.streamGroups()) {
        for (const g of groups) for await (const m of dir.streamGroupMemberIds(g.id)) links += m.length;
      }
      assert.equal(links, 20 * 40);
      assert.deepEqual(progress.filter((p) => p.phase === 'users').map((p) => p.done), [250, 500, 750, 1000, 1250, 1500]);
      assert.equal(await dir.currentWatermark(), 1500 + 1499 + 20 + 800, 'one change per user, manager link, group and membership');
    });
  });

  test('assigns to a service principal, and refuses a directory that has users', async () => {
    let spId = '';
    await seeded(async (_dir, apps) => {
      const app = await apps.createApplication({ displayName: 'Seeded app' }, null);
      spId = (await apps.createServicePrincipal({ appId: app.appId }, null)).id;
      return { users: 100, groups: 9, avgMembers: 5, seed: 1, assignTo: spId };
    }, async (dir) => {
      const assigned: string[] = [];
      for await (const b of dir.streamAssignments(spId)) assigned.push(...b.map((a) => a.principalType));
      // Groups 0, 3 and 6, and users 0, 20, 40, 60 and 80.
      assert.deepEqual(assigned.sort(), ['Group', 'Group', 'Group', 'User', 'User', 'User', 'User', 'User']);
      await assert.rejects(seedTenant(dir, { users: 1, groups: 0, avgMembers: 0, seed: 1 }), /already has users/);
    });
    assert.equal(nicknameOf('Zoë', 'Ångström-Łaś'), 'zoe.angstromlas');
  });

  test('provisio directory seed writes a tenant and prints a JSON summary', () => {
    const folder = mkdtempSync(join(tmpdir(), 'provisio-seed-cli-'));
    try {
      const r = spawnSync(process.execPath, ['bin/provisio.js', 'directory', 'seed', '--users', '50', '--groups', '3', '--avg-members', '4', '--seed', '9', '--data-dir', folder, '--json'],
        { encoding: 'utf8', env: { ...process.env, PROVISIO_DATABASE_URL: '' } });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual({ ...JSON.parse(r.stdout), elapsedMs: 0 }, { users: 50, groups: 3, memberships: 12, assignments: 0, elapsedMs: 0 });
      const bad = spawnSync(process.execPath, ['bin/provisio.js', 'directory', 'seed', '--users', 'many', '--data-dir', folder], { encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /Invalid --users 'many'/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
