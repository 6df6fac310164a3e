import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';
import { callAppInstance } from './api.ts';

/** `provisio appinstance show <objectId|upn>` (Get-CsOnlineApplicationInstance -Identity). */
export function register(noun: Command, deps: Deps): void {
  noun.command('show')
    .description('Show an application instance')
    .argument('<identity>', 'object id or userPrincipalName')
    .action(action(deps, async (ctx, _o, [identity]) => {
      const a = (await callAppInstance(ctx.client(), { op: 'get', identity: identity! })).body ?? {};
      ctx.out.result(a, () => renderFields(genericFields(a)));
    }));
}
