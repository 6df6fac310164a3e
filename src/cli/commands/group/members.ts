import type { Command } from 'commander';
import type { Deps, ListOptions } from '../../context.ts';
import { action, listOptions, notePaging, seg } from '../../context.ts';
import { memberColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio group members <id>`: GET /v1.0/groups/{id}/members. */
export function register(noun: Command, deps: Deps): void {
  listOptions(noun.command('members')
    .description("List a group's direct members (GET /v1.0/groups/{id}/members)")
    .argument('<id>', 'group object id'))
    .action(action<ListOptions>(deps, async (ctx, o, [id]) => {
      const doc = await ctx.client().list<Obj>(`/v1.0/groups/${seg(id!)}/members`, { $top: o.top }, o.all);
      ctx.out.collection(doc, memberColumns, 'members');
      notePaging(ctx, doc);
    }));
}
