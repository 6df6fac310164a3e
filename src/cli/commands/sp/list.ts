import type { Command } from 'commander';
import type { Deps, ListOptions } from '../../context.ts';
import { action, listOptions, notePaging } from '../../context.ts';
import { servicePrincipalColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio sp list`: GET /v1.0/servicePrincipals. */
export function register(noun: Command, deps: Deps): void {
  listOptions(noun.command('list').description('List service principals (GET /v1.0/servicePrincipals)'))
    .action(action<ListOptions>(deps, async (ctx, o) => {
      const doc = await ctx.client().list<Obj>('/v1.0/servicePrincipals', { $top: o.top }, o.all);
      ctx.out.collection(doc, servicePrincipalColumns, 'service principals');
      notePaging(ctx, doc);
    }));
}
