/**
 * The LDAP source against a private slapd (test/helpers/slapd.ts) on the
 * loopback, in one process:
 *   1. full import of N people + their groups (entries/s, pages, peak RSS);
 *   2. M changes (modifies, plus 1 in 20 a move and 1 in 20 a delete), then a
 *      delta through the accesslog (changes/s, and the time of the delta);
 *   3. the same over the presence sweep (full import, M changes, delta: the
 *      sweep reads every anchor in scope, so its time grows with N, not M).
 * Prints one JSON object per line. Sizes: PROVISIO_BENCH_LDAP_ENTRIES (people,
 * default 20000), PROVISIO_BENCH_LDAP_CHANGES (default 1000),
 * PROVISIO_BENCH_LDAP_PAGE (page size, default 500), PROVISIO_BENCH_LDAP_OVERLAP (the delta's
 * look-back window in seconds, default 300).
 * Run: node --import tsx --expose-gc bench/ldap.bench.ts  (or npm run bench -- ldap)
 */
import { performance } from 'node:perf_hooks';
import { Attribute, Change, type Client } from 'ldapts';
import { READER_DN, READER_PASSWORD, slapdSkipReason, startSlapd, type Slapd } from '../test/helpers/slapd.ts';
import { LdapSource } from '../src/connectors/ldap/source.ts';
import { memoryAnchorStore, type LdapDeltaMethod } from '../src/connectors/ldap/types.ts';

const size = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number`);
  return v;
};
const ENTRIES = size('PROVISIO_BENCH_LDAP_ENTRIES', 20_000);
const CHANGES = size('PROVISIO_BENCH_LDAP_CHANGES', 1_000);
const PAGE = size('PROVISIO_BENCH_LDAP_PAGE', 500);
// The delta's look-back window. Right after the bulk load every entry is inside the default 300 s
// window, which the sweep then reads again; a small value shows the steady state.
const OVERLAP = size('PROVISIO_BENCH_LDAP_OVERLAP', 300);

const rssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuSince = (c: NodeJS.CpuUsage) => { const d = process.cpuUsage(c); return +((d.user + d.system) / 1e6).toFixed(2); };
const emit = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

/** Makes `count` changes among people not touched before; returns how many of each. */
async function change(admin: Client, s: Slapd, offset: number, count: number, tag: string) {
  let modified = 0, moved = 0, deleted = 0;
  const people = s.dataset.personDns;
  for (let i = 0; i < count; i++) {
    const dn = people[(offset + i * 7) % people.length]!;
    if (i % 20 === 10) {
      await admin.modifyDN(dn, `uid=${tag}-${i},ou=Support,ou=People,dc=example,dc=test`);
      moved++;
    } else if (i % 20 === 19) {
      await admin.del(dn);
      deleted++;
    } else {
      await admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: [`${tag} ${i}`] }) }));
      modified++;
    }
  }
  return { modified, moved, deleted };
}

async function round(s: Slapd, admin: Client, method: LdapDeltaMethod, offset: number): Promise<void> {
  const source = new LdapSource({ url: s.url, bindDn: READER_DN, password: READER_PASSWORD, pageSize: PAGE, deltaMethod: method, anchorStore: memoryAnchorStore(), overlapSeconds: OVERLAP });
  try {
    global.gc?.();
    let cpu = process.cpuUsage();
    let t0 = performance.now();
    const full = source.fullImport();
    let n = 0;
    for await (const _ of full) n++;
    let sec = (performance.now() - t0) / 1000;
    emit({
      bench: 'ldap.fullImport', method, entries: n, pageSize: PAGE, searches: full.stats.searches, seconds: +sec.toFixed(2), cpuSeconds: cpuSince(cpu),
      entriesPerSec: Math.round(n / sec), peakRssMB: rssMB(),
    });

    const made = await change(admin, s, offset, CHANGES, method);
    cpu = process.cpuUsage();
    t0 = performance.now();
    const delta = source.deltaImport(full.watermark());
    let upserts = 0, deletes = 0;
    for await (const c of delta) if (c.kind === 'upsert') upserts++; else deletes++;
    sec = (performance.now() - t0) / 1000;
    emit({
      bench: 'ldap.deltaImport', method, overlapSeconds: OVERLAP, directorySize: n, changesMade: CHANGES, ...made, upserts, deletes, searches: delta.stats.searches,
      entriesRead: delta.stats.received, seconds: +sec.toFixed(3), cpuSeconds: cpuSince(cpu), changesPerSec: Math.round((upserts + deletes) / sec),
      watermarkBytes: delta.watermark().length, peakRssMB: rssMB(),
    });
  } finally {
    await source.close();
  }
}

const skip = slapdSkipReason();
if (skip) {
  emit({ bench: 'ldap', skipped: skip });
} else {
  const t0 = performance.now();
  const s = await startSlapd({ people: ENTRIES, accesslog: true });
  emit({ bench: 'ldap.slapdStart', people: ENTRIES, seconds: +((performance.now() - t0) / 1000).toFixed(2) });
  const admin = await s.admin();
  try {
    await round(s, admin, 'openldap-accesslog', 0);
    await round(s, admin, 'openldap-sweep', 3);
  } finally {
    await s.stop();
  }
}
