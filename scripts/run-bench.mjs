#!/usr/bin/env node
// Runs every benchmark under bench/ (files named *.bench.ts), one process
// each, in name order. Each prints one JSON object per line on stdout.
// Usage: node scripts/run-bench.mjs [name-substring ...]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join('bench', f)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(JSON.stringify({ bench: f, error: `exited with ${r.status ?? r.signal}` }));
  }
}
process.exit(failed ? 1 : 0);
