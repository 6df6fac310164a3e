/**
 * The LDAP/AD source of `AD2AADProvisioning` jobs: the LDAP source connector
 * (src/connectors/ldap/) behind the InboundSource port (port.ts).
 *
 * - The first cycle runs a full import; later cycles a delta from the
 *   committed LDAP watermark (a watermark that cannot be continued — other
 *   scope, DC restored, no anchor set for the sweep — falls back to a full
 *   import). One import is read across the cycle's batches; between batches
 *   the port's watermark is a run token, and only the import's final LDAP
 *   watermark is committed. A crash mid-import replays it from the last
 *   committed watermark (processing is idempotent).
 * - Users only (the inbound pipeline provisions `User` objects); groups are
 *   not imported.
 * - Entries become records whose attributes are the schema's AD names:
 *   first values, except `proxyAddresses`; `objectGUID` is the anchor (an
 *   AD objectGUID string, or OpenLDAP's entryUUID), `distinguishedName` the
 *   DN, `manager` the manager's **anchor** (its DN looked up), `domain` the
 *   `Domain` secret. OpenLDAP `inetOrgPerson`s get the AD names they lack:
 *   `sAMAccountName` ← `uid`, `userPrincipalName` ← `uid@<Domain>` (else
 *   `mail`), `employeeID` ← `employeeNumber`, `department` ←
 *   `departmentNumber`. `accountDisabled` comes from `userAccountControl`
 *   bit 2 (AD) or `pwdAccountLockedTime` (OpenLDAP ppolicy).
 * - The job's state between cycles (committed watermark, presence-sweep
 *   anchor set) lives in a {@link LdapInboundStateStore}: services.ts passes
 *   the durable one (inbound-state.ts, the job's sync_job_state row), so a
 *   restarted server continues with a delta; the factory's default keeps it
 *   in memory. It is written only when the cycle commits. After a full
 *   import, users linked to anchors it did not see are deleted (mark and
 *   sweep), unless it saw no user at all.
 */
import type { ConnectionOptions } from 'node:tls';
import type { InboundBatch, InboundChange, InboundRecord, InboundSource, InboundSourceFactory, InboundSubject, InboundValue } from './port.ts';
import { LdapSource, type LdapImport } from '../connectors/ldap/source.ts';
import { ldapSourceOptionsFromSecrets } from '../connectors/ldap/secrets.ts';
import { isLdapSourceError } from '../connectors/ldap/errors.ts';
import { normalizeDn } from '../connectors/ldap/dn.ts';
import { parseResetScope } from '../sync/job-model.ts';
import {
  attributeValues, type LdapAnchorStore, type LdapChange, type LdapEntry, type LdapScope, type LdapSourceOptions,
} from '../connectors/ldap/types.ts';

const RUN_PREFIX = 'ldap-run:';
const MULTI_VALUED = new Set(['proxyaddresses']);

/** What an AD2AAD job keeps between cycles, as persisted. */
export interface LdapInboundState {
  /** The last committed LDAP watermark (null: the next cycle runs a full import). */
  watermark: string | null;
  /** The presence sweep's anchor set (anchor → DN) as of that watermark; null when the method needs none or none is known. */
  anchors: ReadonlyMap<string, string> | null;
  /**
   * The job schema's version the watermark was made under: after a PUT of the
   * schema (a new version) the next cycle is a full import, so that every
   * object is evaluated with the new mappings (as Entra re-evaluates every
   * object after a schema change).
   */
  schemaVersion?: string | null;
}

/** Where AD2AAD jobs keep their state between cycles (durable: `jobStateInboundStore` in inbound-state.ts). */
export interface LdapInboundStateStore {
  load(jobId: string): Promise<LdapInboundState>;
  save(jobId: string, state: LdapInboundState): Promise<void>;
}

