/** `provisio secrets …`: the credentials a synchronization uses to reach its target. */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as list } from './list.ts';
import { register as set } from './set.ts';

/** Registers `provisio secrets` and its verbs on the root command. */
export function registerSecrets(program: Command, deps: Deps): void {
  const noun = program.command('secrets').description('Synchronization secrets (target URL, token, notification settings, …)');
  for (const verb of [list, set]) verb(noun, deps);
}
