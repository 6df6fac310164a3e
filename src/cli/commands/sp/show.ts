import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';

/** `provisio sp show <id>`: GET /v1.0/servicePrincipals/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('show')
    .description('Show a service principal (GET /v1.0/servicePrincipals/{id})')
    .argument('<id>', 'service principal object id')
    .action(action(deps, async (ctx, _o, [id]) => {
      const sp = await ctx.client().get(`/v1.0/servicePrincipals/${seg(id!)}`);
      ctx.out.result(sp, () => renderFields(genericFields(sp)));
    }));
}