/** Keeps the state in this process only (a restarted process starts with a full import). */
export function memoryInboundStateStore(): LdapInboundStateStore {
  const states = new Map<string, LdapInboundState>();
  return {
    load: (jobId) => Promise.resolve(states.get(jobId) ?? { watermark: null, anchors: null }),
    save: (jobId, state) => {
      states.set(jobId, { watermark: state.watermark, anchors: state.anchors ? new Map(state.anchors) : null, schemaVersion: state.schemaVersion ?? null });
      return Promise.resolve();
    },
  };
}

/**
 * One job's state for the length of a cycle: loaded on first use (a pending
 * reset clears it, durably, at once); the anchor set the connector saves
 * during an import is held back and persisted together with the watermark
 * when the cycle commits it — after the batch's directory writes are
 * durable — so a crash in between replays the import against the old set.
 */
export class LdapJobState {
  private loaded: Promise<void> | undefined;
  private watermark: string | null = null;
  private committedAnchors: ReadonlyMap<string, string> | null = null;
  private pendingAnchors: ReadonlyMap<string, string> | null = null;

  constructor(
    private readonly store: LdapInboundStateStore,
    private readonly jobId: string,
    private readonly reset = false,
    /** The job schema's current version (undefined: not checked). */
    private readonly schemaVersion?: string,
  ) {}

  private ensure(): Promise<void> {
    this.loaded ??= (async () => {
      if (this.reset) {
        await this.store.save(this.jobId, { watermark: null, anchors: null });
        return;
      }
      const s = await this.store.load(this.jobId);
      // A watermark made under another schema version: a full import (nothing is written until it commits).
      if (this.schemaVersion !== undefined && s.watermark !== null && (s.schemaVersion ?? null) !== this.schemaVersion) return;
      this.watermark = s.watermark;
      this.committedAnchors = s.anchors;
    })();
    return this.loaded;
  }

  async currentWatermark(): Promise<string | null> {
    await this.ensure();
    return this.watermark;
  }

  /** The connector's anchor store: loads the committed set, holds a new one until {@link commit}. */
  readonly anchorStore: LdapAnchorStore = {
    load: async () => {
      await this.ensure();
      return this.committedAnchors ?? undefined;
    },
    save: (anchors) => {
      this.pendingAnchors = new Map(anchors);
      return Promise.resolve();
    },
  };

  /** Persists the watermark (and the anchor set of the import that produced it). */
  async commit(watermark: string): Promise<void> {
    await this.ensure();
    const anchors = this.pendingAnchors ?? this.committedAnchors;
    await this.store.save(this.jobId, { watermark, anchors, ...(this.schemaVersion !== undefined ? { schemaVersion: this.schemaVersion } : {}) });
    this.watermark = watermark;
    this.committedAnchors = anchors;
    this.pendingAnchors = null;
  }
}

/**
 * Turns an LDAP group entry into an inbound record: `objectGUID` = the
 * anchor, `distinguishedName`, `cn`, `displayName`, `description`,
 * `sAMAccountName`, `mail`, `mailNickname` (first values), and `member` = the
 * anchors of its members (`member` and `uniqueMember` DNs resolved by the
 * caller; members that are no user or group in the directory are left out).
 */
export function ldapGroupToRecord(entry: LdapEntry, opts: { domain?: string; memberAnchors: readonly string[] }): InboundRecord {
  const attributes: Record<string, InboundValue> = {};
  for (const [k, v] of Object.entries(entry.attributes)) {
    const lower = k.toLowerCase();
    if (lower === 'member' || lower === 'uniquemember') continue;
    attributes[k] = v[0] ?? null;
  }
  attributes.objectGUID = entry.anchor;
  attributes.distinguishedName = entry.dn;
  if (opts.domain) attributes.domain = opts.domain;
  attributes.member = [...opts.memberAnchors];
  return { anchor: entry.anchor, displayName: entry.dn, objectType: 'group', attributes };
}

