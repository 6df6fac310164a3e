import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { at } from '../../views.ts';
import type { Obj } from '../../views.ts';

/**
 * `provisio gallery instantiate <templateId> --name <displayName>`: creates
 * an application and its service principal from a template
 * (POST /v1.0/applicationTemplates/{id}/instantiate).
 */
export function register(noun: Command, deps: Deps): void {
  noun.command('instantiate')
    .description('Add an application from a template: application + service principal (POST …/applicationTemplates/{id}/instantiate)')
    .argument('<templateId>', 'application template id')
    .requiredOption('--name <displayName>', 'display name of the new application')
    .action(action<{ name: string }>(deps, async (ctx, o, [id]) => {
      const res = await ctx.client().request<Obj>({ method: 'POST', path: `/v1.0/applicationTemplates/${seg(id!)}/instantiate`, body: { displayName: o.name } });
      const r = res.body ?? {};
      ctx.out.result(r, () => renderFields([
        ['application id', at(r, 'application.id')],
        ['appId', at(r, 'application.appId')],
        ['service principal id', at(r, 'servicePrincipal.id')],
        ['displayName', at(r, 'servicePrincipal.displayName')],
      ]) + `\nNext: provisio template list --sp ${String(at(r, 'servicePrincipal.id'))}\n`);
    }));
}
