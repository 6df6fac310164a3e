import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';

/** `provisio group delete <id>`: DELETE /v1.0/groups/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('delete')
    .description('Delete a directory group (DELETE /v1.0/groups/{id})')
    .argument('<id>', 'group object id')
    .action(action(deps, async (ctx, _o, [id]) => {
      await ctx.client().request({ method: 'DELETE', path: `/v1.0/groups/${seg(id!)}` });
      ctx.out.done(`Deleted group ${id!}.`);
    }));
}
