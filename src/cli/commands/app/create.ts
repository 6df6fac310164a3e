import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { renderFields } from '../../output.ts';
import type { Obj } from '../../views.ts';

/** `provisio app create --name <displayName>`: POST /v1.0/applications. */
export function register(noun: Command, deps: Deps): void {
  noun.command('create')
    .description('Register an application (POST /v1.0/applications)')
    .requiredOption('--name <displayName>', 'display name')
    .option('--description <text>', 'description')
    .action(action<{ name: string; description?: string }>(deps, async (ctx, o) => {
      const body = { displayName: o.name, ...(o.description !== undefined ? { description: o.description } : {}) };
      const app = (await ctx.client().request<Obj>({ method: 'POST', path: '/v1.0/applications', body })).body ?? {};
      ctx.out.result(app, () => renderFields([['id', app.id], ['appId', app.appId], ['displayName', app.displayName]]));
    }));
}
