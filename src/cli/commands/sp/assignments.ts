import type { Command } from 'commander';
import type { Deps, ListOptions } from '../../context.ts';
import { action, listOptions, notePaging, seg } from '../../context.ts';
import { assignmentColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio sp assignments <spId>`: GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo. */
export function register(noun: Command, deps: Deps): void {
  listOptions(noun.command('assignments')
    .description('List the users and groups assigned to the application (GET …/appRoleAssignedTo)')
    .argument('<spId>', 'service principal object id'))
    .action(action<ListOptions>(deps, async (ctx, o, [spId]) => {
      const doc = await ctx.client().list<Obj>(`/v1.0/servicePrincipals/${seg(spId!)}/appRoleAssignedTo`, { $top: o.top }, o.all);
      ctx.out.collection(doc, assignmentColumns, 'assignments');
      notePaging(ctx, doc);
    }));
}