/** Turns an LDAP user entry into an inbound record (see the header for the names). */
export function ldapEntryToRecord(entry: LdapEntry, opts: { domain?: string; managerAnchor?: string | null }): InboundRecord {
  const attributes: Record<string, InboundValue> = {};
  for (const [k, v] of Object.entries(entry.attributes)) attributes[k] = MULTI_VALUED.has(k.toLowerCase()) ? v : (v[0] ?? null);
  const first = (name: string) => attributeValues(entry, name)[0];
  attributes.objectGUID = entry.anchor;
  attributes.distinguishedName = entry.dn;
  if (opts.domain) attributes.domain = opts.domain;
  const uid = first('uid');
  attributes.sAMAccountName ??= uid ?? null;
  attributes.userPrincipalName ??= (uid && opts.domain ? `${uid}@${opts.domain}` : first('mail')) ?? null;
  attributes.employeeID ??= first('employeeNumber') ?? null;
  attributes.department ??= first('departmentNumber') ?? null;
  const uac = first('userAccountControl');
  const disabled = uac !== undefined ? (Number(uac) & 2) !== 0 : attributeValues(entry, 'pwdAccountLockedTime').length > 0;
  attributes.accountDisabled = disabled ? 'True' : 'False';
  if ('manager' in attributes || opts.managerAnchor !== undefined) attributes.manager = opts.managerAnchor ?? null;
  return { anchor: entry.anchor, displayName: entry.dn, attributes };
}

interface Run {
  id: number;
  token: string;
  imp: LdapImport<LdapEntry> | LdapImport<LdapChange>;
  it: AsyncIterator<LdapEntry | LdapChange>;
  /** The first item, read ahead to learn whether the delta is refused. */
  ahead: IteratorResult<LdapEntry | LdapChange> | undefined;
  count: number;
  full: boolean;
}

export class LdapInboundSource implements InboundSource {
  readonly objectType = 'user';
  private run: Run | undefined;
  private runs = 0;
  /** Normalized DN → anchor (null: no such user), filled from what the imports show and from lookups. */
  private readonly anchorsByDn = new Map<string, string | null>();

  constructor(
    private readonly source: LdapSource,
    private readonly state: LdapJobState,
    private readonly opts: {
      domain?: string;
      systemName?: string;
      /** The anchors linked to directory users by this job: a full import deletes those it did not see. */
      linkedAnchors?: () => Promise<Iterable<string>>;
    } = {},
  ) {}

  get systemName(): string {
    return this.opts.systemName ?? 'Active Directory';
  }

  currentWatermark(): Promise<string | null> {
    return this.state.currentWatermark();
  }

  async read(watermark: string | null, limit: number): Promise<InboundBatch> {
    if (!this.run || watermark !== this.run.token) await this.start(watermark);
    const run = this.run!;
    const entries: LdapChange[] = [];
    for (;;) {
      if (entries.length >= limit) break;
      const next = run.ahead ?? (await run.it.next());
      run.ahead = undefined;
      if (next.done) {
        const changes = await this.toChanges(entries);
        if (run.full) changes.push(...(await this.sweep(run)));
        this.run = undefined;
        return { changes, watermark: run.imp.watermark(), hasMore: false };
      }
      const item = next.value;
      const change: LdapChange = 'kind' in item ? item : { kind: 'upsert', entry: item };
      if (change.kind === 'upsert') this.anchorsByDn.set(normalizeDn(change.entry.dn), change.entry.anchor);
      entries.push(change);
    }
    run.count += entries.length;
    run.token = `${RUN_PREFIX}${run.id}:${run.count}`;
    return { changes: await this.toChanges(entries), watermark: run.token, hasMore: true };
  }

  async commit(watermark: string): Promise<void> {
    // Run tokens mark batches inside one import: only the import's final LDAP watermark is durable.
    if (!watermark.startsWith(RUN_PREFIX)) await this.state.commit(watermark);
  }

  async close(): Promise<void> {
    this.run = undefined;
    await this.source.close();
  }

