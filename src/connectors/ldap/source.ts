/**
 * The LDAP source connector: full and delta imports of users and groups from
 * OpenLDAP and Active Directory over ldapts, streamed page by page.
 *
 * ```ts
 * const source = new LdapSource({ url, bindDn, password, scope: rule });
 * const full = source.fullImport();
 * for await (const entry of full) …;            // LdapEntry, one page in memory at a time
 * let watermark = full.watermark();
 * const delta = source.deltaImport(watermark);
 * for await (const change of delta) …;          // LdapChange
 * watermark = delta.watermark();
 * await source.close();
 * ```
 *
 * Delta methods (chosen from the rootDSE unless `deltaMethod` says otherwise):
 * - `openldap-accesslog`: the accesslog overlay's log under `auditContext`
 *   gives adds, modifies, renames/moves and deletes with `reqEntryUUID`; the
 *   entries it names are read again in full.
 * - `openldap-sweep`: entries whose `entryCSN` (`modifyTimestamp` on other
 *   servers) moved, then a presence sweep of the anchors in scope compared with
 *   the previous set (kept by the caller through `anchorStore`) for deletes,
 *   moves out of scope and group-scope changes.
 * - `ad-usn`: `uSNChanged` ≥ the USN after the last import, on the same DC
 *   (checked by `dnsHostName` and `invocationId`), and tombstones through the
 *   Show Deleted control.
 * - `ad-dirsync`: the DirSync control's cookie; changed objects are read again
 *   in full (DirSync returns only changed attributes), `isDeleted` → delete.
 */
import { createHash } from 'node:crypto';
import { AndFilter, Client, EqualityFilter, FilterParser, OrFilter, type ClientOptions, type Entry, type Filter } from 'ldapts';
import { DirSyncControl, DirSyncFlags, ShowDeletedControl, AD_CAPABILITY_OID, DIRSYNC_OID } from './controls.ts';
import { guidFromBytes, sidFromBytes, guidToBytes } from './binary.ts';
import { coveringContainers, isAtOrUnder, normalizeDn } from './dn.ts';
import { classifyLdapError, LdapErrorCodes, LdapSourceError } from './errors.ts';
import {
  csnAt, decodeWatermark, encodeWatermark, fingerprint, maxString, reqStartAt, timestampAt, type Watermark,
} from './watermark.ts';
import {
  attributeValues, type LdapChange, type LdapDeltaMethod, type LdapEntry, type LdapObjectType, type LdapServerInfo, type LdapSourceOptions,
} from './types.ts';

/** Attributes never surfaced, whatever the bind account may read. */
const SECRET_ATTRIBUTES = new Set(['userpassword', 'unicodepwd', 'dbcspwd', 'ntpwdhistory', 'lmpwdhistory', 'supplementalcredentials']);
/** Binary attributes that must come back as bytes (ldapts matches these names case-sensitively). */
const BUFFER_ATTRIBUTES = ['objectGUID', 'objectGuid', 'objectguid', 'objectSid', 'objectsid', 'invocationId', 'mS-DS-ConsistencyGuid', 'msDS-ConsistencyGuid', 'sIDHistory', 'thumbnailPhoto', 'jpegPhoto'];
const GROUP_CLASSES = new Set(['group', 'groupofnames', 'groupofuniquenames']);
const RANGE_RE = /^(.+);range=(\d+)-(\d+|\*)$/i;
const BATCH = 50;

/** A short key for "this version of this entry was already reported" (keeps watermarks small). */
function seenKey(anchor: string, stamp: string): string {
  return createHash('sha1').update(`${anchor}@${stamp}`).digest('base64url').slice(0, 12);
}

/** Counters of one import. */
export interface LdapImportStats {
  /** Entries (full) or changes (delta) yielded. */
  yielded: number;
  /** Search requests sent (each page counts). */
  searches: number;
  /** Entries returned by the server, before scope filtering. */
  received: number;
  /** Entries skipped: no anchor, out of scope, or not a user or group. */
  skipped: number;
}

/**
 * One import: iterate it once, to the end; then {@link watermark} gives the
 * watermark for the next delta. Breaking out early leaves no watermark.
 */
export class LdapImport<T> implements AsyncIterable<T> {
  readonly stats: LdapImportStats = { yielded: 0, searches: 0, received: 0, skipped: 0 };
  #watermark: string | undefined;
  #anchors: ReadonlyMap<string, string> | undefined;
  #started = false;

