/**
 * `provisio inbound upload` as a child process against a real server: a CSV
 * export with a mapping file and a JSON export without one become directory
 * users with managers; rejected rows (file problems and records the job
 * failed) are reported with their line and reason, and the exit code says so.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../helpers/server.ts';
import type { TestServer } from '../helpers/server.ts';
import { expectCode, runCli, scratch } from '../cli/run-cli.ts';
import { createInboundApp, processed, userByEmployeeId } from './helpers.ts';
import type { InboundApp } from './helpers.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface Report {
  jobId: string;
  rows: number;
  uploaded: number;
  requests: number;
  processed?: number;
  rejected: { row: number; externalId: string | null; stage: string; reason: string }[];
}

describe('provisio inbound upload', () => {
  let server: TestServer;
  let files: ReturnType<typeof scratch>;
  let env: Record<string, string>;
  let hr: InboundApp;
  let domain: string;

  before(async () => {
    server = await startTestServer({ logLevel: 'warn' });
    domain = server.services.tenant.domain;
    files = scratch();
    env = { PROVISIO_URL: server.url, PROVISIO_CLIENT_ID: server.clientId, PROVISIO_CLIENT_SECRET: server.clientSecret };
    hr = await createInboundApp(server, 'CSV HR');
    assert.equal((await server.api(`/v1.0/servicePrincipals/${hr.spId}/synchronization/jobs/${hr.jobId}/start`, { method: 'POST' })).status, 204);
  });
  after(async () => {
    await server.close();
    files.dispose();
  });

  test('a CSV export with a mapping: 120 people in 3 requests, managers resolved, every rejected row reported (exit 5)', async () => {
    const lines = ['WorkerID,FirstName,LastName,Email,Department,ManagerID,WorkerStatus'];
    // Managers come after their reports in the file: the job's reference pass resolves them.
    for (let i = 1; i <= 120; i++) lines.push(`W${i},First${i},"Last, ${i}",w${i}@${domain},Dept ${i % 4},${i <= 100 ? `W${101 + (i % 20)}` : ''},Active`);
    lines.push(`,Nobody,Noid,noid@${domain},Sales,,Active`);
    lines.push(`W900,Wrong,Domain,w900@example.com,Sales,,Active`);
    lines.push('W901,Short,Row');
    const csv = join(files.dir, 'people.csv');
    writeFileSync(csv, lines.join('\r\n') + '\r\n');
    const map = join(files.dir, 'mapping.json');
    writeFileSync(map, JSON.stringify({
      externalId: 'WorkerID',
      userName: 'Email',
      displayName: '{FirstName} {LastName}',
      'name.givenName': 'FirstName',
      'name.familyName': 'LastName',
      'emails[type eq "work"].value': 'Email',
      [`${ENT}:department`]: 'Department',
      [`${ENT}:manager`]: 'ManagerID',
      active: { column: 'WorkerStatus', equals: 'Active' },
    }));
    const r = await runCli(['inbound', 'upload', '--job', hr.jobId, '--file', csv, '--map', map, '--wait', '--json'], { env });
    expectCode(r, 5);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.rows, 123);
    assert.equal(report.uploaded, 121);
    assert.equal(report.requests, 3);
    assert.equal(report.processed, 121);
    assert.deepEqual(report.rejected.map((x) => [x.row, x.externalId, x.stage]), [[122, null, 'file'], [123, 'W900', 'provisioning'], [124, 'W901', 'file']]);
    assert.match(report.rejected[0]!.reason, /no externalId: the column 'WorkerID' is empty/);
    assert.match(report.rejected[1]!.reason, /^AzureActiveDirectoryInvalidUserPrincipalName: The domain portion/);
    assert.match(report.rejected[2]!.reason, /line 124 has 3 fields; the header has 7/);
    assert.match(r.stderr, /\[#+\] 121\/121 records \(3\/3 requests\)/, 'a progress bar');
    assert.match(r.stderr, /provisio: RowsRejected: 3 of 123 rows were rejected/);

    await processed(server, hr.jobId);
    const w5 = await userByEmployeeId(server, 'W5');
    const w106 = await userByEmployeeId(server, 'W106');
    assert.ok(w5 && w106);
    assert.equal(w5.displayName, 'First5 Last, 5');
    assert.equal(w5.department, 'Dept 1');
    assert.equal(w5.managerId, w106.id, 'W5 reports to W106, who came later in the file');
  });

  test('a JSON export without a mapping file maps known column names; a clean run exits 0 with a summary', async () => {
    const file = join(files.dir, 'people.json');
    writeFileSync(file, JSON.stringify([
      { employeeId: 'J1', userName: `j1@${domain}`, firstName: 'Jo', lastName: 'One', displayName: 'Jo One', department: 'Legal', status: 'Active' },
      { employeeId: 'J2', userName: `j2@${domain}`, displayName: 'Jay Two', managerId: 'J1', status: 'Active' },
    ]));
    const r = await runCli(['inbound', 'upload', '--sp', hr.spId, '--job', hr.jobId, '--file', file, '--wait'], { env });
    expectCode(r, 0);
    assert.match(r.stdout, /^Job:\s+API2AAD\./m);
    assert.match(r.stdout, /^Uploaded:\s+2 records in 1 requests$/m);
    assert.match(r.stdout, /^Rejected:\s+0$/m);
    await processed(server, hr.jobId);
    const j2 = await userByEmployeeId(server, 'J2');
    assert.equal(j2?.managerId, (await userByEmployeeId(server, 'J1'))?.id);
  });

  test('a mapping that names a column the file lacks is a usage error (exit 2) and uploads nothing', async () => {
    const csv = join(files.dir, 'small.csv');
    writeFileSync(csv, 'id,name\n1,x\n');
    const map = join(files.dir, 'bad-map.json');
    writeFileSync(map, JSON.stringify({ externalId: 'WorkerID', userName: 'Email' }));
    const r = await runCli(['inbound', 'upload', '--sp', hr.spId, '--job', hr.jobId, '--file', csv, '--map', map], { env });
    expectCode(r, 2);
    assert.match(r.stderr, /The mapping reads column\(s\) the file does not have: WorkerID, Email \(the file has: id, name\)/);
    assert.equal(r.stdout, '');
  });
});