  private async start(watermark: string | null): Promise<void> {
    const from = watermark && !watermark.startsWith(RUN_PREFIX) ? watermark : await this.state.currentWatermark();
    const id = ++this.runs;
    if (from) {
      const imp = this.source.deltaImport(from);
      const it = imp[Symbol.asyncIterator]();
      try {
        const ahead = await it.next();
        this.run = { id, token: '', imp, it, ahead, count: 0, full: false };
        return;
      } catch (e) {
        if (!(isLdapSourceError(e) && e.kind === 'refreshRequired')) throw e;
      }
    }
    const imp = this.source.fullImport();
    this.run = { id, token: '', imp, it: imp[Symbol.asyncIterator](), ahead: undefined, count: 0, full: true };
  }

  /**
   * Mark and sweep after a full import (the first cycle, a server restart,
   * a watermark that could not be continued): users linked to anchors the
   * import did not see were deleted or left the scope meanwhile.
   */
  private async sweep(run: Run): Promise<InboundChange[]> {
    if (!this.opts.linkedAnchors) return [];
    const seen = run.imp.anchors() ?? new Map<string, string>();
    const gone = [...(await this.opts.linkedAnchors())].filter((a) => !seen.has(a.toLowerCase()));
    if (gone.length && seen.size === 0) {
      // A wrong base, scope or missing read right looks like an empty directory: never delete everyone for it.
      throw new Error(`The full import from ${this.systemName} found no users: refusing to delete the ${gone.length} users and groups linked to this job `
        + '(check the base DN, the scope and the bind account\'s read rights).');
    }
    return gone.map((anchor) => ({ kind: 'delete' as const, anchor }));
  }

  /**
   * provisionOnDemand's subject: a DN (Entra's form for AD2AAD jobs), or the
   * anchor (objectGUID / entryUUID), optionally prefixed `uuid:`. Scope is
   * evaluated and reported, not applied here.
   */
  async readSubject(objectId: string): Promise<InboundSubject | undefined> {
    const id = objectId.trim();
    const anchor = /^uuid:/i.test(id) ? id.slice(5) : id;
    const entry = id.includes('=') ? await this.source.readByDn(id) : await this.source.readByAnchor(anchor);
    if (!entry) return undefined;
    const scope = this.source.options.scope;
    let outOfScope: string | undefined;
    if (!(await this.source.isInScope(entry))) {
      const containers = scope?.containerFilter?.includedContainers ?? [];
      const groups = scope?.groupFilter?.includedGroups ?? [];
      outOfScope = containers.length
        ? `its DN is not under any of the rule's included containers (${containers.join('; ')})`
        : groups.length ? `it is not a direct member of any of the rule's included groups (${groups.join('; ')})` : 'it is outside the search base';
    }
    const [change] = await this.toChanges([{ kind: 'upsert', entry }]);
    if (change?.kind !== 'upsert') return undefined;
    return { objectType: entry.objectClass, name: entry.dn, record: change.record, ...(outOfScope ? { outOfScope } : {}) };
  }

  /** The anchor of the user or group at `dn` (null: none), from what the import showed, else read (cached per cycle). */
  private async dnAnchor(dn: string): Promise<string | null> {
    const key = normalizeDn(dn);
    if (this.anchorsByDn.has(key)) return this.anchorsByDn.get(key)!;
    const e = await this.source.readByDn(dn);
    const anchor = e?.anchor ?? null;
    this.anchorsByDn.set(key, anchor);
    return anchor;
  }

