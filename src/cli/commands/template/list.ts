import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, syncBase } from '../../context.ts';
import { templateColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio template list --sp|--app <id>`: GET …/synchronization/templates. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('list').description('List synchronization templates (GET …/synchronization/templates)'))
    .action(action<OwnerOptions>(deps, async (ctx, o) => {
      const doc = await ctx.client().list<Obj>(`${syncBase(o)}/templates`);
      ctx.out.collection(doc, templateColumns, 'templates');
    }));
}
