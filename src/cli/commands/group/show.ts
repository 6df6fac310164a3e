import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';

/** `provisio group show <id>`: GET /v1.0/groups/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('show')
    .description('Show a directory group (GET /v1.0/groups/{id})')
    .argument('<id>', 'group object id')
    .action(action(deps, async (ctx, _o, [id]) => {
      const g = await ctx.client().get(`/v1.0/groups/${seg(id!)}`);
      ctx.out.result(g, () => renderFields(genericFields(g)));
    }));
}
