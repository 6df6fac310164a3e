/** `provisio sp …`: service principals (Graph /v1.0/servicePrincipals) and their assignments. */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as create } from './create.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as del } from './delete.ts';
import { register as assign } from './assign.ts';
import { register as assignments } from './assignments.ts';
import { register as unassign } from './unassign.ts';

/** Registers `provisio sp` and its verbs on the root command. */
export function registerSp(program: Command, deps: Deps): void {
  const noun = program.command('sp').description('Service principals (the application in this tenant) and their assignments');
  for (const verb of [create, list, show, del, assign, assignments, unassign]) verb(noun, deps);
}
