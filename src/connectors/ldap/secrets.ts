/**
 * LDAP source options from a synchronization job's secrets (Graph
 * `synchronizationSecretKeyStringValuePair`s) and its rule's scoping.
 *
 * | secret       | meaning                                                                 |
 * |--------------|-------------------------------------------------------------------------|
 * | `Server`     | `ldap://host[:port]`, `ldaps://host[:port]`, or a bare `host[:port]` (→ `ldap://`, port 389) |
 * | `UserName`   | bind name: a DN, or on AD `user@domain` / `DOMAIN\user`                  |
 * | `Password`   | bind password                                                           |
 * | `Domain`     | `contoso.com` or Cloud Sync's `{"domain":"contoso.com"}`; gives the base DN `DC=contoso,DC=com` when the server has that naming context |
 *
 * Provisio extensions (Graph's synchronizationSecret enum has no such keys,
 * so they come from a plain record or the factory's options): `BaseDn`
 * (overrides the base from `Domain`), `StartTls`
 * (`true`), `TlsCaCertificate` (PEM of the CA to trust), `DeltaMethod`
 * (`auto`, `ad-dirsync`, `ad-usn`, `openldap-accesslog`, `openldap-sweep`).
 */
import { domainToDn } from './dn.ts';
import { LdapErrorCodes, LdapSourceError } from './errors.ts';
import type { LdapDeltaMethod, LdapScope, LdapSourceOptions } from './types.ts';

export type JobSecrets = ReadonlyArray<{ key: string; value?: string | null }> | Readonly<Record<string, string | undefined>>;

const METHODS = new Set(['auto', 'ad-dirsync', 'ad-usn', 'openldap-accesslog', 'openldap-sweep']);

function secretMap(secrets: JobSecrets): Map<string, string> {
  const m = new Map<string, string>();
  const pairs = Array.isArray(secrets)
    ? (secrets as ReadonlyArray<{ key: string; value?: string | null }>).map((p) => [p.key, p.value ?? undefined] as const)
    : Object.entries(secrets as Record<string, string | undefined>);
  for (const [k, v] of pairs) if (typeof v === 'string') m.set(k.toLowerCase(), v);
  return m;
}

function domainOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = value.trim();
  if (t.startsWith('{')) {
    try {
      const d = (JSON.parse(t) as { domain?: unknown }).domain;
      return typeof d === 'string' && d ? d : undefined;
    } catch {
      return undefined;
    }
  }
  return t || undefined;
}

export function ldapSourceOptionsFromSecrets(secrets: JobSecrets, scope?: LdapScope | null, extra: Partial<LdapSourceOptions> = {}): LdapSourceOptions {
  const s = secretMap(secrets);
  const need = (k: string) => {
    const v = s.get(k.toLowerCase());
    if (!v) throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, `the job's secrets have no ${k}`);
    return v;
  };
  const server = need('Server').trim();
  let url: string;
  if (/^ldaps?:\/\//i.test(server)) url = server.replace(/\/+$/, '');
  else url = `ldap://${server.includes(':') ? server : `${server}:389`}`;
  const domain = domainOf(s.get('domain'));
  const method = s.get('deltamethod');
  if (method && !METHODS.has(method)) throw new LdapSourceError('stopRun', LdapErrorCodes.badConfiguration, `unknown DeltaMethod ${method}`);
  const ca = s.get('tlscacertificate');
  return {
    url,
    bindDn: need('UserName'),
    password: need('Password'),
    ...(s.get('basedn') ? { baseDn: s.get('basedn') } : {}),
    ...(domain ? { domainBaseDn: domainToDn(domain) } : {}),
    startTls: /^true$/i.test(s.get('starttls') ?? ''),
    ...(ca ? { tls: { ca } } : {}),
    ...(method ? { deltaMethod: method as LdapDeltaMethod | 'auto' } : {}),
    ...(scope ? { scope } : {}),
    ...extra,
  };
}
