import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';

/** `provisio app show <id>`: GET /v1.0/applications/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('show')
    .description('Show an application (GET /v1.0/applications/{id})')
    .argument('<id>', 'application object id')
    .action(action(deps, async (ctx, _o, [id]) => {
      const app = await ctx.client().get(`/v1.0/applications/${seg(id!)}`);
      ctx.out.result(app, () => renderFields(genericFields(app)));
    }));
}
