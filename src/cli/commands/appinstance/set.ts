import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { usageError } from '../../errors.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';
import { callAppInstance } from './api.ts';

/** `provisio appinstance set <identity> …` (Set-CsOnlineApplicationInstance). */
export function register(noun: Command, deps: Deps): void {
  noun.command('set')
    .description('Change an application instance')
    .argument('<identity>', 'object id or userPrincipalName')
    .option('--app-id <applicationId>', 'the application it serves')
    .option('--name <displayName>', 'display name')
    .option('--acs-resource-id <id>', 'Azure Communication Services resource id')
    .action(action<{ appId?: string; name?: string; acsResourceId?: string }>(deps, async (ctx, o, [identity]) => {
      if (o.appId === undefined && o.name === undefined && o.acsResourceId === undefined) throw usageError('Nothing to change: give --app-id, --name or --acs-resource-id.');
      const res = await callAppInstance(ctx.client(), { op: 'set', identity: identity!, applicationId: o.appId, displayName: o.name, acsResourceId: o.acsResourceId });
      if (res.body) ctx.out.result(res.body, () => renderFields(genericFields(res.body!)));
      else ctx.out.done(`Updated application instance ${identity!}.`);
    }));
}
