/**
 * Distinguished names for scope checks: RFC 4514 parsing good enough to
 * compare DNs the way directories do for the usual attribute types (case
 * insensitive, spaces around separators ignored, escapes honoured), and to
 * tell whether an entry is at or under a container.
 */

/** Splits a DN into its RDNs (`cn=A\, B` stays one RDN); escapes are kept. */
export function splitDn(dn: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === '\\' && i + 1 < dn.length) {
      cur += ch + dn[i + 1];
      i++;
    } else if (ch === ',' || ch === ';') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || out.length) out.push(cur);
  return out.map((r) => r.trim()).filter((r) => r !== '');
}

/** Resolves `\hh` and `\c` escapes of an attribute value. */
function unescapeValue(v: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '\\' && i + 1 < v.length) {
      const hex = v.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
      bytes.push(...Buffer.from(v[i + 1]!, 'utf8'));
      i++;
      continue;
    }
    bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function normalizeRdn(rdn: string): string {
  // Multi-valued RDNs (a+b) are sorted so that their order does not matter.
  return rdn
    .split(/(?<!\\)\+/)
    .map((ava) => {
      const eq = ava.indexOf('=');
      if (eq < 0) return ava.trim().toLowerCase();
      const type = ava.slice(0, eq).trim().toLowerCase();
      const value = unescapeValue(ava.slice(eq + 1).trim()).trim().replace(/\s+/g, ' ').toLowerCase();
      return `${type}=${value}`;
    })
    .sort()
    .join('+');
}

/** A comparison key for a DN: `CN=Ann , OU=Sales,DC=X` and `cn=ann,ou=sales,dc=x` have the same key. */
export function normalizeDn(dn: string): string {
  return splitDn(dn).map(normalizeRdn).join(',');
}

/** Whether `dn` is `container` or lies under it. */
export function isAtOrUnder(dn: string, container: string): boolean {
  const a = splitDn(dn).map(normalizeRdn);
  const c = splitDn(container).map(normalizeRdn);
  if (c.length > a.length) return false;
  const off = a.length - c.length;
  for (let i = 0; i < c.length; i++) if (a[off + i] !== c[i]) return false;
  return true;
}

/** The DN of the parent entry ('' for a top entry). */
export function parentDn(dn: string): string {
  return splitDn(dn).slice(1).join(',');
}

/** `a.com` → `DC=a,DC=com` (Active Directory's naming context of a DNS domain). */
export function domainToDn(domain: string): string {
  return domain.split('.').filter(Boolean).map((p) => `DC=${p}`).join(',');
}

/**
 * The smallest set of containers covering the given ones: a container under
 * another included container is dropped, so that no entry is read twice.
 */
export function coveringContainers(containers: readonly string[]): string[] {
  const unique = [...new Map(containers.map((c) => [normalizeDn(c), c])).values()];
  return unique.filter((c) => !unique.some((o) => o !== c && normalizeDn(o) !== normalizeDn(c) && isAtOrUnder(c, o)));
}
