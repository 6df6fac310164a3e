import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';
import { callAppInstance } from './api.ts';

/** `provisio appinstance create --upn … [--app-id …] [--name …]` (New-CsOnlineApplicationInstance). */
export function register(noun: Command, deps: Deps): void {
  noun.command('create')
    .description('Create an application instance (resource account); with --app-id the mapping is stored too')
    .requiredOption('--upn <userPrincipalName>', 'userPrincipalName of the resource account')
    .option('--app-id <applicationId>', 'the application it serves (e.g. ce933385-9390-45d1-9512-c8d228074e07, Auto Attendant)')
    .option('--name <displayName>', 'display name')
    .action(action<{ upn: string; appId?: string; name?: string }>(deps, async (ctx, o) => {
      const a = (await callAppInstance(ctx.client(), { op: 'create', userPrincipalName: o.upn, applicationId: o.appId, displayName: o.name })).body ?? {};
      ctx.out.result(a, () => renderFields(genericFields(a)));
    }));
}
