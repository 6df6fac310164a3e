/**
 * Provisioning-log test data: Graph's two documented sample entries (as the
 * docs print them, inconsistencies included), a seeded generator of varied
 * entries, and an oracle that evaluates a checked filter in JavaScript so
 * that the SQL translation can be compared with what the filter means.
 */
import type { ProvisioningLogInput, ProvisioningObjectSummary } from '../../src/logs/model.ts';
import { PROVISIONING_ACTIONS, parseInstant } from '../../src/logs/model.ts';
import type { Predicate } from '../../src/logs/filter.ts';

/** The docs' success example (List provisioningObjectSummary, example 1), abridged: "Import"/"Export" step types and `initiatingType` as printed there. */
export const DOC_SUCCESS: Record<string, unknown> = {
  id: '75b5b0ae-9fc5-8d0e-e0a9-7y6a4728de56',
  activityDateTime: '2019-05-04T03:00:54Z',
  tenantId: '74beb175-3b80-7b63-b9d5-6f0b76082b16',
  jobId: 'aws.74beb1753b704b63b8d56f0b76082b16.10a7a801-7101-4c69-ae00-ce9f75f8460a',
  cycleId: 'b6502552-018d-79bd-8869-j47194dc65c1',
  changeId: 'b6502552-018d-89bd-9969-b49194dc65c1',
  provisioningAction: 'create',
  durationInMilliseconds: 3236,
  provisioningStatusInfo: { status: 'success', errorInformation: null },
  provisioningSteps: [
    { name: 'EntryImport', provisioningStepType: 'Import', status: 'success', description: "Retrieved RolesCompound '10a7a801' from Contoso", details: {} },
    { name: 'EntryExportUpdate', provisioningStepType: 'Export', status: 'success', description: "RolesCompound '60a7a801' was updated", details: { ReportableIdentifier: '60a7a801-7101-4c69-ae00-ce9f75f8460a' } },
  ],
  modifiedProperties: [
    { displayName: 'appId', oldValue: null, newValue: '60a7a801-7101-4c69-ae00-ce9f75f8460a' },
    { displayName: 'displayName', oldValue: null, newValue: 'Contoso' },
  ],
  servicePrincipal: { id: '6cc35b93-185a-4485-a519-50c09549g3ad', displayName: 'Contoso' },
  sourceSystem: { id: 'd1e090e1-f2f4-4678-be44-6442ffff0621', displayName: 'Contoso', details: {} },
  targetSystem: { id: 'e69d4bd2-2da2-483e-bc49-aad4080b91b3', displayName: 'Azure Active Directory', details: { ApplicationId: 'bcf4d658-ac9f-408d-bf04-e86dc10328fb' } },
  initiatedBy: { initiatingType: 'system', id: '', displayName: 'Azure AD Provisioning Service' },
  sourceIdentity: { identityType: 'RolesCompound', id: '60a7a801-7101-4c69-ae00-ce9f75f8460a', displayName: '', details: {} },
  targetIdentity: { identityType: 'ServicePrincipal', id: '6nn35b93-185a-4485-a519-50c09549f3ad', displayName: '', details: {} },
};