  constructor(private readonly body: (imp: LdapImport<T>, finish: (watermark: string, anchors?: ReadonlyMap<string, string>) => void) => AsyncGenerator<T>) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    if (this.#started) throw new Error('an LdapImport can be iterated only once');
    this.#started = true;
    for await (const item of this.body(this, (w, a) => { this.#watermark = w; this.#anchors = a; })) {
      this.stats.yielded++;
      yield item;
    }
  }

  /** The watermark to pass to the next `deltaImport` (after a complete iteration). */
  watermark(): string {
    if (this.#watermark === undefined) throw new Error('the import has not been iterated to its end: no watermark');
    return this.#watermark;
  }

  /**
   * Anchor → DN of every object in scope, after a full import or a
   * presence-sweep delta (undefined for the other delta methods).
   */
  anchors(): ReadonlyMap<string, string> | undefined {
    return this.#anchors;
  }

  /** Reads everything into an array (tests, small directories). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const x of this) out.push(x);
    return out;
  }
}

type ScopeContext =
  | { mode: 'all'; bases: string[] }
  | { mode: 'ous'; bases: string[]; containers: string[] }
  | { mode: 'groups'; bases: string[]; groups: string[]; groupKeys: Set<string>; members: Map<string, string> };

function one(v: Entry[string] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined) return undefined;
  return typeof x === 'string' ? x : x.toString('utf8');
}

function many(v: Entry[string] | undefined): string[] {
  if (v === undefined) return [];
  const arr: (string | Buffer)[] = Array.isArray(v) ? v : [v];
  return arr.map((x) => (typeof x === 'string' ? x : x.toString('utf8')));
}

function rawValue(raw: Entry, name: string): Entry[string] | undefined {
  if (raw[name] !== undefined) return raw[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(raw)) if (k.toLowerCase() === lower) return raw[k];
  return undefined;
}

function renderBinary(lowerName: string, b: Buffer): string {
  try {
    if ((lowerName === 'objectguid' || lowerName === 'invocationid' || lowerName === 'ms-ds-consistencyguid') && b.length === 16) return guidFromBytes(b);
    if (lowerName === 'objectsid' || lowerName === 'sidhistory') return sidFromBytes(b);
  } catch {
    // fall through to base64
  }
  return b.toString('base64');
}

/** ldapts keeps its socket private; StartTLS sockets need looking at (see close()). */
function socketOf(c: Client): { destroyed: boolean; destroy(): void } | undefined {
  return (c as unknown as { socket?: { destroyed: boolean; destroy(): void } }).socket;
}

function alive(c: Client): boolean {
  const s = socketOf(c);
  return c.isConnected && !!s && !s.destroyed;
}

export class LdapSource {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private info: LdapServerInfo | undefined;
  private readonly now: () => Date;

  constructor(readonly options: LdapSourceOptions) {
    this.now = options.now ?? (() => new Date());
    const c = options.scope?.containerFilter?.includedContainers ?? [];
    const g = options.scope?.groupFilter?.includedGroups ?? [];
    if (c.length && g.length) {
      throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, 'containerFilter and groupFilter are mutually exclusive');
    }
    if (options.startTls && options.url.toLowerCase().startsWith('ldaps:')) {
      throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, 'StartTLS is for ldap:// URLs; ldaps:// is already encrypted');
    }
  }

  // ---------------------------------------------------------------- connection

  private get what(): string {
    return `LDAP ${this.options.url}`;
  }

  /** The bound client (connects, upgrades with StartTLS and binds on first use). */
  private async connection(): Promise<Client> {
    if (this.client && alive(this.client)) return this.client;
    this.connecting ??= (async () => {
      const o = this.options;
      const secure = o.url.toLowerCase().startsWith('ldaps:');
      const client = (o.createClient ?? ((x: ClientOptions) => new Client(x)))({
        url: o.url,
        timeout: o.timeoutMs ?? 60_000,
        connectTimeout: o.connectTimeoutMs ?? 10_000,
        strictDN: false,
        ...(secure ? { tlsOptions: { ...o.tls } } : {}),
        autoRebind: !o.startTls,
      });
      try {
        if (o.startTls) {
          try {
            // ldapts adds the socket to the options it is given: give it a copy.
            // The host name is what the certificate is checked against.
            await client.startTLS({ host: new URL(o.url).hostname.replace(/^\[|\]$/g, ''), ...o.tls });
          } catch (e) {
            throw classifyLdapError(e, `${this.what}: StartTLS`);
          }
        }
        if (o.bindDn) {
          try {
            await client.bind(o.bindDn, o.password);
          } catch (e) {
            throw classifyLdapError(e, `${this.what}: bind as ${o.bindDn}`);
          }
        }
      } catch (e) {
        await client.unbind().catch(() => undefined);
        throw e;
      }
      this.client = client;
      return client;
    })().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  /** Closes the connection (the source can be used again: it reconnects). */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    // ldapts does not watch a StartTLS-upgraded socket for 'close': if the
    // server has gone, an unbind would wait for the operation timeout.
    if (alive(c)) await c.unbind().catch(() => undefined);
    else socketOf(c)?.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---------------------------------------------------------------- server facts

  private async readRootDse(): Promise<Entry> {
    const c = await this.connection();
    try {
      const r = await c.search('', {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['objectClass', 'namingContexts', 'defaultNamingContext', 'supportedControl', 'supportedCapabilities',
          'highestCommittedUSN', 'dnsHostName', 'dsServiceName', 'vendorName', 'vendorVersion'],
      });
      const root = r.searchEntries[0];
      if (!root) throw new Error('the server returned no rootDSE');
      return root;
    } catch (e) {
      throw classifyLdapError(e, `${this.what}: read the rootDSE`);
    }
  }

  /**
   * What the server is and which delta methods it supports, from its rootDSE
   * (cached; `refresh` reads it again).
   */
  async serverInfo(refresh = false): Promise<LdapServerInfo> {
    if (this.info && !refresh) return this.info;
    const o = this.options;
    const root = await this.readRootDse();
    const objectClasses = many(rawValue(root, 'objectClass')).map((x) => x.toLowerCase());
    const namingContexts = many(rawValue(root, 'namingContexts'));
    const supportedControls = many(rawValue(root, 'supportedControl'));
    const supportedCapabilities = many(rawValue(root, 'supportedCapabilities'));
    const defaultNamingContext = one(rawValue(root, 'defaultNamingContext'));
    const flavor = supportedCapabilities.includes(AD_CAPABILITY_OID)
      ? 'active-directory'
      : objectClasses.includes('openldaprootdse') ? 'openldap' : 'other';
    const baseDn = o.baseDn
      ?? (o.domainBaseDn && namingContexts.some((n) => isAtOrUnder(o.domainBaseDn!, n)) ? o.domainBaseDn : undefined)
      ?? defaultNamingContext
      ?? namingContexts.find((n) => /^(dc|o)=/i.test(n))
      ?? namingContexts[0];
    if (!baseDn) throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, `${this.what}: no base DN given and the rootDSE names no naming context`);

    let accesslogBase: string | undefined;
    const deltaMethods: LdapDeltaMethod[] = [];
    if (flavor === 'active-directory') {
      if (supportedControls.includes(DIRSYNC_OID)) deltaMethods.push('ad-dirsync');
      deltaMethods.push('ad-usn');
    } else {
      accesslogBase = await this.findAccesslog(baseDn, namingContexts);
      if (accesslogBase) deltaMethods.push('openldap-accesslog');
      deltaMethods.push('openldap-sweep');
    }
    let deltaMethod = deltaMethods[0]!;
    const wanted = o.deltaMethod ?? 'auto';
    if (wanted !== 'auto') {
      const adMethod = wanted.startsWith('ad-');
      if (adMethod !== (flavor === 'active-directory')) {
        throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, `${this.what}: delta method ${wanted} does not apply to this server (${flavor})`);
      }
      if (wanted === 'openldap-accesslog' && !accesslogBase) {
        throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, `${this.what}: delta method openldap-accesslog needs a readable accesslog (slapo-accesslog, auditContext on the suffix)`);
      }
      deltaMethod = wanted;
    }
    this.info = {
      flavor, namingContexts, defaultNamingContext, supportedControls, supportedCapabilities, baseDn, accesslogBase,
      highestCommittedUSN: one(rawValue(root, 'highestCommittedUSN')),
      dnsHostName: one(rawValue(root, 'dnsHostName')),
      dsServiceName: one(rawValue(root, 'dsServiceName')),
      deltaMethods, deltaMethod,
    };
    return this.info;
  }

