/**
 * A private OpenLDAP server for tests and benchmarks: slapd on loopback
 * ports, a temporary slapd.conf, the mdb backend, the accesslog overlay (on
 * by default, for deltas), a self-signed certificate made with openssl at
 * start (LDAPS on a second port, StartTLS on the first), and a generated
 * directory loaded with slapadd before the server starts.
 *
 * Where slapd, slapadd or openssl are missing the tests that need them are
 * skipped with a loud message — except under CI (CI=true), where that is a
 * failure (.ci/run installs Debian's `slapd` and `ldap-utils`).
 * PROVISIO_TEST_SLAPD=off pretends slapd is missing.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import { Client } from 'ldapts';

const run = promisify(execFile);

export const BASE_DN = 'dc=example,dc=test';
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PASSWORD = 'admin-secret';
/** A plain (non-root) account with read access and no size limit: what a connector binds as. */
export const READER_DN = `cn=reader,ou=Service,${BASE_DN}`;
export const READER_PASSWORD = 'reader-secret';
export const PEOPLE_OUS = ['Sales', 'Engineering', 'Marketing', 'Finance', 'Support'] as const;

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/libexec', '/usr/local/libexec', '/usr/libexec/openldap'];
  for (const d of dirs) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return undefined;
}

const SCHEMA_DIRS = ['/etc/ldap/schema', '/etc/openldap/schema', '/usr/local/etc/openldap/schema'];
const MODULE_DIRS = ['/usr/lib/ldap', '/usr/lib64/openldap', '/usr/lib/openldap', '/usr/libexec/openldap', '/usr/local/libexec/openldap'];

interface Tools { slapd: string; slapadd: string; openssl: string; schemaDir: string; moduleDir: string | undefined }

function findTools(): Tools | string {
  // Lets a machine that has slapd check how the suite behaves without it.
  if (process.env.PROVISIO_TEST_SLAPD === 'off') return 'disabled by PROVISIO_TEST_SLAPD=off';
  const slapd = findBinary('slapd');
  const slapadd = findBinary('slapadd');
  const openssl = findBinary('openssl');
  const schemaDir = SCHEMA_DIRS.find((d) => existsSync(join(d, 'inetorgperson.schema')));
  const missing = [!slapd && 'slapd', !slapadd && 'slapadd', !openssl && 'openssl', !schemaDir && 'the OpenLDAP schema files'].filter(Boolean);
  if (missing.length) return `${missing.join(', ')} not found (install Debian's slapd and ldap-utils)`;
  const moduleDir = MODULE_DIRS.find((d) => existsSync(join(d, 'accesslog.so')) || existsSync(join(d, 'accesslog.la')));
  return { slapd: slapd!, slapadd: slapadd!, openssl: openssl!, schemaDir: schemaDir!, moduleDir };
}

/**
 * Returns a skip message when the slapd tests must be skipped, undefined
 * when they can run; throws under CI so that a missing slapd fails loudly.
 */
export function slapdSkipReason(): string | undefined {
  const tools = findTools();
  if (typeof tools !== 'string') return undefined;
  const reason = `OpenLDAP unavailable: ${tools}`;
  if (process.env.CI) throw new Error(`${reason} (CI requires slapd; .ci/run installs it)`);
  console.warn(`\n*** SKIPPED OpenLDAP (slapd) tests: ${reason} ***\n`);
  return `${reason}: OpenLDAP tests skipped`;
}

/** Skips the test (loudly) when slapd is unavailable; true when it may run. */
export function requireSlapd(t: TestContext): boolean {
  const skip = slapdSkipReason();
  if (skip) t.skip(skip);
  return !skip;
}

export interface SlapdOptions {
  /** People to generate (spread over {@link PEOPLE_OUS}); default 200. */
  people?: number;
  /** Configure the accesslog overlay (`cn=accesslog`); default true. */
  accesslog?: boolean;
}

/** What the generated directory holds, for assertions. */
export interface Dataset {
  people: number;
  /** DN of every person, in generation order. */
  personDns: string[];
  /** OU name → DNs of its people. */
  byOu: Map<string, string[]>;
  /** DNs of the groups: one per OU (all its people), `pilot` (a few people across OUs), `leads` (the heads). */
  groups: { byOu: Map<string, string>; pilot: string; leads: string; all: string[] };
  /** Members of the pilot group. */
  pilotMembers: string[];
  /** Person DN → manager DN. */
  managers: Map<string, string>;
}

