import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';

/** `provisio gallery show <templateId>`: GET /v1.0/applicationTemplates/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('show')
    .description('Show an application template (GET /v1.0/applicationTemplates/{id})')
    .argument('<templateId>', 'application template id')
    .action(action(deps, async (ctx, _o, [id]) => {
      const t = await ctx.client().get(`/v1.0/applicationTemplates/${seg(id!)}`);
      ctx.out.result(t, () => renderFields(genericFields(t)));
    }));
}
