import type { Command } from 'commander';
import type { Deps, ListOptions } from '../../context.ts';
import { action, listOptions, notePaging } from '../../context.ts';
import { applicationColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio app list`: GET /v1.0/applications. */
export function register(noun: Command, deps: Deps): void {
  listOptions(noun.command('list').description('List applications (GET /v1.0/applications)'))
    .action(action<ListOptions>(deps, async (ctx, o) => {
      const doc = await ctx.client().list<Obj>('/v1.0/applications', { $top: o.top }, o.all);
      ctx.out.collection(doc, applicationColumns, 'applications');
      notePaging(ctx, doc);
    }));
}
