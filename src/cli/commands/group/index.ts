/** `provisio group …`: groups of the embedded directory and their members (Graph /v1.0/groups). */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as create } from './create.ts';
import { register as del } from './delete.ts';
import { register as members } from './members.ts';
import { register as addMember } from './add-member.ts';
import { register as removeMember } from './remove-member.ts';

/** Registers `provisio group` and its verbs on the root command. */
export function registerGroup(program: Command, deps: Deps): void {
  const noun = program.command('group').description('Directory groups and their members');
  for (const verb of [list, show, create, del, members, addMember, removeMember]) verb(noun, deps);
}
