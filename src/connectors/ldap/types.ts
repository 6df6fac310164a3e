/**
 * The LDAP source's vocabulary: entries, changes, options and the server
 * facts read from the rootDSE. See docs/ldap-source.md.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Client, ClientOptions } from 'ldapts';

/** The kind of object, named as Entra Cloud Sync names its source objects. */
export type LdapObjectType = 'user' | 'group';

/**
 * One directory object. Attribute names are as the server spells them
 * (LDAP names are case-insensitive: use {@link attributeValues} to read one);
 * every value is text: `objectGUID` as the canonical GUID string, `objectSid`
 * as `S-1-…`, other binary values base64. `member` and `manager` hold DNs.
 * Passwords (`userPassword`, `unicodePwd`) are never surfaced.
 */
export interface LdapEntry {
  /** `objectGUID` (AD, canonical GUID string) or `entryUUID` (OpenLDAP), lower case: stable across renames and moves. */
  anchor: string;
  dn: string;
  objectClass: LdapObjectType;
  attributes: Record<string, string[]>;
}

/**
 * A change of a delta import. A move or rename is an `upsert` with the new
 * `dn` and the same `anchor`; leaving the scope (moved out of an included
 * OU, removed from an included group) is a `delete`. A `delete` may name an
 * anchor the caller never imported (an object that was never in scope, or not
 * a user or group): ignore those.
 */
export type LdapChange =
  | { kind: 'upsert'; entry: LdapEntry }
  | { kind: 'delete'; anchor: string; dn?: string };

/** How deltas are read. See docs/ldap-source.md for how `auto` chooses. */
export type LdapDeltaMethod = 'ad-dirsync' | 'ad-usn' | 'openldap-accesslog' | 'openldap-sweep';

export type LdapServerFlavor = 'active-directory' | 'openldap' | 'other';

/** Scoping as `synchronizationRule` carries it; the two are mutually exclusive. */
export interface LdapScope {
  containerFilter?: { includedContainers?: string[] | null } | null;
  groupFilter?: { includedGroups?: string[] | null } | null;
}

/**
 * Where the presence sweep keeps the set of anchors it saw (anchor → DN). The
 * source reads it at the start of a sweep delta and writes it at the end of a
 * full import or sweep delta. Persisting it with the watermark is the caller's
 * business; {@link memoryAnchorStore} keeps it in memory.
 */
export interface LdapAnchorStore {
  load(): Promise<ReadonlyMap<string, string> | undefined>;
  save(anchors: ReadonlyMap<string, string>): Promise<void>;
}

export function memoryAnchorStore(initial?: ReadonlyMap<string, string>): LdapAnchorStore & { current: ReadonlyMap<string, string> | undefined } {
  const store = {
    current: initial,
    load: () => Promise.resolve(store.current),
    save: (a: ReadonlyMap<string, string>) => {
      store.current = new Map(a);
      return Promise.resolve();
    },
  };
  return store;
}

export interface LdapSourceOptions {
  /** `ldap://host:389` or `ldaps://host:636`. */
  url: string;
  /** Bind DN (or, on AD, `user@domain` / `DOMAIN\user`). Empty: anonymous. */
  bindDn: string;
  password: string;
  /** Upgrade an `ldap://` connection with StartTLS before binding. */
  startTls?: boolean;
  /** TLS options for LDAPS and StartTLS (`ca`, `servername`, `rejectUnauthorized`…). */
  tls?: ConnectionOptions;
  /** Search base. Default: `domainBaseDn` when it lies in a naming context, else the rootDSE's `defaultNamingContext` (AD) or first `dc=`/`o=` naming context. */
  baseDn?: string;
  /**
   * A base DN derived from the job's `Domain` secret (`contoso.com` →
   * `DC=contoso,DC=com`): used only when the server has it (it lies in one of
   * its naming contexts), as on AD; an OpenLDAP suffix unrelated to the
   * domain falls back to the rootDSE's naming context.
   */
  domainBaseDn?: string;
  /** OU or group scoping, as on the synchronization rule. */
  scope?: LdapScope;
  /** Which objects to import (default both). */
  objectTypes?: readonly LdapObjectType[];
  /** LDAP filter of users; default per server flavor. */
  userFilter?: string;
  /** LDAP filter of groups; default per server flavor. */
  groupObjectFilter?: string;
  /** Attributes to read (default all user attributes). The anchor and bookkeeping attributes are always added. */
  attributes?: readonly string[];
  /** Override the delta method chosen from the rootDSE (`auto`, the default). */
  deltaMethod?: LdapDeltaMethod | 'auto';
  /** The anchor attribute. Default `objectGUID` on AD, `entryUUID` elsewhere. */
  anchorAttribute?: string;
  /** Page size of the simple paged results control (default 500). */
  pageSize?: number;
  /** Per-operation timeout, ms (default 60 000). */
  timeoutMs?: number;
  /** TCP connect timeout, ms (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * How far back a delta re-reads (seconds, default 300): changes that commit
   * out of order and clock differences between this host and the server
   * within this window are not missed. Re-read changes are recognised and not
   * reported twice.
   */
  overlapSeconds?: number;
  /** Base of the accesslog database (default: the suffix's `auditContext`, else `cn=accesslog`). */
  accesslogBase?: string;
  /** Presence-sweep anchor persistence (see {@link LdapAnchorStore}). */
  anchorStore?: LdapAnchorStore;
  /** DirSync flags (default {@link DirSyncFlags.objectSecurity}). */
  dirSyncFlags?: number;
  /** DirSync MaxBytes (default 0: the server's limit). */
  dirSyncMaxBytes?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /** Makes the ldapts client (default `new Client(options)`); tests substitute a fake directory. */
  createClient?: (options: ClientOptions) => Client;
}

/** What the rootDSE (and the naming context entry) said. */
export interface LdapServerInfo {
  flavor: LdapServerFlavor;
  namingContexts: string[];
  defaultNamingContext: string | undefined;
  supportedControls: string[];
  supportedCapabilities: string[];
  /** The search base in use. */
  baseDn: string;
  /** OpenLDAP: the accesslog database base (from `auditContext`), when readable. */
  accesslogBase: string | undefined;
  /** AD: `highestCommittedUSN` at the time of reading. */
  highestCommittedUSN: string | undefined;
  /** AD: `dnsHostName` of the DC. */
  dnsHostName: string | undefined;
  /** AD: `dsServiceName` (the DC's NTDS Settings DN). */
  dsServiceName: string | undefined;
  /** Methods the server supports, best first. */
  deltaMethods: LdapDeltaMethod[];
  /** The method in use (the override, else the first of `deltaMethods`). */
  deltaMethod: LdapDeltaMethod;
}

/** Reads the values of an attribute, whatever the case of its name. */
export function attributeValues(entry: Pick<LdapEntry, 'attributes'>, name: string): string[] {
  const direct = entry.attributes[name];
  if (direct) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(entry.attributes)) if (k.toLowerCase() === lower) return v;
  return [];
}
