import type { Command } from 'commander';
import type { Deps, ListOptions } from '../../context.ts';
import { action, listOptions, notePaging } from '../../context.ts';
import { groupColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio group list [--filter …]`: GET /v1.0/groups. */
export function register(noun: Command, deps: Deps): void {
  listOptions(noun.command('list')
    .description('List directory groups (GET /v1.0/groups)')
    .option('--filter <odata>', "a $filter, e.g. \"displayName eq 'Sales'\""))
    .action(action<ListOptions & { filter?: string }>(deps, async (ctx, o) => {
      const doc = await ctx.client().list<Obj>('/v1.0/groups', { $filter: o.filter, $top: o.top }, o.all);
      ctx.out.collection(doc, groupColumns, 'groups');
      notePaging(ctx, doc);
    }));
}
