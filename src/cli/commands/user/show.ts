import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';

/** `provisio user show <id|userPrincipalName>`: GET /v1.0/users/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('show')
    .description('Show a directory user (GET /v1.0/users/{id | userPrincipalName})')
    .argument('<id>', 'object id or userPrincipalName')
    .action(action(deps, async (ctx, _o, [id]) => {
      const u = await ctx.client().get(`/v1.0/users/${seg(id!)}`);
      ctx.out.result(u, () => renderFields(genericFields(u)));
    }));
}
