/**
 * `--help` for every command: each noun, each verb under it (and each
 * sub-verb), and each cmdlet answers with its usage and exit code 0. The
 * list is read off the command tree, so a new command is covered the day
 * it is added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerCommands } from '../../src/cli/commands/index.ts';
import { CMDLETS } from '../../src/cli/cmdlets/index.ts';
import { APPINSTANCE_CMDLETS } from '../../src/cli/commands/appinstance-cmdlets.ts';
import { processIo } from '../../src/cli/io.ts';
import { expectCode, runCli, runInProcess } from './run-cli.ts';

async function commandPaths(): Promise<string[][]> {
  const tree = new Command('provisio');
  await registerCommands(tree, { io: processIo() });
  const paths: string[][] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const sub of cmd.commands) {
      paths.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(tree, []);
  return paths;
}

test('every noun, verb and sub-verb answers --help with its usage', async () => {
  const paths = await commandPaths();
  assert.ok(paths.length > 60, `only ${paths.length} commands found`);
  for (const path of paths) {
    const r = expectCode(await runInProcess([...path, '--help']), 0);
    assert.match(r.stdout, new RegExp(`^Usage: provisio ${path.join(' ')}\\b`, 'm'), path.join(' '));
    assert.ok(r.stdout.length > 40, `${path.join(' ')} has a description and options`);
  }
  // And once through the real binary.
  assert.match(expectCode(await runCli(['job', 'restart', '--help']), 0).stdout, /--scope/);
});

test('every cmdlet answers --help with its syntax', async () => {
  for (const name of [...CMDLETS.map((c) => c.signature.name), ...APPINSTANCE_CMDLETS.map((c) => c.name)]) {
    const r = expectCode(await runInProcess([name, '--help']), 0);
    assert.ok(r.stdout.includes(name), `${name} --help names the cmdlet:\n${r.stdout}`);
  }
});
