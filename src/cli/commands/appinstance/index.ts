/** `provisio appinstance …`: Teams application instances (resource accounts) and their registry mapping. */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as create } from './create.ts';
import { register as set } from './set.ts';
import { register as sync } from './sync.ts';

/** Registers `provisio appinstance` and its verbs on the root command. */
export function registerAppInstance(program: Command, deps: Deps): void {
  const noun = program.command('appinstance').description('Application instances (Teams resource accounts) and the agent provisioning registry');
  for (const verb of [list, show, create, set, sync]) verb(noun, deps);
}
