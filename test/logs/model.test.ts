/**
 * The entry model: the wire type matches Graph's (compile-time check
 * against @microsoft/microsoft-graph-types and run-time check against the
 * OpenAPI subset), the docs' inconsistencies normalise, and bad entries
 * are refused with a message that names the member.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as MSGraph from '@microsoft/microsoft-graph-types';
import { InvalidLogEntryError, instantKey, normalizeEntry, parseDate, parseInstant, SUMMARY_PROPERTIES } from '../../src/logs/model.ts';
import type { ProvisioningObjectSummary } from '../../src/logs/model.ts';
import { assertGraphShape } from '../helpers/graph-openapi.ts';
import { DOC_FAILURE, DOC_SUCCESS } from './fixtures.ts';

// Compile-time: Provisio's entry is assignable to Microsoft's own wire type.
type Assignable<T extends MSGraph.ProvisioningObjectSummary> = T;
export type WireTypeIsGraphs = Assignable<ProvisioningObjectSummary>;

describe('provisioning log model', () => {
  test("the docs' success example normalises: step types, initiatingType, member order", () => {
    const { entry, key } = normalizeEntry(DOC_SUCCESS);
    assertGraphShape('microsoft.graph.provisioningObjectSummary', entry);
    assert.deepEqual(entry.provisioningSteps.map((s) => s.provisioningStepType), ['import', 'export']);
    assert.deepEqual(entry.initiatedBy, { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' });
    assert.equal('initiatingType' in (entry.initiatedBy as object), false);
    assert.deepEqual(Object.keys(entry), [...SUMMARY_PROPERTIES]);
    assert.equal(entry.activityDateTime, '2019-05-04T03:00:54Z');
    assert.equal(key, '2019-05-04T03:00:54.0000000Z');
    assert.equal(entry.provisioningStatusInfo?.errorInformation, null);
  });

  test("the docs' failure example keeps its error information", () => {
    const { entry } = normalizeEntry(DOC_FAILURE);
    assertGraphShape('microsoft.graph.provisioningObjectSummary', entry);
    assert.deepEqual(entry.provisioningStatusInfo, {
      status: 'failure',
      errorInformation: { errorCode: 'ContosoEntryConflict', reason: 'Message: Contoso returned an error response with the HTTP status code 409.', additionalDetails: null, errorCategory: 'nonServiceFailure', recommendedAction: null },
    });
    assert.deepEqual(entry.provisioningSteps.map((s) => [s.provisioningStepType, s.status]), [['import', 'success'], ['matching', 'success'], ['export', 'failure']]);
  });

  test('errorInfo, a servicePrincipal array and the beta action/statusInfo are read as their v1.0 members', () => {
    const { entry } = normalizeEntry({
      activityDateTime: '2022-10-10T11:47:34.5+02:00',
      action: 'StagedDelete',
      statusInfo: { status: 'Failure', errorInfo: { errorCode: 'TooManyDeletes', errorCategory: 'NonServiceFailure' } },
      servicePrincipal: [{ id: 'sp', displayName: 'App' }],
    });
    assert.equal(entry.provisioningAction, 'stagedDelete');
    assert.equal(entry.provisioningStatusInfo?.status, 'failure');
    assert.equal(entry.provisioningStatusInfo?.errorInformation?.errorCode, 'TooManyDeletes');
    assert.equal(entry.provisioningStatusInfo?.errorInformation?.errorCategory, 'nonServiceFailure');
    assert.deepEqual(entry.servicePrincipal, { id: 'sp', displayName: 'App' });
    assert.equal(entry.activityDateTime, '2022-10-10T09:47:34.5Z');
    assert.equal('action' in entry, false);
    assertGraphShape('microsoft.graph.provisioningObjectSummary', entry);
  });

  test('a minimal entry gets an id, the default tenant, explicit nulls and empty collections', () => {
    const { entry } = normalizeEntry({ activityDateTime: new Date('2024-01-02T03:04:05.678Z') }, { tenantId: 'tenant-1' });
    assert.match(entry.id, /^[0-9a-f-]{36}$/);
    assert.equal(entry.tenantId, 'tenant-1');
    assert.equal(entry.activityDateTime, '2024-01-02T03:04:05.678Z');
    for (const k of SUMMARY_PROPERTIES) assert.ok(k in entry, k);
    assert.deepEqual([entry.provisioningSteps, entry.modifiedProperties, entry.jobId, entry.sourceIdentity], [[], [], null, null]);
    assertGraphShape('microsoft.graph.provisioningObjectSummary', entry);
    // An explicit null tenant stays null.
    assert.equal(normalizeEntry({ activityDateTime: '2024-01-02T03:04:05Z', tenantId: null }, { tenantId: 'tenant-1' }).entry.tenantId, null);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'x', /must be an object/],
    ['no activityDateTime', { jobId: 'j' }, /activityDateTime is required/],
    ['an instant without zone', { activityDateTime: '2024-01-02T03:04:05' }, /not an ISO 8601 instant/],
    ['an impossible date', { activityDateTime: '2024-02-30T03:04:05Z' }, /not an ISO 8601 instant/],
    ['an unknown action', { activityDateTime: '2024-01-02T03:04:05Z', provisioningAction: 'explode' }, /provisioningAction 'explode' is not one of/],
    ['an unknown step type', { activityDateTime: '2024-01-02T03:04:05Z', provisioningSteps: [{ provisioningStepType: 'magic' }] }, /provisioningSteps\[0\]\.provisioningStepType/],
    ['a fractional duration', { activityDateTime: '2024-01-02T03:04:05Z', durationInMilliseconds: 1.5 }, /Int32/],
    ['steps not an array', { activityDateTime: '2024-01-02T03:04:05Z', provisioningSteps: {} }, /must be an array/],
    ['details not an object', { activityDateTime: '2024-01-02T03:04:05Z', sourceIdentity: { details: 'x' } }, /sourceIdentity\.details must be an object/],
    ['an object as a string member', { activityDateTime: '2024-01-02T03:04:05Z', jobId: {} }, /jobId must be a string/],
    ['an empty id', { activityDateTime: '2024-01-02T03:04:05Z', id: '' }, /id must not be empty/],
  ];
  for (const [name, input, message] of bad) {
    test(`refuses ${name}`, () => assert.throws(() => normalizeEntry(input), (e: unknown) => e instanceof InvalidLogEntryError && message.test(e.message)));
  }

  test('instants: UTC, 7-digit fixed-width keys that sort as time', () => {
    assert.deepEqual(parseInstant('2019-03-20T15:47:50.4707552Z'), { wire: '2019-03-20T15:47:50.4707552Z', key: '2019-03-20T15:47:50.4707552Z' });
    assert.deepEqual(parseInstant('2019-03-20T15:47:50.123456789Z'), { wire: '2019-03-20T15:47:50.1234567Z', key: '2019-03-20T15:47:50.1234567Z' });
    assert.deepEqual(parseInstant('2020-01-01T00:30:00-01:00'), { wire: '2020-01-01T01:30:00Z', key: '2020-01-01T01:30:00.0000000Z' });
    assert.deepEqual(parseInstant('2020-01-01T00:30Z'), { wire: '2020-01-01T00:30:00Z', key: '2020-01-01T00:30:00.0000000Z' });
    assert.equal(parseInstant('2020-01-01'), undefined);
    assert.equal(parseInstant('2020-01-01T24:00:00Z'), undefined);
    assert.equal(parseDate('2023-07-30')?.key, '2023-07-30T00:00:00.0000000Z');
    assert.equal(instantKey(new Date('2023-07-30T01:02:03.456Z')), '2023-07-30T01:02:03.4560000Z');
    const keys = ['2023-07-30T00:00:00Z', '2023-07-29T23:59:59.9999999Z', '2023-07-30T00:00:00.5+00:00', '2023-07-30T01:00:00+02:00'].map((t) => parseInstant(t)!.key);
    // 01:00+02:00 is 23:00 UTC the day before: the earliest.
    assert.deepEqual([...keys].sort(), [keys[3], keys[1], keys[0], keys[2]]);
  });
});
