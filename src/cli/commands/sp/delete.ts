import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';

/** `provisio sp delete <id>`: DELETE /v1.0/servicePrincipals/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('delete')
    .description('Delete a service principal and its synchronization (DELETE /v1.0/servicePrincipals/{id})')
    .argument('<id>', 'service principal object id')
    .action(action(deps, async (ctx, _o, [id]) => {
      await ctx.client().request({ method: 'DELETE', path: `/v1.0/servicePrincipals/${seg(id!)}` });
      ctx.out.done(`Deleted service principal ${id!}.`);
    }));
}
