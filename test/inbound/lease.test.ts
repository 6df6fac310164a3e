/**
 * An inbound cycle under a scheduler lease: when another worker has taken
 * the job over, the cycle stops at its first fenced write (links, pending
 * references, the job's status) with LeaseLostError and leaves the job's
 * state to the new holder. (What it already wrote into the directory is
 * repaired by matching on employeeId, as for a crash: docs/scheduler.md.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.ts';
import { SchedulerStore, LeaseLostError } from '../../src/scheduler/leases.ts';
import { bulkRequest, createInboundApp, scimUser, upload } from './helpers.ts';

const LEASE = 60_000;

test('an inbound cycle whose lease was taken over writes neither links nor status', async () => {
  // An API-only server: its own scheduler does not run, so the test holds the leases.
  const server = await startTestServer({ logLevel: 'warn', env: { PROVISIO_ROLE: 'api' } });
  try {
    const app = await createInboundApp(server, 'Fenced HR');
    const domain = server.services.tenant.domain;
    const res = await upload(server, app, bulkRequest([
      scimUser({ externalId: 'F-1', userName: `fenced1@${domain}`, displayName: 'Fenced One', active: true }),
      scimUser({ externalId: 'F-2', userName: `fenced2@${domain}`, displayName: 'Fenced Two', active: true }),
    ]));
    assert.equal(res.status, 202);

    const leases = new SchedulerStore(server.services.store);
    const now = Date.now();
    await server.services.store.db.insertInto('sync_job_schedule').values({ job_id: app.jobId, due_at: now, scheduled_at: now })
      .onConflict((oc) => oc.column('job_id').doUpdateSet({ due_at: now })).execute();
    const [victim] = await leases.claim('victim', now, LEASE, 1);
    assert.ok(victim, 'the victim holds the job');
    // The victim stalls past its lease; another worker takes the job over.
    const [thief] = await leases.claim('thief', now + 2 * LEASE, LEASE, 1);
    assert.ok(thief && thief.token > victim.token);

    await assert.rejects(server.services.engine.runCycle(app.jobId, { fence: leases.fence(victim, () => Date.now()) }), LeaseLostError);
    const links = await server.services.store.db.selectFrom('inbound_links').selectAll().where('job_id', '=', app.jobId).execute();
    assert.deepEqual(links, [], 'no link written after the lease was lost');
    const job = await server.services.sync.getJob(app.spId, app.jobId);
    assert.equal(job.status.lastExecution, null, 'no status written after the lease was lost');
    assert.equal((await server.services.inbound.staging.pending(app.jobId)).count, 2, 'the records stay staged for the new holder');
  } finally {
    await server.close();
  }
});
