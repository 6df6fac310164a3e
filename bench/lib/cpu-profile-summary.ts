/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by function
 * and by file, and inclusive (total) time of the functions of chosen files.
 *
 *   node --import tsx bench/lib/cpu-profile-summary.ts <file.cpuprofile> [top=40] [path-substring…]
 *
 * With path substrings, the inclusive table lists only functions whose
 * file contains one of them (e.g. `src/engine`).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

process.stdout.on('error', () => process.exit(0));
const [file, topArg, ...filters] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top] [path-substring…]');
const top = Number(topArg ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
const totalUs = p.endTime - p.startTime;

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm:').replace(/^.*\/(src|bench|test)\//, '$1/');
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const bySelf = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  bySelf.set(label(n), (bySelf.get(label(n)) ?? 0) + us);
  const f = n.callFrame.url ? short(n.callFrame.url) : n.callFrame.functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}

// Inclusive time: each sample counts once for every distinct function on its stack.
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (filters.length && !filters.some((f) => n.callFrame.url.includes(f))) continue;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}

const print = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n== ${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`profile: ${(totalUs / 1e6).toFixed(2)} s`);
print('self time by function', bySelf, top);
print('self time by file', byFile, top);
if (filters.length) print(`inclusive time (${filters.join(', ')})`, inclusive, top);
