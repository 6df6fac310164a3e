import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { usageError } from '../../errors.ts';
import { renderFields } from '../../output.ts';
import { genericFields } from '../../views.ts';
import { EMPTY_GUID, callAppInstance } from './api.ts';

/**
 * `provisio appinstance sync <objectId> [--app-id …] [--remove-mapping]`
 * (Sync-CsOnlineApplicationInstance): stores the instance → application
 * mapping in the agent provisioning registry; the all-zero GUID removes it.
 */
export function register(noun: Command, deps: Deps): void {
  noun.command('sync')
    .description('Store (or with --remove-mapping remove) the instance → application mapping in the agent provisioning registry')
    .argument('<objectId>', 'object id of the application instance')
    .option('--app-id <applicationId>', 'the application to map it to')
    .option('--acs-resource-id <id>', 'Azure Communication Services resource id to store with the mapping')
    .option('--remove-mapping', `remove the existing mapping (sends applicationId ${EMPTY_GUID})`)
    .option('--force', 'suppress warnings and soft conflicts')
    .action(action<{ appId?: string; acsResourceId?: string; removeMapping?: boolean; force?: boolean }>(deps, async (ctx, o, [objectId]) => {
      if (o.removeMapping && o.appId !== undefined) throw usageError('Give either --app-id or --remove-mapping, not both.');
      const res = await callAppInstance(ctx.client(), {
        op: 'sync', objectId: objectId!, applicationId: o.removeMapping ? EMPTY_GUID : o.appId, acsResourceId: o.acsResourceId, force: o.force,
      });
      if (res.body && Object.keys(res.body).length) ctx.out.result(res.body, () => renderFields(genericFields(res.body!)));
      else ctx.out.done(o.removeMapping ? `Removed the mapping of ${objectId!}.` : `Synchronized application instance ${objectId!}.`);
    }));
}