  /** The accesslog base when the suffix holding `baseDn` publishes `auditContext` and the log is readable. */
  private async findAccesslog(baseDn: string, namingContexts: string[]): Promise<string | undefined> {
    const c = await this.connection();
    const suffix = namingContexts.filter((n) => isAtOrUnder(baseDn, n)).sort((a, b) => b.length - a.length)[0] ?? baseDn;
    let base = this.options.accesslogBase;
    if (!base) {
      try {
        const r = await c.search(suffix, { scope: 'base', filter: '(objectClass=*)', attributes: ['auditContext'] });
        base = one(rawValue(r.searchEntries[0] ?? { dn: '' }, 'auditContext'));
      } catch {
        return undefined;
      }
    }
    if (!base) return undefined;
    try {
      await c.search(base, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
      return base;
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- what is read

  private isAd(info: LdapServerInfo): boolean {
    return info.flavor === 'active-directory';
  }

  private anchorAttribute(info: LdapServerInfo): string {
    return this.options.anchorAttribute ?? (this.isAd(info) ? 'objectGUID' : 'entryUUID');
  }

  private changeAttribute(info: LdapServerInfo): 'entryCSN' | 'modifyTimestamp' {
    return info.flavor === 'openldap' ? 'entryCSN' : 'modifyTimestamp';
  }

  private objectTypes(): readonly LdapObjectType[] {
    return this.options.objectTypes?.length ? this.options.objectTypes : ['user', 'group'];
  }

  /** The LDAP filter selecting the users and groups to import. */
  objectFilter(info: LdapServerInfo): string {
    const ad = this.isAd(info);
    const parts: string[] = [];
    for (const t of this.objectTypes()) {
      if (t === 'user') parts.push(this.options.userFilter ?? (ad ? '(&(objectCategory=person)(objectClass=user))' : '(objectClass=inetOrgPerson)'));
      else parts.push(this.options.groupObjectFilter ?? (ad ? '(objectClass=group)' : '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))'));
    }
    return parts.length === 1 ? parts[0]! : `(|${parts.join('')})`;
  }

  private attributes(info: LdapServerInfo): string[] {
    const list = this.options.attributes?.length ? [...this.options.attributes, 'objectClass'] : ['*'];
    list.push(this.anchorAttribute(info));
    if (this.isAd(info)) list.push('uSNChanged');
    else list.push(this.changeAttribute(info));
    return [...new Set(list)];
  }

  private fingerprint(info: LdapServerInfo, method: LdapDeltaMethod): string {
    const s = this.options.scope;
    return fingerprint([
      this.options.url.toLowerCase(), normalizeDn(info.baseDn), method, this.objectFilter(info), this.anchorAttribute(info),
      (this.options.attributes ?? []).map((a) => a.toLowerCase()).sort(),
      (s?.containerFilter?.includedContainers ?? []).map(normalizeDn).sort(),
      (s?.groupFilter?.includedGroups ?? []).map(normalizeDn).sort(),
    ]);
  }

  private overlapMs(): number {
    return (this.options.overlapSeconds ?? 300) * 1000;
  }

  /** Turns a raw search entry into an {@link LdapEntry}; undefined without an anchor. */
  private toEntry(raw: Entry, info: LdapServerInfo): LdapEntry | undefined {
    const attributes: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'dn') continue;
      const lower = k.toLowerCase();
      if (SECRET_ATTRIBUTES.has(lower)) continue;
      const arr: (string | Buffer)[] = Array.isArray(v) ? v : [v];
      // ldapts lists requested attributes the entry does not have, with no values.
      if (arr.length === 0) continue;
      attributes[k] = arr.map((x) => (typeof x === 'string' ? x : renderBinary(lower, x)));
    }
    const anchor = attributeValues({ attributes }, this.anchorAttribute(info))[0];
    if (!anchor) return undefined;
    const classes = attributeValues({ attributes }, 'objectClass').map((c) => c.toLowerCase());
    const objectClass: LdapObjectType = classes.some((c) => GROUP_CLASSES.has(c)) ? 'group' : 'user';
    return { anchor: anchor.toLowerCase(), dn: raw.dn, objectClass, attributes };
  }

  /** AD returns at most MaxValRange values per read (`member;range=0-1499`): fetch the rest. */
  private async completeRanges(entry: LdapEntry): Promise<LdapEntry> {
    const ranged = Object.keys(entry.attributes).filter((k) => RANGE_RE.test(k));
    if (!ranged.length) return entry;
    const c = await this.connection();
    for (const key of ranged) {
      const m = RANGE_RE.exec(key)!;
      const name = m[1]!;
      const values = [...entry.attributes[key]!];
      delete entry.attributes[key];
      let end = m[3]!;
      while (end !== '*') {
        const next = Number(end) + 1;
        let r;
        try {
          r = await c.search(entry.dn, { scope: 'base', filter: '(objectClass=*)', attributes: [`${name};range=${next}-*`] });
        } catch (e) {
          throw classifyLdapError(e, `${this.what}: read ${name} values of ${entry.dn}`);
        }
        const raw = r.searchEntries[0];
        const k = raw && Object.keys(raw).find((x) => x.toLowerCase().startsWith(`${name.toLowerCase()};range=`));
        if (!raw || !k) break;
        values.push(...many(raw[k]));
        end = RANGE_RE.exec(k)?.[3] ?? '*';
      }
      entry.attributes[name] = values;
    }
    return entry;
  }

  /** Paged search, one page of raw entries at a time. */
  private async *pages(stats: LdapImportStats, base: string, filter: string | Filter, attributes: string[], extra?: { scope?: 'sub' | 'one' | 'base'; controls?: ShowDeletedControl[] }): AsyncGenerator<Entry[]> {
    const c = await this.connection();
    const it = c.searchPaginated(base, {
      scope: extra?.scope ?? 'sub',
      filter,
      attributes,
      explicitBufferAttributes: BUFFER_ATTRIBUTES,
      paged: { pageSize: this.options.pageSize ?? 500 },
    }, extra?.controls);
    while (true) {
      let next: IteratorResult<{ searchEntries: Entry[] }>;
      try {
        stats.searches++;
        next = await it.next();
      } catch (e) {
        throw classifyLdapError(e, `${this.what}: search ${base} ${filter}`);
      }
      if (next.done) return;
      stats.received += next.value.searchEntries.length;
      yield next.value.searchEntries;
    }
  }

  /** One entry by DN (base search), if it exists and matches `filter`. */
  private async readRaw(dn: string, filter: string, attributes: string[]): Promise<Entry | undefined> {
    const c = await this.connection();
    try {
      const r = await c.search(dn, { scope: 'base', filter, attributes, explicitBufferAttributes: BUFFER_ATTRIBUTES });
      return r.searchEntries[0];
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 32 || code === 34) return undefined; // noSuchObject, invalidDNSyntax (a dangling or odd member value)
      throw classifyLdapError(e, `${this.what}: read ${dn}`);
    }
  }

