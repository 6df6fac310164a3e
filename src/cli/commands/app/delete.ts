import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';

/** `provisio app delete <id>`: DELETE /v1.0/applications/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('delete')
    .description('Delete an application (DELETE /v1.0/applications/{id})')
    .argument('<id>', 'application object id')
    .action(action(deps, async (ctx, _o, [id]) => {
      await ctx.client().request({ method: 'DELETE', path: `/v1.0/applications/${seg(id!)}` });
      ctx.out.done(`Deleted application ${id!}.`);
    }));
}