/** The docs' failure example (example 2), abridged. */
export const DOC_FAILURE: Record<string, unknown> = {
  id: 'gc532ff9-r265-ec76-861e-42e2970a8218',
  activityDateTime: '2019-06-24T20:53:08Z',
  tenantId: '7928d5b5-7442-4a97-ne2d-66f9j9972ecn',
  jobId: 'ContosoOutDelta.7928d5b574424a97ne2d66f9j9972ecn',
  cycleId: '44576n58-v14b-70fj-8404-3d22tt46ed93',
  changeId: 'eaad2f8b-e6e3-409b-83bd-e4e2e57177d5',
  provisioningAction: 'create',
  durationInMilliseconds: 2785,
  sourceSystem: { id: '0404601d-a9c0-4ec7-bbcd-02660120d8c9', displayName: 'Azure Active Directory', details: {} },
  targetSystem: { id: 'cd22f60b-5f2d-1adg-adb4-76ef31db996b', displayName: 'Contoso', details: { ServicePrincipalId: 'chc46a42-966b-47d7-9774-576b1c8bd0b8' } },
  initiatedBy: { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' },
  servicePrincipal: { id: 'chc46a42-966b-47d7-9774-576b1c8bd0b8', displayName: 'Contoso' },
  sourceIdentity: { id: '5e6c9rae-ab4d-5239-8ad0-174391d110eb', displayName: 'Self-service Pilot', identityType: 'Group', details: {} },
  targetIdentity: { id: '', displayName: '', identityType: 'Group', details: {} },
  provisioningStatusInfo: {
    status: 'failure',
    errorInformation: { errorCode: 'ContosoEntryConflict', reason: 'Message: Contoso returned an error response with the HTTP status code 409.', additionalDetails: null, errorCategory: 'nonServiceFailure', recommendedAction: null },
  },
  provisioningSteps: [
    { name: 'EntryImportAdd', provisioningStepType: 'import', status: 'success', description: "Received Group 'Self-service Pilot' change of type (Add)", details: {} },
    { name: 'EntrySynchronizationAdd', provisioningStepType: 'matching', status: 'success', description: "Group 'Self-service Pilot' will be created in Contoso", details: {} },
    { name: 'EntryExportAdd', provisioningStepType: 'export', status: 'failure', description: "Failed to create Group 'Self-service Pilot' in Contoso", details: { ReportableIdentifier: 'Self-service Pilot' } },
  ],
  modifiedProperties: [{ displayName: 'displayName', oldValue: null, newValue: 'Self-service Pilot' }],
};

/** A small deterministic PRNG (mulberry32): the same seed gives the same data on every run and both databases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const JOBS = ['scim.aaaa.job-1', 'scim.aaaa.job-2', 'API2AAD.bbbb.job-3'];
export const SPS = [{ id: 'Sp-One', displayName: 'Contoso SCIM' }, { id: 'sp-two', displayName: 'Fabrikam HR' }];
export const SOURCE_IDS = ['701984', '701985', 'user-a', 'User-B', 'o\'brien'];
export const NAMES = ['Ada Lovelace', 'ada lovelace', 'Grace Hopper', "Dara O'Brien", 'Self-service Pilot'];
export const BASE_TIME = Date.UTC(2023, 6, 29, 22, 0, 0);

/**
 * `n` varied entries: three jobs, both statuses and every action, a few
 * identities repeated (so equality matches several), some members missing
 * (so null handling is exercised), and times over ~2 days with deliberate
 * duplicates (so ties are broken by id). ASCII text only where case is
 * folded, because SQLite's lower() folds ASCII alone.
 */
export function generateEntries(n: number, seed = 1): ProvisioningLogInput[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: ProvisioningLogInput[] = [];
  for (let i = 0; i < n; i++) {
    // Every seventh entry shares its predecessor's instant.
    const previous = out[i - 1];
    const when = i % 7 === 6 && previous ? String(previous.activityDateTime) : new Date(BASE_TIME + Math.floor(r() * 2 * 86_400) * 1000).toISOString().replace('.000Z', 'Z');
    const status = pick(['success', 'success', 'failure', 'skipped', 'warning'] as const);
    const sp = r() < 0.9 ? pick(SPS) : null;
    out.push({
      id: `e-${String(i).padStart(5, '0')}-${Math.floor(r() * 1e6).toString(16)}`,
      activityDateTime: when,
      jobId: r() < 0.95 ? pick(JOBS) : null,
      cycleId: `cycle-${Math.floor(r() * 4)}`,
      changeId: `change-${i}`,
      provisioningAction: pick(PROVISIONING_ACTIONS.filter((a) => a !== 'unknownFutureValue')),
      durationInMilliseconds: r() < 0.9 ? Math.floor(r() * 5000) : null,
      provisioningStatusInfo: r() < 0.97
        ? { status, errorInformation: status === 'failure' ? { errorCode: pick(['SystemForCrossDomainIdentityManagementBadRequest', 'EntryConflict']), reason: 'x', errorCategory: 'nonServiceFailure' } : null }
        : null,
      provisioningSteps: [{ name: 'EntryImport', provisioningStepType: 'import', status: 'success', description: 'Retrieved', details: {} }],
      modifiedProperties: [{ displayName: 'displayName', oldValue: null, newValue: pick(NAMES) }],
      servicePrincipal: sp,
      sourceSystem: { id: 'src', displayName: pick(['Azure Active Directory', 'API']), details: {} },
      targetSystem: { id: 'tgt', displayName: pick(['Contoso', 'customappsso']), details: {} },
      initiatedBy: { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' },
      sourceIdentity: r() < 0.92 ? { id: pick(SOURCE_IDS), displayName: pick(NAMES), identityType: pick(['User', 'Group']), details: {} } : null,
      targetIdentity: { id: r() < 0.8 ? `t-${Math.floor(r() * 20)}` : null, displayName: pick(NAMES), identityType: pick(['User', 'Group']), details: {} },
    });
  }
  return out;
}

/** The sort key of an entry's instant. */
export const keyOf = (e: ProvisioningObjectSummary): string => parseInstant(e.activityDateTime)!.key;

/** What the filter means, evaluated in JavaScript with OData's rules (a comparison with a missing value is false, except ne). */
export function oracle(p: Predicate, e: ProvisioningObjectSummary): boolean {
  switch (p.kind) {
    case 'and':
      return p.items.every((i) => oracle(i, e));
    case 'or':
      return p.items.some((i) => oracle(i, e));
    case 'not':
      return !oracle(p.item, e);
    case 'compare':
    case 'match': {
      let v = p.attr.column === 'activity_date_time' ? keyOf(e) : p.attr.extract(e);
      if (typeof v === 'string' && p.fold === 'lower') v = v.toLowerCase();
      if (typeof v === 'string' && p.fold === 'upper') v = v.toUpperCase();
      if (p.kind === 'match') {
        if (typeof v !== 'string') return false;
        return p.fn === 'contains' ? v.includes(p.value) : p.fn === 'startswith' ? v.startsWith(p.value) : v.endsWith(p.value);
      }
      if (p.value === null) return p.op === 'eq' ? v === null : v !== null;
      if (v === null) return p.op === 'ne';
      const x = p.value;
      switch (p.op) {
        case 'eq': return v === x;
        case 'ne': return v !== x;
        case 'gt': return v > x;
        case 'ge': return v >= x;
        case 'lt': return v < x;
        case 'le': return v <= x;
      }
    }
  }
}

/** Newest first, ties by id descending: the route's default order. */
export function byTimeDesc(a: ProvisioningObjectSummary, b: ProvisioningObjectSummary): number {
  const ka = keyOf(a), kb = keyOf(b);
  if (ka !== kb) return ka < kb ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
