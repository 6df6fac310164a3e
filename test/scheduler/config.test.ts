/** The scheduler's settings: defaults, environment names, refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, loadSchedulerConfig } from '../../src/config/config.ts';

test('defaults: 60 s leases, heartbeat a third of that, 5 s polls, 4 at once, partitions above 20,000 users', () => {
  assert.deepEqual(loadSchedulerConfig({}), {
    workerId: undefined, leaseMs: 60_000, heartbeatMs: 20_000, pollMs: 5_000, concurrency: 4, partitionThreshold: 20_000, partitionSize: 10_000,
  });
});

test('environment names, fractions of seconds', () => {
  assert.deepEqual(loadSchedulerConfig({
    PROVISIO_LEASE_SECONDS: '2', PROVISIO_HEARTBEAT_SECONDS: '0.5', PROVISIO_POLL_SECONDS: '0.2', PROVISIO_WORKER_CONCURRENCY: '8',
    PROVISIO_WORKER_ID: 'w1', PROVISIO_PARTITION_THRESHOLD: '0', PROVISIO_PARTITION_SIZE: '500',
  }), { workerId: 'w1', leaseMs: 2000, heartbeatMs: 500, pollMs: 200, concurrency: 8, partitionThreshold: 0, partitionSize: 500 });
  assert.equal(loadSchedulerConfig({ PROVISIO_LEASE_SECONDS: '9' }).heartbeatMs, 3000, 'the default heartbeat follows the lease');
});

test('refused: a heartbeat not shorter than the lease, non-numbers, zero concurrency, an unknown role', () => {
  assert.throws(() => loadSchedulerConfig({ PROVISIO_LEASE_SECONDS: '10', PROVISIO_HEARTBEAT_SECONDS: '10' }), /must be shorter than PROVISIO_LEASE_SECONDS/);
  assert.throws(() => loadSchedulerConfig({ PROVISIO_POLL_SECONDS: 'soon' }), /PROVISIO_POLL_SECONDS 'soon'/);
  assert.throws(() => loadSchedulerConfig({ PROVISIO_LEASE_SECONDS: '-1' }), /positive number of seconds/);
  assert.throws(() => loadSchedulerConfig({ PROVISIO_WORKER_CONCURRENCY: '0' }), /at least 1/);
  assert.throws(() => loadConfig({ role: 'scheduler' }, {}), /Invalid role 'scheduler': expected api, worker or all/);
  assert.equal(loadConfig({ role: 'worker' }, {}).role, 'worker');
  assert.equal(loadConfig({}, { PROVISIO_ROLE: 'api' }).role, 'api');
});
