/**
 * The pure rules of failure handling, on an injected clock: the escrow and
 * quarantine ladders, the escrow thresholds at their edges, the
 * accidental-deletion threshold's precedence and its per-cycle gate, and a
 * quarantine series up to the job being disabled after 28 days.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, ESCROW_LADDER_MS, HOUR_MS, MINUTE_MS, QUARANTINE_LADDER_MS, ladderPoints, nextOnLadder } from '../../src/engine/ladder.ts';
import { nextEscrowAttempt } from '../../src/engine/escrows.ts';
import {
  DeleteGate, ENTRA_ESCROW_THRESHOLDS, escrowThresholdCrossed, imposeQuarantine, resolveDeleteThreshold, tooManyDeletes,
} from '../../src/engine/quarantine.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');

describe('retry ladders', () => {
  test('escrows: 6 h, 12 h, 24 h after the first failure, then daily, up to 28 days', () => {
    const points = ladderPoints(ESCROW_LADDER_MS).map((ms) => ms / HOUR_MS);
    assert.deepEqual(points.slice(0, 5), [6, 12, 24, 48, 72]);
    assert.equal(points.at(-1), 28 * 24);
    assert.equal(points.length, 3 + 27, '6 h, 12 h, then one a day from day 1 to day 28');
  });

  test('quarantine: 5 minutes, then the escrow ladder', () => {
    const points = ladderPoints(QUARANTINE_LADDER_MS);
    assert.deepEqual(points.slice(0, 4), [5 * MINUTE_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS]);
    assert.equal(points.at(-1), 28 * DAY_MS);
  });

  test('the next point is positioned by the time since the first failure, whenever the attempt happened', () => {
    assert.equal(nextOnLadder(ESCROW_LADDER_MS, T0, T0), T0 + 6 * HOUR_MS);
    // A late attempt (the job ran at 7 h) does not push the ladder back: the next point is still 12 h.
    assert.equal(nextOnLadder(ESCROW_LADDER_MS, T0, T0 + 7 * HOUR_MS), T0 + 12 * HOUR_MS);
    assert.equal(nextOnLadder(ESCROW_LADDER_MS, T0, T0 + 24 * HOUR_MS), T0 + 48 * HOUR_MS);
    assert.equal(nextOnLadder(ESCROW_LADDER_MS, T0, T0 + 10 * DAY_MS + 1), T0 + 11 * DAY_MS);
    assert.equal(nextOnLadder(ESCROW_LADDER_MS, T0, T0 + 28 * DAY_MS - 1), T0 + 28 * DAY_MS);
    assert.equal(nextOnLadder(ESCROW_LADDER_MS, T0, T0 + 28 * DAY_MS), undefined, 'no point after 28 days');
  });

  test('an escrow: a rejected object waits 6 h; a transient one is due at the next cycle, then climbs the ladder', () => {
    const first = new Date(T0);
    assert.equal(nextEscrowAttempt(first, 1, first)?.getTime(), T0 + 6 * HOUR_MS);
    assert.equal(nextEscrowAttempt(first, 1, first, true)?.getTime(), T0);
    assert.equal(nextEscrowAttempt(first, 1, first, true, 120_000)?.getTime(), T0 + 120_000, 'not before Retry-After');
    assert.equal(nextEscrowAttempt(first, 2, new Date(T0 + 40 * MINUTE_MS), true)?.getTime(), T0 + 6 * HOUR_MS);
    assert.equal(nextEscrowAttempt(first, 9, new Date(T0 + 28 * DAY_MS)), undefined);
  });
});

describe('escrow thresholds (5,000 / 40 % / 40,000 / 60,000)', () => {
  const t = ENTRA_ESCROW_THRESHOLDS;
  const reason = (failed: number, succeeded: number, referenceFailed = 0) => escrowThresholdCrossed({ failed, succeeded, referenceFailed }, t)?.reason;

  test('under 5,000 failures nothing quarantines, whatever the share', () => {
    assert.equal(reason(4_000, 0), undefined);
    assert.equal(reason(4_999, 1), undefined);
  });

  test('from 5,000 failures, more than 40 % failing quarantines (the documented examples)', () => {
    assert.equal(reason(5_000, 7_500), undefined, 'exactly 40 % is not more than 40 %');
    assert.equal(reason(5_000, 7_499), 'EncounteredEscrowProportionThreshold');
    assert.equal(reason(30_000, 5_000), 'EncounteredEscrowProportionThreshold', '30,000 failed + 5,000 ok');
    assert.equal(reason(20_000, 100_000), undefined, '20,000 failed + 100,000 ok');
  });

  test('more than 40,000 object failures quarantines whatever the share', () => {
    assert.equal(reason(40_000, 1_000_000), undefined);
    assert.equal(reason(40_001, 1_000_000), 'EncounteredBaseEscrowThreshold');
    assert.equal(reason(45_000, 0), 'EncounteredBaseEscrowThreshold', '45,000 failed users');
  });

  test('reference failures count only towards the 60,000 absolute cap', () => {
    assert.equal(reason(4_000, 0, 50_000), undefined, 'references are left out of the 5,000 and the 40 %');
    assert.equal(reason(39_000, 1_000_000, 21_000), undefined, 'exactly 60,000 in all');
    assert.equal(reason(39_000, 1_000_000, 21_001), 'EncounteredTotalEscrowThreshold');
    assert.equal(reason(40_000, 1_000_000, 21_000), 'EncounteredTotalEscrowThreshold', '40,000 users + 21,000 managers');
  });

  test('the quarantine error says what was counted', () => {
    const c = escrowThresholdCrossed({ failed: 30_000, succeeded: 5_000, referenceFailed: 0 })!;
    assert.equal(c.error.code, 'EncounteredEscrowProportionThreshold');
    assert.match(c.error.message!, /30000 of 35000 provisioning events \(85\.7 %\) failed/);
    assert.equal(c.error.tenantActionable, true);
  });
});

describe('quarantine series', () => {
  const cause = { reason: 'EncounteredQuarantineException' as const, error: { code: 'SystemForCrossDomainIdentityManagementInvalidCredentials', message: 'x', tenantActionable: true } };

  test('first imposed: nextAttempt 5 minutes later, seriesCount 1', () => {
    const { quarantine, disable } = imposeQuarantine(null, cause, new Date(T0));
    assert.equal(disable, false);
    assert.equal(quarantine.seriesBegan, new Date(T0).toISOString());
    assert.equal(quarantine.currentBegan, new Date(T0).toISOString());
    assert.equal(quarantine.nextAttempt, new Date(T0 + 5 * MINUTE_MS).toISOString());
    assert.equal(quarantine.seriesCount, 1);
    assert.equal(quarantine.reason, 'EncounteredQuarantineException');
    assert.deepEqual(quarantine.error, cause.error);
  });

  test('each re-evaluation that keeps it counts in the series and follows the ladder; after 28 days the job is disabled', () => {
    let q = imposeQuarantine(null, cause, new Date(T0)).quarantine;
    const seen: number[] = [];
    let disabled = false;
    for (let i = 0; i < 40 && !disabled; i++) {
      const at = new Date(Date.parse(q.nextAttempt));
      const r = imposeQuarantine(q, cause, at);
      disabled = r.disable;
      q = r.quarantine;
      seen.push(Date.parse(q.nextAttempt) - T0);
    }
    assert.deepEqual(seen.slice(0, 3), [6 * HOUR_MS, 12 * HOUR_MS, DAY_MS]);
    assert.ok(disabled, 'disabled after four weeks');
    assert.equal(Date.parse(q.currentBegan) - T0, 28 * DAY_MS, 'the last re-evaluation is at 28 days');
    assert.equal(q.seriesBegan, new Date(T0).toISOString());
    assert.equal(q.seriesCount, 1 + 1 + 3 + 27, 'the first, then one per ladder point');
  });
});

describe('accidental-deletion threshold', () => {
  const scimDefault = [{ name: 'QuarantineTooManyDeletesThreshold', value: '500' }];

  test('default 500 from the scim template\'s job setting, and 500 with no setting at all', () => {
    assert.deepEqual(resolveDeleteThreshold(scimDefault, undefined), { enabled: true, value: 500, source: 'QuarantineTooManyDeletesThreshold' });
    assert.deepEqual(resolveDeleteThreshold([], undefined), { enabled: true, value: 500, source: 'default' });
    assert.deepEqual(resolveDeleteThreshold([{ name: 'QuarantineTooManyDeletesThreshold', value: '20' }], undefined).value, 20);
  });

  test('SyncNotificationSettings wins over the job setting; DeleteThresholdEnabled false turns it off', () => {
    assert.deepEqual(resolveDeleteThreshold(scimDefault, '{"Enabled":true,"Recipients":"a@b.com","DeleteThresholdEnabled":true,"DeleteThresholdValue":50}'),
      { enabled: true, value: 50, source: 'SyncNotificationSettings' });
    assert.equal(resolveDeleteThreshold(scimDefault, '{"Enabled":false,"DeleteThresholdEnabled":false}').enabled, false);
    assert.equal(resolveDeleteThreshold(scimDefault, '{"DeleteThresholdValue":"7"}').value, 7, 'a numeric string is accepted');
  });

  test('values that are not positive integers are ignored', () => {
    assert.equal(resolveDeleteThreshold(scimDefault, '{"DeleteThresholdValue":0}').value, 500);
    assert.equal(resolveDeleteThreshold([{ name: 'QuarantineTooManyDeletesThreshold', value: 'lots' }], 'not json').source, 'default');
  });

  test('N lets N − 1 deletes and disables through per cycle; ForceDeletes lets everything through', () => {
    const gate = new DeleteGate({ enabled: true, value: 5, source: 'default' }, false);
    const verdicts = Array.from({ length: 7 }, () => gate.allow());
    assert.deepEqual(verdicts, [true, true, true, true, false, false, false]);
    assert.equal(gate.sent, 4);
    assert.equal(gate.staged, 3);
    const forced = new DeleteGate({ enabled: true, value: 5, source: 'default' }, true);
    assert.ok(Array.from({ length: 7 }, () => forced.allow()).every(Boolean));
    const off = new DeleteGate({ enabled: false, value: 1, source: 'default' }, false);
    assert.ok(off.allow() && off.allow());
  });

  test('held shut while earlier staged deletes wait for approval, unless forced or turned off', () => {
    const held = new DeleteGate({ enabled: true, value: 500, source: 'default' }, false);
    held.hold();
    assert.equal(held.allow(), false);
    assert.equal(held.staged, 1);
    const forced = new DeleteGate({ enabled: true, value: 500, source: 'default' }, true);
    forced.hold();
    assert.equal(forced.allow(), true);
    const off = new DeleteGate({ enabled: false, value: 500, source: 'default' }, false);
    off.hold();
    assert.equal(off.allow(), true);
  });

  test('TooManyDeletes names the threshold and how to approve', () => {
    const c = tooManyDeletes(3, 5);
    assert.equal(c.reason, 'TooManyDeletes');
    assert.match(c.error.message!, /threshold of 5 allows \(at most 4\); 3 were held back.*ForceDeletes/);
  });
});
