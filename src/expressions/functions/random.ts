/** Guid, RandomString: randomness from node:crypto unless the context injects its own. */
import { randomInt, randomUUID } from 'node:crypto';
import type { RandomSource } from '../runtime.ts';

export const cryptoRandom: RandomSource = Object.freeze({
  int: (maxExclusive: number) => randomInt(maxExclusive),
  uuid: () => randomUUID(),
});

export const DIGITS = '0123456789';
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
/** Special characters of the Windows "password must meet complexity requirements" reference. */
export const SPECIAL = '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/';

export const RANDOM_STRING_MAX_LENGTH = 256;

export interface RandomStringRequest {
  readonly length: number;
  readonly minimumNumbers: number;
  readonly minimumSpecialCharacters: number;
  readonly minimumCapital: number;
  readonly minimumLowerCase: number;
  readonly charactersToAvoid: string;
}

/** Why a RandomString request cannot be met, or null when it can. */
export function randomStringProblem(r: RandomStringRequest): string | null {
  const mins = [r.minimumNumbers, r.minimumSpecialCharacters, r.minimumCapital, r.minimumLowerCase];
  if (r.length < 0 || mins.some((m) => m < 0)) return 'lengths and minimums cannot be negative';
  if (r.length > RANDOM_STRING_MAX_LENGTH) return `Length ${r.length} exceeds the maximum of ${RANDOM_STRING_MAX_LENGTH}`;
  const sum = mins.reduce((a, b) => a + b, 0);
  if (sum > r.length) return `Length ${r.length} is smaller than the sum of the minimums (${sum})`;
  const classes = [DIGITS, SPECIAL, UPPER, LOWER].map((c) => strip(c, r.charactersToAvoid));
  const names = ['numbers', 'special characters', 'capitals', 'lower-case letters'];
  for (let i = 0; i < 4; i++) {
    if ((mins[i] ?? 0) > 0 && classes[i] === '') return `every ${names[i]} character is in CharactersToAvoid`;
  }
  const pool = poolFor(r, classes);
  if (pool === '' && r.length > sum) return 'no characters are left to fill the string';
  return null;
}

function strip(chars: string, avoid: string): string {
  let out = '';
  for (const c of chars) if (!avoid.includes(c)) out += c;
  return out;
}

function poolFor(r: RandomStringRequest, classes: string[]): string {
  const mins = [r.minimumNumbers, r.minimumSpecialCharacters, r.minimumCapital, r.minimumLowerCase];
  // The docs don't say which classes fill the rest; the example RandomString(6,3,0,0,3) gives
  // only digits and lower case, so fill from the classes that have a minimum (all when none has).
  const chosen = classes.filter((_c, i) => (mins[i] ?? 0) > 0);
  return (chosen.length > 0 ? chosen : classes).join('');
}

/** Generates the string; call {@link randomStringProblem} first. */
export function randomString(r: RandomStringRequest, rnd: RandomSource): string {
  const classes = [DIGITS, SPECIAL, UPPER, LOWER].map((c) => strip(c, r.charactersToAvoid));
  const mins = [r.minimumNumbers, r.minimumSpecialCharacters, r.minimumCapital, r.minimumLowerCase];
  const out: string[] = [];
  const pick = (set: string): string => set[rnd.int(set.length)] as string;
  classes.forEach((set, i) => {
    for (let k = 0; k < (mins[i] ?? 0); k++) out.push(pick(set));
  });
  const pool = poolFor(r, classes);
  while (out.length < r.length) out.push(pick(pool));
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    [out[i], out[j]] = [out[j] as string, out[i] as string];
  }
  return out.join('');
}
