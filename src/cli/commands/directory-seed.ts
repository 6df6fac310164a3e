/**
 * `provisio directory seed`: generates a reproducible tenant straight into
 * the store (users, groups, memberships, a manager tree, and optionally
 * assignments to a service principal), with a progress bar on stderr when
 * it is a terminal.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { pino } from 'pino';
import { loadConfig } from '../../config/config.ts';
import { createServices } from '../../services.ts';
import { seedTenant } from '../../directory/seed.ts';
import type { SeedProgress } from '../../directory/seed.ts';

interface SeedFlags {
  users: string;
  groups: string;
  avgMembers: string;
  seed: string;
  assignTo?: string;
  batchSize?: string;
  dataDir?: string;
  databaseUrl?: string;
  json?: boolean;
}

function whole(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new Error(`Invalid --${name} '${raw}': expected a whole number.`);
  return n;
}

export function registerDirectory(program: Command): void {
  const directory = program.command('directory').description('The embedded directory (the identity source)');
  directory.command('seed')
    .description('Generate a reproducible tenant into the directory (an empty one)')
    .option('--users <n>', 'number of users', '1000')
    .option('--groups <n>', 'number of groups', '50')
    .option('--avg-members <n>', 'average direct members per group', '20')
    .option('--seed <n>', 'random seed (same seed, same tenant)', '1')
    .option('--assign-to <servicePrincipalId>', 'assign a third of the groups and one user in 20 to this service principal')
    .option('--batch-size <n>', 'objects per transaction', '1000')
    .option('--data-dir <dir>', 'data folder (PROVISIO_DATA_DIR; default ./.provisio)')
    .option('--database-url <url>', 'postgres://… for PostgreSQL (PROVISIO_DATABASE_URL)')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: SeedFlags, cmd: Command) => {
      // --json is also a global option of `provisio`; commander gives it to the program then.
      const json = flags.json ?? (cmd.optsWithGlobals() as { json?: boolean }).json ?? false;
      const opts = {
        users: whole('users', flags.users),
        groups: whole('groups', flags.groups),
        avgMembers: whole('avg-members', flags.avgMembers),
        seed: whole('seed', flags.seed),
        batchSize: whole('batch-size', flags.batchSize ?? '1000'),
        ...(flags.assignTo ? { assignTo: flags.assignTo } : {}),
      };
      const config = loadConfig({ dataDir: flags.dataDir, databaseUrl: flags.databaseUrl });
      const services = await createServices(config, { logger: pino({ level: 'warn' }) });
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: ' {phase} [{bar}] {value}/{total}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
        : undefined;
      let phase: SeedProgress['phase'] | undefined;
      try {
        const result = await seedTenant(services.directory, opts, (p) => {
          if (!bar) return;
          if (p.phase !== phase) {
            if (phase) bar.stop();
            phase = p.phase;
            bar.start(p.total, 0, { phase: p.phase.padEnd(11) });
          }
          bar.update(p.done);
        });
        bar?.stop();
        process.stdout.write(json
          ? JSON.stringify(result) + '\n'
          : `Seeded ${result.users} users, ${result.groups} groups, ${result.memberships} memberships, ${result.assignments} assignments in ${(result.elapsedMs / 1000).toFixed(1)} s.\n`);
      } finally {
        bar?.stop();
        await services.close();
      }
    });
}