export interface Slapd {
  /** ldap://127.0.0.1:port (plain; StartTLS available). */
  url: string;
  /** ldaps://127.0.0.1:port */
  ldapsUrl: string;
  /** PEM of the self-signed certificate (CN=localhost, SAN IP:127.0.0.1). */
  caPem: string;
  accesslog: boolean;
  dataset: Dataset;
  /** A client bound as the root DN, for writes in tests (closed by `restart` and `stop`). */
  admin(): Promise<Client>;
  /** Stops slapd and starts it again on the same ports with the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function pad(n: number): string {
  return String(n).padStart(5, '0');
}

/** Generates the directory as LDIF (deterministic: no randomness). */
export function generateLdif(people: number): { ldif: string; dataset: Dataset } {
  const out: string[] = [];
  const entry = (dn: string, attrs: Record<string, string | string[]>) => {
    const lines = [`dn: ${dn}`];
    for (const [k, v] of Object.entries(attrs)) for (const x of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${x}`);
    out.push(lines.join('\n'));
  };
  entry(BASE_DN, { objectClass: ['dcObject', 'organization'], o: 'Example', dc: 'example' });
  entry(`ou=Service,${BASE_DN}`, { objectClass: 'organizationalUnit', ou: 'Service' });
  entry(READER_DN, { objectClass: 'person', cn: 'reader', sn: 'reader', userPassword: READER_PASSWORD });
  entry(`ou=People,${BASE_DN}`, { objectClass: 'organizationalUnit', ou: 'People' });
  entry(`ou=Groups,${BASE_DN}`, { objectClass: 'organizationalUnit', ou: 'Groups' });
  for (const ou of PEOPLE_OUS) entry(`ou=${ou},ou=People,${BASE_DN}`, { objectClass: 'organizationalUnit', ou });

  const personDns: string[] = [];
  const byOu = new Map<string, string[]>(PEOPLE_OUS.map((o) => [o, []]));
  const managers = new Map<string, string>();
  const heads: string[] = [];
  for (let i = 0; i < people; i++) {
    const ou = PEOPLE_OUS[i % PEOPLE_OUS.length]!;
    const uid = `u${pad(i)}`;
    const dn = `uid=${uid},ou=${ou},ou=People,${BASE_DN}`;
    const members = byOu.get(ou)!;
    // The first person of an OU heads it; then every 10th is a team lead
    // reporting to the head, and everyone else reports to the latest lead.
    let manager: string | undefined;
    if (members.length === 0) heads.push(dn);
    else if (members.length % 10 === 1) manager = members[0];
    else manager = members[Math.floor((members.length - 1) / 10) * 10 + 1] ?? members[0];
    const attrs: Record<string, string | string[]> = {
      objectClass: 'inetOrgPerson',
      uid,
      cn: `Person ${pad(i)}`,
      givenName: 'Person',
      sn: pad(i),
      displayName: `Person ${pad(i)} (${ou})`,
      mail: `${uid}@example.test`,
      title: manager ? 'Engineer' : 'Head',
      departmentNumber: ou,
      employeeNumber: String(100000 + i),
    };
    if (manager) {
      attrs.manager = manager;
      managers.set(dn, manager);
    }
    entry(dn, attrs);
    personDns.push(dn);
    members.push(dn);
  }

  const groupsByOu = new Map<string, string>();
  const all: string[] = [];
  for (const ou of PEOPLE_OUS) {
    const members = byOu.get(ou)!;
    const dn = `cn=g-${ou.toLowerCase()},ou=Groups,${BASE_DN}`;
    // groupOfNames needs at least one member.
    entry(dn, { objectClass: 'groupOfNames', cn: `g-${ou.toLowerCase()}`, member: members.length ? members : [READER_DN] });
    groupsByOu.set(ou, dn);
    all.push(dn);
  }
  const pilotMembers = personDns.filter((_, i) => i % 17 === 3).slice(0, 25);
  const pilot = `cn=g-pilot,ou=Groups,${BASE_DN}`;
  entry(pilot, { objectClass: 'groupOfNames', cn: 'g-pilot', description: 'Pilot users', member: pilotMembers.length ? pilotMembers : [READER_DN] });
  const leads = `cn=g-leads,ou=Groups,${BASE_DN}`;
  entry(leads, { objectClass: 'groupOfNames', cn: 'g-leads', member: heads.length ? [...heads, pilot] : [READER_DN] });
  all.push(pilot, leads);
  return {
    ldif: out.join('\n\n') + '\n',
    dataset: { people, personDns, byOu, groups: { byOu: groupsByOu, pilot, leads, all }, pilotMembers, managers },
  };
}

function config(dir: string, tools: Tools, accesslog: boolean): string {
  const s = tools.schemaDir;
  const lines = [
    `include ${s}/core.schema`,
    `include ${s}/cosine.schema`,
    `include ${s}/inetorgperson.schema`,
    `include ${s}/nis.schema`,
  ];
  if (tools.moduleDir) {
    lines.push(`modulepath ${tools.moduleDir}`);
    if (existsSync(join(tools.moduleDir, 'back_mdb.so')) || existsSync(join(tools.moduleDir, 'back_mdb.la'))) lines.push('moduleload back_mdb');
    if (accesslog) lines.push('moduleload accesslog');
  }
  lines.push(
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    `TLSCertificateFile ${dir}/cert.pem`,
    `TLSCertificateKeyFile ${dir}/key.pem`,
    '',
  );
  const reader = `dn.exact="${READER_DN}"`;
  if (accesslog) {
    lines.push(
      'database mdb',
      'suffix cn=accesslog',
      `directory ${dir}/accesslog`,
      'maxsize 268435456',
      'index reqStart eq',
      // The root DN may edit the log (tests simulate logpurge with it).
      `rootdn ${ADMIN_DN}`,
      `access to * by ${reader} read by * none`,
      `limits ${reader} size=unlimited time=unlimited`,
      '',
    );
  }
  lines.push(
    'database mdb',
    `suffix ${BASE_DN}`,
    `rootdn ${ADMIN_DN}`,
    `rootpw ${ADMIN_PASSWORD}`,
    `directory ${dir}/data`,
    'maxsize 1073741824',
    'index objectClass eq',
    'index entryUUID eq',
    'index entryCSN eq',
    'index member eq',
  );
  if (accesslog) {
    lines.push('overlay accesslog', 'logdb cn=accesslog', 'logops writes', 'logsuccess TRUE', 'logpurge 07+00:00 01+00:00');
  }
  lines.push(
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by users read by * none',
    `limits ${reader} size=unlimited time=unlimited`,
    '',
  );
  return lines.join('\n');
}

async function bindable(url: string): Promise<boolean> {
  const c = new Client({ url, connectTimeout: 500, timeout: 2000 });
  try {
    await c.bind(ADMIN_DN, ADMIN_PASSWORD);
    return true;
  } catch {
    return false;
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

/** Runs slapd in the foreground; the process once it answers binds, else why not. */
async function launch(slapd: string, conf: string, url: string, ldapsUrl: string): Promise<ChildProcess | string> {
  let stderr = '';
  // -d 0: stay in the foreground (so the child is slapd itself) without debug output.
  const proc = spawn(slapd, ['-f', conf, '-h', `${url}/ ${ldapsUrl}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  let exited = false;
  proc.once('exit', () => { exited = true; });
  const deadline = Date.now() + 15_000;
  while (!exited && Date.now() < deadline) {
    if (await bindable(url)) return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  return stderr.trim() || 'slapd did not answer';
}

/** Starts a private slapd with a generated directory. Call `stop()` when done. */
export async function startSlapd(opts: SlapdOptions = {}): Promise<Slapd> {
  const tools = findTools();
  if (typeof tools === 'string') throw new Error(`cannot start slapd: ${tools}`);
  const accesslog = opts.accesslog ?? true;
  if (accesslog && !tools.moduleDir) throw new Error('cannot start slapd: the accesslog module was not found');
  const dir = mkdtempSync(join(tmpdir(), 'provisio-slapd-'));
  let child: ChildProcess | undefined;
  try {
    mkdirSync(join(dir, 'data'));
    if (accesslog) mkdirSync(join(dir, 'accesslog'));
    await run(tools.openssl, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    const conf = join(dir, 'slapd.conf');
    writeFileSync(conf, config(dir, tools, accesslog));
    const { ldif, dataset } = generateLdif(opts.people ?? 200);
    writeFileSync(join(dir, 'data.ldif'), ldif);
    await run(tools.slapadd, ['-f', conf, '-b', BASE_DN, '-q', '-l', join(dir, 'data.ldif')], { maxBuffer: 16 << 20 });

    let lastError = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const ldapsPort = await freePort();
      const url = `ldap://127.0.0.1:${port}`;
      const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
      const launched = await launch(tools.slapd, conf, url, ldapsUrl);
      if (typeof launched === 'string') {
        lastError = launched;
        continue;
      }
      child = launched;
      let current = launched;
      const caPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const clients: Client[] = [];
      const halt = async () => {
        await Promise.all(clients.splice(0).map((c) => c.unbind().catch(() => undefined)));
        if (current.exitCode === null && current.signalCode === null) {
          const gone = new Promise((r) => current.once('exit', r));
          current.kill('SIGTERM');
          const timer = setTimeout(() => current.kill('SIGKILL'), 5000);
          await gone;
          clearTimeout(timer);
        }
      };
      return {
        url,
        ldapsUrl,
        caPem,
        accesslog,
        dataset,
        admin: async () => {
          const c = new Client({ url, timeout: 10_000 });
          await c.bind(ADMIN_DN, ADMIN_PASSWORD);
          clients.push(c);
          return c;
        },
        restart: async () => {
          await halt();
          const again = await launch(tools.slapd, conf, url, ldapsUrl);
          if (typeof again === 'string') throw new Error(`slapd did not restart: ${again}`);
          current = again;
        },
        stop: async () => {
          await halt();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    throw new Error(`slapd did not start: ${lastError}`);
  } catch (e) {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
