import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { renderFields } from '../../output.ts';
import type { Obj } from '../../views.ts';

/** Graph's "Default Access" app role: assignment without a specific role. */
export const DEFAULT_APP_ROLE_ID = '00000000-0000-0000-0000-000000000000';

/**
 * `provisio sp assign <spId> --principal <userOrGroupId>`: assigns a user or
 * group to the application, which puts it in provisioning scope
 * (POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo).
 */
export function register(noun: Command, deps: Deps): void {
  noun.command('assign')
    .description('Assign a user or group to the application (POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo)')
    .argument('<spId>', 'service principal object id')
    .requiredOption('--principal <id>', 'user or group object id')
    .option('--role <appRoleId>', 'app role id', DEFAULT_APP_ROLE_ID)
    .action(action<{ principal: string; role: string }>(deps, async (ctx, o, [spId]) => {
      const body = { principalId: o.principal, resourceId: spId!, appRoleId: o.role };
      const a = (await ctx.client().request<Obj>({ method: 'POST', path: `/v1.0/servicePrincipals/${seg(spId!)}/appRoleAssignedTo`, body })).body ?? {};
      ctx.out.result(a, () => renderFields([['id', a.id], ['principal', `${String(a.principalType ?? '')} ${String(a.principalDisplayName ?? a.principalId ?? '')}`.trim()], ['appRoleId', a.appRoleId]]));
    }));
}
