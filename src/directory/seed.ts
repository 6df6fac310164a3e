/**
 * The tenant generator: a reproducible, realistic directory written straight
 * into the store through the directory service (no HTTP).
 *
 * Same options, same seed → the same ids, names and relationships. Names come
 * from several faker locales (so diacritics appear: Björk, Müller, Łukasz);
 * about 3% of people share a full name with someone else, and every
 * mailNickname / userPrincipalName collision is resolved the way admins do,
 * with a numeric suffix (jan.novak, jan.novak2, …). Users form one manager
 * tree (a fan-out of 7, about 6 levels for 100k), carry departments, job
 * titles, employee ids, hire dates, and ~3% are disabled.
 *
 * Writes are streamed: users, groups, memberships and assignments go in
 * transactions of `batchSize` objects using multi-row inserts; only the list
 * of user ids is kept in memory (for picking members).
 */
import { fakerDE, fakerEN_US, fakerES, fakerFR, fakerPL, fakerSV } from '@faker-js/faker';
import type { Faker } from '@faker-js/faker';
import type { BulkGroup, BulkUser, DirectoryService, ObjectKind } from './directory-service.ts';
import type { PrincipalType } from './model.ts';

export interface SeedOptions {
  users: number;
  groups: number;
  /** Average direct members per group. */
  avgMembers: number;
  seed: number;
  /** A service principal to assign a third of the groups and one user in 20 to (default app role). */
  assignTo?: string;
  /**
   * Objects per transaction (default 1000). Large enough that statement and
   * commit overhead are spread thin (each user also writes ~10 index rows, so
   * a batch is ~11k rows), small enough that a batch's rows and the
   * progress steps stay small.
   */
  batchSize?: number;
}

export interface SeedProgress {
  phase: 'users' | 'groups' | 'members' | 'assignments';
  done: number;
  total: number;
}

export interface SeedResult {
  users: number;
  groups: number;
  memberships: number;
  assignments: number;
  elapsedMs: number;
}

const LOCALES: { faker: Faker; country: string; countryName: string; language: string }[] = [
  { faker: fakerEN_US, country: 'US', countryName: 'United States', language: 'en-US' },
  { faker: fakerDE, country: 'DE', countryName: 'Germany', language: 'de-DE' },
  { faker: fakerFR, country: 'FR', countryName: 'France', language: 'fr-FR' },
  { faker: fakerES, country: 'ES', countryName: 'Spain', language: 'es-ES' },
  { faker: fakerSV, country: 'SE', countryName: 'Sweden', language: 'sv-SE' },
  { faker: fakerPL, country: 'PL', countryName: 'Poland', language: 'pl-PL' },
];

const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Finance', 'Human Resources', 'Legal', 'Operations', 'Support', 'Research', 'IT', 'Procurement', 'Facilities'];
const COMPANY = 'Contoso';
// A fixed reference date keeps generated dates reproducible (faker's default is "now").
const REF_DATE = '2025-01-01T00:00:00.000Z';
const MANAGER_FANOUT = 7;

/** ASCII, lower-case, letters/digits/dots only: "Zoë Ångström" → "zoe.angstrom". */
export function nicknameOf(first: string, last: string): string {
  const fold = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/Ł/g, 'L').replace(/ß/g, 'ss').toLowerCase().replace(/[^a-z0-9]+/g, '');
  const nick = [fold(first), fold(last)].filter(Boolean).join('.');
  return (nick || 'user').slice(0, 60);
}

