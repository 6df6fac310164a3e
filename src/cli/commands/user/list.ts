import type { Command } from 'commander';
import type { Deps, ListOptions } from '../../context.ts';
import { action, listOptions, notePaging } from '../../context.ts';
import { userColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio user list [--filter …]`: GET /v1.0/users. */
export function register(noun: Command, deps: Deps): void {
  listOptions(noun.command('list')
    .description('List directory users (GET /v1.0/users)')
    .option('--filter <odata>', "a $filter, e.g. \"startswith(displayName,'Ad')\"")
    .option('--select <props>', 'a $select, e.g. id,displayName,department'))
    .action(action<ListOptions & { filter?: string; select?: string }>(deps, async (ctx, o) => {
      const doc = await ctx.client().list<Obj>('/v1.0/users', { $filter: o.filter, $select: o.select, $top: o.top }, o.all);
      ctx.out.collection(doc, userColumns, 'users');
      notePaging(ctx, doc);
    }));
}
