/**
 * The durable state of inbound jobs between cycles, kept in the job's
 * `sync_job_state` row (the table the outbound engine keeps its watermark
 * in; outbound's engine never runs an inbound job, so the row is the inbound
 * job's own). Its `cycle` JSON text gets an `inbound` member:
 * `{ "inbound": { "ldap": { "watermark": "<the connector's watermark>",
 * "anchors": [[anchor, dn], …], "schemaVersion": "<the job schema's version>" } } }` — the LDAP watermark is an opaque JSON
 * string, too long and not numeric for the `watermark` column. Other members
 * of `cycle` are kept. Deleting the job deletes the row (SyncEngine.forget).
 */
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import type { LdapInboundState, LdapInboundStateStore } from './ldap-source.ts';

interface InboundCycleJson {
  inbound?: { ldap?: { watermark?: string | null; anchors?: [string, string][] | null; schemaVersion?: string | null } };
  [other: string]: unknown;
}

function parse(text: string | null | undefined): InboundCycleJson {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as InboundCycleJson) : {};
  } catch {
    return {};
  }
}

/** AD2AAD jobs' LDAP watermark and presence-sweep anchor set, in `sync_job_state`. */
export function jobStateInboundStore(store: Store, clock: Clock): LdapInboundStateStore {
  return {
    async load(jobId): Promise<LdapInboundState> {
      const row = await store.db.selectFrom('sync_job_state').select('cycle').where('job_id', '=', jobId).executeTakeFirst();
      const ldap = parse(row?.cycle).inbound?.ldap;
      return { watermark: ldap?.watermark ?? null, anchors: ldap?.anchors ? new Map(ldap.anchors) : null, schemaVersion: ldap?.schemaVersion ?? null };
    },
    async save(jobId, state): Promise<void> {
      await store.transaction(async (trx) => {
        const row = await trx.selectFrom('sync_job_state').select(['cycle', 'watermark']).where('job_id', '=', jobId).executeTakeFirst();
        const cycle = parse(row?.cycle);
        cycle.inbound = { ...cycle.inbound, ldap: { watermark: state.watermark, anchors: state.anchors ? [...state.anchors] : null, schemaVersion: state.schemaVersion ?? null } };
        const text = JSON.stringify(cycle);
        const now = clock.now().toISOString();
        await trx.insertInto('sync_job_state').values({ job_id: jobId, watermark: row?.watermark ?? null, cycle: text, updated_at: now })
          .onConflict((oc) => oc.column('job_id').doUpdateSet({ cycle: text, updated_at: now })).execute();
      });
    },
  };
}