/** Generates a tenant into `directory`; refuses a directory that already has users. */
export async function seedTenant(directory: DirectoryService, opts: SeedOptions, onProgress?: (p: SeedProgress) => void): Promise<SeedResult> {
  for (const [k, v] of Object.entries({ users: opts.users, groups: opts.groups, avgMembers: opts.avgMembers, seed: opts.seed })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`Invalid ${k} '${v}': expected a whole number ≥ 0.`);
  }
  if (opts.groups > 0 && opts.avgMembers > opts.users) throw new Error(`avgMembers (${opts.avgMembers}) cannot exceed users (${opts.users}).`);
  const batch = Math.max(1, opts.batchSize ?? 1000);
  const started = Date.now();
  for await (const existing of directory.streamUsers({ batchSize: 1 })) {
    if (existing.length) throw new Error('The directory already has users; seed an empty directory (a new --data-dir or database).');
  }
  LOCALES.forEach((l, i) => l.faker.seed(opts.seed * 7919 + i));
  const rng = fakerEN_US;
  const domain = directory.domains[0]!;
  const nicknames = new Map<string, number>();
  const uniqueNick = (base: string) => {
    const n = nicknames.get(base);
    nicknames.set(base, (n ?? 1) + 1);
    return n === undefined ? base : `${base.slice(0, 60)}${n}`;
  };

  // ---- users
  const userIds: string[] = [];
  const recentNames: [string, string, number][] = [];
  let pending: BulkUser[] = [];
  for (let i = 0; i < opts.users; i++) {
    let localeIndex = rng.number.int({ min: 0, max: LOCALES.length - 1 });
    let first: string;
    let last: string;
    if (recentNames.length > 0 && rng.number.float() < 0.03) {
      // Two people with the same name: the collision an admin resolves with a suffix.
      [first, last, localeIndex] = rng.helpers.arrayElement(recentNames);
    } else {
      const f = LOCALES[localeIndex]!.faker;
      first = f.person.firstName();
      last = f.person.lastName();
    }
    const locale = LOCALES[localeIndex]!;
    if (recentNames.length < 500) recentNames.push([first, last, localeIndex]);
    else recentNames[i % 500] = [first, last, localeIndex];
    const nick = uniqueNick(nicknameOf(first, last));
    const id = rng.string.uuid();
    const department = DEPARTMENTS[i === 0 ? 0 : rng.number.int({ min: 0, max: DEPARTMENTS.length - 1 })]!;
    const upn = `${nick}@${domain}`;
    pending.push({
      id,
      accountEnabled: i === 0 || rng.number.float() >= 0.03,
      displayName: `${first} ${last}`,
      givenName: first,
      surname: last,
      mailNickname: nick,
      userPrincipalName: upn,
      mail: upn,
      department,
      jobTitle: i === 0 ? 'Chief Executive Officer' : locale.faker.person.jobTitle().slice(0, 128),
      employeeId: String(100000 + i),
      employeeType: rng.number.float() < 0.9 ? 'Employee' : 'Contractor',
      employeeHireDate: rng.date.past({ years: 15, refDate: REF_DATE }).toISOString(),
      companyName: COMPANY,
      officeLocation: `${locale.faker.location.city()}`.slice(0, 128),
      city: locale.faker.location.city().slice(0, 128),
      country: locale.countryName,
      usageLocation: locale.country,
      preferredLanguage: locale.language,
      businessPhones: [locale.faker.phone.number().slice(0, 64)],
      userType: 'Member',
      onPremisesSamAccountName: nick.replace(/\./g, '').slice(0, 20),
      onPremisesImmutableId: Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64'),
      onPremisesExtensionAttributes: { extensionAttribute1: department.toUpperCase().slice(0, 3) },
      managerId: i === 0 ? null : userIds[Math.floor((i - 1) / MANAGER_FANOUT)]!,
    });
    userIds.push(id);
    if (pending.length === batch || i === opts.users - 1) {
      await directory.importUsers(pending);
      pending = [];
      onProgress?.({ phase: 'users', done: i + 1, total: opts.users });
    }
  }

  // ---- groups
  const groupIds: string[] = [];
  const groupNames = new Map<string, number>();
  let groupBatch: BulkGroup[] = [];
  for (let i = 0; i < opts.groups; i++) {
    const unified = rng.number.float() < 0.2;
    const base = i < DEPARTMENTS.length ? DEPARTMENTS[i]! : `${rng.helpers.arrayElement(['Project', 'Team', 'Guild', 'Committee'])} ${rng.word.noun()}`;
    const n = groupNames.get(base) ?? 0;
    groupNames.set(base, n + 1);
    const displayName = n === 0 ? base : `${base} ${n + 1}`;
    const id = rng.string.uuid();
    groupBatch.push({
      id,
      displayName,
      description: `${displayName} (${unified ? 'Microsoft 365' : 'security'} group)`,
      mailNickname: `${nicknameOf(displayName, '').replace(/\./g, '-')}-${i}`,
      mailEnabled: unified,
      securityEnabled: !unified,
      groupTypes: unified ? ['Unified'] : [],
      ...(unified ? { visibility: 'Private' } : {}),
    });
    groupIds.push(id);
    if (groupBatch.length === batch || i === opts.groups - 1) {
      await directory.importGroups(groupBatch);
      groupBatch = [];
      onProgress?.({ phase: 'groups', done: i + 1, total: opts.groups });
    }
  }

  // ---- memberships: sizes vary from 1 to ~2× the average, distinct users per group
  const targetLinks = opts.groups * opts.avgMembers;
  let memberships = 0;
  let links: { groupId: string; memberId: string; memberType: ObjectKind }[] = [];
  const linkBatch = batch * 5;
  for (let g = 0; g < opts.groups && opts.users > 0 && opts.avgMembers > 0; g++) {
    const remainingGroups = opts.groups - g;
    const remaining = targetLinks - memberships;
    const avg = remaining / remainingGroups;
    const size = Math.max(0, Math.min(opts.users, g === opts.groups - 1 ? remaining : Math.max(1, Math.round(avg * (0.5 + rng.number.float())))));
    const chosen = new Set<number>();
    while (chosen.size < size) chosen.add(rng.number.int({ min: 0, max: opts.users - 1 }));
    for (const u of chosen) links.push({ groupId: groupIds[g]!, memberId: userIds[u]!, memberType: 'user' });
    memberships += size;
    if (links.length >= linkBatch || g === opts.groups - 1) {
      await directory.importMembers(links);
      links = [];
      onProgress?.({ phase: 'members', done: memberships, total: targetLinks });
    }
  }

  // ---- assignments
  let assignments = 0;
  if (opts.assignTo) {
    const principals: { principalId: string; principalType: PrincipalType }[] = [
      ...groupIds.filter((_, i) => i % 3 === 0).map((principalId) => ({ principalId, principalType: 'Group' as const })),
      ...userIds.filter((_, i) => i % 20 === 0).map((principalId) => ({ principalId, principalType: 'User' as const })),
    ];
    for (let i = 0; i < principals.length; i += batch) {
      await directory.importAssignments(opts.assignTo, principals.slice(i, i + batch));
      assignments = Math.min(principals.length, i + batch);
      onProgress?.({ phase: 'assignments', done: assignments, total: principals.length });
    }
  }
  return { users: opts.users, groups: opts.groups, memberships, assignments, elapsedMs: Date.now() - started };
}