  /** Reads many DNs, a few at a time, in order. */
  private async *readMany(dns: readonly string[], filter: string, attributes: string[], stats: LdapImportStats): AsyncGenerator<Entry> {
    for (let i = 0; i < dns.length; i += 16) {
      const batch = dns.slice(i, i + 16);
      stats.searches += batch.length;
      const got = await Promise.all(batch.map((dn) => this.readRaw(dn, filter, attributes)));
      for (const raw of got) if (raw) {
        stats.received++;
        yield raw;
      }
    }
  }

  /**
   * Reads one user or group by DN (on-demand provisioning). Scoping is not
   * applied, as Entra Cloud Sync does not apply it on demand; use
   * {@link isInScope} to show it. Undefined when there is no such user or group.
   */
  async readByDn(dn: string): Promise<LdapEntry | undefined> {
    const info = await this.serverInfo();
    const raw = await this.readRaw(dn, this.objectFilter(info), this.attributes(info));
    const entry = raw && this.toEntry(raw, info);
    return entry && this.completeRanges(entry);
  }

  /**
   * Reads one user or group by its anchor (`objectGUID` on AD, `entryUUID`
   * on OpenLDAP), anywhere under the base; scope not applied, as
   * {@link readByDn}. Undefined when there is none.
   */
  async readByAnchor(anchor: string): Promise<LdapEntry | undefined> {
    const info = await this.serverInfo();
    const anchorAttr = this.anchorAttribute(info);
    const isGuid = anchorAttr.toLowerCase() === 'objectguid';
    if (isGuid && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(anchor)) return undefined;
    const base = this.isAd(info) ? (info.defaultNamingContext ?? info.baseDn) : info.baseDn;
    // A filter object, as in reread(): a text filter would corrupt binary GUID bytes.
    const filter = new AndFilter({
      filters: [FilterParser.parseString(this.objectFilter(info)), new EqualityFilter({ attribute: anchorAttr, value: isGuid ? guidToBytes(anchor) : anchor })],
    });
    const stats: LdapImportStats = { yielded: 0, searches: 0, received: 0, skipped: 0 };
    for await (const page of this.pages(stats, base, filter, this.attributes(info))) {
      for (const raw of page) {
        const entry = this.toEntry(raw, info);
        if (entry && entry.anchor === anchor.toLowerCase()) return this.completeRanges(entry);
      }
    }
    return undefined;
  }

  /** Whether an entry is in the configured scope now. */
  async isInScope(entry: Pick<LdapEntry, 'dn'>): Promise<boolean> {
    const info = await this.serverInfo();
    return this.inScope(entry.dn, await this.scopeContext(info), info);
  }

  // ---------------------------------------------------------------- scope

