/** `provisio sync …`: the synchronization navigation property as a whole. */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as get } from './get.ts';
import { register as put } from './put.ts';

/** Registers `provisio sync` and its verbs on the root command. */
export function registerSync(program: Command, deps: Deps): void {
  const noun = program.command('sync').description('The whole synchronization object of a service principal or application');
  for (const verb of [get, put]) verb(noun, deps);
}
