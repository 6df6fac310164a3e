/** `provisio user …`: users of the embedded directory (Graph /v1.0/users). */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as create } from './create.ts';
import { register as update } from './update.ts';
import { register as del } from './delete.ts';

/** Registers `provisio user` and its verbs on the root command. */
export function registerUser(program: Command, deps: Deps): void {
  const noun = program.command('user').description('Directory users (the source of provisioning)');
  for (const verb of [list, show, create, update, del]) verb(noun, deps);
}
