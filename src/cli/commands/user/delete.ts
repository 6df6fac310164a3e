import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';

/** `provisio user delete <id>`: DELETE /v1.0/users/{id} (a soft delete in Graph). */
export function register(noun: Command, deps: Deps): void {
  noun.command('delete')
    .description('Delete a directory user (DELETE /v1.0/users/{id}); Graph keeps it soft-deleted for 30 days')
    .argument('<id>', 'object id or userPrincipalName')
    .action(action(deps, async (ctx, _o, [id]) => {
      await ctx.client().request({ method: 'DELETE', path: `/v1.0/users/${seg(id!)}` });
      ctx.out.done(`Deleted user ${id!}.`);
    }));
}