  private async toChanges(changes: LdapChange[]): Promise<InboundChange[]> {
    const out: InboundChange[] = [];
    for (const c of changes) {
      if (c.kind === 'delete') {
        out.push({ kind: 'delete', anchor: c.anchor, ...(c.dn ? { displayName: c.dn } : {}) });
        continue;
      }
      if (c.entry.objectClass === 'group') {
        const dns = [...attributeValues(c.entry, 'member'), ...attributeValues(c.entry, 'uniqueMember')];
        const anchors: string[] = [];
        for (const dn of dns) {
          const a = await this.dnAnchor(dn);
          if (a && !anchors.includes(a)) anchors.push(a);
        }
        out.push({ kind: 'upsert', record: ldapGroupToRecord(c.entry, { domain: this.opts.domain, memberAnchors: anchors }) });
        continue;
      }
      const manager = attributeValues(c.entry, 'manager')[0];
      out.push({ kind: 'upsert', record: ldapEntryToRecord(c.entry, { domain: this.opts.domain, managerAnchor: manager ? await this.dnAnchor(manager) : undefined }) });
    }
    return out;
  }
}

/**
 * The OU or group scoping of the job's synchronization rule (the engine hands
 * the factory the whole job record, schema included).
 */
export function scopeFromSchema(job: object): LdapScope | undefined {
  const rules = (job as { schema?: { synchronizationRules?: LdapScope[] } }).schema?.synchronizationRules ?? [];
  for (const r of rules) {
    if (r.containerFilter?.includedContainers?.length) return { containerFilter: { includedContainers: [...r.containerFilter.includedContainers] } };
    if (r.groupFilter?.includedGroups?.length) return { groupFilter: { includedGroups: [...r.groupFilter.includedGroups] } };
  }
  return undefined;
}

export interface LdapInboundSourceFactoryOptions {
  /** Job state between cycles (default: in memory; services.ts passes the durable `jobStateInboundStore`). */
  state?: LdapInboundStateStore;
  /** The job's scoping; default: its rule's containerFilter/groupFilter ({@link scopeFromSchema}). */
  scopeOf?: (jobId: string) => LdapScope | undefined;
  /** TLS options (e.g. the CA of the directory's certificate). */
  tls?: ConnectionOptions;
  /** Anything else for the connector (page size, delta method…). */
  options?: Partial<LdapSourceOptions>;
  /** The anchors a job has linked to directory users, for the mark-and-sweep after a full import. */
  linkedAnchors?: (jobId: string) => Promise<Iterable<string>>;
}

/** Serves `AD2AADProvisioning` jobs from their secrets (Server, UserName, Password, Domain). */
export function ldapInboundSourceFactory(opts: LdapInboundSourceFactoryOptions = {}): InboundSourceFactory {
  const states = opts.state ?? memoryInboundStateStore();
  return {
    create(job, secrets) {
      if (job.templateId.toLowerCase() !== 'ad2aadprovisioning') return undefined;
      if (!secrets.Server) return undefined;
      // A restart with resetScope Watermark (or Full, or none given) makes the next cycle a full import.
      // The engine hands over the job as read before it consumed the pending reset.
      const pending = (job as { pendingResetScope?: string | null }).pendingResetScope;
      const version = (job as { schema?: { version?: string | null } }).schema?.version ?? '';
      const state = new LdapJobState(states, job.id, pending !== undefined && pending !== null && parseResetScope(pending).has('Watermark'), version);
      const options = ldapSourceOptionsFromSecrets(secrets, opts.scopeOf?.(job.id) ?? scopeFromSchema(job), {
        objectTypes: ['user', 'group'], anchorStore: state.anchorStore, ...(opts.tls ? { tls: opts.tls } : {}), ...opts.options,
      });
      const domainSecret = secrets.Domain?.trim();
      let domain: string | undefined = domainSecret;
      if (domainSecret?.startsWith('{')) {
        try {
          domain = (JSON.parse(domainSecret) as { domain?: string }).domain;
        } catch {
          domain = undefined;
        }
      }
      const linked = opts.linkedAnchors;
      return new LdapInboundSource(new LdapSource(options), state, {
        ...(domain ? { domain } : {}),
        ...(linked ? { linkedAnchors: () => linked(job.id) } : {}),
      });
    },
  };
}
