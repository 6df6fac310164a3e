import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { renderFields } from '../../output.ts';
import type { Obj } from '../../views.ts';

/** `provisio group create --name <displayName>`: POST /v1.0/groups (a security group). */
export function register(noun: Command, deps: Deps): void {
  noun.command('create')
    .description('Create a security group (POST /v1.0/groups)')
    .requiredOption('--name <displayName>', 'display name')
    .option('--mail-nickname <nick>', 'mailNickname (default: the name without spaces)')
    .option('--description <text>', 'description')
    .action(action<{ name: string; mailNickname?: string; description?: string }>(deps, async (ctx, o) => {
      const body: Obj = {
        displayName: o.name,
        mailEnabled: false,
        mailNickname: o.mailNickname ?? (o.name.replace(/[^A-Za-z0-9._-]/g, '') || 'group'),
        securityEnabled: true,
        ...(o.description !== undefined ? { description: o.description } : {}),
      };
      const g = (await ctx.client().request<Obj>({ method: 'POST', path: '/v1.0/groups', body })).body ?? {};
      ctx.out.result(g, () => renderFields([['id', g.id], ['displayName', g.displayName], ['mailNickname', g.mailNickname]]));
    }));
}
