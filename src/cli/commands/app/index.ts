/** `provisio app …`: application registrations (Graph /v1.0/applications). */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as create } from './create.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as del } from './delete.ts';

/** Registers `provisio app` and its verbs on the root command. */
export function registerApp(program: Command, deps: Deps): void {
  const noun = program.command('app').description('Applications (app registrations)');
  for (const verb of [create, list, show, del]) verb(noun, deps);
}
