/**
 * `provisio demo --once --users 200` on a fresh data folder, as a
 * subprocess: at the end the SCIM application holds the mapped object of
 * every user of the generated tenant that Entra would provision (enabled
 * accounts; the demo syncs all), and every group with its members.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, scratch } from './run-cli.ts';
import { startSampleScimApp } from '../../src/connectors/scim/sample-app/app.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DirectoryService } from '../../src/directory/directory-service.ts';
import { systemClock } from '../../src/util/time.ts';
import type { DirectoryUser } from '../../src/directory/port.ts';

test('provisio demo --once --users 200 provisions the generated tenant', async () => {
  const app = await startSampleScimApp({ entraCompat: true });
  const home = scratch();
  try {
    const dataDir = join(home.dir, 'data');
    const r = await runCli(['demo', '--once', '--users', '200', '--port', '0', '--data-dir', dataDir, '--scim-url', app.url, '--scim-token', app.token], {
      env: { HOME: home.dir },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Summary of the initial cycle/);
    assert.match(r.stderr, /state\s+Succeeded/);

    const store = openSqliteStore(join(dataDir, 'provisio.db'));
    try {
      const dir = new DirectoryService(store, systemClock, 'provisio.local');
      const users: DirectoryUser[] = [];
      for await (const b of dir.streamUsers()) users.push(...b);
      assert.equal(users.length, 200);
      const enabled = users.filter((u) => u.accountEnabled);
      const inApp = new Map(app.users().map((u) => [String(u.userName).toLowerCase(), u]));
      assert.equal(inApp.size, enabled.length, 'one object per enabled user');
      for (const u of enabled) {
        const t = inApp.get(u.userPrincipalName.toLowerCase());
        assert.ok(t, `missing ${u.userPrincipalName}`);
        assert.equal(t.displayName, u.displayName);
        assert.equal(t.active, true);
      }
      const groups = (await dir.countObjects()).groups;
      assert.equal(app.groups().length, groups);
      assert.ok(app.groups().some((g) => ((g.members ?? []) as unknown[]).length > 0), 'memberships were provisioned');
    } finally {
      await store.close();
    }
  } finally {
    await app.close();
    home.dispose();
  }
});