  private async scopeContext(info: LdapServerInfo): Promise<ScopeContext> {
    const containers = this.options.scope?.containerFilter?.includedContainers ?? [];
    const groups = this.options.scope?.groupFilter?.includedGroups ?? [];
    if (containers.length) return { mode: 'ous', bases: coveringContainers(containers), containers };
    if (!groups.length) return { mode: 'all', bases: [info.baseDn] };
    const members = new Map<string, string>();
    for (const g of groups) {
      const raw = await this.readRaw(g, '(objectClass=*)', ['member', 'uniqueMember']);
      if (!raw) throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, `${this.what}: the scoping group ${g} does not exist`);
      const entry = await this.completeRanges({ anchor: '', dn: raw.dn, objectClass: 'group', attributes: Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'dn').map(([k, v]) => [k, many(v)])) });
      // Direct members only: Entra does not follow nested groups when scoping.
      for (const m of [...attributeValues(entry, 'member'), ...attributeValues(entry, 'uniqueMember')]) members.set(normalizeDn(m), m);
    }
    return { mode: 'groups', bases: [info.baseDn], groups, groupKeys: new Set(groups.map(normalizeDn)), members };
  }

  private inScope(dn: string, ctx: ScopeContext, info: LdapServerInfo): boolean {
    switch (ctx.mode) {
      case 'all': return isAtOrUnder(dn, info.baseDn);
      case 'ous': return ctx.containers.some((c) => isAtOrUnder(dn, c));
      case 'groups': {
        const k = normalizeDn(dn);
        return ctx.members.has(k) || ctx.groupKeys.has(k);
      }
    }
  }

  /** DNs in scope under group scoping: the included groups and their direct members. */
  private groupScopeDns(ctx: ScopeContext & { mode: 'groups' }): string[] {
    return [...ctx.groups, ...ctx.members.values()];
  }

  // ---------------------------------------------------------------- full import

  /** Every user and group in scope, and a watermark to continue from. */
  fullImport(): LdapImport<LdapEntry> {
    return new LdapImport<LdapEntry>((imp, finish) => this.full(imp, finish));
  }

  private async *full(imp: LdapImport<LdapEntry>, finish: (w: string, a?: ReadonlyMap<string, string>) => void): AsyncGenerator<LdapEntry> {
    const stats = imp.stats;
    const info = await this.serverInfo();
    let method = info.deltaMethod;
    const start = this.now();
    const ctx = await this.scopeContext(info);
    const filter = this.objectFilter(info);
    const attrs = this.attributes(info);
    const anchors = new Map<string, string>();
    const wm: Watermark = { v: 1, method, fp: '' };

    if (method === 'ad-dirsync') {
      try {
        for await (const entry of this.dirSyncFull(info, ctx, stats, wm)) {
          anchors.set(entry.anchor, entry.dn);
          yield entry;
        }
        wm.fp = this.fingerprint(info, method);
        if (ctx.mode === 'groups') wm.groupMembers = [...ctx.members.keys()];
        await this.options.anchorStore?.save(anchors);
        finish(encodeWatermark(wm), anchors);
        return;
      } catch (e) {
        // Without replication rights DirSync is refused before anything is returned: use uSNChanged.
        if (!(e instanceof LdapSourceError && e.code === LdapErrorCodes.insufficientAccess && anchors.size === 0 && this.options.deltaMethod !== 'ad-dirsync')) throw e;
        method = 'ad-usn';
        this.info = { ...info, deltaMethod: method };
        wm.method = method;
        delete wm.dirsync;
      }
    }

    // The delta's starting point is taken before reading, so that nothing
    // that changes while the import runs is missed.
    const csnSeen: string[] = [];
    let csnCursor = '';
    switch (method) {
      case 'openldap-accesslog': {
        const cursor = reqStartAt(new Date(start.getTime() - this.overlapMs()));
        const seen: string[] = [];
        for await (const page of this.pages(stats, info.accesslogBase!, `(&(objectClass=auditWriteObject)(reqStart>=${cursor}))`, ['reqStart'], { scope: 'one' })) {
          for (const r of page) {
            const t = one(rawValue(r, 'reqStart'));
            if (t) seen.push(t);
          }
        }
        wm.log = { cursor, seen, ...(seen.length ? { last: seen.reduce(maxString) } : {}) };
        break;
      }
      case 'openldap-sweep':
        csnCursor = this.changeAttribute(info) === 'entryCSN' ? csnAt(new Date(start.getTime() - this.overlapMs())) : timestampAt(new Date(start.getTime() - this.overlapMs()));
        wm.csn = { cursor: csnCursor, seen: csnSeen };
        break;
      case 'ad-usn':
        wm.usn = await this.usnPosition();
        break;
    }

    const changeAttr = this.changeAttribute(info);
    const consider = (raw: Entry): LdapEntry | undefined => {
      const entry = this.toEntry(raw, info);
      if (!entry || !this.inScope(entry.dn, ctx, info)) {
        stats.skipped++;
        return undefined;
      }
      if (method === 'openldap-sweep') {
        const v = one(rawValue(raw, changeAttr));
        if (v && v >= csnCursor) csnSeen.push(seenKey(entry.anchor, v));
      }
      anchors.set(entry.anchor, entry.dn);
      return entry;
    };

    if (ctx.mode === 'groups') {
      for await (const raw of this.readMany(this.groupScopeDns(ctx), filter, attrs, stats)) {
        const entry = consider(raw);
        if (entry) yield await this.completeRanges(entry);
      }
      wm.groupMembers = [...ctx.members.keys()];
    } else {
      for (const base of ctx.bases) {
        for await (const page of this.pages(stats, base, filter, attrs)) {
          for (const raw of page) {
            const entry = consider(raw);
            if (entry) yield await this.completeRanges(entry);
          }
        }
      }
    }
    wm.fp = this.fingerprint(info, method);
    await this.options.anchorStore?.save(anchors);
    finish(encodeWatermark(wm), anchors);
  }

  // ---------------------------------------------------------------- delta import

  /**
   * What changed since `watermark` (from a full or delta import of the same
   * configuration). Throws an `LdapSourceError` of kind `refreshRequired`
   * before yielding anything when the watermark cannot be continued. The
   * presence sweep compares with `previousAnchors` (the `anchors()` of the
   * previous import), else with what `anchorStore` loads.
   */
  deltaImport(watermark: string, opts: { previousAnchors?: ReadonlyMap<string, string> } = {}): LdapImport<LdapChange> {
    return new LdapImport<LdapChange>((imp, finish) => this.delta(watermark, opts, imp, finish));
  }

  private async *delta(text: string, opts: { previousAnchors?: ReadonlyMap<string, string> }, imp: LdapImport<LdapChange>, finish: (w: string, a?: ReadonlyMap<string, string>) => void): AsyncGenerator<LdapChange> {
    const info = await this.serverInfo();
    let parsed: { method?: unknown } = {};
    try {
      parsed = JSON.parse(text) as { method?: unknown };
    } catch {
      // decodeWatermark says what is wrong with it
    }
    // A DirSync watermark may have fallen back to uSNChanged at the full import.
    const method = parsed.method === 'ad-usn' && info.deltaMethod === 'ad-dirsync' && this.options.deltaMethod !== 'ad-dirsync' ? 'ad-usn' : info.deltaMethod;
    const wm = decodeWatermark(text, { fp: this.fingerprint(info, method), method });
    const ctx = await this.scopeContext(info);
    switch (method) {
      case 'openldap-accesslog': yield* this.accesslogDelta(info, ctx, wm, imp.stats); break;
      case 'openldap-sweep': yield* this.sweepDelta(info, ctx, wm, imp.stats, finish, opts.previousAnchors); return;
      case 'ad-usn': yield* this.usnDelta(info, ctx, wm, imp.stats); break;
      case 'ad-dirsync': yield* this.dirSyncDelta(info, ctx, wm, imp.stats); break;
    }
    if (ctx.mode === 'groups') wm.groupMembers = [...ctx.members.keys()];
    finish(encodeWatermark(wm));
  }

  /**
   * Group scoping: members who joined an included group since the watermark
   * (read and upserted) and members who left (deleted: out of scope).
   */
  private async *groupScopeChanges(info: LdapServerInfo, ctx: ScopeContext, wm: Watermark, emitted: Set<string>, stats: LdapImportStats): AsyncGenerator<LdapChange> {
    if (ctx.mode !== 'groups') return;
    const before = new Set(wm.groupMembers ?? []);
    const joined = [...ctx.members].filter(([k]) => !before.has(k)).map(([, dn]) => dn);
    const left = [...before].filter((k) => !ctx.members.has(k));
    const filter = this.objectFilter(info);
    for await (const raw of this.readMany(joined, filter, this.attributes(info), stats)) {
      const entry = this.toEntry(raw, info);
      if (!entry || emitted.has(entry.anchor)) continue;
      emitted.add(entry.anchor);
      yield { kind: 'upsert', entry: await this.completeRanges(entry) };
    }
    // `left` holds normalized DNs, which are valid DNs for a read.
    for await (const raw of this.readMany(left, filter, [this.anchorAttribute(info), 'objectClass'], stats)) {
      const entry = this.toEntry(raw, info);
      if (!entry || emitted.has(entry.anchor) || this.inScope(entry.dn, ctx, info)) continue;
      emitted.add(entry.anchor);
      yield { kind: 'delete', anchor: entry.anchor, dn: entry.dn };
    }
  }

  /** Reads entries by anchor, in batches, and yields upserts (in scope) or deletes (out of scope). */
  private async *reread(info: LdapServerInfo, ctx: ScopeContext, anchors: readonly string[], emitted: Set<string>, stats: LdapImportStats): AsyncGenerator<LdapChange> {
    const anchorAttr = this.anchorAttribute(info);
    const isGuid = anchorAttr.toLowerCase() === 'objectguid';
    const filter = this.objectFilter(info);
    const attrs = this.attributes(info);
    const base = this.isAd(info) ? (info.defaultNamingContext ?? info.baseDn) : info.baseDn;
    for (let i = 0; i < anchors.length; i += BATCH) {
      const batch = anchors.slice(i, i + BATCH);
      // Built as filter objects: ldapts's string filter parser turns an escaped
      // byte such as \ff into the character U+00FF and sends it as UTF-8, which
      // corrupts binary values like objectGUID.
      const filterObject = new AndFilter({
        filters: [
          FilterParser.parseString(filter),
          new OrFilter({ filters: batch.map((a) => new EqualityFilter({ attribute: anchorAttr, value: isGuid ? guidToBytes(a) : a })) }),
        ],
      });
      for await (const page of this.pages(stats, base, filterObject, attrs)) {
        for (const raw of page) {
          const entry = this.toEntry(raw, info);
          if (!entry || emitted.has(entry.anchor)) continue;
          emitted.add(entry.anchor);
          if (this.inScope(entry.dn, ctx, info)) yield { kind: 'upsert', entry: await this.completeRanges(entry) };
          else yield { kind: 'delete', anchor: entry.anchor, dn: entry.dn };
        }
      }
    }
  }

  /** OpenLDAP with slapo-accesslog. */
  private async *accesslogDelta(info: LdapServerInfo, ctx: ScopeContext, wm: Watermark, stats: LdapImportStats): AsyncGenerator<LdapChange> {
    if (!wm.log) throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, 'the watermark has no accesslog cursor: run a full import');
    const start = this.now();
    // slapo-accesslog purges its oldest records (logpurge): if the last record
    // this watermark read is gone, records after it may be gone too.
    if (wm.log.last && !(await this.readRaw(`reqStart=${wm.log.last},${info.accesslogBase!}`, '(objectClass=*)', ['1.1']))) {
      throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired,
        `the accesslog no longer holds ${wm.log.last}, the last record this watermark read (purged?): run a full import`);
    }
    let last = wm.log.last ?? '';
    const seen = new Set(wm.log.seen);
    const newCursor = maxString(wm.log.cursor, reqStartAt(new Date(start.getTime() - this.overlapMs())));
    const before = new Set(wm.groupMembers ?? []);
    const relevant = (dn: string) => this.inScope(dn, ctx, info) || (ctx.mode === 'groups' && before.has(normalizeDn(dn)));
    const records: { start: string; type: string; dn: string; newDn: string | undefined; uuid: string | undefined }[] = [];
    const newSeen: string[] = [];
    for await (const page of this.pages(stats, info.accesslogBase!, `(&(objectClass=auditWriteObject)(reqResult=0)(reqStart>=${wm.log.cursor}))`,
      ['reqStart', 'reqType', 'reqDN', 'reqEntryUUID', 'reqNewRDN', 'reqNewSuperior', 'reqNewDN'], { scope: 'one' })) {
      for (const r of page) {
        const t = one(rawValue(r, 'reqStart'));
        const type = one(rawValue(r, 'reqType'));
        const dn = one(rawValue(r, 'reqDN'));
        if (!t || !type || !dn) continue;
        last = maxString(last, t);
        if (t >= newCursor) newSeen.push(t);
        if (seen.has(t)) continue;
        let newDn: string | undefined;
        if (type === 'modrdn') {
          newDn = one(rawValue(r, 'reqNewDN'));
          if (!newDn) {
            const rdn = one(rawValue(r, 'reqNewRDN'));
            const sup = one(rawValue(r, 'reqNewSuperior')) ?? dn.split(/(?<!\\),/).slice(1).join(',');
            if (rdn) newDn = `${rdn},${sup}`;
          }
        }
        // Only objects in scope before or after the change matter.
        if (!relevant(dn) && !(newDn && relevant(newDn))) continue;
        records.push({ start: t, type, dn, newDn, uuid: one(rawValue(r, 'reqEntryUUID'))?.toLowerCase() });
      }
    }
    records.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    // Net effect per object: the last record wins.
    const byAnchor = new Map<string, { deleted: boolean; dn: string }>();
    const byDn = new Set<string>();
    for (const r of records) {
      const dn = r.newDn ?? r.dn;
      if (r.uuid) byAnchor.set(r.uuid, { deleted: r.type === 'delete', dn: r.type === 'delete' ? r.dn : dn });
      else if (r.type !== 'delete') byDn.add(dn);
    }
    const emitted = new Set<string>();
    const live = [...byAnchor].filter(([, s]) => !s.deleted).map(([a]) => a);
    if (this.anchorAttribute(info).toLowerCase() === 'entryuuid') yield* this.reread(info, ctx, live, emitted, stats);
    else for (const [, s] of byAnchor) if (!s.deleted) byDn.add(s.dn);
    const filter = this.objectFilter(info);
    for await (const raw of this.readMany([...byDn], filter, this.attributes(info), stats)) {
      const entry = this.toEntry(raw, info);
      if (!entry || emitted.has(entry.anchor)) continue;
      emitted.add(entry.anchor);
      if (this.inScope(entry.dn, ctx, info)) yield { kind: 'upsert', entry: await this.completeRanges(entry) };
      else yield { kind: 'delete', anchor: entry.anchor, dn: entry.dn };
    }
    for (const [anchor, s] of byAnchor) {
      if (s.deleted && !emitted.has(anchor)) {
        emitted.add(anchor);
        yield { kind: 'delete', anchor, dn: s.dn };
      }
    }
    yield* this.groupScopeChanges(info, ctx, wm, emitted, stats);
    wm.log = { cursor: newCursor, seen: newSeen, ...(last ? { last } : {}) };
  }

  /** Any server: changed entries by `entryCSN`/`modifyTimestamp`, deletes and scope exits by a presence sweep. */
  private async *sweepDelta(info: LdapServerInfo, ctx: ScopeContext, wm: Watermark, stats: LdapImportStats, finish: (w: string, a?: ReadonlyMap<string, string>) => void, given?: ReadonlyMap<string, string>): AsyncGenerator<LdapChange> {
    if (!wm.csn) throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, 'the watermark has no change cursor: run a full import');
    const previous = given ?? await this.options.anchorStore?.load();
    if (!previous) {
      throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired,
        'the presence sweep needs the anchors of the previous import (previousAnchors or anchorStore): run a full import');
    }
    const start = this.now();
    const changeAttr = this.changeAttribute(info);
    const at = new Date(start.getTime() - this.overlapMs());
    const newCursor = maxString(wm.csn.cursor, changeAttr === 'entryCSN' ? csnAt(at) : timestampAt(at));
    const seen = new Set(wm.csn.seen);
    const newSeen: string[] = [];
    const emitted = new Set<string>();
    const filter = this.objectFilter(info);
    const attrs = this.attributes(info);

    // 1. what changed
    for (const base of ctx.mode === 'ous' ? ctx.bases : [info.baseDn]) {
      for await (const page of this.pages(stats, base, `(&${filter}(${changeAttr}>=${wm.csn.cursor}))`, attrs)) {
        for (const raw of page) {
          const entry = this.toEntry(raw, info);
          const v = one(rawValue(raw, changeAttr));
          if (!entry || !v) continue;
          const key = seenKey(entry.anchor, v);
          if (v >= newCursor) newSeen.push(key);
          if (seen.has(key) || !this.inScope(entry.dn, ctx, info)) continue;
          emitted.add(entry.anchor);
          yield { kind: 'upsert', entry: await this.completeRanges(entry) };
        }
      }
    }

    // 2. who is there
    const present = new Map<string, string>();
    const anchorOnly = [this.anchorAttribute(info), 'objectClass'];
    if (ctx.mode === 'groups') {
      for await (const raw of this.readMany(this.groupScopeDns(ctx), filter, anchorOnly, stats)) {
        const entry = this.toEntry(raw, info);
        if (entry) present.set(entry.anchor, entry.dn);
      }
    } else {
      for (const base of ctx.bases) {
        for await (const page of this.pages(stats, base, filter, anchorOnly)) {
          for (const raw of page) {
            const entry = this.toEntry(raw, info);
            if (entry && this.inScope(entry.dn, ctx, info)) present.set(entry.anchor, entry.dn);
          }
        }
      }
    }

    // 3. the difference: gone, moved without a change stamp, or new in scope
    for (const [anchor, dn] of previous) {
      if (!present.has(anchor)) yield { kind: 'delete', anchor, dn };
    }
    const toRead: string[] = [];
    for (const [anchor, dn] of present) {
      if (emitted.has(anchor)) continue;
      const before = previous.get(anchor);
      if (before === undefined || normalizeDn(before) !== normalizeDn(dn)) toRead.push(dn);
    }
    for await (const raw of this.readMany(toRead, filter, attrs, stats)) {
      const entry = this.toEntry(raw, info);
      if (!entry || emitted.has(entry.anchor)) continue;
      emitted.add(entry.anchor);
      yield { kind: 'upsert', entry: await this.completeRanges(entry) };
    }

    wm.csn = { cursor: newCursor, seen: newSeen };
    if (ctx.mode === 'groups') wm.groupMembers = [...ctx.members.keys()];
    await this.options.anchorStore?.save(present);
    finish(encodeWatermark(wm), present);
  }

  // ---------------------------------------------------------------- Active Directory

  /** `highestCommittedUSN` + 1, `dnsHostName` and the DC's `invocationId`, read now. */
  private async usnPosition(): Promise<{ next: string; dnsHostName: string; invocationId: string }> {
    const root = await this.readRootDse();
    const hcu = one(rawValue(root, 'highestCommittedUSN'));
    const dnsHostName = one(rawValue(root, 'dnsHostName')) ?? '';
    const service = one(rawValue(root, 'dsServiceName'));
    if (!hcu || !/^\d+$/.test(hcu)) throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, `${this.what}: the rootDSE has no highestCommittedUSN`);
    let invocationId = '';
    if (service) {
      const raw = await this.readRaw(service, '(objectClass=*)', ['invocationId']);
      const v = raw && rawValue(raw, 'invocationId');
      const b = Array.isArray(v) ? v[0] : v;
      if (Buffer.isBuffer(b) && b.length === 16) invocationId = guidFromBytes(b);
      else if (typeof b === 'string') invocationId = b;
    }
    return { next: (BigInt(hcu) + 1n).toString(), dnsHostName, invocationId };
  }

  private async *usnDelta(info: LdapServerInfo, ctx: ScopeContext, wm: Watermark, stats: LdapImportStats): AsyncGenerator<LdapChange> {
    if (!wm.usn) throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, 'the watermark has no USN: run a full import');
    const now = await this.usnPosition();
    if (now.dnsHostName.toLowerCase() !== wm.usn.dnsHostName.toLowerCase() || now.invocationId !== wm.usn.invocationId) {
      throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired,
        `uSNChanged is per domain controller: the watermark is for ${wm.usn.dnsHostName} (${wm.usn.invocationId}), the server is ${now.dnsHostName} (${now.invocationId}): run a full import`);
    }
    const from = wm.usn.next;
    const emitted = new Set<string>();
    const filter = this.objectFilter(info);
    // The whole base, not just the included OUs: an object moved out of them is a delete.
    for await (const page of this.pages(stats, info.baseDn, `(&${filter}(uSNChanged>=${from}))`, this.attributes(info))) {
      for (const raw of page) {
        const entry = this.toEntry(raw, info);
        if (!entry || emitted.has(entry.anchor)) continue;
        emitted.add(entry.anchor);
        if (this.inScope(entry.dn, ctx, info)) yield { kind: 'upsert', entry: await this.completeRanges(entry) };
        else yield { kind: 'delete', anchor: entry.anchor, dn: entry.dn };
      }
    }
    // Tombstones: the Show Deleted control, under the naming context (Deleted Objects is at its root).
    const nc = info.defaultNamingContext ?? info.baseDn;
    for await (const page of this.pages(stats, nc, `(&(isDeleted=TRUE)(uSNChanged>=${from})(|(objectClass=user)(objectClass=group)))`,
      [this.anchorAttribute(info), 'isDeleted', 'lastKnownParent', 'objectClass'], { controls: [new ShowDeletedControl()] })) {
      for (const raw of page) {
        const entry = this.toEntry(raw, info);
        if (!entry || emitted.has(entry.anchor)) continue;
        emitted.add(entry.anchor);
        yield { kind: 'delete', anchor: entry.anchor };
      }
    }
    yield* this.groupScopeChanges(info, ctx, wm, emitted, stats);
    wm.usn = now;
  }

  /** One DirSync pass: rounds until MoreResults is 0. Returns raw objects and the final cookie. */
  private async *dirSyncRounds(info: LdapServerInfo, cookie: Buffer, stats: LdapImportStats, out: { cookie: Buffer }): AsyncGenerator<Entry[]> {
    const c = await this.connection();
    const nc = info.defaultNamingContext ?? info.baseDn;
    const control = new DirSyncControl({ flags: this.options.dirSyncFlags ?? DirSyncFlags.objectSecurity, maxBytes: this.options.dirSyncMaxBytes ?? 0, cookie });
    const attrs = this.attributes(info);
    if (!attrs.includes('isDeleted')) attrs.push('isDeleted');
    while (true) {
      let r;
      try {
        stats.searches++;
        // DirSync works on a whole naming context, never a subtree; scoping is applied here, client side.
        r = await c.search(nc, { scope: 'sub', filter: this.dirSyncFilter(), attributes: attrs, explicitBufferAttributes: BUFFER_ATTRIBUTES }, [control]);
      } catch (e) {
        throw classifyLdapError(e, `${this.what}: DirSync search of ${nc}`);
      }
      stats.received += r.searchEntries.length;
      const response = control.response;
      if (!response) throw new LdapSourceError('transient', LdapErrorCodes.protocol, `${this.what}: the DirSync answer carried no DirSync control`);
      control.response = undefined;
      out.cookie = response.cookie;
      yield r.searchEntries;
      if (!response.moreResults) return;
      control.value.cookie = response.cookie;
    }
  }

  private isDeleted(raw: Entry): boolean {
    return (one(rawValue(raw, 'isDeleted')) ?? '').toUpperCase() === 'TRUE';
  }

  /**
   * The DirSync request's filter: by objectClass only, because tombstones
   * lose `objectCategory` (a filter on it would hide deletions). The real
   * filter is applied when the objects are read again.
   */
  private dirSyncFilter(): string {
    const parts = this.objectTypes().map((t) => (t === 'user' ? '(objectClass=user)' : '(objectClass=group)'));
    return parts.length === 1 ? parts[0]! : `(|${parts.join('')})`;
  }

  private dirSyncAnchor(raw: Entry, info: LdapServerInfo): string | undefined {
    const v = rawValue(raw, this.anchorAttribute(info));
    const b = Array.isArray(v) ? v[0] : v;
    return Buffer.isBuffer(b) && b.length === 16 ? guidFromBytes(b) : typeof b === 'string' ? b.toLowerCase() : undefined;
  }

  /**
   * The first DirSync pass (empty cookie) gives the cookie; the objects it
   * names are read again with the real filter and scope, one round at a time.
   */
  private async *dirSyncFull(info: LdapServerInfo, ctx: ScopeContext, stats: LdapImportStats, wm: Watermark): AsyncGenerator<LdapEntry> {
    const out = { cookie: Buffer.alloc(0) };
    const emitted = new Set<string>();
    for await (const page of this.dirSyncRounds(info, Buffer.alloc(0), stats, out)) {
      const live = page.filter((raw) => !this.isDeleted(raw)).map((raw) => this.dirSyncAnchor(raw, info)).filter((a): a is string => !!a);
      for await (const change of this.reread(info, ctx, live, emitted, stats)) {
        if (change.kind === 'upsert') yield change.entry;
        else stats.skipped++;
      }
    }
    wm.dirsync = { cookie: out.cookie.toString('base64') };
  }

  private async *dirSyncDelta(info: LdapServerInfo, ctx: ScopeContext, wm: Watermark, stats: LdapImportStats): AsyncGenerator<LdapChange> {
    if (!wm.dirsync) throw new LdapSourceError('refreshRequired', LdapErrorCodes.refreshRequired, 'the watermark has no DirSync cookie: run a full import');
    const out = { cookie: Buffer.from(wm.dirsync.cookie, 'base64') };
    const changed: string[] = [];
    const deleted: string[] = [];
    for await (const page of this.dirSyncRounds(info, out.cookie, stats, out)) {
      for (const raw of page) {
        const anchor = this.dirSyncAnchor(raw, info);
        if (!anchor) continue;
        (this.isDeleted(raw) ? deleted : changed).push(anchor);
      }
    }
    const emitted = new Set<string>();
    for (const anchor of deleted) {
      if (emitted.has(anchor)) continue;
      emitted.add(anchor);
      yield { kind: 'delete', anchor };
    }
    // DirSync returns only the changed attributes: read the objects again in full.
    yield* this.reread(info, ctx, [...new Set(changed)].filter((a) => !emitted.has(a)), emitted, stats);
    yield* this.groupScopeChanges(info, ctx, wm, emitted, stats);
    wm.dirsync = { cookie: out.cookie.toString('base64') };
  }
}
