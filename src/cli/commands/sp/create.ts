import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { renderFields } from '../../output.ts';
import type { Obj } from '../../views.ts';

/** `provisio sp create --app-id <appId>`: POST /v1.0/servicePrincipals. */
export function register(noun: Command, deps: Deps): void {
  noun.command('create')
    .description("Create the service principal of an application (POST /v1.0/servicePrincipals)")
    .requiredOption('--app-id <appId>', "the application's appId (client id), not its object id")
    .action(action<{ appId: string }>(deps, async (ctx, o) => {
      const sp = (await ctx.client().request<Obj>({ method: 'POST', path: '/v1.0/servicePrincipals', body: { appId: o.appId } })).body ?? {};
      ctx.out.result(sp, () => renderFields([['id', sp.id], ['appId', sp.appId], ['displayName', sp.displayName]]));
    }));
}
