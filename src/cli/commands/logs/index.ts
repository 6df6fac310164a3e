/** `provisio logs …`: provisioning logs (Graph /v1.0/auditLogs/provisioning). */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';

/** Registers `provisio logs` and its verbs on the root command. */
export function registerLogs(program: Command, deps: Deps): void {
  const noun = program.command('logs').description('Provisioning logs: what was created, updated, skipped or failed, and why');
  for (const verb of [list, show]) verb(noun, deps);
}
